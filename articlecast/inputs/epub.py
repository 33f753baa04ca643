"""EPUB books and documents: a zip of XHTML, read with the standard library's zipfile and lxml (ebooklib is AGPL).

The package document (found through ``META-INF/container.xml``) gives the title, author, language and date, and
the spine the reading order; the navigation document (EPUB 3) or the NCX (EPUB 2) gives each content document's
title, which becomes its chapter (nested as the navigation nests it). Each content document's text is read block
by block — headings, paragraphs, list items, definition lists, tables row by row — leaving out what a listener
does not need: navigation, figures and their captions, footnotes and endnotes (``epub:type``), code (a book's
asides — notes, tips — are its text, and read). A protected (DRM) or damaged file is one line saying so.
Nothing in the book runs: no entity, no network, no script.
"""

from __future__ import annotations

import html.entities
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag

import lxml.etree

from .. import stops
from ..errors import ArticleError, InputError
from ..models import Reading, untold
from ..options import too_long
from .article import Article
from .language import checked_language
from .structure import Block, clean, sectionize, speakable_item, table_sentences

MAX_MEMBER_BYTES = 20 * 1000**2
"""The largest content document read (a book's chapter is far smaller; a zip bomb is not read)."""
OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
SKIPPED_TAGS = frozenset({"nav", "figure", "figcaption", "script", "style", "pre", "code", "math", "svg",
                          "img", "audio", "video", "head", "title"})
"""Elements whose text is not read."""
SKIPPED_TYPES = frozenset({"footnote", "endnote", "endnotes", "footnotes", "noteref", "rearnote", "rearnotes",
                           "pagebreak", "toc", "landmarks", "page-list", "index", "bibliography", "biblioentry",
                           "copyright-page", "colophon", "cover", "titlepage", "halftitlepage"})
"""``epub:type`` values whose text is not read: notes, page breaks, navigation, back matter and the title page."""
BLOCKS = frozenset({"p", "li", "dt", "dd", "blockquote", "caption", "tr"})
PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True,
                              huge_tree=False)
"""An XML parser that loads nothing from outside the book and forgives what a browser forgives."""


@dataclass(frozen=True)
class _Entry:
    """A navigation entry: its title, the content document it points to, and how deep it is nested."""

    title: str
    """The entry's text."""
    href: str
    """The content document (a path inside the zip, without fragment)."""
    depth: int
    """1 for the top level."""


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


DECLARED_ENTITY = b"<!ENTITY"
"""How a document declares an XML entity: refused (XHTML names its entities by its DTD)."""
MAX_PROLOG = 1 << 20
"""How far into a document its DOCTYPE (where entities are declared) is looked for."""


class _Book:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise InputError(f"{path}: is not a readable EPUB (a damaged zip: {e}); save or export it again") from None
        names = set(self.zip.namelist())
        if "META-INF/encryption.xml" in names or "META-INF/rights.xml" in names:
            raise InputError(f"{path}: is protected (DRM: its content is encrypted); use a copy without DRM, or the "
                             "publisher's open EPUB")
        self.names = names

    def read(self, name: str) -> bytes:
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise InputError(f"{self.path}: is not a complete EPUB ({name} is missing); export it again") from None
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(f"{self.path}: {name} is {info.file_size / 1e6:.0f} MB, over the "
                             f"{MAX_MEMBER_BYTES / 1e6:.0f} MB a document may have")
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, EOFError) as e:  # RuntimeError: a password
            raise InputError(f"{self.path}: {name} cannot be read ({e}); the EPUB is damaged or protected") from None

    def xml(self, name: str) -> Any:
        data = self.read(name)
        if DECLARED_ENTITY in data[:MAX_PROLOG]:
            raise InputError(f"{self.path}: {name} declares its own XML entities (what entity bombs and file reads are "
                             "made of), which a book has no need of; export it again")
        try:
            root = lxml.etree.fromstring(data, PARSER)
        except lxml.etree.XMLSyntaxError as e:
            raise InputError(f"{self.path}: {name} is not readable XML ({e}); the EPUB is damaged") from None
        if root is None:
            raise InputError(f"{self.path}: {name} is empty; the EPUB is damaged")
        return root


