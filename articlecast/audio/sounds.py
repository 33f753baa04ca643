"""The show's own sounds, generated (not anyone's recording): the opening and closing chime, and the two soft
notes between chapters, each at a loudness set under the speech's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import MIX_RATE
from ..util.loudness import MIX_TARGET, integrated_loudness

CHIME_SECONDS = 1.4
"""Length of the opening and closing chime."""
TRANSITION_SECONDS = 0.4 + 0.45 + 0.45
"""Length of the transition between chapters: silence, notes, silence."""
TRANSITION_SILENCE = 0.4 + 0.45
"""The silent part of the transition, which shrinks with the episode's pace."""
CHIME_BELOW_SPEECH_LU = 5.0
"""The opening and closing chime sits this far under the speech's loudness."""
TRANSITION_BELOW_SPEECH_LU = 11.0
"""The notes between chapters sit this far under the speech's loudness."""


def _bell(freqs: Sequence[float], offsets: Sequence[float], seconds: float, level: float, rate: int) -> np.ndarray:
    """Soft bell notes: a few partials with an exponential decay, each note starting at its offset."""
    n = int(seconds * rate)
    out = np.zeros(n, dtype=np.float64)
    for f, off in zip(freqs, offsets):
        start = int(off * rate)
        t = np.arange(n - start) / rate
        env = np.exp(-t * 5.0) * np.minimum(1.0, t / 0.008)  # 8 ms attack, no click
        tone = np.sin(2 * np.pi * f * t) + 0.35 * np.sin(2 * np.pi * 2 * f * t) + 0.12 * np.sin(2 * np.pi * 3 * f * t)
        out[start:] += env * tone
    out *= np.minimum(1.0, (n - np.arange(n)) / (0.05 * rate))  # fade out the last 50 ms
    return (level * out / max(1e-9, np.abs(out).max())).astype(np.float32)


BELL_LUFS = {"chime": -18.249, "notes": -25.725}
"""The bells' own loudness at MIX_RATE as :func:`_bell` makes them (measured once; tests/test_stream.py checks), so
that placing them at a loudness needs no measuring (and the main process no scipy)."""


def _at_loudness(x: np.ndarray, lufs: float, rate: int, name: str) -> np.ndarray:
    own = BELL_LUFS[name] if rate == MIX_RATE else integrated_loudness(x, rate)
    return (x * 10 ** ((lufs - own) / 20)).astype(np.float32)


def chime(rate: int = MIX_RATE, lufs: float = MIX_TARGET - CHIME_BELOW_SPEECH_LU) -> np.ndarray:
    """The opening and closing chime: three rising notes, 1.4 s (generated, not anyone's recording)."""
    bell = _bell([523.25, 659.25, 783.99], [0.0, 0.16, 0.32], CHIME_SECONDS, 0.5, rate)
    return _at_loudness(bell, lufs, rate, "chime")


def transition(rate: int = MIX_RATE, lufs: float = MIX_TARGET - TRANSITION_BELOW_SPEECH_LU, pace: float = 1.0) -> np.ndarray:
    """Between chapters: 0.4 s of silence, two soft notes, 0.45 s of silence (the silences divided by pace)."""
    notes = _at_loudness(_bell([783.99, 1046.5], [0.0, 0.09], 0.45, 0.18, rate), lufs, rate, "notes")
    return np.concatenate([np.zeros(int(0.4 / pace * rate), np.float32), notes,
                           np.zeros(int(0.45 / pace * rate), np.float32)])
