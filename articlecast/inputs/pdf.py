"""PDF documents (with a text layer), read with pdfminer.six: the characters, their fonts and where they sit.

A PDF has no paragraphs, columns or headings, only characters placed on pages; this reader rebuilds what a
listener needs from where they sit and how they look:

- **lines and columns**: characters on one baseline make a row; a page whose rows leave a gutter free near the
  middle has two columns, read left then right, with full-width rows (a title, an abstract, a wide figure)
  between them in place;
- **page furniture left out**: rows in the top and bottom margins that repeat on several pages (running
  headers and footers, with their numbers), page numbers, dot-leader contents lines, raised footnote markers,
  footnotes at a page's foot, figure and table captions, code and number-only (table) lines, and the
  references or bibliography (said in the episode's description);
- **headings**: from the document's outline (bookmarks) when it has one, matched to the lines of the page it
  points to; else from size and weight against the body text's font, nested by their numbers ("2.1 Methods"
  under "2 Results") or by size;
- **paragraphs**: lines joined until a gap, an indent or a short line ends one; a word broken by a line-end
  hyphen is joined; a paragraph that runs on into the next column or page is joined;
- the **title** (the metadata's, else the largest text of the first page), author and date; the first page's
  front matter (authors, affiliations, addresses) is not read.

A PDF without a text layer (a scan) is one line saying so and what to do; a password-protected or damaged one
too. Pages are read one at a time; only their lines are kept.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoOutlines, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import LITERALS_FLATE_DECODE, PDFObjRef, PDFStream, resolve1
from pdfminer.psparser import PSException, PSLiteral
from pdfminer.utils import decode_text

from .. import stops
from ..errors import ArticleError, InputError
from ..models import Reading, Tick, untold
from ..options import too_long
from .article import Article
from .language import checked_language
from .structure import BULLET_RE, Block, clean, numbered_heading, sectionize, speakable_item, text_key

MARGIN = 0.11
"""The top and bottom bands of a page, as a share of its height, where running headers and footers sit."""
REPEATS = 3
"""A margin row seen on this many pages (2 in a document of at most 4) is a running header or footer."""
GUTTER_SEARCH = (0.3, 0.7)
"""Where, across the page, a gutter between two columns is looked for."""
WORD_GAP = 1.0
"""A gap wider than this many font sizes between characters of a row is no word space (a gutter may be)."""
HEADING_SIZE = 1.15
"""Text this much larger than the body's is a heading (when short)."""
HEADING_WORDS = 14
"""The most words a heading has."""
FIGURE_AREA = 0.6
"""Drawings covering more of the page than this are a background or a frame, not a figure."""
MAX_STREAM_BYTES = 100 * 1000**2
"""The most one of a page's streams may unpack to (a page's text and drawings are far less; a bomb is not)."""
READING_SLACK = 1.25
"""Pages are read until their words are this much over the word limit: a page's furniture (running heads, page
numbers), a contents page and references are counted while reading, and taken out only at the end."""
MIN_CHARS_PER_PAGE = 20
"""Fewer characters than this per page, on average, is no text layer (a scan)."""
PAGE_NUMBER_RE = re.compile(r"^\W*(?:page\s*)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I)
LEADER_RE = re.compile(r"(?:\.\s?){4,}\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*$", re.I)
"""A contents line: dot leaders and a page number."""
CAPTION_RE = re.compile(r"^(?:fig(?:ure)?|table|listing|algorithm|chart|exhibit|plate)\.?\s*[A-Z]?\d+(?:\.\d+)*"
                        r"\s*(?:[.:—–-]|$)", re.I)
REFERENCES_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s*)?(?:references|bibliography|works cited|literature cited|"
                           r"literature|citations|sources|references and notes|notes and references)\s*$", re.I)
FRONT_END_RE = re.compile(r"^(?:abstract|summary|introduction|executive summary|overview|preface|foreword|"
                          r"contents|table of contents|keywords?)(?:$|\s*[.:\u2013\u2014-])", re.I)
"""Lines that end the first page's front matter (the title's authors and addresses): "Abstract", "Abstract. We ...",
"Abstract\u2014We ..." (an abstract run into its text without a stop is a long line, which ends it too; a subtitle
such as "Abstract Syntax Notation One" does not)."""
AFFILIATION_RE = re.compile(r"\b(?:universit\w*|inc|ltd|llc|gmbh|corp\w*|institut\w*|college|laborator\w*|"
                            r"software|cent(?:er|re)|department|dept|school|project|faculty|research|group|"
                            r"company|foundation)\b", re.I)
NAME_RE = re.compile(r"^(?:[A-Z][\w'’.-]*\.?|and|&|van|von|de|la|der)(?:[ ,]+(?:[A-Z][\w'’.-]*\.?|and|&|van|von|"
                     r"de|la|der))*$")
EMAIL_AFTER_RE = re.compile(r"\s*[(<][^()<>\s]+@[^()<>\s]+[)>]$")
"""An e-mail address in brackets after an author's name."""
UNNUMBERED_RE = re.compile(r"^(?:abstract|summary|executive summary|keywords?|acknowledge?ments?|references|"
                           r"bibliography|appendix\b.*|notes)\s*:?$", re.I)
