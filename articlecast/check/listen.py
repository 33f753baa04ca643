"""Listening back: an episode (its MP3 and the captions beside it, as any outside client reads them) or single
sentences heard by the recognizers and scored against what was meant.

Two hearings. The first hears every sentence, cheaply: windows of whole sentences (at most WINDOW_SECONDS),
each starting where the previous sentence ended and ending where the next begins, so no window cuts a word,
two windows at once (tiny.en for English, else base; greedy). A sentence that hearing missed words of (a tenth
of its words, or any in a chapter it puts over its limit) is not yet "missed": it is heard again on its own,
with the silence around it as padding, by base with beam search; the better hearing counts, and every hearing
is kept in the report, so a reader sees why.

The episode is decoded as a stream, so memory does not grow with its length (only the clips of the sentences to
hear again are kept, up to AGAIN_BUDGET). A chapter's and the episode's missed-word rate are their sentences'
sums over the words meant. A stop is answered between windows.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from .. import stops
from ..audio.tags import read_mp3
from ..audio.timeline import Chapter
from ..errors import AudioError, InputError
from ..models import Tick, two_letter_language
from ..options import CHAPTER_MAX, EPISODE_MAX
from ..util.ffmpeg import decode_stream
from .alignment import WINDOW_SECONDS, Meant, score, windows
from .captions import read_captions
from .recognizer import AGAIN_BEAM, FIRST_BEAM, SAMPLE_RATE, Recognizer, first_listener, listened_by, second_listeners
from .report import ChapterCheck, CheckReport, Hearing, SentenceCheck

PAD_SECONDS = 0.5
"""At most this much silence before and after a sentence (or window) heard: never a neighbour's words."""
GAP_SECONDS = 0.6
"""Silence between single sentences heard together."""
AGAIN_BUDGET = 60 * 60 * SAMPLE_RATE
"""The most samples of sentences kept to hear again (an hour: 115 MB as 16-bit); beyond it, the first hearing
counts."""
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
        return self.buffer[max(0, a - self.start): max(0, b - self.start)].copy()


def edges(meant: Sequence[Meant], first: int, last: int, total: float) -> tuple[float, float]:
    """Where to cut the audio of sentences ``first`` to ``last``: in the silence around them, never past the
    neighbours' own words."""
    before = meant[first - 1].end if first > 0 else 0.0
    after = meant[last + 1].start if last + 1 < len(meant) else total
    return max(before, meant[first].start - PAD_SECONDS), min(after, meant[last].end + PAD_SECONDS)


def _as_hearing(check: SentenceCheck, how: str) -> Hearing:
    return Hearing(check.words, check.missed, check.heard, how)


def _batches(items: Sequence[np.ndarray], window: float = WINDOW_SECONDS) -> Iterator[list[int]]:
    """Indices of clips heard together: whole clips, with gaps, up to ``window`` seconds (a longer clip alone; a
    window of 0: every clip alone)."""
    group: list[int] = []
    length = 0.0
    for k, clip in enumerate(items):
        seconds = len(clip) / SAMPLE_RATE + GAP_SECONDS
        if group and length + seconds > window:
            yield group
            group, length = [], 0.0
        group.append(k)
        length += seconds
    if group:
        yield group


def _hear_together(listener: Recognizer, clips: Sequence[np.ndarray], meant: Sequence[str], language: str,
                   beam: int, window: float = WINDOW_SECONDS) -> list[SentenceCheck]:
    """Single sentences heard a few at a time (up to ``window`` seconds; 0: each alone), with silence between them,
    each scored on its own words."""
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    groups = list(_batches(clips, window))
    audio = []
    for group in groups:
        pieces = [gap]
        for k in group:
            pieces += [clips[k].astype(np.float32), gap]
        audio.append(np.concatenate(pieces))
    out: dict[int, SentenceCheck] = {}
    for start in range(0, len(groups), 4):  # a few windows at a time (two at once), a stop answered between
        stops.check()
        heard = listener.texts(audio[start:start + 4], language, beam)
        for group, text in zip(groups[start:start + 4], heard):
            for k, check in zip(group, score([Meant(meant[k], 0.0, 0.0) for k in group], text, language)):
                out[k] = check
    return [out[k] for k in range(len(clips))]


