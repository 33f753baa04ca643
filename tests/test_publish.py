"""Publish-ready output, read back by real clients: podcastparser (gPodder), feedparser, webvtt-py,
mutagen and Pillow."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import feedparser
import podcastparser
import pytest
import webvtt
from helpers import episode_of, speak, speak_ok
from mutagen.id3 import ID3
from PIL import Image

from articlecast.audio.tags import read_mp3
from articlecast.audio.timeline import Chapter, Cue
from articlecast.errors import InputError
from articlecast.inputs.markdown import parse_markdown
from articlecast.publish.cover import generate_cover
from articlecast.publish.episode import Episode
from articlecast.publish.notes import notes_markdown
from articlecast.publish.transcript import chapters_json, plain_text, srt, vtt
from articlecast.script import make_script
from articlecast.script.model import Meta
from articlecast.util.images import load_cover
from articlecast.voice.choice import resolve_voices

BASE = "https://pod.example.com/show/"


# ---------------------------------------------------------------- pure: transcripts and chapters


def toy_episode() -> Episode:
    meta = Meta(title="T <b> & co", date="2026-01-01")
    chapters = (Chapter("Intro", 0, 4000), Chapter("Part <1>", 4000, 9000), Chapter("Outro", 9000, 10000))
    cues = (Cue("Hello & welcome.", 500, 2000), Cue("Second --> line.", 2000, 3900, True),
            Cue("In part <one>.", 4500, 6000), Cue("Still there.", 5900, 8000, True),  # overlaps: trimmed
            Cue("Bye.", 9200, 10500, True))  # runs past the end: trimmed
    return episode_of(meta, chapters, cues)


def test_vtt_srt_and_text_from_the_timeline(tmp_path: Path) -> None:
    ep = toy_episode()
    (tmp_path / "t.vtt").write_text(vtt(ep))
    cues = webvtt.read(str(tmp_path / "t.vtt"))
    # webvtt-py hands back the cue payload as written: escaped, as WebVTT requires for & and <
    assert [c.text for c in cues] == ["Hello &amp; welcome.", "Second → line.", "In part &lt;one&gt;.", "Still there.",
                                      "Bye."]
    starts = [c.start_in_seconds for c in cues]
    ends = [c.end_in_seconds for c in cues]
    assert starts == sorted(starts)
    assert all(e <= s2 for e, s2 in zip(ends, starts[1:]))  # never overlapping
    assert ends[-1] <= 10.0  # never past the end
    assert "00:00:04.500 --> 00:00:05.900" in vtt(ep)
    assert "1\n00:00:00,500 --> 00:00:02,000\nHello & welcome.\n" in srt(ep)
    text = plain_text(ep)
    assert "[00:00:04] Part <1>" in text and "Hello & welcome. Second --> line.\n" in text


def test_reading_text_shows_a_spoken_heading_once() -> None:
    ep = toy_episode()
    ep = episode_of(ep.meta, ep.chapters, (*ep.cues[:2], Cue("Part <1>.", 4100, 4400, True), *ep.cues[2:]))
    text = plain_text(ep)
    assert "[00:00:04] Part <1>\n\nIn part <one>." in text and "Part <1>." not in text
    # captions keep every spoken sentence (this one stays into the pause until its 9 characters can be read)
    assert "3-1\n00:00:04.100 --> 00:00:04.500\nPart &lt;1&gt;.\n" in vtt(ep)


def test_json_chapters_to_the_millisecond() -> None:
    data = json.loads(chapters_json(toy_episode()))
    assert data["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == [(0, "Intro"), (4.0, "Part <1>"), (9.0, "Outro")]


# ---------------------------------------------------------------- cover art


def test_generated_cover_is_square_and_large() -> None:
    cover = generate_cover("My Show", "A title with émoji 🎉 and <tags> & more")
    with Image.open(io.BytesIO(cover.data)) as img:
        assert img.format == "PNG" and img.mode == "RGB" and img.size == (1400, 1400)
        assert img.getpixel((5, 5)) == (13, 27, 62)  # the dark background: white text on it is over 15:1


def test_user_cover_is_checked(tmp_path: Path) -> None:
    small = tmp_path / "small.jpg"
    Image.new("RGB", (800, 600), "red").save(small)
    with pytest.raises(InputError, match=r"800x600 pixels; it must be square, 1400 to 3000"):
        load_cover(small)
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(InputError, match="not an image"):
        load_cover(tmp_path / "fake.png")
    with pytest.raises(InputError, match="no such image"):
        load_cover(tmp_path / "missing.png")
    good = tmp_path / "good.png"
    Image.new("RGBA", (1500, 1500), (0, 0, 0, 0)).save(good)
    cover = load_cover(good)
    with Image.open(io.BytesIO(cover.data)) as img:
        assert img.mode == "RGB" and img.size == (1500, 1500) and cover.mime == "image/png"


# ---------------------------------------------------------------- a whole published folder


ARTICLE_A = "# Rain Gardens\n\nA lead line about rain.\n\n## Soil\n\nUse sand.\n\n## FAQ\n\n### Why?\n\nIt drains.\n"
ARTICLE_B = "Wind Breaks\n\nA lead line about wind.\n\nHedges\n\nPlant them close.\n"
NASTY = '<b>Tom & "Jerry\'s"</b> 🎉 café'
INERT = 'Tom & "Jerry\'s" 🎉 café'
"""NASTY as the feed gives it: readers render a feed's titles as HTML, so its tags are taken out there (only)."""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two articles built one after the other into one folder, with a real voice for the first."""
    work = tmp_path_factory.mktemp("pub")
    (work / "a.md").write_text(ARTICLE_A)
    (work / "b.txt").write_text(ARTICLE_B.replace("Wind Breaks", NASTY))  # plain text: the title is literal
    speak_ok(["build", "a.md", "-q", "--base-url", BASE], work)
    speak_ok(["build", "b.txt", "-q", "--voice", "silent"], work)  # the base URL is remembered
    return work / "audio_out"


