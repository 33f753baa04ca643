"""Publishing where listeners are, against real servers on loopback: moto's S3 server (the S3 HTTP API, as AWS, R2,
B2 and MinIO speak it) started by the tests, OpenSSH's sshd for SFTP, a folder (file://), and `speak.py serve`
read by an HTTP client that asks for byte ranges as podcast apps do. What was uploaded is read back from the
server: bytes, Content-Type, Cache-Control."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import lxml.etree
import pytest
from botocore.exceptions import ClientError
from helpers import REQUIRED, need_extra, one_line_error, speak, start
from hostile_server import CuttableProxy
from moto.server import ThreadedMotoServer

from articlecast.publish import read_items, serving
from articlecast.publish.upload import FEED, MANIFEST, content_type, published_files

BASE = "https://podcast.example/show/"


def _article(folder: Path, name: str, title: str) -> str:
    (folder / f"{name}.md").write_text(f"# {title}\n\nRain gardens soak up storm water. They are cheap to build.\n\n"
                                       "## Planting\n\nUse native plants that like wet feet. Water them well.\n")
    return f"{name}.md"


def _build(folder: Path, *inputs: str, base: str = BASE) -> None:
    args = ["build", *inputs, "--engine", "silent", "-q", "-o", "out", *(["--base-url", base] if base else [])]
    proc = speak(args, folder)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def moto_server() -> Iterator[dict[str, str]]:
    """An S3 server on 127.0.0.1 (moto's, speaking the S3 HTTP API); yields the environment that points boto3 (and
    so s3fs) at it."""
    need_extra("publish")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    server.stop()


@pytest.fixture
def s3(moto_server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, str]]:
    """A new empty bucket on the S3 server: its s3:// address (a folder in it) and the environment."""
    for k, v in moto_server.items():
        monkeypatch.setenv(k, v)
    bucket = f"podcast-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return f"s3://{bucket}/show/", moto_server


def _s3(url: str, key: str) -> tuple[int, dict[str, str], bytes]:
    """An object read back from the S3 server (over HTTP, signed): status, the headers it was stored with, its
    bytes."""
    bucket, _, folder = url.removeprefix("s3://").partition("/")
    try:
        obj = boto3.client("s3").get_object(Bucket=bucket, Key=f"{folder}{key}")
    except ClientError as e:
        return int(e.response["ResponseMetadata"]["HTTPStatusCode"]), {}, b""
    return 200, {"Content-Type": obj["ContentType"], "Cache-Control": obj.get("CacheControl", "")}, obj["Body"].read()


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), b""


