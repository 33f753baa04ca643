"""The feed as podcast directories read it: itunes:owner, chapters at the start of each description (where
Spotify reads them), and `speak.py feed --check`, which reads feed.xml back like a directory would."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser
from helpers import speak

BASE = "https://pod.example.com/show/"


def test_feed_meets_directories_requirements(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Garden notes\n\nA lead line about small gardens.\n\n## Soil\n\nUse compost.\n")
    (tmp_path / "b.md").write_text("# Tide tables\n\nThe sea comes and goes twice a day.\n\n## Moon\n\nIt pulls.\n")
    assert speak(["build", "a.md", "--engine", "silent", "-q"], tmp_path).returncode == 0
    check = speak(["feed", "--check"], tmp_path)
    assert check.returncode == 1
    assert "no itunes:owner e-mail" in check.stdout and "--base-url" in check.stdout

    for name in ("a.md", "b.md"):
        proc = speak(["build", name, "--engine", "silent", "-q", "--base-url", BASE, "--email", "owner@example.com"],
                     tmp_path)
        assert proc.returncode == 0, proc.stderr
    check = speak(["feed", "--check"], tmp_path)
    assert check.returncode == 0, check.stdout
    assert "2 episodes" in check.stdout and "meets" in check.stdout
    raw = (tmp_path / "audio_out" / "feed.xml").read_bytes()
    parsed = feedparser.parse(raw)
    assert parsed.feed.publisher_detail.email == "owner@example.com"
    entry = next(e for e in parsed.entries if e.title == "Garden notes")
    lines = entry.description.splitlines()
    assert lines[0] == "(0:00) Intro" and lines[1].endswith(") Garden notes") and lines[2].endswith(") Soil")
    assert lines[3].endswith(") Outro") and lines[4:6] == ["", "A lead line about small gardens."]
    assert lines[6:] == ["", "Read by synthetic voice (text to speech): silent “quiet” (host, narrator, question, answer)."]
    assert podcastparser.parse(BASE + "feed.xml", io.BytesIO(raw))["episodes"][0]["chapters"]

    # what a directory would refuse, put in by hand: a wrong length, a repeated guid
    xml = raw.decode()
    first = xml.index("<guid")
    guid = xml[first: xml.index("</guid>", first)]
    second = xml.index("<guid", first + 1)
    xml = xml[:second] + guid + xml[xml.index("</guid>", second):]
    xml = xml.replace('length="', 'length="1', 1)
    (tmp_path / "audio_out" / "feed.xml").write_text(xml)
    check = speak(["feed", "--check"], tmp_path)
    assert check.returncode == 1
    assert "the same guid as" in check.stdout and "enclosure length 1" in check.stdout
    assert speak(["feed", "nowhere", "--check"], tmp_path).returncode == 2