"""Headings that stand unnumbered among numbered ones, and are no part above the sections."""
BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|,b$|-b$|\.b$", re.I)
MONO_RE = re.compile(r"courier|mono|consol|typewriter|cmtt|sfTT|menlo|inconsolata|lucidaconsole", re.I)
MARKERS = set("0123456789*†‡§¶,®™ﬀﬁﬂﬃﬄ")
"""What a raised footnote marker is made of (and symbols: a raised ligature is a symbol the font mislabels)."""
TERMINAL = ".!?:"
DEFINITION_LABEL_RE = re.compile(r"\[[A-Z][a-z]+(?: [A-Za-z][a-z]+){0,2}\]")
"""What kind of thing a reference manual's entry defines, set apart at the right of its first line ("void
sha256_init (struct sha256_ctx *ctx)    [Function]", as Texinfo prints it): said first ("Function: void ...")."""
SECTION_NUMBER_RE = re.compile(r"^(?:\d+ )+")
"""A heading's number, as text_key gives it ("2 1 asn 1 syntax"): an outline may name the section without it
("ASN.1 syntax", as Texinfo's do)."""
TITLE_PAGE_LINES = 6
"""A first page of at most this many lines is a title page (title, subtitle, author, edition)."""
CID_RE = re.compile(r"\(cid:(\d+)\)(?=([a-z])?)")
"""A glyph the font does not map to a character (a ligature when a word goes on after it)."""
TEX_LIGATURES = {"27": "ff", "28": "fi", "29": "fl", "30": "ffi", "31": "ffl"}
"""The unmapped glyphs TeX's fonts (OT1) use for ligatures, by code."""
SPACING_ACCENTS = {"\u00a8": "\u0308", "\u00b4": "\u0301", "`": "\u0300", "\u02c6": "\u0302", "^": "\u0302",
                   "\u02dc": "\u0303", "~": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306",
                   "\u02d9": "\u0307", "\u02da": "\u030a", "\u02dd": "\u030b", "\u00af": "\u0304", "\u02db": "\u0328"}
"""Accents a PDF may draw as glyphs of their own over or under a letter (TeX's fonts do: "M¨oller"), and the
combining mark each becomes on that letter ("Möller" once composed)."""


@dataclass(frozen=True)
class Tuning:
    """The reader's measures, each where it decides something. Sizes are in font sizes (the line's, or the body
    text's), distances in points; shares are of a page's width or height, or of a count."""

    figure_reach: float = 6.0
    """Strokes this close (points) belong to one drawing."""
    figure_strokes: int = 3
    """A drawing has at least this many strokes (fewer: a rule or a box around text)."""
    figure_side: float = 20.0
    """A drawing is wider and taller than this (points)."""
    form_page: float = 0.2
    """When fewer of a page's characters than this share stand outside its forms, the page is one form: its text
    is read from inside it."""
    min_char_size: float = 1.0
    """Characters smaller than this (points) are invisible, not text."""
    same_row: float = 0.45
    """Characters whose middles are within this many font sizes share a row (a raised marker stays on it)."""
    edge_gap: float = 1.2
    """A running header or footer is set apart from the text by more than this many of its font sizes."""
    piece_gap: float = 2.0
    """A row is cut where its characters are more than this many font sizes apart."""
    column_width: float = 0.2
    """A column's stretch of text is wider than this share of the page."""
    column_rows: int = 5
    """A page has two columns when at least this many rows stand on each side of the gutter..."""
    gutter_crossing: float = 0.35
    """... and at most this share of its rows cross it (titles, figures spanning both)."""
    main_size: float = 0.9
    """A line's characters of at least this share of its main size set its baseline."""
    marker_size: float = 0.95
    """A footnote marker is smaller than this share of its line's size..."""
    marker_raise: float = 0.25
    """... and raised above its baseline by more than this many font sizes."""
    word_space: float = 0.2
    """A gap of more than this many font sizes between two characters is a space."""
    accent_overlap: float = 0.5
    """An accent drawn apart shares at least this share of its width with the letter it belongs to."""
    short_document: int = 4
    """A document of at most this many pages..."""
    short_repeats: int = 2
    """... has its running headers and footers on this many pages (REPEATS in longer ones)."""
    body_size: float = 10.0
    """The body text's size when no line has one."""
    title_zone: float = 0.6
    """The title stands in this top share of the first page..."""
    title_words: int = 25
    """... in lines of at most this many words..."""
    title_size: float = 1.2
    """... at least this many times the body text's size."""
    size_tolerance: float = 0.5
    """Lines whose sizes differ by less than this (points) are of one size (a title's lines, a heading's)."""
    front_words: int = 10
    """The front matter under a title (authors, addresses) has lines of at most this many words..."""
    front_zone: float = 0.5
    """... in the top half of the first page (but on a title page)."""
    authors: int = 6
    """At most this many authors are named."""
    outline_found: int = 2
    """An outline is used when at least this many of its entries are found as headings on their pages."""
    heading_chars: int = 120
    """A heading is at most this many characters long."""
    foot_zone: float = 0.8
    """A heading at the foot of a column (below this share of the page) may have its text on the next."""
    follow_gap: float = 3.0
    """A heading has text within this many body sizes below it..."""
    follow_size: float = 0.85
    """... of at least this share of the body text's size (a label in a figure has not)."""
    alone_gap: float = 0.3
    """A bold line is a heading of its own when more than this many body sizes stand below it..."""
    alone_short: float = 0.2
    """... or it stops short of its column's right edge by more than this share of the column."""
    bold_size: float = 0.95
    """A bold heading is at least this share of the body text's size."""
    numbered_headings: int = 3
    """A document with at least this many numbered headings has its unnumbered ones look like them."""
    size_levels: int = 2
    """Headings by size alone nest at most this many levels below the sections."""
    heading_leading: float = 0.5
    """A heading's second line is less than this many font sizes below its first."""
    footnote_size: float = 0.9
    """A footnote is at most this share of the body text's size..."""
    footnote_zone: float = 0.6
    """... and starts below this share of the page's height."""
    same_size: float = 0.1
    """Lines whose sizes differ by more than this share are in different paragraphs."""
    paragraph_gap: float = 0.6
    """A gap of more than this many font sizes between lines starts a paragraph."""
    indent: float = 0.8
    """A line indented by more than this many font sizes after a line flush left..."""
    flush: float = 0.5
    """... (flush: within this many font sizes of the column's edge) starts a paragraph."""
    short_line: float = 0.15
    """A line ending short of its column's right edge by more than this share of the column ends a paragraph."""
    debris_words: int = 3
    """A block of at least this many words..."""
    debris_share: float = 0.5
    """... of which this share or more are numbers or one- and two-letter scraps is a figure's debris."""
    min_chars: int = 3
    """A block shorter than this many characters is not read."""


