"""Pronunciation: a script's own ``lexicon`` — a word, or a /regular expression/, and what the voice is given
in its place — compiled and checked when the script is read, applied to what the voice is given only (titles,
transcripts and captions keep the article's words). A small built-in lexicon follows the script's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ScriptError

BUILTIN: tuple[tuple[str, str], ...] = (
    (r"\bArticlecast\b", "Article cast"),
)
"""(pattern, replacement) pairs, applied in order after the script's own."""

Rule = tuple[re.Pattern[str], str]


def compile_rule(key: str, say: str) -> Rule:
    """One lexicon entry: ``word: say`` (the whole word, case-sensitive) or ``/regex/: say`` (``say`` may refer to
    the pattern's groups)."""
    if len(key) > 2 and key.startswith("/") and key.endswith("/"):
        try:
            pattern = re.compile(key[1:-1])
        except re.error as e:
            raise ScriptError(f"{key!r} is not a valid regular expression ({e}); fix or quote it") from None
        return pattern, say
    return re.compile(rf"(?<!\w){re.escape(key)}(?!\w)"), say.replace("\\", "\\\\")


@dataclass(frozen=True)
class Lexicon:
    """Compiled rules: the script's own first, then the built-in ones."""

    rules: tuple[Rule, ...]
    """(compiled pattern, replacement)."""

    def apply(self, text: str) -> str:
        """The text with every rule applied, in order."""
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return text


def compile_lexicon(entries: Mapping[str, str] | None = None, builtin: bool = True) -> Lexicon:
    """A lexicon from a script's entries, with the built-in rules after them."""
    rules = [compile_rule(key, say) for key, say in (entries or {}).items()]
    if builtin:
        rules += [(re.compile(p), r) for p, r in BUILTIN]
    return Lexicon(tuple(rules))
