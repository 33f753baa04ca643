"""Web pages: a saved page or a fetched one in, an :class:`Article` out.

trafilatura (precision mode, tables kept, comments dropped) finds the article in the page and hands back
its structure as XML: headings become chapters, paragraphs and list items are read, tables row by row,
``<dl>`` lists as questions and answers; figure captions, code, images and links' addresses are left out.
Before that, elements whose class or id says what they are (cookie banners, share bars, comments,
"related articles", newsletters) are removed, and the page's JSON-LD is read: its ``FAQPage`` becomes
the FAQ when the text has none, and its ``articleBody`` length checks the extraction.

A page that yields too little text (a teaser, a paywall, a page built by JavaScript), mostly links or
lists, or much less than its own ``articleBody`` is refused with one line saying what to do, never
narrated.
"""

from __future__ import annotations

import codecs
import copy
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from charset_normalizer import from_bytes

from ..errors import ArticleError
from ..models import count_words
from .article import Article
from .language import checked_language
from .structure import FAQ_RE, Block, clean, sectionize, speakable_item, table_sentences
from .text import BOMS, CONTROL_RE, without_controls

log = logging.getLogger(__name__)

MIN_WORDS = 15
"""Fewer words of article text than this is almost nothing: not an article (a 60-word news brief is one)."""
TEASER_WORDS = 120
"""A page that says it is for subscribers only and shows fewer words than this is a teaser."""
AGREEMENT = 0.6
"""The extraction must hold at least this share of the words the page's JSON-LD ``articleBody`` has."""
GUARD_SHARE = 0.3
"""An element holding this share of the page's paragraph text is never removed as clutter, whatever its class."""
CLUTTER = frozenset({
    "comment", "comments", "cookie", "cookies", "consent", "gdpr", "share", "sharing", "social", "related",
    "newsletter", "subscribe", "subscription", "promo", "advert", "advertisement", "ads", "sponsored", "popup",
    "modal", "recommended", "outbrain", "taboola", "disqus", "breadcrumb", "breadcrumbs",
    # generated manuals' page navigation (DocBook, Sphinx): previous/next/up links, sidebars, the page's own table
    # of contents, permalinks (words are matched as the parts of a class or id between "-" and "_")
    "navheader", "navfooter", "toc", "sphinxsidebar", "headerlink",
})
"""Words in an element's class or id that mark it as not the article."""
STRUCTURAL = frozenset({"html", "body", "main", "article"})
PAGE_LINE_RE = re.compile(
    r"^\s*(last (updated|modified|reviewed)|updated( on)?|posted (on|in)|published( on)?|first published|"
    r"reading time|\d+ min(ute)?s? read|photo(graph)?s?:|image:|credit:|copyright|©|all rights reserved)", re.I)
"""Short lines that belong to the page, not the article (dates of update, credits)."""
MEDIA_COUNT_RE = re.compile(r"^\W*\d+\s+(videos?|photos?|pictures?|images?|slides?)\W*$", re.I)
"""A heading that only counts a carousel's items ("(16 Videos)"): page furniture, not a chapter."""
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "Report", "ScholarlyArticle", "TechArticle", "WebPage")
FIX = ("save the whole article from your browser (File > Save Page As) and build that file, "
       "or paste its text into a .md file")


@dataclass(frozen=True)
class LinkedData:
    """What a page says about itself in JSON-LD."""

    headline: str = ""
    """The article's headline."""
    author: str = ""
    """Its author(s), comma-separated."""
    published: str = ""
    """datePublished, as YYYY-MM-DD."""
    body_words: int = 0
    """Words in ``articleBody`` (0 when absent)."""
    faq: tuple[tuple[str, str], ...] = ()
    """FAQPage questions and their answers, as plain text."""
    paywalled: bool = False
    """The page says it is not free to read (``isAccessibleForFree: false``)."""


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for x in data:
            yield from _objects(x)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []))


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type", [])
    return {str(x) for x in (t if isinstance(t, list) else [t])}


