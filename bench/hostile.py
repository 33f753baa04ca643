#!/usr/bin/env python3
"""Hostile and broken inputs, run as a user (or a publisher's cron job) runs them: each case is a fresh
`python speak.py ...` process, with a hostile web server on 127.0.0.1 where one is needed. For each: wall time, the
peak memory of its whole process tree (sampled from /proc), its exit status and its last line, against the bounds
README states: every case ends within 30 s and 500 MB, with one error line and exit 2 (or a correct episode).

    python bench/hostile.py            # every case (about 5 minutes: four of them wait out the 25 s fetch deadline)
    python bench/hostile.py --quick    # without the four slow servers

Besides the exit and the bounds, a case may check what it left (a victim file beside the target still there, the
feed free of live markup) or drive the running command (``serve`` asked for bad byte ranges, a ``publish`` stopped
in the middle of a file on a slow link to a local S3 server).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.etree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from hostile_files import small_pdf, word_document  # noqa: E402
from hostile_server import CuttableProxy, hostile_server  # noqa: E402

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
    """speak.py's arguments ({base}: the hostile server's address, {hostport}: its port, {folder}: the case's
    folder, {free}: a free port)."""
    setup: Callable[[Path], None] = lambda folder: None
    expect: str = "error"
    """"error" (exit 2, one line), "episode" (exit 0), "batch" (exit 1: the bad inputs failed, the good one built),
    "any" (an episode or one line), "stopped" (exit 143, the stop's line last: a case driven, then stopped)."""
    slow: bool = False
    check: Callable[[Path], str] | None = None
    """What the case left, looked at: a problem, or ""."""
    drive: Callable[[subprocess.Popen, Path], str] | None = None
    """Talks to the running command and ends it (SIGTERM): a problem, or ""."""
    env: dict[str, str] | None = None


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


ARTICLE_MD = f"# Rain gardens\n\n{PARAGRAPH}\n\n## Planting\n\n{PARAGRAPH}\n"
BASE_URL = "https://example.org/pod/"
LINE = b"<w:p><w:r><w:t>Gardens grow slowly in the rain, and the rain is welcome here.</w:t></w:r></w:p>"
BOOK = ROOT / "tests" / "pages" / "real" / "accessible-epub-3.epub"
CNN = ROOT / "tests" / "pages" / "real" / "cnn-birth-lottery.html"


def speak_here(folder: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "speak.py"), *args], cwd=folder, check=True, capture_output=True)


def built(then: Callable[[Path], None] = lambda folder: None, title: str = "Rain gardens",
          publish: bool = False) -> Callable[[Path], None]:
    """An episode built (silent voice) into out/, published to site/ when asked, then ``then``."""
    def setup(folder: Path) -> None:
        (folder / "a.md").write_text(ARTICLE_MD.replace("# Rain gardens", f"# {title}", 1))
        speak_here(folder, "build", "a.md", "--engine", "silent", "-q", "-o", "out", "--base-url", BASE_URL)
        if publish:
            speak_here(folder, "publish", "out", (folder / "site").as_uri() + "/", "-q")
        then(folder)
    return setup


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def victim(name: str) -> Callable[[Path], str]:
    return lambda folder: "" if (folder / name).is_file() else f"{name} beside the target was deleted"


def record_names_victim(folder: Path) -> None:
    (folder / "victim.txt").write_text("not ours")

    def change(record: dict) -> None:
        record["files"]["../victim.txt"] = "0" * 64
        record["delete"] = ["../victim.txt", "/etc/hostname"]
    edit_json(folder / "site" / ".articlecast-manifest.json", change)
    edit_json(folder / "out" / "feed.json", lambda r: r["items"][0].update(title="Rain gardens, again"))