def _resolve(base: str, href: str) -> str:
    """A path inside the zip, from ``href`` relative to the document ``base``."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(urldefrag(href)[0])))


def _nav_entries(book: _Book, nav: str) -> list[_Entry]:
    """The EPUB 3 navigation document's table of contents."""
    root = book.xml(nav)
    tocs = [n for n in root.iter(f"{XHTML}nav", "nav") if "toc" in (n.get(EPUB_TYPE) or "").split()]
    out: list[_Entry] = []

    def walk(ol: Any, depth: int) -> None:
        for li in ol:
            if _local(li.tag) != "li":
                continue
            a = next((x for x in li if _local(x.tag) in ("a", "span")), None)
            if a is not None:
                title = _plain(a)
                href = a.get("href")
                if title and href:
                    out.append(_Entry(title, _resolve(nav, href), depth))
            for sub in li:
                if _local(sub.tag) == "ol":
                    walk(sub, depth + 1)

    for toc in tocs[:1]:
        for ol in toc:
            if _local(ol.tag) == "ol":
                walk(ol, 1)
    return out


def _ncx_entries(book: _Book, ncx: str) -> list[_Entry]:
    """The EPUB 2 NCX's navigation map."""
    root = book.xml(ncx)
    out: list[_Entry] = []

    def walk(parent: Any, depth: int) -> None:
        for point in parent:
            if _local(point.tag) != "navpoint":
                continue
            label = next((x for x in point.iter() if _local(x.tag) == "text"), None)
            content = next((x for x in point if _local(x.tag) == "content"), None)
            if label is not None and content is not None and content.get("src"):
                out.append(_Entry(_plain(label), _resolve(ncx, content.get("src")), depth))
            walk(point, depth + 1)

    nav_map = next((x for x in root if _local(x.tag) == "navmap"), None)
    if nav_map is not None:
        walk(nav_map, 1)
    return out


def _skipped(el: Any) -> bool:
    types = set((el.get(EPUB_TYPE) or "").split()) | set((el.get("role") or "").replace("doc-", "").split())
    return _local(el.tag) in SKIPPED_TAGS or bool(types & SKIPPED_TYPES) or el.get("hidden") is not None


def _entity(node: Any) -> str:
    """An entity reference's character when HTML names it (``&nbsp;``, which XHTML's DTD declares and EPUB 2 books
    use), else nothing: no DTD is ever loaded, and an unknown ``&xxe;`` is never spoken."""
    return html.entities.html5.get(f"{node.name};", "")


def _plain(el: Any) -> str:
    """All the text inside an element, a space between the texts of its elements (a title, a navigation entry)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag is lxml.etree.Entity:  # an entity reference (lxml marks it so)
            parts.append(_entity(child))
        elif isinstance(child.tag, str):
            parts.append(f" {_plain(child)} ")
        parts.append(child.tail or "")
    return clean("".join(parts))


def _text(el: Any) -> str:
    """An element's text without the text of what is not read inside it (a footnote reference, say)."""
    parts = [el.text or ""]
    for child in el:
        if child.tag is lxml.etree.Entity:  # an entity reference (lxml marks it so)
            parts.append(_entity(child))
        elif isinstance(child.tag, str) and not _skipped(child):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


def _blocks(el: Any) -> Iterator[Block]:
    """A content document's blocks, in order."""
    for child in el:
        if not isinstance(child.tag, str) or _skipped(child):
            continue
        tag = _local(child.tag)
        if re.fullmatch(r"h[1-6]", tag):
            text = _text(child)
            if text:
                yield Block("heading", text, int(tag[1]))
        elif tag == "table":
            rows = [[_text(c) for c in row if _local(c.tag) in ("td", "th")] for row in child.iter()
                    if _local(row.tag) == "tr"]
            header = rows[0] if rows and any(_local(c.tag) == "th" for c in next(
                r for r in child.iter() if _local(r.tag) == "tr")) else []
            yield from (Block("paragraph", s) for s in table_sentences(header, rows[1:] if header else rows))
        elif tag in BLOCKS and not any(_local(x.tag) in BLOCKS | {"ul", "ol", "dl", "table"} for x in child.iter()
                                       if x is not child and isinstance(x.tag, str)):
            text = _text(child)
            if text:
                yield Block("item", speakable_item(text)) if tag == "li" else Block("paragraph", text)
        else:
            yield from _blocks(child)


def _meta(root: Any, name: str) -> str:
    found = root.find(f".//dc:{name}", OPF_NS)
    return _plain(found) if found is not None else ""


