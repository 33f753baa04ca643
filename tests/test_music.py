"""The show's own sound: music the tests make themselves (tones rendered by ffmpeg in MP3, WAV and FLAC), loaded
with pydub, ducked under the intro and outro by the timeline, measured in the encoded MP3: a 7 kHz tone (where a
voice has almost no energy) makes the bed's level under the speech measurable in a narrow band."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import webvtt
from helpers import ROOT, SAMPLE_TXT, measure, one_line_error, speak

from articlecast.audio.music import DUCK_DB, RAMP_SECONDS, THEME_MAX_SECONDS, Sounds, envelope, load_music
from articlecast.audio.plan import plan_episode
from articlecast.errors import InputError
from articlecast.inputs.markdown import parse_markdown
from articlecast.models import MIX_RATE
from articlecast.script import make_digest, make_script
from articlecast.script.model import Music
from articlecast.util.ffmpeg import decode, ffmpeg_exe
from articlecast.util.loudness import MIX_TARGET, hop_energies, loudness_of_hops

TONE = 7000.0
"""The theme's tone, Hz: a voice has almost nothing there."""
STING = 880.0
ARTICLE = """# Rain gardens at home

Rain gardens soak up storm water from roofs and streets. They are cheap to build and easy to keep.

## How to plant one

Dig a shallow basin where water already runs. Fill it with native plants that like wet feet.

## FAQ

### How big should it be?

About a fifth of the roof area that drains into it is a good start.

### Does it breed mosquitoes?

No. The water soaks away within a day, too soon for mosquitoes to hatch.
"""


