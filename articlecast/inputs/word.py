"""Word documents (``.docx``), read as a stream: the body's paragraphs and tables in order, one pass.

Heading styles become chapters, nested by level ("Heading 1" under the document's title, "Heading 2" under it);
the "Title" style, else the core properties' title, else a short first line before the first heading, is the
title; list styles are list items; tables are read row by row. What a listener does not need is left out: the
document's own table of contents (its "TOC" styles), captions, preformatted text; footnotes, comments and text
boxes live outside the body's paragraphs and are never read. The core properties give the author and date.

The package is a zip of XML parts. The styles are read once, as a table of names; the main part is then read as
it is unpacked (lxml's ``iterparse``), each run, paragraph and table row forgotten once its text is taken, so that
memory stays that of one paragraph however long the document. The reading answers a stop between paragraphs and
ends, in one line, once the text passes ``max_words``. A password-protected document (an encrypted package,
which is not a zip), a damaged one, or one that declares its own XML entities is one line saying so.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import lxml.etree

from .. import stops
from ..errors import ArticleError, InputError
from ..models import Reading
from ..options import too_long
from .article import Article
from .language import checked_language
from .structure import Block, clean, sectionize, speakable_item, table_sentences

ENCRYPTED = b"\xd0\xcf\x11\xe0"
"""The start of an OLE compound file: what Word writes for a password-protected .docx (and an old .doc)."""
SKIPPED_STYLES = re.compile(r"^(toc\b|toc heading|table of figures|caption|html preformatted|macro text|"
                            r"plain text|footer|header)", re.I)
"""Paragraph styles whose text is not read."""
HEADING_STYLE = re.compile(r"(?:heading|titre|überschrift)\s*(\d)", re.I)
"""A heading style's name, and its level."""
TITLE_WORDS = 15
"""A first line before any heading, of at most this many words, is the title when nothing else names one."""
MAX_PART_BYTES = 256 * 1000**2
"""The most an XML part that is read (the body, the styles) may unpack to: a zip bomb is refused unread."""
MAX_BETWEEN = 8 * 1000**2
"""The most XML the main part may hold between the ends of two runs, paragraphs or rows (what is held in memory
at once; a long paragraph is a few kB)."""
MAX_XML_PARTS = 10_000
"""XML parts a Word package may have (a long document has a few dozen)."""
MAX_ELEMENTS = 1_000_000
"""Paragraphs, cells and runs a body may have (a 100,000-word document has a few tens of thousands): over it, the
document is refused before it keeps a machine busy for long."""

MAX_SPAN = 64
"""The most columns one cell is taken to span (Word allows 63)."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
"""WordprocessingML's namespace."""
STRICT = "http://purl.oclc.org/ooxml/"
"""Where Strict Open XML's names start (Word's "Strict Open XML Document", seldom used, is not read)."""
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CORE = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/"}
"""The namespaces of the core properties (title, author, date, language)."""


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


BODY, P, R, T, TBL, TR, TC, PPR, PSTYLE = (_w(n) for n in ("body", "p", "r", "t", "tbl", "tr", "tc", "pPr", "pStyle"))
TCPR, GRID_SPAN, V_MERGE, VAL = _w("tcPr"), _w("gridSpan"), _w("vMerge"), _w("val")
RUN_TEXT = {_w("tab"): "\t", _w("ptab"): "\t", _w("cr"): "\n", _w("noBreakHyphen"): "-"}
"""What a run's inner elements (other than its text and breaks) say."""
INSIDE_PARAGRAPH = frozenset(_w(n) for n in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml", "sdt",
                                             "sdtContent", "moveTo", "dir", "bdo"))
