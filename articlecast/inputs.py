"""Reading input files: an article (.txt, .md) or a script (.yaml), with clear errors for bad input."""

from __future__ import annotations

import codecs
import dataclasses
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .models import Article

if TYPE_CHECKING:
    from .models import Script

ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                    ".htm": "html", ".xhtml": "html"}
SCRIPT_SUFFIXES = {".yaml", ".yml"}
log = logging.getLogger(__name__)


BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and the codec that reads them (UTF-32's before UTF-16's, which it starts with)."""


CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
"""Control characters: nothing to say, and not allowed in the feed's XML."""


def _detected(data: bytes) -> str:
    """The encoding a detector guesses for bytes that are not UTF-8, for the error message."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:65536]).best()
    except ImportError:
        best = None
    return f"it looks like {best.encoding}" if best is not None else "its encoding is not recognised"


def decode_text(data: bytes, path: Path) -> str:
    """Text from bytes: UTF-8 with or without a byte-order mark, or UTF-16/32 with one; else a clear InputError."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: starts as {codec.upper()} but has a bad byte at offset {e.start}; "
                                 "save it again as UTF-8") from None
    head = data[:8192]
    if b"\x00" in head:
        if head[1::2].count(0) > 0.4 * len(head[1::2]) or head[0::2].count(0) > 0.4 * len(head[0::2]):
            raise InputError(f"{path}: looks like UTF-16 text without a byte-order mark; save it as UTF-8")
        raise InputError(f"{path}: looks like a binary file, not text; give a UTF-8 .txt, .md or .yaml file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: is not UTF-8 text ({_detected(data)}; bad byte at offset {e.start}); "
                         "save it as UTF-8 and try again") from None


def read_text(path: Path) -> str:
    """The file's text (see :func:`decode_text`); refuses missing, empty and binary files with a message that says why."""
    text = decode_text(read_bytes(path), path)
    text = CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(f"{path}: is empty; put an article in it")
    return text


def input_kind(path: Path) -> str:
    """ "text", "markdown" or "script", from the file's extension."""
    suffix = path.suffix.lower()
    if suffix in SCRIPT_SUFFIXES:
        return "script"
    if suffix in ARTICLE_SUFFIXES:
        return ARTICLE_SUFFIXES[suffix]
    raise InputError(
        f"{path}: unknown file type {suffix or '(no extension)'!r}; use .txt, .md or .html for an article (or its "
        "http(s):// address), .yaml for a script"
    )


def fallback_title(path: Path) -> str:
    """A title made from a file name, for an article that has none."""
    return path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"


def read_bytes(path: Path) -> bytes:
    """A file's bytes, with the errors :func:`read_text` gives."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give an article (.txt, .md, .html) or a script (.yaml)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: is empty; put an article in it")
    return data


COVER_SUFFIX = ".cover.jpg"
"""A saved page's lead image, made square, beside it (``page.html`` -> ``page.cover.jpg``)."""


def load_article(path: Path) -> Article:
    """Read and parse an article file: plain text, Markdown or a saved web page."""
    from .article import parse_text
    from .article_html import parse_html
    from .article_md import parse_markdown
    from .errors import ArticleError

    kind = input_kind(path)
    if kind == "script":
        raise InputError(f"{path}: is a script, not an article; use 'speak.py build {path}' to build it")
    try:
        if kind == "html":
            article = parse_html(read_bytes(path), fallback_title=fallback_title(path))
            cover = path.with_name(path.stem + COVER_SUFFIX)
            return dataclasses.replace(article, image=cover.name) if cover.is_file() else article
        text = read_text(path)
        parse = parse_markdown if kind == "markdown" else parse_text
        return parse(text, fallback_title=fallback_title(path))
    except ArticleError as e:
        raise ArticleError(f"{path}: {e}") from None


def fetch_article(url: str, folder: Path) -> tuple[Article, Path]:
    """Fetch a web page (online: the user gave its URL), save it into ``folder`` so that a rebuild is offline,
    and read it; its lead image, when it can be made square and large enough, is saved beside it as the cover.
    Returns the article and the saved page."""
    from .article_html import lead_image_url, parse_html
    from .cover import square_cover
    from .errors import ArticleError
    from .fetch import FetchError, fetch_page, get
    from .files import slugify, write_atomic

    page = fetch_page(url)
    try:
        article = parse_html(page.html, url=page.url)
    except ArticleError as e:
        raise ArticleError(f"{url}: {e}") from None
    from urllib.parse import urlsplit

    stem = slugify(article.title) or slugify(urlsplit(page.url).netloc) or "page"
    saved = folder / f"{stem}.html"
    n = 1
    while saved.exists() and saved.read_bytes() != page.html:
        n += 1
        saved = folder / f"{stem}-{n}.html"
    try:
        write_atomic(saved, page.html)
    except OSError as e:
        from .errors import os_error_message

        raise InputError(os_error_message(e, folder, "cannot save the fetched page")) from None
    image = lead_image_url(page.html, page.url)
    if image.startswith(("http://", "https://")):
        try:
            cover = square_cover(get(image, accept="image/*")[1])
        except FetchError as e:
            log.info("lead image not used: %s", e)
            cover = None
        if cover:
            name = saved.stem + COVER_SUFFIX
            write_atomic(saved.with_name(name), cover)
            article = dataclasses.replace(article, image=name)
    return article, saved


@dataclass(frozen=True)
class Loaded:
    """One input, read: its script, and where the files it names live."""

    script: Script
    """The script (an article's default one, or the .yaml as written)."""
    folder: Path
    """The folder its relative paths (cover art) are relative to."""
    saved: Path | None = None
    """For a URL: where the fetched page was saved (a rebuild from it is offline)."""


def load_input(source: str, show: str | None = None, pages: Path = Path("script")) -> Loaded:
    """Read one input of a build: a script (.yaml), an article (.txt, .md, .html) or a web page's URL, which is
    fetched and saved into ``pages``. ``show`` names the show (a script's own name otherwise)."""
    from .fetch import is_url
    from .script import make_script, read_script, resolve_voices

    if is_url(source):
        article, saved = fetch_article(source, pages)
        return Loaded(resolve_voices(make_script(article, show=show or "Articlecast")), saved.parent, saved)
    path = Path(source)
    if input_kind(path) == "script":
        script = read_script(path)
        if show:
            script = dataclasses.replace(script, meta=dataclasses.replace(script.meta, show=show))
        return Loaded(resolve_voices(script), path.parent)
    return Loaded(resolve_voices(make_script(load_article(path), show=show or "Articlecast")), path.parent)