def tone(path: Path, hz: float, seconds: float, rate: int = 44100, extra: tuple[str, ...] = ()) -> Path:
    """A sine tone rendered by ffmpeg into ``path`` (its format from its extension)."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}"
                    f":sample_rate={rate}", *extra, str(path)], check=True)
    return path


# ---------------------------------------------------------------- the envelope (pure)


def test_the_envelope_is_down_under_speech_up_between_with_smooth_ramps() -> None:
    rate = 1000
    gain = 20 * np.log10(envelope(10_000, [(2000, 3000), (3900, 4200), (8000, 9000)], rate))
    assert np.allclose(gain[:1500], 0) and np.allclose(gain[2000:3000], -DUCK_DB)
    assert gain[3450] < -DUCK_DB + 0.1  # a pause between sentences stays down
    assert np.allclose(gain[4600:7600], 0)  # a long gap comes back up
    ramp = gain[8000 - int(RAMP_SECONDS * rate): 8000]
    assert np.all(np.diff(ramp) <= 1e-6) and ramp[0] == pytest.approx(0, abs=0.01)  # down, smoothly, before it


def test_the_sting_leads_into_the_first_question_and_each_next_article_of_a_digest() -> None:
    sounds = Sounds(np.zeros(MIX_RATE, np.float32), np.zeros(MIX_RATE // 2, np.float32), "test", ("t.wav", "s.wav"))
    faq = make_script(parse_markdown(ARTICLE))
    plan = plan_episode(faq, 96, sounds)
    assert [p.title for p in plan.parts if p.sting] == ["How big should it be?"]
    other = make_script(parse_markdown("# Composting\n\nA heap needs air and water.\n\n## Turning\n\nTurn it monthly.\n"))
    digested = plan_episode(make_digest([faq, other], "Garden week"), 96, sounds)
    assert [p.title for p in digested.parts if p.sting] == ["How big should it be?", "Composting"]
    assert not any(p.sting for p in plan_episode(faq, 96).parts)  # no sting without the show's music
    assert plan_episode(faq, 96, sounds).key != plan_episode(faq, 96).key  # the music is in the cache key


# ---------------------------------------------------------------- loading with pydub


@pytest.mark.parametrize("name", ["theme.mp3", "theme.wav", "theme.flac"])
def test_a_theme_in_any_format_loads_mono_at_the_mix_rate_and_its_level(name: str, tmp_path: Path) -> None:
    tone(tmp_path / name, 440, 6, rate=48000, extra=("-ac", "2"))
    sounds = load_music(Music(name), tmp_path)
    assert sounds.theme.dtype == np.float32 and sounds.theme.ndim == 1
    assert len(sounds.theme) / MIX_RATE == pytest.approx(6, abs=0.1)
    level = loudness_of_hops(hop_energies(sounds.theme, MIX_RATE), MIX_RATE)
    assert level == pytest.approx(MIX_TARGET - 6, abs=0.5)  # a bed under the speech's level
    assert sounds.names == (name,) and len(sounds.digest) == 32


def test_a_long_theme_is_trimmed_with_a_fade_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    tone(tmp_path / "long.flac", 440, THEME_MAX_SECONDS + 30, rate=8000)
    with caplog.at_level(logging.WARNING):
        sounds = load_music(Music("long.flac"), tmp_path)
    assert len(sounds.theme) / MIX_RATE == pytest.approx(THEME_MAX_SECONDS, abs=0.05)
    assert np.abs(sounds.theme[-100:]).max() < 0.01 < np.abs(sounds.theme[:MIX_RATE]).max()
    assert "longer than" in caplog.text


@pytest.mark.parametrize("kind, needle", [("missing", "no such music file (show.music.theme)"),
                                          ("broken", "cannot be read as audio"), ("silent", "is silent"),
                                          ("long", "minutes long, far too long"),
                                          ("folder", "is a folder, not a music file"),
                                          ("pipe", "is a pipe or a device, not a music file")])
def test_a_bad_music_file_is_one_line_before_any_speech(kind: str, needle: str, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE)
    music = tmp_path / "theme.mp3"
    if kind == "broken":
        music.write_bytes(b"ID3" + bytes(range(256)) * 20)
    elif kind == "silent":
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "5",
                        str(music)], check=True)
    elif kind == "long":  # 21 minutes, in a small file
        tone(music, 440, 21 * 60, rate=8000, extra=("-b:a", "8k"))
    elif kind == "folder":
        music.mkdir()
    elif kind == "pipe":
        os.mkfifo(music)
    one_line_error(speak(["build", "a.md", "--music", "theme.mp3", "--engine", "silent"], tmp_path, timeout=120),
                   "theme.mp3", needle)
    assert not (tmp_path / "audio_out").exists()


@pytest.mark.slow
def test_the_free_theme_readme_offers_builds_the_sample(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "theme.py"), "theme.flac"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert "--music theme.flac" in made.stdout
    proc = speak(["build", str(SAMPLE_TXT), "--music", "theme.flac", "--engine", "silent", "-q", "-o", "out"],
                 tmp_path)
    assert proc.returncode == 0, proc.stderr
    notes = next((tmp_path / "out").glob("*.md")).read_text()
    assert "music: theme.flac" in notes


def test_a_batch_skips_an_unchanged_episode_but_not_one_whose_theme_changed_in_place(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE)
    tone(tmp_path / "theme.flac", 440, 6)
    args = ["batch", "a.md", "--music", "theme.flac", "-o", "out", "--engine", "silent", "-q"]
    def summary() -> str:
        proc = speak(args, tmp_path)
        return proc.stdout + proc.stderr

    assert "1 built" in summary()
    assert "1 skipped" in summary()
    tone(tmp_path / "theme.flac", 660, 6)  # the same name, another theme
    assert "1 built" in summary()


def test_load_music_refuses_with_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such music file"):
        load_music(Music("nowhere.wav"), tmp_path)


# ---------------------------------------------------------------- a real episode with a theme


def _ms(t: str) -> int:
    h, m, s = t.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def _band(x: np.ndarray, hz: float, rate: int) -> tuple[float, float]:
    """(power in a 6 Hz band around ``hz``, power of the rest), per sample, in dB."""
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    band = np.abs(np.fft.rfftfreq(len(x), 1 / rate) - hz) < 3
    inside, rest = power[band].sum(), power[~band].sum()
    return 10 * np.log10(inside / len(x)), 10 * np.log10(rest / len(x))


@pytest.fixture(scope="module")
def with_music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The article built twice with the real voices — without music, then with a 7 kHz theme (FLAC) and an
    880 Hz sting (WAV) from its script's show.music — and a third time with another theme (MP3)."""
    work = tmp_path_factory.mktemp("music")
    (work / "a.md").write_text(ARTICLE)
    env = {"ARTICLECAST_CACHE": str(work / "cache")}
    assert speak(["build", "a.md", "-q", "-o", "plain"], work, env).returncode == 0
    tone(work / "theme.flac", TONE, 40)
    tone(work / "sting.wav", STING, 1.5)
    assert speak(["script", "a.md", "-o", "a.yaml"], work, env).returncode == 0
    script = (work / "a.yaml").read_text().replace(
        "show:\n", "show:\n  music:\n    theme: theme.flac\n    sting: sting.wav\n    credit: Tones made by ffmpeg\n", 1)
    (work / "a.yaml").write_text(script)
    proc = speak(["build", "a.yaml", "-q", "-o", "music"], work, env)
    assert proc.returncode == 0, proc.stderr
    tone(work / "other.mp3", 6000, 40)
    again = speak(["build", "a.md", "--music", "other.mp3", "-o", "other"], work, env)
    assert again.returncode == 0, again.stderr
    (work / "again.txt").write_text(again.stdout + again.stderr)
    return work