"""What may stand between a paragraph and its runs (a run in a text box, or a deleted one, is not read)."""


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _declares_entities(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part of the package declares an entity in its DOCTYPE (its first kilobytes are read)."""
    with package.open(info) as part:
        return b"<!ENTITY" in part.read(1 << 16)


def _relationships(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships (``_rels/.rels`` for the package's own, ``""``): type (its last word) -> the target
    part's name."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in package.NameToInfo:
        return {}
    found: dict[str, str] = {}
    for rel in lxml.etree.fromstring(_small(package, rels), _parser()).iter(RELATIONSHIPS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        kind = rel.get("Type", "")
        found.setdefault(("strict " if kind.startswith(STRICT) else "") + kind.rsplit("/", 1)[-1], target)
    return found


def _small(package: zipfile.ZipFile, name: str) -> bytes:
    info = package.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise _TooBig(f"its part {name}", info.file_size)
    return package.read(info)


class _TooBig(Exception):
    def __init__(self, part: str, size: int, limit: int = MAX_PART_BYTES) -> None:
        self.part, self.size, self.limit = part, size, limit


def _styles(package: zipfile.ZipFile, part: str | None) -> tuple[dict[str, str], str]:
    """The paragraph styles' names by their ids, and the default paragraph style's name."""
    names: dict[str, str] = {}
    default = ""
    if part is None or part not in package.NameToInfo:
        return names, default
    root = lxml.etree.fromstring(_small(package, part), _parser())
    for style in root.iter(_w("style")):
        if style.get(_w("type")) not in (None, "paragraph"):
            continue
        name = style.find(_w("name"))
        text = name.get(VAL, "") if name is not None else ""
        names[style.get(_w("styleId"), "")] = text
        if style.get(_w("default")) in ("1", "true", "on"):
            default = text
    return names, default


@dataclass(frozen=True)
class _Core:
    title: str = ""
    author: str = ""
    created: str = ""
    language: str = ""


def _core(package: zipfile.ZipFile, part: str | None) -> _Core:
    if part is None or part not in package.NameToInfo:
        return _Core()
    root = lxml.etree.fromstring(_small(package, part), _parser())

    def text(path: str) -> str:
        found = root.find(path, CORE)
        return clean(found.text or "") if found is not None else ""

    created = re.match(r"\d{4}-\d\d-\d\d", text("dcterms:created"))
    return _Core(text("dc:title"), text("dc:creator"), created[0] if created else "", text("dc:language"))


@dataclass
class _Body:
    """The body's blocks as the main part is unpacked."""

    styles: dict[str, str]
    default_style: str
    max_words: int
    source: Path
    words: int = 0
    elements: int = 0
    runs: list[str] = field(default_factory=list)
    cell: list[str] = field(default_factory=list)
    row: list[tuple[str, int, bool]] = field(default_factory=list)
    above: dict[int, str] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)

    def read(self, stream: IO[bytes]) -> Iterator[tuple[str, Block]]:
        """(style, block) for the body's paragraphs and tables, in order."""
        counted = _Counted(stream)
        for _, el in lxml.etree.iterparse(counted, events=("end",), tag=(R, P, TC, TR, TBL), resolve_entities=False,
                                          no_network=True, load_dtd=False, huge_tree=False):
            counted.since = 0
            self.elements += 1
            if self.elements % 1000 == 0:
                stops.check()
            if self.elements > MAX_ELEMENTS:
                raise InputError(f"{self.source}: has over {MAX_ELEMENTS:,} paragraphs, cells and runs (a damaged or "
                                 "hostile file?); save the text as .docx or .md")
            tag = el.tag
            if tag == R:
                if self._read_run(el):
                    self.runs.append(_run_text(el))
            elif tag == P:
                yield from self._paragraph(el)
            elif tag == TC:
                if _in_body_table(el.getparent()):
                    self.row.append(_cell(el, "\n".join(self.cell)))
                    self.cell = []
            elif tag == TR:
                if _in_body_table(el):
                    self._end_row()
            elif el.getparent() is not None and el.getparent().tag == BODY:  # a table of the body, ended
                stops.check()
                yield from self._table()
            _forget(el)

    def _read_run(self, run: Any) -> bool:
        """Whether the run is a paragraph's that is read (its text is taken)."""
        up = run.getparent()
        while up is not None and up.tag in INSIDE_PARAGRAPH:
            up = up.getparent()
        return up is not None and up.tag == P and _read_paragraph(up)

    def _paragraph(self, p: Any) -> Iterator[tuple[str, Block]]:
        if not _read_paragraph(p):
            return
        text, self.runs = clean("".join(self.runs)) if self.runs else "", []
        if p.getparent().tag == TC:
            self.cell.append(text)
            return
        if not text:
            return
        stops.check()
        style = self._style(p)
        if SKIPPED_STYLES.match(style):
            return
        heading = HEADING_STYLE.fullmatch(style)
        if heading:
            block = Block("heading", text, min(6, int(heading[1]) + 1))
        elif style.lower() == "title":
            block = Block("heading", text, 1)
        elif "list" in style.lower():
            block = Block("item", speakable_item(text))
        else:
            block = Block("paragraph", text)
        self._count(block.text)
        yield style, block

    def _style(self, p: Any) -> str:
        found = p.find(f"{PPR}/{PSTYLE}")
        style_id = found.get(VAL) if found is not None else None
        return self.styles.get(style_id, self.default_style) if style_id is not None else self.default_style

    def _end_row(self) -> None:
        """A body table's row: a cell spanning columns said once, a cell merged with the one above takes its text."""
        cells: list[str] = []
        column = 0
        for text, span, merged in self.row:
            if merged:
                text = self.above.get(column, "")
            for k in range(span):
                self.above[column + k] = text
            cells.extend([clean(text) if text else ""] * span)
            column += span
        self.row = []
        if cells:
            self.rows.append(cells)

    def _table(self) -> Iterator[tuple[str, Block]]:
        rows = [[c for k, c in enumerate(r) if k == 0 or c != r[k - 1]] for r in self.rows]  # merged cells
        self.rows, self.above = [], {}
        if rows:
            for sentence in table_sentences(rows[0], rows[1:]) if len(rows) > 1 else table_sentences([], rows):
                self._count(sentence)
                yield "table", Block("paragraph", sentence)

    def _count(self, text: str) -> None:
        self.words += len(text.split())
        if self.max_words and self.words > self.max_words:
            raise too_long(str(self.source), self.words, self.max_words, read_so_far=True)