T = Tuning()
"""The tuning the reader uses."""


def _half_points(size: float) -> float:
    """A font size rounded to the half point (sizes are compared in these steps)."""
    return round(size * 2) / 2


@dataclass
class _Line:
    """One line of text on a page, in one column."""

    page: int
    """The page's index (0 for the first)."""
    column: int
    """0: the page's full width or its left column; 1: its right column."""
    top: float
    """Distance from the page's top to the line's top, in points."""
    bottom: float
    """Distance from the page's top to the line's bottom."""
    x0: float
    """The line's left edge."""
    x1: float
    """The line's right edge."""
    size: float
    """Its main font size."""
    bold: bool
    """Whether most of it is bold."""
    mono: bool
    """Whether most of it is in a fixed-width font (code)."""
    text: str
    """Its words."""
    height: float = 0.0
    """The page's height."""
    left: float = 0.0
    """The left edge of its column (set once the page is read)."""
    right: float = 0.0
    """The right edge of its column."""
    kind: str = ""
    """"heading" once found to be one, "title", or "drop"."""
    level: int = 2
    """A heading's level."""


@dataclass
class _Document:
    """What a PDF gives: its lines in reading order, metadata and outline."""

    lines: list[_Line] = field(default_factory=list)
    """Every page's lines, in reading order."""
    pages: int = 0
    """How many pages."""
    images: int = 0
    """How many pages have images (a scan has one on each)."""
    chars: int = 0
    """How many characters the text layer has."""
    info: dict[str, str] = field(default_factory=dict)
    """The metadata: Title, Author, CreationDate..."""
    outline: list[tuple[int, str, int | None]] = field(default_factory=list)
    """The bookmarks: (level, title, page index or None)."""


