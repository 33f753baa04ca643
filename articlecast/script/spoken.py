"""What the host says: the generated intro and outro, and the words they are made of."""

from __future__ import annotations

import re

from ..util.words import words
from .model import Script


def sentence(text: str) -> str:
    """``text`` ending as a sentence does (a full stop added when it has no end mark)."""
    text = text.strip()
    return text if text[-1:] in ".!?…" else text + "."


DESCRIPTION_CHARS = 300
"""The longest description made from an article (the intro reads it out)."""


def brief(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """At most the first two sentences of ``text``, and no more than ``limit`` characters (cut between words)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    out = " ".join(sentences[:2])
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"
    return out


def length_words(seconds: float, language: str = "en") -> str:
    """An episode's length as the intro says it ("about 13 minutes"), in ``language``."""
    t = words(language)
    minutes = round(seconds / 60)
    if seconds < 45:
        return t.gettext("under a minute")
    if minutes <= 1:
        return t.gettext("about a minute")
    return t.ngettext("about {n} minute", "about {n} minutes", minutes).format(n=minutes)


def _join(items: list[str], language: str) -> str:
    t = words(language)
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return t.gettext("{first} and {last}").format(first=items[0], last=items[1])
    return t.gettext("{items}; and {last}").format(items="; ".join(items[:-1]), last=items[-1])


def intro_texts(script: Script, seconds: float) -> tuple[str, str, str]:
    """The generated intro in three parts, in the episode's language: the show and title; the length; the
    chapters to come.

    Only the middle part depends on the episode's length, so the others can be spoken beforehand.
    """
    m = script.meta
    lang = m.language
    t = words(lang)
    opening = [t.gettext("Welcome to {show}. This is: {title}").format(show=m.show.name, title=sentence(m.title))]
    if m.description and m.description.strip() != m.title.strip():
        opening.append(sentence(brief(m.description)))  # the lead's first sentence or two, never a whole page
    parts = list(dict.fromkeys(c.part for c in script.chapters if c.part))
    coming = [c.title for c in script.chapters if c.kind == "section"]
    faqs = sum(c.kind == "faq" for c in script.chapters)
    if faqs:
        coming.append(t.ngettext("{n} frequently asked question", "{n} frequently asked questions", faqs).format(n=faqs))
    if any(c.kind == "closing" for c in script.chapters):
        coming.append(t.gettext("a closing word"))
    if parts:  # a digest names its articles
        coming = ([t.ngettext("{n} article: {titles}", "{n} articles: {titles}", len(parts))
                   .format(n=len(parts), titles=_join(parts, lang))] if len(parts) > 1 else parts)
    length = t.gettext("This episode runs {length}, in {n} chapters.").format(length=length_words(seconds, lang),
                                                                               n=len(script.chapters) + 2)
    return (" ".join(opening), length,
            t.gettext("Coming up: {items}").format(items=sentence(_join(coming, lang))) if coming else "")


def _source_words(source: str) -> str:
    m = re.match(r"^https?://(?:www\.)?([^/\s]+)", source.strip())
    return m.group(1) if m else source.strip()


def outro_text(script: Script) -> str:
    """The generated outro, in the episode's language: what was read, where it came from, and thanks."""
    m = script.meta
    t = words(m.language)
    where = t.gettext(", from {source}").format(source=_source_words(m.source)) if m.source.strip() else ""
    if m.sources:
        places = list(dict.fromkeys(_source_words(s.rsplit(": ", 1)[-1]) for s in m.sources if "://" in s))
        where = t.ngettext(", {n} article", ", {n} articles", len(m.sources)).format(n=len(m.sources))
        if places:
            where += t.gettext(" from {places}").format(places=_join(places, m.language))
    return (t.gettext("That was {title}{where}, read aloud by {show}.").format(title=m.title, where=where,
                                                                                show=m.show.name)
            + " " + t.gettext("The words are the article's own; the voice is synthetic. Thanks for listening."))