AGAIN_SHARE = 0.1
"""A sentence missing at least this share of its words in the first hearing is heard again; so is every sentence
missing any word in a chapter (or an episode) that the first hearing puts over its threshold. One word missed in
a long sentence of a chapter well within its limit changes no verdict, and is not worth a second hearing."""


def worth_hearing_again(checks: Sequence[SentenceCheck], max_episode: float = 1.0,
                        max_chapter: float = 1.0) -> set[int]:
    """The sentences (indices) whose first hearing is to be checked by a second one."""
    words: dict[int, list[int]] = {}
    for c in checks:
        words.setdefault(c.chapter, [0, 0])
        words[c.chapter][0] += c.words
        words[c.chapter][1] += c.missed
    over = {ch for ch, (w, m) in words.items() if w and m / w > max_chapter}
    total = sum(w for w, _ in words.values())
    everything = total > 0 and sum(m for _, m in words.values()) / total > max_episode
    return {k for k, c in enumerate(checks)
            if c.missed and (c.rate >= AGAIN_SHARE or c.chapter in over or everything)}


def hear_again(checks: list[SentenceCheck], clips: dict[int, np.ndarray], language: str) -> list[SentenceCheck]:
    """The sentences of ``checks`` that have a clip in ``clips`` (those the first hearing missed words of) heard
    again with beam search by every second listener: a few together (each clip with silence around it), and those
    still missing AGAIN_SHARE of their words then each alone (a clip with a window to itself is heard once) —
    Whisper may drop a whole sentence of a few heard together (a quiet question before a louder answer: heard
    alone, every word). Each keeps its best hearing, and all."""
    order = sorted(clips)
    if not order:
        return checks
    out = list(checks)
    texts = [checks[k].text for k in order]
    hearings: dict[int, list[Hearing]] = {k: list(checks[k].hearings) for k in order}
    best = {k: checks[k] for k in order}
    shared = {i for group in _batches([clips[k] for k in order]) if len(group) > 1 for i in group}

    def keep(i: int, check: SentenceCheck, how: str) -> None:
        k = order[i]
        hearings[k].append(_as_hearing(check, how))
        if check.missed < best[k].missed:
            best[k] = check

    for listener in second_listeners(language):
        how = listener.how(AGAIN_BEAM)
        again = _hear_together(listener, [clips[k] for k in order], texts, language, AGAIN_BEAM)
        for i, check in enumerate(again):
            keep(i, check, f"{how}, {'a few together' if i in shared else 'alone'}")
        doubt = [i for i in sorted(shared) if again[i].missed >= AGAIN_SHARE * again[i].words]  # a clip alone: heard so
        for i, check in zip(doubt, _hear_together(listener, [clips[order[i]] for i in doubt], [texts[i] for i in doubt],
                                                  language, AGAIN_BEAM, window=0.0)):
            keep(i, check, f"{how}, alone")
    for k in order:
        out[k] = dataclasses.replace(checks[k], heard=best[k].heard, missed=best[k].missed,
                                     hearings=tuple(hearings[k]))
    return out


