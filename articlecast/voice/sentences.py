"""Splitting a paragraph into sentences, so that each is spoken (and cached, and captioned) on its own."""

from __future__ import annotations

import re

ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "dr", "mr", "mrs", "ms", "prof", "st", "mt", "no", "nos", "fig",
    "figs", "vol", "inc", "ltd", "co", "corp", "jr", "sr", "u.s", "u.k", "a.m", "p.m", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "dept", "est", "ca", "op", "ed", "eds", "gen", "gov",
}
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; abbreviations ("e.g.", "Dr.") and initials ("J. Smith") do not end one."""
    out: list[str] = []
    cut = 0
    for m in _END.finditer(text):
        head = text[cut: m.start()]
        word = re.search(r"([\w.]+)$", head)
        last = word.group(1).lower() if word else ""
        if text[m.start()] == "." and (last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        out.append(text[cut: m.end()].strip())
        cut = m.end()
    out.append(text[cut:].strip())
    return [s for s in out if s]


MAX_CHARS = 250
"""The longest piece of text given to a voice at once (about 15 s of speech): longer sentences are split at
clause marks, then between words, so that the voice stays natural and no caption runs on."""
_CLAUSE = re.compile(r"(?<=[,;:—–)])\s+|\s+(?=[—–(])")


def _split_long(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for clause in _CLAUSE.split(sentence):
        for word in clause.split(" ") if len(clause) > limit else [clause]:
            if current and len(current) + 1 + len(word) > limit:
                pieces.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if len(current) >= limit // 2:  # a clause boundary is a good place to stop once a piece is long enough
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def speakable_pieces(text: str, limit: int = MAX_CHARS) -> list[str]:
    """A segment's text as the pieces given to a voice: its sentences, each split into pieces of at most
    ``limit`` characters (at clause marks where it can, else between words)."""
    return [piece for sentence in split_sentences(text) for piece in _split_long(sentence, limit)]
