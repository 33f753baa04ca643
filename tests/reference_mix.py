"""The whole-programme mixer as it was before the episode was streamed (frozen here as a reference): every
segment laid out in one buffer, then normalized as a whole. tests/test_stream.py checks that the streaming
mixer gives the same chapters, captions and loudness.

Mixer: speech segments, pauses, chimes and transitions laid out on one timeline, then loudness-normalized.

Pure: takes audio and returns an :class:`Episode` (samples, contiguous chapters, cues). The layout:

    chime | intro | transition | chapter 1 | transition | ... | chapter n | transition | outro | chime

A chapter starts where the transition before it starts, so a listener who skips to a chapter hears the
transition sound and then its first words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from articlecast.audio.mixer import voiced_span  # where a cue starts and ends: one definition
from articlecast.audio.sounds import _bell  # the notes themselves are not what is compared
from articlecast.audio.timeline import Chapter, Cue
from articlecast.models import MIX_RATE as RATE
from articlecast.models import Audio
from articlecast.script.model import Meta
from articlecast.util.loudness import CEILING_DBTP, MP3_ALLOWANCE_LU, TARGET_LUFS, integrated_loudness, limit, true_peak_dbtp
from articlecast.voice.conditioning import to_rate

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
    voice: str = ""
    """Which voice said it ("engine:voice"): voices are matched in level."""


@dataclass(frozen=True)
class Part:
    """A chapter to lay out."""

    title: str
    """Chapter title."""
    spoken: Sequence[Spoken]
    """Its segments, in order."""
    group: str = ""
    """The part of the episode it is nested under (a digest's article), or empty."""


CHIME_BELOW_SPEECH_LU = 5.0
"""The opening and closing chime sits this far under the speech's loudness."""
TRANSITION_BELOW_SPEECH_LU = 11.0
"""The notes between chapters sit this far under the speech's loudness."""


def _at_loudness(x: np.ndarray, lufs: float, rate: int) -> np.ndarray:
    return (x * 10 ** ((lufs - integrated_loudness(x, rate)) / 20)).astype(np.float32)


def chime(rate: int = RATE, lufs: float = -21.0) -> np.ndarray:
    """The opening and closing chime: three rising notes, 1.4 s (generated, not anyone's recording)."""
    return _at_loudness(_bell([523.25, 659.25, 783.99], [0.0, 0.16, 0.32], CHIME_SECONDS, 0.5, rate), lufs, rate)


def transition(rate: int = RATE, lufs: float = -27.0, pace: float = 1.0) -> np.ndarray:
    """Between chapters: 0.4 s of silence, two soft notes, 0.45 s of silence (the silences divided by pace)."""
    notes = _at_loudness(_bell([783.99, 1046.5], [0.0, 0.09], 0.45, 0.18, rate), lufs, rate)
    return np.concatenate([np.zeros(int(0.4 / pace * rate), np.float32), notes,
                           np.zeros(int(0.45 / pace * rate), np.float32)])


CHIME_SECONDS = 1.4
"""Length of the opening and closing chime."""
TRANSITION_SECONDS = 0.4 + 0.45 + 0.45
"""Length of the transition between chapters: silence, notes, silence."""
TRANSITION_SILENCE = 0.4 + 0.45
"""The silent part of the transition, which shrinks with the episode's pace."""


VOICE_MATCH_MAX_DB = 12.0
"""The most a voice's level is changed to match the others."""


def _match_voices(spoken: Sequence[Spoken], audio: list[np.ndarray], rate: int) -> None:
    """Scale each voice, as a whole, to the loudness of the voice that speaks most (in place).

    One gain per voice, never per sentence: switching voices sounds seamless and no sentence jumps.
    """
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(spoken):
        groups.setdefault(s.voice, []).append(i)
    if len(groups) < 2:
        return
    level = {v: integrated_loudness(np.concatenate([audio[i] for i in idx]), rate) for v, idx in groups.items()}
    main = max(groups, key=lambda v: sum(len(audio[i]) for i in groups[v]))
    for v, idx in groups.items():
        if v == main or not (np.isfinite(level[v]) and np.isfinite(level[main])):
            continue
        gain = np.float32(10 ** (np.clip(level[main] - level[v], -VOICE_MATCH_MAX_DB, VOICE_MATCH_MAX_DB) / 20))
        for i in idx:
            audio[i] = audio[i] * gain


def fixed_seconds(chapters: int, pace: float = 1.0) -> float:
    """Length of everything but the speech and its pauses, for ``chapters`` chapters plus intro and outro."""
    notes = TRANSITION_SECONDS - TRANSITION_SILENCE
    return 2 * CHIME_SECONDS + (notes + TRANSITION_SILENCE / pace) * (chapters + 1) + (LEAD_IN + TAIL) / pace


def mix(meta: Meta, intro: Part, body: Sequence[Part], outro: Part, rate: int = RATE, pace: float = 1.0) -> tuple:
    """Lay out the episode and normalize its loudness; ``pace`` > 1 shortens the silences between parts."""
    parts = [intro, *body, outro]
    speech = [[to_rate(s.audio, rate) for s in part.spoken] for part in parts]
    _match_voices([s for p in parts for s in p.spoken], [x for xs in speech for x in xs], rate)
    chime_len = int(CHIME_SECONDS * rate)
    sep_len = len(transition(rate, pace=pace))

    # where everything goes, in samples
    starts: list[int] = []
    placed: list[tuple[int, np.ndarray]] = []
    bells: list[int] = []
    seps: list[int] = []
    pos = 0
    for n, (part, audio) in enumerate(zip(parts, speech)):
        starts.append(pos)
        if n == 0:
            bells.append(pos)
            pos += chime_len + int(LEAD_IN / pace * rate)
        else:
            seps.append(pos)
            pos += sep_len
        for s, x in zip(part.spoken, audio):
            placed.append((pos, x))
            pos += len(x) + int(s.pause * rate)
    bells.append(pos)
    total = pos + chime_len + int(TAIL / pace * rate)

    samples = np.zeros(total, np.float32)
    for at, x in placed:
        samples[at: at + len(x)] = x
    measured = integrated_loudness(samples, rate)  # the speech alone: the chimes are not in yet
    level = measured if np.isfinite(measured) else TARGET_LUFS  # a silent test voice
    bell = chime(rate, level - CHIME_BELOW_SPEECH_LU)
    sep = transition(rate, level - TRANSITION_BELOW_SPEECH_LU, pace)
    for at in bells:
        samples[at: at + len(bell)] = bell
    for at in seps:
        samples[at: at + len(sep)] = sep
    # the chimes add under 0.01 LU to the speech's loudness: normalize from the speech's measure
    samples, lufs, peak = normalize(samples, rate, TARGET_LUFS + MP3_ALLOWANCE_LU,
                                   lufs=measured if np.isfinite(measured) else None)

    def ms(samples_: int) -> int:
        return round(samples_ * 1000 / rate)

    bounds = [*starts, total]
    chapters = tuple(Chapter(p.title, ms(a), ms(b), p.group) for p, a, b in zip(parts, bounds, bounds[1:]))
    spoken = [s for p in parts for s in p.spoken]
    voiced = [voiced_span(x, rate) for _, x in placed]  # a cue runs from the voice's first sound to its last
    cues = tuple(Cue(s.text, ms(at + v[0]), ms(at + v[1]), s.pause > 0, s.voice)
                 for s, (at, _), v in zip(spoken, placed, voiced))
    return Audio(samples, rate), chapters, cues, lufs, peak


def normalize(x: np.ndarray, rate: int, target: float = TARGET_LUFS, ceiling: float = CEILING_DBTP,
              lufs: float | None = None) -> tuple[np.ndarray, float, float]:
    """Gain to ``target`` LUFS, limiting peaks above ``ceiling`` dBTP; returns (samples, LUFS, dBTP): the whole
    programme normalized at once, as the reference does it.

    ``lufs`` is the input's loudness when already measured.
    """
    x = x.astype(np.float32, copy=True)
    lufs = integrated_loudness(x, rate) if lufs is None else lufs
    if not np.isfinite(lufs):
        return x, lufs, float("-inf")
    peak = float("-inf")
    for _ in range(6):  # gain up, limit the peaks, and again while limiting cost more than 0.1 LU
        x *= np.float32(10 ** ((target - lufs) / 20))
        lufs, peak = target, true_peak_dbtp(x)
        if peak <= ceiling:
            break
        aim = ceiling - 0.1
        for _ in range(4):
            x = limit(x, aim, rate)
            peak = true_peak_dbtp(x)
            if peak <= ceiling:
                break
            aim -= max(0.1, peak - ceiling)
        lufs = integrated_loudness(x, rate)
        if target - lufs <= 0.1:
            break
    return x, lufs, peak
