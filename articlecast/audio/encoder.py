"""MP3 encoding: 16-bit PCM piped into the bundled ffmpeg as the mixer renders it, at the mix's rate, and
resampled once, by ffmpeg, to the episode's (EPISODE_RATE).

Nothing is measured here: the mix's loudness is known from its sentences' energies (the mixer's), and MP3 encoding
lowers the loudness of synthetic speech by a few tenths of a LU, which the mix's target allows for
(``MP3_ALLOWANCE_LU``; tests/test_episode.py measures the decoded file, with ffmpeg's own meter too).

ffmpeg is started with SIGINT and SIGTERM blocked (a Ctrl-C to the process group is the main process's to
answer) and killed when the build stops or fails. When it fails, the reason is found from its exit status
and the folder it writes into (full, read-only, not writable), never from the words it prints.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np

from .. import stops
from ..errors import AudioError, why_not_writable
from ..models import EPISODE_RATE
from ..util.ffmpeg import ffmpeg_exe
from ..voice.segments import to_pcm16

log = logging.getLogger(__name__)
ENCODER_VERSION = "3"
"""Changes whenever the same plan would be encoded differently (part of the encoded-audio cache key)."""


def mp3_arguments(bitrate: int) -> list[str]:
    """ffmpeg's output arguments for an episode's MP3, from a mono input (bench/bench.py encodes the bare voice's
    WAV with them too): the episode's rate, mono CBR at ``bitrate`` kbit/s, LAME's fast mode (compression_level 7:
    3x quicker than its default and no audible loss for mono speech at >= 64 kbit/s)."""
    return ["-ar", str(EPISODE_RATE), "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-compression_level", "7", "-f", "mp3"]


class Encoder:
    """An MP3 being written by ffmpeg from PCM given to :meth:`write`; use it as a context manager.

    Mono, CBR, with the Xing header (so players know the exact length)."""

    def __init__(self, path: Path, bitrate: int, rate: int) -> None:
        self.path = path
        self.rate = rate
        self._log = tempfile.TemporaryFile()
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-nostdin", "-loglevel", "warning", "-y",
               "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", *mp3_arguments(bitrate), str(path)]
        with stops.quiet_children():
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
        reason = why_not_writable(self.path.parent)
        if reason is not None:
            raise reason
        log.debug("ffmpeg: %s", self._output()[-2000:])
        raise AudioError(f"MP3 encoding failed (ffmpeg exited with status {self._proc.returncode}); run with --debug "
                         "for ffmpeg's log")

    def close(self) -> None:
        """Finish the file."""
        self._proc.stdin.close()  # type: ignore[union-attr]
        if self._proc.wait() != 0:
            self._fail()

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