def parse_pdf(path: Path, fallback_title: str = "", reading: Reading | None = None, max_words: int = 0) -> Article:
    """An article from a PDF document, its pages told to ``reading`` as they are read (a stop is answered between
    pages: pdfminer takes 0.02-0.2 s a page, a long manual a minute); the reading ends once the pages' words are
    over ``max_words`` by READING_SLACK (0: no limit)."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise InputError(f"{path}: is not a PDF (no %PDF header); save or export it again as PDF")
    doc = _read(path, reading, max_words)
    if doc.chars < MIN_CHARS_PER_PAGE * doc.pages:
        if doc.images:
            raise InputError(
                f"{path}: is a scanned PDF ({doc.pages} page{'s' * (doc.pages != 1)} of images, no text layer); "
                "make its text searchable with OCR first (for example: ocrmypdf in.pdf out.pdf) and build that")
        raise ArticleError("has no text to read (its pages have no text layer)")
    return _article(doc, fallback_title)


# ---------------------------------------------------------------- reading the pages


def _page_count(pdf: PDFDocument) -> int:
    """How many pages the document says it has (its page tree's /Count; 0 when that is missing or wrong)."""
    pages = resolve1(pdf.catalog.get("Pages"))
    count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    return count if isinstance(count, int) and count > 0 else 0


def _read(path: Path, reading: Reading | None = None, max_words: int = 0) -> _Document:
    doc = _Document()
    words = 0
    try:
        with open(path, "rb") as f:
            pdf = PDFDocument(PDFParser(f), password="")
            doc.info = _info(pdf)
            manager = PDFResourceManager()
            device = PDFPageAggregator(manager, laparams=None)
            interpreter = PDFPageInterpreter(manager, device)
            page_ids: dict[int, int] = {}
            count = _page_count(pdf)
            tick: Tick = reading(count) if reading is not None and count else untold
            for n, page in enumerate(PDFPage.create_pages(pdf)):
                stops.check()  # a safe point: nothing is written while a document is read
                page_ids[page.pageid] = n
                _bounded(path, page)
                interpreter.process_page(page)
                layout = device.get_result()
                chars, has_images = _chars(layout)
                doc.pages += 1
                doc.images += has_images
                doc.chars += len(chars)
                lines = _page_lines(n, chars, layout.width, layout.height)
                doc.lines += lines
                words += sum(len(line.text.split()) for line in lines)
                if max_words and words > max_words * READING_SLACK:
                    raise too_long(str(path), words, max_words, read_so_far=True)
                tick(1)
            doc.outline = _outline(pdf, page_ids)
    except PDFPasswordIncorrect:
        raise InputError(f"{path}: is password-protected; open it with its password and save a copy without "
                         "one (or print it to PDF)") from None
    except PDFEncryptionError as e:
        raise InputError(f"{path}: is encrypted in a way that cannot be read ({e}); save a copy without "
                         "protection") from None
    except (PSException, ValueError, KeyError, TypeError, IndexError, AssertionError, EOFError, OSError) as e:
        raise InputError(f"{path}: is a damaged PDF ({str(e) or type(e).__name__}); open it in a PDF reader "
                         "and save or print it to PDF again") from None
    return doc


def _streams(page: PDFPage) -> Iterator[PDFStream]:
    """A page's content streams and the drawings (forms) and images it names."""
    for stream in page.contents:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            yield stream
    resources = resolve1(page.resources) or {}
    for item in (resolve1(resources.get("XObject")) or {}).values() if isinstance(resources, dict) else ():
        item = resolve1(item)
        if isinstance(item, PDFStream):
            yield item


def _bounded(path: Path, page: PDFPage) -> None:
    """Refuses a page whose compressed streams would unpack to more than MAX_STREAM_BYTES (pdfminer unpacks a
    stream whole, in memory: a small hostile file could ask for gigabytes)."""
    for stream in _streams(page):
        if stream.rawdata is None or not any(f in LITERALS_FLATE_DECODE for f, _ in stream.get_filters()):
            continue
        unpacker = zlib.decompressobj()
        try:
            unpacker.decompress(stream.rawdata, MAX_STREAM_BYTES)
        except zlib.error:
            continue  # pdfminer reads what it can of a damaged stream
        if unpacker.unconsumed_tail:
            raise InputError(f"{path}: a page's content unpacks to more than {MAX_STREAM_BYTES // 1000**2} MB (a "
                             "damaged or hostile file?); print it to PDF again, or save its text as .txt")


def _text(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, bytes):
        return clean(decode_text(value))
    if isinstance(value, PSLiteral):
        return str(value.name)
    return clean(value) if isinstance(value, str) else ""


def _info(pdf: PDFDocument) -> dict[str, str]:
    info: dict[str, str] = {}
    for d in pdf.info:
        for k, v in resolve1(d).items():
            info[str(k)] = _text(v)
    return info


def _outline(pdf: PDFDocument, page_ids: dict[int, int]) -> list[tuple[int, str, int | None]]:
    entries: list[tuple[int, str, int | None]] = []
    try:
        for level, title, dest, action, _ in pdf.get_outlines():
            page = None
            try:
                target = dest
                if target is None and isinstance(resolve1(action), dict):
                    target = resolve1(action).get("D")
                target = resolve1(target)
                if isinstance(target, (bytes, str)):
                    target = resolve1(pdf.get_dest(target))
                if isinstance(target, dict):
                    target = resolve1(target.get("D"))
                if isinstance(target, list) and target and isinstance(target[0], PDFObjRef):
                    page = page_ids.get(target[0].objid)
            except (PSException, KeyError, TypeError, ValueError):
                page = None
            text = _text(title)
            if text:
                entries.append((int(level), text, page))
    except PDFNoOutlines:
        return []
    return entries


def _all_chars(item: Any) -> Iterator[Any]:
    for child in item:
        if isinstance(child, LTChar):
            yield child
        elif isinstance(child, LTFigure):
            yield from _all_chars(child)


def _drawings(item: Any) -> Iterator[tuple[float, float, float, float]]:
    for child in item:
        if isinstance(child, LTCurve):  # lines and rectangles too
            yield child.bbox
        elif isinstance(child, LTFigure):
            yield from _drawings(child)


def _figures(layout: Any) -> list[tuple[float, float, float, float]]:
    """Where the page has drawings (diagrams, boxed tables, plots): clusters of three or more strokes, smaller
    than most of the page. Their labels are not text to read."""
    area = layout.width * layout.height
    boxes = [list(b) for b in _drawings(layout) if (b[2] - b[0]) * (b[3] - b[1]) < FIGURE_AREA * area]
    clusters: list[tuple[list[float], int]] = []
    for b in sorted(boxes, key=lambda b: -b[3]):
        for k, (c, n) in enumerate(clusters):
            reach = T.figure_reach
            if b[0] <= c[2] + reach and b[2] >= c[0] - reach and b[1] <= c[3] + reach and b[3] >= c[1] - reach:
                clusters[k] = ([min(c[0], b[0]), min(c[1], b[1]), max(c[2], b[2]), max(c[3], b[3])], n + 1)
                break
        else:
            clusters.append((b, 1))
    return [(c[0], c[1], c[2], c[3]) for c, n in clusters
            if n >= T.figure_strokes and (c[2] - c[0]) * (c[3] - c[1]) < FIGURE_AREA * area
            and c[2] - c[0] > T.figure_side and c[3] - c[1] > T.figure_side]


def _chars(layout: Any) -> tuple[list[Any], bool]:
    """The page's upright characters that are not labels in a drawing (those inside figures too when the whole
    page is one), and whether it has images."""
    top = [c for c in layout if isinstance(c, LTChar)]
    every = list(_all_chars(layout))
    chars = every if len(top) < T.form_page * len(every) else top  # a page drawn as one form: its text is the page's
    images = any(isinstance(c, LTImage) or (isinstance(c, LTFigure) and any(isinstance(g, LTImage) for g in c))
                 for c in layout)
    figures = _figures(layout)

    def drawn(c: Any) -> bool:
        x, y = (c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2
        return any(f[0] <= x <= f[2] and f[1] <= y <= f[3] for f in figures)

    return [c for c in chars if c.upright and c.get_text().strip() and c.size > T.min_char_size and not drawn(c)], images


def _rows(chars: list[Any]) -> list[list[Any]]:
    """Characters grouped by baseline (a raised footnote marker stays on its line), top to bottom."""
    rows: list[list[Any]] = []
    centre = 0.0
    size = 0.0
    for c in sorted(chars, key=lambda c: -(c.y0 + c.y1) / 2):
        middle = (c.y0 + c.y1) / 2
        if rows and abs(middle - centre) < T.same_row * max(size, c.size):
            rows[-1].append(c)
            if c.size >= size:
                centre, size = middle, c.size
        else:
            rows.append([c])
            centre, size = middle, c.size
    return [sorted(r, key=lambda c: c.x0) for r in rows]


def _segments(row: list[Any]) -> list[tuple[float, float]]:
    """The stretches a row covers, its characters joined across word spaces."""
    spans: list[tuple[float, float]] = []
    for c in row:
        if spans and c.x0 - spans[-1][1] < WORD_GAP * c.size:
            spans[-1] = (spans[-1][0], max(spans[-1][1], c.x1))
        else:
            spans.append((c.x0, c.x1))
    return spans


def _edge_rows(rows: list[list[Any]], height: float) -> set[int]:
    """The rows that are a page's running header or footer by place: at most two at the top and two at the foot,
    in the margin bands, set apart from the text by more than a line's space."""
    def gap(a: list[Any], b: list[Any]) -> float:  # a above b
        return min(c.y0 for c in a) - max(c.y1 for c in b)

    edges: set[int] = set()
    for n in (0, 1):
        if n + 1 < len(rows) and min(c.y0 for c in rows[n]) > (1 - MARGIN) * height \
                and gap(rows[n], rows[n + 1]) > T.edge_gap * max(c.size for c in rows[n]) and (n == 0 or 0 in edges):
            edges.add(n)
    for n in (len(rows) - 1, len(rows) - 2):
        if n > 0 and max(c.y1 for c in rows[n]) < MARGIN * height \
                and gap(rows[n - 1], rows[n]) > T.edge_gap * max(c.size for c in rows[n]) \
                and (n == len(rows) - 1 or len(rows) - 1 in edges):
            edges.add(n)
    return edges


def _pieces(row: list[Any]) -> list[list[Any]]:
    """A row cut where its characters are more than two font sizes apart."""
    pieces: list[list[Any]] = []
    for c in row:
        if pieces and c.x0 - pieces[-1][-1].x1 < T.piece_gap * c.size:
            pieces[-1].append(c)
        else:
            pieces.append([c])
    return pieces


def _gutter(rows: list[list[Any]], width: float) -> float | None:
    """The x of the gutter between two columns, if the page has two."""
    segments = [_segments(r) for r in rows]
    best: tuple[int, float] | None = None
    lo, hi = int(width * GUTTER_SEARCH[0]), int(width * GUTTER_SEARCH[1])
    # how many rows cross x changes only where a segment starts or ends: the leftmost x of least crossing is the
    # search's start or one of those places, so only they are tried (bounded by the text, not by the page's width,
    # which a hostile PDF sets to 10^11 points)
    ends = [min(max(v, lo - 1.0), float(hi)) for s in segments for a, b in s for v in (a, b)  # clamped: no inf
            if math.isfinite(v)]  # nor a NaN, from a hostile PDF's numbers
    events = {lo} | {e for v in ends for e in (math.floor(v) + 1, math.ceil(v)) if lo <= e < hi}
    for x in sorted(events) if lo < hi else ():
        crossing = sum(any(a < x < b for a, b in s) for s in segments)
        if best is None or crossing < best[0]:
            best = (crossing, float(x))
    if best is None:
        return None
    crossing, x = best
    left = sum(any(b <= x and b - a > T.column_width * width for a, b in s) for s in segments)
    right = sum(any(a >= x and b - a > T.column_width * width for a, b in s) for s in segments)
    if left >= T.column_rows and right >= T.column_rows and crossing <= T.gutter_crossing * len(rows):
        return x
    return None


def _line(page: int, column: int, chars: list[Any], height: float) -> _Line | None:
    sizes = Counter(round(c.size, 1) for c in chars for _ in c.get_text())
    size = sizes.most_common(1)[0][0]
    main = [c.y0 for c in chars if c.size >= T.main_size * size]
    base = sorted(main)[len(main) // 2]
    kept = [c for c in chars if not (c.size < T.marker_size * size and c.y0 > base + T.marker_raise * size
                                     and (c.get_text() in MARKERS or c.get_text().startswith("(cid:")))]
    if not kept:
        return None
    parts: list[str] = []
    previous = None
    for c, t in _accented(kept):
        if previous is not None and c.x0 - previous.x1 > T.word_space * min(c.size, previous.size) and parts[-1] != " ":
            parts.append(" ")
        parts.append(t)
        previous = c
    text = CID_RE.sub(lambda m: TEX_LIGATURES.get(m[1], "") if m[2] else "", "".join(parts))
    text = clean(unicodedata.normalize("NFKC", text).replace("\u00ad", "-"))
    if not text:
        return None
    opening = max((k for k, c in enumerate(kept) if c.get_text() == "["), default=0)
    label = text[text.rfind("["):]
    if opening and kept[opening].x0 - kept[opening - 1].x1 > size and DEFINITION_LABEL_RE.fullmatch(label):
        text = f"{label[1:-1]}: {text[: -len(label)].rstrip()}"  # said first, as a reference's entry begins
    bold = sum(bool(BOLD_RE.search(c.fontname)) for c in kept) >= 0.8 * len(kept)
    mono = sum(bool(MONO_RE.search(c.fontname)) for c in kept) >= 0.8 * len(kept)
    return _Line(page, column, height - max(c.y1 for c in kept), height - min(c.y0 for c in kept),
                 min(c.x0 for c in kept), max(c.x1 for c in kept), size, bold, mono, text, height)


def _accented(chars: list[Any]) -> list[tuple[Any, str]]:
    """A line's characters with their text, each accent drawn as a glyph of its own over a letter (at least half
    of the narrower one's width shared) put on that letter as a combining mark."""
    texts = [c.get_text() for c in chars]
    kept = [True] * len(chars)
    for k, c in enumerate(chars):
        mark = SPACING_ACCENTS.get(texts[k])
        if mark is None:
            continue
        for j in (k + 1, k - 1):
            if 0 <= j < len(chars) and kept[j] and texts[j][-1:].isalpha() and \
                    min(c.x1, chars[j].x1) - max(c.x0, chars[j].x0) >= T.accent_overlap * min(c.width, chars[j].width) > 0:
                texts[j] += mark
                kept[k] = False
                break
    return [(c, t) for c, t, keep in zip(chars, texts, kept) if keep]


def _page_lines(page: int, chars: list[Any], width: float, height: float) -> list[_Line]:
    """A page's lines in reading order: full-width rows in place, two columns' rows left column first."""
    rows = _rows(chars)
    gutter = _gutter(rows, width)
    out: list[_Line] = []
    pending: tuple[list[_Line], list[_Line]] = ([], [])

    def flush() -> None:
        out.extend(pending[0] + pending[1])
        pending[0].clear()
        pending[1].clear()

    edges = _edge_rows(rows, height)
    for n, row in enumerate(rows):
        if n in edges:
            flush()  # a running header or footer: its pieces ("Title ... Author ... 3") each a line
            for piece in _pieces(row):
                line = _line(page, 0, piece, height)
                if line:
                    out.append(line)
            continue
        if gutter is None or any(a < gutter < b for a, b in _segments(row)):
            flush()
            line = _line(page, 0, row, height)
            if line:
                out.append(line)
            continue
        for column, part in enumerate(([c for c in row if c.x1 <= gutter], [c for c in row if c.x1 > gutter])):
            line = _line(page, column, part, height) if part else None
            if line:
                pending[column].append(line)
    flush()
    for column in (0, 1):  # a column's edges: where most of its lines start and end
        lines = [ln for ln in out if ln.column == column]
        if lines:
            left = min(ln.x0 for ln in lines)
            right = max(ln.x1 for ln in lines)
            for ln in lines:
                ln.left, ln.right = left, right
    return out


# ---------------------------------------------------------------- from lines to an article


def _furniture(lines: list[_Line], pages: int, body: float) -> None:
    """Marks running headers and footers (not larger than the text: a paper's title is no header on its first
    page, though its pages' headers repeat it), page numbers and contents lines as dropped."""
    def in_margin(ln: _Line) -> bool:
        return ln.top < MARGIN * ln.height or ln.bottom > (1 - MARGIN) * ln.height

    def key(ln: _Line) -> str:
        return re.sub(r"\d+", "#", ln.text.casefold())

    seen: dict[str, set[int]] = {}
    for ln in lines:
        if in_margin(ln):
            seen.setdefault(key(ln), set()).add(ln.page)
    repeats = T.short_repeats if pages <= T.short_document else REPEATS
    for ln in lines:
        if in_margin(ln) and ((len(seen[key(ln)]) >= repeats and ln.size < body * HEADING_SIZE)
                              or PAGE_NUMBER_RE.match(ln.text)):
            ln.kind = "drop"
        elif LEADER_RE.search(ln.text) or not re.search(r"[^\W\d_]", ln.text):
            ln.kind = "drop"


def _body_size(lines: list[_Line]) -> float:
    sizes: Counter[float] = Counter()
    for ln in lines:
        if ln.kind != "drop":
            sizes[_half_points(ln.size)] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else T.body_size


def _title(doc: _Document, lines: list[_Line], body: float) -> str:
    """Marks the first page's title lines and front matter; returns the title."""
    first = [ln for ln in lines if ln.page == 0 and ln.kind != "drop"]
    top = [ln for ln in first if ln.top < T.title_zone * ln.height and len(ln.text.split()) <= T.title_words]
    largest = max((ln.size for ln in top), default=0.0)
    shown = ""
    end = 0
    if largest >= body * T.title_size:
        picked = [k for k, ln in enumerate(first) if ln.size >= largest - T.size_tolerance and ln in top]
        start, end = picked[0], picked[0]
        while end + 1 < len(first) and first[end + 1].size >= largest - T.size_tolerance:
            end += 1
        shown = " ".join(ln.text for ln in first[start:end + 1])
        for ln in first[start:end + 1]:
            ln.kind = "title"
        end += 1
        title_page = len(first) <= TITLE_PAGE_LINES  # a manual's: its author may stand at the foot
        for ln in first[end:]:  # the authors and their addresses, up to the abstract or the text
            words = len(ln.text.split())
            if FRONT_END_RE.match(ln.text) or numbered_heading(ln.text) or words > T.front_words or \
                    (ln.top > T.front_zone * ln.height and not title_page):
                break
            ln.kind = "front"
    meta = doc.info.get("Title", "")
    if meta and not re.search(r"\.(docx?|pdf|tex|dvi|ps|indd|rtf)$|^microsoft word|^untitled|^slide \d", meta, re.I):
        return meta
    return shown


def _author(doc: _Document, lines: list[_Line]) -> str:
    if doc.info.get("Author"):
        return doc.info["Author"]
    names = []
    for ln in lines:
        if ln.kind != "front":
            if names:
                break
            continue
        text = EMAIL_AFTER_RE.sub("", ln.text)  # "Ann Smith (ann@example.org)"
        if AFFILIATION_RE.search(text) or "@" in text or not NAME_RE.match(text):
            if names:
                break
            continue  # a subtitle before the names
        names.append(text.rstrip(","))
    return ", ".join(names[:T.authors])


def _date(doc: _Document) -> str:
    m = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", doc.info.get("CreationDate", ""))
    if m and 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
        return f"{m[1]}-{m[2]}-{m[3]}"
    return ""


def _mark_outline(doc: _Document, lines: list[_Line]) -> bool:
    """Headings from the outline, each found on the page it points to (or after the last one found)."""
    levels = sorted({level for level, _, _ in doc.outline})
    found = 0
    start = 0
    for level, title, page in doc.outline:
        want = text_key(title)
        if not want:
            continue
        for k in range(start, len(lines)):
            ln = lines[k]
            if ln.kind in ("drop", "title") or (page is not None and ln.page < page):
                continue
            if page is not None and ln.page > page + 1:
                break
            one_line = want in (text_key(ln.text), SECTION_NUMBER_RE.sub("", text_key(ln.text)))
            if one_line or (k + 1 < len(lines) and text_key(ln.text + " " + lines[k + 1].text) == want):
                ln.kind, ln.level = "heading", min(6, 2 + levels.index(level))
                if not one_line:
                    lines[k + 1].kind = "heading-more"
                found += 1
                start = k + 1
                break
    return found >= T.outline_found


def _heading_like(ln: _Line) -> bool:
    words = ln.text.split()
    return (0 < len(words) <= HEADING_WORDS and len(ln.text) <= T.heading_chars and ln.text[-1] not in ".,;"
            and re.search(r"[^\W\d_]{3}", ln.text) is not None
            and (ln.text[0].isupper() or ln.text[0].isdigit()) and not CAPTION_RE.match(ln.text))


def _followed(lines: list[_Line], k: int, body: float) -> bool:
    """Whether a line has text close below it, as a heading has (a label in a figure has not)."""
    ln = lines[k]
    nxt = next((n for n in lines[k + 1:] if n.kind != "drop"), None)
    if nxt is None:
        return False
    if nxt.page != ln.page or nxt.column != ln.column:
        return ln.bottom > T.foot_zone * ln.height
    return 0 <= nxt.top - ln.bottom < T.follow_gap * body and nxt.size >= T.follow_size * body


def _mark_fonts(lines: list[_Line], body: float) -> None:
    """Headings from their look: larger than the body text, or bold lines of their own, with text close below.
    In a document whose headings are numbered, an unnumbered one must look like them (or be one of the usual
    unnumbered parts: abstract, acknowledgements, references, appendix)."""
    candidates: list[_Line] = []
    for k, ln in enumerate(lines):
        if ln.kind or not _heading_like(ln) or not _followed(lines, k, body):
            continue
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        alone = (nxt is None or nxt.top - ln.bottom > T.alone_gap * body
                 or ln.x1 < ln.right - T.alone_short * (ln.right - ln.left))
        if ln.size >= body * HEADING_SIZE or (ln.bold and alone and ln.size >= body * T.bold_size):
            candidates.append(ln)
    numbered = [ln for ln in candidates if numbered_heading(ln.text)]
    if len(numbered) >= T.numbered_headings:
        styles = {(round(ln.size), ln.bold) for ln in numbered}
        candidates = [ln for ln in candidates if ln in numbered or UNNUMBERED_RE.match(ln.text)
                      or (re.match(r"^[A-H]\.(?:\d+\.?)*\s+[A-Z]", ln.text) and ln.size >= body * HEADING_SIZE)
                      or ((round(ln.size), ln.bold) in styles and ln.x0 - ln.left < ln.size)]
    sizes = sorted({_half_points(ln.size) for ln in candidates
                    if ln.size >= body * HEADING_SIZE and not UNNUMBERED_RE.match(ln.text)}, reverse=True)
    for ln in candidates:
        number = numbered_heading(ln.text)
        if number:
            level = number[1]
        elif UNNUMBERED_RE.match(ln.text):
            level = 2  # "Abstract" in its own style is no part above the sections
        elif ln.size >= body * HEADING_SIZE:
            level = 2 + min(T.size_levels, sizes.index(_half_points(ln.size)))
        else:
            level = 2 + min(T.size_levels, len(sizes))
        ln.kind, ln.level = "heading", level
    top = min((ln.level for ln in candidates), default=2)
    for ln in candidates:  # the highest level found is the sections'
        ln.level = max(2, ln.level - (top - 2))
    for a, b in zip(lines, lines[1:]):  # a heading on two lines
        if (a.kind == "heading" and b.kind == "heading" and a.page == b.page and abs(a.size - b.size) < T.size_tolerance
                and b.top - a.bottom < T.heading_leading * a.size and not numbered_heading(b.text)):
            b.kind = "heading-more"


def _footnotes(lines: list[_Line], body: float) -> None:
    """Small text at a page's foot that starts with a marker: footnotes, not read."""
    for k, ln in enumerate(lines):
        if (not ln.kind and ln.size <= T.footnote_size * body and ln.top > T.footnote_zone * ln.height
                and re.match(r"^\s*(?:\d{1,2}|[*†‡§¶])\s*\S", ln.text)):
            for f in lines[k:]:
                if f.page != ln.page or f.column != ln.column or f.size > T.footnote_size * body:
                    break
                f.kind = "drop"


def _new_paragraph(a: _Line, b: _Line) -> bool:
    if a.page != b.page or a.column != b.column:
        return a.text[-1] in TERMINAL and not b.text[0].islower()
    if abs(a.size - b.size) > T.same_size * a.size or a.mono != b.mono:
        return True
    if b.top - a.bottom > T.paragraph_gap * a.size or b.top < a.top:
        return True
    if BULLET_RE.match(b.text):
        return True
    width = a.right - a.left
    indented = b.x0 - b.left > T.indent * b.size and a.x0 - a.left < T.flush * a.size
    short = a.x1 < a.right - T.short_line * width
    return a.text[-1] in TERMINAL and (indented or short)


def _join(text: str, more: str) -> str:
    if re.search(r"[^\W\d_]-$", text) and more[:1].islower():
        return text[:-1] + more
    return f"{text} {more}"


def _blocks(lines: list[_Line]) -> tuple[list[Block], int]:
    """Headings and paragraphs, without captions, code, number-only lines and references; and how many
    references were left out."""
    paragraphs: list[tuple[str, list[_Line]]] = []  # ("heading"/"text", lines)
    for ln in lines:
        if ln.kind in ("drop", "title", "front"):
            continue
        if ln.kind == "heading":
            paragraphs.append(("heading", [ln]))
        elif ln.kind == "heading-more" and paragraphs and paragraphs[-1][0] == "heading":
            paragraphs[-1][1].append(ln)
        elif paragraphs and paragraphs[-1][0] == "text" and not _new_paragraph(paragraphs[-1][1][-1], ln):
            paragraphs[-1][1].append(ln)
        else:
            paragraphs.append(("text", [ln]))
    blocks: list[Block] = []
    skip_level: int | None = None
    references = 0
    for kind, group in paragraphs:
        text = group[0].text
        for ln in group[1:]:
            text = _join(text, ln.text)
        if kind == "heading":
            level = group[0].level
            if skip_level is not None and level > skip_level:
                continue
            skip_level = None
            if REFERENCES_RE.match(text):
                skip_level = level
                continue
            blocks.append(Block("heading", text, level))
            continue
        if skip_level is not None:
            references += 1
            continue
        words = text.split()
        debris = sum(bool(re.fullmatch(r"[-+±(]?[\d.,%]+[)%]?|\w{1,2}", w)) for w in words)
        if (CAPTION_RE.match(text) or all(ln.mono for ln in group)
                or (len(words) >= T.debris_words and debris >= T.debris_share * len(words)) or len(text) < T.min_chars):
            continue
        bullet = BULLET_RE.match(text)
        blocks.append(Block("item", speakable_item(bullet[1])) if bullet else Block("paragraph", text))
    return blocks, references


def _article(doc: _Document, fallback_title: str) -> Article:
    lines = doc.lines
    _furniture(lines, doc.pages, _body_size(lines))
    body = _body_size(lines)
    title = _title(doc, lines, body)
    _footnotes(lines, body)
    if not (doc.outline and _mark_outline(doc, lines)):
        _mark_fonts(lines, body)
    blocks, references = _blocks(lines)
    if title:  # the title repeated as the first heading (an outline's first entry, often)
        blocks = [b for k, b in enumerate(blocks) if not (k == 0 and b.kind == "heading"
                                                          and text_key(b.text) == text_key(title))]
    if not any(b.kind != "heading" for b in blocks):
        raise ArticleError("has no text to read (only headings, figures or tables?)")
    language = checked_language(doc.info.get("Lang", ""), " ".join(b.text for b in blocks[:300]))
    try:
        return sectionize(title or fallback_title, blocks, author=_author(doc, lines), published=_date(doc),
                          language=language, left_out="its list of references" if references else "")
    except ValueError as e:
        raise ArticleError(str(e)) from None
