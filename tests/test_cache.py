"""The segment cache: miss, hit, an edit re-synthesizes one segment, damaged entries are never served."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from helpers import spoken as speak

from articlecast.cache import cache_dir
from articlecast.models import Audio
from articlecast.script.model import Voice
from articlecast.voice.conditioning import VERSION
from articlecast.voice.engines import get_engine
from articlecast.voice.said import Said
from articlecast.voice.segments import SegmentCache, segment_key
from articlecast.voice.speaker import Request, Speaker

HEART = Voice("hibari", "heart")
TEXTS = ["First paragraph, short.", "Second paragraph, also short.", "Third one."]


def entries(cache: SegmentCache) -> list[Path]:
    return sorted(cache.root.rglob("*.seg"))


def test_cache_dir_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_dir() == tmp_path / "cache"  # the autouse fixture
    monkeypatch.delenv("ARTICLECAST_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "articlecast"


def test_key_depends_on_every_part() -> None:
    base = segment_key("hibari", "1", "heart", 1.0, "Hi.")
    assert base == segment_key("hibari", "1", "heart", 1.0, "Hi.")
    others = [segment_key("gtts", "1", "heart", 1.0, "Hi."), segment_key("hibari", "2", "heart", 1.0, "Hi."),
              segment_key("hibari", "1", "emma", 1.0, "Hi."), segment_key("hibari", "1", "heart", 1.5, "Hi."),
              segment_key("hibari", "1", "heart", 1.0, "Hi!")]
    assert len({base, *others}) == 6


def test_miss_then_hit_then_edit() -> None:
    cache = SegmentCache()
    first = speak([Request(t, HEART) for t in TEXTS], cache)
    assert (cache.hits, cache.misses) == (0, 3) and len(entries(cache)) == 3

    cache = SegmentCache()
    again = speak([Request(t, HEART) for t in TEXTS], cache)
    assert (cache.hits, cache.misses) == (3, 0)
    for a, b in zip(first, again):  # stored as 16-bit PCM: equal to within one step
        assert a.sample_rate == b.sample_rate and len(a.samples) == len(b.samples)
        assert np.abs(a.samples - b.samples).max() <= 1.5 / 32767

    edited = [TEXTS[0], "Second paragraph, now edited.", TEXTS[2]]
    cache = SegmentCache()
    speak([Request(t, HEART) for t in edited], cache)
    assert (cache.hits, cache.misses) == (2, 1)  # only the edited paragraph is synthesized


def test_repeated_text_is_synthesized_once() -> None:
    cache = SegmentCache()
    out = speak([Request("Same words.", HEART)] * 3, cache)
    assert len(out) == 3 and cache.misses == 1 and len(entries(cache)) == 1
    cache = SegmentCache()
    again = speak([Request("Same words.", HEART)] * 3 + [Request("Other words.", HEART)], cache)
    assert len(again) == 4 and cache.hits == 1 and cache.misses == 1  # repeats of a cached text are filled too


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_replaced_not_served(damage: str) -> None:
    cache = SegmentCache()
    good = speak([Request(TEXTS[0], HEART)], cache)[0]
    (path,) = entries(cache)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[-100] ^= 0xFF
    elif damage == "garbage":
        data = bytearray(b"not a cache entry at all")
    else:
        data = bytearray()
    path.write_bytes(bytes(data))

    cache = SegmentCache()
    assert cache.get(segment_key("hibari", *_version_voice(), 1.0, TEXTS[0])) is None
    assert not path.exists()  # the damaged entry is gone
    cache = SegmentCache()
    again = speak([Request(TEXTS[0], HEART)], cache)[0]
    assert cache.misses == 1 and path.exists()
    assert len(again.samples) == len(good.samples)


def _version_voice() -> tuple[str, str]:
    return f"{get_engine('hibari').version()}+c{VERSION}", "heart"


def test_put_leaves_no_temporary_files_and_survives_a_readonly_dir(tmp_path: Path) -> None:
    cache = SegmentCache(tmp_path / "c")
    key = "ab" + "0" * 62
    said = Said(key, 100, 8000, float("-inf"), float("-inf"), np.zeros(1))
    assert cache.put(key, Audio(np.zeros(100, np.float32), 8000), said)
    assert [p.name for p in (tmp_path / "c" / "segments" / "ab").iterdir()] == [key + ".seg"]
    assert cache.said(key).samples == 100 and len(cache.get(key).samples) == 100  # type: ignore[union-attr]
    blocked = SegmentCache(tmp_path / "file-not-dir")
    (tmp_path / "file-not-dir").write_text("x")
    key = "cd" + "0" * 62
    assert not blocked.put(key, Audio(np.zeros(10, np.float32), 8000), said)  # warns, does not raise


def test_speech_threads_give_the_same_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLECAST_WORKERS", "2")
    texts = [f"Sentence number {i} for the workers." for i in range(5)]
    with Speaker(SegmentCache()) as speaker:
        stream = speaker.stream([Request(t, HEART) for t in texts])
        pooled = [stream.audio(i) for i in range(len(texts))]
        assert any(t.name.startswith("articlecast-speech-") for t in threading.enumerate())  # the pool really ran
    monkeypatch.setenv("ARTICLECAST_CACHE", str(Path(str(cache_dir())) / "other"))
    monkeypatch.setenv("ARTICLECAST_WORKERS", "1")
    local = speak([Request(t, HEART) for t in texts], SegmentCache())
    for a, b in zip(pooled, local):
        assert np.array_equal(a.samples, b.samples)


def test_a_voice_that_says_little_is_spoken_first() -> None:
    """The FAQ's second voice is measured early, so that its level is matched on all it says, not on one sentence."""
    main, minor = Voice("silent", "quiet", 1.0), Voice("silent", "quiet", 1.25)
    requests = [Request(f"Main voice sentence number {i}.", main) for i in range(10)]
    requests += [Request(f"Question {i}?", minor) for i in range(2)]
    with Speaker(SegmentCache()) as speaker:
        stream = speaker.stream(requests)
        order = [stream.jobs[k][2] for k in stream.pending]
        assert order[:2] == [1.25, 1.25] and order[2:] == [1.0] * 10
        assert [stream.get(i).samples for i in range(12)]  # everything is still spoken, and handed out in order
