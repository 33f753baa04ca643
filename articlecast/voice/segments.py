"""Spoken sentences in the cache (``segments/``), under a key of engine, voice, speed and text.

An entry holds the sentence's 16-bit PCM and what the mixer needs to place and level it without reading the
audio (:class:`~..models.Said`: length, loudness, true peak, hop energies, its words' times), and checksums of both: a damaged
entry, of any shape (a folder where a file should be included), is deleted and made again, never served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
from pathlib import Path

import numpy as np

from ..cache import cache_dir, ensure_folder, remove_entry, touch
from ..models import Audio
from ..util.files import atomic_path
from .said import Said

log = logging.getLogger(__name__)

MAGIC = b"ACSEG03\n"
HEADER = struct.Struct("<IQIIdd16s16s")
"""Sample rate, sample count, hop count, word count, loudness (LUFS), true peak (dBTP), digest of the hops and the
words' times, digest of the PCM."""


def segment_key(engine: str, engine_version: str, voice: str, speed: float, text: str) -> str:
    """A stable key for one synthesis request."""
    blob = json.dumps([engine, engine_version, voice, round(float(speed), 4), text], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples as 16-bit little-endian PCM, as the cache stores them and the encoder takes them."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def as_stored(samples: np.ndarray) -> np.ndarray:
    """Samples exactly as the cache gives them back (16-bit), so that fresh and cached speech mix the same."""
    return np.frombuffer(to_pcm16(samples), dtype="<i2").astype(np.float32) / 32767.0


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class SegmentCache:
    """Spoken sentences on disk, as 16-bit PCM with their measurements."""

    def __init__(self, root: Path | None = None) -> None:
        self.base = root or cache_dir()
        """The cache folder (segments/ and the other kinds of entry inside)."""
        self.root = self.base / "segments"
        self.hits = 0
        """Sentences found (since this object was made)."""
        self.misses = 0
        """Sentences not found."""
        self._warned = False

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.seg"

    def exists(self, key: str) -> bool:
        """Whether an entry is stored for ``key`` (not checked: :meth:`said` does that)."""
        return self._path(key).is_file()

    def _read(self, key: str, audio: bool) -> tuple[Said, Audio | None] | None:
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                head = f.read(len(MAGIC) + HEADER.size)
                if len(head) < len(MAGIC) + HEADER.size or not head.startswith(MAGIC):
                    raise ValueError("not an entry of this version")
                rate, count, n_hops, n_words, lufs, peak, hop_digest, pcm_digest = HEADER.unpack_from(head, len(MAGIC))
                hops_raw = f.read(8 * n_hops + 16 * n_words)
                if rate == 0 or len(hops_raw) != 8 * n_hops + 16 * n_words or _digest(hops_raw) != hop_digest:
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
        touch(path)
        hops = np.frombuffer(hops_raw, dtype="<f8", count=n_hops)
        spans = np.frombuffer(hops_raw, dtype="<i8", offset=8 * n_hops).reshape(-1, 2)
        words = tuple((int(a), int(b)) for a, b in spans)
        if samples is not None:
            samples = Audio(samples.samples, rate, words)
        return Said(key, count, rate, lufs, peak, hops, words), samples

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
        hops = (np.ascontiguousarray(said.hops, dtype="<f8").tobytes()
                + np.asarray(said.words, dtype="<i8").reshape(-1, 2).tobytes())
        head = HEADER.pack(audio.sample_rate, len(pcm) // 2, len(said.hops), len(said.words), said.lufs, said.peak_dbtp,
                           _digest(hops), _digest(pcm))
        path = self._path(key)
        try:
            ensure_folder(path.parent, self.base)
            if path.is_dir():
                remove_entry(path)
            with atomic_path(path) as tmp:
                tmp.write_bytes(MAGIC + head + hops + pcm)
        except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
            if not self._warned:
                log.warning("could not write to the cache %s (%s); rebuilds will be slower: free space there or set "
                            "ARTICLECAST_CACHE to a writable folder", self.base, e.strerror)
                self._warned = True
            return False
        return True
