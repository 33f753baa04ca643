"""Hostile and broken inputs: each ends at once in one line and exit 2 (or in a correct episode), never a hang, a
traceback, or a file of this machine's read where it should not be."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import one_line_error, speak, start
from hostile_server import PATHS, TRICKS, hostile_server
from PIL import Image

from articlecast.errors import FetchError, ScriptError
from articlecast.inputs.fetch import fetch_page
from articlecast.inputs.html import parse_html
from articlecast.publish.feed import inert
from articlecast.script import load_script
from articlecast.script.lexicon import compile_lexicon
from articlecast.util.images import square_cover

SCRIPT = "episode: {title: T}\nchapters:\n- title: C\n  segments: ['Some words.']\n"


def test_yaml_anchors_and_aliases_are_refused_naming_the_line() -> None:
    laughs = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n')
    with pytest.raises(ScriptError, match=r"ep.yaml:1: .*anchors and aliases"):
        load_script(laughs + SCRIPT, "ep.yaml")
    with pytest.raises(ScriptError, match=r"ep.yaml:2: .*anchors and aliases"):
        load_script("episode: {title: T}\nx: *undefined\n", "ep.yaml")


def test_a_script_bigger_than_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(SCRIPT + "#" + "x" * (11 * 1000**2) + "\n")
    one_line_error(speak(["build", "big.yaml", "--engine", "silent"], tmp_path), "big.yaml", "MB")


def test_control_characters_never_reach_the_voice_the_feed_or_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "ep.yaml").write_text('episode: {title: "Rain\\x0b \\x1b]0;pwned\\x07gardens"}\nchapters:\n'
                                      "- title: C\n  segments: ['Some words.']\n")
    proc = speak(["build", "ep.yaml", "--engine", "silent", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout and "\x07" not in proc.stderr + proc.stdout
    feed = (tmp_path / "audio_out" / "feed.xml").read_text()
    assert "Rain ]0;pwnedgardens" in feed and "\x0b" not in feed


@pytest.mark.parametrize(("entry", "needle"), [({"/(a)/": "\\9"}, "group 9"), ({"/(a)/": "\\g<name>"}, "name")])
def test_a_bad_group_reference_is_a_script_error(entry: dict[str, str], needle: str) -> None:
    with pytest.raises(ScriptError, match=needle):
        compile_lexicon(entry)


def test_a_catastrophic_pattern_cannot_hang_a_build(tmp_path: Path) -> None:
    (tmp_path / "ep.yaml").write_text('episode: {title: T}\nlexicon: {"/(a+)+$/": b}\nchapters:\n- title: C\n'
                                      f"  segments: ['{'a' * 40}!']\n")
    proc = speak(["build", "ep.yaml", "--engine", "silent", "-q"], tmp_path, timeout=60)
    assert proc.returncode == 0 or len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    one_line_error(speak(["build", "pipe.md", "--engine", "silent"], tmp_path, timeout=30), "not a regular file")
    (tmp_path / "a.md").write_text("# T\n\nSome words.\n")
    os.mkfifo(tmp_path / "art.png")
    (tmp_path / "ep.yaml").write_text("episode: {title: T, image: art.png}\nchapters:\n- title: C\n"
                                      "  segments: ['Some words.']\n")
    one_line_error(speak(["build", "ep.yaml", "--engine", "silent"], tmp_path, timeout=30), "not a regular file")


def test_images_over_the_pixel_limit_are_refused_before_decoding(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", (13000, 13000)).save(huge)  # a few hundred kB, 169 million pixels
    assert square_cover(huge.read_bytes()) is None  # a page's lead image: not used, no warning, no error
    (tmp_path / "ep.yaml").write_text("episode: {title: T, image: huge.png}\nchapters:\n- title: C\n"
                                      "  segments: ['Some words.']\n")
    proc = speak(["build", "ep.yaml", "--engine", "silent"], tmp_path)
    one_line_error(proc, "huge.png", "13000x13000")
    assert "Warning" not in proc.stderr


def test_images_outside_the_scripts_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    Image.new("RGB", (1400, 1400)).save(tmp_path / "art.png")
    (tmp_path / "scripts" / "ep.yaml").write_text("episode: {title: T, image: ../art.png}\nchapters:\n- title: C\n"
                                                  "  segments: ['Some words.']\n")
    one_line_error(speak(["build", "scripts/ep.yaml", "--engine", "silent"], tmp_path), "../art.png",
                   "beside the script")


@pytest.mark.parametrize(("field", "value", "needle"), [
    ("guid", "[1, 2]", "guid"), ("guid", "true", "guid"), ("language", "xxxxxxxxxx", "language"),
    ("email", "nobody", "email"), ("category", "Nonsense", "category"), ("explicit", "'yes'", "explicit"),
])
def test_script_fields_are_checked_for_type(field: str, value: str, needle: str) -> None:
    section = "show" if field in ("language", "email", "category", "explicit") else "episode"
    text = f"show: {{{field}: {value}}}\n" + SCRIPT if section == "show" else \
        SCRIPT.replace("{title: T}", f"{{title: T, {field}: {value}}}")
    with pytest.raises(ScriptError, match=needle):
        load_script(text, "ep.yaml")


def test_credentials_in_an_address_are_refused_and_never_echoed() -> None:
    with pytest.raises(FetchError) as info:
        fetch_page("http://user:secret@127.0.0.1:9/story")
    assert "secret" not in str(info.value) and "user name" in str(info.value)


@pytest.mark.parametrize("path", PATHS)
def test_every_fetch_ends_within_its_deadline(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLECAST_FETCH_TIMEOUT", "1.5")
    with hostile_server() as (base, hits):
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"within 1.5 s|(is 3000.0 MB, |is )over the 10.0 MB limit") as info:
            fetch_page(base + path)
        took = time.monotonic() - started
        assert str(info.value).count(base + path) == 1 and "cannot fetch" not in str(info.value)  # never nested
        assert hits == [path]
        assert took < 1.5 + 2, took  # the deadline, and the watchdog's 50 ms beat, not a read's timeout per byte
        assert fetch_page(base + "/page").html.startswith(b"<html>")  # the server still answers quick pages


@pytest.mark.parametrize("path", TRICKS)
def test_redirect_loops_redirects_to_files_and_compressed_bombs_are_one_line(path: str, tmp_path: Path) -> None:
    with hostile_server() as (base, hits):
        proc = speak(["build", base + path, "--engine", "silent"], tmp_path, timeout=60)
    one_line_error(proc, path)
    assert "root:" not in proc.stderr and not list(tmp_path.rglob("*.mp3"))
    assert hits[0] == path and (path != "/loop" or len(hits) <= 11)  # a loop is left after a few rounds


def test_a_trickling_server_is_one_line_from_the_command_line(tmp_path: Path) -> None:
    with hostile_server() as (base, _):
        proc = speak(["build", base + "/slow-chunked", "--engine", "silent"], tmp_path,
                     env={"ARTICLECAST_FETCH_TIMEOUT": "1"}, timeout=30)
    one_line_error(proc, "/slow-chunked", "no complete answer", "within 1 s", "ARTICLECAST_FETCH_TIMEOUT")
    assert not list(tmp_path.iterdir())


def test_a_stop_during_a_fetch_is_answered_at_once(tmp_path: Path) -> None:
    with hostile_server() as (base, hits):
        proc = start(["build", base + "/slow-body", "--engine", "silent"], tmp_path)
        deadline = time.monotonic() + 20
        while not hits and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)  # until the fetch has begun (a condition, not a measure)
        assert hits == ["/slow-body"], proc.communicate()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the stop was not answered within 10 s of a 30 s fetch") from None
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "stopped" in err.lower(), err


PARAGRAPH = "<p>" + "Gardens grow slowly in the rain, and the rain is welcome here in the valley. " * 10 + "</p>"
ARTICLE = f"<article><h1>Rain gardens</h1>{PARAGRAPH}<h2>Second part</h2>{PARAGRAPH}{PARAGRAPH}</article>"


@pytest.mark.parametrize("body", [
    ARTICLE.replace("rain,", "rain,\x01\x0b\x1b[31m", 5),
    "<div>" * 5000 + ARTICLE + "</div>" * 5000,
    "<span><b>" * 3000 + ARTICLE + "</b></span>" * 3000,
], ids=["control characters", "5000 nested divs", "3000 nested spans"])
def test_stray_control_characters_and_deep_nesting_keep_the_article(body: str) -> None:
    article = parse_html(f"<html><head><title>Rain gardens</title></head><body>{body}</body></html>".encode())
    assert article.title == "Rain gardens"
    assert [s.title for s in article.sections][-1] == "Second part"
    text = " ".join(p for s in article.sections for p in s.paragraphs)
    assert len(text.split()) == 300 and "\x1b" not in text and "\x01" not in text


def test_an_input_over_the_word_limit_is_refused_before_any_speech(tmp_path: Path) -> None:
    paragraph = "Gardens grow slowly in the rain, and the rain is welcome here in the valley. " * 10
    (tmp_path / "huge.md").write_text("# Huge\n\n" + "".join(f"## Part {n}\n\n{paragraph}\n\n" for n in range(1000)))
    proc = speak(["build", "huge.md", "--engine", "silent"], tmp_path, timeout=60)
    one_line_error(proc, "huge.md", "152,000 words", "about 17 hours", "--max-words 152000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.md"]  # nothing made, no folder
    (tmp_path / "huge.md").write_text(f"# Small\n\n{paragraph}\n")
    small = speak(["build", "huge.md", "--engine", "silent", "--max-words", "100"], tmp_path, timeout=60)
    one_line_error(small, "huge.md", "150 words", "over the limit of 100 words", "--max-words 1000")


def test_a_date_that_is_none_is_a_script_error_naming_the_line() -> None:
    with pytest.raises(ScriptError, match=r"ep.yaml:5: '2026-13-45' looks like a date but is none"):
        load_script(SCRIPT.replace("segments: ['Some words.']", "segments:\n  - 2026-13-45"), "ep.yaml")


def test_markup_from_an_article_is_never_live_in_the_feed(tmp_path: Path) -> None:
    """A title or heading that is HTML (plain text of an article) stays words: feed readers render an item's title
    and description as HTML, so after XML parsing neither may hold a tag; bidirectional overrides are removed."""
    (tmp_path / "a.txt").write_text("<img src=x onerror=alert(1)> Gardens \u202eevil\u202c\n\n"
                                    "Rain gardens soak up storm water, and they are cheap to build in any yard.\n\n"
                                    "<script>alert(9)</script>\n\n"
                                    "Use native plants that like wet feet, and water them well in their first year.\n")
    proc = speak(["build", "a.txt", "--engine", "silent", "-q", "-o", "out"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    channel = ET.parse(tmp_path / "out" / "feed.xml").getroot().find("channel")
    assert channel is not None
    texts = [e.text or "" for e in channel.iter() if e.tag in ("title", "description")]
    texts += [e.get("title", "") for e in channel.iter() if e.tag.endswith("}chapter")]
    assert any("Gardens" in t for t in texts)
    for text in texts:
        assert "<img" not in text and "<script" not in text and "\u202e" not in text, text
    assert "\u202e" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("text", ["<<b>img src=x onerror=alert(1)>", "<scr<b>ipt>alert(1)</script>",
                                  "<img src=x onerror=alert(1)", "a <!-- x --> b"])
def test_no_tag_survives_in_feed_text_however_it_is_nested(text: str) -> None:
    shown = inert(text)
    assert not re.search(r"<[A-Za-z!?/]", shown), shown
