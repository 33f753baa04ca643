"""Pronunciation: a script's own ``lexicon`` — a word, or a /regular expression/, and what the voice is given
in its place — compiled and checked when the script is read, applied to what the voice is given only (titles,
transcripts and captions keep the article's words). A small built-in lexicon follows the script's.

A script may come from anywhere, so its patterns are bounded: every group its replacement names must exist (checked
when the script is read), and each is applied with a time limit (the ``regex`` module's), so that a pattern that
backtracks without end, such as ``(a+)+$``, is one line naming it instead of a build that never ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import regex as re

from ..errors import ScriptError

BUILTIN: tuple[tuple[str, str], ...] = (
    (r"\bArticlecast\b", "Article cast"),
)
"""(pattern, replacement) pairs, applied in order after the script's own."""

Rule = tuple[re.Pattern[str], str]
SECONDS = 2.0
"""The longest one lexicon entry may take over one sentence."""
_REFERENCE = re.compile(r"\\(\d+)|\\g<([^>]*)>")


def compile_rule(key: str, say: str) -> Rule:
    """One lexicon entry: ``word: say`` (the whole word, case-sensitive) or ``/regex/: say`` (``say`` may refer to
    the pattern's groups)."""
    if len(key) > 2 and key.startswith("/") and key.endswith("/"):
        try:
            pattern = re.compile(key[1:-1])
        except (re.error, ValueError) as e:
            raise ScriptError(f"{key!r} is not a valid regular expression ({e}); fix or quote it") from None
        for number, name in _REFERENCE.findall(say):
            known = int(number) <= pattern.groups if number else (name in pattern.groupindex or
                                                                  (name.isdigit() and int(name) <= pattern.groups))
            if not known:
                raise ScriptError(f"{key!r}: its replacement {say!r} names group {number or name}, which the pattern "
                                  "does not have; fix the reference")
        return pattern, say
    return re.compile(rf"(?<!\w){re.escape(key)}(?!\w)"), say.replace("\\", "\\\\")


@dataclass(frozen=True)
class Lexicon:
    """Compiled rules: the script's own first, then the built-in ones."""

    rules: tuple[Rule, ...]
    """(compiled pattern, replacement)."""

    def apply(self, text: str) -> str:
        """The text with every rule applied, in order (ScriptError when one takes longer than SECONDS)."""
        for pattern, replacement in self.rules:
            try:
                text = pattern.sub(replacement, text, timeout=SECONDS)
            except TimeoutError:
                raise ScriptError(f"lexicon: the pattern /{pattern.pattern}/ took over {SECONDS:g} s on one sentence "
                                  "(it backtracks without end); write it more simply") from None
        return text


def compile_lexicon(entries: Mapping[str, str] | None = None, builtin: bool = True) -> Lexicon:
    """A lexicon from a script's entries, with the built-in rules after them."""
    rules = [compile_rule(key, say) for key, say in (entries or {}).items()]
    if builtin:
        rules += [(re.compile(p), r) for p, r in BUILTIN]
    return Lexicon(tuple(rules))