def parse_epub(path: Path, fallback_title: str = "", reading: Reading | None = None, max_words: int = 0) -> Article:
    """An article from an EPUB file: the spine's documents in order, the navigation's titles as chapters (each
    document told to ``reading`` as it is read; a stop is answered between them; the reading ends once the text
    is over ``max_words``, 0: no limit)."""
    book = _Book(path)
    container = book.xml("META-INF/container.xml")
    rootfile = next((x.get("full-path") for x in container.iter() if _local(x.tag) == "rootfile"), None)
    if not rootfile:
        raise InputError(f"{path}: is not a readable EPUB (no package document named in META-INF/container.xml)")
    opf = book.xml(rootfile)
    manifest = {item.get("id"): item for item in opf.iter("{http://www.idpf.org/2007/opf}item")}
    spine = opf.find("opf:spine", OPF_NS)
    if spine is None:
        raise InputError(f"{path}: is not a readable EPUB (its package has no spine)")
    order = [_resolve(rootfile, manifest[ref.get("idref")].get("href", "")) for ref in spine
             if _local(ref.tag) == "itemref" and ref.get("idref") in manifest and ref.get("linear", "yes") != "no"]
    nav = next((i for i in manifest.values() if "nav" in (i.get("properties") or "").split()), None)
    ncx = manifest.get(spine.get("toc") or "")
    entries = (_nav_entries(book, _resolve(rootfile, nav.get("href", ""))) if nav is not None else
               _ncx_entries(book, _resolve(rootfile, ncx.get("href", ""))) if ncx is not None else [])
    title = _meta(opf, "title") or fallback_title
    if entries and entries[0].depth == 1 and _same(entries[0].title, title) and all(e.depth > 1 for e in entries[1:]):
        # the book's own title as the one top entry, everything under it: its children are the chapters
        entries = [_Entry(e.title, e.href, e.depth - 1) for e in entries[1:]]
    titles: dict[str, _Entry] = {}
    for entry in entries:
        titles.setdefault(entry.href, entry)
    blocks: list[Block] = []
    nav_doc = _resolve(rootfile, nav.get("href", "")) if nav is not None else ""
    tick = reading(len(order)) if reading is not None and order else untold
    words = 0
    for doc in order:
        stops.check()  # a safe point: nothing is written while a document is read
        tick(1)
        if doc == nav_doc:  # the table of contents is the chapters, not read
            continue
        if doc not in book.names:
            raise InputError(f"{path}: is not a complete EPUB ({doc}, named in its spine, is missing); export it again")
        body = next((x for x in book.xml(doc).iter() if _local(x.tag) == "body"), None)
        if body is None or _skipped(body) or any(_skipped(s) for s in body if _local(s.tag) == "section"
                                                 and len(body) == 1):
            continue
        own = [b for b in _blocks(body) if not (b.kind == "heading" and _same(b.text, title))]  # the title page's
        words += sum(len(b.text.split()) for b in own)
        if max_words and words > max_words:
            raise too_long(str(path), words, max_words, read_so_far=True)
        entry = titles.get(doc)
        if entry is None:
            blocks += own
            continue
        level = entry.depth + 1
        shift = level - min((b.level for b in own if b.kind == "heading"), default=level) + 1
        blocks.append(Block("heading", entry.title, level))
        for k, b in enumerate(own):
            if b.kind == "heading" and k == 0 and _same(b.text, entry.title):
                continue  # the chapter's own heading again
            blocks.append(Block("heading", b.text, min(6, b.level + shift)) if b.kind == "heading" else b)
    if not any(b.kind != "heading" for b in blocks):
        raise ArticleError("has no text to read (a book of images, or a protected one?)")
    language = checked_language(_meta(opf, "language"), " ".join(b.text for b in blocks[:200]))
    try:
        return sectionize(title, blocks, author=_meta(opf, "creator"), published=_meta(opf, "date")[:10],
                          language=language)
    except ValueError as e:
        raise ArticleError(str(e)) from None


def _key(text: str) -> str:
    return re.sub(r"\W+|\b(chapter|part|section)\b", "", text.casefold())


def _same(a: str, b: str) -> bool:
    """Whether a navigation title and a document's heading name the same chapter ("1. Introduction" and "Chapter
    1. Introduction")."""
    x, y = _key(a), _key(b)
    return bool(x and y) and (x in y or y in x)