def _episode(folder: Path) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    mp3 = next(folder.glob("*.mp3"))
    cues = [(c.text, _ms(c.start), _ms(c.end)) for c in webvtt.read(str(mp3.with_suffix(".vtt")))]
    return decode(mp3, 44100).samples, cues


@pytest.mark.slow
def test_the_theme_plays_alone_then_stays_20_db_under_every_intro_and_outro_sentence(with_music: Path) -> None:
    audio, cues = _episode(with_music / "music")
    alone, noise = _band(audio[int(0.5 * 44100): int(3.0 * 44100)], TONE, 44100)
    assert alone > noise + 20  # the theme, alone, before the host’s first words
    intro = [c for c in cues if c[1] < 25_000][:3]
    outro = cues[-2:]
    for text, start, end in intro + outro:
        under, speech = _band(audio[int(start * 44.1): int(end * 44.1)], TONE, 44100)
        assert speech - under >= 20, (text, speech - under)  # WCAG 1.4.7's 20 dB
        assert alone - under >= DUCK_DB - 2  # ducked by the envelope's depth
    lufs, peak = measure(next((with_music / "music").glob("*.mp3")))
    assert -17 <= lufs <= -15 and peak <= -1.0


@pytest.mark.slow
def test_chapters_and_captions_are_those_of_the_episode_without_music_shifted_by_the_theme(with_music: Path) -> None:
    plain, music = read_chapters(with_music / "plain"), read_chapters(with_music / "music")
    assert [t for t, _ in plain] == [t for t, _ in music] and music[0] == ("Intro", 0)
    _, cues_plain = _episode(with_music / "plain")
    audio, cues_music = _episode(with_music / "music")
    assert [(t, b - a) for t, a, b in cues_plain] == [(t, b - a) for t, a, b in cues_music]  # the same sentences
    faq = dict(music)["How big should it be?"]
    sting, rest = _band(audio[int(faq * 44.1): int((faq + 1200) * 44.1)], STING, 44100)
    assert sting > rest  # the sting leads into the questions


def read_chapters(folder: Path) -> list[tuple[str, int]]:
    from articlecast.audio.tags import read_mp3

    return [(c.title, c.start_ms) for c in read_mp3(next(folder.glob("*.mp3"))).chapters]


@pytest.mark.slow
def test_another_theme_mixes_again_from_the_cached_sentences(with_music: Path) -> None:
    said = (with_music / "again.txt").read_text()
    assert " 0 synthesized" in said


@pytest.mark.slow
def test_the_notes_and_page_credit_the_music(with_music: Path) -> None:
    notes = next((with_music / "music").glob("*.md")).read_text()
    page = next((with_music / "music").glob("*.html")).read_text()
    assert "music: theme.flac and sting.wav: Tones made by ffmpeg" in notes
    assert "music: theme.flac and sting.wav: Tones made by ffmpeg" in page


@pytest.mark.slow
def test_the_listen_back_check_passes_on_an_episode_with_music(with_music: Path) -> None:
    proc = speak(["check", "music/rain-gardens-at-home.mp3"], with_music, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
