#!/usr/bin/env python3
"""Stops at random instants: is every SIGTERM and Ctrl-C answered, and quickly, and is the folder left as it was?

Each trial starts a real command in a session of its own — a cold build of the sample (hibari, two speech
workers, an empty cache), a warm rebuild (its encoding in the cache: mostly reading and publishing), a batch of
three articles, a listen-back check, or a build of a long PDF (the 111-page Nettle manual of tests/pages/real, the
silent engine: its first 20 s, reading page by page, planning, encoding) — waits a random time within the
command's usual length, then sends
SIGTERM to the command or SIGINT to its whole process group (as a terminal's Ctrl-C does). Before each build the
output folder holds an earlier episode of the same article (at another speed) and its feed.

A stop is answered when the command exits 143 (SIGTERM) or 130 (SIGINT) with one line on stderr (after its own
status lines), no process of its session is alive 5 s later, no temporary file is left, and the folder is byte for
byte as it was — unless the line says the new episode had already been published (the stop came during the final
renames), in which case the new episode must be complete in the feed. A command that finished before the signal
(exit 0) is counted apart.

    python bench/stops.py                # 200 trials (about 20 minutes on 2 cores)
    python bench/stops.py --trials 40
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEAK = [sys.executable, str(ROOT / "speak.py")]
SAMPLE = ROOT / "script" / "sample.yaml"
KINDS = {"cold build": 0.35, "warm rebuild": 0.25, "batch": 0.15, "check": 0.1, "document": 0.15}
"""Which commands are stopped, and how often."""
BUILD = ["build", str(SAMPLE), "-q", "--engine", "hibari", "-o", "out"]
BATCH = ["batch", "arts", "-q", "--engine", "hibari", "-o", "out"]
CHECK = ["check", "out/short.mp3", "-q"]
DOCUMENT = ["build", str(ROOT / "tests" / "pages" / "real" / "nettle-manual.pdf"), "-q", "--engine", "silent",
            "--max-words", "100000", "-o", "out"]
DOCUMENT_WINDOW = 20.0
"""A document's stops come within its build's first seconds (reading it takes about 5 s; the rest is encoding)."""
STARTUP = 0.05
"""A signal this soon after the process starts can reach it before its first statement, while the interpreter itself
starts (its site imports): Python's own handling applies then (a KeyboardInterrupt, or the signal's default action,
which a shell reports as 128 + the signal). Counted apart: no program can answer before it runs."""


def session(sid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(entry))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != ".feed.lock"}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*SPEAK, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@dataclass
class Trial:
    kind: str
    signal: str
    target: str
    delay: float
    status: int
    answer: float
    outcome: str


def feed_complete(folder: Path) -> bool:
    """Every file the feed names is there, at the length it says."""
    items = json.loads((folder / "feed.json").read_text())["items"]
    return all((folder / i["audio"]).stat().st_size == i["length"] and
               all((folder / n).is_file() for n in i["files"].values()) for i in items)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="articlecast-stops-"))
    base_env = {**os.environ, "ARTICLECAST_WORKERS": "2"}
    try:
        # the templates: a folder with an earlier episode (speed 1.1) and three articles; a cache holding the
        # rebuild's encoding only; an episode to check; and how long each command takes when left alone
        template = work / "template"
        (template / "arts").mkdir(parents=True)
        for n in range(3):
            (template / "arts" / f"a{n}.md").write_text(f"# Article {n}\n\n" + " ".join(
                f"Sentence {k} of article {n} says something about gardens." for k in range(30)) + "\n")
        run(["build", str(SAMPLE), "-q", "--engine", "hibari", "-o", "out", "--speed", "1.1"], template,
            {**base_env, "ARTICLECAST_CACHE": str(work / "cache0")})
        length: dict[str, float] = {}

        def timed(kind: str, command: list[str], folder: Path, cache: Path) -> None:
            shutil.copytree(template if folder.name != "checked" else folder, work / "timing", dirs_exist_ok=True)
            started = time.monotonic()
            run(command, work / "timing", {**base_env, "ARTICLECAST_CACHE": str(cache)})
            length[kind] = time.monotonic() - started
            shutil.rmtree(work / "timing")

        timed("cold build", BUILD, template, work / "warmcache")
        shutil.rmtree(work / "warmcache" / "segments")  # the encoding alone: a rebuild copies it
        shutil.copytree(work / "warmcache", work / "warmcache2")
        timed("warm rebuild", BUILD, template, work / "warmcache2")
        timed("batch", BATCH, template, work / "cache1")
        checked = work / "checked"
        checked.mkdir()
        (checked / "short.md").write_text("# Short\n\n" + " ".join(f"Sentence {k} is short." for k in range(20)))
        run(["build", "short.md", "-q", "--engine", "hibari", "-o", "out"], checked,
            {**base_env, "ARTICLECAST_CACHE": str(work / "cache2")})
        timed("check", CHECK, checked, work / "cache2")
        timed("document", DOCUMENT, template, work / "cache3")
        length["document"] = min(length["document"], DOCUMENT_WINDOW)
        print("usual lengths: " + ", ".join(f"{k} {v:.1f} s" for k, v in length.items()), flush=True)

        trials: list[Trial] = []
        for n in range(args.trials):
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            sig, target = rng.choice([(signal.SIGTERM, "process"), (signal.SIGINT, "group"),
                                      (signal.SIGINT, "process"), (signal.SIGTERM, "group")])
            delay = rng.uniform(0, length[kind])
            folder = work / f"t{n}"
            shutil.copytree(checked if kind == "check" else template, folder)
            env = {**base_env, "ARTICLECAST_CACHE": str(work / f"c{n}")}
            if kind == "warm rebuild":
                shutil.copytree(work / "warmcache", work / f"c{n}")
            if kind == "check":
                shutil.copytree(work / "cache2", work / f"c{n}")
            command = {"cold build": BUILD, "warm rebuild": BUILD, "batch": BATCH, "check": CHECK,
                       "document": DOCUMENT}[kind]
            before = snapshot(folder / "out") if (folder / "out").exists() else {}
            proc = subprocess.Popen([*SPEAK, *command], cwd=folder, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True, start_new_session=True)
            time.sleep(delay)
            sent = time.monotonic()
            try:
                if target == "group":
                    os.killpg(proc.pid, sig)
                else:
                    proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                _, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            answer = time.monotonic() - sent
            deadline = time.monotonic() + 5
            while session(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            alive = session(proc.pid)
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            out = folder / "out"
            temps = [q.name for q in out.iterdir() if q.name.endswith(".part")] if out.exists() else []
            lines = err.strip().splitlines()
            mine = [ln for ln in lines if ln.startswith("speak:")]
            others = [ln for ln in lines if not ln.startswith(("speak:", "Building", "Listening", "Done in",
                                                                "Saved the page", "The feed points", "report:"))
                      and " built, " not in ln]  # a batch's summary
            if proc.returncode == 0:
                outcome = "finished first"
            elif delay < STARTUP and (proc.returncode == -sig or lines[-1:] == ["KeyboardInterrupt"]):
                outcome = "before the program ran (the interpreter was still starting)"
            elif proc.returncode != 128 + sig:
                outcome = f"NOT ANSWERED (exit {proc.returncode}: {lines[-1:] or ''})"
            elif alive:
                outcome = f"NOT ANSWERED ({len(alive)} processes left)"
            elif temps:
                outcome = f"NOT ANSWERED (left {temps})"
            elif len(mine) != 1 or others:
                outcome = f"NOT ANSWERED (stderr: {lines})"
            elif answer > 5:
                outcome = f"NOT ANSWERED in 5 s ({answer:.1f} s)"
            elif "after publishing" in mine[0]:
                outcome = "answered after publishing" if feed_complete(out) else "NOT ANSWERED (feed incomplete)"
            elif "after writing" in mine[0]:
                report = out / "short.check.json"
                outcome = "answered after writing its report" if json.loads(report.read_text())["chapters"] \
                    else "NOT ANSWERED (report incomplete)"
            elif out.exists() and snapshot(out) != before:
                outcome = "NOT ANSWERED (the folder changed)"
            else:
                outcome = "answered"
            trials.append(Trial(kind, signal.Signals(sig).name, target, delay, proc.returncode, answer, outcome))
            print(f"{n + 1:>4} {kind:<13} {signal.Signals(sig).name:<8} {target:<8} at {delay:5.2f} s  "
                  f"exit {proc.returncode:>4}  {answer:5.2f} s  {outcome}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(work / f"c{n}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    early = [t for t in trials if t.outcome.startswith("before the program ran")]
    stopped = [t for t in trials if t.outcome != "finished first" and t not in early]
    answered = [t for t in stopped if t.outcome.startswith("answered")]
    print()
    print(f"{'command':<14}{'stops':>6}{'answered':>10}{'finished first':>16}{'median s':>10}{'max s':>8}")
    for kind in KINDS:
        mine = [t for t in trials if t.kind == kind]
        st = [t for t in mine if t.outcome != "finished first" and t not in early]
        ok = [t for t in st if t.outcome.startswith("answered")]
        times = sorted(t.answer for t in ok) or [float("nan")]
        print(f"{kind:<14}{len(st):>6}{len(ok):>10}{sum(t.outcome == 'finished first' for t in mine):>16}"
              f"{times[len(times) // 2]:>10.2f}"
              f"{times[-1]:>8.2f}")
    times = sorted(t.answer for t in answered) or [float("nan")]
    print(f"{'all':<14}{len(stopped):>6}{len(answered):>10}{sum(t.outcome == 'finished first' for t in trials):>16}"
          f"{times[len(times) // 2]:>10.2f}{times[-1]:>8.2f}")
    print(f"{len(early)} stop(s) came before the program's first statement, while the interpreter itself was "
          "starting (its default handling: a KeyboardInterrupt from Python, or the signal's default action)")
    after = sum(t.outcome == "answered after publishing" for t in answered)
    print(f"{after} of the answered stops came during the final renames (the new episode was published, complete)")
    written = sum(t.outcome == "answered after writing its report" for t in answered)
    print(f"{written} came as a check was writing its report (it was written whole, and said so)")
    return 0 if len(answered) == len(stopped) else 1


if __name__ == "__main__":
    sys.exit(main())
