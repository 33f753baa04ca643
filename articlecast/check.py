"""The listen-back check: what the recognizer heard against what was meant, sentence by sentence.

An episode's own captions (its .vtt) say what each sentence meant and when; the episode is decoded as a
stream, a window of whole sentences (at most WINDOW_SECONDS) at a time, so memory does not grow with its
length. Each sentence's words are aligned with the words heard around it (semi-global: the heard words of
the neighbours at either end cost nothing), after :func:`compare_words` on both sides, so "2-3", "two to
three" and "2 to 3" are the same words. A sentence's missed words are substitutions plus deletions; a
chapter's and the episode's missed-word rate are their sums over the words meant.

The same scoring checks single sentences during ``build --check`` (:func:`check_audio`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError, InputError
from .ffmpeg import ffmpeg_exe
from .normalize import compare_words
from .recognizer import RECOGNIZER_ID, SAMPLE_RATE, Heard, Recognizer, recognizer

log = logging.getLogger(__name__)
EPISODE_MAX = 0.05
"""Default most missed words an episode may have (share of the words meant)."""
CHAPTER_MAX = 0.15
"""Default most missed words any one chapter may have."""
SENTENCE_MAX = 0.2
"""build --check re-speaks a sentence missing more than this share of its words (and at least one word)."""
WINDOW_SECONDS = 28.0
"""Longest stretch of whole sentences given to the recognizer at once (Whisper listens in 30 s windows)."""
MARGIN_SECONDS = 0.8
"""Heard words this far either side of a sentence's caption may belong to it."""
GAP_SECONDS = 0.6
"""Silence between single sentences checked together."""
Progress = Callable[[int], Callable[[int], object]]


class Rated:
    """Something with words meant (``words``) and words missed (``missed``): its missed-word rate."""

    words: int
    missed: int

    @property
    def rate(self) -> float:
        """Missed words over words meant (0 when nothing was meant)."""
        return self.missed / self.words if self.words else 0.0


@dataclass(frozen=True)
class Meant:
    """A sentence as the episode meant it."""

    text: str
    """The article's words (the caption)."""
    start: float
    """Start, seconds."""
    end: float
    """End, seconds."""
    chapter: int = 0
    """Index of its chapter."""


@dataclass(frozen=True)
class SentenceCheck(Rated):
    """What the recognizer heard of one sentence."""

    text: str
    """What was meant (the article's words)."""
    heard: str
    """What was heard where it was meant (the recognizer's words)."""
    start_ms: int
    """Start in the episode, milliseconds."""
    words: int
    """Words meant (after normalization)."""
    missed: int
    """Words meant but not heard: substitutions plus deletions."""
    chapter: int = 0
    """Index of its chapter."""

    def __post_init__(self) -> None:
        if not 0 <= self.missed <= self.words:
            raise ValueError(f"SentenceCheck.missed must be 0..words ({self.words}), got {self.missed}")


@dataclass(frozen=True)
class ChapterCheck(Rated):
    """A chapter's missed-word figure."""

    title: str
    """The chapter's title."""
    start_ms: int
    """Start, milliseconds."""
    words: int
    """Words meant."""
    missed: int
    """Words missed."""


@dataclass(frozen=True)
class CheckReport(Rated):
    """The check of one episode."""

    chapters: tuple[ChapterCheck, ...]
    """Every chapter, in order."""
    sentences: tuple[SentenceCheck, ...]
    """Every sentence, in order."""
    max_episode: float = EPISODE_MAX
    """The episode's threshold."""
    max_chapter: float = CHAPTER_MAX
    """Each chapter's threshold."""
    recognizer: str = RECOGNIZER_ID
    """What listened."""

    def __post_init__(self) -> None:
        for name in ("max_episode", "max_chapter"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"CheckReport.{name} must be a share between 0 and 1, got {value!r}")

    @property
    def words(self) -> int:
        """Words meant in the episode."""
        return sum(c.words for c in self.chapters)

    @property
    def missed(self) -> int:
        """Words missed in the episode."""
        return sum(c.missed for c in self.chapters)

    @property
    def failing(self) -> list[ChapterCheck]:
        """Chapters over their threshold."""
        return [c for c in self.chapters if c.rate > self.max_chapter]

    @property
    def passed(self) -> bool:
        """Whether the episode and every chapter are within their thresholds."""
        return self.rate <= self.max_episode and not self.failing

    def worst(self, n: int = 5) -> list[SentenceCheck]:
        """The sentences that missed most (by count, then rate), in episode order."""
        bad = sorted((s for s in self.sentences if s.missed), key=lambda s: (-s.missed, -s.rate))[:n]
        return sorted(bad, key=lambda s: s.start_ms)


