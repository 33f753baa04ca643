#!/usr/bin/env python3
"""Benchmark of the listen-back check: `speak.py check` and `build --check`, each a fresh process as a user
runs it, beside the bare `hibari` CLI reading the same text in the same run (speed is given as a ratio to
it, and as x real time), with the peak memory of the process and of its whole tree (workers, ffmpeg).

- the sample, hibari for every role (as the bare voice): a cold build, `check` on it (the first time joins
  the model into the cache: shown apart),
  a cold `build --check`, a warm `build --check`;
- a long document (the sample's sections 3 times, every sentence varied: about 40 minutes): a build and
  `check` on it, for memory that must not grow with the length.

    python bench/check.py            # everything (about 10 minutes on 2 cores)
    python bench/check.py --quick    # the sample only
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from articlecast.audio.tags import read_mp3  # noqa: E402
from bench import ROOT, Run, long_markdown, run  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="the sample only")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="articlecast-bench-check-"))
    env = {**os.environ, "ARTICLECAST_CACHE": str(work / "cache")}
    env.pop("ARTICLECAST_WORKERS", None)
    speak = [sys.executable, str(ROOT / "speak.py")]
    sample = ROOT / "script" / "sample.yaml"
    rows: list[Run] = []
    try:
        bare = shutil.which("hibari")
        base = None
        if bare:
            base = run("sample: bare `hibari` CLI to WAV", [bare, "-o", str(work / "bare.wav")], env, work,
                       stdin=ROOT / "script" / "sample.txt")
            with wave.open(str(work / "bare.wav")) as w:
                base.audio = w.getnframes() / w.getframerate()
            rows.append(base)
        cold = run("sample: cold build", [*speak, "build", "-q", "--engine", "hibari", "-o", "out", str(sample)], env, work)
        (mp3,) = (work / "out").glob("*.mp3")
        cold.audio = read_mp3(mp3).seconds
        first = run("sample: check (first: joins the model)", [*speak, "check", "-q", str(mp3)], env, work,
                    audio=cold.audio)
        check = run("sample: check", [*speak, "check", "-q", str(mp3)], env, work, audio=cold.audio)
        env2 = {**env, "ARTICLECAST_CACHE": str(work / "cache2")}
        shutil.copytree(work / "cache" / "models", work / "cache2" / "models")  # the model, not the speech
        checked = run("sample: cold build --check", [*speak, "build", "-q", "--engine", "hibari", "--check", "-o", "out2", str(sample)],
                      env2, work, audio=cold.audio)
        warm = run("sample: warm build --check", [*speak, "build", "-q", "--engine", "hibari", "--check", "-o", "out2", str(sample)], env2,
                   work, audio=cold.audio)
        rows += [cold, first, check, checked, warm]
        if not args.quick:
            md, _ = long_markdown(3)
            (work / "long.md").write_text(md)
            long = run("long document: cold build", [*speak, "build", "-q", "--engine", "hibari", "-o", "long", "long.md"], env, work)
            (lmp3,) = (work / "long").glob("*.mp3")
            long.audio = read_mp3(lmp3).seconds
            lcheck = run("long document: check", [*speak, "check", "-q", str(lmp3)], env, work, audio=long.audio)
            rows += [long, lcheck]
        print("| run | wall s | CPU s | audio s | x real time | main MiB | tree MiB |\n|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            x = r.audio / r.wall if r.audio else 0
            print(f"| {r.name} | {r.wall:.1f} | {r.cpu:.1f} | {r.audio:.0f} | {x:.1f} | {r.main_mib:.0f} | "
                  f"{r.tree_mib:.0f} |")
        if base is not None:
            print(f"check / bare voice: {check.wall / base.wall:.2f}x wall, {check.cpu / base.cpu:.2f}x CPU;  cold "
                  f"build --check / bare voice: {checked.wall / base.wall:.2f}x wall, {checked.cpu / base.cpu:.2f}x "
                  f"CPU;  cold build / bare voice: {cold.wall / base.wall:.2f}x;  warm build --check / cold build: "
                  f"{warm.wall / cold.wall:.2f}x")
        print(f"check at {cold.audio / check.wall:.1f}x real time on the sample"
              + (f", {rows[-1].audio / rows[-1].wall:.1f}x on the long document" if not args.quick else ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
