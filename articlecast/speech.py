"""Speech: texts in the voices the script names, through the segment cache, as a stream.

Each sentence is conditioned (episode sample rate, tamed peaks) and measured (its BS.1770 hop energies,
loudness and true peak) where it is synthesized, and stored in the cache there: the main process gets
back only the measurements (:class:`~.models.Said`) and reads a sentence's audio from the cache when it
mixes it, so no more than a few sentences are ever in its memory.

A :class:`Stream` hands out sentences in the order asked, as they become ready: cached ones at once, the
rest synthesized in worker processes (one per core, kept up for the life of the :class:`Speaker`), a few
ahead of the mixer at a time, so that mixing and encoding run while later sentences are still spoken.

Workers never outlive the build: they ignore Ctrl-C (the main process stops them), are terminated when
the :class:`Speaker` is left by an exception (SIGTERM, Ctrl-C, an error), and exit by themselves within
a second or so when the main process dies without a word (SIGKILL).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from .cache import SegmentCache, as_stored, segment_key
from .conditioning import VERSION as CONDITIONING
from .conditioning import condition_measured
from .engines import get_engine
from .models import Audio, Said, Voice

log = logging.getLogger(__name__)

Progress = Callable[[int], object]
"""Called with the number of sentences just made ready."""
Job = tuple[str, str, float, str]
"""(engine, voice, speed, text)."""
PARENT_CHECK_SECONDS = 0.5
"""How often a worker looks whether the main process is still there."""


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
    return e.name, e.check_voice(voice), f"{e.version()}+c{CONDITIONING}"


def request_key(req: Request) -> str:
    """The cache key of a request: engine (and its version), voice, speed and text."""
    engine, voice, version = _speaker_id(req.voice.engine, req.voice.voice)
    return segment_key(engine, version, voice, req.voice.speed, req.text)


def _synthesize(job: Job, key: str, cache_base: Path) -> tuple[Said, Audio | None]:
    """Speak, condition, measure and store one sentence; the audio comes back only if it could not be stored."""
    engine, voice, speed, text = job
    audio, hops, lufs, peak = condition_measured(get_engine(engine).synthesize(text, voice, speed))
    audio = Audio(as_stored(audio.samples), audio.sample_rate)  # exactly what the cache gives back
    said = Said(key, len(audio.samples), audio.sample_rate, lufs, peak, hops)
    stored = SegmentCache(cache_base).put(key, audio, said)
    return said, None if stored else audio


def _warm(voices: list[tuple[str, str]]) -> None:
    """In a worker: load each voice by speaking a word (and import everything a sentence needs)."""
    for engine, voice in voices:
        condition_measured(get_engine(engine).synthesize("Ready.", voice, 1.0))


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(PARENT_CHECK_SECONDS)


def _worker_init(parent: int) -> None:
    """In each worker: leave Ctrl-C to the main process, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a thread rather than prctl(PR_SET_PDEATHSIG), which fires when the *thread* that started the worker ends
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()


def worker_count() -> int:
    """ARTICLECAST_WORKERS if set, else one per core (at most 4)."""
    env = os.environ.get("ARTICLECAST_WORKERS", "")
    return max(1, int(env)) if env.isdigit() else max(1, min(os.cpu_count() or 1, 4))


def terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's worker processes now. ProcessPoolExecutor has no public way before Python 3.14
    (``terminate_workers``); its ``_processes`` map is used otherwise (tests/test_faults.py checks it)."""
    if hasattr(pool, "terminate_workers"):
        pool.terminate_workers()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError, AttributeError):
            pass


class Speaker:
    """Speaks requests through the cache, in worker processes; use it as a context manager."""

    MIN_PARALLEL = 4
    """Fewer sentences to synthesize than this are spoken in this process (no pool start-up)."""
    AHEAD = 8
    """Sentences in flight per worker: enough to keep every worker busy while the mixer waits for the encoder."""

    def __init__(self, cache: SegmentCache, progress: Progress | None = None,
                 workers: Callable[[], Any] | None = None) -> None:
        self.cache = cache
        self.progress: Progress = progress or (lambda n: None)
        self._workers = workers
        """Makes another kind of worker pool (Ray actors): ``submit(fn, *args)`` -> Future, ``terminate()``."""
        self._pool: Any = None
        self._pool_failed = False
        self._held: dict[str, Audio] = {}  # audio that the cache could not store

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._pool is not None:
            if not isinstance(self._pool, ProcessPoolExecutor):
                self._pool.terminate()
            elif et is not None:  # stopped or failed: do not wait for sentences nobody will hear
                # no future is cancelled first: Python 3.11's executor then fails marking them broken
                terminate_workers(self._pool)
                self._pool.shutdown(wait=True)
            else:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def pool(self, n_jobs: int) -> Any:
        """The worker pool, started for a batch of ``n_jobs`` parallel jobs when that is worth it."""
        if self._pool is None and self._workers is not None and n_jobs > 0:
            self._pool = self._workers()
        if self._pool is None and not self._pool_failed and worker_count() > 1 and n_jobs >= self.MIN_PARALLEL:
            # spawn: fresh interpreters, no onnxruntime state copied by fork
            self._pool = ProcessPoolExecutor(worker_count(), mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_init, initargs=(os.getpid(),))
            log.debug("started %d speech worker processes", worker_count())
        return self._pool

    def warm_up(self, voices: Sequence[Voice], sentences: int) -> None:
        """Start the workers now and have each load ``voices``, while the main process still prepares: by the time
        the first sentence is asked for, the voices are ready. Nothing happens for engines that run here."""
        wanted = sorted({(v.engine, v.voice) for v in voices if get_engine(v.engine).parallel})
        pool = self.pool(sentences) if wanted else None
        if pool is not None:
            for _ in range(getattr(pool, "size", None) or worker_count()):
                pool.submit(_warm, wanted)

    def pool_failed(self) -> None:
        """The pool broke (e.g. a script without the ``if __name__ == "__main__"`` guard): speak here from now on."""
        log.warning("speech worker processes failed; synthesizing in this process instead")
        self._pool_failed, self._pool = True, None

    def stream(self, requests: Sequence[Request]) -> Stream:
        """Start speaking ``requests``; the :class:`Stream` hands them out in order."""
        return Stream(self, requests)

    def said(self, requests: Sequence[Request]) -> list[Said]:
        """Every request spoken (or found in the cache), in order."""
        stream = self.stream(requests)
        return [stream.get(i) for i in range(len(requests))]

    def speak(self, requests: Sequence[Request]) -> list[Audio]:
        """Every request's audio, in order (for short lists: all of it is held)."""
        stream = self.stream(requests)
        return [stream.audio(i) for i in range(len(requests))]

    def keep(self, said: Said, audio: Audio | None) -> None:
        """Store (or, when the cache cannot, hold) the audio of a sentence that came back with it: from a worker
        on another machine, or one that could not write the cache."""
        if audio is None or self.cache.exists(said.key):
            return
        if not self.cache.put(said.key, audio, said):
            self._held[said.key] = audio

    def audio(self, said: Said) -> Audio:
        """A sentence's audio: from the cache (or memory, when the cache could not store it)."""
        if said.key in self._held:
            return self._held[said.key]
        audio = self.cache.get(said.key)
        if audio is None:  # removed since (another build trimmed the cache): made again, identically
            raise LookupError(said.key)
        return audio


