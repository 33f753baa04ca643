"""The streamed episode: the same chapters, captions and loudness as the whole-programme mixer it replaced
(tests/reference_mix.py), memory that does not grow with the episode, bounded sentences and captions, long
documents laid out as a listener wants them, and warm rebuilds that touch no audio."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import reference_mix
from helpers import SAMPLE_YAML, SPEAK, build_audio, measure

from articlecast.audio.encoder import Encoder
from articlecast.audio.mixer import MAX_CUE_MS
from articlecast.audio.plan import plan_episode
from articlecast.audio.sounds import BELL_LUFS, CHIME_SECONDS, _bell
from articlecast.audio.tags import read_mp3, tag_mp3
from articlecast.inputs.plain import parse_text
from articlecast.models import MIX_RATE as RATE
from articlecast.script import make_script, read_script
from articlecast.script.model import Meta, Script, ScriptChapter, Segment, Voice
from articlecast.util.loudness import MIX_TARGET, integrated_loudness
from articlecast.voice.segments import SegmentCache
from articlecast.voice.sentences import MAX_CHARS, speakable_pieces
from articlecast.voice.speaker import Request, Speaker

SILENT = Voice("silent", "quiet")


def test_constants_match_what_they_stand_for() -> None:
    chime = _bell([523.25, 659.25, 783.99], [0.0, 0.16, 0.32], CHIME_SECONDS, 0.5, RATE)
    notes = _bell([783.99, 1046.5], [0.0, 0.09], 0.45, 0.18, RATE)
    assert integrated_loudness(chime, RATE) == pytest.approx(BELL_LUFS["chime"], abs=0.01)
    assert integrated_loudness(notes, RATE) == pytest.approx(BELL_LUFS["notes"], abs=0.01)


@pytest.mark.slow
def test_streaming_equals_the_whole_programme_mix(tmp_path: Path) -> None:
    """The sample, streamed, against today's whole-programme path fed the very same sentences."""
    script = read_script(SAMPLE_YAML)
    cache = SegmentCache()
    mp3 = tmp_path / "streamed.mp3"
    episode = build_audio(script, mp3, cache)

    plan = plan_episode(script, 96)
    said_length = next(c.text for c in episode.cues if c.text.startswith("This episode runs"))
    with Speaker(cache) as speaker:
        stream = speaker.stream(plan.planner.requests + [Request(said_length, plan.planner.voices["host"])])

        def spoken(lines: list) -> list:  # type: ignore[type-arg]
            return [reference_mix.Spoken(ln.text, stream.audio(ln.index), ln.pause, ln.voice) for ln in lines]

        parts = [reference_mix.Part(p.title, spoken(p.lines)) for p in plan.parts]
        at = len(speakable_pieces(plan.opening))
        length = reference_mix.Spoken(said_length, stream.audio(len(plan.planner.requests)), 0.35, parts[0].spoken[0].voice)
        parts[0] = reference_mix.Part("Intro", [*parts[0].spoken[:at], length, *parts[0].spoken[at:]])
        audio, chapters, cues, _, _ = reference_mix.mix(script.meta, parts[0], parts[1:-1], parts[-1])

    assert [(c.title, c.start_ms, c.end_ms) for c in episode.chapters] == [(c.title, c.start_ms, c.end_ms)
                                                                            for c in chapters]
    # every sentence's caption covers the same time (a long one is shown in parts)
    streamed = list(episode.cues)
    for ref in cues:
        mine = [c for c in streamed if ref.start_ms <= c.start_ms < ref.end_ms]
        assert mine and mine[0].start_ms == ref.start_ms and mine[-1].end_ms == ref.end_ms, ref.text
        assert " ".join(c.text for c in mine) == ref.text
    # loudness: both encoded the same way and measured by decoding, as a listener's player hears them
    reference = tmp_path / "reference.mp3"
    with Encoder(reference, 96, RATE) as enc:
        enc.write(audio.samples)
        enc.close()
    ours, theirs = measure(mp3), measure(reference)
    assert ours[0] == pytest.approx(theirs[0], abs=0.3)
    assert -16.5 <= ours[0] <= -15.5 and ours[1] <= -1.0
    assert episode.loudness_lufs == pytest.approx(ours[0], abs=0.3)


