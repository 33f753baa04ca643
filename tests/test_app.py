"""The listening app (speak.py app): its queue in SQLite, its builds, its pages and files over HTTP on 127.0.0.1,
its safety (token, CSRF, Host, upload limit, private addresses, file names), and a restart after a kill."""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from app_client import AppClient
from helpers import PAGES, SAMPLE_TXT, start
from static_server import serve

from articlecast.errors import FieldError, OutputError
from articlecast.inputs.fetch import is_public
from articlecast.publish.feed import read_items
from articlecast.webapp import AppConfig, Choices, JobStore, Running, running
from articlecast.webapp.jobs import MAX_ATTEMPTS

ARTICLE = """A Walk in the Park

Parks matter to cities. They give people a place to rest and to meet.

## Trees

Trees cool the streets in summer. They also clean the air.

## Water

Ponds and streams bring birds. Children like to watch them.
"""


@contextmanager
def app(folder: Path, **settings: object) -> Iterator[tuple[Running, AppClient]]:
    with running(AppConfig(folder=folder, port=0, **settings)) as r:  # type: ignore[arg-type]
        yield r, AppClient(r.url)


# ------------------------------------------------------------ pure: the queue and the settings


def test_the_queue_keeps_every_job_through_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "app.sqlite3"
    store = JobStore(db)
    a = store.add("build", "A", ["a.txt"], {"voice": "silent:quiet"})
    b = store.add("build", "B", ["b.txt"], {})
    assert store.claim() == store.get(a.id) and store.get(a.id).state == "running"  # type: ignore[union-attr]
    assert oct(db.stat().st_mode & 0o777) == "0o600"
    secret = store.secret("csrf")
    store.close()  # as if killed: the row still says running

    store = JobStore(db)
    assert store.secret("csrf") == secret  # the same across restarts
    (again,) = store.recover()
    assert again.id == a.id and again.state == "queued" and "Resumed" in again.message
    assert [j.title for j in store.jobs(final=False)] == ["A", "B"]
    for _ in range(MAX_ATTEMPTS - 2):  # interrupted again and again: failed, with the reason
        assert store.claim().id == a.id  # type: ignore[union-attr]
        store.recover()
    assert store.claim().id == a.id  # type: ignore[union-attr]
    (failed,) = store.recover()
    assert failed.state == "failed" and f"{MAX_ATTEMPTS} times" in failed.message
    assert store.claim().id == b.id  # type: ignore[union-attr]
    store.finish(b.id, "done", episode="guid-b")
    assert store.get(b.id).episode == "guid-b"  # type: ignore[union-attr]
    assert store.retry(a.id).state == "queued"  # type: ignore[union-attr]
    assert store.cancel(a.id).state == "cancelled"  # type: ignore[union-attr]
    store.forget(a.id)
    assert store.get(a.id) is None
    with pytest.raises(FieldError, match="state"):
        store.finish(b.id, "running")
    store.close()


def test_choices_and_settings_are_checked(tmp_path: Path) -> None:
    assert Choices(question_voice="piper:joe").voices == {"question": "piper:joe"}
    assert Choices.from_data(Choices(voice="hibari:heart", speed=1.5).to_data()) == Choices(voice="hibari:heart",
                                                                                              speed=1.5)
    for bad in ({"voice": ":x"}, {"speed": 9.0}, {"theme": "../etc/passwd"}):
        with pytest.raises(FieldError):
            Choices(**bad)  # type: ignore[arg-type]
    with pytest.raises(FieldError, match="port"):
        AppConfig(port=70000)
    with pytest.raises(FieldError, match="base_url"):
        AppConfig(base_url="https://user:secret@example.com/")
    assert not AppConfig().network and AppConfig(token=True).network and AppConfig(host="0.0.0.0").network


