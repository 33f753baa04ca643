"""An article's structure, whatever it was written in: every reader turns its input into a flat list of
:class:`Block` (heading, paragraph, list item, question); :func:`sectionize` then groups the blocks into lead,
sections, FAQ entries and a closing part, the :class:`~..models.Article`.

Also here, for every reader: web-page leftovers (a repeated title, reaction and share widgets, "Related
posts"), tables of contents, numbered headings, list items and tables as sentences.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..errors import ArticleError
from .article import Article, Section

log = logging.getLogger(__name__)

FAQ_RE = re.compile(
    r"^\s*(faqs?|f\.a\.q\.?s?|frequently asked questions|questions and answers|q\s*&\s*a|common questions|"
    r"your questions answered)\s*:?\s*$",
    re.I,
)
BULLET_RE = re.compile(r"^\s*(?:[•·▪‣◦●○■□➢►✓✔*+\-–—]|\d{1,3}[.)])\s+(\S.*)$")
# Lines that start a widget or a list of links rather than article text.
LEFTOVER_RE = re.compile(
    r"^\s*(what['’]?s your reaction\??|reactions?:?|share( this( article| post| story)?)?( on \w+)?:?|like this:?|"
    r"tweet( this)?|pin it|print( this)?|email( this)?|follow us.*|related (posts?|articles?|stories|reading|"
    r"content)|you (may|might) also like.*|read (more|next|also)|more from .*|recommended( for you)?|"
    r"popular (posts|stories)|trending( now)?|tags?:.*|categories:.*|filed under.*|leave a (comment|reply)|"
    r"\d* ?comments?|subscribe.*|sign up for .*newsletter.*|advertisement|sponsored( content)?|"
    r"click here.*|about the author|share via.*|copy link|previous (post|article).*|next (post|article).*)\s*$",
    re.I,
)
URL_RE = re.compile(r"\bhttps?://([^\s/)\]>]+)[^\s)\]>]*", re.I)
RULE_RE = re.compile(r"^\s*([=\-_*~#])\1{2,}\s*$")
END_PUNCT = ".!,;:…\"”)"
CLOSING_TITLE = "In closing"
CLOSING_RE = re.compile(
    r"^(in (conclusion|summary|short|closing|the end)|to (sum up|summari[sz]e|conclude)|overall|ultimately|all in all|"
    r"that['’]?s all|that is all|thanks? (you )?for reading|finally)\b",
    re.I,
)


@dataclass(frozen=True)
class Block:
    """One block of an article before it is grouped into sections."""

    kind: str
    """"heading", "paragraph", "item" (a list item) or "question" (a bold line that may be an FAQ question)."""
    text: str
    """The words to speak, cleaned of markup."""
    level: int = 2
    """Heading level (1 = title); plain text headings are all level 2."""


def clean(text: str) -> str:
    """Collapse white space; a bare URL is read as its site name, never spelled out."""
    text = URL_RE.sub(lambda m: re.sub(r"^www\.", "", m.group(1)), text)
    return re.sub(r"\s+", " ", text).strip()


def text_key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


SENTENCE_WORDS = 15
"""A "heading" of more words than this that ends in a full stop is a sentence of the text (a page's standfirst
marked up as a heading), read as a paragraph: a chapter is never titled by a sentence."""


def reads_as_sentence(text: str) -> bool:
    """Whether a heading's text is a sentence of the article rather than a title."""
    return len(text.split()) > SENTENCE_WORDS and text.rstrip("\"”’)]").endswith((".", "…"))


def is_heading_line(line: str) -> bool:
    """A short line without end punctuation (a question mark is allowed)."""
    line = line.strip()
    words = line.split()
    return (
        0 < len(words) <= 14
        and len(line) <= 120
        and line[-1] not in END_PUNCT
        and not BULLET_RE.match(line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "'\"‘“¿")
    )


