"""Segment cache: synthesized speech stored under a key of engine, voice, speed and text.

Entries are written to a temporary file and renamed into place, and carry a checksum: a damaged entry
is deleted and synthesized again, never served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from .models import Audio
from .paths import cache_dir

log = logging.getLogger(__name__)

MAGIC = b"ACSEG01\n"
HEADER = struct.Struct("<IQ32s")  # sample rate, sample count, sha256 of the samples


def segment_key(engine: str, engine_version: str, voice: str, speed: float, text: str) -> str:
    """A stable key for one synthesis request."""
    blob = json.dumps([engine, engine_version, voice, round(float(speed), 4), text], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class SegmentCache:
    """Synthesized segments on disk, as 16-bit PCM."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_dir()) / "segments"
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.seg"

    def get(self, key: str) -> Audio | None:
        """The stored audio, or None when absent or damaged (a damaged entry is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        audio = self._decode(data)
        if audio is None:
            log.warning("cache entry %s was damaged; it will be synthesized again", path)
            path.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return audio

    @staticmethod
    def _decode(data: bytes) -> Audio | None:
        head = len(MAGIC) + HEADER.size
        if len(data) < head or not data.startswith(MAGIC):
            return None
        rate, count, digest = HEADER.unpack_from(data, len(MAGIC))
        payload = data[head:]
        if rate == 0 or len(payload) != 2 * count or hashlib.sha256(payload).digest() != digest:
            return None
        return Audio(np.frombuffer(payload, dtype="<i2").astype(np.float32) / 32767.0, rate)

    def put(self, key: str, audio: Audio) -> Audio:
        """Store audio atomically (a reader never sees half an entry); returns it exactly as it will read back,
        so that a fresh build and a rebuild from the cache mix the very same samples."""
        q = (np.clip(audio.samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
        pcm = q.tobytes()
        data = MAGIC + HEADER.pack(audio.sample_rate, len(pcm) // 2, hashlib.sha256(pcm).digest()) + pcm
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
            log.warning("could not write the cache entry %s (%s); set %s to a writable folder", path, e.strerror,
                        "ARTICLECAST_CACHE")
        return Audio(q.astype(np.float32) / 32767.0, audio.sample_rate)
