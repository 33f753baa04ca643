"""The command line as a user runs it: `python speak.py ...` in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import FFPROBE, SEED_SECTIONS, measure, one_line_error, speak

from articlecast.audio.tags import read_mp3
from articlecast.errors import FieldError
from articlecast.loading import load
from articlecast.options import Options

assert_one_line_error = one_line_error


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("empty.txt", b"", ["empty.txt", "is empty"]),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary file", "UTF-8"]),
        ("notes.docx", b"PK\x03\x04", ["notes.docx", "not a readable Word document", "save it again as .docx"]),
        ("bad.yaml", b"episode:\n  title: [oops\nchapters: x\n", ["bad.yaml:", "not valid YAML"]),
        ("voice.yaml", b"episode: {title: T}\nvoices: {narrator: hibari:nobody}\nchapters:\n- title: C\n"
                       b"  segments: [Hello.]\n", ["voice.yaml:2", "no voice 'nobody'", "choose one of: heart"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, name: str, content: bytes, needles: list[str]) -> None:
    (tmp_path / name).write_bytes(content)
    proc = speak(["build", name], tmp_path)
    assert_one_line_error(proc, *needles)
    assert not (tmp_path / "audio_out").exists() or not any((tmp_path / "audio_out").iterdir())


def test_unknown_voice_flag(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Title\n\nSome words.\n")
    assert_one_line_error(speak(["build", "a.txt", "--voice", "robot"], tmp_path), "unknown engine 'robot'")
    assert_one_line_error(speak(["build", "missing.md"], tmp_path), "no such file")


def test_script_command(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# My Title\n\nLead words.\n\n## Part\n\nMore words.\n")
    proc = speak(["script", "a.md", "-o", "script/a.yaml"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "script" / "a.yaml").read_text()
    assert "title: My Title" in text and "- title: Part" in text
    proc = speak(["script", "a.md"], tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("# Articlecast script")
    assert_one_line_error(speak(["script", "a.md", "-o", "a.txt"], tmp_path), "name it with .yaml")


def test_help_explains_each_command(tmp_path: Path) -> None:
    top = speak(["--help"], tmp_path).stdout
    for word in ("build", "script", "chapters", "examples"):
        assert word in top
    assert "--bitrate" in speak(["build", "--help"], tmp_path).stdout
    assert "YAML" in speak(["script", "--help"], tmp_path).stdout


def test_build_markdown_then_read_chapters(tmp_path: Path) -> None:
    (tmp_path / "garden.md").write_text(
        "# Tiny Garden\n\nA lead line.\n\n## Soil\n\nUse compost.\n\n## FAQ\n\n### Why compost?\n\nIt feeds the soil.\n")
    proc = speak(["build", "garden.md", "--bitrate", "64", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    mp3 = tmp_path / "audio_out" / "tiny-garden.mp3"
    assert proc.stdout.splitlines()[0].startswith(str(Path("audio_out") / "tiny-garden.mp3"))
    assert sorted(p.name for p in mp3.parent.iterdir()) == [
        ".feed.lock", "cover.png", "feed.json", "feed.xml", "tiny-garden.chapters.json", "tiny-garden.epub", "tiny-garden.html",
        "tiny-garden.md",
        "tiny-garden.mp3", "tiny-garden.png", "tiny-garden.srt", "tiny-garden.txt", "tiny-garden.vtt"]
    shown = speak(["chapters", str(mp3)], tmp_path)
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert "64 kbit/s" in lines[0] and any("genre:" in ln and "Podcast" in ln for ln in lines)
    chapter_lines = [ln for ln in lines if " - " in ln]
    assert [ln.split("  ")[-1] for ln in chapter_lines] == ["Intro", "Tiny Garden", "Soil", "Why compost?", "Outro"]
    assert_one_line_error(speak(["chapters", "nope.mp3"], tmp_path), "no such file")


@pytest.mark.slow
def test_default_build_offline(tmp_path: Path) -> None:
    """`python speak.py` with no arguments builds the sample, with every process cut off the network."""
    netlog = tmp_path / "net.log"
    env = {"ARTICLECAST_NETLOG": str(netlog), "ARTICLECAST_NETCUT": "all", "ARTICLECAST_WORKERS": ""}
    proc = speak([], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert not netlog.exists(), netlog.read_text()
    (mp3,) = (tmp_path / "audio_out").glob("*.mp3")
    assert mp3.name == "80-of-ms-patients-disease-free-after-stem-cell-study.mp3"
    assert (tmp_path / "audio_out" / "feed.xml").exists()
    assert str(Path("audio_out") / mp3.name) in proc.stdout  # it says where the MP3 is
    info = read_mp3(mp3)
    titles = [c.title for c in info.chapters]
    assert len(titles) >= 19
    assert titles[0] == "Intro" and titles[-1] == "Outro" and "In closing" in titles
    assert [t for t in titles if t in SEED_SECTIONS] == SEED_SECTIONS
    questions = [t for t in titles if t.endswith("?")]
    assert len(questions) == 10 and questions[0] == "What is multiple sclerosis (MS)?"
    assert not any("Reaction" in t or t.lower() in ("like", "dislike", "wow") for t in titles)
    assert 8 * 60 <= info.seconds <= 15 * 60
    lufs, peak = measure(mp3)
    assert -17.0 <= lufs <= -15.0 and peak <= -1.0
    if FFPROBE:
        probe = json.loads(subprocess.run([FFPROBE, "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                                          capture_output=True, text=True, check=True).stdout)
        assert [c["tags"]["title"] for c in probe["chapters"]] == titles
        starts = [float(c["start_time"]) for c in probe["chapters"]]
        assert starts == sorted(starts) and starts[0] == 0


def test_a_voice_for_one_role_from_python_and_the_command_line(tmp_path: Path) -> None:
    """Per-role voices as plain values: Options(voices={"question": ...}), --voice-for question=...; over --voice."""
    (tmp_path / "f.md").write_text("# Tide\n\nThe tide comes in.\n\n## FAQ\n\n### Why does it turn?\n\nThe moon.\n")
    loaded = load(tmp_path / "f.md", Options(voice="silent", voices={"question": "espeak"}))
    assert {r: v.engine for r, v in loaded.script.voices.items()} == {
        "host": "silent", "narrator": "silent", "question": "espeak", "answer": "silent"}
    with pytest.raises(FieldError, match="voices"):
        Options(voices={"quest": "espeak"})
    proc = speak(["build", "f.md", "--engine", "silent", "--voice-for", "question=espeak", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = next((tmp_path / "audio_out").glob("*.md")).read_text()
    assert "espeak “en-us” (question)" in notes
    one_line_error(speak(["build", "f.md", "--voice-for", "quest=espeak"], tmp_path), "--voice-for 'quest=espeak'",
                   "host, narrator, question, answer")
