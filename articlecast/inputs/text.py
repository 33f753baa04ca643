"""Reading a file's text: UTF-8 with or without a byte-order mark, or UTF-16/32 with one, line ends made
``\\n`` and control characters removed; missing, empty, binary and wrongly encoded files refused in one line
that says why."""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import InputError
from .kinds import ARTICLE_TYPES

BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Byte-order marks and the codec that reads them (UTF-32's before UTF-16's, which it starts with)."""

CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
"""Control characters: nothing to say, not allowed in the feed's XML, and never to be printed raw; with them the
bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069), which would make a terminal, a page or
a podcast app show a title's letters in another order than they are."""


def without_controls(text: str) -> str:
    """``text`` with line ends made ``\\n`` and every other control character removed."""
    return CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _detected(data: bytes) -> str:
    """The encoding a detector guesses for bytes that are not UTF-8, for the error message."""
    best = from_bytes(data[:65536]).best()
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


def regular_size(path: Path) -> int:
    """The size of a regular file; a missing one, a folder, a pipe or a device refused in one line, at once (a named
    pipe would block a reader forever)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder; give an article ({ARTICLE_TYPES}) or a script (.yaml)")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: is not a regular file (a pipe or a device); give a file")
    return st.st_size


def read_bytes(path: Path) -> bytes:
    """A file's bytes; missing files, folders, pipes, unreadable and empty files refused in one line."""
    regular_size(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give an article ({ARTICLE_TYPES}) or a script (.yaml)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: is empty; put an article in it")
    return data


def read_text(path: Path) -> str:
    """The file's text (see :func:`decode_text`), without control characters; never empty."""
    text = without_controls(decode_text(read_bytes(path), path))
    if not text.strip():
        raise InputError(f"{path}: is empty; put an article in it")
    return text
