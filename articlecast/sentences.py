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
