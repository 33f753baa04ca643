"""Pronunciation: what the voice is given in place of what the article says.

A small built-in lexicon covers what engines commonly get wrong (abbreviations, percent, ranges,
units); a script's own ``lexicon`` (word, or /regular expression/, -> what to say) is applied first.
Only the text sent to the voice changes: titles, transcripts and captions keep the article's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ScriptError

BUILTIN: tuple[tuple[str, str], ...] = (
    (r"\be\.g\.,?", "for example,"),
    (r"\bi\.e\.,?", "that is,"),
    (r"\betc\.", "et cetera."),
    (r"\bvs\.?(?=\s)", "versus"),
    (r"\bapprox\.", "approximately"),
    (r"(\d)\s*%", r"\1 percent"),
    (r"(?<![\d\-–/.])(\d{1,4})\s?[-–]\s?(\d{1,4})(?![\d\-–/])", r"\1 to \2"),  # ranges, not dates
    (r"(\d)\s?mg\b", r"\1 milligrams"),
    (r"(\d)\s?kg\b", r"\1 kilograms"),
    (r"(\d)\s?km\b", r"\1 kilometres"),
    (r"(\d)\s?ml\b", r"\1 millilitres"),
    (r"(\d)\s?°C\b", r"\1 degrees Celsius"),
    (r"(\d)\s?°F\b", r"\1 degrees Fahrenheit"),
    (r"\bArticlecast\b", "Article cast"),
)
"""(pattern, replacement) pairs, applied in order."""


@dataclass(frozen=True)
class Lexicon:
    """Compiled rules: the script's own first, then the built-in ones."""

    rules: tuple[tuple[re.Pattern[str], str], ...]
    """(compiled pattern, replacement)."""

    def apply(self, text: str) -> str:
        """The text as the voice should be given it."""
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return text


def compile_lexicon(entries: Mapping[str, str] | None = None, builtin: bool = True) -> Lexicon:
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
    return Lexicon(tuple(rules))
