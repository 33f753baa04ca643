"""The audiobook (--m4b, Options.m4b): AAC in MP4 with the MP3's chapters to the millisecond, its tags and cover,
read back by ffprobe and by mutagen's MP4 reader; linked from the page, published, removed with its episode."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import FFPROBE, SAMPLE_TXT, episode_of, speak_ok
from mutagen.mp4 import MP4

import articlecast
from articlecast.audio.timeline import Chapter
from articlecast.publish import read_items, remove_episode
from articlecast.publish.audiobook import chapter_metadata
from articlecast.publish.upload import content_type, published_files
from articlecast.script.model import Meta, Show


def _probe(path: Path) -> dict[str, object]:
    out = subprocess.run([str(FFPROBE), "-v", "error", "-show_chapters", "-show_format", "-show_streams", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


def test_the_metadata_file_escapes_what_ffmpeg_reads_as_syntax() -> None:
    meta = Meta(title="A=B; #1 \\ two\nlines", show=Show(name="Show", language="es"), description="About it.")
    chapters = (Chapter("Intro", 0, 1000), Chapter("Rain", 1000, 2500, part="Weather"), Chapter("Weather", 2500, 3000,
                                                                                                part="Weather"))
    text = chapter_metadata(episode_of(meta, chapters, ()))
    assert text.startswith(";FFMETADATA1\n")
    assert "title=A\\=B\\; \\#1 \\\\ two lines\n" in text  # one line, its syntax escaped
    assert "START=1000\nEND=2500\ntitle=Weather — Rain\n" in text  # a digest's article names its chapters
    assert "title=Weather\n" in text  # (the article's own first chapter is not named twice)
    assert "Una lectura sintética" in text  # the synthetic narration said, in the episode's language


@pytest.mark.skipif(FFPROBE is None, reason="needs ffprobe (apt-get install ffmpeg)")
def test_an_audiobook_with_the_mp3s_chapters_tags_and_cover(tmp_path: Path) -> None:
    out = tmp_path / "out"
    speak_ok(["build", str(SAMPLE_TXT), "-q", "--voice", "silent", "--m4b", "-o", str(out)], tmp_path)
    (item,) = read_items(out)[1]
    m4b = out / item.files["m4b"]
    assert m4b.name.endswith(".m4b") and content_type(m4b.name) == "audio/mp4"
    probe = _probe(m4b)
    mp3 = articlecast.read_mp3(out / item.audio)
    chapters = [(round(float(c["start_time"]) * 1000), round(float(c["end_time"]) * 1000), c["tags"]["title"])
                for c in probe["chapters"]]  # type: ignore[attr-defined]
    assert chapters == [(c.start_ms, c.end_ms, c.title) for c in mp3.chapters] and len(chapters) == 21
    fmt = probe["format"]
    assert fmt["tags"]["major_brand"].strip() == "M4B"  # type: ignore[index]
    assert fmt["tags"]["title"] == item.title and "synthetic" in fmt["tags"]["comment"]  # type: ignore[index]
    assert abs(float(fmt["duration"]) - mp3.seconds) < 0.2  # type: ignore[index]
    streams = probe["streams"]
    audio = next(s for s in streams if s["codec_type"] == "audio")  # type: ignore[attr-defined, index]
    assert audio["codec_name"] == "aac" and audio["channels"] == 1 and audio["tags"]["language"] == "eng"
    assert any(s.get("disposition", {}).get("attached_pic") == 1 for s in streams)  # type: ignore[attr-defined]
    tags = MP4(str(m4b))  # mutagen's reader: what audiobook apps read
    assert tags["\xa9nam"] == [item.title] and tags["\xa9alb"] == ["Articlecast"] and tags["covr"]
    assert abs(tags.info.length - mp3.seconds) < 0.2
    page = (out / item.files["page"]).read_text(encoding="utf-8")
    assert f'href="{m4b.name}">Audiobook (M4B)</a>' in page
    assert m4b.name in published_files(out)
    remove_episode(out, item.guid)
    assert not m4b.exists()


def test_without_m4b_there_is_none_and_the_build_hash_is_as_before(tmp_path: Path) -> None:
    built = articlecast.build(str(SAMPLE_TXT), voice="silent", output=tmp_path / "out")
    assert "m4b" not in built.files and not list((tmp_path / "out").glob("*.m4b"))
    with articlecast.Builder(articlecast.Options(voice="silent", output=tmp_path / "out")) as plain, \
            articlecast.Builder(articlecast.Options(voice="silent", output=tmp_path / "out", m4b=True)) as m4b:
        loaded = plain.load(str(SAMPLE_TXT))
        assert plain.up_to_date(loaded) and not m4b.up_to_date(m4b.load(str(SAMPLE_TXT)))
