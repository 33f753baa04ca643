"""The encoded-audio cache (``encoded/``): an episode whose plan (every sentence, pause, chapter and setting)
has not changed is not mixed or encoded again. Its MP3 and its timeline are kept under a hash of the plan,
the MP3 checked by its SHA-256 when copied out; a damaged entry is removed and the episode encoded again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from ..cache import ensure_folder, remove_entry, touch
from ..util.files import atomic_path, sha256_hex, write_atomic
from .encoder import ENCODER_VERSION
from .timeline import Timeline

log = logging.getLogger(__name__)
KEEP_ENCODED = 8
"""How many encoded episodes the cache keeps (the most recently built)."""


def encoded_folder(base: Path) -> Path:
    """Where encoded episodes are kept in the cache ``base``."""
    return base / "encoded"


def encoded_exists(base: Path, key: str) -> bool:
    """Whether an encoded episode is kept for ``key`` in the cache ``base``."""
    return (encoded_folder(base) / f"{key}.json").is_file()


def plan_key(plan: object, bitrate: int) -> str:
    """The encoded-audio cache key of a plan (any JSON-able description of everything that makes the audio)."""
    blob = json.dumps([ENCODER_VERSION, bitrate, plan], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=20).hexdigest()


def cached_encoding(root: Path, key: str, out: Path) -> Timeline | None:
    """Copy the MP3 encoded for ``key`` to ``out`` and return its timeline; None when there is none or it is
    damaged (a damaged entry is removed). A failure writing the copy (a full disk) is the caller's to report."""
    record, mp3 = root / f"{key}.json", root / f"{key}.mp3"
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
        src = open(mp3, "rb")  # noqa: SIM115 - closed below, after the copy
    except FileNotFoundError:
        return None
    except (OSError, ValueError):  # unreadable, or not JSON
        timeline = None
    else:
        with src, open(out, "wb") as dst:
            sha256 = sha256_hex(src, copy_to=dst)
        try:
            timeline = Timeline.from_data(meta["timeline"]) if sha256 == meta["sha256"] else None
        except (KeyError, TypeError, ValueError):  # valid JSON of the wrong shape, too
            timeline = None
    if timeline is None:
        log.warning("encoded-audio cache entry %s was damaged; encoding again", key)
        remove_entry(record)
        remove_entry(mp3)
        return None
    touch(record)
    return timeline


def store_encoding(root: Path, key: str, path: Path, timeline: Timeline) -> None:
    """Keep the MP3 at ``path`` and its timeline for ``key``; the oldest entries beyond KEEP_ENCODED go."""
    try:
        ensure_folder(root, root.parent)
        for entry in (root / f"{key}.mp3", root / f"{key}.json"):
            if entry.is_dir():  # a folder where the entry should be: repaired, not warned about forever
                remove_entry(entry)
        sha256 = sha256_hex(path)
        with atomic_path(root / f"{key}.mp3") as tmp:
            shutil.copyfile(path, tmp)
        record = {"sha256": sha256, "timeline": timeline.to_data()}
        write_atomic(root / f"{key}.json", json.dumps(record).encode())  # written last: the entry is complete
        entries = sorted(root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_ENCODED:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".mp3").unlink(missing_ok=True)
    except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
        log.warning("could not store the encoded episode in the cache (%s)", e)
