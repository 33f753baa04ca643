"""Speech: texts in the voices the script names, through the segment cache, as a stream.

Each sentence is conditioned (the episode's sample rate, tamed peaks) and measured (its BS.1770 hop
energies, loudness and true peak) where it is synthesized, and stored in the cache there: the main process
gets back only the measurements (:class:`~..models.Said`) and reads a sentence's audio from the cache when
it mixes it, so no more than a few sentences are ever in its memory.

A :class:`Stream` hands out sentences in the order asked, as they become ready: cached ones at once, the
rest synthesized by a :class:`Pool` — speech threads here (:mod:`.workers`) or Ray actors (:mod:`.ray_pool`),
kept up for the life of the :class:`Speaker` — a few ahead of the mixer at a time, so that mixing and encoding run
while later sentences are still spoken. Engines that cannot run in a pool (silent, espeak, gtts), and short lists,
are spoken by the calling thread.

Every wait for the pool also watches for a stop (:mod:`..stops`), which is answered there.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

from .. import stops
from ..errors import ArticlecastError, EngineError
from ..models import Audio, Tick, untold
from ..script.model import Voice
from .conditioning import VERSION as CONDITIONING
from .engines import get_engine
from .listening import LISTENING_VERSION, listens_to
from .said import Said
from .segments import SegmentCache, segment_key
from .workers import Job, LocalWorkers, synthesize, worker_count

log = logging.getLogger(__name__)

WAIT_SECONDS = 0.25
"""The longest a wait for the workers goes without looking for a stop (the stop pipe wakes it sooner)."""


@dataclass(frozen=True)
class Request:
    """One text to speak in one voice."""

    text: str
    """What to say."""
    voice: Voice
    """Who says it."""


@functools.lru_cache(maxsize=64)
def _speaker_id(engine: str, voice: str) -> tuple[str, str, str]:
    """(engine, checked voice name, engine version + conditioning version): asked once per voice."""
    e = get_engine(engine)
    name = e.resolve_voice(voice)
    heard = f"+l{LISTENING_VERSION}" if listens_to(e.name, name) else ""  # words timed by ear
    return e.name, name, f"{e.version()}+c{CONDITIONING}{heard}"


def request_key(req: Request) -> str:
    """The cache key of a request: engine (and its version), voice, speed and text."""
    engine, voice, version = _speaker_id(req.voice.engine, req.voice.voice)
    return segment_key(engine, version, voice, req.voice.speed, req.text)


class Pool(Protocol):
    """What a Stream needs of a pool of speech workers (threads here, or Ray actors)."""

    size: int
    """How many jobs it runs at once."""

    def submit(self, ticket: int, task: str, *args: Any) -> None:
        """Run a task ("speak" or "warm", :data:`~.workers.TASKS`) on the least busy worker."""

    def broadcast(self, ticket: int, task: str, *args: Any) -> int:
        """Run a task on every worker (tickets ``ticket``, ``ticket + 1``, ...); returns how many."""

    def wait(self, timeout: float | None) -> list[tuple[int, bool, Any]]:
        """(ticket, ok, result or error) of the tasks finished within ``timeout`` (sooner when a stop is asked)."""

    def close(self) -> None:
        """End the workers after their work."""

    def terminate(self) -> None:
        """End the workers now."""


PoolFactory = Callable[[], Pool]
"""Makes a pool when the first job needs one."""


class Speaker:
    """Speaks requests through the cache, in a pool of workers; use it as a context manager (the workers end with
    it: asked to finish when it ends normally, terminated when it ends by an error or a stop)."""

    MIN_PARALLEL = 4
    """Fewer sentences to synthesize than this are spoken in this process (no pool start-up)."""
    AHEAD = 8
    """Sentences in flight per worker: enough to keep every worker busy while the mixer waits for the encoder."""

    def __init__(self, cache: SegmentCache, progress: Tick | None = None, workers: int = 0,
                 pool: PoolFactory | None = None) -> None:
        self.cache = cache
        """Where sentences are stored."""
        self.progress: Tick = progress or untold
        """Told how many more sentences are ready."""
        self._count = worker_count(workers)
        self._factory = pool
        self._pool: Pool | None = None
        self._held: dict[str, Audio] = {}  # audio that the cache could not store
        self._ticket = 0

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            if et is None:
                pool.close()
            else:  # stopped or failed: nobody will hear the sentences in flight
                pool.terminate()

    def ticket(self, n: int = 1) -> int:
        """``n`` new ticket numbers (the first)."""
        first = self._ticket
        self._ticket += n
        return first

    def pool(self, n_jobs: int) -> Pool | None:
        """The worker pool, started for ``n_jobs`` parallel jobs when that is worth it; None: speak here."""
        if self._pool is None and n_jobs > 0:
            if self._factory is not None:
                self._pool = self._factory()
            elif self._count > 1 and n_jobs >= self.MIN_PARALLEL:
                self._pool = LocalWorkers(self._count)
        return self._pool

    def warm_up(self, voices: Sequence[Voice], sentences: int) -> None:
        """Start the workers now and have each load ``voices``, while the main process still prepares: by the time
        the first sentence is asked for, the voices are ready. Nothing happens for engines that run here."""
        wanted = sorted({(v.engine, v.voice) for v in voices if get_engine(v.engine).parallel})
        pool = self.pool(sentences) if wanted else None
        if pool is not None:
            pool.broadcast(self.ticket(pool.size), "warm", wanted)

    def stream(self, requests: Sequence[Request]) -> Stream:
        """Start speaking ``requests``; the :class:`Stream` hands them out in order."""
        return Stream(self, requests)

    def said(self, requests: Sequence[Request]) -> list[Said]:
        """Every request spoken (or found in the cache), in order."""
        stream = self.stream(requests)
        return [stream.get(i) for i in range(len(requests))]

    def keep(self, said: Said, audio: Audio | None) -> None:
        """Store (or, when the cache cannot, hold) the audio of a sentence that came back with it: from a worker
        on another machine, or one that could not write the cache."""
        if audio is None or self.cache.exists(said.key):
            return
        if not self.cache.put(said.key, audio, said):
            self._held[said.key] = audio

    def audio(self, said: Said) -> Audio:
        """A sentence's audio: from the cache (or memory, when the cache could not store it); LookupError when it
        is gone (another build trimmed the cache since)."""
        if said.key in self._held:
            return self._held[said.key]
        audio = self.cache.get(said.key)
        if audio is None:
            raise LookupError(said.key)
        return audio


def _raised(error: Any, job: Job) -> BaseException:
    """The error a worker sent back, as this process raises it."""
    if isinstance(error, ArticlecastError):
        return error
    return EngineError(f"the {job[0]} voice failed on {job[3][:60]!r} ({type(error).__name__}: {error})")


class Stream:
    """Sentences handed out in the order asked, as they become ready; see :class:`Speaker`."""

    def __init__(self, speaker: Speaker, requests: Sequence[Request]) -> None:
        self.speaker = speaker
        self.keys: list[str] = []
        self.jobs: dict[str, Job] = {}
        self.done: dict[str, Said] = {}
        self.count: dict[str, int] = {}  # how many requests each key serves (for progress)
        self.pending: deque[str] = deque()
        self.flight: dict[int, str] = {}  # ticket -> key
        self.chars_total = 0
        self.chars_done = 0
        self.last_ready = time.perf_counter()
        """When the latest sentence became ready (for the log)."""
        for req in requests:
            self._add(req)
        self._minor_voices_first()
        parallel = sum(1 for k in self.pending if get_engine(self.jobs[k][0]).parallel)
        self._pool = speaker.pool(parallel)
        self._top_up()

    def text(self, i: int) -> str:
        """What the voice was given for the ``i``-th request."""
        return self.jobs[self.keys[i]][3]

    def _add(self, req: Request, urgent: bool = False) -> int:
        engine, voice, _ = _speaker_id(req.voice.engine, req.voice.voice)
        key = request_key(req)
        self.keys.append(key)
        self.chars_total += len(req.text)
        if key in self.count:
            self.count[key] += 1
            if key in self.done:
                self.chars_done += len(req.text)
                self.speaker.progress(1)
            return len(self.keys) - 1
        self.count[key] = 1
        self.jobs[key] = (engine, voice, float(req.voice.speed), req.text)
        said = self.speaker.cache.said(key)
        if said is not None:
            self._finish(key, said)
        elif urgent:
            self.pending.appendleft(key)
        else:
            self.pending.append(key)
        return len(self.keys) - 1

    MINOR_SHARE = 0.25
    """A voice with less than this share of the text is spoken first (see :meth:`_minor_voices_first`)."""

    def _minor_voices_first(self) -> None:
        """Put the sentences of voices that say little (the FAQ's questions) at the front: the mixer matches each
        voice's level from what it has heard of it, and a voice first heard near the end would be matched on one
        or two sentences, then mixed again when the rest showed the estimate wrong."""
        chars: dict[tuple[str, str, float], int] = {}
        for key in self.pending:
            chars[self.jobs[key][:3]] = chars.get(self.jobs[key][:3], 0) + len(self.jobs[key][3])
        total = sum(chars.values())
        if len(chars) < 2 or not total:
            return
        minor = {v for v, n in chars.items() if n < self.MINOR_SHARE * total}
        self.pending = deque([k for k in self.pending if self.jobs[k][:3] in minor] +
                             [k for k in self.pending if self.jobs[k][:3] not in minor])

    def add(self, req: Request) -> int:
        """One more request, spoken before any still waiting; returns its index."""
        i = self._add(req, urgent=True)
        self._top_up()
        return i

    def _finish(self, key: str, said: Said) -> None:
        self.done[key] = said
        self.last_ready = time.perf_counter()
        self.chars_done += len(self.jobs[key][3]) * self.count[key]
        self.speaker.progress(self.count[key])

    @property
    def fraction(self) -> float:
        """How much of the text is ready, by characters."""
        return self.chars_done / self.chars_total if self.chars_total else 1.0

    def ready(self, i: int) -> bool:
        """Whether request ``i`` can be had without waiting."""
        return self.keys[i] in self.done

    def _top_up(self) -> None:
        pool = self._pool
        if pool is None:
            return
        limit = pool.size * Speaker.AHEAD
        skipped: list[str] = []
        while self.pending and len(self.flight) < limit:
            key = self.pending.popleft()
            if not get_engine(self.jobs[key][0]).parallel:
                skipped.append(key)
                continue
            ticket = self.speaker.ticket()
            self.flight[ticket] = key
            pool.submit(ticket, "speak", self.jobs[key], key, self.speaker.cache.base)
        self.pending.extendleft(reversed(skipped))

    def step(self, timeout: float | None = WAIT_SECONDS) -> None:
        """Make progress: take finished sentences from the workers, or speak the next one here. A stop asked for
        meanwhile is answered here (:class:`~..stops.Stopped`)."""
        stops.check()
        if self.flight and self._pool is not None:
            for ticket, ok, result in self._pool.wait(min(timeout or WAIT_SECONDS, WAIT_SECONDS)):
                key = self.flight.pop(ticket, None)
                if key is None:  # a warm-up, or a sentence of an earlier stream
                    if not ok:
                        log.debug("a worker's task %d failed: %s", ticket, result)
                    continue
                if not ok:
                    raise _raised(result, self.jobs[key])
                said, audio = result
                self.speaker.keep(said, audio)
                self._finish(key, said)
            stops.check()
        elif self.pending:  # nothing in flight: no pool, or engines that run here (silent, espeak, gtts)
            self._here(self.pending[0])
        self._top_up()

    def _here(self, key: str) -> None:
        """Speak one pending sentence in this process."""
        self.pending.remove(key)
        said, audio = synthesize(self.jobs[key], key, self.speaker.cache.base)
        self.speaker.keep(said, audio)
        self._finish(key, said)
        stops.check()

    def get(self, i: int) -> Said:
        """Request ``i``, waiting for it."""
        key = self.keys[i]
        while key not in self.done:
            if key in self.pending and (self._pool is None or not get_engine(self.jobs[key][0]).parallel):
                stops.check()
                self._here(key)  # an engine that runs here (or no pool): now, not after the workers' queue
                self._top_up()
            else:
                self.step()
        return self.done[key]

    def audio(self, i: int) -> Audio:
        """Request ``i``'s audio (spoken again, identically, if its cache entry went since it was measured)."""
        said = self.get(i)
        try:
            return self.speaker.audio(said)
        except LookupError:
            fresh, audio = synthesize(self.jobs[said.key], said.key, self.speaker.cache.base)
            self.speaker.keep(fresh, audio)
            return audio if audio is not None else self.speaker.audio(fresh)
