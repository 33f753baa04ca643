"""Captions people can read: each sentence shown in blocks of at most two lines of at most 42 characters, on
screen at most 7 seconds, cut where a phrase ends, timed by the words as the voice measured them, and named by
speaker (the WebVTT ``<v Host>``). Subtitle guidance agrees on these (the BBC's, Netflix's, the W3C's caption
practices): two short lines a person can take in at a glance, at a reading rate of about 20 characters a second.

A block stays on screen into the pause after it (until the next block, or as long as its characters take to read
at that rate) so that the reader is never rushed by a fast voice more than by the speech itself.

Text written without spaces in wide characters (Japanese) is cut into pieces instead of words — after its
punctuation, else where a run of hiragana (particles, endings) meets the next word's kanji or katakana — and laid
out in lines of at most 13 characters, read at 4 characters a second (Netflix's Japanese timed-text guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..audio.mixer import CLAUSE_END
from ..audio.timeline import Cue
from ..util.wide import joined, unspaced
from ..util.words import N_, words
from .episode import Episode

__all__ = ["Caption", "captions", "LINE_CHARS", "LINES", "CAPTION_MS", "READING_CPS", "SPEAKERS"]

LINE_CHARS = 42
"""The most characters on a line (a longer word stays whole)."""
LINES = 2
"""The most lines a caption shows."""
CAPTION_MS = 7000
"""The longest a caption stays on screen, milliseconds."""
READING_CPS = 20
"""The reading rate captions are timed for, characters a second."""
SPEAKERS = {"host": N_("Host"), "narrator": N_("Narrator"), "question": N_("Question"), "answer": N_("Answer")}
"""The speaker a caption names, by the role that says it."""
WIDE_LINE_CHARS = 13
"""The most characters on a line of wide characters (Japanese)."""
WIDE_READING_CPS = 4
"""The reading rate captions of wide characters are timed for, characters a second."""
PHRASE_END = (*CLAUSE_END, ".", "?", "!", "…", "、", "。", "！", "？", "」", "』", "）", "・")
"""How a word that ends a phrase ends: the best place to cut."""
PHRASE_START = frozenset({"and", "but", "or", "nor", "so", "yet", "because", "which", "who", "that", "while",
                          "when", "where", "if", "although", "though", "with", "without", "for", "to", "of", "in",
                          "on", "at", "by", "from", "into", "than", "as"})
"""English words a phrase starts with: the next best place to cut (before them)."""


@dataclass(frozen=True)
class Caption:
    """One caption block."""

    sentence: int
    """Which spoken span of the timeline it shows part of (counted from 1)."""
    part: int
    """Which block of that span it is (counted from 1)."""
    lines: tuple[str, ...]
    """Its lines, as shown."""
    start_ms: int
    """When it appears."""
    end_ms: int
    """When it goes."""
    speaker: str
    """Who says it, in the episode's language (empty when unknown)."""

    @property
    def text(self) -> str:
        """Its words on one line."""
        return joined(self.lines)


@dataclass(frozen=True)
class _Layout:
    """How a sentence's pieces join and how long a line of them may be."""

    join: str
    """What goes between two pieces: a space between words, nothing between pieces of Japanese."""
    line: int
    """The most characters on a line."""
    cps: int
    """The reading rate, characters a second."""
    short: int
    """A block of fewer characters than this (but a whole sentence) is an orphan."""


WORDS = _Layout(" ", LINE_CHARS, READING_CPS, 16)
WIDE = _Layout("", WIDE_LINE_CHARS, WIDE_READING_CPS, 4)
_WIDE_CUT = re.compile(r"(?<=[、。！？」』）・])|(?<=[\u3041-\u309f])(?=[\u4e00-\u9fff\u30a0-\u30ff])")
"""Where a run of Japanese may be cut: after its punctuation; where hiragana meets kanji or katakana."""


def pieces(text: str) -> list[str]:
    """A sentence written without spaces in pieces of at most WIDE_LINE_CHARS, cut where :data:`_WIDE_CUT`
    allows (else every WIDE_LINE_CHARS characters); a space the sentence has (before a Latin word) is kept at the
    start of the piece after it."""
    out: list[str] = []
    for k, chunk in enumerate(text.split()):
        for j, part in enumerate(p for p in _WIDE_CUT.split(chunk) if p):
            space = " " if k and not j else ""
            while len(part) > WIDE_LINE_CHARS:
                out.append(space + part[:WIDE_LINE_CHARS])
                part, space = part[WIDE_LINE_CHARS:], ""
            if out and not space and not out[-1].endswith(PHRASE_END) and len(out[-1]) + len(part) <= 6:
                out[-1] += part  # a piece of a character or two goes with the one before
            else:
                out.append(space + part)
    return out


