"""The cache folder and what all its entries share: where it is, its size limit, trimming and clearing.

Each stage keeps its own kind of entry in a folder of its own (``segments/`` spoken sentences,
``encoded/`` encoded episodes, ``checks/`` listen-back verdicts, ``models/`` the recognizer's joined model);
every entry is written to a temporary file and renamed into place (:mod:`.files`), and a damaged entry is
deleted and made again, never served. The whole cache is kept under a size limit, ARTICLECAST_CACHE_MAX
(default 2 GB), by removing the entries used least recently; builds sharing one cache stay safe, since a
reader that loses an entry to another build's trim just makes it again.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir

from .errors import InputError
from .util.files import is_temporary, remove_stale_temporaries

__all__ = ["CACHE_ENV", "MAX_ENV", "Usage", "cache_dir", "cache_limit", "clear", "trim", "usage"]

log = logging.getLogger(__name__)

CACHE_ENV = "ARTICLECAST_CACHE"
"""Names the cache folder (else the platform's user cache folder, which honours XDG_CACHE_HOME)."""
MAX_ENV = "ARTICLECAST_CACHE_MAX"
"""The cache's size limit ("2G", "500M", a number of bytes)."""
DEFAULT_MAX_BYTES = 2 * 1000**3
"""The cache's size limit unless ARTICLECAST_CACHE_MAX says otherwise."""
KINDS = ("segments", "encoded", "checks")
"""The folders of entries that are counted, trimmed and cleared."""
MODELS = "models"
"""The folder of the recognizer's joined model (cleared, never trimmed)."""
_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def cache_dir() -> Path:
    """ARTICLECAST_CACHE if set, else the platform's user cache folder."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path(user_cache_dir("articlecast", appauthor=False))


def cache_limit() -> int:
    """The cache's size limit in bytes: ARTICLECAST_CACHE_MAX ("2G", "500M", "1000000"), else 2 GB."""
    text = os.environ.get(MAX_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    m = re.fullmatch(r"(?i)(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", text)
    if not m:
        raise InputError(f"{MAX_ENV}={text!r}: give a size such as 2G, 500M or a number of bytes")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def remove_entry(path: Path) -> None:
    """Remove a cache entry, file or (where a file should be) folder; a missing one is fine."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError as e:
        log.warning("could not remove the cache entry %s (%s)", path, e.strerror)


def ensure_folder(folder: Path, base: Path) -> None:
    """Make ``folder`` (inside the cache ``base``), removing any file that stands where one of its folders should."""
    here = base
    for part in folder.relative_to(base).parts:
        here = here / part
        if here.exists() and not here.is_dir():
            log.info("removing %s: a file where the cache keeps a folder", here)
            here.unlink()
    folder.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class Usage:
    """How much the cache holds."""

    files: int
    """Entries (sentences, encoded episodes and their records, listen-back verdicts)."""
    bytes: int
    """Their total size."""


def _entries(base: Path) -> list[tuple[float, int, Path]]:
    """(last used, size, path) of every entry in the cache; temporaries that dead builds left are removed."""
    out = []
    for kind in KINDS:
        for dirpath, _, names in os.walk(base / kind):
            remove_stale_temporaries(Path(dirpath))
            for name in names:
                if is_temporary(name):
                    continue
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except OSError:
                    continue
                out.append((st.st_mtime, st.st_size, path))
    return out


def usage(base: Path | None = None) -> Usage:
    """The cache's size."""
    entries = _entries(base or cache_dir())
    return Usage(len(entries), sum(size for _, size, _ in entries))


def trim(base: Path | None = None, limit: int | None = None) -> Usage:
    """Remove the entries used least recently until the cache is under ``limit`` bytes; returns what is left."""
    base = base or cache_dir()
    limit = cache_limit() if limit is None else limit
    entries = sorted(_entries(base), reverse=True)  # most recently used first
    total = sum(size for _, size, _ in entries)
    while entries and total > limit:
        _, size, path = entries.pop()
        remove_entry(path)
        total -= size
    return Usage(len(entries), total)


def clear(base: Path | None = None) -> Usage:
    """Remove every entry, and the recognizer's joined model (made again when needed); returns what was removed."""
    base = base or cache_dir()
    before = usage(base)
    for folder in (*KINDS, MODELS):
        shutil.rmtree(base / folder, ignore_errors=True)
    return before


def touch(path: Path) -> None:
    """Mark an entry as used now (the last to go when the cache is trimmed)."""
    try:
        os.utime(path)
    except OSError:
        pass