def test_only_public_addresses_are_public() -> None:
    for address in ("127.0.0.1", "::1", "10.1.2.3", "192.168.0.9", "172.16.5.4", "169.254.169.254", "100.64.0.1",
                    "fe80::1", "fd00::1", "::ffff:127.0.0.1", "0.0.0.0", "224.0.0.1", "64:ff9b::a00:1", "2002:a00:1::",
                    "::127.0.0.1", "2001:0:4136:e378:8000:63bf:f5ff:fffe"):  # the last four: IPv4 inside IPv6
        assert not is_public(address), address
    for address in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8", "64:ff9b::5db8:d822"):
        assert is_public(address), address


# ------------------------------------------------------------ the app over HTTP


def test_make_listen_and_delete_an_episode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with app(out) as (running_app, client):
        home = client.get("")
        assert home.status == 200 and "No episodes yet" in home.text
        assert "default-src 'none'" in home.headers["Content-Security-Policy"]
        answer = client.add(text=ARTICLE, voice="silent:quiet")
        assert answer.status == 200 and "is being made" in answer.text
        (job,) = client.wait(1, timeout=120)
        assert job["state"] == "done", job
        show, items = read_items(out)
        (item,) = items
        assert item.guid == job["episode"] and item.title == "A Walk in the Park"
        library = client.get("").text
        assert "A Walk in the Park" in library and f"files/{item.files['page']}" in library
        assert f"files/{item.files['m4b']}" in library and "Download the audiobook (M4B)" in library  # always, here
        page = client.get(f"files/{item.files['page']}")
        assert page.status == 200 and "Your episodes</a></nav>" in page.text  # the way back to the library
        part = client.get(f"files/{item.audio}", headers={"Range": "bytes=0-99"})
        assert part.status == 206 and len(part.body) == 100 and part.headers["Content-Type"] == "audio/mpeg"
        feed = client.get("files/feed.xml").text
        assert f'url="{running_app.url}files/{item.audio}"' in feed
        assert client.get("files/feed.json").status == 404  # the feed's record is not a published file
        assert client.get("files/..%2Ffeed.json").status == 404
        assert client.get(".articlecast-app/app.sqlite3").status == 404
        subscribe = client.get("subscribe").text
        assert f'value="{running_app.url}files/feed.xml"' in subscribe and "<svg" in subscribe
        confirm = client.get(f"episodes/{item.guid}/delete")
        assert confirm.status == 200 and "Delete the episode" in confirm.text
        gone = client.post(f"episodes/{item.guid}/delete")
        assert gone.status == 200 and "Deleted" in gone.text
        assert read_items(out)[1] == [] and not (out / item.audio).exists() and not (out / item.files["page"]).exists()
        assert client.get(f"episodes/{item.guid}/delete").status == 404


