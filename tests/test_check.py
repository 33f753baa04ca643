"""The listen-back check: alignment and reports (pure), the command's errors, and real episodes heard by the real
recognizer (Whisper base, the optional extra that `make test` installs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, SAMPLE_YAML, one_line_error, speak

from articlecast.builder import Builder
from articlecast.check.alignment import Meant, align_words, score, windows
from articlecast.check.captions import read_captions
from articlecast.check.listen import edges, hear_again
from articlecast.check.recognizer import recognizer
from articlecast.check.report import ChapterCheck, CheckReport, Hearing, SentenceCheck
from articlecast.check.retakes import CheckStore
from articlecast.errors import InputError
from articlecast.options import CHAPTER_MAX, EPISODE_MAX, Options
from articlecast.voice.segments import SegmentCache

# ---------------------------------------------------------------- pure


def missed(meant: list[str], heard: list[str]) -> int:
    return sum(k is None for k in align_words(meant, heard))


def test_alignment_counts_substitutions_and_deletions_not_extra_words() -> None:
    assert missed("the cat sat on the mat".split(), "and so the cat sat on a mat then".split()) == 1
    assert missed("a b c".split(), []) == 3
    assert align_words("two to three weeks".split(), "it took two to three weeks".split()) == [2, 3, 4, 5]
    assert missed("welcome to articlecast".split(), "welcome to article cast".split()) == 0  # joined words
    assert missed("pre conditioning".split(), "preconditioning".split()) == 0


def test_a_windows_sentences_are_scored_each_on_its_own_words() -> None:
    meant = [Meant("How does stem cell therapy work for MS?", 0.0, 3.0, 0),
             Meant("Stem cell therapy aims to repair the damage.", 3.5, 7.0, 0),
             Meant("It takes 2-3 weeks.", 7.5, 9.0, 1)]
    first, second, third = score(meant, "Habestem Saltharope work for MS. Stem cell therapy aims to repair the "
                                         "damage. It takes two to three weeks.")
    assert (first.words, first.missed) == (8, 5) and first.heard == "habestem saltharope work for ms"
    assert (second.missed, third.missed, third.chapter) == (0, 0, 1)


def test_audio_is_cut_in_the_silence_between_sentences_never_inside_one() -> None:
    meant = [Meant("a", 0.2, 3.0), Meant("b", 3.2, 6.0), Meant("c", 7.0, 9.0), Meant("d", 9.1, 12.0)]
    assert edges(meant, 1, 2, 13.0) == (3.0, 9.1)  # from the end of "a" to the start of "d"
    assert edges(meant, 0, 0, 13.0) == (0.0, 3.2)
    assert edges(meant, 3, 3, 12.3) == (9.0, 12.3)
    assert edges(meant, 2, 2, 13.0) == (6.5, 9.1)  # at most half a second of silence before


def test_captions_are_read_back_from_webvtt(tmp_path: Path) -> None:
    vtt = tmp_path / "a.vtt"
    vtt.write_text("WEBVTT\n\n1\n00:00:01.500 --> 00:00:04.000\nFish &amp; chips\n\n2\n01:02:03.000 --> 01:02:05.250\n"
                   "two\nlines\n")
    assert read_captions(vtt) == [(1.5, 4.0, "Fish & chips"), (3723.0, 3725.25, "two lines")]
    with pytest.raises(InputError, match="no captions beside the episode"):
        read_captions(tmp_path / "missing.vtt")
    (tmp_path / "b.vtt").write_text("hello")
    with pytest.raises(InputError, match="not WebVTT"):
        read_captions(tmp_path / "b.vtt")


def test_windows_hold_whole_sentences_up_to_the_limit() -> None:
    meant = [Meant(str(i), i * 4.0, i * 4.0 + 3.5) for i in range(20)]
    groups = list(windows(meant, 28.0))
    assert [m for g in groups for m in g] == meant
    assert all(g[-1].end - g[0].start <= 28.0 for g in groups) and len(groups) == 3


def test_one_garbled_chapter_fails_a_report_the_episode_passes() -> None:
    chapters = (ChapterCheck("Long", 0, 400, 4), ChapterCheck("Short", 60_000, 10, 3))
    report = CheckReport(chapters, (SentenceCheck("a b c", "a", 60_000, 3, 2, 1),), EPISODE_MAX, CHAPTER_MAX)
    assert report.rate < EPISODE_MAX and [c.title for c in report.failing] == ["Short"] and not report.passed
    assert CheckReport(chapters, (), EPISODE_MAX, 0.5).passed
    with pytest.raises(ValueError, match="max_chapter"):
        CheckReport(chapters, (), EPISODE_MAX, 15)
    with pytest.raises(ValueError, match="missed"):
        SentenceCheck("a", "", 0, 1, 2)


def test_a_damaged_check_result_is_listened_to_again(tmp_path: Path) -> None:
    store = CheckStore(SegmentCache(tmp_path))
    store.put("ab" * 32, Hearing(4, 1, "a b"))
    assert store.get("ab" * 32) == Hearing(4, 1, "a b")
    path = store._path("ab" * 32)
    path.write_text("[]")
    assert store.get("ab" * 32) is None and not path.exists()


# ---------------------------------------------------------------- the command's errors


def test_check_refuses_what_is_not_an_episode_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.mp3").write_text("not audio at all")
    for args in (["check", "notes.mp3"], ["check", "nothing.mp3"]):
        proc = speak(args, tmp_path)
        assert proc.returncode == 2, proc.stderr
        errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("speak: error:")]
        assert len(errors) == 1 and "Traceback" not in proc.stderr
    assert "not a readable MP3" in speak(["check", "notes.mp3"], tmp_path).stderr
    assert not (tmp_path / "notes.check.json").exists()


def test_an_mp3_without_its_captions_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Tide\n\nThe sea comes and goes.\n")
    assert speak(["build", "a.md", "--engine", "silent", "-q", "-o", "out"], tmp_path).returncode == 0
    (tmp_path / "out" / "tide.vtt").unlink()
    proc = speak(["check", "out/tide.mp3"], tmp_path)
    assert proc.returncode == 2 and "no captions beside the episode" in proc.stderr and "Traceback" not in proc.stderr


def test_a_truncated_episode_or_foreign_captions_are_input_errors_not_missed_words(tmp_path: Path) -> None:
    tide = "# Tide\n\n" + "The sea comes and goes along the shore, and the gulls follow it. " * 30 + "\n"
    (tmp_path / "a.md").write_text(tide)
    (tmp_path / "b.md").write_text("# Stones\n\n" + "Stones in the river wear smooth over many years. " * 30 + "\n")
    assert speak(["build", "a.md", "b.md", "--engine", "silent", "-q", "-o", "out"], tmp_path).returncode == 0
    out = tmp_path / "out"
    data = (out / "tide.mp3").read_bytes()
    (out / "cut.mp3").write_bytes(data[:len(data) // 2])
    (out / "cut.vtt").write_bytes((out / "tide.vtt").read_bytes())
    one_line_error(speak(["check", "out/cut.mp3"], tmp_path), "cut.mp3", "cut short")
    (out / "tide.vtt").write_bytes((out / "stones.vtt").read_bytes())
    one_line_error(speak(["check", "out/tide.mp3"], tmp_path), "tide.vtt", "another episode")
    (out / "tiny.mp3").write_bytes(data[:1000])
    line = one_line_error(speak(["check", "out/tiny.mp3"], tmp_path), "tiny.mp3", "not a readable MP3")
    assert "()" not in line
    assert not list(out.glob("*.check.json"))


def test_without_the_extra_check_says_how_to_install_it(tmp_path: Path) -> None:
    # the extra is installed here: hide it from one process, as a machine without it would be
    (tmp_path / "a.md").write_text("# Tide\n\nThe sea comes and goes.\n")
    assert speak(["build", "a.md", "--engine", "silent", "-q", "-o", "out"], tmp_path).returncode == 0
    for args in (["check", "out/tide.mp3"], ["build", "a.md", "--engine", "silent", "--check", "-o", "out2"]):
        code = ("import sys; sys.modules['faster_whisper'] = None; from articlecast.cli import main; "
                f"sys.exit(main({args!r}))")
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ["PYTHONPATH"]])})
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().count("\n") == 0 and "pip install -e '.[check]'" in proc.stderr
    assert not (tmp_path / "out2").exists() or not list((tmp_path / "out2").glob("*.mp3"))


# ---------------------------------------------------------------- real voices, really heard

NUMBERS = [
    "The ship sailed in 1990-95 and again in 2001-03.",
    "Henry VIII and Louis XIV met Pope Pius IX.",
    "Chapter IV covers Part III of Volume II.",
    "Take 5 mg twice daily, e.g. with food, i.e. at meals.",
    "Drive 60 mph for 12 km at 25°C.",
    "Open 24/7 since Sept. 11, 2001.",
    "See https://www.nhs.uk/conditions/ms/ for more.",
    "The 3rd and 21st entries cost £5 and €2.50.",
    "Revenue hit $1.2bn in FY2024, up 3.5x.",
    "The 1920s and '60s were loud.",
    "Doses of 0.5-1.5 mL/kg were given on 2024-03-05.",
    "Meet at 6:45 p.m. or 7 a.m. tomorrow.",
    "About 1 in 3 adults, or 33.3%, had BP of 140/90 mmHg.",
    "World War I ended on 11/11/1918.",
]


def numbers_script(spell_out: bool) -> str:
    segments = "\n".join(f"  - {json.dumps(s)}" for s in NUMBERS)
    return (f"episode: {{title: Figures, date: '2026-11-30'}}\nvoices: {{narrator: hibari, host: hibari}}\n"
            f"intro: Figures.\noutro: The end.\nspell_out: {'true' if spell_out else 'false'}\n"
            f"chapters:\n- title: Figures\n  segments:\n{segments}\n")


def report(folder: Path) -> dict:
    (path,) = folder.glob("*.check.json")
    return json.loads(path.read_text())


@pytest.mark.slow
@pytest.mark.extra("check")
def test_the_sample_passes_the_check(tmp_path: Path) -> None:
    assert speak(["build", str(SAMPLE_YAML), "-q", "-o", "out"], tmp_path).returncode == 0
    (mp3,) = (tmp_path / "out").glob("*.mp3")
    proc = speak(["check", str(mp3.relative_to(tmp_path)), "-q"], tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = report(tmp_path / "out")
    assert data["passed"] and data["missed_rate"] <= EPISODE_MAX and len(data["chapters"]) == 21
    assert all(c["missed_rate"] <= CHAPTER_MAX for c in data["chapters"]) and data["words"] > 1400
    assert "listen-back check passed" in proc.stdout and "Patient Perspectives" in proc.stdout
    assert "heard by Whisper tiny.en, then Whisper base (beam search) on the sentences in doubt" in proc.stdout
    assert "tiny.en" in data["recognizer"]


SABOTAGE = """\
episode: {title: Growing food, date: '2026-11-30'}
voices: {narrator: hibari, host: hibari}
lexicon: {Tomatoes: Submarines, sun: paperwork}
chapters:
- title: Soil
  segments: ["Good soil holds water and air. Add compost every spring, and dig it in lightly with a fork.",
             "Worms do the rest of the work for you, carrying the compost down into the ground."]
