"""The script: made from an article, round trip through YAML, and validation errors with line numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SAMPLE_TXT, SAMPLE_YAML

from articlecast.errors import ScriptError
from articlecast.inputs import read_article as load_article
from articlecast.models import ROLES
from articlecast.script import dump_script, intro_texts, load_script, make_script, outro_text, read_script
from articlecast.script.model import AUTO
from articlecast.voice.choice import require_voice


@pytest.fixture(scope="module")
def sample_yaml() -> str:
    return dump_script(make_script(load_article(SAMPLE_TXT), date="2026-11-24"), "sample.yaml")


def test_sample_script_shape() -> None:
    s = make_script(load_article(SAMPLE_TXT), date="2026-11-24")
    assert len(s.chapters) == 19
    assert set(s.voices) == set(ROLES) and s.voices["narrator"].engine == "hibari"
    assert s.intro == AUTO and s.outro == AUTO
    first_faq = next(c for c in s.chapters if c.kind == "faq")
    assert [seg.role for seg in first_faq.segments] == ["host", "question", "answer"]
    assert first_faq.segments[0].text == "Frequently asked questions."
    section = s.chapters[1]
    assert section.segments[0].text == "Understanding Multiple Sclerosis."  # the heading is spoken
    assert s.meta.description.startswith("A groundbreaking study")


def test_round_trip(sample_yaml: str) -> None:
    s = make_script(load_article(SAMPLE_TXT), date="2026-11-24")
    assert load_script(sample_yaml, "sample.yaml") == s
    assert dump_script(load_script(sample_yaml)).split("\n", 1)[1] == sample_yaml.split("\n", 1)[1]


def test_shipped_sample_script_is_current() -> None:
    """script/sample.yaml parses, and has the chapters the sample article gives."""
    shipped = read_script(SAMPLE_YAML)
    fresh = make_script(load_article(SAMPLE_TXT))
    assert [c.title for c in shipped.chapters] == [c.title for c in fresh.chapters]


def error_for(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        load_script(text, "ep.yaml", require_voice)
    return info.value


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [i + 1 for i, ln in enumerate(text.splitlines()) if needle in ln]
    return lines[nth - 1]


@pytest.mark.parametrize(
    ("old", "new", "expect", "needle"),
    [
        ("pause: 0.8", "pause: lots", r"segments\[\d+\]\.pause must be seconds from 0 to 10, got 'lots'", "pause: lots"),
        ("pause: 0.8", "pause: 99", r"pause must be seconds from 0 to 10, got 99", "pause: 99"),
        ("role: narrator", "role: singer", r"role must be one of .*got 'singer'", "role: singer"),
        ("  kind: section", "  knd: section", r"unknown key 'knd'", "knd: section"),
        ("engine: hibari", "engine: nosuch", r"unknown engine 'nosuch'; choose one of: .*hibari", "engine: nosuch"),
        ("voice: heart", "voice: nobody", r"engine 'hibari' has no voice 'nobody'; choose one of: heart", "voice: nobody"),
        ("speed: 1.0", "speed: 9", r"speed must be a number from 0.5 to 2.0, got 9", "speed: 9"),
        ("date: '2026-11-24'", "date: next tuesday", r"date must be a date like", "date: next tuesday"),
    ],
)
def test_validation_names_file_line_and_fix(sample_yaml: str, old: str, new: str, expect: str, needle: str) -> None:
    text = sample_yaml.replace(old, new, 1)
    err = error_for(text)
    assert re.search(expect, str(err)), str(err)
    assert str(err).startswith("ep.yaml:")
    assert err.line == line_of(text, needle)


def test_malformed_yaml_names_the_line() -> None:
    err = error_for("episode:\n  title: [unclosed\nchapters: []\n")
    assert "not valid YAML" in str(err) and err.line is not None and err.line >= 2


def test_missing_parts() -> None:
    assert "missing 'chapters'" in str(error_for("episode:\n  title: T\n"))
    assert "should be a mapping" in str(error_for("- just\n- a list\n"))
    err = error_for("episode:\n  title: T\nchapters:\n- title: C\n  segments: []\n")
    assert "chapters[0].segments" in str(err) and err.line == 5


def test_text_must_be_text() -> None:
    err = error_for("episode:\n  title: T\nchapters:\n- title: C\n  segments:\n  - text: 42\n")
    assert "put it in quotes" in str(err) and err.line == 6


def test_short_forms() -> None:
    s = load_script("episode:\n  title: T\nvoices:\n  narrator: hibari:heart\n"
                    "chapters:\n- title: C\n  segments:\n  - Just a sentence.\n")
    assert s.chapters[0].segments[0].text == "Just a sentence."
    assert s.chapters[0].segments[0].role == "narrator"
    assert s.voices["question"].engine == "hibari"  # roles not named fall back to the narrator's voice


def test_intro_and_outro_texts() -> None:
    s = make_script(load_article(SAMPLE_TXT), date="2026-11-24")
    opening, length, coming = intro_texts(s, 12.6 * 60)
    assert opening.startswith("Welcome to Articlecast. This is: 80% of MS Patients")
    assert length == "This episode runs about 13 minutes, in 21 chapters."
    assert "Understanding Multiple Sclerosis" in coming and "10 frequently asked questions" in coming
    assert coming.endswith("and a closing word.")
    assert intro_texts(s, 30)[1].startswith("This episode runs under a minute")
    assert "Thanks for listening" in outro_text(s)


def test_outro_names_the_source_site() -> None:
    import dataclasses

    s = make_script(load_article(SAMPLE_TXT))
    s = dataclasses.replace(s, meta=dataclasses.replace(s.meta, source="https://www.example.com/health/ms"))
    assert "from example.com" in outro_text(s)


def test_write_script_is_atomic(tmp_path: Path) -> None:
    from articlecast.script import write_script

    out = tmp_path / "s.yaml"
    write_script(out, make_script(load_article(SAMPLE_TXT)))
    assert read_script(out).meta.title.startswith("80%")
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == ["s.yaml"]
