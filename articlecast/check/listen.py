"""Listening back: an episode (its MP3 and the captions beside it, as any outside client reads them) or single
sentences heard by the recognizer and scored against what was meant.

The episode is decoded as a stream, a window of whole sentences (at most WINDOW_SECONDS) at a time, so memory
does not grow with its length. A chapter's and the episode's missed-word rate are their sentences' sums over
the words meant. A stop is answered between windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from .. import stops
from ..audio.tags import read_mp3
from ..errors import AudioError, InputError
from ..ffmpeg import decode_stream
from ..models import ChapterCheck, CheckReport, SentenceCheck, Tick
from ..options import CHAPTER_MAX, EPISODE_MAX
from .alignment import Meant, score, windows
from .captions import read_captions
from .recognizer import RECOGNIZER_ID, SAMPLE_RATE, Recognizer, recognizer

MARGIN_SECONDS = 0.8
"""Heard words this far either side of a sentence's caption may belong to it."""
GAP_SECONDS = 0.6
"""Silence between single sentences checked together."""
Listening = Callable[[int], Tick]
"""Told how many sentences will be listened to; returns what is told of each window heard."""


class _Tape:
    """A decoded stream read forward: the samples between two times, holding only what is still needed."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self.blocks, self.start, self.buffer = blocks, 0, np.zeros(0, dtype=np.float32)

    def between(self, t0: float, t1: float) -> np.ndarray:
        a, b = max(0, int(t0 * SAMPLE_RATE)), int(t1 * SAMPLE_RATE)
        while self.start + len(self.buffer) < b:
            block = next(self.blocks, None)
            if block is None:
                break
            self.buffer = np.concatenate([self.buffer, block])
        drop = max(0, min(a - self.start, len(self.buffer)))
        self.buffer, self.start = self.buffer[drop:], self.start + drop
        return self.buffer[max(0, a - self.start): max(0, b - self.start)]


def check_episode(mp3: Path, max_episode: float = EPISODE_MAX, max_chapter: float = CHAPTER_MAX,
                  progress: Listening | None = None, listener: Recognizer | None = None) -> CheckReport:
    """Listen to an episode built by this tool (its MP3, with the .vtt beside it) and score every sentence."""
    try:
        info = read_mp3(mp3)
    except AudioError as e:
        raise InputError(f"{e}; check needs an episode's MP3, as speak.py build writes it") from None
    if info.present_seconds < info.seconds - 1:
        raise InputError(f"{mp3}: holds only {info.present_seconds:.0f} s of its {info.seconds:.0f} s of audio: the "
                         "file was cut short (an interrupted copy or download); copy or build it again")
    captions = mp3.with_suffix(".vtt")
    cues = read_captions(captions)
    chapters = info.chapters or [(0, round(info.seconds * 1000), info.tags.get("title", mp3.stem))]
    if cues[-1][0] > info.seconds + 1 or not same_words(cues, info.transcript):
        raise InputError(f"{captions}: these captions belong to another episode (they do not match {mp3.name}'s "
                         "own transcript and length); keep each episode's .vtt beside its MP3, or build it again")
    listener = listener or recognizer()
    language = info.tags.get("language") or "en"

    def chapter_of(t: float) -> int:
        ms = t * 1000
        return max([k for k, (s, _, _) in enumerate(chapters) if s <= ms], default=0)

    meant = [Meant(text, s, e, chapter_of((s + e) / 2)) for s, e, text in cues]
    tick = progress(len(meant)) if progress else None
    blocks = decode_stream(mp3, SAMPLE_RATE)
    try:
        tape = _Tape(blocks)
        scored: list[SentenceCheck] = []
        for group in windows(meant):
            stops.check()
            t0, t1 = max(0.0, group[0].start - MARGIN_SECONDS), group[-1].end + MARGIN_SECONDS
            heard = listener.words(tape.between(t0, t1), language)
            scored += score(group, heard, t0, MARGIN_SECONDS)
            if tick:
                tick(len(group))
    finally:
        blocks.close()  # type: ignore[attr-defined]
    return make_report(scored, [(t, s) for s, _, t in chapters], max_episode, max_chapter)


MATCHING = 0.8
"""The share of caption sentences an episode's own transcript must hold for the captions to be its own."""


def same_words(cues: Sequence[tuple[float, float, str]], transcript: str) -> bool:
    """Whether the captions' sentences are (nearly all) in ``transcript``, the MP3's own (True when it has none:
    an episode tagged by something else)."""
    if not transcript:
        return True
    flat = " ".join(transcript.split()).casefold()
    sample = cues[::max(1, len(cues) // 200)]  # enough to tell, in bounded time
    found = sum(" ".join(text.split()).casefold() in flat for _, _, text in sample)
    return found >= MATCHING * len(sample)


def make_report(scored: Sequence[SentenceCheck], chapters: Sequence[tuple[str, int]], max_episode: float,
                max_chapter: float) -> CheckReport:
    """The report of scored sentences (each knowing its chapter's index) over ``chapters`` (title, start ms)."""
    totals = [[0, 0] for _ in chapters]
    for s in scored:
        totals[s.chapter][0] += s.words
        totals[s.chapter][1] += s.missed
    return CheckReport(tuple(ChapterCheck(title, start, w, m) for (title, start), (w, m) in zip(chapters, totals)),
                       tuple(scored), max_episode, max_chapter, RECOGNIZER_ID)


def check_audio(items: Sequence[tuple[np.ndarray, str]], listener: Recognizer | None = None,
                language: str = "en") -> list[SentenceCheck]:
    """Score single sentences (16 kHz samples, the meant text, in ``language``), several to a recognizer window."""
    listener = listener or recognizer()
    out: list[SentenceCheck] = []
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    meant, t = [], GAP_SECONDS
    for samples, text in items:
        meant.append(Meant(text, t, t + len(samples) / SAMPLE_RATE))
        t += len(samples) / SAMPLE_RATE + GAP_SECONDS
    for group in windows(meant):
        stops.check()
        first = meant.index(group[0])
        pieces = [gap]
        for k in range(first, first + len(group)):
            pieces += [items[k][0].astype(np.float32), gap]
        offset = group[0].start - GAP_SECONDS
        out += score(group, listener.words(np.concatenate(pieces), language), offset, GAP_SECONDS / 2)
    return out
