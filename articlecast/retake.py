"""``build --check``: every sentence is listened to after synthesis, before mixing; one the recognizer misses
too much of (SENTENCE_MAX) is spoken again: the same voice a little slower, then a little faster, then, as
a last resort, the other offline voice; the take that is heard best is used.

Results are cached beside the sentences (``checks/`` in the cache, by sentence key and recognizer), so a warm
rebuild neither listens again nor loads the recognizer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from .cache import SegmentCache, remove_entry
from .check import SENTENCE_MAX, Rated, SentenceCheck, check_audio
from .conditioning import to_rate
from .files import write_atomic
from .models import Audio, Voice
from .recognizer import RECOGNIZER_ID, SAMPLE_RATE, recognizer
from .speech import Request, Speaker, request_key

log = logging.getLogger(__name__)
RETAKE_SPEEDS = (0.9, 1.1)
"""The same voice again at these multiples of its speed."""
OTHER_VOICES = (Voice("hibari", "heart"), Voice("piper", "joe"))
"""The offline voices a retake may fall back on (the first installed one that is not the sentence's own)."""
BATCH = 48
"""Sentences loaded and listened to at a time (bounded memory on long documents)."""


@dataclasses.dataclass(frozen=True)
class Heard(Rated):
    """The recognizer's verdict on one take of a sentence."""

    words: int
    """Words meant (normalized)."""
    missed: int
    """Words not heard."""
    heard: str
    """What was heard."""

    @property
    def bad(self) -> bool:
        """Whether the take misses too much to keep without trying again."""
        return self.missed > 0 and self.rate > SENTENCE_MAX


@dataclasses.dataclass(frozen=True)
class Retake:
    """A sentence spoken again."""

    index: int
    """Its request's index in the plan."""
    text: str
    """The sentence (the article's words)."""
    before: Heard
    """How the first take was heard."""
    after: Heard
    """How the take used was heard."""
    how: str
    """Which take is used: "speed 0.9x", "piper:joe", or "first take" when none was better."""


@dataclasses.dataclass(frozen=True)
class Listened:
    """The check of every sentence of an episode."""

    heard: dict[int, Heard]
    """Request index -> how the take used was heard."""
    retakes: tuple[Retake, ...]
    """The sentences spoken again."""
    requests: tuple[Request, ...]
    """The requests to mix (retakes in place of the first takes)."""


class CheckStore:
    """Verdicts on disk, one small JSON file per sentence take and recognizer."""

    def __init__(self, cache: SegmentCache, language: str = "en") -> None:
        self.root = cache.base / "checks"
        self.language = language

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Heard | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("recognizer") != RECOGNIZER_ID or data.get("language", "en") != self.language:
                return None
            return Heard(int(data["words"]), int(data["missed"]), str(data["heard"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            remove_entry(path)  # damaged: listened to again
            return None

    def put(self, key: str, heard: Heard) -> None:
        data = {"recognizer": RECOGNIZER_ID, "language": self.language, **dataclasses.asdict(heard)}
        try:
            write_atomic(self._path(key), json.dumps(data).encode())
        except OSError as e:  # a full disk: the verdict is still used, only not kept
            log.warning("could not keep a check result (%s)", e)


def _other_voices(voice: Voice) -> list[Voice]:
    from .engines import engine_classes

    classes = engine_classes()
    return [dataclasses.replace(v, speed=voice.speed) for v in OTHER_VOICES
            if v.engine != voice.engine and v.engine in classes and classes[v.engine].installed()][:1]


def alternatives(req: Request) -> list[tuple[str, Request]]:
    """Other takes of a sentence, in the order they are tried."""
    v = req.voice
    out = [(f"speed {f:g}x", Request(req.text, dataclasses.replace(v, speed=round(v.speed * f, 4))))
           for f in RETAKE_SPEEDS if 0.5 <= v.speed * f <= 2.0]
    return out + [(f"{o.engine}:{o.voice}", Request(req.text, o)) for o in _other_voices(v)]


def _listen(requests: Sequence[Request], meant: Sequence[str], speaker: Speaker, store: CheckStore, language: str,
            tick: Callable[[int], object] | None = None) -> list[Heard]:
    """How each take is heard: from the store, else spoken (or from the cache) and listened to."""
    keys = [request_key(r) for r in requests]
    out: list[Heard | None] = [store.get(k) for k in keys]
    todo = [i for i, h in enumerate(out) if h is None]
    if tick:
        tick(len(requests) - len(todo))
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        said = speaker.said([requests[i] for i in batch])
        items = [(to_rate(_audio(speaker, s), SAMPLE_RATE), meant[i]) for s, i in zip(said, batch)]
        for i, result in zip(batch, check_audio(items, recognizer(), language)):
            out[i] = Heard(result.words, result.missed, result.heard)
            store.put(keys[i], out[i])  # type: ignore[arg-type]
        if tick:
            tick(len(batch))
    return [h for h in out if h is not None]


def _audio(speaker: Speaker, said: object) -> Audio:
    return speaker.audio(said)  # type: ignore[arg-type]


def listen_back(requests: Sequence[Request], meant: dict[int, str], speaker: Speaker, cache: SegmentCache,
                progress: Callable[[int], Callable[[int], object]] | None = None, language: str = "en") -> Listened:
    """Listen to every sentence in ``meant`` (request index -> the article's words, in ``language``), retake those
    heard badly, and return the verdicts and the requests to mix."""
    store = CheckStore(cache, language)
    order = sorted(meant)
    tick = progress(len(order)) if progress else None
    first = _listen([requests[i] for i in order], [meant[i] for i in order], speaker, store, language, tick)
    heard = dict(zip(order, first))
    chosen = list(requests)
    retakes = []
    for i in [i for i in order if heard[i].bad]:
        best, how = heard[i], "first take"
        for name, alt in alternatives(requests[i]):
            (h,) = _listen([alt], [meant[i]], speaker, store, language)
            if h.missed < best.missed:
                best, how, chosen[i] = h, name, alt
            if not best.bad:
                break
        retakes.append(Retake(i, meant[i], heard[i], best, how))
        heard[i] = best
    if retakes:
        log.info("re-spoke %d sentences, %d now heard better", len(retakes),
                 sum(r.after.missed < r.before.missed for r in retakes))
    return Listened(heard, tuple(retakes), tuple(chosen))


def as_checks(listened: Listened, lines: Sequence[tuple[int, str, int, int]]) -> list[SentenceCheck]:
    """Sentence checks for the report: ``lines`` are (request index, text, start ms, chapter index)."""
    out = []
    for index, text, start_ms, chapter in lines:
        h = listened.heard.get(index)
        if h is not None:
            out.append(SentenceCheck(text, h.heard, start_ms, h.words, h.missed, chapter))
    return out
