"""Writing files safely: a temporary file beside the target, then a rename; and file names from titles.

Every temporary file this tool makes — in an output folder or in the cache — is hidden and named
``.ac-<pid>-<random>-<name>.part``, so that a later build can tell its own leftovers (from a build that was
killed) from anything else, and remove them: those of a process that is gone, or untouched for STALE_SECONDS.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from slugify import slugify as python_slugify

log = logging.getLogger(__name__)

TEMP_PREFIX = ".ac-"
"""Start of every temporary file's name."""
TEMP_SUFFIX = ".part"
"""End of every temporary file's name."""
STALE_SECONDS = 600
"""A temporary file of ours untouched this long is a leftover, even if its process id is in use again."""
_TEMP_RE = re.compile(r"^\.ac-(\d+)-[A-Za-z0-9_]+-.*\.part$")
SLUG_LIMIT = 80
"""Longest file-name stem made from a title, in characters."""


HASH_CHUNK = 1 << 20
"""How much of a file is read at a time to hash it."""


def sha256_hex(*sources: Path | BinaryIO, copy_to: BinaryIO | None = None) -> str:
    """The SHA-256 (hex) of the sources' bytes one after another (a path is opened; an open file is read from where
    it is), a chunk at a time, and each chunk written to ``copy_to`` as it is read."""
    digest = hashlib.sha256()
    for source in sources:
        with open(source, "rb") if isinstance(source, Path) else contextlib.nullcontext(source) as f:
            while chunk := f.read(HASH_CHUNK):
                digest.update(chunk)
                if copy_to is not None:
                    copy_to.write(chunk)
    return digest.hexdigest()


def plain_name(name: object) -> bool:
    """Whether a name read from a record (feed.json, a remote manifest, a request) is a plain file name of its own
    folder: a non-empty string with no separator, not ``.`` or ``..``, no NUL or control character. Only such
    names are ever joined to a folder, so a record cannot make us read, write, serve or delete anything outside."""
    return (isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name
            and not any(ord(c) < 32 or ord(c) == 127 for c in name))


def is_temporary(name: str) -> bool:
    """Whether a file name is one of this tool's temporary files."""
    return bool(_TEMP_RE.match(name))


def temp_path(path: Path) -> Path:
    """A new, empty temporary file beside ``path`` (hidden; see the module's docstring)."""
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=f"-{path.name}{TEMP_SUFFIX}",
                               dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish_path(tmp: Path, path: Path) -> None:
    """Move a finished temporary file into place, readable as published files are (mkstemp made it private)."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on failure it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        yield tmp
        publish_path(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes so that a reader sees the old file or the new one, never half of one."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path, now: float | None = None) -> list[Path]:
    """Remove our temporary files left in ``folder`` by builds that died; returns what was removed.

    A temporary file is stale when the process that made it is gone, or when nobody has written to it
    for STALE_SECONDS (a build writing a long episode keeps touching its file)."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if not m or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(m.group(1))
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
        except OSError:
            continue
        if (pid != os.getpid() and not _alive(pid)) or old:
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
                log.info("removed %s, left by a build that did not finish", entry.path)
            except OSError as e:
                if e.errno != errno.ENOENT:
                    log.warning("could not remove the leftover %s (%s)", entry.path, e.strerror)
    return removed


def slugify(title: str, limit: int = SLUG_LIMIT) -> str:
    """A file-name stem from a title: ASCII letters, digits and dashes, other scripts transliterated
    ("Привет, мир" -> "privet-mir"); empty when nothing readable is left (a title of emoji)."""
    return python_slugify(title, max_length=limit, word_boundary=True)