def test_feed_read_by_podcastparser(published: Path) -> None:
    with open(published / "feed.xml", "rb") as f:
        feed = podcastparser.parse(BASE + "feed.xml", f)
    assert feed["title"] == "Articlecast" and feed["cover_url"] == BASE + "cover.png"
    titles = [e["title"] for e in feed["episodes"]]
    assert titles == [INERT, "Rain Gardens"]
    rain = next(e for e in feed["episodes"] if e["title"] == "Rain Gardens")
    mp3 = published / "rain-gardens.mp3"
    (enc,) = rain["enclosures"]
    assert enc["url"] == BASE + "rain-gardens.mp3" and enc["mime_type"] == "audio/mpeg"
    assert enc["file_size"] == mp3.stat().st_size
    assert abs(rain["total_time"] - read_mp3(mp3).seconds) <= 1
    assert rain["transcript_url"] == BASE + "rain-gardens.vtt"
    assert rain["chapters_json_url"] == BASE + "rain-gardens.chapters.json"
    assert [c["title"] for c in rain["chapters"]] == ["Intro", "Rain Gardens", "Soil", "Why?", "Outro"]


def test_feed_read_by_feedparser(published: Path) -> None:
    feed = feedparser.parse((published / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Articlecast" and feed.feed.language == "en"
    assert feed.feed.image.href == BASE + "cover.png"
    assert [e.title for e in feed.entries] == [INERT, "Rain Gardens"]  # newest first
    rain = feed.entries[1]
    assert rain.enclosures[0].length == str((published / "rain-gardens.mp3").stat().st_size)
    assert rain.itunes_duration.count(":") == 2
    assert rain.podcast_transcript["url"] == BASE + "rain-gardens.vtt"
    assert rain.podcast_chapters["url"] == BASE + "rain-gardens.chapters.json"
    assert rain.link == BASE + "rain-gardens.html"
    assert len({e.id for e in feed.entries}) == 2


def test_json_chapters_equal_the_id3_chapters(published: Path) -> None:
    data = json.loads((published / "rain-gardens.chapters.json").read_text())
    info = read_mp3(published / "rain-gardens.mp3")
    assert [(round(c["startTime"] * 1000), c["title"]) for c in data["chapters"]] == [
        (c.start_ms, c.title) for c in info.chapters]


def test_vtt_of_a_real_episode(published: Path) -> None:
    cues = webvtt.read(str(published / "rain-gardens.vtt"))
    assert len(cues) >= 6 and cues[0].text.startswith("Welcome to Articlecast.")
    starts = [c.start_in_seconds for c in cues]
    assert starts == sorted(starts)
    assert all(a.end_in_seconds <= b.start_in_seconds for a, b in zip(cues, cues[1:]))
    assert cues[-1].end_in_seconds <= read_mp3(published / "rain-gardens.mp3").seconds
    assert any(c.text == "Use sand." for c in cues)  # one cue per sentence, the article's words


def test_mp3_embeds_cover_and_transcript(published: Path) -> None:
    tags = ID3(str(published / "rain-gardens.mp3"))
    (apic,) = tags.getall("APIC")
    assert apic.type == 3 and apic.mime == "image/png"
    assert apic.data == (published / "rain-gardens.png").read_bytes()
    (uslt,) = tags.getall("USLT")
    assert uslt.text == (published / "rain-gardens.txt").read_text()
    assert "Soil" in uslt.text and "Use sand." in uslt.text


def test_nasty_title_survives_escaped_and_sanitized(published: Path) -> None:
    names = sorted(p.name for p in published.iterdir())
    slug = "b-tom-jerry-s-b-cafe"
    assert f"{slug}.mp3" in names and all(n.isascii() for n in names)
    assert str(ID3(str(published / f"{slug}.mp3"))["TIT2"]) == NASTY
    raw = (published / "feed.xml").read_text(encoding="utf-8")
    assert "<b>Tom" not in raw and "&lt;b&gt;" not in raw and "Tom &amp;" in raw  # no tag, live or escaped
    notes = (published / f"{slug}.html").read_text()
    assert "<b>Tom" not in notes and "&lt;b&gt;Tom &amp; &quot;Jerry&#x27;s&quot;&lt;/b&gt; 🎉 café" in notes


def test_rebuilding_updates_instead_of_duplicating(published: Path) -> None:
    work = published.parent
    before = feedparser.parse((published / "feed.xml").read_bytes())
    speak_ok(["build", "a.md", "-q"], work)
    after = feedparser.parse((published / "feed.xml").read_bytes())
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert len(after.entries) == 2
    assert after.entries[1].links[0].href.startswith(BASE)  # the base URL was remembered


def test_script_names_its_own_cover(tmp_path: Path) -> None:
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(tmp_path / "art.jpg", quality=90)
    (tmp_path / "ep.yaml").write_text(
        "show: {name: Red Show, image: art.jpg, category: Science, explicit: false}\n"
        "episode: {title: Red Episode, image: art.jpg}\n"
        "voices: {narrator: silent}\nchapters:\n- title: One\n  segments: [Just one sentence here.]\n")
    speak_ok(["build", "ep.yaml", "-q", "--base-url", BASE], tmp_path)
    out = tmp_path / "audio_out"
    (apic,) = ID3(str(out / "red-episode.mp3")).getall("APIC")
    assert apic.mime == "image/jpeg" and apic.data == (tmp_path / "art.jpg").read_bytes()
    assert (out / "cover.jpg").read_bytes() == (tmp_path / "art.jpg").read_bytes()
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert feed.feed.image.href == BASE + "cover.jpg"
    assert feed.feed.tags[0].term == "Science"
    (tmp_path / "bad.yaml").write_text((tmp_path / "ep.yaml").read_text().replace("image: art.jpg}", "image: nope.png}"))
    proc = speak(["build", "bad.yaml"], tmp_path)
    assert proc.returncode == 2 and "nope.png: no such image" in proc.stderr and "Traceback" not in proc.stderr


def test_show_notes_escape_the_articles_html() -> None:
    script = resolve_voices(make_script(parse_markdown("# T\n\nBody.\n")))
    meta = dataclasses.replace(script.meta, title="Evil <script>alert(1)</script> [x](javascript:y)",
                               description="Body <img src=x onerror=alert(2)> & *text*.")
    ep = toy_episode()
    notes = notes_markdown(Episode(meta, ep.timeline), script)
    assert "<script>" not in notes and "<img" not in notes and "[x](javascript" not in notes
    assert "# Evil &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:y)" in notes
    assert "&amp; \\*text\\*" in notes and "Part &lt;1&gt;" in notes
