"""Chapter arithmetic with the silent engine: exact lengths, no audio needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import build_audio
from mutagen.mp3 import MP3

from articlecast.audio.mixer import LEAD_IN, TAIL, VOICED_MARGIN_MS, Layout, Line, fixed_seconds, plan_levels, voiced_span
from articlecast.audio.sounds import CHIME_SECONDS, TRANSITION_SECONDS
from articlecast.models import MIX_RATE as RATE
from articlecast.script.model import Meta, Script, ScriptChapter, Segment, Voice
from articlecast.util.loudness import MIX_TARGET, hop_energies, integrated_loudness, loudness_of_hops, true_peak_dbtp
from articlecast.voice.engines import get_engine
from articlecast.voice.said import Said

SILENT = Voice("silent", "quiet")


def test_silent_engine_is_exact() -> None:
    a = get_engine("silent").synthesize("one two three four", "quiet")
    assert a.sample_rate == 8000 and len(a.samples) == 8000  # 4 words x 0.25 s


def test_chapters_are_contiguous_and_placed_exactly() -> None:
    lay = Layout()
    rate = RATE

    def n(seconds: float) -> int:
        return int(round(seconds * rate))

    starts = [lay.pos]
    lay.opening()
    lay.line(Line("hi", 0, 0.5, "v"), n(2.0))
    starts.append(lay.pos)
    lay.transition()
    cue_at = lay.line(Line("a1", 1, 1.0, "v"), n(3.0))
    lay.line(Line("a2", 2, 0.0, "v"), n(1.5))
    starts.append(lay.pos)
    lay.transition()
    lay.line(Line("b", 3, 0.25, "v"), n(4.0))
    starts.append(lay.pos)
    lay.transition()
    lay.line(Line("bye", 4, 0.0, "v"), n(1.0))
    _, total = lay.closing()
    a_start = (CHIME_SECONDS + LEAD_IN + 2.0 + 0.5) * 1000
    assert lay.ms(starts[1]) == pytest.approx(a_start, abs=1)
    b_start = a_start + (TRANSITION_SECONDS + 3.0 + 1.0 + 1.5 + 0.0) * 1000
    assert lay.ms(starts[2]) == pytest.approx(b_start, abs=1)
    # each chapter's first words come right after its transition
    assert lay.ms(cue_at) == pytest.approx(a_start + TRANSITION_SECONDS * 1000, abs=1)
    cue_a1 = next(c for c in lay.cues if c.text == "a1")
    assert cue_a1.end_ms - cue_a1.start_ms == pytest.approx(3000, abs=1)
    full = fixed_seconds(2) + 2.0 + 0.5 + 3.0 + 1.0 + 1.5 + 4.0 + 0.25 + 1.0
    assert total / rate == pytest.approx(full, abs=0.002)


def test_cues_lie_inside_their_chapters(tmp_path: Path) -> None:
    chapters = tuple(
        ScriptChapter(f"Chapter {i}", tuple(Segment(f"word {i} " * (i + 1), "narrator", 0.2 * i) for _ in range(2)))
        for i in range(5)
    )
    script = Script(Meta(title="Silent", date="2026-01-01"), {r: SILENT for r in ("host", "narrator", "question", "answer")},
                    chapters)
    ep = build_audio(script, tmp_path / "x.mp3")
    assert [c.title for c in ep.chapters] == ["Intro"] + [c.title for c in chapters] + ["Outro"]
    body_cues = [c for c in ep.cues if c.text.startswith("word")]
    for i, chapter in enumerate(ep.chapters[1:-1]):
        mine = [c for c in body_cues if c.text.split()[1] == str(i)]
        assert len(mine) == 2
        assert all(chapter.start_ms <= c.start_ms < c.end_ms <= chapter.end_ms for c in mine)
        assert mine[0].end_ms - mine[0].start_ms == pytest.approx(2 * (i + 1) * 250, abs=1)
    starts = [c.start_ms for c in ep.cues]
    assert starts == sorted(starts)
    assert ep.cues[-1].end_ms <= ep.chapters[-1].end_ms - TAIL * 1000
    assert MP3(str(tmp_path / "x.mp3")).info.length == pytest.approx(ep.seconds, abs=0.08)


def said(x: np.ndarray, key: str) -> Said:
    hops = hop_energies(x, RATE)
    return Said(key, len(x), RATE, loudness_of_hops(hops, RATE), true_peak_dbtp(x), hops)


def test_voices_are_matched_in_level() -> None:
    rng = np.random.default_rng(4)
    loud = [rng.standard_normal(RATE * 3).astype(np.float32) * 0.2 for _ in range(3)]
    quiet = [rng.standard_normal(RATE * 2).astype(np.float32) * 0.1 for _ in range(2)]
    before = [integrated_loudness(np.concatenate(loud), RATE), integrated_loudness(np.concatenate(quiet), RATE)]
    assert before[0] - before[1] == pytest.approx(6, abs=0.5)
    lines = [("a:main", said(x, f"l{i}")) for i, x in enumerate(loud)] + [("b:other", said(x, f"q{i}"))
                                                                           for i, x in enumerate(quiet)]
    levels = plan_levels(lines)
    assert levels.voice_db["a:main"] == 0.0  # the voice that speaks most is the reference
    after = integrated_loudness(np.concatenate(quiet) * levels.gain("b:other") / levels.gain("a:main"), RATE)
    assert after == pytest.approx(before[0], abs=0.1)  # the other voice is raised to match, as a whole
    mixed = np.concatenate([x * levels.gain(v) for (v, _), x in zip(lines, loud + quiet)])
    assert integrated_loudness(mixed, RATE) == pytest.approx(MIX_TARGET, abs=0.1)


def test_the_voiced_span_leaves_the_engines_silences_out() -> None:
    t = np.arange(int(0.5 * RATE)) / RATE
    voice = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    clip = np.concatenate([np.zeros(int(0.31 * RATE), np.float32), 1e-4 * np.ones(100, np.float32), voice,
                           np.zeros(int(0.2 * RATE), np.float32)])
    first, end = voiced_span(clip, RATE)
    margin = RATE * VOICED_MARGIN_MS // 1000
    assert abs(first - (int(0.31 * RATE) - margin)) <= RATE // 100  # the voice, not the breath of noise before it
    assert abs(end - (int(0.31 * RATE) + 100 + len(voice) + margin)) <= RATE // 100
    assert voiced_span(np.zeros(RATE, np.float32), RATE) == (0, RATE)  # a silent clip: all of it
    assert voiced_span(np.zeros(3, np.float32), RATE) == (0, 3)
    lay = Layout()
    lay.line(Line("Hello there.", 0, 0.5, "hibari:heart"), len(clip), (first, end))
    (cue,) = lay.cues
    assert cue.start_ms == round(first * 1000 / RATE) and cue.end_ms == round(end * 1000 / RATE)
