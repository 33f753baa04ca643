"""Words timed by listening: a voice that reports no times of its own (espeak-ng, gTTS: ``Engine.timed`` is
False) has each sentence heard once, where it is spoken, by the recognizer the listen-back check ships (Whisper
base, multilingual, through faster-whisper's word timestamps), and the words heard, with their times, are laid
against the sentence's words (:func:`~articlecast.util.pairing.word_spans`), then settled on the pauses as the
voices' own times are. The times are stored with the sentence in the segment cache: heard once, not at every
build. Where the recognizer is not installed (the ``check`` extra), such a voice's sentences are timed as wholes.

Whisper's word times come from its attention, not from the sound: heard one sentence at a time, they lead the
times the voices measure themselves (hibari's and Piper's durations, exact by construction) by a steady amount,
which :data:`LEAD_MS` takes back (``bench/ear.py`` measures it; docs/benchmarks.md). The book says its words were
timed by a recognizer.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading

import numpy as np

from ..errors import ArticlecastError
from ..models import Audio
from ..util.pairing import word_spans
from ..util.recognizer import MODEL_PACKAGES, MODEL_SHA256, SAMPLE_RATE, Recognizer, recognizer
from .conditioning import to_rate
from .engines import get_engine
from .engines.timing import TIMING_VERSION, settled

log = logging.getLogger(__name__)

LISTENING_VERSION = f"2.{TIMING_VERSION}.{MODEL_SHA256[:8]}"
"""Changes when the same audio would be timed differently by ear: here, the shared settling, the recognizer's
model (in the cache key of the sentences it times)."""
LISTENER = "base"
"""The recognizer that times words: Whisper base (multilingual; its word times are closer than tiny.en's)."""
LEAD_MS = (115, 75)
"""How early Whisper base places a word's start and its end, ms: the medians of its times against hibari's and
Piper's own on the sample's sentences, heard one at a time (starts 140 and 93 ms early, ends 100 and 48)."""
_loading = threading.Lock()
_failed: list[str] = []
"""Why the recognizer could not be loaded, once it failed (then words are not timed by ear in this process)."""


@functools.cache
def can_listen() -> bool:
    """Whether the recognizer is installed (the ``check`` extra)."""
    return all(importlib.util.find_spec(name) is not None for name in ("faster_whisper", *MODEL_PACKAGES))


def _listener() -> Recognizer | None:
    """The recognizer, loaded once by whichever speech thread asks first; None (with one warning) when it cannot
    be loaded: a damaged model or a broken install must not fail a build that asked for no check."""
    with _loading:
        if _failed:
            return None
        try:
            return recognizer(LISTENER)
        except (ArticlecastError, ImportError, OSError, RuntimeError) as e:
            _failed.append(str(e))
            log.warning("words are timed by sentence: the recognizer could not be loaded (%s)", e)
            return None


@functools.lru_cache(maxsize=64)
def listens_to(engine: str, voice: str) -> str:
    """The language to hear a voice in (its BCP 47 tag) when its words are to be timed by ear, else ""."""
    e = get_engine(engine)
    if e.timed or not can_listen():
        return ""
    return next((v.language for v in e.voices() if v.name == voice), "") or "und"


def timed_by_ear(audio: Audio, text: str, language: str) -> Audio:
    """``audio`` with its words timed by the recognizer (``text``: what was said, ``language``: its BCP 47 tag);
    unchanged when nothing is heard."""
    if audio.words or not np.any(audio.samples):  # timed already, or silence: nothing to hear
        return audio
    listener = _listener()
    if listener is None:
        return audio
    heard = listener.words(to_rate(audio, SAMPLE_RATE), language)
    if not heard:
        log.debug("nothing heard to time the words of %r", text[:60])
        return audio
    rate = audio.sample_rate
    n = len(audio.samples)
    early, late = (ms / 1000 for ms in LEAD_MS)
    spans: list[tuple[int, int]] = []
    for _, a, b in heard:
        start = min(n, max(round((a + early if a > 0 else 0) * rate), spans[-1][0] if spans else 0))  # 0: no earlier
        if spans and spans[-1][1] > start:  # the word before ends where this one starts, at the latest
            spans[-1] = (spans[-1][0], max(spans[-1][0], start))
        spans.append((start, min(n, max(start + 1, round((b + late) * rate)))))
    words = word_spans(text.split(), [w for w, _, _ in heard], settled(spans, audio.samples, rate))
    return Audio(audio.samples, rate, words)