def feed_json_names(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        (folder / "rm-victim.txt").write_text("not ours")
        edit_json(folder / "out" / "feed.json", lambda r: r["items"][0]["files"].update(txt=name))
    return setup


def mp3_is_a_symlink(folder: Path) -> None:
    (mp3,) = (folder / "out").glob("*.mp3")
    mp3.unlink()
    mp3.symlink_to("/etc/hostname")


def feed_cut(folder: Path) -> None:
    feed = folder / "out" / "feed.xml"
    feed.write_bytes(feed.read_bytes()[:300])


def word(*body: bytes) -> Callable[[Path], None]:
    return lambda folder: word_document(folder / "doc.docx", list(body))


def word_entities(folder: Path) -> None:
    word_document(folder / "doc.docx", [LINE])
    with zipfile.ZipFile(folder / "doc.docx") as package:
        parts = {n: package.read(n) for n in package.namelist()}
    body = parts["word/document.xml"]
    parts["word/document.xml"] = (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b '
                                  b'"&a;&a;&a;&a;&a;&a;&a;&a;">]>' + body[body.index(b"<w:document"):]
                                  ).replace(b"Gardens", b"&b; Gardens")
    with zipfile.ZipFile(folder / "doc.docx", "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)


def epub(change: Callable[[dict[str, bytes]], None]) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        with zipfile.ZipFile(BOOK) as book:
            parts = {n: book.read(n) for n in book.namelist()}
        change(parts)
        with zipfile.ZipFile(folder / "book.epub", "w") as book:
            for name, data in parts.items():
                book.writestr(name, data)
    return setup


def opf_laughs(parts: dict[str, bytes]) -> None:
    opf = parts["EPUB/package.opf"]
    parts["EPUB/package.opf"] = (b'<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "aaaaaaaaaa"><!ENTITY b '
                                 b'"&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                                 + opf[opf.index(b"<package"):].replace(b"</dc:title>", b"&c;</dc:title>", 1))


def feed_text(folder: Path) -> str:
    return next(folder.rglob("feed.xml")).read_text(encoding="utf-8")


def nothing_live(folder: Path) -> str:
    """The feed's text, once parsed as XML (as a feed reader parses it), holds no markup of the article's."""
    root = lxml.etree.fromstring(next(folder.rglob("feed.xml")).read_bytes())
    said = " ".join(t for t in root.itertext())
    return "markup from the article is live in the feed" if re.search(r"<\s*(img|script)", said, re.I) else ""


def locked(folder: Path) -> str:
    return "" if "<podcast:locked>yes</podcast:locked>" in feed_text(folder) else "no podcast:locked"


def no_bidi(folder: Path) -> str:
    return "a bidirectional override reached the feed" if "\u202e" in feed_text(folder) else ""


def edited(folder: Path) -> None:
    (folder / "a.md").write_text(ARTICLE_MD.replace("slowly", "quietly", 1))


def one_episode(folder: Path) -> str:
    items = json.loads((folder / "out" / "feed.json").read_text())["items"]
    names = sorted(p.name for p in (folder / "out").glob("*.mp3"))
    return "" if len(items) == 1 and names == ["rain-gardens.mp3"] else f"{len(items)} items, {names}"


def remember_feed(folder: Path) -> None:
    (folder / "feed.mtime").write_text(str((folder / "site" / "feed.xml").stat().st_mtime_ns))


def feed_untouched(folder: Path) -> str:
    before = (folder / "feed.mtime").read_text()
    return "" if str((folder / "site" / "feed.xml").stat().st_mtime_ns) == before else "feed.xml uploaded again"


def no_sentence_chapters(folder: Path) -> str:
    titles = [c["title"] for f in (folder / "audio_out").glob("*.chapters.json")
              for c in json.loads(f.read_text())["chapters"]]
    return "a chapter titled by a sentence" if any("heralded" in t for t in titles) or not titles else ""


def digest_inputs(folder: Path) -> None:
    shutil.copy(CNN, folder / "cnn.html")
    (folder / "b.md").write_text(ARTICLE_MD)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def wait_for_port(proc: subprocess.Popen, port: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def bad_ranges(proc: subprocess.Popen, folder: Path) -> str:
    """Multiple, out-of-range and malformed byte ranges: 416 (or the whole file), never a 500."""
    port = int(proc.args[proc.args.index("--port") + 1])
    problems = []
    if not wait_for_port(proc, port):
        problems.append("never listened")
    else:
        (mp3,) = (folder / "out").glob("*.mp3")
        for bad in ("bytes=999999999-", "bytes=abc", "bytes=5-1,0-0,7-9,99999999-", "bytes=-0"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/{mp3.name}", headers={"Range": bad})
            try:
                with urllib.request.urlopen(request, timeout=10) as r:
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            if status not in (200, 206, 416):
                problems.append(f"{bad}: {status}")
    proc.send_signal(signal.SIGTERM)
    return "; ".join(problems)


S3: dict[str, object] = {}
"""The local S3 server (moto's) and the slow link to it, made by the first case that needs them."""
S3_KEYS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
LINK = 4 * 2**20
"""The slow link's bytes a second."""


def s3_slow_link(folder: Path) -> None:
    """An episode whose MP3 is 40 MiB (10 s over the link), published once to a local S3 server; then an edit."""
    import boto3  # noqa: PLC0415 - the test extra's: only this case needs them
    from moto.server import ThreadedMotoServer  # noqa: PLC0415

    if "server" not in S3:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        S3.update(server=server, endpoint=f"http://{host}:{port}")
    os.environ.update(S3_KEYS, AWS_ENDPOINT_URL=str(S3["endpoint"]))  # for the setup's own publish
    bucket = f"pod-{os.urandom(4).hex()}"
    boto3.client("s3", endpoint_url=str(S3["endpoint"])).create_bucket(Bucket=bucket)
    built()(folder)
    (folder / "bucket").write_text(bucket)
    speak_here(folder, "publish", "out", f"s3://{bucket}/show/", "-q")  # straight, not through the link
    (folder / "a.md").write_text(ARTICLE_MD.replace("# Rain gardens", "# Compost heaps"))
    speak_here(folder, "build", "a.md", "--engine", "silent", "-q", "-o", "out")
    (folder / "out" / "compost-heaps.mp3").write_bytes(os.urandom(40 * 2**20))
    upstream = str(S3["endpoint"]).removeprefix("http://").split(":")
    proxy = CuttableProxy((upstream[0], int(upstream[1])), rate=LINK)
    S3.update(proxy=proxy, link=f"http://127.0.0.1:{proxy.port}")


def stop_mid_file(proc: subprocess.Popen, folder: Path) -> str:
    """SIGTERM once two 5 MiB parts crossed the link: answered within one part, nothing committed."""
    import boto3  # noqa: PLC0415

    proxy = S3["proxy"]
    assert isinstance(proxy, CuttableProxy)
    deadline = time.monotonic() + 60
    while proxy.carried < 12 * 2**20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    answered = time.monotonic() - sent
    proxy.cut()
    print(f"         (publish stopped mid-file: answered in {answered:.1f} s over a {LINK / 2**20:.0f} MiB/s link)",
          file=sys.stderr)
    client = boto3.client("s3", endpoint_url=str(S3["endpoint"]))
    bucket = (folder / "bucket").read_text()
    names = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    problems = [f"answered in {answered:.1f} s" if answered > 4 else "",
                "the MP3 was committed" if any(n.endswith("compost-heaps.mp3") for n in names) else "",
                "an unfinished upload was left" if client.list_multipart_uploads(Bucket=bucket).get("Uploads") else ""]
    return "; ".join(p for p in problems if p)


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
    # documents with bounds
    Case("PDF with a page box of 10^11 points", ["build", "huge.pdf", "--engine", "silent", "-q"],
         lambda folder: small_pdf(folder / "huge.pdf", "-99999999999 -99999999999 99999999999 99999999999",
                                  [f"Line {i} of a page whose box is as wide as a continent, and whose text is short."
                                   for i in range(20)]), "episode"),
    Case("Word: 50,000 paragraphs (600,000 words in 20 kB)", ["build", "doc.docx", "--engine", "silent"],
         word(LINE * 50_000)),
    Case("Word: a million paragraphs in 100 kB", ["build", "doc.docx", "--engine", "silent"],
         word(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 1_000_000)),
    Case("Word: 16 million empty paragraphs", ["build", "doc.docx", "--engine", "silent"],
         word(*[b"<w:p/>" * 100_000] * 160)),
    Case("Word: 175 MB of bookmarks in one paragraph", ["build", "doc.docx", "--engine", "silent"],
         word(b"<w:p><w:r><w:t>Start here.</w:t></w:r>", *[b'<w:bookmarkEnd w:id="1"/>' * 100_000] * 70,
              b"</w:p>", LINE)),
    Case("Word: 7 million runs in one paragraph", ["build", "doc.docx", "--engine", "silent"],
         word(b"<w:p>", *[b"<w:r><w:t>a </w:t></w:r>" * 100_000] * 70, b"</w:p>")),
    Case("Word: nested entities", ["build", "doc.docx", "--engine", "silent"], word_entities),
    Case("EPUB: its spine names a missing document", ["build", "book.epub", "--engine", "silent"],
         epub(lambda parts: parts.pop("EPUB/pr01.xhtml"))),
    Case("EPUB: a billion laughs in its package", ["build", "book.epub", "--engine", "silent"], epub(opf_laughs)),
    Case("EPUB: &xxe; in its title", ["script", "book.epub", "-o", "book.yaml"],
         epub(lambda parts: parts.update({"EPUB/package.opf": parts["EPUB/package.opf"].replace(
             b"</dc:title>", b" &xxe;</dc:title>", 1)})), "episode",
         check=lambda folder: "&xxe; to be spoken" if "xxe" in (folder / "book.yaml").read_text() else ""),
    # names that stay in their folder, publishing that never points at a missing file
    Case("publish: the remote record names ../victim.txt", ["publish", "out", "{site}", "-q"],
         built(record_names_victim, publish=True), "episode", check=victim("victim.txt")),
    Case("remove: feed.json names ../rm-victim.txt", ["remove", "out", "rain-gardens.mp3"],
         built(feed_json_names("../rm-victim.txt")), check=victim("rm-victim.txt")),
    Case("serve: feed.json names /etc/passwd", ["serve", "out", "--port", "{free}"],
         built(feed_json_names("/etc/passwd"))),
    Case("publish: a symbolic link named like the MP3", ["publish", "out", "{site}", "-q"], built(mp3_is_a_symlink)),
    Case("publish: a cut feed.xml", ["publish", "out", "{site}", "-q"], built(feed_cut)),
    Case("publish: an unchanged folder again", ["publish", "out", "{site}", "-q"],
         built(remember_feed, publish=True), "episode", check=feed_untouched),
    # credentials never printed; hosts that are not what they seem
    Case("publish: s3://key:secret@ address", ["publish", "out", "s3://key:secret@bucket/show/"], built(),
         env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}),
    Case("publish --dry-run: https://user:secret@ address", ["publish", "out", "https://user:secret@127.0.0.1:9/x/",
                                                             "--dry-run"], built()),
    Case("publish: SFTP to a web server", ["publish", "out", "sftp://me@127.0.0.1:{hostport}/show"], built()),
    Case("publish: SFTP to a closed port", ["publish", "out", "sftp://me@127.0.0.1:9/show"], built()),
    Case("remove: a folder that does not exist", ["remove", "nothere/dir", "x.mp3"],
         check=lambda folder: "made the folder" if (folder / "nothere").exists() else ""),
    Case("--music is a named pipe", ["build", "a.md", "--engine", "silent", "--music", "pipe"],
         both(write("a.md", ARTICLE_MD), lambda folder: os.mkfifo(folder / "pipe"))),
    Case("--music is /dev/zero", ["build", "a.md", "--engine", "silent", "--music", "/dev/zero"],
         write("a.md", ARTICLE_MD)),
    Case("--music is a folder", ["build", "a.md", "--engine", "silent", "--music", "."], write("a.md", ARTICLE_MD)),
    # nothing live
    Case("title <img onerror>, heading <script>", ["build", "a.md", "--engine", "silent", "-q"],
         write("a.md", ARTICLE_MD.replace("# Rain gardens", "# <img src=x onerror=alert(1)> gardens").replace(
             "## Planting", "## <script>alert(9)</script> Planting")), "episode", check=nothing_live),
    Case("title with a right-to-left override", ["build", "a.md", "--engine", "silent", "-q"],
         write("a.md", ARTICLE_MD.replace("# Rain gardens", "# Rain \u202egardens")), "episode", check=no_bidi),
    Case("the feed is locked", ["build", "a.md", "--engine", "silent", "-q"], write("a.md", ARTICLE_MD), "episode",
         check=locked),
    # serve
    Case("serve: multiple, out-of-range and malformed ranges", ["serve", "out", "--port", "{free}"], built(),
         "stopped", drive=bad_ranges),
    Case("publish: stopped mid-file, S3 over a 4 MiB/s link", ["publish", "out", "s3://{bucket}/show/"],
         s3_slow_link, "stopped", drive=stop_mid_file, env={"AWS_ENDPOINT_URL": "{link}", **S3_KEYS}),
    Case("serve: a busy port", ["serve", "out", "--port", "{hostport}"], built()),
    Case("serve: port 99999", ["serve", "out", "--port", "99999"], built()),
    # identity
    Case("an article edited and built again", ["build", "a.md", "--engine", "silent", "-q", "-o", "out"],
         built(edited), "episode", check=one_episode),
    Case("a digest with readability's CNN page", ["build", "cnn.html", "b.md", "--digest", "This week", "--engine",
                                                   "silent", "-q"], digest_inputs, "episode",
         check=no_sentence_chapters),
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
        fill = {"{base}": base, "{hostport}": base.rsplit(":", 1)[1], "{site}": (folder / "site").as_uri() + "/",
                "{free}": str(free_port()), "{link}": str(S3.get("link", "")),
                "{bucket}": (folder / "bucket").read_text() if (folder / "bucket").exists() else ""}

        def filled(text: str) -> str:
            for key, value in fill.items():
                text = text.replace(key, value)
            return text
        args = [filled(a) for a in case.args]
        env = {**env, **{k: filled(v) for k, v in (case.env or {}).items()}}
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
            driven = case.drive(proc, folder) if case.drive else ""
            status = proc.wait()
            wall = time.perf_counter() - started
            done.set()
            sampler.join()
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        leaked = SECRET in "".join(p.read_text(errors="replace") for p in folder.rglob("*")
                                   if p.is_file() and not p.is_symlink() and not stat.S_ISFIFO(p.lstat().st_mode)
                                   and p.name != "private.md")
        left = "; ".join(x for x in (driven, case.check(folder) if case.check else "") if x)
    return Result(case, wall, peak[0] / MiB, status, stderr, verdict(case, wall, peak[0] / MiB, status, stderr,
                                                                     leaked, left))


def verdict(case: Case, wall: float, peak: float, status: int, stderr: str, leaked: bool, left: str = "") -> str:
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
    if left:
        problems.append(left)
    want = {"error": status == 2 and len(errors) == 1 and len(lines) == 1, "episode": status == 0,
            "batch": status == 1 and not errors and "1 built" in stderr, "any": status == 0 or (status == 2 and len(errors) == 1),
            "stopped": status == 143 and bool(lines) and lines[-1].startswith("speak: stopped by SIGTERM")}
    if not want[case.expect]:
        problems.append(f"exit {status}, {len(lines)} lines")
    return "ok" if not problems else "; ".join(problems)


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the local S3 server's own request log
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="leave out the four servers that trickle")
    ap.add_argument("--only", metavar="TEXT", default="", help="only the cases whose name contains TEXT")
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
            if (args.quick and case.slow) or args.only.casefold() not in case.name.casefold():
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
    if "server" in S3:
        S3["server"].stop()  # type: ignore[attr-defined]
    bad = [r for r in results if r.verdict != "ok"]
    print(f"\n{len(results) - len(bad)} of {len(results)} cases within {TIME_BOUND:g} s and {MEMORY_BOUND:g} MiB, "
          f"one line, the right exit")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