def _text(value: Any) -> str:
    """Plain text of a JSON-LD value that may hold HTML."""
    if isinstance(value, dict):
        value = value.get("text") or value.get("name") or ""
    if isinstance(value, list):
        value = " ".join(_text(v) for v in value)
    value = str(value or "")
    if "<" in value:

        try:
            value = lxml.html.fromstring(f"<div>{value}</div>").text_content()
        except Exception:  # noqa: BLE001 - malformed HTML in a JSON string: keep its text as it is
            value = re.sub(r"<[^>]+>", " ", value)
    return clean(value)


def linked_data(tree: Any) -> LinkedData:
    """Read the page's ``<script type="application/ld+json">`` blocks (a list or an @graph are fine)."""
    found: dict[str, Any] = {}
    faq: list[tuple[str, str]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for obj in _objects(data):
            types = _types(obj)
            if "FAQPage" in types:
                entities = obj.get("mainEntity", [])
                for q in entities if isinstance(entities, list) else [entities]:
                    if isinstance(q, dict):
                        question, answer = _text(q.get("name")), _text(q.get("acceptedAnswer"))
                        if question and answer:
                            faq.append((question, answer))
            if types & set(ARTICLE_TYPES) and not found.get("headline"):
                author = obj.get("author", "")
                authors = author if isinstance(author, list) else [author]
                found = {
                    "headline": _text(obj.get("headline") or obj.get("name")),
                    "author": ", ".join(a for a in (_text(x) for x in authors) if a),
                    "published": str(obj.get("datePublished") or "")[:10],
                    "body_words": count_words(_text(obj.get("articleBody"))),
                    "paywalled": str(obj.get("isAccessibleForFree", "true")).lower() in ("false", "0", "no"),
                }
    return LinkedData(**found, faq=tuple(faq))


def _tokens(el: Any) -> set[str]:
    words = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return set(re.split(r"[^a-z0-9]+", words))


HEADING_ANCESTOR = "ancestor::h1 or ancestor::h2 or ancestor::h3 or ancestor::h4 or ancestor::h5 or ancestor::h6"


def _prose_chars(el: Any) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


def remove_clutter(tree: Any) -> int:
    """Remove elements whose class or id marks them as clutter (a share bar, a cookie banner), and hidden ones;
    returns how many. An element that holds much of the page's paragraph text, or the article itself, is never
    removed for a word in its class: real pages wrap whole articles in ``class="entry-content no-share"``."""
    total = _prose_chars(tree) or 1
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in STRUCTURAL:
            continue
        if _tokens(el) & CLUTTER or el.get("aria-hidden") == "true" or el.get("hidden") is not None:
            if _prose_chars(el) >= GUARD_SHARE * total or el.find(".//article") is not None \
                    or el.find('.//*[@itemprop="articleBody"]') is not None or el.xpath(HEADING_ANCESTOR):
                continue  # (a heading's own link, "toc-backref", is the heading's text)
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return len(doomed)


NAVIGATION_SHARE = 0.5
"""Text of which more than this share is the words of the page's links is navigation, not an article."""


def page_link_share(tree: Any) -> float:
    """The share of the page's visible text that is the text of links."""
    body = tree.find("body")
    if body is None:
        return 0.0
    total = count_words(" ".join(body.itertext()))
    links = sum(count_words(" ".join(a.itertext())) for a in body.iter("a"))
    return links / total if total else 0.0


def link_share(tree: Any, blocks: list[Block]) -> float:
    """The share of the extracted text that is the text of the page's own links, matched whole: near 1 for a
    home page whose headlines the extraction strung together, small for an article that links to its sources."""
    body = tree.find("body")
    text = " ".join(" ".join(b.text.split()) for b in blocks).casefold()
    if body is None or not text.strip():
        return 0.0
    anchors = {" ".join(" ".join(a.itertext()).split()).casefold() for a in body.iter("a")}
    anchors = sorted((a for a in anchors if len(a) >= 3), key=len, reverse=True)
    if not anchors:
        return 0.0
    rest = text
    for start in range(0, len(anchors), 500):  # (a pattern of a few hundred alternatives at a time)
        rest = re.sub(r"\b(?:" + "|".join(map(re.escape, anchors[start:start + 500])) + r")\b", " ", rest)
    letters = len(re.sub(r"\W", "", text))
    return 1 - len(re.sub(r"\W", "", rest)) / letters if letters else 0.0


PERMALINK = frozenset({"¶", "#", "§", "🔗", "link", "permalink"})


def unwrap_heading_links(tree: Any) -> None:
    """A heading that is a link to itself (mdBook, Sphinx, GitHub) is a heading: its link is unwrapped (and a
    bare "¶" permalink removed), else the extractor takes it for navigation and drops it."""
    for level in range(1, 7):
        for heading in tree.iter(f"h{level}"):
            for a in list(heading.iter("a")):
                if (a.text_content() or "").strip().lower() in PERMALINK:
                    a.drop_tree()
                else:
                    a.drop_tag()


def lift_headings(tree: Any) -> None:
    """A heading alone in wrappers of its own (DocBook's ``<div class="titlepage"><div><div><h2>``) is lifted out
    of them, so that the extractor, which drops such wrappers as page furniture, keeps the manual's sections."""
    for level in range(1, 7):
        for heading in list(tree.iter(f"h{level}")):
            wrapper = heading.getparent()
            top = None
            while wrapper is not None and wrapper.tag in ("div", "header", "hgroup") and len(wrapper) == 1 \
                    and not (wrapper.text or "").strip() and not (heading.tail or "").strip():
                top, wrapper = wrapper, wrapper.getparent()
            if top is not None and wrapper is not None:
                heading.tail = top.tail
                wrapper.replace(top, heading)


CONTAINER_SHARE = 0.8
"""The share of a page's paragraph text that the element taken for its article's container holds."""


def mark_article(tree: Any) -> None:
    """A page without ``<article>`` or ``<main>`` (a generated manual: DocBook, Sphinx) gets its smallest element
    that holds most of its paragraph text marked as the article, as a browser's reader view would; the extractor
    then keeps that element's headings as the manual's sections instead of only its paragraphs."""
    body = tree.find("body")
    if body is None or tree.find(".//article") is not None or tree.find(".//main") is not None \
            or tree.find('.//*[@role="main"]') is not None:
        return
    total = _prose_chars(body)
    if not total:
        return
    best = None
    for el in body.iter("div", "section"):
        if _prose_chars(el) >= CONTAINER_SHARE * total:
            best = el  # iteration goes inward: the last one found is the smallest
    if best is not None and any(True for _ in best.iter("h2", "h3")):
        best.tag = "article"


TITLE_SEPARATORS = re.compile(r"\s+[-|–—·»:]\s+")


def page_title(tree: Any, found: str) -> str:
    """The article's title: ``found`` (the metadata's), unless that is only the site's name as the page's
    ``<title>`` ends with ("Data Types - The Rust Programming Language"): then the ``<title>``'s first part."""
    full = clean(tree.findtext(".//title") or "")
    parts = TITLE_SEPARATORS.split(full)
    if len(parts) >= 2 and (not found or _same(found, parts[-1])):
        return parts[0]
    return found or full


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", "", a).casefold() == re.sub(r"\W+", "", b).casefold()


def _flat(el: Any) -> str:
    return clean("".join(el.itertext()))  # inline code and emphasis run on with the words around them


def _blocks(main: Any) -> Iterator[Block]:
    """trafilatura's XML (``<main>``) as blocks."""
    for el in main:
        tag = el.tag
        if tag == "head":
            level = int(el.get("rend", "h3")[1:] or 3) if re.fullmatch(r"h[1-6]", el.get("rend", "")) else 0
            text = _flat(el)
            if text and not MEDIA_COUNT_RE.match(text):  # a heading without a level: a <summary>, as trafilatura gives it, is a question
                yield Block("heading", text, level) if level else Block("question", text)
        elif tag == "p" or tag == "quote" and not len(el):
            text = _flat(el)
            if text and not (PAGE_LINE_RE.match(text) and len(text.split()) <= 12):
                yield Block("paragraph", text)
        elif tag == "quote":
            yield from _blocks(el)
        elif tag == "list" and el.get("rend") == "dl":
            for item in el:
                text = _flat(item)
                if text:
                    dt = item.get("rend", "").startswith("dt")
                    yield Block("question", text) if dt else Block("paragraph", text)
        elif tag == "list":
            for item in el:
                text = _flat(item)
                if text:
                    yield Block("item", speakable_item(text))
        elif tag == "table":
            header: list[str] = []
            rows: list[list[str]] = []
            for row in el.iter("row"):
                cells = [_flat(c) for c in row.iter("cell")]
                if all(c.get("role") == "head" for c in row.iter("cell")) and not rows:
                    header = cells
                else:
                    rows.append(cells)
            yield from (Block("paragraph", s) for s in table_sentences(header, rows))
        elif tag == "div":
            yield from _blocks(el)
        # code, graphic (images, figure captions) and anything else: not read


def _faq_blocks(faq: tuple[tuple[str, str], ...]) -> list[Block]:
    out = [Block("heading", "Frequently asked questions", 2)]
    for question, answer in faq:
        out += [Block("heading", question, 3), Block("paragraph", answer)]
    return out


def _without_faq(blocks: list[Block]) -> list[Block]:
    """The blocks with the text's own FAQ section (its heading and everything under it) removed."""
    out: list[Block] = []
    level: int | None = None
    for b in blocks:
        if b.kind == "heading" and level is not None and b.level <= level and not b.text.endswith("?"):
            level = None
        if b.kind == "heading" and FAQ_RE.match(b.text):
            level = b.level
        if level is None:
            out.append(b)
    return out


def words_of(article: Article) -> int:
    """How many words the article's body holds."""
    return sum(count_words(p) for s in article.sections for p in s.paragraphs)


CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]*)""", re.I)
"""A ``<meta charset>`` or ``<meta http-equiv="Content-Type" content="…; charset=…">`` declaration."""
SINGLE_BYTE = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})
LATIN_GUESSES = frozenset({"cp1250", "cp1252", "cp1254", "cp1257", "latin-1", "iso8859-2", "iso8859-9",
                           "iso8859-15", "mac-roman", "mac-latin2", "ascii"})
"""A detector's guesses among Latin-script single-byte codecs, which it cannot tell apart on short text: for
these, Windows-1252, as browsers do for an undeclared page."""
"""Declarations that pages often give wrongly for what is really UTF-8 (codecs' own names)."""


def _codec(name: str) -> str:
    """Python's name for a declared charset, or "" when there is none or it is unknown."""
    try:
        return codecs.lookup(name.strip()).name if name.strip() else ""
    except LookupError:
        return ""


def decode_page(data: bytes, content_type: str = "") -> str:
    """A web page's text, as a browser decodes it: a byte-order mark, else the server's ``charset``, else the
    page's own ``<meta charset>``, else UTF-8 when the bytes are valid UTF-8, else what a detector finds (else
    Windows-1252). A page that
    says Latin-1 or Windows-1252 (or declares an empty or unknown charset) but whose bytes are valid UTF-8 with
    non-ASCII letters is UTF-8: such bytes are almost never meant as Latin-1 ("MÄori" is not a word)."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    header = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    meta = CHARSET_RE.search(data[:16384])
    declared = _codec(header[1] if header else "") or _codec(meta[1].decode("ascii") if meta else "")
    if declared in ("", *SINGLE_BYTE):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if not declared:  # nothing declared and not UTF-8: a detector's guess for other scripts, else Windows-1252
        guess = from_bytes(data[:65536]).best()
        declared = _codec(guess.encoding) if guess is not None else ""
        declared = "" if declared in LATIN_GUESSES else declared
    return data.decode(declared if declared not in ("", "ascii", "latin-1", "iso8859-1") else "cp1252",
                       errors="replace")


MAX_NESTING = 180
"""Wrappers nested deeper than this are unwrapped before parsing (libxml2 stops at 256 and drops the rest)."""
WRAPPER_RE = re.compile(r"<(/?)(div|span|section|font|center|blockquote|b|i|em|strong|small|big|u)\b[^>]*>", re.I)


def _flatten_nesting(html: str) -> str:
    """``html`` with wrapper elements nested beyond :data:`MAX_NESTING` unwrapped (their text kept), as a
    browser would show it: 5,000 nested ``<div>``s around an article must not lose the article."""
    depth, dropped = 0, dict[str, int]()
    out: list[str] = []
    last = 0
    for m in WRAPPER_RE.finditer(html):
        name = m[2].lower()
        if not m[1]:
            if depth < MAX_NESTING:
                depth += 1
                continue
            dropped[name] = dropped.get(name, 0) + 1
        elif dropped.get(name):
            dropped[name] -= 1
        else:
            depth = max(0, depth - 1)
            continue
        out.append(html[last:m.start()])
        last = m.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


CHAR_REF_RE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")
"""A numeric character reference ("&#x1b;", "&#150;")."""


def _char_ref(m: re.Match[str]) -> str:
    """A numeric reference as a browser reads it: one to a control character (or no character) is dropped —
    lxml would refuse it in the tree —, one to 128-159 is the Windows-1252 character; others are kept."""
    code = int(m[1], 16) if m[1] else int(m[2])
    if 0x80 <= code <= 0x9F:
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or CONTROL_RE.match(chr(code)):
        return ""
    return m[0]



def _trafilatura() -> ModuleType:
    """trafilatura, imported when a page is first read: 0.1-0.2 CPU-s of start-up that commands reading no web
    page (a script, a text or Markdown file, a document) need not pay."""
    import trafilatura

    return trafilatura

def page_tree(page: str | bytes, content_type: str = "") -> Any:
    """The page parsed leniently, as a browser would: decoded (:func:`decode_page`), control characters removed
    (written as such, or as numeric references), an XML declaration dropped, too deep nesting unwrapped."""
    text = decode_page(page, content_type) if isinstance(page, bytes) else page
    text = CHAR_REF_RE.sub(_char_ref, without_controls(text))
    text = _flatten_nesting(re.sub(r"^\s*<\?xml[^>]*>", "", text))
    try:
        return lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as e:
        raise ArticleError(f"is not a readable web page ({e})") from None


def _words(blocks: list[Block]) -> int:
    return sum(count_words(b.text) for b in blocks if b.kind != "heading")


def _mode(tree: Any, url: str, **mode: bool) -> list[Block]:
    xml = _trafilatura().extract(copy.deepcopy(tree), url=url or None, output_format="xml", include_tables=True,
                              include_comments=False, include_formatting=True, include_images=False, **mode)
    main = lxml.etree.fromstring(xml.encode("utf-8")).find("main") if xml else None
    return list(_blocks(main)) if main is not None else []


def _extract(tree: Any, url: str, ld: LinkedData) -> list[Block]:
    """The article's blocks: trafilatura in precision mode; when that finds too little — fewer words than a
    teaser, or than the page's own ``articleBody`` says — its default and recall modes too, and the one that
    agrees best with ``articleBody`` (else the fullest) wins."""
    best = _mode(tree, url, favor_precision=True)
    enough = ld.body_words * AGREEMENT if ld.body_words >= TEASER_WORDS else TEASER_WORDS
    if _words(best) >= enough:
        return best
    candidates = [best, _mode(tree, url), _mode(tree, url, favor_recall=True)]
    candidates = [c for c in candidates if link_share(tree, c) <= NAVIGATION_SHARE] or candidates[:1]
    if ld.body_words:
        return min(candidates, key=lambda c: abs(_words(c) - ld.body_words))
    return max(candidates, key=_words)


def parse_html(page: str | bytes, fallback_title: str = "", url: str = "", content_type: str = "") -> Article:
    """An article from a web page's HTML; ``url`` is where it came from (its canonical URL wins),
    ``content_type`` the server's header (its charset)."""
    tree = page_tree(page, content_type)
    ld = linked_data(tree)
    removed = remove_clutter(tree)  # first: a pop-up's heading must not become the title
    unwrap_heading_links(tree)
    lift_headings(tree)
    mark_article(tree)
    log.debug("removed %d clutter elements", removed)
    meta = _trafilatura().extract_metadata(tree, default_url=url or None)
    blocks = _extract(tree, url, ld)
    title = page_title(tree, clean((meta.title if meta else "") or ld.headline or "")) or fallback_title
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title = title or blocks[0].text
    # the page's own title again (as its h1, or the first heading of the text) is not a chapter
    blocks = [b for n, b in enumerate(blocks) if not (b.kind == "heading" and (b.level == 1 or (
        n == 0 and _same(b.text, title))))]
    faq_in_text = sum(1 for b in _questions(blocks))
    if ld.faq and faq_in_text < len(ld.faq):
        blocks = _without_faq(blocks) + _faq_blocks(ld.faq)
    words = _words(blocks)
    if ld.body_words >= TEASER_WORDS and words < AGREEMENT * ld.body_words:
        raise ArticleError(f"only {words} of the article's {ld.body_words} words (as the page itself says) were "
                           f"found; the page may be split or load its text with JavaScript: {FIX}")
    if ld.paywalled and words < TEASER_WORDS:
        raise ArticleError(f"only {words} words of article text were found, and the page says it is for subscribers "
                           f"only (a teaser); {FIX}")
    if link_share(tree, blocks) > NAVIGATION_SHARE or words < MIN_WORDS and page_link_share(tree) > NAVIGATION_SHARE:
        raise ArticleError(f"only {words} words of article text, mostly the text of its links, were found (the page is mostly "
                           f"links: a home page or a list of articles?); give the article's own page, or {FIX}")
    if words < MIN_WORDS:
        raise ArticleError(f"only {words} words of article text were found (a page that needs JavaScript, or "
                           f"not an article?); {FIX}")
    source = (meta.url if meta and meta.url else "") or url
    lang = (tree.get("lang") or "").strip()
    extra = {"source": source, "author": clean((meta.author if meta else "") or ld.author or ""),
             "published": (meta.date if meta and meta.date else ld.published)[:10],
             "language": checked_language(lang, " ".join(b.text for b in blocks))}
    standfirst = clean(meta.description if meta and meta.description else "")
    try:
        article = sectionize(title, blocks, standfirst=standfirst, plain=False, **extra)
    except ValueError as e:  # a title of only spaces, say
        raise ArticleError(str(e)) from None
    log.debug("page: %d words, %d sections, JSON-LD body %d words", words_of(article), len(article.sections),
              ld.body_words)
    return article


def _questions(blocks: list[Block]) -> Iterator[Block]:
    """The question headings under the text's own FAQ heading."""
    level: int | None = None
    for b in blocks:
        if b.kind == "heading" and FAQ_RE.match(b.text):
            level = b.level
            continue
        if level is not None and b.kind in ("heading", "question"):
            if b.kind == "heading" and b.level <= level and not b.text.endswith("?"):
                level = None
                continue
            yield b


def lead_image_url(page: str | bytes, url: str = "") -> str:
    """The page's lead image (og:image and the like), absolute, or empty."""
    meta = _trafilatura().extract_metadata(page_tree(page), default_url=url or None)
    image = (meta.image if meta else "") or ""
    if image and url:
        image = urljoin(url, image)
    return image