def check_episode(mp3: Path, max_episode: float = EPISODE_MAX, max_chapter: float = CHAPTER_MAX,
                  progress: Listening | None = None) -> CheckReport:
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
    chapters = info.chapters or (Chapter(info.tags.get("title") or mp3.stem, 0, round(info.seconds * 1000)),)
    if cues[-1][0] > info.seconds + 1 or not same_words(cues, info.transcript):
        raise InputError(f"{captions}: these captions belong to another episode (they do not match {mp3.name}'s "
                         "own transcript and length); keep each episode's .vtt beside its MP3, or build it again")
    language = two_letter_language(info.tags.get("language", "")) or "en"

    def chapter_of(t: float) -> int:
        ms = t * 1000
        return max([k for k, c in enumerate(chapters) if c.start_ms <= ms], default=0)

    def language_of(m: Meant) -> str:  # a digest's article in another language is heard in its own
        return chapters[m.chapter].language or language

    meant = [Meant(text, s, e, chapter_of((s + e) / 2)) for s, e, text in cues]
    index = {id(m): k for k, m in enumerate(meant)}
    tick = progress(len(meant)) if progress else None
    blocks = decode_stream(mp3, SAMPLE_RATE)
    scored: list[SentenceCheck] = []
    clips: dict[int, np.ndarray] = {}
    kept = 0
    runs = [(lang, list(windows(list(run)))) for lang, run in itertools.groupby(meant, key=language_of)]
    try:
        tape = _Tape(blocks)
        for lang, groups in runs:
            listener = first_listener(lang)
            how = listener.how(FIRST_BEAM) + ", in windows"
            for start in range(0, len(groups), 2):  # two windows at a time, one per core
                stops.check()
                pair = groups[start:start + 2]
                spans = [edges(meant, index[id(g[0])], index[id(g[-1])], info.seconds) for g in pair]
                audio = [tape.between(t0, t1) for t0, t1 in spans]
                for group, (t0, _), samples, text in zip(pair, spans, audio, listener.texts(audio, lang)):
                    checks = score(group, text, lang)
                    for m, check in zip(group, checks):
                        k = index[id(m)]
                        check = dataclasses.replace(check, hearings=(_as_hearing(check, how),))
                        scored.append(check)
                        if check.missed and kept < AGAIN_BUDGET:
                            a, b = edges(meant, k, k, info.seconds)
                            clip = samples[max(0, int((a - t0) * SAMPLE_RATE)):max(0, int((b - t0) * SAMPLE_RATE))]
                            clips[k] = (clip * 32767).astype(np.int16)
                            kept += len(clip)
                    if tick:
                        tick(len(group))
    finally:
        blocks.close()  # type: ignore[attr-defined]
    doubtful = worth_hearing_again(scored, max_episode, max_chapter)
    for lang in dict.fromkeys(lang for lang, _ in runs):
        scored = hear_again(scored, {k: c.astype(np.float32) / 32767 for k, c in clips.items()
                                     if k in doubtful and language_of(meant[k]) == lang}, lang)
    return make_report(scored, [(c.title, c.start_ms) for c in chapters], max_episode, max_chapter, language)


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
                max_chapter: float, language: str = "en") -> CheckReport:
    """The report of scored sentences (each knowing its chapter's index) over ``chapters`` (title, start ms)."""
    totals = [[0, 0] for _ in chapters]
    for s in scored:
        totals[s.chapter][0] += s.words
        totals[s.chapter][1] += s.missed
    return CheckReport(tuple(ChapterCheck(title, start, w, m) for (title, start), (w, m) in zip(chapters, totals)),
                       tuple(scored), max_episode, max_chapter, listened_by(language))


def check_audio(items: Sequence[tuple[np.ndarray, str]], language: str = "en") -> list[SentenceCheck]:
    """Score single sentences (16 kHz samples, the meant text, in ``language``): all heard first together, a few
    to a window; those missed words of heard again (see :func:`hear_again`)."""
    listener = first_listener(language)
    clips = [samples for samples, _ in items]
    first = _hear_together(listener, clips, [text for _, text in items], language, FIRST_BEAM)
    first = [dataclasses.replace(c, hearings=(_as_hearing(c, listener.how(FIRST_BEAM)),)) for c in first]
    return hear_again(first, {k: clips[k] for k in worth_hearing_again(first)}, language)