- title: Water
  segments: ["Water deeply once a week rather than a little every day. Morning is the best time to water.",
             "A layer of straw keeps the ground cool and stops the water from drying out too fast."]
- title: Light
  segments: ["Tomatoes need full sun."]
- title: Harvest
  segments: ["Pick beans while they are young and tender, and the plants will keep making more of them.",
             "Store potatoes somewhere dark and cool, and they will keep until the end of winter."]
"""


AUDIO = Path(__file__).resolve().parent / "audio"


def _clip(name: str) -> np.ndarray:
    with wave.open(str(AUDIO / name)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32767


@pytest.mark.slow
@pytest.mark.extra("check")
def test_a_sentence_whisper_drops_among_others_is_heard_alone() -> None:
    """A real case (tests/audio/README.md): a CI run's sample failed its check because Whisper base, hearing two
    sentences in doubt together, gave back nothing of the first (a quieter question before a louder sentence)."""
    question = "How can patients find support and information about stem cell therapy?"
    study = "The study showing that 80% of MS patients achieved disease-free status after stem"
    first = score([Meant(question, 0, 0), Meant(study, 0, 0)], "")  # nothing heard the first time
    checks = hear_again(first, {0: _clip("question.wav"), 1: _clip("study.wav")}, "en")
    for check in checks:
        hows = [h.how for h in check.hearings]
        assert hows[0] == "base beam 5, a few together"
        # still missing a tenth of its words together: heard alone too
        assert hows[1:] == (["base beam 5, alone"] if check.hearings[0].missed >= 0.1 * check.words else [])
    # the question is not lost: heard whole enough, together or (where together drops it, as on that CI run) alone.
    # Which hearing it takes depends on the recognizer's build and the CPU (int8 kernels differ).
    assert checks[0].missed < 0.1 * checks[0].words, checks[0].hearings
    assert checks[1].missed <= 2  # "80%" is heard as "eighty percent" (the caption ends mid-sentence)


@pytest.mark.slow
@pytest.mark.extra("check")
def test_a_garbled_short_chapter_fails_and_is_named(tmp_path: Path) -> None:
    (tmp_path / "food.yaml").write_text(SABOTAGE)
    cache = tmp_path / "cache"
    assert speak(["build", "food.yaml", "-q", "-o", "out"], tmp_path, {"ARTICLECAST_CACHE": str(cache)}).returncode == 0
    proc = speak(["check", "out/growing-food.mp3", "-q"], tmp_path, {"ARTICLECAST_CACHE": str(cache)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = report(tmp_path / "out")
    assert data["missed_rate"] <= EPISODE_MAX  # the episode as a whole is within its threshold...
    failing = [c["title"] for c in data["chapters"] if not c["passed"]]
    assert failing == ["Light"]  # ...but the garbled chapter is not, and is named
    assert "'Light'" in proc.stdout.splitlines()[-1] and "FAILED" in proc.stdout
    assert any("Light" in ln and "<< over 15%" in ln for ln in proc.stdout.splitlines())

    # build --check retakes it, cannot mend what the lexicon says, and fails with the episode still written
    proc = speak(["build", "food.yaml", "-q", "-o", "checked", "--check"], tmp_path, {"ARTICLECAST_CACHE": str(cache)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout and "'Light'" in proc.stdout and "Tomatoes need full sun." in proc.stderr
    assert (tmp_path / "checked" / "growing-food.mp3").stat().st_size > 10_000
    data = report(tmp_path / "checked")
    assert not data["passed"] and [c["title"] for c in data["chapters"] if not c["passed"]] == ["Light"]
    assert "## Listen-back check" in (tmp_path / "checked" / "growing-food.md").read_text()
    assert "Words not heard as written" in (tmp_path / "checked" / "growing-food.html").read_text()


SWAPPED = """\
episode: {title: Bees, date: '2026-11-30'}
voices: {narrator: hibari, host: hibari}
lexicon: {meadow: kitchen, flowers: engines, summer: Tuesday}
chapters:
- title: Bees
  segments: ["Bees visit many kinds of plants in a single morning, and they remember where the best ones are."]