class Stream:
    """Sentences handed out in the order asked, as they become ready; see :class:`Speaker`."""

    def __init__(self, speaker: Speaker, requests: Sequence[Request]) -> None:
        self.speaker = speaker
        self.keys: list[str] = []
        self.jobs: dict[str, Job] = {}
        self.done: dict[str, Said] = {}
        self.count: dict[str, int] = {}  # how many requests each key serves (for progress)
        self.pending: deque[str] = deque()
        self.flight: dict[Future[tuple[Said, Audio | None]], str] = {}
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
        size = getattr(pool, "size", None) or worker_count()
        limit = (size * Speaker.AHEAD) if pool is not None else 0
        skipped: list[str] = []
        while self.pending and len(self.flight) < limit:
            key = self.pending.popleft()
            if not get_engine(self.jobs[key][0]).parallel:
                skipped.append(key)
                continue
            try:
                fut = pool.submit(_synthesize, self.jobs[key], key, self.speaker.cache.base)  # type: ignore[union-attr]
            except BrokenProcessPool:
                self._broken()
                skipped.append(key)
                break
            self.flight[fut] = key
        self.pending.extendleft(reversed(skipped))

    def _broken(self) -> None:
        self.speaker.pool_failed()
        self._pool = None
        self.pending.extendleft(reversed(list(self.flight.values())))
        self.flight.clear()

    def step(self, timeout: float | None = None) -> None:
        """Make progress: take finished sentences from the workers, or speak the next one here."""
        if self.flight:
            finished, _ = wait(list(self.flight), timeout=timeout, return_when=FIRST_COMPLETED)
            for fut in finished:
                key = self.flight.pop(fut)
                try:
                    said, audio = fut.result()
                except BrokenProcessPool:
                    self.pending.appendleft(key)
                    self._broken()
                    break
                self.speaker.keep(said, audio)
                self._finish(key, said)
        elif self.pending:  # nothing in flight: no pool, or engines that run here (silent, espeak, gtts)
            self._here(self.pending[0])
        self._top_up()

    def _here(self, key: str) -> None:
        """Speak one pending sentence in this process."""
        self.pending.remove(key)
        said, audio = _synthesize(self.jobs[key], key, self.speaker.cache.base)
        self.speaker.keep(said, audio)
        self._finish(key, said)

    def get(self, i: int) -> Said:
        """Request ``i``, waiting for it."""
        key = self.keys[i]
        while key not in self.done:
            if key in self.pending and (self._pool is None or not get_engine(self.jobs[key][0]).parallel):
                self._here(key)  # an engine that runs here (or no pool): now, not after the workers' queue
                self._top_up()
            else:
                self.step()
        return self.done[key]

    def remake(self, said: Said) -> Audio:
        """Speak a sentence again whose cache entry went missing since it was measured (another build trimmed
        the cache): same engine, same text, the same samples."""
        job = self.jobs[said.key]
        fresh, audio = _synthesize(job, said.key, self.speaker.cache.base)
        self.speaker.keep(fresh, audio)
        return audio if audio is not None else self.speaker.audio(fresh)

    def audio(self, i: int) -> Audio:
        """Request ``i``'s audio."""
        said = self.get(i)
        try:
            return self.speaker.audio(said)
        except LookupError:
            return self.remake(said)


def speak(requests: Sequence[Request], cache: SegmentCache, progress: Progress | None = None) -> list[Audio]:
    """Speak one batch (a :class:`Speaker` for a single use)."""
    with Speaker(cache, progress) as speaker:
        return speaker.speak(requests)
