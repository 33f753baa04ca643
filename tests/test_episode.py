"""A real short episode: real voice, real MP3, read back with mutagen and an outside reader (ffprobe)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import FFMPEG, FFPROBE, build_audio, measure
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3

from articlecast.audio.tags import read_mp3, tag_mp3
from articlecast.inputs.markdown import parse_markdown
from articlecast.publish.episode import Episode
from articlecast.script import make_script
from articlecast.util.ffmpeg import decode
from articlecast.voice.segments import SegmentCache

ARTICLE = """\
# Small Gardens, Big Harvests

A short guide for people with very little space.

## Start with the soil

Good soil matters more than anything else. Mix compost into it every spring.

## FAQ

### Do I need a greenhouse?

No. A sunny windowsill is enough for herbs.

### When should I water?

Early in the morning, before the sun is high.
"""

TITLES = ["Intro", "Small Gardens, Big Harvests", "Start with the soil", "Do I need a greenhouse?",
          "When should I water?", "Outro"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Episode, Path]:
    out = tmp_path_factory.mktemp("ep") / "garden.mp3"
    cache = SegmentCache(tmp_path_factory.mktemp("cache"))
    script = make_script(parse_markdown(ARTICLE), show="Test Show", date="2026-11-24")
    episode = build_audio(script, out, cache)
    tag_mp3(episode.meta, episode.chapters, out)
    return episode, out


def test_chapters_as_built(built: tuple[Episode, Path]) -> None:
    episode, _ = built
    assert [c.title for c in episode.chapters] == TITLES
    assert episode.chapters[0].start_ms == 0
    assert episode.chapters[-1].end_ms == round(episode.seconds * 1000)


def test_mutagen_reads_tags_and_chapters(built: tuple[Episode, Path]) -> None:
    episode, path = built
    tags = ID3(str(path))
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Small Gardens, Big Harvests"
    assert str(tags["TALB"]) == "Test Show" and str(tags["TCON"]) == "Podcast"
    assert str(tags["TDRC"]) == "2026-11-24"
    assert tags.getall("COMM")[0].text[0] == "A short guide for people with very little space."
    (toc,) = tags.getall("CTOC")
    assert toc.flags & CTOCFlags.TOP_LEVEL and toc.flags & CTOCFlags.ORDERED
    info = read_mp3(path)
    assert [c.title for c in info.chapters] == TITLES
    assert info.chapters == episode.chapters  # one Chapter type, read back as it was built
    assert info.sample_rate == 44100 and info.bitrate == 96000
    # the MP3's own length agrees with the chapters, give or take the encoder's frame padding
    assert MP3(str(path)).info.length == pytest.approx(episode.seconds, abs=0.08)
    assert MP3(str(path)).info.channels == 1


def test_frames_are_stored_in_time_order(built: tuple[Episode, Path]) -> None:
    _, path = built
    data = path.read_bytes()
    starts = [data.find(f"chp{i}".encode() + b"\x00") for i in range(len(TITLES))]
    assert all(s > 0 for s in starts) and starts == sorted(starts)


@pytest.mark.skipif(FFPROBE is None, reason="Debian's ffprobe is not installed")
def test_ffprobe_sees_the_chapters_in_order(built: tuple[Episode, Path]) -> None:
    episode, path = built
    out = subprocess.run([FFPROBE, "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    probe = json.loads(out)
    titles = [c["tags"]["title"] for c in probe["chapters"]]
    assert titles == TITLES
    starts = [round(float(c["start_time"]) * 1000) for c in probe["chapters"]]
    assert starts == [c.start_ms for c in episode.chapters]
    assert float(probe["format"]["duration"]) == pytest.approx(episode.seconds, abs=0.08)
    assert probe["format"]["tags"]["title"] == "Small Gardens, Big Harvests"


def test_loudness_of_the_encoded_file(built: tuple[Episode, Path]) -> None:
    episode, path = built
    lufs, peak = measure(path)
    assert -17.0 <= lufs <= -15.0
    assert peak <= -1.0
    # what the build reported (ffmpeg's own measure of what it encoded, less the MP3 allowance) is what a decoder hears
    assert lufs == pytest.approx(episode.loudness_lufs, abs=0.3)


@pytest.mark.skipif(FFMPEG is None, reason="Debian's ffmpeg is not installed")
def test_loudness_by_an_outside_meter(built: tuple[Episode, Path]) -> None:
    _, path = built
    log = subprocess.run([FFMPEG, "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = log[log.rfind("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    assert -17.0 <= lufs <= -15.0
    assert peak <= -1.0


def test_every_caption_starts_with_the_voice_not_the_silence_before_it(built: tuple[Episode, Path]) -> None:
    episode, mp3 = built
    audio = decode(mp3, 16000).samples
    energy = np.square(audio[: len(audio) // 160 * 160].astype(np.float64)).reshape(-1, 160).mean(axis=1)
    loud = energy >= np.percentile(energy, 99) * 10 ** (-40 / 10)  # 10 ms frames of voice, from the MP3's level
    starts = {c.start_ms for c in episode.chapters}
    early = []
    for before, cue in zip(episode.cues, episode.cues[1:]):
        if any(before.end_ms <= s <= cue.start_ms for s in starts):
            continue  # a chapter's chime in between
        frames = np.flatnonzero(loud[(before.end_ms + 30) // 10: cue.end_ms // 10])
        onset = (before.end_ms + 30) // 10 * 10 + int(frames[0]) * 10
        early.append(onset - cue.start_ms)
    assert len(early) >= 3 and all(0 <= e <= 60 for e in early), early  # just before the voice, never after it


def test_nothing_half_written(built: tuple[Episode, Path]) -> None:
    _, path = built
    assert sorted(p.name for p in path.parent.iterdir()) == ["garden.mp3"]
