"""The default script of an article: one chapter per section, FAQ question and closing; and a digest of
several articles' scripts as one episode."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re

from ..errors import ScriptError
from ..inputs.article import Article
from ..models import DEFAULT_SHOW, PARAGRAPH_PAUSE
from ..util.words import words
from .identity import credit_line, episode_guid
from .model import Meta, Script, ScriptChapter, Segment, Show
from .spoken import brief, sentence
from .voices import default_voices

PAUSE_AFTER_HEADING = 0.6
"""Silence after a spoken heading, seconds."""
PAUSE_AFTER_QUESTION = 0.6
"""Silence after an FAQ question, seconds."""
PAUSE_END_OF_CHAPTER = 0.3
"""Silence after a chapter's last words (the transition follows), seconds."""
NEST_OVER = 40
"""An article with more sections than this gets nested chapters: each section under its top-level heading."""
NEST_GROUP = 20
"""A long document without an outline is nested in parts of this many chapters."""
NOT_A_DESCRIPTION = re.compile(
    r"(?i)(©|\bcopyright\b|all rights reserved|\blicen[cs]ed? under\b|permission is (hereby )?granted|"
    r"\bterms of (use|service)\b|\bISBN\b)")
"""A first paragraph that is a notice, not what the article is about."""


def _describe(article: Article) -> str:
    if article.standfirst:
        described = brief(article.standfirst)
    else:
        described = brief(next((p for s in article.sections for p in s.paragraphs
                                if not NOT_A_DESCRIPTION.search(p)), ""))
    return f"{described} (Not read aloud: {article.left_out}.)" if article.left_out else described


def _faq_preface(faq_title: str, language: str) -> str:
    if not faq_title or re.fullmatch(r"(?i)f\.?a\.?q\.?s?", faq_title.strip()):
        return words(language).gettext("Frequently asked questions.")
    return sentence(faq_title)


def make_script(article: Article, show: str = DEFAULT_SHOW, date: str | None = None, origin: str = "") -> Script:
    """The default script for an article: one chapter per section, FAQ question and closing. ``origin``, the name
    of the file it was read from, identifies the episode with its title (:func:`~.identity.episode_guid`)."""
    chapters = []
    faq_seen = False
    language = article.language or "en"
    for s in article.sections:
        segs: list[Segment] = []
        if s.kind == "section":
            segs.append(Segment(sentence(s.title), "narrator", PAUSE_AFTER_HEADING))
        elif s.kind == "faq":
            if not faq_seen:
                segs.append(Segment(_faq_preface(article.faq_title, language), "host", PAUSE_AFTER_HEADING))
                faq_seen = True
            segs.append(Segment(s.title, "question", PAUSE_AFTER_QUESTION))
        role = "answer" if s.kind == "faq" else "narrator"
        segs += [Segment(p, role, PARAGRAPH_PAUSE) for p in s.paragraphs]
        last = segs[-1]
        segs[-1] = Segment(last.text, last.role, PAUSE_END_OF_CHAPTER)
        chapters.append(ScriptChapter(s.title, tuple(segs), s.kind, s.part))
    if len(chapters) <= NEST_OVER:
        chapters = [dataclasses.replace(c, part="") for c in chapters]
    elif not any(c.part for c in chapters):  # a long document without an outline: parts of NEST_GROUP chapters
        part = words(language).gettext("Chapters {first} to {last}")
        chapters = [dataclasses.replace(c, part=part.format(first=i - i % NEST_GROUP + 1,
                                                            last=min(len(chapters), i - i % NEST_GROUP + NEST_GROUP)))
                    for i, c in enumerate(chapters)]
    meta = Meta(
        title=article.title,
        show=Show(name=show, author=article.author or show, language=language),
        description=_describe(article),
        date=date or _dt.date.today().isoformat(),
        source=article.source,
        image=article.image,
    )
    script = Script(meta, default_voices(meta.language), tuple(chapters))
    # written into the script, so that editing it later still rebuilds the same episode
    return dataclasses.replace(script, meta=dataclasses.replace(meta, guid=episode_guid(script, origin)))


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def make_digest(scripts: list[Script], title: str, show: str = DEFAULT_SHOW, date: str | None = None) -> Script:
    """One episode of several articles: a chapter per article (its lead, titled with the article's title) and
    each article's sections nested under it as sub-chapters; the intro names the articles, the show notes
    credit every source. The episode is in the first article's language; an article in another language keeps
    its own language and voices in its chapters."""
    if not title.strip():
        raise ScriptError("--digest needs a title for the episode, e.g. --digest \"This week in gardening\"")
    first = scripts[0]
    chapters = []
    for s in scripts:
        own = _base(s.meta.language) != _base(first.meta.language)  # each article in its own language and voices
        for c in s.chapters:
            chapters.append(dataclasses.replace(c, part=s.meta.title, language=c.language or (s.meta.language if own else ""),
                                                voices=c.voices or (dict(s.voices) if own else {})))
    lexicon: dict[str, str] = {}
    for s in scripts:
        lexicon.update(s.lexicon)
    meta = Meta(title=title.strip(), show=Show(name=show, language=first.meta.language),
                date=date or _dt.date.today().isoformat(), description=words(first.meta.language).ngettext(
                    "A digest of {n} article, read aloud.", "A digest of {n} articles, read aloud.",
                    len(scripts)).format(n=len(scripts)),
                sources=tuple(credit_line(s.meta) for s in scripts))
    script = Script(meta, dict(first.voices), tuple(chapters), lexicon=lexicon, speed=first.speed,
                    spell_out=first.spell_out)
    return dataclasses.replace(script, meta=dataclasses.replace(meta, guid=episode_guid(script)))