def test_publish_uploads_the_folder_to_its_host(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with app(tmp_path / "out", publish_url=site.as_uri() + "/", base_url="https://pod.example.org/") as (_, client):
        assert "Publish the feed" not in client.get("").text  # nothing to publish yet
        client.add(text=ARTICLE, voice="silent:quiet")
        client.wait(1, timeout=120)
        assert "Publish the feed to your host" in client.get("").text
        assert client.post("publish").status == 200
        jobs = client.wait(2, timeout=60)
        assert jobs[-1]["kind"] == "publish" and jobs[-1]["state"] == "done", jobs[-1]
        assert "Feed: https://pod.example.org/feed.xml" in jobs[-1]["message"]
    (item,) = read_items(tmp_path / "out")[1]
    assert (site / item.audio).exists() and "https://pod.example.org/" in (site / "feed.xml").read_text()
    with app(tmp_path / "out") as (_, client):  # without a host: no button, and the address is refused
        assert client.post("publish").status == 404


def test_the_same_article_twice_is_one_episode(tmp_path: Path) -> None:
    with app(tmp_path / "out") as (_, client):
        client.add(text=ARTICLE, voice="silent:quiet")
        client.add(text=ARTICLE, voice="silent:quiet")
        first, second = client.wait(2, timeout=120)
        assert first["state"] == second["state"] == "done" and first["episode"] == second["episode"]
        assert "Already in your library" in second["message"]
        assert len(read_items(tmp_path / "out")[1]) == 1


def test_a_digest_of_two_articles(tmp_path: Path) -> None:
    park = "# " + ARTICLE
    river = park.replace("A Walk in the Park", "Rivers in Town").replace("Parks", "Rivers")
    with app(tmp_path / "out") as (_, client):
        client.add(files=[("park.md", park.encode()), ("river.md", river.encode())], voice="silent:quiet",
                   digest="Green Week")
        (job,) = client.wait(1, timeout=120)
        assert job["state"] == "done" and job["title"] == "Green Week", job
        (item,) = read_items(tmp_path / "out")[1]
        assert item.title == "Green Week"
        assert {"A Walk in the Park", "Rivers in Town"} <= {title for _, title in item.chapters}


def test_a_refused_input_says_why_and_can_be_retried_or_cancelled(tmp_path: Path) -> None:
    with app(tmp_path / "out") as (running_app, client):
        client.add(files=[("empty.txt", b"   \n")], voice="silent:quiet")
        (job,) = client.wait(1, timeout=60)
        assert job["state"] == "failed" and "empty.txt" in job["message"], job
        assert "Could not be made" in client.get("").text
        assert client.post(f"jobs/{job['id']}/retry").status == 200
        (job,) = client.wait(1, timeout=60)
        assert job["state"] == "failed"
        running_app.worker.stop()  # nothing runs now: a queued job waits, and is cancelled at once
        client.add(text=ARTICLE, voice="silent:quiet")
        queued = client.jobs()[-1]
        assert queued["state"] == "queued"
        assert client.post(f"jobs/{queued['id']}/cancel").status == 200
        assert client.jobs()[-1]["state"] == "cancelled"
        assert client.post(f"jobs/{queued['id']}/forget").status == 200
        assert len(client.jobs()) == 1


def test_a_running_build_is_cancelled_and_nothing_is_published(tmp_path: Path) -> None:
    long = "A Long Read\n\n" + "\n\n".join(f"Paragraph {n} says a few things about the weather in town today."
                                          for n in range(1, 400))
    with app(tmp_path / "out") as (running_app, client):
        client.add(text=long, voice="silent:quiet")
        ends = time.monotonic() + 60
        while time.monotonic() < ends and client.jobs()[0]["state"] != "running":
            time.sleep(0.05)
        (job,) = client.jobs()
        assert job["state"] == "running", job
        assert client.post(f"jobs/{job['id']}/cancel").status == 200
        (job,) = client.wait(1, timeout=60)
        assert job["state"] == "cancelled" and "nothing was added" in job["message"], job
        assert read_items(tmp_path / "out")[1] == []
        assert not list((tmp_path / "out").glob("*.mp3"))


def test_form_errors_are_a_page_that_names_the_field(tmp_path: Path) -> None:
    with app(tmp_path / "out") as (_, client):
        answer = client.add()
        assert answer.status == 400 and 'aria-invalid="true"' in answer.text and "Give a web address" in answer.text
        answer = client.add(files=[("movie.exe", b"MZ")])
        assert answer.status == 400 and "movie.exe" in answer.text and "is not a kind of file" in answer.text
        answer = client.add(url="ftp://example.com/x")
        assert answer.status == 400 and "starts with https://" in answer.text
        for voice in ("gtts:en", "piper:/etc/passwd"):  # online, or a path: never what the form offers
            answer = client.add(text=ARTICLE, voice=voice)
            assert answer.status == 400 and "Choose a voice from the list" in answer.text, voice
        assert client.jobs() == []
        missing = client.get("no/such/page")
        assert missing.status == 404 and "Traceback" not in missing.text and "<h1>" in missing.text


# ------------------------------------------------------------ safety


def test_forms_need_their_csrf_token_and_the_app_its_own_host(tmp_path: Path) -> None:
    with app(tmp_path / "out") as (_, client):
        refused = client.post("add", {"text": ARTICLE, "voice": "silent:quiet"}, csrf=False)
        assert refused.status == 403 and "out of date" in refused.text
        refused = client.post("add", {"text": ARTICLE, "voice": "silent:quiet", "csrf": "forged"}, csrf=False)
        assert refused.status == 403
        refused = client.post("add", {"text": ARTICLE, "voice": "silent:quiet"}, headers={"Origin": "http://evil.example"})
        assert refused.status == 403 and "another site" in refused.text
        refused = client.post("add", {"text": ARTICLE, "voice": "silent:quiet"}, headers={"Sec-Fetch-Site": "cross-site"})
        assert refused.status == 403
        assert client.jobs() == []
        rebound = client.get("", headers={"Host": "evil.example:80"})  # DNS rebinding: another name for this host
        assert rebound.status == 403
        assert client.get("", headers={"Host": "localhost"}).status == 200


def test_an_upload_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with app(tmp_path / "out", max_upload_mb=1) as (running_app, client):
        port = int(running_app.url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            # 5 MB announced, none sent: an answer now means the body was never waited for
            s.sendall(b"POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                      b"Content-Length: 5000000\r\n\r\n")
            started = time.monotonic()
            chunks = []
            while chunk := s.recv(65536):  # the app closes the connection after its answer
                chunks.append(chunk)
            assert time.monotonic() - started < 5
            answer = b"".join(chunks).decode("utf-8")
        assert answer.startswith("HTTP/1.1 413"), answer[:200]
        assert "1 MB" in answer
        assert client.jobs() == []
        big = client.add(files=[("big.txt", b"word " * 300_000)])  # 1.5 MB sent: refused all the same
        assert big.status == 413


def test_one_app_per_folder(tmp_path: Path) -> None:
    with app(tmp_path / "out"):
        with pytest.raises(OutputError, match="another app is already running on this folder"):
            with app(tmp_path / "out"):
                pass
        assert oct((tmp_path / "out" / ".articlecast-app").stat().st_mode & 0o777) == "0o700"
    with app(tmp_path / "out"):  # and once it has stopped, the next one starts
        pass


def test_a_file_name_never_names_a_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with app(out) as (_, client):
        client.add(files=[("../../../escaped.txt", ARTICLE.encode())], voice="silent:quiet")
        (job,) = client.wait(1, timeout=120)
        assert job["state"] == "done" and job["title"] == "../../../escaped.txt"
    stored = list(tmp_path.rglob("*escaped*"))
    assert stored and all((out / ".articlecast-app" / "inputs") in p.parents for p in stored), stored
    library = (out / ".articlecast-app" / "app.sqlite3")
    with sqlite3.connect(library) as db:
        (sources,) = db.execute("SELECT sources FROM jobs").fetchone()
    assert ".." not in json.loads(sources)[0]
    with app(out) as (_, client):  # taken off the list: what was given for it goes too, the episode stays
        assert client.post(f"jobs/{job['id']}/forget").status == 200
    assert not list(tmp_path.rglob("*escaped*")) and len(read_items(out)[1]) == 1


def test_web_addresses_here_or_on_a_private_network_are_refused(tmp_path: Path) -> None:
    with serve(PAGES) as (base, requested):
        with app(tmp_path / "out") as (_, client):
            client.add(url=f"{base}blog.html", voice="silent:quiet")
            (job,) = client.wait(1, timeout=60)
            assert job["state"] == "failed" and "127.0.0.1" in job["message"] and "--allow-private" in job["message"]
            assert requested == []  # refused on connecting: not one request reached the server
        with app(tmp_path / "out2", allow_private=True) as (_, client):
            client.add(url=f"{base}blog.html", voice="silent:quiet")
            (job,) = client.wait(1, timeout=120)
            assert job["state"] == "done", job
            assert requested[0] == "/blog.html"


def test_on_a_network_every_request_needs_the_token(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with app(out, token=True) as (running_app, client):
        token = running_app.url.rstrip("/").rsplit("/", 1)[1]
        assert len(token) >= 24
        bare = AppClient(running_app.url.removesuffix(f"{token}/"))
        for path in ("", "add", "files/feed.xml", "api/jobs", "static/app.css", "wrong-token/"):
            assert bare.get(path).status == 403, path
        assert bare.post("add", {"text": ARTICLE}, csrf=False).status == 403
        home = client.get("")
        assert home.status == 200 and f'href="/{token}/add"' in home.text
        client.add(text=ARTICLE, voice="silent:quiet")
        (job,) = client.wait(1, timeout=120)
        assert job["state"] == "done"
        (item,) = read_items(out)[1]
        feed = client.get("files/feed.xml").text
        assert f'url="{running_app.url}files/{item.audio}"' in feed
        assert client.get(f"files/{item.audio}").status == 200
        # a phone subscribes with the listeners' token: it reaches the published files, and nothing else
        listen = re.search(r'id="feed" type="text" readonly value="([^"]+)"', client.get("subscribe").text).group(1)
        assert token not in listen and listen.endswith("/files/feed.xml")
        phone = AppClient(listen.removesuffix("files/feed.xml"))
        feed = phone.get("files/feed.xml").text
        assert f'url="{phone.base}files/{item.audio}"' in feed and phone.get(f"files/{item.audio}").status == 200
        for path in ("", "add", "api/jobs", f"episodes/{item.guid}/delete", "subscribe"):
            assert phone.get(path).status == 403, path
        assert phone.post(f"episodes/{item.guid}/delete", csrf=False).status == 403


# ------------------------------------------------------------ the app killed and started again


def _started(out: Path, *extra: str) -> tuple[object, AppClient]:
    proc = start(["app", "-o", str(out), "--port", "0", *extra], out.parent)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
    assert found, (line, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
    return proc, AppClient(found.group(1))


@pytest.mark.slow
def test_killed_in_the_middle_every_article_is_built_exactly_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    texts = [ARTICLE.replace("A Walk in the Park", f"Park number {n}") + "\n".join(
        f"\nMore about park {n}: paragraph {k} of a longer piece." for k in range(60)) for n in range(4)]
    proc, client = _started(out)
    try:
        for text in texts:
            client.add(text=text, voice="silent:quiet")
        ends = time.monotonic() + 120
        while time.monotonic() < ends and not any(j["state"] == "running" and j["done"] for j in client.jobs()):
            time.sleep(0.05)
        assert any(j["state"] == "running" for j in client.jobs())
    finally:
        proc.kill()  # type: ignore[attr-defined]
        proc.wait()  # type: ignore[attr-defined]
    proc, client = _started(out)
    try:
        jobs = client.wait(4, timeout=300)
        assert [j["state"] for j in jobs] == ["done"] * 4, jobs
        items = read_items(out)[1]
        assert sorted(i.title for i in items) == [f"Park number {n}" for n in range(4)]  # each once
        assert len({j["episode"] for j in jobs}) == 4
        assert len(list(out.glob("*.mp3"))) == 4 and not list(out.glob("*.tmp*")) and not list(out.glob(".*.mp3*"))
        proc.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
        assert proc.wait(timeout=60) == 143  # type: ignore[attr-defined]
        assert "the app is down" in proc.stderr.read()  # type: ignore[attr-defined]
    finally:
        if proc.poll() is None:  # type: ignore[attr-defined]
            proc.kill()  # type: ignore[attr-defined]


@pytest.mark.slow
def test_stopped_while_building_the_job_is_resumed_at_the_next_start(tmp_path: Path) -> None:
    out = tmp_path / "out"
    text = SAMPLE_TXT.read_text(encoding="utf-8")
    proc, client = _started(out)
    try:
        client.add(text=text, voice="silent:quiet")
        ends = time.monotonic() + 120
        while time.monotonic() < ends and not (client.jobs()[0]["state"] == "running" and client.jobs()[0]["done"]):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # type: ignore[attr-defined]
        assert proc.wait(timeout=60) == 130  # type: ignore[attr-defined]
    finally:
        if proc.poll() is None:  # type: ignore[attr-defined]
            proc.kill()  # type: ignore[attr-defined]
    with sqlite3.connect(out / ".articlecast-app" / "app.sqlite3") as db:
        state, message = db.execute("SELECT state, message FROM jobs").fetchone()
    assert state == "queued" and "Resumed" in message
    assert read_items(out)[1] == []
    with app(out) as (_, client):
        (job,) = client.wait(1, timeout=300)
        assert job["state"] == "done"
    assert len(read_items(out)[1]) == 1