- title: Why do bees dance?
  segments: ["A bee that has found a good meadow dances for the others in the hive, showing them the way to the
    flowers and how far they must fly, and the whole colony follows her there in summer."]
"""


@pytest.mark.slow
@pytest.mark.extra("check")
def test_three_swapped_words_in_a_40_word_answer_are_caught(tmp_path: Path) -> None:
    (tmp_path / "bees.yaml").write_text(SWAPPED)
    assert speak(["build", "bees.yaml", "-q", "-o", "out"], tmp_path).returncode == 0
    proc = speak(["check", "out/bees.mp3", "-q"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    data = report(tmp_path / "out")
    answer = next(c for c in data["chapters"] if c["title"] == "Why do bees dance?")
    assert answer["missed"] >= 3, answer  # every swapped word is counted, even after hearing it again
    missed = [s for s in data["sentences"] if s["missed"]]
    assert any("meadow" in s["text"] for s in missed) and any("summer" in s["text"] for s in missed)
    for s in missed:  # each heard in its window first; then, with a tenth of it missed (or its chapter over the
        hows = [h["how"] for h in s["hearings"]]  # limit), with a few others with beam search, and alone if need be
        assert hows[0] == "tiny.en greedy, in windows" and set(hows[1:]) <= {"base beam 5, a few together",
                                                                             "base beam 5, alone"}, s
        if s["hearings"][0]["missed"] >= 0.1 * s["words"]:
            assert hows[1] == "base beam 5, a few together", s


@pytest.mark.slow
@pytest.mark.extra("check")
def test_numbers_are_heard_once_normalized(tmp_path: Path) -> None:
    rates = {}
    for flag in (True, False):
        (tmp_path / f"n{flag}.yaml").write_text(numbers_script(flag))
        out = tmp_path / f"out{flag}"
        assert speak(["build", f"n{flag}.yaml", "-q", "-o", out.name], tmp_path).returncode == 0
        proc = speak(["check", f"{out.name}/figures.mp3", "-q"], tmp_path)
        assert proc.returncode in (0, 1), proc.stderr
        rates[flag] = report(out)["missed_rate"]
    assert rates[True] <= EPISODE_MAX, rates  # within the threshold with normalization
    assert rates[False] > EPISODE_MAX + 0.02 and rates[False] > 2 * rates[True], rates  # clearly outside without


@pytest.mark.slow
@pytest.mark.extra("check")
def test_build_check_is_cached_with_the_sentences(tmp_path: Path) -> None:
    (tmp_path / "food.yaml").write_text(SABOTAGE.replace("lexicon: {Tomatoes: Submarines, sun: paperwork}\n", ""))
    with Builder(Options(output=tmp_path / "a", check=True)) as builder:
        first = builder.build(tmp_path / "food.yaml").episode
    assert first.check is not None and first.check.passed and first.check.words > 80
    recognizer.cache_clear()
    with Builder(Options(output=tmp_path / "b", check=True)) as builder:
        again = builder.build(tmp_path / "food.yaml").episode
    assert recognizer.cache_info().misses == 0  # the warm rebuild never asked for the recognizer
    assert again.check == first.check


@pytest.mark.slow
@pytest.mark.extra("check")
def test_batch_check_names_the_episode_that_fails(tmp_path: Path) -> None:
    arts = tmp_path / "arts"
    arts.mkdir()
    (arts / "food.yaml").write_text(SABOTAGE)
    (arts / "tide.md").write_text("# Tides\n\nThe sea comes in and goes out twice a day, pulled by the moon.\n")
    proc = speak(["batch", "arts", "-o", "site", "--engine", "hibari", "--check", "-q"], tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {ln.split()[2]: ln for ln in proc.stdout.splitlines()[1:]}
    assert "FAILED: over in 'Light'" in rows["arts/food.yaml"] and "missed]" in rows["arts/tide.md"]
    assert "FAILED" not in rows["arts/tide.md"] and "1 over the listen-back check's threshold" in proc.stderr
    assert len(list((tmp_path / "site").glob("*.check.json"))) == 2
    again = speak(["batch", "arts", "-o", "site", "--engine", "hibari", "--check", "-q"], tmp_path)
    assert again.stdout.count("skipped") == 2  # built and checked with these thresholds already
