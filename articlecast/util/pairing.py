"""Words of one telling laid against the words of another: the article's words against the words the voice was
given (a number written "25%" is said "twenty five percent"), and those against the words a voice reports it said
(in its own alphabet). Each word of the first finds its place among the second, in order, so that the times a
voice measured for its words become the times of the article's words.

A monotonic alignment (dynamic programming, as Gale and Church align sentences by length): words are paired one to
one where they can be, one to several or several to one where a word was spelled out or joined, by how much each
says (letters or sounds) and where each stops (a comma with a comma); words written the same are paired first.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

__all__ = ["pair", "place", "word_spans"]

_STOPS = re.compile(r"[.,;:!?…—]+[\"'”’)\]]*$")
_MOVES = ((1, 1, 0.0), (1, 2, 0.6), (2, 1, 0.6), (1, 3, 1.0), (3, 1, 1.0), (1, 4, 1.4), (2, 2, 0.8),
          (1, 0, 2.5), (0, 1, 2.5))
"""(words on the left, words on the right, what taking them together costs beyond their lengths)."""


def _weight(word: str) -> int:
    """How much a word says: its letters (or a voice's sound symbols), a digit as much as four letters (a
    number is said in words), at least one."""
    return max(1, sum(4 if ch.isdigit() else 1 for ch in word if ch.isalnum()))


def _stop(word: str) -> str:
    m = _STOPS.search(word)
    return m.group(0)[0] if m else ""


def _plain(word: str) -> str:
    return "".join(ch for ch in word.casefold() if ch.isalnum())


def pair(left: Sequence[str], right: Sequence[str], same_alphabet: bool = True) -> list[tuple[float, float]]:
    """For each word of ``left``, where it lies among the words of ``right``: (start, end) in units of right
    words (2.0 is where the third right word starts; 2.5 halfway through it). A left word with no counterpart
    gets an empty span where it would be. ``same_alphabet``: words written the same are the same word."""
    n, m = len(left), len(right)
    if n == 0:
        return []
    if m == 0:
        return [(0.0, 0.0)] * n
    if n == 1:  # one word (or a sentence of a language written without spaces) is all the voice said
        return [(0.0, float(m))]
    pl = [_plain(w) for w in left] if same_alphabet else []
    pr = [_plain(w) for w in right] if same_alphabet else []
    if same_alphabet and pl == pr:  # the usual case: the voice was given the article's words
        return [(float(k), float(k + 1)) for k in range(n)]
    wl, wr = [_weight(w) for w in left], [_weight(w) for w in right]
    cl, cr = list(itertools.accumulate(wl, initial=0)), list(itertools.accumulate(wr, initial=0))
    ratio = cl[-1] / cr[-1]
    sl, sr = [_stop(w) for w in left], [_stop(w) for w in right]
    band = max(12, (max(n, m) + 3) // 4)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n
        for j in range(max(0, int(centre) - band), min(m, int(centre) + band) + 1):
            here = cost[i][j]
            if here == inf:
                continue
            for di, dj, extra in _MOVES:
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                c = here + extra
                if di and dj:
                    c += abs(math.log((cl[a] - cl[i] + 1) / ((cr[b] - cr[j]) * ratio + 1)))
                    if sl[a - 1] != sr[b - 1]:
                        c += 0.7
                    if di == dj == 1 and same_alphabet and pl[i] and pl[i] == pr[j]:
                        c -= 1.0
                if c < cost[a][b]:
                    cost[a][b] = c
                    back[a][b] = (di, dj)
    out: list[tuple[float, float]] = [(0.0, 0.0)] * n
    i, j = n, m
    while i or j:
        step = back[i][j]
        if step is None:  # outside the band (cannot happen with the moves above): spread evenly
            return [(k * m / n, (k + 1) * m / n) for k in range(n)]
        di, dj = step
        i0, j0 = i - di, j - dj
        if di:
            total = cl[i] - cl[i0]
            at = float(j0)
            for k in range(i0, i):
                size = dj * wl[k] / total
                out[k] = (at, at + size)
                at += size
        i, j = i0, j0
    return out


def place(at: float, spans: Sequence[tuple[int, int]], end: bool = False) -> int:
    """A position among words (as :func:`pair` gives them) as a time, from the words' (start, end) times: a
    whole number is the start of that word (``end``: the end of the word before it)."""
    if not spans:
        return 0
    k = math.floor(at)
    frac = at - k
    if end and frac == 0 and k > 0:
        return spans[min(k, len(spans)) - 1][1]
    if k >= len(spans):
        return spans[-1][1]
    s, e = spans[k]
    return round(s + frac * (e - s))


def word_spans(left: Sequence[str], right: Sequence[str], spans: Sequence[tuple[int, int]],
               same_alphabet: bool = True) -> tuple[tuple[int, int], ...]:
    """The (start, end) times of each ``left`` word, from the times of the ``right`` words (``spans``, one per
    right word, in order)."""
    if not spans or len(spans) != len(right):
        return ()
    return tuple((place(a, spans), max(place(a, spans), place(b, spans, end=True)))
                 for a, b in pair(left, right, same_alphabet))
