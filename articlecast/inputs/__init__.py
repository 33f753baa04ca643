"""Reading inputs: every kind of article becomes the same :class:`~..models.Article`.

One reader per kind, chosen by the file's extension (:data:`READERS`, :data:`DOCUMENT_PARSERS`): plain text
(:mod:`.plain`), Markdown (:mod:`.markdown`), a saved web page (:mod:`.html`), an EPUB book or document
(:mod:`.epub`), a Word document (:mod:`.word`), a PDF (:mod:`.pdf`); a web page's address is fetched
(:mod:`.fetch`) and saved so that a rebuild is offline. Nothing here knows what becomes of the article.
"""

from __future__ import annotations

import codecs
import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ArticleError, FetchError, InputError, converted
from ..models import Reading
from ..util.files import slugify, write_atomic
from ..util.images import square_cover
from .article import Article, Section
from .epub import parse_epub
from .fetch import fetch_page, get, is_url
from .html import decode_page, lead_image_url, parse_html
from .kinds import ARTICLE_SUFFIXES, ARTICLE_TYPES, ARTICLE_TYPES_OR, SCRIPT_SUFFIXES
from .language import checked_language
from .markdown import parse_markdown
from .plain import parse_text
from .text import CONTROL_RE, read_bytes, read_text, regular_size
from .word import parse_docx

log = logging.getLogger(__name__)

__all__ = ["ARTICLE_SUFFIXES", "ARTICLE_TYPES", "CONTROL_RE", "COVER_SUFFIX", "SCRIPT_SUFFIXES", "Article",
           "fetch_article", "input_kind", "is_url", "read_article", "Section"]

COVER_SUFFIX = ".cover.jpg"
"""A saved page's lead image, made square, beside it (``page.html`` -> ``page.cover.jpg``)."""


def _with_language(article: Article) -> Article:
    """A plain-text or Markdown article (which cannot declare its language) with the language its text is in,
    where that can be told."""
    text = " ".join([article.title, *(p for s in article.sections for p in s.paragraphs[:50])])
    return dataclasses.replace(article, language=checked_language("", text))


def _read_text_article(path: Path) -> Article:
    return _with_language(parse_text(read_text(path), fallback_title=fallback_title(path)))


def _read_markdown(path: Path) -> Article:
    return _with_language(parse_markdown(read_text(path), fallback_title=fallback_title(path)))


def _read_html(path: Path) -> Article:
    article = parse_html(read_bytes(path), fallback_title=fallback_title(path))
    cover = path.with_name(path.stem + COVER_SUFFIX)
    return dataclasses.replace(article, image=cover.name) if cover.is_file() else article


def _parse_pdf(path: Path, fallback_title: str, reading: Reading | None, max_words: int) -> Article:
    from .pdf import parse_pdf  # here, not at the top: pdfminer takes a third of a second to import, for PDFs only

    return parse_pdf(path, fallback_title=fallback_title, reading=reading, max_words=max_words)


DOCUMENT_PARSERS: dict[str, Callable[..., Article]] = {"epub": parse_epub, "word": parse_docx, "pdf": _parse_pdf}
"""The documents whose parsers open the file themselves, by kind, each ``(path, fallback_title=, reading=,
max_words=)`` (:data:`~..models.Reading`: progress page by page, or document by document of a book;
``max_words``: the reading ends once the text is over it). Between pages (or paragraphs) they answer a stop
(:func:`~..stops.check`)."""


def _read_document(kind: str, path: Path, reading: Reading | None, max_words: int) -> Article:
    regular_size(path)
    return DOCUMENT_PARSERS[kind](path, fallback_title=fallback_title(path), reading=reading, max_words=max_words)


READERS: dict[str, Callable[[Path], Article]] = {"text": _read_text_article, "markdown": _read_markdown,
                                                 "html": _read_html}
"""The reader of each kind of article file read as text (documents: :data:`DOCUMENT_PARSERS`)."""


def input_kind(path: Path) -> str:
    """ "text", "markdown", "html" or "script", from the file's extension."""
    suffix = path.suffix.lower()
    if suffix in SCRIPT_SUFFIXES:
        return "script"
    if suffix in ARTICLE_SUFFIXES:
        return ARTICLE_SUFFIXES[suffix]
    raise InputError(
        f"{path}: unknown file type {suffix or '(no extension)'!r}; use {ARTICLE_TYPES_OR} for an article (or its "
        "http(s):// address), .yaml for a script"
    )


def fallback_title(path: Path) -> str:
    """A title made from a file name, for an article that has none."""
    return path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"


def read_article(path: Path, reading: Reading | None = None, max_words: int = 0) -> Article:
    """Read and parse an article file, by its kind (a document's pages told to ``reading`` as they are read; its
    reading ended, in one line, once it is over ``max_words``, 0: no limit)."""
    kind = input_kind(path)
    if kind == "script":
        raise InputError(f"{path}: is a script, not an article; use 'speak.py build {path}' to build it")
    try:
        return READERS[kind](path) if kind in READERS else _read_document(kind, path, reading, max_words)
    except ArticleError as e:
        raise ArticleError(f"{path}: {e}") from None


def fetch_article(url: str, folder: Path, public_only: bool = False) -> tuple[Article, Path]:
    """Fetch a web page (online: the user gave its URL), save it into ``folder`` so that a rebuild is offline,
    and read it; its lead image, when it can be made square and large enough, is saved beside it as the cover.
    With ``public_only``, only from public addresses (the page and its image). Returns the article and the saved
    page."""
    page = fetch_page(url, public_only)
    # saved as UTF-8 with a byte-order mark, which decides its encoding: the server's charset is not in the file
    html = codecs.BOM_UTF8 + decode_page(page.html, page.content_type).encode("utf-8")
    try:
        article = parse_html(html, url=page.url)
    except ArticleError as e:
        raise ArticleError(f"{url}: {e}") from None
    stem = slugify(article.title) or slugify(urlsplit(page.url).netloc) or "page"
    saved = folder / f"{stem}.html"
    n = 1
    while saved.exists() and saved.read_bytes() != html:
        n += 1
        saved = folder / f"{stem}-{n}.html"
    with converted(InputError, folder, "cannot save the fetched page"):
        write_atomic(saved, html)
    image = lead_image_url(html, page.url)
    if image.startswith(("http://", "https://")):
        try:
            cover = square_cover(get(image, accept="image/*", public_only=public_only)[1])
        except FetchError as e:
            log.info("lead image not used: %s", e)
            cover = None
        if cover:
            name = saved.stem + COVER_SUFFIX
            with converted(InputError, folder, "cannot save the page's image"):
                write_atomic(saved.with_name(name), cover)
            article = dataclasses.replace(article, image=name)
    return article, saved