def summary(report: CheckReport) -> str:
    """One line: the episode's figure, its verdict and the chapters over their threshold."""
    verdict = "passed" if report.passed else "FAILED"
    line = (f"listen-back check {verdict}: {report.rate:.1%} of {report.words} words missed "
            f"(max {report.max_episode:.0%}, each chapter max {report.max_chapter:.0%})")
    if report.failing:
        line += "; over: " + ", ".join(f"{c.title!r} {c.rate:.0%}" for c in report.failing)
    return line


def report_data(report: CheckReport) -> dict[str, object]:
    """The report as plain data (the .check.json file)."""
    return {
        "passed": report.passed, "missed_rate": round(report.rate, 4), "words": report.words,
        "missed": report.missed, "max": report.max_episode, "max_chapter": report.max_chapter,
        "recognizer": report.recognizer,
        "chapters": [{**asdict(c), "missed_rate": round(c.rate, 4), "passed": c.rate <= report.max_chapter}
                     for c in report.chapters],
        "sentences": [asdict(s) for s in report.sentences],
    }


def write_report(path: Path, report: CheckReport) -> None:
    """Write the report as JSON (atomically)."""
    from .files import write_atomic

    write_atomic(path, (json.dumps(report_data(report), ensure_ascii=False, indent=1) + "\n").encode())


def align(meant: Sequence[str], heard: Sequence[str]) -> tuple[int, int, int]:
    """Align all of ``meant`` with a stretch of ``heard`` (the words of heard outside it cost nothing): returns
    (missed: substitutions + deletions, first and one past the last heard word used)."""
    m, n = len(meant), len(heard)
    if m == 0:
        return 0, 0, 0
    cost = [[0] * (n + 1)]
    for i in range(1, m + 1):
        prev, row, word = cost[-1], [i] + [0] * n, meant[i - 1]
        for j in range(1, n + 1):
            row[j] = min(prev[j - 1] + (word != heard[j - 1]), prev[j] + 1, row[j - 1] + 1)
            if j > 1 and word == heard[j - 2] + heard[j - 1]:  # "preconditioning" heard as "pre conditioning"
                row[j] = min(row[j], prev[j - 2])
            if i > 1 and meant[i - 2] + word == heard[j - 1]:  # and the other way round
                row[j] = min(row[j], cost[-2][j - 1])
        cost.append(row)
    end = min(range(n + 1), key=lambda j: cost[m][j])
    # trace back, counting substitutions and deletions (insertions are extra words heard: not missed)
    i, j, missed = m, end, 0
    while i > 0:
        here = cost[i][j]
        if j > 1 and meant[i - 1] == heard[j - 2] + heard[j - 1] and here == cost[i - 1][j - 2]:
            i, j = i - 1, j - 2
        elif i > 1 and j > 0 and meant[i - 2] + meant[i - 1] == heard[j - 1] and here == cost[i - 2][j - 1]:
            i, j = i - 2, j - 1
        elif j > 0 and here == cost[i - 1][j - 1] + (meant[i - 1] != heard[j - 1]):
            missed += meant[i - 1] != heard[j - 1]
            i, j = i - 1, j - 1
        elif here == cost[i - 1][j] + 1:
            missed, i = missed + 1, i - 1
        else:  # an extra word heard
            j -= 1
    return missed, j, end


def _score(meant: Sequence[Meant], heard: Sequence[Heard], offset: float, margin: float) -> list[SentenceCheck]:
    """Score sentences (times in the episode) against words heard in audio that starts at ``offset``."""
    out = []
    times = [((h.start + h.end) / 2 + offset, h.word) for h in heard]
    for k, s in enumerate(meant):
        # the window's first and last sentences own whatever was heard before and after them (Whisper stretches
        # the first word of a window back towards its start)
        lo = -float("inf") if k == 0 else s.start - margin
        hi = float("inf") if k == len(meant) - 1 else s.end + margin
        near = "".join(w for t, w in times if lo <= t <= hi)
        words = compare_words(s.text)
        missed, _, _ = align(words, compare_words(near))
        shown = "".join(w for t, w in times if s.start <= t <= s.end).strip()
        out.append(SentenceCheck(s.text, shown, round(s.start * 1000), len(words), missed, s.chapter))
    return out


