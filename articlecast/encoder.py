"""MP3 encoding through pydub and the bundled ffmpeg, with the loudness checked on the encoded file.

MP3 encoding lowers the measured loudness of synthetic speech by a few tenths of a LU (the encoder
drops some of the voice's noise component), so the mix is aimed a little high, the encoded file is
decoded and measured, and if it still misses -16 LUFS by more than 0.25 LU, or its true peak is above
-1 dBTP, the mix is corrected once and encoded again. An unchanged mix is not encoded twice: the encoded
audio is cached under a hash of the samples it was made from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from pathlib import Path

import numpy as np

from .cache import ensure_folder, remove_entry
from .errors import AudioError
from .ffmpeg import decode, ffmpeg_exe
from .files import write_atomic
from .loudness import CEILING_DBTP, TARGET_LUFS, integrated_loudness, normalize, true_peak_dbtp
from .models import BITRATES, Audio, Episode

log = logging.getLogger(__name__)
TOLERANCE_LU = 0.25
"""How far the encoded file may miss the target before it is corrected and encoded again."""
PEAK_LIMIT_DBTP = -1.0
"""The encoded file's true peak must not exceed this."""
ENCODER_VERSION = "1"
"""Changes whenever the same samples would be encoded differently (part of the encoded-audio cache key)."""
KEEP_ENCODED = 8
"""How many encoded episodes the cache keeps (the most recently built)."""


def _encode(samples: np.ndarray, rate: int, path: Path, bitrate: int) -> None:
    from pydub import AudioSegment

    ffmpeg_exe()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()
    seg = AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)
    try:
        # compression_level 7: LAME's fast mode, 3x quicker and no audible loss for mono speech at >= 64 kbit/s
        seg.export(str(path), format="mp3", bitrate=f"{bitrate}k", parameters=["-ac", "1", "-compression_level", "7"])
    except OSError:  # writing the file (a full disk): the caller names the folder
        raise
    except Exception as e:  # pydub raises CouldntEncodeError with ffmpeg's whole log
        raise AudioError(f"MP3 encoding failed ({str(e).splitlines()[0][:200]})") from None


def measure_file(path: Path, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an encoded file, as a listener's decoder hears it."""
    audio = decode(path, rate)
    return integrated_loudness(audio.samples, rate), true_peak_dbtp(audio.samples)


def _encoded_key(samples: np.ndarray, rate: int, bitrate: int) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{ENCODER_VERSION}:{rate}:{bitrate}:".encode())
    h.update(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
    return h.hexdigest()


def _cached(root: Path, key: str) -> tuple[bytes, float, float] | None:
    try:
        meta = json.loads((root / f"{key}.json").read_text())
        data = (root / f"{key}.mp3").read_bytes()
    except (OSError, ValueError):
        return None
    try:
        ok = hashlib.sha256(data).hexdigest() == meta["sha256"]
        lufs, peak = float(meta["lufs"]), float(meta["peak"])
    except (TypeError, KeyError, ValueError):  # valid JSON of the wrong shape
        ok = False
    if not ok:
        log.warning("encoded-audio cache entry %s was damaged; encoding again", key)
        remove_entry(root / f"{key}.json")
        remove_entry(root / f"{key}.mp3")
        return None
    return data, lufs, peak


def _store(root: Path, key: str, path: Path, lufs: float, peak: float) -> None:
    try:
        data = path.read_bytes()
        ensure_folder(root, root.parent)
        for entry in (root / f"{key}.mp3", root / f"{key}.json"):
            if entry.is_dir():  # a folder where the entry should be: repaired, not warned about forever
                remove_entry(entry)
        write_atomic(root / f"{key}.mp3", data)
        meta = {"sha256": hashlib.sha256(data).hexdigest(), "lufs": lufs, "peak": peak}
        write_atomic(root / f"{key}.json", json.dumps(meta).encode())  # written last: the entry is complete
        entries = sorted(root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP_ENCODED:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".mp3").unlink(missing_ok=True)
    except OSError as e:  # a full or read-only cache slows rebuilds down but must not stop the build
        log.warning("could not store the encoded episode in the cache (%s)", e)


def encode_mp3(episode: Episode, path: Path, bitrate: int = 96, cache: Path | None = None) -> Episode:
    """Encode to ``path`` (mono, CBR, Xing header); returns the episode with the encoded file's loudness.

    With ``cache`` (a folder), audio already encoded from the very same samples is reused.
    """
    if bitrate not in BITRATES:
        raise AudioError(f"bitrate {bitrate} is not offered; choose one of {', '.join(map(str, BITRATES))} kbit/s")
    rate = episode.audio.sample_rate
    samples = episode.audio.samples
    key = _encoded_key(samples, rate, bitrate) if cache else ""
    hit = _cached(cache, key) if cache else None
    if hit:
        path.write_bytes(hit[0])
        log.debug("encoded audio from the cache: %.2f LUFS, %.2f dBTP", hit[1], hit[2])
        return dataclasses.replace(episode, loudness_lufs=hit[1], true_peak_dbtp=hit[2])
    started = time.perf_counter()
    _encode(samples, rate, path, bitrate)
    encoded = time.perf_counter()
    lufs, peak = measure_file(path, rate)
    log.debug("encoded in %.1f s, measured in %.1f s: %.2f LUFS, %.2f dBTP", encoded - started,
              time.perf_counter() - encoded, lufs, peak)
    if abs(lufs - TARGET_LUFS) > TOLERANCE_LU or peak > PEAK_LIMIT_DBTP:
        # correct by what the encoder changed, then encode once more
        before = episode.loudness_lufs
        before = before if np.isfinite(before) else integrated_loudness(samples, rate)
        ceiling = CEILING_DBTP - max(0.0, peak - PEAK_LIMIT_DBTP)
        samples, _, _ = normalize(samples, rate, TARGET_LUFS + before - lufs, ceiling, lufs=before)
        _encode(samples, rate, path, bitrate)
        lufs, peak = measure_file(path, rate)
        log.debug("encoded again: %.2f LUFS, %.2f dBTP", lufs, peak)
    if cache:
        _store(cache, key, path, lufs, peak)
    return dataclasses.replace(episode, audio=Audio(samples, rate), loudness_lufs=lufs, true_peak_dbtp=peak)
