#!/usr/bin/env python3
"""Hostile and broken inputs, run as a user (or a publisher's cron job) runs them: each case is a fresh
`python speak.py ...` process, with a hostile web server on 127.0.0.1 where one is needed. For each: wall time, the
peak memory of its whole process tree (sampled from /proc), its exit status and its last line, against the bounds
README states: every case ends within 30 s and 500 MB, with one error line and exit 2 (or a correct episode).

    python bench/hostile.py            # every case (about 3 minutes: four of them wait out the 25 s fetch deadline)
    python bench/hostile.py --quick    # without the four slow servers
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from hostile_server import hostile_server  # noqa: E402

from bench import MiB, _rss, _tree  # noqa: E402

TIME_BOUND, MEMORY_BOUND = 30.0, 500.0
"""The bounds README states (seconds, MiB)."""
KILL_AFTER = 90.0
SECRET = "PRIVATE-WORDS-OF-THIS-MACHINE"
PARAGRAPH = "Gardens grow slowly in the rain, and the rain is welcome here in the valley. " * 10
SCRIPT = "episode: {title: T}\nchapters:\n- title: C\n  segments: ['Some words to say.']\n"
ARTICLE = f"<article><h1>Rain gardens</h1><p>{PARAGRAPH}</p><h2>Second</h2><p>{PARAGRAPH}</p></article>"


@dataclass
class Case:
    name: str
    args: list[str]
    """speak.py's arguments ({base} is the hostile server's address)."""
    setup: Callable[[Path], None] = lambda folder: None
    expect: str = "error"
    """"error" (exit 2, one line), "episode" (exit 0), "batch" (exit 1: the bad inputs failed, the good one built),
    "any" (an episode or one line)."""
    slow: bool = False


def write(name: str, text: str | bytes) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return setup


def both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        for s in setups:
            s(folder)
    return setup


def big_markdown(name: str, megabytes: float) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        part = f"## Part\n\n{PARAGRAPH}\n\n"
        (folder / name).write_text("# Big\n\n" + part * int(megabytes * 1e6 / len(part)))
    return setup


def fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.png")
    (folder / "ep.yaml").write_text(SCRIPT.replace("{title: T}", "{title: T, image: pipe.png}"))


def pixel_bomb(folder: Path) -> None:
    """A PNG of 60,000 x 60,000 pixels in a few kB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\0" * (60000 * 3 + 1) * 16, 9)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    (folder / "bomb.png").write_bytes(png)
    (folder / "ep.yaml").write_text(SCRIPT.replace("{title: T}", "{title: T, image: bomb.png}"))


