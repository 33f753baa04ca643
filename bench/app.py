#!/usr/bin/env python3
"""Benchmark: the listening app (`speak.py app`) under a publisher's load, killed in the middle, and against the
command line.

1. 20 real web pages nobody here wrote (the first 20 of bench/corpus/, Zyte's article-extraction benchmark) uploaded
   to the app at once over HTTP, hibari reading; the app SIGKILLed once 5 episodes are built, and started again:
   every article must end built exactly once (20 jobs done, one feed item each, no leftovers), the feed valid.
2. The sample article, from upload to playable in a freshly started app (its cache empty), against `speak.py build`
   of the same file in a fresh process (its cache empty): RUNS each, alternating; wall and CPU time.
3. The app's memory (its whole process tree, from /proc): idle after starting, and idle again after the builds.

    python bench/app.py
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import feedparser  # noqa: E402
from app_client import AppClient  # noqa: E402

from articlecast.publish import audit_feed, read_items  # noqa: E402
from articlecast.webapp.worker import RELEASE_AFTER  # noqa: E402
from bench import MiB, _rss, _tree  # noqa: E402

SPEAK = [sys.executable, str(ROOT / "speak.py")]
SAMPLE = ROOT / "script" / "sample.txt"
CORPUS = ROOT / "bench" / "corpus" / "html"
ARTICLES = 20
KILL_AFTER = 5
RUNS = 3
VOICE = "hibari:heart"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of the children it waited for (ffmpeg), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_mib(pid: int) -> float:
    return sum(_rss(p) for p in _tree(pid)) / MiB


def start_app(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], AppClient]:
    proc = subprocess.Popen([*SPEAK, "app", "-o", str(folder), "--port", "0"], cwd=folder.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    found = re.search(r"open (http://127\.0\.0\.1:\d+/)", proc.stdout.readline())
    if not found:
        raise SystemExit("the app did not start")
    return proc, AppClient(found.group(1))


def idle_mib(proc: subprocess.Popen[str]) -> float:
    """The tree's memory once it has settled (the largest of a few samples a second apart)."""
    samples = []
    for _ in range(3):
        time.sleep(1)
        samples.append(tree_mib(proc.pid))
    return max(samples)


def pages(work: Path) -> list[Path]:
    work.mkdir(parents=True)
    out = []
    for gz in sorted(CORPUS.glob("*.html.gz"))[:ARTICLES]:
        path = work / gz.name.removesuffix(".gz")
        path.write_bytes(gzip.decompress(gz.read_bytes()))
        out.append(path)
    return out