def _fits(words_: list[str], how: _Layout = WORDS) -> bool:
    """Whether the words can be shown in LINES lines of the layout's length."""
    lines = _wrap(words_, how)
    return len(words_) == 1 or len(lines) <= LINES and all(len(x) <= how.line for x in lines)


def _wrap(words_: list[str], how: _Layout = WORDS) -> list[str]:
    """The words in as few lines as hold them, the two lines of a pair as even as a phrase allows."""
    text = how.join.join(words_)
    if len(text) <= how.line or len(words_) < 2:
        return [text]
    best: tuple[float, int] | None = None
    for k in range(1, len(words_)):
        a, b = how.join.join(words_[:k]), how.join.join(words_[k:])
        if len(a) > how.line or len(b) > how.line:
            continue
        score = abs(len(a) - len(b)) - (20 if words_[k - 1].endswith(PHRASE_END) else
                                         8 if _ends_phrase(words_[k - 1], words_[k]) else 0)
        if best is None or score < best[0]:
            best = (score, k)
    if best is None:  # more than two lines' worth: greedy lines (the caller never lets this happen but for a word)
        lines, line = [], ""
        for w in words_:
            if line and len(line) + len(how.join) + len(w) > how.line:
                lines.append(line)
                line = w
            else:
                line = f"{line}{how.join}{w}" if line else w
        return [*lines, line]
    return [how.join.join(words_[:best[1]]), how.join.join(words_[best[1]:])]


def _ends_phrase(word: str, following: str) -> bool:
    return word.endswith(PHRASE_END) or following.casefold().strip("(\"'“‘") in PHRASE_START


def _blocks(texts: list[str], times: tuple[tuple[int, int], ...], start: int,
            end: int, how: _Layout = WORDS) -> list[tuple[int, int, int, int]]:
    """How a span's words are cut into captions: (first word, word after the last, start, end) for each block."""
    timed = len(times) == len(texts)
    gap = len(how.join)

    def at(k: int) -> int:  # where word k starts (estimated by characters where the voice gave no times)
        if timed:
            return start if k == 0 else times[k][0]
        done = sum(len(w) + gap for w in texts[:k])
        return start + (end - start) * done // max(1, sum(len(w) + gap for w in texts))

    def until(k: int) -> int:  # where word k - 1 ends
        return end if k == len(texts) else (times[k - 1][1] if timed else at(k))

    # the fewest, best-cut blocks: a cut after a phrase costs nothing, before a phrase's first word a little, in
    # the middle of one more; a block of a few characters (an orphan) more still
    n = len(texts)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for b in range(1, n + 1):
        for a in range(b - 1, -1, -1):
            if b - a > 1 and (not _fits(texts[a:b], how) or until(b) - at(a) > CAPTION_MS):
                break
            cost = best[a][0] + 2.0
            if b < n:
                cost += 0.0 if texts[b - 1].endswith(PHRASE_END) else 1.5 if _ends_phrase(texts[b - 1], texts[b]) else 4.0
            if len(how.join.join(texts[a:b])) < how.short and (a, b) != (0, n):
                cost += 5.0
            if cost < best[b][0]:
                best[b] = (cost, a)
    out: list[tuple[int, int, int, int]] = []
    b = n
    while b:
        a = best[b][1]
        out.append((a, b, at(a), until(b)))
        b = a
    return out[::-1]


def _speaker(cue: Cue, language: str) -> str:
    role = SPEAKERS.get(cue.role)
    return words(language).gettext(role) if role else ""


def captions(episode: Episode, cues: list[Cue]) -> list[Caption]:
    """The caption blocks of ``cues`` (the episode's, as :func:`~.transcript.timed_cues` times them)."""
    blocks: list[tuple[int, int, list[str], int, int, str, _Layout]] = []
    for n, cue in enumerate(cues, 1):
        how = WIDE if unspaced(cue.text) else WORDS
        texts = pieces(cue.text) if how is WIDE else cue.text.split()
        times = cue.words if texts == cue.text.split() else ()  # pieces are timed by their characters
        speaker = _speaker(cue, episode.meta.language)
        for part, (a, b, start, stop) in enumerate(_blocks(texts, times, cue.start_ms, cue.end_ms, how), 1):
            blocks.append((n, part, texts[a:b], start, max(start + 1, stop), speaker, how))
    out = []
    for i, (n, part, texts, start, stop, speaker, how) in enumerate(blocks):
        following = blocks[i + 1][3] if i + 1 < len(blocks) else max(stop, episode.chapters[-1].end_ms)
        text = how.join.join(texts)
        reading = start + len(text) * 1000 // how.cps  # stays into the pause until it can be read
        stop = max(stop, min(reading, following, start + CAPTION_MS))
        lines = tuple(x.strip() for x in _wrap(texts, how))
        out.append(Caption(n, part, lines, start, max(stop, start + 1), speaker))
    return out
