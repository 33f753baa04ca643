"""Pronunciation: what the voice is given in place of what the article says.

A script's own ``lexicon`` (word, or /regular expression/, -> what to say) is applied first, then a small
built-in one, then speech normalization (:mod:`articlecast.normalize`: numbers, dates, abbreviations, units,
URLs), which a script can turn off with ``normalize: false``.
Only the text sent to the voice changes: titles, transcripts and captions keep the article's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ScriptError
from .normalize import normalize

BUILTIN: tuple[tuple[str, str], ...] = (
    (r"\bArticlecast\b", "Article cast"),
)
"""(pattern, replacement) pairs, applied in order."""


@dataclass(frozen=True)
class Lexicon:
    """Compiled rules: the script's own first, then the built-in ones."""

    rules: tuple[tuple[re.Pattern[str], str], ...]
    """(compiled pattern, replacement)."""
    normalized: bool = True
    """Whether speech normalization follows the rules."""

    def apply(self, text: str) -> str:
        """The text as the voice should be given it."""
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return normalize(text) if self.normalized else text


def compile_lexicon(entries: Mapping[str, str] | None = None, builtin: bool = True,
                    normalized: bool = True) -> Lexicon:
    """A lexicon from a script's entries: ``word: say`` (whole words, case-sensitive) or ``/regex/: say``."""
    rules: list[tuple[re.Pattern[str], str]] = []
    for key, say in (entries or {}).items():
        if len(key) > 2 and key.startswith("/") and key.endswith("/"):
            try:
                rules.append((re.compile(key[1:-1]), say))
            except re.error as e:
                raise ScriptError(f"lexicon: {key!r} is not a valid regular expression ({e}); fix or quote it") from None
        else:
            rules.append((re.compile(rf"(?<!\w){re.escape(key)}(?!\w)"), say.replace("\\", "\\\\")))
    if builtin:
        rules += [(re.compile(p), r) for p, r in BUILTIN]
    return Lexicon(tuple(rules), normalized)
