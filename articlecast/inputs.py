"""Reading input files: an article (.txt, .md) or a script (.yaml), with clear errors for bad input."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .errors import InputError
from .models import Article

ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
SCRIPT_SUFFIXES = {".yaml", ".yml"}


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
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give an article (.txt, .md) or a script (.yaml)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    text = decode_text(data, path)
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
        f"{path}: unknown file type {suffix or '(no extension)'!r}; use .txt or .md for an article, .yaml for a script"
    )


def fallback_title(path: Path) -> str:
    """A title made from a file name, for an article that has none."""
    return path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Untitled"


def load_article(path: Path) -> Article:
    """Read and parse an article file."""
    from .article import parse_text
    from .article_md import parse_markdown
    from .errors import ArticleError

    kind = input_kind(path)
    if kind == "script":
        raise InputError(f"{path}: is a script, not an article; use 'speak.py build {path}' to build it")
    text = read_text(path)
    parse = parse_markdown if kind == "markdown" else parse_text
    try:
        return parse(text, fallback_title=fallback_title(path))
    except ArticleError as e:
        raise ArticleError(f"{path}: {e}") from None