class _Counted:
    """The main part as the parser reads it, refused once MAX_BETWEEN bytes pass without a run, paragraph or row
    ending (what the parser holds until then is bounded by it)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.since = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.since += len(data)
        if self.since > MAX_BETWEEN:
            raise _TooBig("one run or paragraph", self.since, MAX_BETWEEN)
        return data


def _cell(tc: Any, text: str) -> tuple[str, int, bool]:
    """A cell's text, the columns it spans, and whether it continues the cell above (a vertical merge)."""
    props = tc[0] if len(tc) and tc[0].tag == TCPR else None
    if props is None:
        return text, 1, False
    span, merged = props.find(GRID_SPAN), props.find(V_MERGE)
    try:
        columns = max(1, min(MAX_SPAN, int(span.get(VAL, "1")))) if span is not None else 1
    except ValueError:
        columns = 1
    return text, columns, merged is not None and merged.get(VAL, "continue") == "continue"


def _read_paragraph(p: Any) -> bool:
    """Whether a paragraph is the body's own or in a cell of one of its tables (not in a text box, a nested
    table or a content control)."""
    up = p.getparent()
    if up is None:
        return False
    return up.tag == BODY or (up.tag == TC and _in_body_table(up.getparent()))


def _in_body_table(row: Any) -> bool:
    table = row.getparent() if row is not None and row.tag == TR else None
    return table is not None and table.getparent() is not None and table.getparent().tag == BODY


def _run_text(run: Any) -> str:
    said = []
    for child in run:
        if child.tag == T:
            said.append(child.text or "")
        elif child.tag == _w("br"):
            said.append("\n" if child.get(_w("type"), "textWrapping") == "textWrapping" else "")
        else:
            said.append(RUN_TEXT.get(child.tag, ""))
    return "".join(said)


def _forget(el: Any) -> None:
    """Free what is done: the element's content, and its earlier siblings (the properties, which come first in
    their parent, kept)."""
    el.clear(keep_tail=False)
    before = el.getprevious()
    while before is not None and not (isinstance(before.tag, str) and before.tag.endswith("Pr")):
        el.getparent().remove(before)
        before = el.getprevious()