def episode(name: str) -> Callable[[Path], None]:
    """Two small episodes built (silent voice), for the check's cases."""
    def setup(folder: Path) -> None:
        (folder / "a.md").write_text(f"# Tide\n\n{PARAGRAPH}\n")
        (folder / "b.md").write_text("# Stones\n\n" + "Stones in the river wear smooth over the years. " * 20 + "\n")
        subprocess.run([sys.executable, str(ROOT / "speak.py"), "build", "a.md", "b.md", "--engine", "silent", "-q"],
                       cwd=folder, check=True, capture_output=True)
        out = folder / "audio_out"
        data = (out / "tide.mp3").read_bytes()
        if name == "cut":
            (out / "cut.mp3").write_bytes(data[:len(data) // 2])
            (out / "cut.vtt").write_bytes((out / "tide.vtt").read_bytes())
        elif name == "foreign":
            (out / "tide.vtt").write_bytes((out / "stones.vtt").read_bytes())
        else:
            (out / "tiny.mp3").write_bytes(data[:1000])
    return setup


def feed(folder: Path) -> None:
    (folder / "private.md").write_text(f"# Private\n\n{SECRET} " + PARAGRAPH)


CASES = [
    Case("remote feed naming local files", ["batch", "--feed", "{base}/feed.xml", "--engine", "silent", "-q"], feed,
         "batch"),
    Case("slow headers (a byte a second)", ["build", "{base}/slow-headers", "--engine", "silent"], slow=True),
    Case("many slow headers", ["build", "{base}/many-headers", "--engine", "silent"], slow=True),
    Case("slow body with a length", ["build", "{base}/slow-body", "--engine", "silent"], slow=True),
    Case("slow chunked body", ["build", "{base}/slow-chunked", "--engine", "silent"], slow=True),
    Case("endless body", ["build", "{base}/huge", "--engine", "silent"]),
    Case("says it is 3 GB", ["build", "{base}/liar", "--engine", "silent"]),
    Case("user:password@ address", ["build", "http://user:secret@127.0.0.1:9/x", "--engine", "silent"]),
    Case("catastrophic lexicon pattern", ["build", "ep.yaml", "--engine", "silent", "-q"],
         write("ep.yaml", SCRIPT.replace("chapters:", 'lexicon: {"/(a+)+$/": b}\nchapters:')
               .replace("Some words to say.", "a" * 40 + "!")), "any"),
    Case("cover art is a named pipe", ["build", "ep.yaml", "--engine", "silent"], fifo),
    Case("cover art of 3.6 gigapixels", ["build", "ep.yaml", "--engine", "silent"], pixel_bomb),
    Case("cover art outside the script's folder", ["build", "ep.yaml", "--engine", "silent"],
         write("ep.yaml", SCRIPT.replace("{title: T}", "{title: T, image: ../../x.png}"))),
    Case("billion laughs in a title", ["build", "ep.yaml", "--engine", "silent"],
         write("ep.yaml", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
               + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
               + SCRIPT.replace("{title: T}", "{title: *i}"))),
    Case("control characters in the title", ["build", "ep.yaml", "--engine", "silent", "-q"],
         write("ep.yaml", SCRIPT.replace("{title: T}", '{title: "Rain\\x0b \\x1b]0;pwned\\x07gardens"}')), "episode"),
    Case("lexicon group reference \\9", ["build", "ep.yaml", "--engine", "silent"],
         write("ep.yaml", SCRIPT.replace("chapters:", "lexicon: {'/(a)/': '\\9'}\nchapters:"))),
    Case("guid a list, speed true", ["build", "ep.yaml", "--engine", "silent"],
         write("ep.yaml", "speed: true\n" + SCRIPT.replace("{title: T}", "{title: T, guid: [a, b]}"))),
    Case("language, e-mail, category: xxxxx", ["build", "ep.yaml", "--engine", "silent"],
         write("ep.yaml", "show: {language: xxxxx, email: xxxxx, category: xxxxx}\n" + SCRIPT)),
    Case("page with control characters", ["build", "p.html", "--engine", "silent", "-q"],
         write("p.html", f"<html><body>{ARTICLE.replace('rain,', 'rain,' + chr(1) + chr(11), 9)}</body></html>"),
         "episode"),
    Case("5,000 nested divs around an article", ["build", "p.html", "--engine", "silent", "-q"],
         write("p.html", "<html><body>" + "<div>" * 5000 + ARTICLE + "</div>" * 5000 + "</body></html>"), "episode"),
    Case("page with an empty meta charset", ["build", "p.html", "--engine", "silent", "-q"],
         write("p.html", '<html><head><meta charset=""><title>Māori gardens</title></head><body>'
               + ARTICLE.replace("Rain gardens", "Māori gardens") + "</body></html>"), "episode"),
    Case("1 MB Markdown (190,000 words)", ["build", "big.md", "--engine", "silent"], big_markdown("big.md", 1)),
    Case("20 MB Markdown in a batch", ["batch", "big.md", "small.md", "--engine", "silent", "-q"],
         both(big_markdown("big.md", 20), write("small.md", f"# Small\n\n{PARAGRAPH}\n")), "batch"),
    Case("check: a cut-short MP3", ["check", "audio_out/cut.mp3"], episode("cut")),
    Case("check: another episode's captions", ["check", "audio_out/tide.mp3"], episode("foreign")),
    Case("check: a 1,000-byte MP3", ["check", "audio_out/tiny.mp3"], episode("tiny")),
]


@dataclass
class Result:
    case: Case
    wall: float
    peak_mib: float
    status: int
    stderr: str
    verdict: str


def run(case: Case, base: str, env: dict[str, str]) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "work"
        folder.mkdir()
        case.setup(folder)
        args = [a.replace("{base}", base) for a in case.args]
        peak = [0]
        with tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, str(ROOT / "speak.py"), *args], cwd=folder, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.05):
                    peak[0] = max(peak[0], sum(_rss(p) for p in _tree(proc.pid)))
                    if time.perf_counter() - started > KILL_AFTER:
                        proc.kill()

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            status = proc.wait()
            wall = time.perf_counter() - started
            done.set()
            sampler.join()
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        leaked = SECRET in "".join(p.read_text(errors="replace") for p in folder.rglob("*")
                                   if p.is_file() and not stat.S_ISFIFO(p.lstat().st_mode) and p.name != "private.md")
    return Result(case, wall, peak[0] / MiB, status, stderr, verdict(case, wall, peak[0] / MiB, status, stderr,
                                                                     leaked))