def kill_and_restart(work: Path, env: dict[str, str]) -> dict[str, object]:
    folder = work / "publisher"
    articles = pages(work / "pages")
    proc, client = start_app(folder, env)
    idle = idle_mib(proc)
    started = time.perf_counter()
    threads = [threading.Thread(target=client.add, kwargs={"files": [(p.name, p.read_bytes())], "voice": VOICE})
               for p in articles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    submitted = time.perf_counter() - started
    peak = 0.0
    while sum(j["state"] == "done" for j in client.jobs()) < KILL_AFTER:
        peak = max(peak, tree_mib(proc.pid))
        time.sleep(0.2)
    running = [j for j in client.jobs() if j["state"] == "running"]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = time.perf_counter() - started
    proc, client = start_app(folder, env)
    jobs = client.wait(ARTICLES, timeout=3600)
    took = time.perf_counter() - started
    time.sleep(RELEASE_AFTER + 5)  # idle: the voices are let go
    after = idle_mib(proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    _, items = read_items(folder)
    counted, problems = audit_feed(folder)  # notes about a folder not yet on a host (no https base URL) are expected
    feed = feedparser.parse(str(folder / "feed.xml"))
    return {
        "submitted_s": submitted, "killed_at_s": killed_at, "total_s": took, "idle_mib": idle, "after_mib": after,
        "peak_mib": peak, "jobs": len(jobs), "done": sum(j["state"] == "done" for j in jobs),
        "failed": [j["message"][:160] for j in jobs if j["state"] == "failed"],
        "running_when_killed": [j["title"] for j in running],
        "resumed": [j["title"] for j in jobs if j["attempts"] > 1],
        "episodes": len(items), "distinct_guids": len({i.guid for i in items}),
        "job_episodes": len({j["episode"] for j in jobs if j["state"] == "done"}),
        "mp3s": len(list(folder.glob("*.mp3"))),
        "leftovers": [p.name for p in folder.iterdir() if ".tmp" in p.name or p.name.startswith(".tmp")],
        "feed": f"{'well-formed' if not feed.bozo else 'NOT well-formed'}, {len(feed.entries)} items, "
                f"{sum(bool(e.get('enclosures')) for e in feed.entries)} with their MP3; audit: {counted} episodes, "
                f"{len(problems)} notes ({'; '.join(sorted({p.what for p in problems}))[:200]})",
        "feed_ok": not feed.bozo and len(feed.entries) == len(items) == counted,
    }


def upload_to_playable(work: Path, env: dict[str, str], n: int) -> tuple[float, float]:
    """A fresh app with an empty cache: the sample uploaded, until its job is done; (wall s, the app's CPU s)."""
    folder = work / f"app-{n}"
    run_env = {**env, "ARTICLECAST_CACHE": str(work / f"cache-app-{n}")}
    proc, client = start_app(folder, run_env)
    client.csrf  # noqa: B018 - the form's token fetched before the clock starts, as a browser has the page open
    time.sleep(1)
    cpu = cpu_seconds(proc.pid)
    started = time.perf_counter()
    client.add(files=[("sample.txt", SAMPLE.read_bytes())])
    while True:
        (job,) = client.jobs()
        if job["state"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    cpu = cpu_seconds(proc.pid) - cpu
    assert job["state"] == "done", job
    assert client.get("files/" + read_items(folder)[1][0].audio, {"Range": "bytes=0-9"}).status == 206
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return wall, cpu


def command_line(work: Path, env: dict[str, str], n: int) -> tuple[float, float]:
    run_env = {**env, "ARTICLECAST_CACHE": str(work / f"cache-cli-{n}")}
    started = time.perf_counter()
    proc = subprocess.Popen([*SPEAK, "build", str(SAMPLE), "-q", "-o", str(work / f"cli-{n}")], cwd=work, env=run_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("speak.py build failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="articlecast-app-bench-"))
    env = {**os.environ, "ARTICLECAST_CACHE": str(work / "cache")}
    env.pop("ARTICLECAST_WORKERS", None)
    try:
        cli, app = [], []
        for n in range(RUNS):
            cli.append(command_line(work, env, n))
            app.append(upload_to_playable(work, env, n))
        k = kill_and_restart(work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{os.cpu_count()} CPUs; hibari; {RUNS} runs each, alternating, caches empty\n")
    print("| the sample, from ... | median wall | median CPU |")
    print("|---|---:|---:|")
    print(f"| `speak.py build script/sample.txt` (fresh process) | {statistics.median(w for w, _ in cli):.1f} s | "
          f"{statistics.median(c for _, c in cli):.1f} s |")
    print(f"| upload to playable in `speak.py app` (started, idle) | {statistics.median(w for w, _ in app):.1f} s | "
          f"{statistics.median(c for _, c in app):.1f} s |")
    print(f"\nall runs (wall s): build {[round(w, 1) for w, _ in cli]}, app {[round(w, 1) for w, _ in app]}; "
          f"app minus build (median): {statistics.median(a[0] - c[0] for a, c in zip(app, cli)):+.1f} s")
    print(f"\n{ARTICLES} real pages uploaded at once ({k['submitted_s']:.1f} s to upload them all); killed (SIGKILL) at "
          f"{k['killed_at_s']:.0f} s with {KILL_AFTER} built and {k['running_when_killed']} being made; started again; "
          f"all over at {k['total_s']:.0f} s")
    for key in ("jobs", "done", "failed", "resumed", "episodes", "distinct_guids", "job_episodes", "mp3s", "leftovers",
                "feed"):
        print(f"  {key}: {k[key]}")
    print(f"\nthe app's memory (process tree): idle after start {k['idle_mib']:.0f} MiB; peak while building "
          f"{k['peak_mib']:.0f} MiB; idle {RELEASE_AFTER:.0f} s after the builds (the voices let go) "
          f"{k['after_mib']:.0f} MiB")
    ok = (k["jobs"] == ARTICLES and k["done"] + len(k["failed"]) == ARTICLES  # type: ignore[arg-type, operator]
          and k["done"] == k["episodes"] == k["distinct_guids"] == k["job_episodes"] == k["mp3s"]
          and not k["leftovers"] and k["feed_ok"])
    print("\nevery article built exactly once or refused with its reason, none lost: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
