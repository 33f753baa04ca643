"""The ffmpeg that imageio-ffmpeg ships (no system ffmpeg needed), and decoding with it: whole, for short audio,
or as a stream of blocks, for an episode. Every ffmpeg this tool starts has SIGINT and SIGTERM blocked: a stop
is the main process's to answer (:mod:`.stops`)."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from .. import stops
from ..errors import AudioError
from ..models import MIX_RATE, Audio


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary."""
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as e:
        raise AudioError(f"no ffmpeg found ({e}); run 'pip install imageio-ffmpeg'") from None


def _decode_command(source: str, sample_rate: int, seconds: float | None = None) -> list[str]:
    quiet = ["-nostdin"] if source != "pipe:0" else []  # a file: ffmpeg must not read the terminal
    first = ["-t", f"{seconds:.3f}"] if seconds is not None else []
    return [ffmpeg_exe(), "-v", "error", *quiet, "-i", source, *first, "-vn", "-f", "f32le", "-ac", "1", "-ar",
            str(sample_rate), "pipe:1"]


def decode(data: bytes | Path, sample_rate: int = MIX_RATE, seconds: float | None = None) -> Audio:
    """Decode audio bytes or a file that ffmpeg reads (MP3, WAV, FLAC, Ogg, M4A...) to mono float samples at
    ``sample_rate``: all of it, or its first ``seconds``."""
    source = str(data) if isinstance(data, Path) else "pipe:0"
    with stops.quiet_children():
        proc = subprocess.Popen(_decode_command(source, sample_rate, seconds), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(None if isinstance(data, Path) else data)
    if proc.returncode != 0 or not out:
        raise AudioError(f"could not decode audio ({err.decode(errors='replace').strip()[:200] or 'no audio in it'})")
    return Audio(np.frombuffer(out[: len(out) // 4 * 4], dtype="<f4"), sample_rate)


def decode_stream(path: Path, sample_rate: int, block_seconds: float = 5.0) -> Iterator[np.ndarray]:
    """A file decoded to mono float32 at ``sample_rate``, in blocks of ``block_seconds`` (memory does not grow
    with its length); AudioError when ffmpeg cannot read it. Leaving the loop early ends ffmpeg."""
    with stops.quiet_children():
        proc = subprocess.Popen(_decode_command(str(path), sample_rate), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        while block := proc.stdout.read(int(sample_rate * block_seconds) * 4):
            yield np.frombuffer(block[: len(block) // 4 * 4], dtype="<f4")
        err = proc.stderr.read().decode(errors="replace").strip()
        if proc.wait() != 0:
            raise AudioError(f"{path}: could not decode ({err[:200] or 'ffmpeg failed'}); is it an MP3?")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