def test_publish_to_s3_uploads_every_file_with_its_type_the_feed_last_then_nothing(
        s3: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    proc = speak(["publish", "out", url], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    order = [line.split()[1] for line in proc.stdout.splitlines() if line.startswith("  ")]
    files = published_files(tmp_path / "out")
    assert sorted(order) == sorted(files) and order[-1] == FEED and order[0].endswith(".mp3")
    for name, path in files.items():
        status, headers, body = _s3(url, name)
        assert status == 200 and body == path.read_bytes(), name
        assert headers["Content-Type"] == content_type(name), name
    assert _s3(url, FEED)[1]["Cache-Control"] == "public, max-age=300"
    assert _s3(url, "rain-gardens.mp3")[1]["Content-Type"] == "audio/mpeg"
    assert _s3(url, "feed.json")[0] == 404  # the feed's record (with the owner's e-mail) stays here
    again = speak(["publish", "out", url], tmp_path, env)
    assert again.returncode == 0 and "Nothing to upload" in again.stdout


def test_a_feed_that_points_at_the_folder_is_refused_before_any_upload(s3: tuple[str, dict[str, str]],
                                                                       tmp_path: Path) -> None:
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"), base="")
    one_line_error(speak(["publish", "out", url], tmp_path, env), "--base-url")
    assert _s3(url, FEED)[0] == 404
    proc = speak(["publish", "out", url, "--base-url", BASE], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert f"{BASE}rain-gardens.mp3" in _s3(url, FEED)[2].decode()  # the feed's links are the host's
    assert read_items(tmp_path / "out")[0].base_url == BASE  # and the folder's feed says so too


@pytest.mark.slow
def test_an_interrupted_publish_leaves_the_remote_feed_and_the_next_one_finishes(s3: tuple[str, dict[str, str]],
                                                                                 tmp_path: Path) -> None:
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    assert speak(["publish", "out", url], tmp_path, env).returncode == 0
    old = _s3(url, FEED)[2]
    _build(tmp_path, _article(tmp_path, "b", "Compost heaps"))
    proc = start(["publish", "out", url], tmp_path, env)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first file is up: stop
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "1/" in first and proc.returncode == 130, (first, out, err)
    assert "the remote feed is as it was" in err and len(err.strip().splitlines()) == 1
    assert _s3(url, FEED)[2] == old
    done = speak(["publish", "out", url], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert "compost-heaps.mp3" in _s3(url, FEED)[2].decode()


@pytest.mark.slow
def test_a_dropped_connection_leaves_the_remote_feed_and_the_next_publish_finishes(
        s3: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    assert speak(["publish", "out", url], tmp_path, env).returncode == 0
    old = _s3(url, FEED)[2]
    _build(tmp_path, _article(tmp_path, "b", "Compost heaps"))
    host, port = env["AWS_ENDPOINT_URL"].removeprefix("http://").split(":")
    proxy = CuttableProxy((host, int(port)))
    through = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}", "AWS_MAX_ATTEMPTS": "1"}
    proc = start(["publish", "out", url], tmp_path, through)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first file is up: the network goes away
    proxy.cut()
    out, err = proc.communicate(timeout=120)
    assert "1/" in first and proc.returncode == 2, (first, out, err)
    assert len(err.strip().splitlines()) == 1 and "before the feed: the remote feed is as it was" in err
    assert _s3(url, FEED)[2] == old
    done = speak(["publish", "out", url], tmp_path, env)  # the network is back
    assert done.returncode == 0, done.stderr
    assert "compost-heaps.mp3" in _s3(url, FEED)[2].decode()


def test_a_stop_during_a_long_upload_is_answered_between_parts_and_commits_nothing(
        s3: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    """A 40 MiB file over a 4 MiB/s link takes 10 s: a stop waits for one 5 MiB part, and the object store is left
    with neither the file nor an unfinished upload."""
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    assert speak(["publish", "out", url], tmp_path, env).returncode == 0
    old = _s3(url, FEED)[2]
    _build(tmp_path, _article(tmp_path, "b", "Compost heaps"))
    (tmp_path / "out" / "compost-heaps.mp3").write_bytes(os.urandom(40 * 2**20))  # what is sent, not what it says
    host, port = env["AWS_ENDPOINT_URL"].removeprefix("http://").split(":")
    proxy = CuttableProxy((host, int(port)), rate=4 * 2**20)
    proc = start(["publish", "out", url], tmp_path, {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}"})
    deadline = time.monotonic() + 60
    while proxy.carried < 12 * 2**20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # until two parts are up (a condition, not a measure)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    answered = time.monotonic() - sent
    proxy.cut()
    assert proc.returncode == 143, err
    assert answered < 4.0, answered  # one part (1.25 s at this pace), not the 7 s left of the file
    assert "the remote feed is as it was" in err
    assert _s3(url, "compost-heaps.mp3")[0] == 404 and _s3(url, FEED)[2] == old
    bucket = url.removeprefix("s3://").split("/")[0]
    assert not boto3.client("s3").list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_a_host_that_does_not_answer_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    with socket.socket() as closed:  # a port on this machine where nothing listens: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1"}
    one_line_error(speak(["publish", "out", "s3://podcast/show/"], tmp_path, env, timeout=120), "s3://podcast/show/",
                   "cannot be reached", "nothing was uploaded", "publish again")


def test_an_sftp_address_where_no_ssh_server_answers_is_one_line(tmp_path: Path) -> None:
    """A web server where SSH was expected (paramiko logs its traceback; the user sees one line) and a closed port."""
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    with socket.create_server(("127.0.0.1", 0)) as server:
        def answer() -> None:
            with contextlib.suppress(OSError):
                while True:
                    conn, _ = server.accept()
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    conn.close()
        threading.Thread(target=answer, daemon=True).start()
        url = f"sftp://me@127.0.0.1:{server.getsockname()[1]}/show"
        one_line_error(speak(["publish", "out", url], tmp_path, timeout=60), url, "cannot be reached",
                       "nothing was uploaded")
    url = f"sftp://me@127.0.0.1:{_free_port()}/show"
    one_line_error(speak(["publish", "out", url], tmp_path, timeout=60), url, "cannot be reached")


@pytest.mark.slow
def test_a_removed_episode_leaves_the_feed_then_the_host(s3: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, env = s3
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"), _article(tmp_path, "b", "Compost heaps"))
    assert speak(["publish", "out", url], tmp_path, env).returncode == 0
    removed = speak(["remove", "out", "compost-heaps.mp3"], tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert not list((tmp_path / "out").glob("compost-heaps*"))
    assert [i.title for i in read_items(tmp_path / "out")[1]] == ["Rain gardens"]
    dry = speak(["publish", "out", url, "--dry-run"], tmp_path, env)
    assert "delete  compost-heaps.mp3" in dry.stdout and _s3(url, "compost-heaps.mp3")[0] == 200
    assert speak(["publish", "out", url], tmp_path, env).returncode == 0
    assert _s3(url, "compost-heaps.mp3")[0] == 404 and "compost-heaps" not in _s3(url, FEED)[2].decode()
    manifest = json.loads(_s3(url, MANIFEST)[2])
    assert "compost-heaps.mp3" not in manifest["files"]
    one_line_error(speak(["remove", "out", "nothing.mp3"], tmp_path), "no episode 'nothing.mp3'")


SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """OpenSSH's sshd on 127.0.0.1 with a throwaway host key and an authorized test key (in a HOME of its own, where
    paramiko finds it); yields an sftp:// address of a folder, the environment, and that folder."""
    need_extra("publish")
    if not Path(SSHD).exists() or os.geteuid() != 0:
        if REQUIRED:
            pytest.fail("the SFTP test needs OpenSSH's sshd, run as root (apt-get install openssh-server)")
        pytest.skip("needs OpenSSH's sshd, as root (apt-get install openssh-server)")
    work = tmp_path_factory.mktemp("sshd")
    home = work / "home"
    (home / ".ssh").mkdir(parents=True)
    for key in (work / "host_key", home / ".ssh" / "id_ed25519"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    (work / "authorized_keys").write_text((home / ".ssh" / "id_ed25519.pub").read_text())
    port = _free_port()
    (work / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {work}/host_key\nAuthorizedKeysFile {work}/authorized_keys\n"
        f"PidFile {work}/sshd.pid\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n")
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation folder
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(work / "sshd_config")], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read() if server.stderr else ""
            time.sleep(0.05)
    site = work / "site"
    yield f"sftp://{getpass.getuser()}@127.0.0.1:{port}{site}/", {"HOME": str(home)}, site
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.slow
def test_publish_over_sftp_writes_whole_files_then_nothing(sftp: tuple[str, dict[str, str], Path],
                                                           tmp_path: Path) -> None:
    url, env, site = sftp
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    proc = speak(["publish", "out", url], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    for name, path in published_files(tmp_path / "out").items():
        assert (site / name).read_bytes() == path.read_bytes(), name
    assert not list(site.glob(".*.part")) and (site / MANIFEST).is_file()
    again = speak(["publish", "out", url], tmp_path, env)
    assert again.returncode == 0 and "Nothing to upload" in again.stdout


def test_publish_to_a_folder_writes_whole_files_only(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    site = tmp_path / "site"
    proc = speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name, path in published_files(tmp_path / "out").items():
        assert (site / name).read_bytes() == path.read_bytes()
    assert not list(site.glob(".*.part")) and (site / MANIFEST).is_file()


def test_without_the_backend_or_with_a_bad_address_it_is_one_line(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    one_line_error(speak(["publish", "out", "nosuch://bucket/"], tmp_path), "nosuch://bucket/")
    one_line_error(speak(["publish", "empty", "s3://podcast/"], tmp_path), "empty", "build an episode into it first")


def test_the_feed_discloses_the_synthetic_narration(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    feed = (tmp_path / "out" / FEED).read_text()
    assert feed.count('<podcast:txt purpose="ai-content">true</podcast:txt>') == 2  # the channel and the item
    assert "Read by synthetic voice (text to speech): silent" in feed
    assert "Read by synthetic voice" in next((tmp_path / "out").glob("*.md")).read_text()
    assert "<podcast:locked>yes</podcast:locked>" in feed  # no other host may take the show as its own


def test_the_feed_is_locked_to_its_owners_e_mail(tmp_path: Path) -> None:
    _article(tmp_path, "a", "Rain gardens")
    proc = speak(["build", "a.md", "--engine", "silent", "-q", "-o", "out", "--email", "me@example.org"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    channel = lxml.etree.fromstring((tmp_path / "out" / FEED).read_bytes()).find("channel")
    locked = channel.find("{https://podcastindex.org/namespace/1.0}locked")
    assert locked is not None and (locked.text, locked.get("owner")) == ("yes", "me@example.org")


def test_serve_answers_ranges_head_and_etags_with_a_feed_for_its_own_address(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    out = tmp_path / "out"
    mp3 = out / "rain-gardens.mp3"
    with serving(out, "127.0.0.1", 0) as feed_url:
        base = feed_url.removesuffix(FEED)
        status, headers, body = _get(base + mp3.name, {"Range": "bytes=0-99"})
        assert status == 206 and body == mp3.read_bytes()[:100]
        assert headers["Content-Range"] == f"bytes 0-99/{mp3.stat().st_size}"
        status, headers, body = _get(base + mp3.name, method="HEAD")
        assert status == 200 and int(headers["Content-Length"]) == mp3.stat().st_size and body == b""
        assert headers["Content-Type"] == "audio/mpeg" and headers["Accept-Ranges"] == "bytes"
        assert _get(base + mp3.name, {"If-None-Match": headers["ETag"]})[0] == 304
        assert "Last-Modified" in headers
        status, headers, feed = _get(feed_url)
        assert status == 200 and headers["Content-Type"] == content_type(FEED)
        assert f'url="{base}rain-gardens.mp3"' in feed.decode()  # the links follow the served address
        assert _get(base + "feed.json")[0] == 404 and _get(base + "../README.md")[0] == 404


def test_speak_serve_prints_the_feed_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    proc = start(["serve", "out", "--port", "0"], tmp_path)
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        url = line.split("the feed: ")[1].strip()
        assert url.startswith("http://127.0.0.1:") and _get(url)[0] == 200
        host, port = url.removeprefix("http://").split("/")[0].split(":")
        for hostile in (b"GET /\x1b[31mred\xe2\x80\xae HTTP/1.0\r\n\r\n", b"\x1b]0;pwned\x07\r\n\r\n"):
            with socket.create_connection((host, int(port)), timeout=10) as conn:  # a client's escape sequences
                conn.sendall(hostile)
                assert conn.recv(12)  # answered (a 404, or a 400 page)
    except BaseException:
        proc.kill()  # never a server left running after a failed test
        raise
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    lines = err.strip().splitlines()  # each request is logged, as http.server does; then the stop, in one line
    assert proc.returncode == 130 and lines[-1] == "speak: stopped by SIGINT: the server is down"
    assert '"GET /feed.xml HTTP/1.1" 200' in lines[0]
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err  # never to the terminal


def test_a_recorded_file_that_is_gone_is_uploaded_again_and_the_record_never_lies(tmp_path: Path) -> None:
    """Issue 32's first defect: a publish killed after its feed went up had deleted an MP3 that its record still
    named; the next publish of a folder with that MP3 skipped it ("unchanged") and the feed named a missing file.
    Here the remote is left exactly so (the record names the MP3, the file is gone): it is uploaded again."""
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    site = tmp_path / "site"
    assert speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path).returncode == 0
    (mp3,) = site.glob("*.mp3")
    mp3.unlink()  # what the killed run's deletion left
    proc = speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert mp3.read_bytes() == (tmp_path / "out" / mp3.name).read_bytes()
    record = json.loads((site / MANIFEST).read_text())
    assert set(record["files"]) == set(published_files(tmp_path / "out")) and record["delete"] == []
    for name in record["files"]:
        assert (site / name).is_file(), name  # every name in the record is there


def test_a_remote_feed_that_is_not_the_recorded_one_is_repaired(tmp_path: Path) -> None:
    """Another folder's feed of the same size where the record says ours is (the record's hash, the same size):
    the next publish reads the remote feed back, finds it is not ours, and uploads ours again."""
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    site = tmp_path / "site"
    assert speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path).returncode == 0
    ours = (site / FEED).read_bytes()
    (site / FEED).write_bytes(ours.replace(b"Rain gardens", b"Rain-gardens"))  # another feed, of the same size
    proc = speak(["publish", "out", site.as_uri() + "/"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (site / FEED).read_bytes() == ours and "Uploaded 1 file(s)" in proc.stdout


def test_an_episode_taken_out_is_deleted_after_the_feed_and_a_failed_deletion_is_finished_next_time(
        tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"), _article(tmp_path, "b", "Green roofs"))
    site = tmp_path / "site"
    assert speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path).returncode == 0
    assert speak(["remove", "out", "green-roofs.mp3"], tmp_path).returncode == 0
    # a deletion still pending from a publish that was stopped: recorded as such, finished by the next publish
    record = json.loads((site / MANIFEST).read_text())
    (site / "stray.txt").write_text("left by a stopped publish")
    (site / MANIFEST).write_text(json.dumps({**record, "delete": ["stray.txt"]}))
    proc = speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not (site / "green-roofs.mp3").exists() and not (site / "stray.txt").exists()
    assert "green-roofs" not in (site / FEED).read_text()
    assert json.loads((site / MANIFEST).read_text())["delete"] == []


def test_names_in_records_never_leave_their_folder(tmp_path: Path) -> None:
    """A remote record naming ../victim.txt deletes nothing outside the target; a feed.json naming a path is
    refused by publish, remove and serve alike; a symbolic link named like a published file is never uploaded."""
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    site = tmp_path / "site"
    assert speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path).returncode == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("not ours")
    record = json.loads((site / MANIFEST).read_text())
    record["files"]["../victim.txt"] = "0" * 64
    record["delete"] = ["../victim.txt", "/etc/hostname"]
    (site / MANIFEST).write_text(json.dumps(record))
    assert speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path).returncode == 0
    assert victim.read_text() == "not ours"

    out = tmp_path / "out"
    record = json.loads((out / "feed.json").read_text())
    original = json.dumps(record)
    record["items"][0]["files"]["txt"] = "../victim.txt"
    (out / "feed.json").write_text(json.dumps(record))
    for args in (["publish", "out", site.as_uri() + "/", "-q"], ["remove", "out", "rain-gardens.mp3"],
                 ["serve", "out", "--port", "0"]):
        one_line_error(speak(args, tmp_path, timeout=60), "feed.json", "../victim.txt")
    assert victim.read_text() == "not ours"

    (out / "feed.json").write_text(original)
    (mp3,) = out.glob("*.mp3")
    mp3.unlink()
    mp3.symlink_to("/etc/hostname")
    one_line_error(speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path), "symbolic link")


def test_a_cut_feed_is_refused_before_anything_is_uploaded(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    feed = tmp_path / "out" / FEED
    feed.write_bytes(feed.read_bytes()[: len(feed.read_bytes()) // 2])
    site = tmp_path / "site"
    one_line_error(speak(["publish", "out", site.as_uri() + "/", "-q"], tmp_path), "feed.xml", "not a whole feed")
    assert not site.exists()


def test_serve_answers_bad_ranges_with_416_and_closes_idle_connections(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import articlecast.publish.serve as serve_module  # noqa: PLC0415 - its idle limit, shortened for the test

    monkeypatch.setattr(serve_module, "IDLE_SECONDS", 1)
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    (mp3,) = (tmp_path / "out").glob("*.mp3")
    with serving(tmp_path / "out", "127.0.0.1", 0) as url:
        base = url.rsplit("/", 1)[0]
        for bad in ("bytes=999999999-", "bytes=abc", "bytes=5-1,0-0,7-9,99999999-"):
            status = _get(f"{base}/{mp3.name}", {"Range": bad})[0]
            assert status in (200, 206, 416), (bad, status)
            assert status != 500
        assert _get(f"{base}/{mp3.name}", {"Range": "bytes=999999999-"})[0] == 416
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as idle:
            started = time.monotonic()
            assert idle.recv(1) == b""  # closed by the server, not by our timeout
            assert time.monotonic() - started < 5


def test_serve_on_a_busy_or_impossible_port_is_one_line(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        one_line_error(speak(["serve", "out", "--port", str(port)], tmp_path, timeout=30), f"127.0.0.1:{port}",
                       "--port")
    one_line_error(speak(["serve", "out", "--port", "99999"], tmp_path, timeout=30), "99999", "--port")


def test_credentials_in_a_publish_address_are_never_printed(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    port = _free_port()  # nothing listens there
    for args in (["publish", "out", f"sftp://me:hunter2secret@127.0.0.1:{port}/srv/pod/", "-q"],
                 ["publish", "out", f"sftp://me:hunter2secret@127.0.0.1:{port}/srv/pod/", "--dry-run"],
                 ["publish", "out", (tmp_path / "site").as_uri() + "/", "--base-url",
                  "https://me:hunter2secret@pod.example/"],
                 ["build", "a.md", "--engine", "silent", "-q", "-o", "out2", "--base-url",
                  "https://me:hunter2secret@pod.example/"]):
        proc = speak(args, tmp_path, timeout=120)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "hunter2secret" not in proc.stdout + proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_publishing_an_unchanged_folder_twice_with_its_base_url_uploads_nothing(tmp_path: Path) -> None:
    _build(tmp_path, _article(tmp_path, "a", "Rain gardens"))
    site = (tmp_path / "site").as_uri() + "/"
    assert speak(["publish", "out", site, "--base-url", BASE], tmp_path).returncode == 0
    feed = (tmp_path / "out" / FEED).read_bytes()
    proc = speak(["publish", "out", site, "--base-url", BASE.rstrip("/")], tmp_path)
    assert proc.returncode == 0 and "Nothing to upload" in proc.stdout, proc.stdout + proc.stderr
    assert (tmp_path / "out" / FEED).read_bytes() == feed  # not written again (its build date would change)


def test_remove_from_a_folder_that_does_not_exist_makes_nothing(tmp_path: Path) -> None:
    one_line_error(speak(["remove", str(tmp_path / "nowhere" / "dir"), "x.mp3"], tmp_path), "no feed.json")
    assert not (tmp_path / "nowhere").exists()
