"""The ffmpeg that imageio-ffmpeg ships (no system ffmpeg needed), and decoding with it."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import numpy as np

from .errors import AudioError
from .models import Audio


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise AudioError(f"no ffmpeg found ({e}); run 'pip install imageio-ffmpeg'") from None


def decode(data: bytes | Path, sample_rate: int = 24000) -> Audio:
    """Decode audio bytes or a file that ffmpeg reads (MP3, say) to mono float samples at ``sample_rate``."""
    source = str(data) if isinstance(data, Path) else "pipe:0"
    cmd = [ffmpeg_exe(), "-v", "error", "-i", source, "-f", "f32le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    proc = subprocess.run(cmd, input=None if isinstance(data, Path) else data, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        raise AudioError(f"could not decode audio ({proc.stderr.decode(errors='replace').strip()[:200]})")
    return Audio(np.frombuffer(proc.stdout, dtype="<f4"), sample_rate)
