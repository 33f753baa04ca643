#!/usr/bin/env python3
"""Benchmark: speed and memory of whole builds, each run as a user runs it (`python speak.py build ...` in a
fresh process), beside the bare `hibari` CLI reading the same text, in the same run.

- the sample, with hibari for every role: cold (empty cache), warm (all cached), after editing one paragraph;
  the default two-voice build (FAQ questions in piper's voice) cold; the bare hibari CLI;
- a long document (the sample's sections repeated with every sentence varied, about 3 hours of speech):
  hibari cold, and the bare hibari CLI on the same text;
- a 20,000-word paragraph without punctuation (silent engine, and espeak when installed): memory.

Peak memory is sampled every 50 ms from /proc: the build's own process, and its whole process tree
(speech workers and ffmpeg included). Speed is x real time (episode seconds / wall seconds) and, for the
builds, the ratio of wall time to the bare voice's on the same text. The targets of issue 10 are checked.

    python bench/bench.py              # everything (about 10 minutes on 2 cores)
    python bench/bench.py --quick      # the sample only
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articlecast.tagger import read_mp3  # noqa: E402

from articlecast.script import read_script, write_script  # noqa: E402

MiB = 2**20


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
    audio: float
    main_mib: float
    tree_mib: float


def run(name: str, cmd: list[str], env: dict[str, str], cwd: Path, stdin: Path | None = None,
        audio: float = 0.0) -> Run:
    """Run ``cmd``, sampling the memory of its process and of its whole tree."""
    peak = {"main": 0, "tree": 0}
    with tempfile.TemporaryFile() as err, open(stdin or os.devnull, "rb") as fin:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=fin, stdout=subprocess.DEVNULL, stderr=err)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                pids = _tree(proc.pid)
                peak["main"] = max(peak["main"], _rss(proc.pid))
                peak["tree"] = max(peak["tree"], sum(_rss(p) for p in pids))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode(errors='replace').strip()}")
    return Run(name, wall, audio, peak["main"] / MiB, peak["tree"] / MiB)


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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the sample only")
    p.add_argument("--copies", type=int, default=14, help="copies of the sample in the long document (14: ~3 h)")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="articlecast-bench-"))
    env = {**os.environ, "ARTICLECAST_CACHE": str(work / "cache")}
    env.pop("ARTICLECAST_WORKERS", None)
    script = ROOT / "script" / "sample.yaml"
    build = [sys.executable, str(ROOT / "speak.py"), "build", "-q"]
    hibari = [*build, "-o", str(work / "out"), "--engine", "hibari"]
    bare = shutil.which("hibari")
    rows: list[Run] = []
    ratios: dict[str, float] = {}

    def seconds_of(folder: Path) -> float:
        return read_mp3(max(folder.glob("*.mp3"), key=lambda p: p.stat().st_mtime)).seconds

    def bare_run(name: str, text: Path) -> Run:
        wav = work / "bare.wav"
        r = run(name, [bare, "-o", str(wav)], env, work, stdin=text)  # type: ignore[list-item]
        with wave.open(str(wav)) as w:
            r.audio = w.getnframes() / w.getframerate()
        return r

    try:
        cold = run("sample: cold build, hibari", [*hibari, str(script)], env, work)
        cold.audio = seconds_of(work / "out")
        warm = run("sample: warm rebuild (all cached)", [*hibari, str(script)], env, work, audio=cold.audio)
        edited = read_script(script)
        ch = edited.chapters[2]
        seg = dataclasses.replace(ch.segments[1], text=ch.segments[1].text + " This sentence was added for the bench.")
        ch = dataclasses.replace(ch, segments=(ch.segments[0], seg, *ch.segments[2:]))
        write_script(work / "edited.yaml", dataclasses.replace(edited, chapters=(*edited.chapters[:2], ch,
                                                                                  *edited.chapters[3:])))
        edit = run("sample: rebuild after editing a paragraph", [*hibari, str(work / "edited.yaml")], env, work,
                   audio=cold.audio)
        rows += [cold, warm, edit]
        from articlecast.engines import engine_classes

        if engine_classes()["piper"].installed():  # the default: FAQ questions in piper's voice
            env2 = {**env, "ARTICLECAST_CACHE": str(work / "cache2")}
            two = run("sample: cold build, hibari + piper", [*build, "-o", str(work / "out2"), str(script)], env2,
                      work)
            two.audio = seconds_of(work / "out2")
            rows.append(two)
        if bare:
            base = bare_run("sample: bare `hibari` CLI to WAV", ROOT / "script" / "sample.txt")
            rows.append(base)
            ratios["sample cold / bare"] = cold.wall / base.wall
            if len(rows) > 4:
                ratios["sample two-voice / bare"] = rows[3].wall / base.wall
        ratios["warm / cold"] = warm.wall / cold.wall

        if not args.quick:
            md, plain = long_markdown(args.copies)
            (work / "long.md").write_text(md)
            (work / "long.txt").write_text(plain)
            env3 = {**env, "ARTICLECAST_CACHE": str(work / "cache3")}
            long = run("long document: cold build, hibari", [*build, "-o", str(work / "out3"), "--engine", "hibari",
                                                             str(work / "long.md")], env3, work)
            long.audio = seconds_of(work / "out3")
            rows.append(long)
            if bare:
                long_bare = bare_run("long document: bare `hibari` CLI", work / "long.txt")
                rows.append(long_bare)
                ratios["long cold / bare"] = long.wall / long_bare.wall
            ratios["long x real time / sample's"] = (long.audio / long.wall) / (cold.audio / cold.wall)
            words = " ".join(f"word{n % 997}" for n in range(20000))
            (work / "runon.md").write_text(f"# A paragraph without end\n\n{words}\n")
            for engine in ("silent", "espeak"):
                if engine == "espeak" and not shutil.which("espeak-ng"):
                    continue
                r = run(f"20,000-word paragraph, {engine}", [*build, "-o", str(work / f"out-{engine}"), "--engine",
                                                            engine, str(work / "runon.md")],
                        {**env, "ARTICLECAST_CACHE": str(work / f"cache-{engine}")}, work)
                r.audio = seconds_of(work / f"out-{engine}")
                rows.append(r)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'run':<44}{'wall s':>8}{'audio s':>9}{'x real time':>13}{'main MiB':>10}{'tree MiB':>10}")
    for r in rows:
        print(f"{r.name:<44}{r.wall:>8.1f}{r.audio:>9.0f}{r.audio / r.wall:>13.1f}{r.main_mib:>10.0f}"
              f"{r.tree_mib:>10.0f}")
    builds = [r for r in rows if "bare" not in r.name]
    checks = [
        ("hibari cold build <= 1.2x the bare CLI", ratios.get("sample cold / bare"), 1.2, True),
        ("two-voice build <= 1.6x the bare CLI", ratios.get("sample two-voice / bare"), 1.6, True),
        ("warm rebuild <= 0.25x the cold build", ratios.get("warm / cold"), 0.25, True),
        ("main process <= 500 MB, any length", max(r.main_mib for r in builds) * MiB / 1e6, 500, True),
        ("whole tree <= 2 GB, any length", max(r.tree_mib for r in builds) * MiB / 1e9, 2, True),
        ("3 h: x real time within 20% of the sample's", ratios.get("long x real time / sample's"), 0.8, False),
        ("20,000-word paragraph <= 1 GB (tree)", max((r.tree_mib for r in rows if "20,000" in r.name), default=None)
         and max(r.tree_mib for r in rows if "20,000" in r.name) * MiB / 1e9, 1, True),
    ]
    print()
    for name, value, limit, at_most in checks:
        if value is None:
            print(f"  -     {name}: not measured")
            continue
        ok = value <= limit if at_most else value >= limit
        print(f"  {'met ' if ok else 'MISS'}  {name}: {value:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
