"""Segment cache: synthesized speech stored under a key of engine, voice, speed and text.

Entries are written to a temporary file and renamed into place, and carry a checksum: a damaged entry
(of any shape, a folder where a file should be included) is deleted and made again, never served.
The whole cache (segments and encoded episodes) is kept under a size limit, ARTICLECAST_CACHE_MAX
(default 2 GB), by removing the entries used least recently; builds sharing one cache stay safe, since
a reader that loses an entry to another build's trim just makes it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import InputError
from .models import Audio, Said
from .paths import cache_dir

log = logging.getLogger(__name__)

MAGIC = b"ACSEG02\n"
HEADER = struct.Struct("<IQIdd16s16s")
"""Sample rate, sample count, hop count, loudness (LUFS), true peak (dBTP), digest of the hops, digest of the PCM."""


def segment_key(engine: str, engine_version: str, voice: str, speed: float, text: str) -> str:
    """A stable key for one synthesis request."""
    blob = json.dumps([engine, engine_version, voice, round(float(speed), 4), text], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


MAX_ENV = "ARTICLECAST_CACHE_MAX"
DEFAULT_MAX_BYTES = 2 * 1000**3
"""The cache's size limit unless ARTICLECAST_CACHE_MAX says otherwise."""
STALE_TEMP_SECONDS = 3600
"""A temporary file in the cache untouched this long was left by a build that died."""
_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


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


class SegmentCache:
    """Synthesized segments on disk, as 16-bit PCM."""

    def __init__(self, root: Path | None = None) -> None:
        self.base = root or cache_dir()
        """The cache folder (segments/ and encoded/ inside)."""
        self.root = self.base / "segments"
        self.hits = 0
        self.misses = 0
        self._warned = False

    @property
    def encoded(self) -> Path:
        """The folder of encoded episodes."""
        return self.base / "encoded"

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.seg"

    def exists(self, key: str) -> bool:
        """Whether an entry is stored for ``key`` (not checked: :meth:`said` does that)."""
        return self._path(key).is_file()

    def encoded_exists(self, key: str) -> bool:
        """Whether an encoded episode is stored for ``key``."""
        return (self.encoded / f"{key}.json").is_file()

    def _read(self, key: str, audio: bool) -> tuple[Said, Audio | None] | None:
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                head = f.read(len(MAGIC) + HEADER.size)
                if len(head) < len(MAGIC) + HEADER.size or not head.startswith(MAGIC):
                    raise ValueError("not an entry of this version")
                rate, count, n_hops, lufs, peak, hop_digest, pcm_digest = HEADER.unpack_from(head, len(MAGIC))
                hops_raw = f.read(8 * n_hops)
                if rate == 0 or len(hops_raw) != 8 * n_hops or _digest(hops_raw) != hop_digest:
                    raise ValueError("damaged stats")
                samples = None
                if audio:
                    pcm = f.read(2 * count + 1)
                    if len(pcm) != 2 * count or _digest(pcm) != pcm_digest:
                        raise ValueError("damaged audio")
                    samples = Audio(np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0, rate)
        except (FileNotFoundError, NotADirectoryError):  # absent (a file where a folder should be: put repairs it)
            return None
        except (OSError, ValueError, struct.error):  # a folder, an unreadable file, a damaged or old entry
            log.info("cache entry %s was damaged or old; it will be made again", path)
            remove_entry(path)
            return None
        try:
            os.utime(path)  # used now: the last to go when the cache is trimmed
        except OSError:
            pass
        hops = np.frombuffer(hops_raw, dtype="<f8")
        return Said(key, count, rate, lufs, peak, hops), samples

    def said(self, key: str) -> Said | None:
        """What the mixer needs of a stored sentence (its length, level and hop energies), without reading its
        audio; None when absent or damaged (a damaged entry is removed). Counts as a hit or a miss."""
        found = self._read(key, audio=False)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        return found[0]

    def get(self, key: str) -> Audio | None:
        """The stored audio, or None when absent or damaged (a damaged entry is removed)."""
        found = self._read(key, audio=True)
        return found[1] if found else None

    def put(self, key: str, audio: Audio, said: Said) -> bool:
        """Store a sentence's audio and stats atomically (a reader never sees half an entry); False when the cache
        cannot be written (warned about once)."""
        pcm = to_pcm16(audio.samples)
        hops = np.ascontiguousarray(said.hops, dtype="<f8").tobytes()
        head = HEADER.pack(audio.sample_rate, len(pcm) // 2, len(said.hops), said.lufs, said.peak_dbtp,
                           _digest(hops), _digest(pcm))
        path = self._path(key)
        try:
            ensure_folder(path.parent, self.base)
            if path.is_dir():
                remove_entry(path)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(MAGIC + head + hops + pcm)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
            if not self._warned:
                log.warning("could not write to the cache %s (%s); rebuilds will be slower: free space there or set "
                            "ARTICLECAST_CACHE to a writable folder", self.base, e.strerror)
                self._warned = True
            return False
        return True


def to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples as 16-bit little-endian PCM, as the cache stores them and the encoder takes them."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def as_stored(samples: np.ndarray) -> np.ndarray:
    """Samples exactly as the cache gives them back (16-bit), so that fresh and cached speech mix the same."""
    return np.frombuffer(to_pcm16(samples), dtype="<i2").astype(np.float32) / 32767.0


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


# ---------------------------------------------------------------- size


@dataclass(frozen=True)
class Usage:
    """How much the cache holds."""

    files: int
    """Entries (segments, encoded episodes and their records, listen-back verdicts)."""
    bytes: int
    """Their total size."""


def _entries(base: Path) -> list[tuple[float, int, Path]]:
    """(last used, size, path) of every file in the cache; leftover temporaries older than an hour are removed."""
    out = []
    now = time.time()
    for folder in (base / "segments", base / "encoded", base / "checks"):
        for dirpath, _, names in os.walk(folder):
            for name in names:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except OSError:
                    continue
                if name.startswith((".tmp-", ".ac-")):
                    if now - st.st_mtime > STALE_TEMP_SECONDS:
                        path.unlink(missing_ok=True)
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
    for folder in (base / "segments", base / "encoded", base / "checks", base / "models"):
        shutil.rmtree(folder, ignore_errors=True)
    return before