def verdict(case: Case, wall: float, peak: float, status: int, stderr: str, leaked: bool) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("speak: error:")]
    problems = []
    if wall > TIME_BOUND:
        problems.append(f"over {TIME_BOUND:g} s")
    if peak > MEMORY_BOUND:
        problems.append(f"over {MEMORY_BOUND:g} MiB")
    if "Traceback" in stderr or "internal error" in stderr:
        problems.append("a traceback")
    if "\x1b" in stderr or "secret" in stderr:
        problems.append("echoed what it should not")
    if leaked:
        problems.append("published a local file")
    want = {"error": status == 2 and len(errors) == 1 and len(lines) == 1, "episode": status == 0,
            "batch": status == 1 and not errors and "1 built" in stderr, "any": status == 0 or (status == 2 and len(errors) == 1)}
    if not want[case.expect]:
        problems.append(f"exit {status}, {len(lines)} lines")
    return "ok" if not problems else "; ".join(problems)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="leave out the four servers that trickle")
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="hostile-cache-")
    env = {**os.environ, "ARTICLECAST_CACHE": cache, "PYTHONDONTWRITEBYTECODE": "1"}
    feed_xml = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
                b"<item><title>a</title><link>/tmp/private.md</link></item>"
                b"<item><title>b</title><link>../../private.md</link></item>"
                b"<item><title>c</title><link>file:///etc/hostname</link></item>"
                b"<item><title>d</title><link>/page</link></item></channel></rss>")
    results = []
    with hostile_server(pause=1.0, extra={"/feed.xml": ("application/rss+xml", feed_xml)}) as (base, _):
        for case in CASES:
            if args.quick and case.slow:
                continue
            r = run(case, base, env)
            results.append(r)
            last = (r.stderr.strip().splitlines() or [""])[-1]
            print(f"{r.wall:6.1f} s {r.peak_mib:6.0f} MiB  exit {r.status:<3} {r.verdict:<4}  {case.name}: {last[:110]}",
                  file=sys.stderr, flush=True)
    print("\n| case | wall | peak memory (tree) | exit | verdict |\n|---|---:|---:|---:|---|")
    for r in results:
        print(f"| {r.case.name} | {r.wall:.1f} s | {r.peak_mib:.0f} MiB | {r.status} | {r.verdict} |")
    shutil.rmtree(cache, ignore_errors=True)
    bad = [r for r in results if r.verdict != "ok"]
    print(f"\n{len(results) - len(bad)} of {len(results)} cases within {TIME_BOUND:g} s and {MEMORY_BOUND:g} MiB, "
          f"one line, the right exit")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
