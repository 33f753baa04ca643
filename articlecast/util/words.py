"""Our own words in the listener's language: what the product adds to an episode (the intro and outro, the
length, the FAQ's announcement, the chapters it names) is written in English and translated through gettext
catalogs, one per language, in ``articlecast/locale/LANG/LC_MESSAGES/articlecast.po`` (compiled beside it to
``.mo`` by ``python tools/catalogs.py``; a test checks they are current and complete). A language without a
catalog gets the English words."""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

__all__ = ["DOMAIN", "LOCALES", "N_", "translated_languages", "words"]

DOMAIN = "articlecast"
"""The catalogs' gettext domain."""
LOCALES = Path(__file__).resolve().parent.parent / "locale"
"""Where the catalogs are: LANG/LC_MESSAGES/articlecast.po (the source) and .mo (what is read)."""


@functools.cache
def words(language: str) -> gettext.NullTranslations:
    """The catalog for ``language`` (a tag such as "es" or "pt-BR": the most specific catalog there is, else
    the language's own, else English): ``words("es").gettext("Thanks for listening.")``."""
    tag = language.replace("-", "_")
    wanted = [tag, tag.split("_")[0].lower()] if tag else []
    return gettext.translation(DOMAIN, LOCALES, languages=wanted or ["en"], fallback=True)


def N_(message: str) -> str:
    """``message`` as it is: marks a constant's text for the catalogs (it is translated where it is used)."""
    return message


def translated_languages() -> list[str]:
    """The languages with a catalog."""
    return sorted(p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