NUMBERED_RE = re.compile(
    r"^\s*(?:(?P<word>chapter|part|section|appendix)\s+(?P<wnum>\d+|[ivxlc]+)\b\.?|(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?)"
    r"(?:[:\s]\s*(?P<title>\S.*))?$", re.I)
"""A numbered heading: "1.2. What is Debian?", "3 Installing", "Chapter 3.", "Part IV: The End"."""


def numbered_heading(line: str) -> tuple[str, int] | None:
    """(heading, level) of a numbered heading line ("1" is level 2, "1.2" level 3; "Chapter 3" level 2)."""
    m = NUMBERED_RE.match(line)
    if not m:
        return None
    title = (m.group("title") or "").strip()
    if title and (len(title.split()) > 12 or title[-1] in ".!,;" or not (title[0].isupper() or title[0].isdigit())):
        return None
    if m.group("num") and not title:
        return None  # a bare number is a page number, not a heading
    level = 2 + (m.group("num").count(".") if m.group("num") else 0)
    return line.strip().rstrip("."), min(level, 6)


CONTENTS_RE = re.compile(r"^\s*(table of )?contents\s*:?\s*$|^\s*in this (article|guide|document)\s*:?\s*$", re.I)
"""A table of contents' own heading."""


def _toc_key(text: str) -> str:
    """A heading or contents entry, compared without its number, dots and page number."""
    text = re.sub(r"^\s*(?:(?:chapter|part|section|appendix)\s+\w+\b\.?|\d{1,3}(?:\.\d{1,3})*\.?)\s*", "", text, flags=re.I)
    text = re.sub(r"[.\s·_]{2,}\d+\s*$|\s+\d+\s*$", "", text)  # "Installing ....... 12"
    return text_key(text)


def contents_entries(pieces: list[tuple[str, str]]) -> set[int]:
    """Which pieces ("line", "item", "hN" or "para", text) are a table of contents: a run of three or more
    short lines or items most of which name headings that come later, and its "Contents" heading (the
    chapters are what a listener navigates by)."""
    drop: set[int] = set()
    i = 0
    while i < len(pieces):
        j = i
        while j < len(pieces) and pieces[j][0] in ("line", "item") and len(pieces[j][1].split()) <= 14:
            j += 1
        if j - i >= 3:
            later = {_toc_key(t) for k, t in pieces[j:] if k == "line" or k.startswith("h")}
            if sum(_toc_key(t) in later for _, t in pieces[i:j]) >= 0.6 * (j - i):
                log.debug("dropping a table of contents of %d entries", j - i)
                drop.update(range(i, j))
                if i and CONTENTS_RE.match(pieces[i - 1][1]):
                    drop.add(i - 1)
                i = j
                continue
        i = max(j, i + 1)
    return drop


