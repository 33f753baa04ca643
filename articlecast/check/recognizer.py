"""Who listens back, and how: which of the recognizers (:mod:`articlecast.util.recognizer`) hears each sentence
first and which hears again, and the name of that arrangement in reports and cached results."""

from __future__ import annotations

import importlib.util

from ..errors import CheckUnavailableError
from ..util.recognizer import (
    INSTALL_HINT,
    MODEL_PACKAGES,
    MODEL_SHA256,
    SAMPLE_RATE,
    TINY_EN_PACKAGE,
    TINY_EN_SHA256,
    Recognizer,
    recognizer,
)

__all__ = ["AGAIN_BEAM", "FIRST_BEAM", "RECOGNIZER_ID", "SAMPLE_RATE", "Recognizer", "check_available",
           "first_listener", "listened_by", "recognizer", "second_listeners"]

FIRST_BEAM, AGAIN_BEAM = 1, 5
"""Beam widths: the first hearing (greedy), the second hearing of a sentence the first missed words of."""
SCORING_VERSION = "3"
"""Changes whenever the same audio would be scored differently (alignment, normalization, the two passes)."""
RECOGNIZER_ID = (f"whisper tiny.en-{TINY_EN_SHA256[:8]} greedy, then base-{MODEL_SHA256[:8]} beam {AGAIN_BEAM} "
                 f"on sentences missed (int8, scoring {SCORING_VERSION})")
"""Names the recognizers, their settings and the scoring, in reports and in cached check results."""


def _first_model(language: str) -> str:
    return "tiny.en" if language.lower().split("-")[0] == "en" else "base"


def first_listener(language: str) -> Recognizer:
    """Who hears every sentence first: tiny.en for English, base for other languages."""
    return recognizer(_first_model(language))


def listened_by(language: str) -> str:
    """Who listened, in words, for reports: "Whisper tiny.en, then Whisper base (beam search) on the sentences in
    doubt"."""
    return f"Whisper {_first_model(language)}, then Whisper base (beam search) on the sentences in doubt"


def second_listeners(language: str) -> list[Recognizer]:
    """Who hears again, with beam search, a sentence the first hearing missed words of: base, in every language
    (measured better than tiny.en on single sentences: see above)."""
    return [recognizer("base")]


def check_available() -> None:
    """Raise CheckUnavailableError (one line, how to install) unless the extra is installed."""
    if importlib.util.find_spec("faster_whisper") is None:
        raise CheckUnavailableError(f"the listen-back check needs faster-whisper: {INSTALL_HINT}")
    for name in (*MODEL_PACKAGES, TINY_EN_PACKAGE):
        if importlib.util.find_spec(name) is None:
            raise CheckUnavailableError(f"the listen-back check needs the Whisper model package {name}: "
                                             f"{INSTALL_HINT}")
