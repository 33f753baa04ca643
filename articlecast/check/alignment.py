"""Alignment: what a recognizer heard against what was meant, sentence by sentence.

Each sentence's words are aligned with the words heard around it (semi-global: the heard words of the
neighbours at either end cost nothing), after :func:`~..voice.spelling.compare_words` on both sides, so "2-3",
"two to three" and "2 to 3" are the same words. A sentence's missed words are substitutions plus deletions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..models import SentenceCheck
from ..voice.spelling import compare_words
from .recognizer import HeardWord

WINDOW_SECONDS = 28.0
"""Longest stretch of whole sentences given to the recognizer at once (Whisper listens in 30 s windows)."""


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


def score(meant: Sequence[Meant], heard: Sequence[HeardWord], offset: float, margin: float) -> list[SentenceCheck]:
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