def windows(meant: Sequence[Meant], seconds: float = WINDOW_SECONDS) -> Iterator[list[Meant]]:
    """Consecutive sentences in groups spanning at most ``seconds`` (a longer sentence alone)."""
    group: list[Meant] = []
    for s in meant:
        if group and s.end - group[0].start > seconds:
            yield group
            group = []
        group.append(s)
    if group:
        yield group


# ---------------------------------------------------------------- an episode


def read_captions(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue in a WebVTT file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no captions beside the episode; check needs the .vtt that speak.py build "
                         "writes next to the MP3 (rebuild it, or keep the two together)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: captions cannot be read ({e}); rebuild the episode") from None
    if not text.startswith("WEBVTT"):
        raise InputError(f"{path}: not WebVTT captions; rebuild the episode with speak.py build")
    stamp = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        for k, line in enumerate(lines):
            m = re.match(rf"\s*{stamp}\s+-->\s+{stamp}", line)
            if m:
                g = [int(x or 0) for x in m.groups()]
                start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
                end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
                words = html.unescape(re.sub(r"<[^>]+>", "", " ".join(lines[k + 1:])))
                if words.strip() and end > start:
                    cues.append((start, end, words.strip()))
                break
    if not cues:
        raise InputError(f"{path}: no captions in it; rebuild the episode with speak.py build")
    return cues


def _decoded(mp3: Path) -> Iterator[np.ndarray]:
    """The episode at SAMPLE_RATE, mono float32, in blocks of a few seconds."""
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        while block := proc.stdout.read(SAMPLE_RATE * 4 * 5):
            yield np.frombuffer(block[: len(block) // 4 * 4], dtype="<f4")
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        if proc.wait() != 0:
            raise AudioError(f"{mp3}: could not decode ({err[:200]}); is it an MP3?")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


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
                  progress: Progress | None = None, listener: Recognizer | None = None) -> CheckReport:
    """Listen to an episode built by this tool (its MP3, with the .vtt beside it) and score every sentence."""
    from .tagger import read_mp3

    try:
        info = read_mp3(mp3)
    except AudioError as e:
        raise InputError(f"{e}; check needs an episode's MP3, as speak.py build writes it") from None
    cues = read_captions(mp3.with_suffix(".vtt"))
    chapters = info.chapters or [(0, round(info.seconds * 1000), info.tags.get("title", mp3.stem))]
    if cues[-1][0] > info.seconds + 1:
        raise InputError(f"{mp3}: its captions run to {cues[-1][0]:.0f} s but the audio ends at {info.seconds:.0f} s; "
                         "the .vtt belongs to another episode: rebuild it")
    listener = listener or recognizer()
    language = info.tags.get("language") or "en"

    def chapter_of(t: float) -> int:
        ms = t * 1000
        return max([k for k, (s, _, _) in enumerate(chapters) if s <= ms], default=0)

    meant = [Meant(text, s, e, chapter_of((s + e) / 2)) for s, e, text in cues]
    tick = progress(len(meant)) if progress else None
    tape = _Tape(_decoded(mp3))
    scored: list[SentenceCheck] = []
    for group in windows(meant):
        t0, t1 = max(0.0, group[0].start - MARGIN_SECONDS), group[-1].end + MARGIN_SECONDS
        heard = listener.words(tape.between(t0, t1), language)
        scored += _score(group, heard, t0, MARGIN_SECONDS)
        if tick:
            tick(len(group))
    return make_report(scored, [(t, s) for s, _, t in chapters], max_episode, max_chapter)


def make_report(scored: list[SentenceCheck], chapters: Sequence[tuple[str, int]], max_episode: float,
                max_chapter: float) -> CheckReport:
    """The report of scored sentences (each knowing its chapter's index) over ``chapters`` (title, start ms)."""
    totals = [[0, 0] for _ in chapters]
    for s in scored:
        totals[s.chapter][0] += s.words
        totals[s.chapter][1] += s.missed
    return CheckReport(tuple(ChapterCheck(title, start, w, m) for (title, start), (w, m) in zip(chapters, totals)),
                       tuple(scored), max_episode, max_chapter)


# ---------------------------------------------------------------- single sentences (build --check)


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
        first = meant.index(group[0])
        pieces = [gap]
        for k in range(first, first + len(group)):
            pieces += [items[k][0].astype(np.float32), gap]
        offset = group[0].start - GAP_SECONDS
        out += _score(group, listener.words(np.concatenate(pieces), language), offset, GAP_SECONDS / 2)
    return out