def drop_contents(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pieces without a table of contents (see :func:`contents_entries`)."""
    drop = contents_entries(pieces)
    return [p for n, p in enumerate(pieces) if n not in drop]


def speakable_item(text: str) -> str:
    """A list item as a sentence: a "Label: text" item keeps its label, followed by a full stop."""
    m = re.match(r"^([^:.!?]{1,80}):\s+(\S.*)$", text)
    if m and len(m.group(1).split()) <= 8:
        text = f"{m.group(1)}. {m.group(2)}"
    if text and text[-1] not in ".!?…":
        text += "."
    return text


def table_sentences(header: list[str], rows: list[list[str]]) -> list[str]:
    """A table read row by row: one sentence per row, "Header: cell; ..."."""
    sentences = []
    for r in rows:
        pairs = [f"{h}: {c}" if h else c for h, c in zip(header + [""] * len(r), r) if c]
        if pairs:
            sentences.append("; ".join(pairs) + ".")
    return sentences


# ---------------------------------------------------------------- grouping


@dataclass
class _Draft:
    title: str
    kind: str
    level: int
    paragraphs: list[str]
    part: str = ""


def sectionize(title: str, blocks: list[Block], standfirst: str = "", plain: bool = False, **meta: str) -> Article:
    """Group blocks into lead, sections, FAQ entries and closing; build the Article."""
    if not title:
        raise ArticleError("the article has no title: start it with a title line (or a '# Title' in Markdown)")
    drafts: list[_Draft] = []
    faq_title = ""
    faq_level: int | None = None
    skip_level: int | None = None  # inside a "Related posts" section of a Markdown page
    outline: list[tuple[int, str]] = []  # the headings the current one is nested in: (level, title)
    for b in blocks:
        if b.kind == "heading" and b.level > 1 and reads_as_sentence(b.text):
            b = Block("paragraph", b.text)
        if b.kind == "heading":
            if skip_level is not None and b.level > skip_level:
                continue
            skip_level = None
            if LEFTOVER_RE.match(b.text) or CONTENTS_RE.match(b.text):
                skip_level = b.level
                continue
            if FAQ_RE.match(b.text):
                faq_title, faq_level = b.text, b.level
                continue
            if faq_level is not None and (b.level > faq_level or (plain and b.text.endswith("?"))):
                drafts.append(_Draft(b.text, "faq", b.level, []))
                continue
            faq_level = None
            while outline and outline[-1][0] >= b.level:
                outline.pop()
            part = outline[0][1] if outline else ""
            outline.append((b.level, b.text))
            drafts.append(_Draft(b.text, "section", b.level, [], part))
        elif skip_level is not None:
            continue
        elif b.kind == "question" and faq_level is not None:
            drafts.append(_Draft(b.text, "faq", faq_level + 1, []))
        else:
            if not drafts:
                drafts.append(_Draft(title, "lead", 1, []))
            text = re.sub(r"^(?:A|Answer)\s*[:.]\s+", "", b.text) if drafts[-1].kind == "faq" else b.text
            drafts[-1].paragraphs.append(text)
    drafts = _merge_empty(drafts)
    drafts = _split_closing(drafts)
    sections = tuple(Section(d.title, d.kind, tuple(d.paragraphs), d.part) for d in drafts)
    if not sections or not any(s.paragraphs for s in sections):
        raise ArticleError("the article has no paragraphs to read: is it only a title and headings?")
    return Article(title=title, sections=sections, standfirst=standfirst, faq_title=faq_title, **meta)


def _merge_empty(drafts: list[_Draft]) -> list[_Draft]:
    """A section with no body of its own lends its title to the next one ("Results: Primary outcome")."""
    out: list[_Draft] = []
    pending = ""
    for d in drafts:
        if d.kind == "faq":
            d.title = re.sub(r"^(?:Q|Question)\s*[:.]\s+", "", d.title)
        if pending and d.kind == "section":
            d.title = f"{pending}: {d.title}"
        pending = ""
        if not d.paragraphs and d.kind == "section":
            pending = d.title
            continue
        out.append(d)
    return out


def _split_closing(drafts: list[_Draft]) -> list[_Draft]:
    """Paragraphs after the last FAQ answer that answer no question become a closing section.

    The closing starts at a paragraph that opens like one ("In conclusion", "That is all"), or else
    after as many paragraphs as the longest earlier answer had.
    """
    faqs = [d for d in drafts if d.kind == "faq"]
    if not drafts or drafts[-1].kind != "faq" or len(drafts[-1].paragraphs) < 2:
        return drafts
    last = drafts[-1]
    cut = next((i for i, p in enumerate(last.paragraphs) if i and CLOSING_RE.match(p)), None)
    if cut is None and len(faqs) >= 2:
        longest = max(len(d.paragraphs) for d in faqs[:-1])
        cut = longest if longest and len(last.paragraphs) > longest else None
    if cut is None:
        return drafts
    closing = _Draft(CLOSING_TITLE, "closing", 2, last.paragraphs[cut:])
    last.paragraphs = last.paragraphs[:cut]
    return [*drafts, closing]
