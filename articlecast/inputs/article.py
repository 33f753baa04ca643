"""An article as every reader gives it: its sections in reading order, and what is known about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FieldError
from ..models import SECTION_KINDS, need_text

__all__ = ["Section", "Article"]


@dataclass(frozen=True)
class Section:
    """One part of an article that becomes one chapter."""

    title: str
    """The heading as written (for an FAQ entry: the question)."""
    kind: str
    """One of SECTION_KINDS."""
    paragraphs: tuple[str, ...]
    """The body as sentences to speak: paragraphs, and list items as their own entries."""
    part: str = ""
    """The top-level heading it is nested under (in a long document: chapter 3's "3.1" is under "3"), or empty."""

    def __post_init__(self) -> None:
        need_text("Section", "title", self.title)
        if self.kind not in SECTION_KINDS:
            raise FieldError("Section", "kind", self.kind, f"one of {', '.join(SECTION_KINDS)}")


@dataclass(frozen=True)
class Article:
    """A parsed article: what the text says, with the web page's leftovers removed."""

    title: str
    """The article's title."""
    sections: tuple[Section, ...]
    """Lead, sections, FAQ entries and closing, in reading order."""
    standfirst: str = ""
    """The summary line under the title, if the article has one."""
    faq_title: str = ""
    """The FAQ's own heading as written (\"FAQs\"), empty when there is no FAQ."""
    source: str = ""
    """Where the text came from (a URL or a publication), if known."""
    author: str = ""
    """The article's author, if known."""
    published: str = ""
    """When the article was published (YYYY-MM-DD), if known."""
    image: str = ""
    """The article's lead image: a path (relative to the article's folder), if one fit for cover art was found."""
    language: str = ""
    """The article's language (BCP 47), if it says; empty: English is assumed."""
    left_out: str = ""
    """What of the document is deliberately not read, for the episode's description ("its list of references");
    empty when nothing is."""

    def __post_init__(self) -> None:
        need_text("Article", "title", self.title)
        if not self.sections:
            raise FieldError("Article", "sections", self.sections, f"not empty (article {self.title!r} has no body)")
