"""Text in wide characters (Japanese, Chinese), written without spaces between words: how to tell, and how to join
pieces of text so that such words are not parted by a space where a line or a caption block was cut."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["is_wide", "joined"]


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def is_wide(text: str) -> bool:
    """Whether ``text`` is written mostly in wide characters (a Japanese sentence)."""
    letters = [ch for ch in text if not ch.isspace()]
    return bool(letters) and sum(map(_wide, letters)) * 2 > len(letters)


def joined(parts: Iterable[str]) -> str:
    """The parts on one line: a space between two, unless both sides of it are wide characters."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        out = f"{out}{'' if out and _wide(out[-1]) and _wide(part[0]) else ' ' if out else ''}{part}"
    return out
