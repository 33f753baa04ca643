"""Mixer: speech segments, pauses, chimes and transitions laid out on one timeline, then loudness-normalized.

Pure: takes audio and returns an :class:`Episode` (samples, contiguous chapters, cues). The layout:

    chime | intro | transition | chapter 1 | transition | ... | chapter n | transition | outro | chime

A chapter starts where the transition before it starts, so a listener who skips to a chapter hears the
transition sound and then its first words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .conditioning import RATE, to_rate
from .loudness import MP3_ALLOWANCE_LU, TARGET_LUFS, integrated_loudness, normalize
from .models import Audio, Chapter, Cue, Episode, Meta

LEAD_IN = 0.35
"""Silence after the opening chime, seconds."""
TAIL = 1.0
"""Silence at the very end, seconds."""


@dataclass(frozen=True)
class Spoken:
    """A segment with its audio."""

    text: str
    """The words as written (for the transcript)."""
    audio: Audio
    """The speech."""
    pause: float
    """Silence after it, seconds."""


@dataclass(frozen=True)
class Part:
    """A chapter to lay out."""

    title: str
    """Chapter title."""
    spoken: Sequence[Spoken]
    """Its segments, in order."""


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


CHIME_BELOW_SPEECH_LU = 5.0
"""The opening and closing chime sits this far under the speech's loudness."""
TRANSITION_BELOW_SPEECH_LU = 11.0
"""The notes between chapters sit this far under the speech's loudness."""


def _at_loudness(x: np.ndarray, lufs: float, rate: int) -> np.ndarray:
    return (x * 10 ** ((lufs - integrated_loudness(x, rate)) / 20)).astype(np.float32)


def chime(rate: int = RATE, lufs: float = -21.0) -> np.ndarray:
    """The opening and closing chime: three rising notes, 1.4 s (generated, not anyone's recording)."""
    return _at_loudness(_bell([523.25, 659.25, 783.99], [0.0, 0.16, 0.32], CHIME_SECONDS, 0.5, rate), lufs, rate)


def transition(rate: int = RATE, lufs: float = -27.0) -> np.ndarray:
    """Between chapters: 0.4 s of silence, two soft notes, 0.45 s of silence."""
    notes = _at_loudness(_bell([783.99, 1046.5], [0.0, 0.09], 0.45, 0.18, rate), lufs, rate)
    return np.concatenate([np.zeros(int(0.4 * rate), np.float32), notes, np.zeros(int(0.45 * rate), np.float32)])


CHIME_SECONDS = 1.4
"""Length of the opening and closing chime."""
TRANSITION_SECONDS = 0.4 + 0.45 + 0.45
"""Length of the transition between chapters: silence, notes, silence."""


def fixed_seconds(chapters: int) -> float:
    """Length of everything but the speech and its pauses, for ``chapters`` chapters plus intro and outro."""
    return 2 * CHIME_SECONDS + TRANSITION_SECONDS * (chapters + 1) + LEAD_IN + TAIL


def mix(meta: Meta, intro: Part, body: Sequence[Part], outro: Part, rate: int = RATE) -> Episode:
    """Lay out the episode and normalize its loudness."""
    pieces: list[np.ndarray] = []
    cues: list[Cue] = []
    starts: list[tuple[str, int]] = []
    pos = 0

    def add(x: np.ndarray) -> None:
        nonlocal pos
        pieces.append(x)
        pos += len(x)

    def ms(samples: int) -> int:
        return round(samples * 1000 / rate)

    parts = [intro, *body, outro]
    speech = {id(s): to_rate(s.audio, rate) for p in parts for s in p.spoken}
    measured = integrated_loudness(np.concatenate(list(speech.values())), rate)
    level = measured if np.isfinite(measured) else TARGET_LUFS  # a silent test voice
    bell = chime(rate, level - CHIME_BELOW_SPEECH_LU)
    sep = transition(rate, level - TRANSITION_BELOW_SPEECH_LU)
    for n, part in enumerate(parts):
        starts.append((part.title, pos))
        if n == 0:
            add(bell)
            add(np.zeros(int(LEAD_IN * rate), np.float32))
        else:
            add(sep)
        for s in part.spoken:
            x = speech[id(s)]
            cues.append(Cue(s.text, ms(pos), ms(pos + len(x))))
            add(x)
            add(np.zeros(int(s.pause * rate), np.float32))
    add(bell)
    add(np.zeros(int(TAIL * rate), np.float32))

    samples = np.concatenate(pieces)
    # the chimes add under 0.01 LU to the speech's loudness: normalize from the speech's measure
    samples, lufs, peak = normalize(samples, rate, TARGET_LUFS + MP3_ALLOWANCE_LU,
                                   lufs=measured if np.isfinite(measured) else None)
    end = ms(len(samples))
    chapters = [
        Chapter(title, ms(start), ms(starts[i + 1][1]) if i + 1 < len(starts) else end)
        for i, (title, start) in enumerate(starts)
    ]
    return Episode(meta, Audio(samples, rate), tuple(chapters), tuple(cues), lufs, peak)
