#!/usr/bin/env python3
"""Benchmark: speed and memory of whole builds, each run as a user runs it (`python speak.py build ...` in a fresh
process), beside the bare `hibari` CLI in the same run.

Wall time, CPU time (user + system, of the process and every process it waited for: ffmpeg included) and peak
memory, sampled every 50 ms from /proc: the build's own process ("main") and its whole process tree.

- The cost of production: a cold build of the sample with hibari for every role, against the bare hibari CLI,
  PAIRS times each, alternating; the median ratio of wall and of CPU time. The bare CLI reads (a) the article's
  text (script/sample.txt), and (b) the very words the build gives the voice (intro, spoken headings and outro
  included, written forms spelled out): the second is the production's own overhead. And (c) the bare voice and
  its MP3: the CLI's WAV of the episode's words encoded by the same ffmpeg with the episode's own arguments (44.1
  kHz mono CBR, LAME's fast mode; audio/encoder.py's mp3_arguments): what any MP3 of that voice costs, so that
  the ratio shows what the production adds beyond an encoder every episode needs.
- The default two-voice build (FAQ questions in piper's voice), cold, against the same.
- Warm rebuild (all cached) and a rebuild after editing one paragraph.
- A long document (the sample's sections 14 times over, every sentence varied: about 3 hours) and the bare CLI on
  its words; a 20,000-word paragraph without punctuation (silent engine, and espeak).

    python bench/bench.py              # everything (about 15 minutes on 2 cores)
    python bench/bench.py --quick      # the sample only
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articlecast.audio.encoder import mp3_arguments  # noqa: E402
from articlecast.audio.plan import plan_episode  # noqa: E402
from articlecast.audio.tags import read_mp3  # noqa: E402
from articlecast.models import ROLES  # noqa: E402
from articlecast.options import Options  # noqa: E402
from articlecast.script import read_script, write_script  # noqa: E402
from articlecast.script.model import Voice  # noqa: E402
from articlecast.util.ffmpeg import ffmpeg_exe  # noqa: E402
from articlecast.voice.engines import engine_classes  # noqa: E402

MiB = 2**20
PAIRS = 5


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclasses.dataclass
class Run:
    name: str
    wall: float
    cpu: float
    audio: float
    main_mib: float
    tree_mib: float


def run(name: str, cmd: list[str], env: dict[str, str], cwd: Path, stdin: Path | None = None,
        audio: float = 0.0) -> Run:
    """Run ``cmd``: its wall time, the CPU time of its whole tree (from wait4), and its peak memory (sampled)."""
    peak = {"main": 0, "tree": 0}
    with tempfile.TemporaryFile() as err, open(stdin or os.devnull, "rb") as fin:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=fin, stdout=subprocess.DEVNULL, stderr=err)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak["main"] = max(peak["main"], _rss(proc.pid))
                peak["tree"] = max(peak["tree"], sum(_rss(p) for p in _tree(proc.pid)))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode(errors='replace').strip()}")
    return Run(name, wall, usage.ru_utime + usage.ru_stime, audio, peak["main"] / MiB, peak["tree"] / MiB)


def long_markdown(copies: int) -> tuple[str, str]:
    """The sample's sections repeated ``copies`` times as parts of one Markdown document, every sentence varied
    so that nothing is spoken twice; and the same words as plain text for the bare voice."""
    script = read_script(ROOT / "script" / "sample.yaml")
    md, plain = [f"# {script.meta.title}, the long edition", ""], []
    for k in range(1, copies + 1):
        md += [f"## Part {k}", ""]
        for ch in script.chapters:
            md += [f"### {ch.title} ({k})", ""]
            for seg in ch.segments[1:] if ch.kind == "section" else ch.segments:
                text = re.sub(r"([.!?])(\s|$)", rf" {k}\1\2", seg.text)  # "... patients 3." : a new sentence
                md += [text, ""]
                plain.append(text)
    return "\n".join(md), "\n\n".join(plain)


def spoken_words(script_path: Path) -> str:
    """The words a hibari build of the script gives the voice, one request per line (the length sentence too)."""
    script = read_script(script_path)
    script = dataclasses.replace(script, voices={r: Voice("hibari", "heart") for r in ROLES})
    plan = plan_episode(script, 96)
    return "\n".join([*(r.text for r in plan.requests), "This episode runs about 13 minutes, in 21 chapters."])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the sample only")
    p.add_argument("--pairs", type=int, default=PAIRS, help="paired runs of the build and the bare CLI (5)")
    p.add_argument("--copies", type=int, default=14, help="copies of the sample in the long document (14: ~3 h)")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="articlecast-bench-"))
    env = {**os.environ}
    env.pop("ARTICLECAST_WORKERS", None)
    script = ROOT / "script" / "sample.yaml"
    build = [sys.executable, str(ROOT / "speak.py"), "build", "-q"]
    bare = shutil.which("hibari")
    if not bare:
        raise SystemExit("the hibari CLI is not on PATH (pip install hibari-tts)")
    (work / "words.txt").write_text(spoken_words(script))
    rows: list[Run] = []
    pairs: dict[str, list[tuple[Run, Run]]] = {}

    def cold(name: str, cmd: list[str], n: int) -> Run:
        cache = work / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        r = run(name, [*cmd, "-o", str(work / f"out-{n}")], {**env, "ARTICLECAST_CACHE": str(cache)}, work)
        r.audio = read_mp3(max((work / f"out-{n}").glob("*.mp3"), key=lambda q: q.stat().st_mtime)).seconds
        return r

    def bare_run(name: str, text: Path) -> Run:
        wav = work / "bare.wav"
        r = run(name, [bare, "-o", str(wav)], env, work, stdin=text)
        with wave.open(str(wav)) as w:
            r.audio = w.getnframes() / w.getframerate()
        return r

    def bare_mp3_run(name: str, voice: Run) -> Run:
        """The WAV ``voice`` just wrote, encoded as an episode's MP3; the row is both together."""
        enc = run(name, [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(work / "bare.wav"),
                         *mp3_arguments(Options().bitrate), str(work / "bare.mp3")], env, work)
        return Run(name, voice.wall + enc.wall, voice.cpu + enc.cpu, voice.audio, voice.main_mib,
                   max(voice.tree_mib, enc.tree_mib))

    try:
        hibari = [*build, "--engine", "hibari", str(script)]
        two = [*build, str(script)]
        has_piper = engine_classes()["piper"].installed()
        for k in range(args.pairs):  # alternating, so that a busy moment of the machine hits both sides
            pairs.setdefault("hibari", []).append((cold("sample: cold build, hibari", hibari, 1),
                                                   bare_run("sample: bare `hibari` CLI, the article's text",
                                                            ROOT / "script" / "sample.txt")))
            words = bare_run("sample: bare `hibari` CLI, the episode's words", work / "words.txt")
            pairs.setdefault("words", []).append((pairs["hibari"][-1][0], words))
            pairs.setdefault("mp3", []).append((pairs["hibari"][-1][0],
                                                bare_mp3_run("sample: bare `hibari` CLI, the episode's words, and its MP3",
                                                             words)))
            if has_piper:
                pairs.setdefault("two", []).append((cold("sample: cold build, hibari + piper", two, 2),
                                                    pairs["hibari"][-1][1]))
            print(f"pair {k + 1} of {args.pairs} done", file=sys.stderr, flush=True)
        for key in pairs:
            median = sorted(pairs[key], key=lambda ab: ab[0].wall / ab[1].wall)[len(pairs[key]) // 2]
            for r in median:
                if r not in rows:
                    rows.append(r)
        cache = work / "cache-1"
        warm = run("sample: warm rebuild (all cached)", [*hibari, "-o", str(work / "out-1")],
                   {**env, "ARTICLECAST_CACHE": str(cache)}, work, audio=rows[0].audio)
        edited = read_script(script)
        ch = edited.chapters[2]
        seg = dataclasses.replace(ch.segments[1], text=ch.segments[1].text + " This sentence was added for the bench.")
        ch = dataclasses.replace(ch, segments=(ch.segments[0], seg, *ch.segments[2:]))
        write_script(work / "edited.yaml", dataclasses.replace(edited, chapters=(*edited.chapters[:2], ch,
                                                                                  *edited.chapters[3:])))
        edit = run("sample: rebuild after editing a paragraph",
                   [*build, "--engine", "hibari", str(work / "edited.yaml"), "-o", str(work / "out-1")],
                   {**env, "ARTICLECAST_CACHE": str(cache)}, work, audio=rows[0].audio)
        rows += [warm, edit]
        if not args.quick:
            md, plain = long_markdown(args.copies)
            (work / "long.md").write_text(md)
            (work / "long.txt").write_text(plain)
            long = cold("long document: cold build, hibari", [*build, "--engine", "hibari", str(work / "long.md")], 3)
            rows += [long, bare_run("long document: bare `hibari` CLI", work / "long.txt")]
            words = " ".join(f"word{n % 997}" for n in range(20000))
            (work / "runon.md").write_text(f"# A paragraph without end\n\n{words}\n")
            for engine in ("silent", "espeak"):
                if engine == "espeak" and not shutil.which("espeak-ng"):
                    continue
                rows.append(cold(f"20,000-word paragraph, {engine}",
                                 [*build, "--engine", engine, str(work / "runon.md")], 4))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'run':<60}{'wall s':>8}{'CPU s':>8}{'audio s':>9}{'x real time':>13}{'main MiB':>10}{'tree MiB':>10}")
    for r in rows:
        print(f"{r.name:<60}{r.wall:>8.1f}{r.cpu:>8.1f}{r.audio:>9.0f}{r.audio / r.wall:>13.1f}{r.main_mib:>10.0f}"
              f"{r.tree_mib:>10.0f}")
    print()
    print(f"ratios over {args.pairs} paired runs (median, and the range):")
    for key, label in (("hibari", "cold hibari build / bare CLI on the article's text"),
                       ("words", "cold hibari build / bare CLI on the episode's words"),
                       ("mp3", "cold hibari build / bare CLI on its words + their MP3"),
                       ("two", "cold two-voice build / bare CLI on the article's text")):
        if key not in pairs:
            continue
        walls = [a.wall / b.wall for a, b in pairs[key]]
        cpus = [a.cpu / b.cpu for a, b in pairs[key]]
        print(f"  {label:<58} wall {statistics.median(walls):.2f}x ({min(walls):.2f}-{max(walls):.2f}), "
              f"CPU {statistics.median(cpus):.2f}x ({min(cpus):.2f}-{max(cpus):.2f})")
    cold_wall = statistics.median(a.wall for a, _ in pairs["hibari"])
    print(f"  warm rebuild / cold build: wall {warm.wall / cold_wall:.2f}x")
    builds = [r for r in rows if "bare" not in r.name]
    print(f"  largest main process {max(r.main_mib for r in builds):.0f} MiB, whole tree "
          f"{max(r.tree_mib for r in builds):.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
