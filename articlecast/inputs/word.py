"""Word documents (``.docx``), read with python-docx: the body in order, paragraphs and tables as they come.

Heading styles become chapters, nested by level ("Heading 1" under the document's title, "Heading 2" under it);
the "Title" style, else the core properties' title, else a short first line before the first heading, is the
title; list styles are list items; tables are read row by row. What a listener does not need is left out: the
document's own table of contents (its "TOC" styles), captions, preformatted text; footnotes and comments live
outside the body and are never read. The core properties give the author and date. A password-protected
document (an encrypted package, which is not a zip) or a damaged one is one line saying so.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import lxml.etree
from docx.opc.exceptions import OpcError
from docx.table import Table

from ..errors import ArticleError, InputError
from ..models import Article, Reading
from .language import checked_language
from .structure import Block, clean, sectionize, speakable_item, table_sentences

ENCRYPTED = b"\xd0\xcf\x11\xe0"
"""The start of an OLE compound file: what Word writes for a password-protected .docx (and an old .doc)."""
SKIPPED_STYLES = re.compile(r"^(toc\b|toc heading|table of figures|caption|html preformatted|macro text|"
                            r"plain text|footer|header)", re.I)
"""Paragraph styles whose text is not read."""
TITLE_WORDS = 15
"""A first line before any heading, of at most this many words, is the title when nothing else names one."""
MAX_UNPACKED_BYTES = 200 * 1000**2
"""The most a document may unpack to (python-docx holds every part in memory): a zip bomb is refused unread."""


def _style(paragraph: Any) -> str:
    try:
        return paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):  # a style the document names but does not define
        return ""


def _blocks(document: Any) -> Iterator[tuple[str, Block]]:
    """(style, block) for the body's paragraphs and tables, in order."""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [[clean(cell.text) for cell in row.cells] for row in item.rows]
            rows = [[c for k, c in enumerate(r) if k == 0 or c != r[k - 1]] for r in rows]  # merged cells
            if rows:
                for sentence in table_sentences(rows[0], rows[1:]) if len(rows) > 1 else table_sentences([], rows):
                    yield "table", Block("paragraph", sentence)
            continue
        style = _style(item)
        text = clean(item.text)
        if not text or SKIPPED_STYLES.match(style):
            continue
        heading = re.fullmatch(r"(?:heading|titre|überschrift)\s*(\d)", style, re.I)
        if heading:
            yield style, Block("heading", text, min(6, int(heading[1]) + 1))
        elif style.lower() == "title":
            yield style, Block("heading", text, 1)
        elif "list" in style.lower():
            yield style, Block("item", speakable_item(text))
        else:
            yield style, Block("paragraph", text)


MAX_XML_PARTS = 10_000
"""XML parts a Word package may have (a long document has a few dozen)."""


def _declares_entities(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part of the package declares an entity in its DOCTYPE (its first kilobytes are read)."""
    with package.open(info) as part:
        return b"<!ENTITY" in part.read(1 << 16)


def parse_docx(path: Path, fallback_title: str = "", reading: Reading | None = None) -> Article:
    """An article from a Word document (read in one piece, in a second or two: ``reading`` is not told of pages,
    which a .docx does not keep)."""
    with open(path, "rb") as f:
        start = f.read(4)
    if start == ENCRYPTED:
        raise InputError(f"{path}: is password-protected (or an old Word .doc); open it in Word or LibreOffice and "
                         "save it as .docx without a password")
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            parts = [i for i in package.infolist() if i.filename.endswith(".xml")]
            declares = None if unpacked > MAX_UNPACKED_BYTES or len(parts) > MAX_XML_PARTS else next(
                (i.filename for i in parts if _declares_entities(package, i)), None)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError) as e:
        raise InputError(f"{path}: is not a readable Word document ({e}); open it in Word or LibreOffice and save "
                         "it again as .docx") from None
    if len(parts) > MAX_XML_PARTS:
        raise InputError(f"{path}: has {len(parts):,} XML parts, over the {MAX_XML_PARTS:,} a document may have (a "
                         "damaged or hostile file?); save the text as .docx or .md")
    if declares:
        raise InputError(f"{path}: {declares} declares its own XML entities (what entity bombs and file reads are made "
                         "of), which Word never writes; open it in Word or LibreOffice and save it again as .docx")
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(f"{path}: unpacks to {unpacked / 1e6:.0f} MB, over the {MAX_UNPACKED_BYTES / 1e6:.0f} MB a "
                         "document may have (a damaged or hostile file?); save the text as .docx or .md")
    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError, EOFError,
            lxml.etree.XMLSyntaxError) as e:
        raise InputError(f"{path}: is not a readable Word document ({str(e) or type(e).__name__}); open it in Word or "
                         "LibreOffice and save it again as .docx") from None
    props = document.core_properties
    found = list(_blocks(document))
    titles = [b.text for _, b in found if b.kind == "heading" and b.level == 1]
    title = titles[0] if titles else clean(props.title or "")
    blocks = [b for _, b in found if not (b.kind == "heading" and b.level == 1)]
    if not title:  # a short first line before the first heading names the document
        first = next((k for k, b in enumerate(blocks) if b.kind != "heading"), None)
        heading = next((k for k, b in enumerate(blocks) if b.kind == "heading"), len(blocks))
        if first is not None and first < heading and len(blocks[first].text.split()) <= TITLE_WORDS:
            title = blocks.pop(first).text.rstrip(".:")
    if not any(b.kind != "heading" for b in blocks):
        raise ArticleError("has no text to read (only headings, images or fields?)")
    created = props.created.date().isoformat() if props.created else ""
    language = checked_language(props.language or "", " ".join(b.text for b in blocks[:300]))
    try:
        return sectionize(title or fallback_title, blocks, author=clean(props.author or ""), published=created,
                          language=language)
    except ValueError as e:
        raise ArticleError(str(e)) from None