def parse_docx(path: Path, fallback_title: str = "", reading: Reading | None = None, max_words: int = 0) -> Article:
    """An article from a Word document (``reading`` is not told of pages, which a .docx does not keep); the
    reading ends in one line once the text passes ``max_words`` (0: no limit)."""
    with open(path, "rb") as f:
        start = f.read(4)
    if start == ENCRYPTED:
        raise InputError(f"{path}: is password-protected (or an old Word .doc); open it in Word or LibreOffice and "
                         "save it as .docx without a password")
    try:
        with zipfile.ZipFile(path) as package:
            return _parse(path, package, fallback_title, max_words)
    except _TooBig as e:
        raise InputError(f"{path}: {e.part} unpacks to over {e.limit / 1e6:.0f} MB, more than a document may have "
                         "(a damaged or hostile file?); save the text as .docx or .md") from None
    except lxml.etree.XMLSyntaxError as e:
        raise InputError(f"{path}: is not a readable Word document (its XML is damaged: {e.msg}); open it in Word or "
                         "LibreOffice and save it again as .docx") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError, KeyError) as e:
        raise InputError(f"{path}: is not a readable Word document ({str(e) or type(e).__name__}); open it in Word or "
                         "LibreOffice and save it again as .docx") from None


def _parse(path: Path, package: zipfile.ZipFile, fallback_title: str, max_words: int) -> Article:
    parts = [i for i in package.infolist() if i.filename.endswith((".xml", ".rels"))]
    if len(parts) > MAX_XML_PARTS:
        raise InputError(f"{path}: has {len(parts):,} XML parts, over the {MAX_XML_PARTS:,} a document may have (a "
                         "damaged or hostile file?); save the text as .docx or .md")
    if big := next((i for i in parts if i.file_size > MAX_PART_BYTES), None):
        raise _TooBig(f"its part {big.filename}", big.file_size)
    if declares := next((i.filename for i in parts if _declares_entities(package, i)), None):
        raise InputError(f"{path}: {declares} declares its own XML entities (what entity bombs and file reads are made "
                         "of), which Word never writes; open it in Word or LibreOffice and save it again as .docx")
    package_rels = _relationships(package, "")
    if "strict officeDocument" in package_rels:
        raise InputError(f"{path}: is saved as a Strict Open XML document, which is not read; save it in Word or "
                         "LibreOffice as a Word Document (.docx)")
    main = package_rels.get("officeDocument")
    if main is None or main not in package.NameToInfo:
        raise InputError(f"{path}: is not a Word document (it has no main document part); open it in Word or "
                         "LibreOffice and save it again as .docx")
    styles, default_style = _styles(package, _relationships(package, main).get("styles"))
    core = _core(package, package_rels.get("core-properties"))
    body = _Body(styles, default_style, max_words, path)
    with package.open(main) as stream:
        found = list(body.read(stream))
    titles = [b.text for _, b in found if b.kind == "heading" and b.level == 1]
    title = titles[0] if titles else core.title
    blocks = [b for _, b in found if not (b.kind == "heading" and b.level == 1)]
    if not title:  # a short first line before the first heading names the document
        first = next((k for k, b in enumerate(blocks) if b.kind != "heading"), None)
        heading = next((k for k, b in enumerate(blocks) if b.kind == "heading"), len(blocks))
        if (first is not None and first < heading and len(blocks[first].text.split()) <= TITLE_WORDS
                and any(b.kind != "heading" for b in blocks[first + 1:])):
            title = blocks.pop(first).text.rstrip(".:")
    if not any(b.kind != "heading" for b in blocks):
        raise ArticleError("has no text to read (only headings, images or fields?)")
    language = checked_language(core.language, " ".join(b.text for b in blocks[:300]))
    try:
        return sectionize(title or fallback_title, blocks, author=core.author, published=core.created,
                          language=language)
    except ValueError as e:
        raise ArticleError(str(e)) from None
