"""Alignment: what a recognizer heard against what was meant, sentence by sentence.

The words of a window's sentences, in order, are aligned with the words heard in it (semi-global: words heard
before the first and after the last cost nothing), after :func:`~..voice.spelling.compare_words` on both sides,
so "2-3", "two to three" and "2 to 3" are the same words; each meant word is then missed or heard, and a
sentence's missed words (substitutions plus deletions) are its own words' — no timestamps are needed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..voice.spelling import compare_words
from .report import SentenceCheck

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


def align_words(meant: Sequence[str], heard: Sequence[str]) -> list[int | None]:
    """Align all of ``meant`` with a stretch of ``heard`` (the words of heard outside it cost nothing): for each
    meant word, the index of the heard word it was heard as, or None when it was missed (a different word, or
    none). A word heard as two ("preconditioning", "pre conditioning") or two as one is heard."""
    m, n = len(meant), len(heard)
    if m == 0:
        return []
    cost = [[0] * (n + 1)]
    for i in range(1, m + 1):
        prev, row, word = cost[-1], [i] + [0] * n, meant[i - 1]
        for j in range(1, n + 1):
            row[j] = min(prev[j - 1] + (word != heard[j - 1]), prev[j] + 1, row[j - 1] + 1)
            if j > 1 and word == heard[j - 2] + heard[j - 1]:
                row[j] = min(row[j], prev[j - 2])
            if i > 1 and meant[i - 2] + word == heard[j - 1]:
                row[j] = min(row[j], cost[-2][j - 1])
        cost.append(row)
    j = min(range(n + 1), key=lambda k: cost[m][k])
    out: list[int | None] = [None] * m
    i = m
    while i > 0:  # trace back: substitutions and deletions are missed; extra words heard are not
        here = cost[i][j]
        if j > 1 and meant[i - 1] == heard[j - 2] + heard[j - 1] and here == cost[i - 1][j - 2]:
            out[i - 1], i, j = j - 2, i - 1, j - 2
        elif i > 1 and j > 0 and meant[i - 2] + meant[i - 1] == heard[j - 1] and here == cost[i - 2][j - 1]:
            out[i - 2] = out[i - 1] = j - 1
            i, j = i - 2, j - 1
        elif j > 0 and here == cost[i - 1][j - 1] + (meant[i - 1] != heard[j - 1]):
            out[i - 1] = j - 1 if meant[i - 1] == heard[j - 1] else None
            i, j = i - 1, j - 1
        elif here == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return out


def score(meant: Sequence[Meant], heard: str, language: str = "en") -> list[SentenceCheck]:
    """Score consecutive sentences (in ``language``) against the text heard in the audio that holds them (and
    nothing of others)."""
    words = [compare_words(s.text, language) for s in meant]
    said = compare_words(heard, language)
    where = align_words([w for ws in words for w in ws], said)
    out, at, shown_to = [], 0, 0
    for s, ws in zip(meant, words):
        mine = where[at:at + len(ws)]
        at += len(ws)
        found = [k for k in mine if k is not None]
        later = [k for k in where[at:] if k is not None]
        end = max(found) + 1 if found else (later[0] if later else len(said))
        if s is meant[-1]:
            end = len(said)  # the last sentence shows the rest of what was heard
        shown = " ".join(said[shown_to:end])  # what was heard between the last sentence's words and its own end
        shown_to = max(shown_to, end)
        out.append(SentenceCheck(s.text, shown, round(s.start * 1000), len(ws), sum(k is None for k in mine),
                                 s.chapter))
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