def _peak_rss_of(cmd: list[str], cwd: Path) -> int:
    """Peak RSS (bytes) of a command run as its own process (it synthesizes here: the silent engine)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "ARTICLECAST_WORKERS": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read()  # type: ignore[union-attr]
    return usage.ru_maxrss * 1024


@pytest.mark.slow
def test_memory_does_not_grow_with_the_episode(tmp_path: Path) -> None:
    sentence = "Each of these words lasts a quarter of a second in the silent voice, so this is it."
    for minutes in (10, 60):
        words = minutes * 60 * 4
        count = words // len(sentence.split())
        body = "\n\n".join(" ".join([sentence] * 5) for _ in range(count // 5))
        (tmp_path / f"m{minutes}.md").write_text(f"# Long {minutes}\n\n{body}\n")
    small = _peak_rss_of([sys.executable, SPEAK, "build", "m10.md", "--engine", "silent", "-q", "-o", "a"], tmp_path)
    large = _peak_rss_of([sys.executable, SPEAK, "build", "m60.md", "--engine", "silent", "-q", "-o", "b"], tmp_path)
    assert read_mp3(next((tmp_path / "b").glob("*.mp3"))).seconds > 55 * 60
    # six times the audio: before streaming this grew by ~4 GB (float copies of the whole programme)
    assert large - small < 80 * 2**20, (small / 2**20, large / 2**20)


def test_a_run_on_paragraph_is_split_and_captioned_in_short_cues(tmp_path: Path) -> None:
    words = " ".join(f"word{n % 50}" for n in range(3000))  # no punctuation at all
    assert all(len(p) <= MAX_CHARS for p in speakable_pieces(words))
    script = make_script(parse_text(f"Run on\n\n{words}\n"))
    assert len(script.meta.description) <= 301  # the auto intro quotes a sentence or two, never the page
    script = Script(script.meta, {r: SILENT for r in script.voices}, script.chapters)
    episode = build_audio(script, tmp_path / "x.mp3")
    assert max(c.end_ms - c.start_ms for c in episode.cues) <= MAX_CUE_MS
    body = episode.chapters[1]
    assert " ".join(c.text for c in episode.cues if body.start_ms <= c.start_ms < body.end_ms) == words


def test_contents_and_numbered_headings() -> None:
    text = ("A Handbook\n\nContents\n\n1. Introduction\n1.1. What is it?\n2. Installing\n\n"
            "1. Introduction\n\nThis handbook explains everything a new user needs to know about the system.\n\n"
            "1.1. What is it?\n\nIt is a free operating system, made by volunteers everywhere.\n\n"
            "2. Installing\n\nInstalling takes an hour on most machines, less on fast ones.\n\n"
            "Chapter 3.\n\nThis chapter is about keeping a running system in good health for years.\n")
    article = parse_text(text)
    assert [s.title for s in article.sections] == ["1. Introduction", "1.1. What is it?", "2. Installing", "Chapter 3"]
    assert [s.part for s in article.sections] == ["", "1. Introduction", "", ""]
    said = " ".join(p for s in article.sections for p in s.paragraphs)
    assert "Contents" not in said and not said.startswith("1.")


def test_long_documents_get_nested_chapters(tmp_path: Path) -> None:
    parts = []
    for p in range(1, 6):
        parts.append(f"{p}. Part number {p}\n\nThe opening words of part {p}, which say what is in it.")
        parts += [f"{p}.{s}. Section {p} {s}\n\nThe words of section {s} of part {p}, a sentence or so."
                  for s in range(1, 10)]
    article = parse_text("A Long Manual\n\n" + "\n\n".join(parts) + "\n")
    script = make_script(article)
    assert len(script.chapters) == 50
    assert script.chapters[1].part == "1. Part number 1" and script.chapters[0].part == ""
    script = Script(script.meta, {r: SILENT for r in script.voices}, script.chapters)
    mp3 = tmp_path / "x.mp3"
    episode = build_audio(script, mp3)
    tag_mp3(episode.meta, episode.chapters, mp3)
    info = read_mp3(mp3)
    assert len(info.chapters) == 52 and [c.part for c in info.chapters].count("1. Part number 1") == 9
    assert info.chapters[0].part == "" and info.chapters[1].part == ""  # the intro, and part 1's own opening chapter


def test_a_warm_rebuild_touches_no_audio(tmp_path: Path) -> None:
    script = Script(Meta(title="Warm", date="2026-01-01"), {r: SILENT for r in ("host", "narrator", "question",
                                                                                "answer")},
                    tuple(ScriptChapter(f"C{i}", (Segment(f"Some words for chapter {i}."),)) for i in range(3)))
    first = build_audio(script, tmp_path / "a.mp3")
    cache = SegmentCache()
    again = build_audio(script, tmp_path / "b.mp3", cache)
    assert (cache.hits, cache.misses) == (0, 0)  # not one sentence was even looked at
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    assert again == first
    assert MIX_TARGET == pytest.approx(-15.6)
