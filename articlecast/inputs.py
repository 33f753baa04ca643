"""Reading input files: an article (.txt, .md) or a script (.yaml), with clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .models import Article

ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
SCRIPT_SUFFIXES = {".yaml", ".yml"}


def read_text(path: Path) -> str:
    """The file's text as UTF-8; refuses missing, empty and binary files with a message that says why."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give an article (.txt, .md) or a script (.yaml)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: looks like a binary file, not text; give a UTF-8 .txt, .md or .yaml file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: is not UTF-8 text (bad byte at offset {e.start}); save it as UTF-8 and try again"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
