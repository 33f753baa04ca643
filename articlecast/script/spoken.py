"""What the host says: the generated intro and outro, and the words they are made of."""

from __future__ import annotations

import re

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


def length_words(seconds: float) -> str:
    """An episode's length as the intro says it ("about 13 minutes")."""
    minutes = round(seconds / 60)
    if seconds < 45:
        return "under a minute"
    if minutes <= 1:
        return "about a minute"
    return f"about {minutes} minutes"


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def intro_texts(script: Script, seconds: float) -> tuple[str, str, str]:
    """The generated intro in three parts: the show and title; the length; the chapters to come.

    Only the middle part depends on the episode's length, so the others can be spoken beforehand.
    """
    m = script.meta
    opening = [f"Welcome to {m.show.name}. This is: {sentence(m.title)}"]
    if m.description and m.description.strip() != m.title.strip():
        opening.append(sentence(brief(m.description)))  # the lead's first sentence or two, never a whole page
    parts = list(dict.fromkeys(c.part for c in script.chapters if c.part))
    coming = [c.title for c in script.chapters if c.kind == "section"]
    faqs = sum(c.kind == "faq" for c in script.chapters)
    if faqs:
        coming.append(f"{faqs} frequently asked question{'s' if faqs > 1 else ''}")
    if any(c.kind == "closing" for c in script.chapters):
        coming.append("a closing word")
    if parts:  # a digest names its articles
        coming = [f"{len(parts)} articles: {_join(parts)}"] if len(parts) > 1 else parts
    length = f"This episode runs {length_words(seconds)}, in {len(script.chapters) + 2} chapters."
    return " ".join(opening), length, f"Coming up: {sentence(_join(coming))}" if coming else ""


def _source_words(source: str) -> str:
    m = re.match(r"^https?://(?:www\.)?([^/\s]+)", source.strip())
    return m.group(1) if m else source.strip()


def outro_text(script: Script) -> str:
    """The generated outro: what was read, where it came from, and thanks."""
    m = script.meta
    where = f", from {_source_words(m.source)}" if m.source.strip() else ""
    if m.sources:
        places = list(dict.fromkeys(_source_words(s.rsplit(": ", 1)[-1]) for s in m.sources if "://" in s))
        where = f", {len(m.sources)} articles" + (f" from {_join(places)}" if places else "")
    return (f"That was {m.title}{where}, read aloud by {m.show.name}. "
            f"The words are the article's own; the voice is synthetic. Thanks for listening.")
