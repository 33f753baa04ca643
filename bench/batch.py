#!/usr/bin/env python3
"""Benchmark: a publisher's batch. 20 short articles built into one folder and feed (hibari), each run with
an empty cache: a shell loop of `speak.py build` (a fresh process per article), `speak.py batch` with its
local worker processes, and `speak.py batch --ray` on a Ray started here with 1 and with 2 workers.
Prints episodes per minute.

    python bench/batch.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEAK = [sys.executable, str(ROOT / "speak.py")]
TOPICS = ["rain gardens", "night trains", "heat pumps", "sourdough", "libraries", "tide tables", "bees", "bridges",
          "compost", "lighthouses", "orchards", "kites", "canals", "owls", "glaciers", "ferries", "moss", "wells",
          "hedges", "comets"]


def write_articles(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    out = []
    for i, topic in enumerate(TOPICS):
        path = folder / f"{i:02d}.md"
        path.write_text(
            f"# A short note on {topic}\n\nThis is a short article about {topic}, written for the batch benchmark. "
            f"It has a lead paragraph of a few sentences, so that the voice has something to read.\n\n"
            f"## Why {topic} matter\n\nPeople have cared about {topic} for a long time. Article {i} says why, in "
            f"two or three plain sentences that a listener can follow easily.\n\n## What to do next\n\n"
            f"Read more about {topic} at your library, or ask someone who knows them well.\n")
        out.append(path)
    return out


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="articlecast-batch-bench-"))
    arts = write_articles(work / "arts")
    base = {**os.environ, "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "disabled")}
    base.pop("ARTICLECAST_WORKERS", None)
    rows = []
    try:
        env = {**base, "ARTICLECAST_CACHE": str(work / "c1")}
        start = time.perf_counter()
        for a in arts:
            subprocess.run([*SPEAK, "build", str(a), "-q", "--engine", "hibari", "-o", str(work / "loop")], cwd=work,
                           env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows.append(("shell loop of `speak.py build`", time.perf_counter() - start))
        for name, extra, cache, workers in (("`speak.py batch` (local worker processes)", [], "c2", ""),
                                            ("`speak.py batch --ray`, 2 workers", ["--ray"], "c3", "2"),
                                            ("`speak.py batch --ray`, 1 worker", ["--ray"], "c4", "1")):
            env = {**base, "ARTICLECAST_CACHE": str(work / cache), **({"ARTICLECAST_WORKERS": workers} if workers else {})}
            rows.append((name, timed([*SPEAK, "batch", str(work / "arts"), "-q", "--engine", "hibari", "-o",
                                      str(work / cache / "site"), *extra], env, work)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; {len(TOPICS)} articles")
    print(f"{'run':<46}{'wall s':>8}{'episodes/min':>14}")
    for name, wall in rows:
        print(f"{name:<46}{wall:>8.1f}{len(TOPICS) / wall * 60:>14.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
