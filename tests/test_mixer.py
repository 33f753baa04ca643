"""Chapter arithmetic with the silent engine: exact lengths, no audio needed."""

from __future__ import annotations

import numpy as np
import pytest

from articlecast.cache import SegmentCache
from articlecast.engines import get_engine
from articlecast.mixer import CHIME_SECONDS, LEAD_IN, RATE, TAIL, TRANSITION_SECONDS, Part, Spoken, fixed_seconds, mix
from articlecast.models import Audio, Meta, Script, ScriptChapter, Segment, Voice
from articlecast.pipeline import build_episode

SILENT = Voice("silent", "quiet")


def test_silent_engine_is_exact() -> None:
    a = get_engine("silent").synthesize("one two three four", "quiet")
    assert a.sample_rate == 8000 and len(a.samples) == 8000  # 4 words x 0.25 s


def seconds_audio(s: float) -> Audio:
    return Audio(np.zeros(int(round(s * 8000)), np.float32), 8000)


def test_chapters_are_contiguous_and_placed_exactly() -> None:
    intro = Part("Intro", [Spoken("hi", seconds_audio(2.0), 0.5)])
    body = [Part("A", [Spoken("a1", seconds_audio(3.0), 1.0), Spoken("a2", seconds_audio(1.5), 0.0)]),
            Part("B", [Spoken("b", seconds_audio(4.0), 0.25)])]
    outro = Part("Outro", [Spoken("bye", seconds_audio(1.0), 0.0)])
    ep = mix(Meta(title="T", date="2026-01-01"), intro, body, outro)
    ch = ep.chapters
    assert [c.title for c in ch] == ["Intro", "A", "B", "Outro"]
    assert ch[0].start_ms == 0 and ch[-1].end_ms == round(ep.audio.seconds * 1000)
    assert all(a.end_ms == b.start_ms for a, b in zip(ch, ch[1:]))
    a_start = (CHIME_SECONDS + LEAD_IN + 2.0 + 0.5) * 1000
    assert ch[1].start_ms == pytest.approx(a_start, abs=1)
    b_start = a_start + (TRANSITION_SECONDS + 3.0 + 1.0 + 1.5 + 0.0) * 1000
    assert ch[2].start_ms == pytest.approx(b_start, abs=1)
    # each chapter's first words come right after its transition
    cue_a1 = next(c for c in ep.cues if c.text == "a1")
    assert cue_a1.start_ms == pytest.approx(a_start + TRANSITION_SECONDS * 1000, abs=1)
    assert cue_a1.end_ms - cue_a1.start_ms == pytest.approx(3000, abs=1)
    total = fixed_seconds(2) + 2.0 + 0.5 + 3.0 + 1.0 + 1.5 + 4.0 + 0.25 + 1.0
    assert ep.audio.seconds == pytest.approx(total, abs=0.002)
    assert ep.audio.sample_rate == RATE


def test_cues_lie_inside_their_chapters() -> None:
    chapters = tuple(
        ScriptChapter(f"Chapter {i}", tuple(Segment(f"word {i} " * (i + 1), "narrator", 0.2 * i) for _ in range(2)))
        for i in range(5)
    )
    script = Script(Meta(title="Silent", date="2026-01-01"), {r: SILENT for r in ("host", "narrator", "question", "answer")},
                    chapters)
    ep = build_episode(script, SegmentCache())
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


def test_voices_are_matched_in_level() -> None:
    from articlecast.loudness import integrated_loudness
    from articlecast.mixer import _match_voices

    rng = np.random.default_rng(4)
    loud = [rng.standard_normal(RATE * 3).astype(np.float32) * 0.2 for _ in range(3)]
    quiet = [rng.standard_normal(RATE * 2).astype(np.float32) * 0.1 for _ in range(2)]
    audio = [*loud, *quiet]
    spoken = [Spoken(str(i), Audio(a, RATE), 0.0, "a:main" if i < 3 else "b:other") for i, a in enumerate(audio)]
    before = [integrated_loudness(np.concatenate(audio[:3]), RATE), integrated_loudness(np.concatenate(audio[3:]), RATE)]
    assert before[0] - before[1] == pytest.approx(6, abs=0.5)
    _match_voices(spoken, audio, RATE)
    after = [integrated_loudness(np.concatenate(audio[:3]), RATE), integrated_loudness(np.concatenate(audio[3:]), RATE)]
    assert after[0] == pytest.approx(before[0], abs=0.01)  # the main voice is untouched
    assert after[1] == pytest.approx(before[0], abs=0.1)  # the other voice is raised to match, as a whole
