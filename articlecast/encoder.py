"""MP3 encoding: 16-bit PCM piped into the bundled ffmpeg as the mixer renders it, and the encoded-audio cache.

The same ffmpeg process measures what it encodes (an ``ebur128`` branch of its filter graph beside the
encoder), so the file is never decoded again to be measured. MP3 encoding lowers the loudness of
synthetic speech by a few tenths of a LU, which the mix's target allows for (``MP3_ALLOWANCE_LU``).

An episode whose plan (every sentence, pause, chapter and setting) has not changed is not mixed or
encoded again: its MP3 and its timeline are kept in the encoded-audio cache under a hash of the plan.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from .cache import ensure_folder, remove_entry, to_pcm16
from .errors import AudioError
from .ffmpeg import decode, ffmpeg_exe
from .files import write_atomic
from .loudness import integrated_loudness, true_peak_dbtp

log = logging.getLogger(__name__)
ENCODER_VERSION = "2"
"""Changes whenever the same plan would be encoded differently (part of the encoded-audio cache key)."""
KEEP_ENCODED = 8
"""How many encoded episodes the cache keeps (the most recently built)."""


class Encoder:
    """An MP3 being written by ffmpeg from PCM given to :meth:`write`; use it as a context manager.

    Mono, CBR, with the Xing header (so players know the exact length)."""

    def __init__(self, path: Path, bitrate: int, rate: int) -> None:
        self.path = path
        self.rate = rate
        self.loudness = float("nan")
        """Integrated loudness of what was encoded (LUFS), once closed."""
        self._log = tempfile.TemporaryFile()
        graph = "[0:a]asplit=2[enc][meter];[meter]ebur128=framelog=quiet[measured];[measured]anullsink"
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", "info", "-y",
               "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
               "-filter_complex", graph, "-map", "[enc]",
               # compression_level 7: LAME's fast mode, 3x quicker and no audible loss for mono speech at >= 64 kbit/s
               "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-compression_level", "7", "-f", "mp3", str(path)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log)

    def write(self, samples: np.ndarray) -> None:
        """Encode these samples next."""
        try:
            self._proc.stdin.write(to_pcm16(samples))  # type: ignore[union-attr]
        except BrokenPipeError:
            self._proc.wait()
            self._fail()

    def _output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _fail(self) -> None:
        out = self._output()
        if "No space left" in out:
            raise OSError(errno.ENOSPC, "No space left on device", str(self.path.parent))
        if "Permission denied" in out:
            raise OSError(errno.EACCES, "Permission denied", str(self.path.parent))
        last = [ln for ln in out.splitlines() if ln.strip()][-1:] or ["no output"]
        raise AudioError(f"MP3 encoding failed ({last[0][:200]}); run with --debug for ffmpeg's log")

    def close(self) -> float:
        """Finish the file; returns its loudness as ffmpeg measured it."""
        self._proc.stdin.close()  # type: ignore[union-attr]
        if self._proc.wait() != 0:
            self._fail()
        out = self._output()
        log.debug("ffmpeg: %s", out[-600:])
        found = re.findall(r"^\s*I:\s*(-?[\d.]+|-inf) LUFS", out, re.M)
        self.loudness = float(found[-1]) if found else float("nan")
        return self.loudness

    def abort(self) -> None:
        """Stop ffmpeg at once (the caller removes the file)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if et is not None:
                self.abort()
        finally:
            self._log.close()


def measure_file(path: Path, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an encoded file, as a listener's decoder hears it (for checks:
    the whole file is decoded into memory)."""
    audio = decode(path, rate)
    return integrated_loudness(audio.samples, rate), true_peak_dbtp(audio.samples)


# ---------------------------------------------------------------- the encoded-audio cache


def plan_key(plan: object, bitrate: int) -> str:
    """The encoded-audio cache key of a plan (any JSON-able description of everything that makes the audio)."""
    blob = json.dumps([ENCODER_VERSION, bitrate, plan], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=20).hexdigest()


def cached_encoding(root: Path, key: str, out: Path) -> dict[str, Any] | None:
    """Copy the MP3 encoded for ``key`` to ``out`` and return its record (timeline, loudness); None when there is
    none or it is damaged (a damaged entry is removed)."""
    record, mp3 = root / f"{key}.json", root / f"{key}.mp3"
    try:
        meta = json.loads(record.read_text(encoding="utf-8"))
        src = open(mp3, "rb")  # noqa: SIM115 - closed below, after the copy
    except FileNotFoundError:
        return None
    except (OSError, ValueError):  # unreadable, or not JSON
        ok, meta, src = False, None, None
    else:
        digest = hashlib.sha256()
        with src, open(out, "wb") as dst:  # a failure writing the copy (a full disk) is the caller's to report
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
        try:
            ok = digest.hexdigest() == meta["sha256"] and isinstance(meta["timeline"], dict)
        except (KeyError, TypeError):  # valid JSON of the wrong shape, too
            ok = False
    if not ok:
        log.warning("encoded-audio cache entry %s was damaged; encoding again", key)
        remove_entry(record)
        remove_entry(mp3)
        return None
    try:
        record.touch()
    except OSError:
        pass
    return meta  # type: ignore[return-value]


def store_encoding(root: Path, key: str, path: Path, timeline: dict[str, Any]) -> None:
    """Keep the MP3 at ``path`` and its timeline for ``key``; the oldest entries beyond KEEP_ENCODED go."""
    try:
        ensure_folder(root, root.parent)
        for entry in (root / f"{key}.mp3", root / f"{key}.json"):
            if entry.is_dir():  # a folder where the entry should be: repaired, not warned about forever
                remove_entry(entry)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        from .files import atomic_path

        with atomic_path(root / f"{key}.mp3") as tmp:
            shutil.copyfile(path, tmp)
        record = {"sha256": digest.hexdigest(), "timeline": timeline}
        write_atomic(root / f"{key}.json", json.dumps(record).encode())  # written last: the entry is complete
        entries = sorted(root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_ENCODED:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".mp3").unlink(missing_ok=True)
    except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
        log.warning("could not store the encoded episode in the cache (%s)", e)
