"""``build --check``: every sentence is listened to after it is spoken, before mixing; one the recognizer misses
too much of (SENTENCE_MAX) is spoken again — the same voice a little slower, then a little faster, then, as a
last resort, the other offline voice — and the take that is heard best goes into the plan.

Verdicts are cached beside the sentences (``checks/`` in the cache, by sentence key, recognizer and language),
so a warm rebuild neither listens again nor loads the recognizer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from ..audio.plan import Plan
from ..audio.timeline import Timeline
from ..cache import remove_entry
from ..models import Tick, speed_ok
from ..script.model import Voice
from ..util.files import write_atomic
from ..voice.choice import LANGUAGE_VOICES
from ..voice.conditioning import to_rate
from ..voice.engines import engine_classes
from ..voice.segments import SegmentCache
from ..voice.speaker import Request, Speaker, request_key
from .listen import check_audio, make_report
from .recognizer import RECOGNIZER_ID, SAMPLE_RATE
from .report import CheckReport, Hearing, Retake, SentenceCheck

log = logging.getLogger(__name__)
SENTENCE_MAX = 0.2
"""A sentence missing more than this share of its words (and at least one word) is spoken again."""
RETAKE_SPEEDS = (0.9, 1.1)
"""The same voice again at these multiples of its speed."""
OTHER_VOICES = (Voice("hibari", "heart"), Voice("piper", "joe"))
"""The offline voices a retake may fall back on (the first installed one that is not the sentence's own)."""
BATCH = 48
"""Sentences loaded and listened to at a time (bounded memory on long documents)."""


def too_bad(h: Hearing) -> bool:
    """Whether a take misses too much to keep without trying again."""
    return h.missed > 0 and h.rate > SENTENCE_MAX


@dataclasses.dataclass(frozen=True)
class Listened:
    """The check of every sentence of a plan."""

    heard: dict[int, Hearing]
    """Request index -> how the take used was heard."""
    retakes: tuple[Retake, ...]
    """The sentences spoken again."""


class CheckStore:
    """Verdicts on disk, one small JSON file per sentence take, recognizer and language."""

    def __init__(self, cache: SegmentCache, language: str = "en") -> None:
        self.root = cache.base / "checks"
        self.language = language

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Hearing | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("recognizer") != RECOGNIZER_ID or data.get("language", "en") != self.language:
                return None
            return Hearing(int(data["words"]), int(data["missed"]), str(data["heard"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            remove_entry(path)  # damaged: listened to again
            return None

    def put(self, key: str, heard: Hearing) -> None:
        data = {"recognizer": RECOGNIZER_ID, "language": self.language, **dataclasses.asdict(heard)}
        try:
            write_atomic(self._path(key), json.dumps(data).encode())
        except OSError as e:  # a full disk: the verdict is still used, only not kept
            log.warning("could not keep a check result (%s)", e)


def _other_voices(voice: Voice, language: str) -> list[Voice]:
    """Another installed voice of ``language`` (in English :data:`OTHER_VOICES`; elsewhere the language's own,
    never a voice of another language)."""
    classes = engine_classes()
    base = language.split("-")[0].lower() or "en"
    candidates = OTHER_VOICES if base == "en" else LANGUAGE_VOICES.get(base, ())
    return [dataclasses.replace(v, speed=voice.speed) for v in candidates
            if (v.engine, v.voice) != (voice.engine, voice.voice) and (base != "en" or v.engine != voice.engine)
            and v.engine in classes and classes[v.engine].installed()][:1]


def alternatives(req: Request, language: str = "en") -> list[tuple[str, Request]]:
    """Other takes of a sentence in ``language``, in the order they are tried."""
    v = req.voice
    out = [(f"speed {f:g}x", Request(req.text, dataclasses.replace(v, speed=round(v.speed * f, 4))))
           for f in RETAKE_SPEEDS if speed_ok(round(v.speed * f, 4))]
    return out + [(o.label, Request(req.text, o)) for o in _other_voices(v, language)]


def _listen(requests: Sequence[Request], meant: Sequence[str], speaker: Speaker, store: CheckStore, language: str,
            tick: Tick | None = None) -> list[Hearing]:
    """How each take is heard: from the store, else spoken (or from the cache) and listened to."""
    keys = [request_key(r) for r in requests]
    out: list[Hearing | None] = [store.get(k) for k in keys]
    todo = [i for i, h in enumerate(out) if h is None]
    if tick:
        tick(len(requests) - len(todo))
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        said = speaker.said([requests[i] for i in batch])
        items = [(to_rate(speaker.audio(s), SAMPLE_RATE), meant[i]) for s, i in zip(said, batch)]
        for i, result in zip(batch, check_audio(items, language)):
            hearing = Hearing(result.words, result.missed, result.heard)
            out[i] = hearing
            store.put(keys[i], hearing)
        if tick:
            tick(len(batch))
    return [h for h in out if h is not None]


def listen_to_plan(plan: Plan, speaker: Speaker, progress: Callable[[int], Tick] | None = None) -> Listened:
    """Listen to every sentence of ``plan``, retake those heard badly (the plan then says the takes used), and
    return the verdicts."""
    language = plan.script.meta.language
    spoken_in = {ln.index: p.language or language for p in plan.parts for ln in p.lines}  # a digest's other languages
    stores = {lang: CheckStore(speaker.cache, lang) for lang in dict.fromkeys(spoken_in.values())}
    meant = {ln.index: ln.text for p in plan.parts for ln in p.lines}
    order = sorted(meant)
    tick = progress(len(order)) if progress else None
    heard: dict[int, Hearing] = {}
    for lang, store in stores.items():
        these = [i for i in order if spoken_in[i] == lang]
        heard.update(zip(these, _listen([plan.requests[i] for i in these], [meant[i] for i in these], speaker, store,
                                        lang, tick)))
    retakes = []
    for i in [i for i in order if too_bad(heard[i])]:
        best, how, used = heard[i], "first take", plan.requests[i]
        for name, alt in alternatives(plan.requests[i], spoken_in[i]):
            (h,) = _listen([alt], [meant[i]], speaker, stores[spoken_in[i]], spoken_in[i])
            if h.missed < best.missed:
                best, how, used = h, name, alt
            if not too_bad(best):
                break
        if used is not plan.requests[i]:
            plan.use(i, used)
        retakes.append(Retake(i, meant[i], heard[i], best, how))
        heard[i] = best
    if retakes:
        plan.rekey()
        log.info("re-spoke %d sentences, %d now heard better", len(retakes),
                 sum(r.after.missed < r.before.missed for r in retakes))
    return Listened(heard, tuple(retakes))


def plan_report(listened: Listened, plan: Plan, timeline: Timeline, max_episode: float,
                max_chapter: float) -> CheckReport:
    """The build's check: each chapter's figure from its sentences' verdicts, each sentence placed at its first
    caption (found by its words: the intro's length sentence has captions but was not checked)."""
    cues = [(" ".join(c.text.split()), c.start_ms) for c in timeline.cues]
    at, rows = 0, []
    for k, p in enumerate(plan.parts):
        for ln in p.lines:
            h = listened.heard.get(ln.index)
            if h is None:
                continue
            text = " ".join(ln.text.split())
            start = timeline.chapters[k].start_ms
            for j in range(at, len(cues)):
                if cues[j][0] and text.startswith(cues[j][0]):
                    start, at = cues[j][1], j + 1
                    break
            rows.append(SentenceCheck(ln.text, h.heard, start, h.words, h.missed, k, (h,)))
    chapters = [(c.title, c.start_ms) for c in timeline.chapters]
    return make_report(rows, chapters, max_episode, max_chapter, plan.script.meta.language)
