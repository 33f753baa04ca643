"""Text written without spaces between words (Japanese, Chinese): how to tell, and how to join pieces of text so
that such words are not parted by a space where a line or a caption block was cut."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..models import UNSPACED

__all__ = ["joined", "unspaced"]

_UNSPACED = re.compile(f"[{UNSPACED}]")
_NO_SPACE = re.compile(f"[{UNSPACED}\u3000-\u303f\uff00-\uffef]")
"""What no space goes beside in such text: its letters, its punctuation (、。「」) and full-width forms."""


def unspaced(text: str) -> bool:
    """Whether ``text`` is written mostly in a script without spaces between words (a Japanese sentence)."""
    letters = [ch for ch in text if not ch.isspace()]
    return bool(letters) and len(_UNSPACED.findall(text)) * 2 > len(letters)


def joined(parts: Iterable[str]) -> str:
    """The parts on one line: a space between two, unless both sides of it are written without spaces."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        glue = "" if not out or (_NO_SPACE.match(out[-1]) and _NO_SPACE.match(part[0])) else " "
        out = f"{out}{glue}{part}"
    return out
