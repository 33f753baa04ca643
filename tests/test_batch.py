"""`speak.py batch`: many articles into one folder and feed, skipping what is built, surviving what fails;
on this machine, on a Ray started here, on a two-node Ray cluster given by address, and with a worker
killed in the middle."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import REQUIRED, http_server, speak

from articlecast.batch import expand, run_batch
from articlecast.builder import Builder, Progress
from articlecast.errors import InputError
from articlecast.models import Tick
from articlecast.options import Options
from articlecast.voice.ray_pool import RayPool
from articlecast.voice.speaker import Speaker

RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray") or "ray"
"""Ray's command: beside this Python (a venv's bin need not be on PATH), else on PATH."""


def articles(folder: Path, n: int, words: int = 12) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        body = " ".join(f"word{j}" for j in range(words))
        path = folder / f"a{i:02d}.md"
        path.write_text(f"# Article number {i}\n\nThe lead of article {i}: {body}.\n\n## Part\n\nMore of {i}.\n")
        out.append(path)
    return out


def test_batch_builds_skips_and_survives_a_broken_input(tmp_path: Path) -> None:
    articles(tmp_path / "arts", 12)
    (tmp_path / "arts" / "zz-broken.txt").write_bytes(b"\x00\x01 not text")
    proc = speak(["batch", "arts", "-o", "site", "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    site = tmp_path / "site"
    assert len(list(site.glob("*.mp3"))) == 12
    assert len(json.loads((site / "feed.json").read_text())["items"]) == 12
    rows = proc.stdout.splitlines()[1:]
    assert sum(r.startswith("built") for r in rows) == 12 and rows[-1].startswith("failed")
    assert "zz-broken.txt" in rows[-1] and "binary" in rows[-1]

    # run again, from the library: nothing to build, not a sentence looked at
    with Builder(Options(output=site, voice="silent")) as builder:
        outcomes = run_batch(expand([str(tmp_path / "arts")]), builder)
        assert (builder.cache.hits, builder.cache.misses) == (0, 0)
    assert [o.status for o in outcomes] == ["skipped"] * 12 + ["failed"]
    assert isinstance(outcomes[-1].error, InputError) and outcomes[0].error is None  # told apart by its type
    # an edited article is built again, the others are not; the same file and title: the same episode, replaced
    (tmp_path / "arts" / "a03.md").write_text("# Article number 3\n\nA new lead for article three.\n")
    with Builder(Options(output=site, voice="silent")) as builder:
        outcomes = run_batch(expand([str(tmp_path / "arts")]), builder)
    assert [o.status for o in outcomes].count("built") == 1 and outcomes[3].status == "built"
    assert outcomes[3].detail.endswith("article-number-3.mp3") and not (site / "article-number-3-2.mp3").exists()
    assert len(json.loads((site / "feed.json").read_text())["items"]) == 12


def test_inputs_from_a_list_and_a_feed(tmp_path: Path) -> None:
    arts = articles(tmp_path / "arts", 3)
    (tmp_path / "list.txt").write_text(f"# the first two\n{arts[0].name}\n{arts[1]}\n")
    (tmp_path / "arts" / "list.txt").write_text(f"{arts[0].name}\n{arts[1].name}\n")
    assert expand([], str(tmp_path / "arts" / "list.txt")) == [str(arts[0]), str(arts[1])]
    rss = tmp_path / "feed.xml"
    items = "".join(f"<item><title>T{i}</title><link>https://news.example.com/{i}</link>"
                    f"<pubDate>Mon, 0{i} Nov 2026 10:00:00 GMT</pubDate></item>" for i in range(1, 5))
    rss.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>')
    assert expand([], feed=str(rss), latest=2) == ["https://news.example.com/4", "https://news.example.com/3"]
    with pytest.raises(ValueError, match="nothing to build"):
        expand([])


@pytest.mark.slow
@pytest.mark.extra("batch")
def test_batch_on_a_ray_started_here(tmp_path: Path) -> None:
    articles(tmp_path / "arts", 3)
    proc = speak(["batch", "arts", "-o", "site", "--engine", "hibari", "--ray", "-q"], tmp_path,
                 {"ARTICLECAST_WORKERS": "2"})
    assert proc.returncode == 0, proc.stderr
    assert "Ray: " in proc.stderr and "speech workers on 1 machine" in proc.stderr
    assert len(list((tmp_path / "site").glob("*.mp3"))) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_node(args: list[str], tmp: Path) -> subprocess.Popen:
    return subprocess.Popen([RAY, "start", "--block", "--disable-usage-stats", "--node-ip-address=127.0.0.1", *args],
                            cwd=tmp,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env={**os.environ, "RAY_TMPDIR": str(tmp), "RAY_AUTH_MODE": "disabled"})


def _end(node: subprocess.Popen) -> None:
    try:
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(node.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.mark.slow
@pytest.mark.extra("batch")
def test_batch_on_a_two_node_cluster_given_by_address(tmp_path: Path) -> None:
    """A head and a second node on this machine (its own resources): the work leaves the driver's process."""
    if not Path(RAY).is_file():
        if REQUIRED:
            pytest.fail("the ray command is not installed beside this Python (the [batch] extra)")
        pytest.skip("the ray command is not installed")
    port = _free_port()
    raytmp = Path("/tmp") / f"rt{os.getpid()}"  # Ray's socket paths must stay short
    raytmp.mkdir(exist_ok=True)
    head = _ray_node(["--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false"], raytmp)
    second = None
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            probe = subprocess.run([RAY, "status", f"--address=127.0.0.1:{port}"], capture_output=True, text=True,
                                   env={**os.environ, "RAY_AUTH_MODE": "disabled"})
            if probe.returncode == 0:
                break
            time.sleep(1)
        second = _ray_node([f"--address=127.0.0.1:{port}", "--num-cpus=1", '--resources={"node2": 1}'], raytmp)
        while time.monotonic() < deadline:
            status = subprocess.run([RAY, "status", f"--address=127.0.0.1:{port}"], capture_output=True, text=True,
                                    env={**os.environ, "RAY_AUTH_MODE": "disabled"})
            if "node2" in status.stdout and status.stdout.count("node_") >= 2:
                break
            time.sleep(1)
        articles(tmp_path / "arts", 4)
        proc = speak(["batch", "arts", "-o", "site", "--engine", "hibari", "--ray", f"127.0.0.1:{port}", "-q"],
                     tmp_path, {"RAY_TMPDIR": str(raytmp), "RAY_AUTH_MODE": "disabled"})  # a cluster on loopback, for the test
        assert proc.returncode == 0, proc.stderr
        assert "speech workers on 2 machine(s)" in proc.stderr, proc.stderr
        assert len(list((tmp_path / "site").glob("*.mp3"))) == 4
    finally:
        for node in (second, head):
            if node is not None:
                _end(node)
        shutil.rmtree(raytmp, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.extra("batch")
def test_a_worker_killed_mid_batch_is_survived(tmp_path: Path) -> None:
    arts = articles(tmp_path / "arts", 4, words=40)
    pools: list[RayPool] = []

    def make() -> RayPool:
        pools.append(RayPool(None))
        return pools[-1]

    killed: list[int] = []

    class KillOne(Progress):
        def speaking(self, sentences: int) -> Tick:
            def tick(n: int) -> None:  # after a few sentences, one actor's process is killed
                if not killed and pools and sum(1 for _ in builder.cache.root.rglob("*.seg")) >= 3:
                    pid = pools[0].placement[0][1]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            return tick

    with Builder(Options(output=tmp_path / "site", voice="hibari"), KillOne()) as builder:
        builder.speaker = Speaker(builder.cache, pool=make)  # Ray actors this test can reach
        with builder.speaker:
            outcomes = run_batch([str(a) for a in arts], builder)
    assert killed, "no worker was killed"
    assert [o.status for o in outcomes] == ["built"] * 4, [o.detail for o in outcomes]
    assert len(list((tmp_path / "site").glob("*.mp3"))) == 4


@pytest.fixture(autouse=True)
def _no_stray_ray() -> object:
    yield
    ray = sys.modules.get("ray")  # imported by a test that used it
    if ray is not None and ray.is_initialized():
        ray.shutdown()


_ = threading  # (threads: Ray's own)


def test_a_feed_from_the_internet_never_names_this_machines_files(tmp_path: Path) -> None:
    """A remote feed whose items point at local paths (absolute, relative, file://) builds nothing from this disk:
    its relative links are the feed site's pages, and the rest are left out."""
    import http.server

    private = tmp_path / "private.md"
    private.write_text("# Private notes\n\nThe secret word is marmalade.\n")
    items = "".join(f"<item><title>T{i}</title><link>{link}</link></item>" for i, link in enumerate(
        [str(private), f"file://{private}", "../../private.md", "https://news.example.com/ok"]))
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'.encode()

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the base class's name
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with http_server(Feed) as base:
        url = f"{base}/news/feed.xml"
        found = expand([], feed=url)
        assert all(f.startswith(("http://", "https://")) for f in found) and len(found) == 3  # file:// left out
        assert f"{base}/private.md" in found  # the site's own page, relative
        proc = speak(["batch", "--feed", url, "-o", "site", "--engine", "silent", "-q"], tmp_path)
    assert "left out" in proc.stderr
    published = " ".join(p.read_text(errors="replace") for p in (tmp_path / "site").glob("*") if p.is_file()) \
        if (tmp_path / "site").exists() else ""
    assert "marmalade" not in published
