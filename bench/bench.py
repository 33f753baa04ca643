#!/usr/bin/env python3
"""Benchmark: build the sample episode cold (empty cache), warm (everything cached) and after editing one
paragraph, each as a user would (`python speak.py build ...` in a fresh process) with hibari for every
role, the default two-voice build when piper is installed, and the bare `hibari` CLI reading the same
article to a WAV for comparison.

Prints seconds, x real time (episode seconds / wall seconds) and the peak memory of the largest process.

    python bench/bench.py            # all four runs
    python bench/bench.py --no-baseline
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articlecast.script import read_script, write_script  # noqa: E402
from articlecast.tagger import read_mp3  # noqa: E402


def run(cmd: list[str], env: dict[str, str], cwd: Path, stdin: Path | None = None) -> tuple[float, float]:
    """Wall seconds, and peak RSS (MiB) of the largest process in the command's tree (Linux wait4)."""
    with tempfile.TemporaryFile() as err, open(stdin or os.devnull, "rb") as fin:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=fin, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode(errors='replace').strip()}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-baseline", action="store_true", help="skip the bare hibari CLI run")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="articlecast-bench-"))
    env = {**os.environ, "ARTICLECAST_CACHE": str(work / "cache")}
    env.pop("ARTICLECAST_WORKERS", None)
    script = ROOT / "script" / "sample.yaml"
    # hibari for every role: the like-for-like comparison with the bare hibari CLI
    build = [sys.executable, str(ROOT / "speak.py"), "build", "-q"]
    speak = [*build, "-o", str(work / "out"), "--engine", "hibari"]
    rows = []
    try:
        wall, mem = run([*speak, str(script)], env, work)
        mp3 = next((work / "out").glob("*.mp3"))
        seconds = read_mp3(mp3).seconds
        rows.append(("cold build (empty cache)", wall, seconds, mem))

        wall, mem = run([*speak, str(script)], env, work)
        rows.append(("warm rebuild (all cached)", wall, seconds, mem))

        edited = read_script(script)
        ch = edited.chapters[2]
        seg = ch.segments[1]
        new_seg = dataclasses.replace(seg, text=seg.text + " This sentence was added for the benchmark.")
        new_ch = dataclasses.replace(ch, segments=(ch.segments[0], new_seg, *ch.segments[2:]))
        edited = dataclasses.replace(edited, chapters=(*edited.chapters[:2], new_ch, *edited.chapters[3:]))
        write_script(work / "edited.yaml", edited)
        wall, mem = run([*speak, str(work / "edited.yaml")], env, work)
        rows.append(("rebuild after editing one paragraph", wall, seconds, mem))

        from articlecast.engines import engine_classes

        if engine_classes()["piper"].installed():  # the default: FAQ questions in piper's voice
            env2 = {**env, "ARTICLECAST_CACHE": str(work / "cache2")}
            wall, mem = run([*build, "-o", str(work / "out2"), str(script)], env2, work)
            dialogue = read_mp3(next((work / "out2").glob("*.mp3"))).seconds
            rows.append(("cold build, FAQ dialogue (hibari + piper)", wall, dialogue, mem))

        if not args.no_baseline and shutil.which("hibari"):
            wav = work / "baseline.wav"
            wall, mem = run(["hibari", "-o", str(wav)], env, work, stdin=ROOT / "script" / "sample.txt")
            with wave.open(str(wav)) as w:
                rows.append(("bare `hibari` CLI, same article to WAV", wall, w.getnframes() / w.getframerate(), mem))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'run':<42}{'wall s':>8}{'audio s':>9}{'x real time':>13}{'peak MiB':>10}")
    for name, wall, audio, mem in rows:
        print(f"{name:<42}{wall:>8.1f}{audio:>9.0f}{audio / wall:>13.1f}{mem:>10.0f}")
    cold, warm = rows[0][1], rows[1][1]
    print(f"warm / cold: {warm / cold:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
