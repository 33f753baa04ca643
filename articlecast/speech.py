"""Speech: texts in the voices the script names, through the segment cache.

Each segment is conditioned (episode sample rate, tamed peaks) where it is synthesized, and cached so.

Only the segments missing from the cache are synthesized. An engine that allows it runs them in
worker processes, one per core; the workers stay up for the life of a :class:`Speaker`, so a second
batch (the intro, once the episode's length is known) starts without loading the voices again.

Workers never outlive the build: they ignore Ctrl-C (the main process stops them), are terminated when
the :class:`Speaker` is left by an exception (SIGTERM, Ctrl-C, an error), and exit by themselves within
a second or so when the main process dies without a word (SIGKILL).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType

from .cache import SegmentCache, segment_key
from .conditioning import VERSION as CONDITIONING
from .conditioning import condition
from .engines import get_engine
from .models import Audio, Voice

log = logging.getLogger(__name__)

Progress = Callable[[int], object]
"""Called with the number of segments just finished."""
Job = tuple[str, str, float, str]
"""(engine, voice, speed, text)."""


@dataclass(frozen=True)
class Request:
    """One text to speak in one voice."""

    text: str
    """What to say."""
    voice: Voice
    """Who says it."""


def _synthesize(engine: str, voice: str, speed: float, text: str) -> Audio:
    return condition(get_engine(engine).synthesize(text, voice, speed))


PARENT_CHECK_SECONDS = 0.5
"""How often a worker looks whether the main process is still there."""


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


class Speaker:
    """Speaks batches of requests through the cache; use it as a context manager."""

    MIN_PARALLEL = 4
    """Fewer missing segments than this are synthesized in this process (no pool start-up)."""

    def __init__(self, cache: SegmentCache, progress: Progress | None = None) -> None:
        self.cache = cache
        self.progress: Progress = progress or (lambda n: None)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_failed = False

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._pool is not None:
            if et is not None:  # stopped or failed: do not wait for sentences nobody will hear
                # no future is cancelled first: Python 3.11's executor then fails marking them broken
                terminate_workers(self._pool)
                self._pool.shutdown(wait=True)
            else:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _pool_for(self, n_jobs: int) -> ProcessPoolExecutor | None:
        if self._pool is None and not self._pool_failed and worker_count() > 1 and n_jobs >= self.MIN_PARALLEL:
            # spawn: fresh interpreters, no onnxruntime state copied by fork
            self._pool = ProcessPoolExecutor(worker_count(), mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_init, initargs=(os.getpid(),))
            log.debug("started %d speech worker processes", worker_count())
        return self._pool

    def speak(self, requests: Sequence[Request]) -> list[Audio]:
        """Audio for each request, in order: from the cache, else synthesized and stored."""
        out: list[Audio | None] = [None] * len(requests)
        where: dict[str, list[int]] = {}
        jobs: dict[str, Job] = {}
        for i, req in enumerate(requests):
            engine = get_engine(req.voice.engine)
            voice = engine.check_voice(req.voice.voice)
            key = segment_key(engine.name, f"{engine.version()}+c{CONDITIONING}", voice, req.voice.speed, req.text)
            if key in where:  # the same words again: spoken once
                where[key].append(i)
                continue
            where[key] = [i]
            jobs[key] = (engine.name, voice, float(req.voice.speed), req.text)
        for key in list(jobs):
            hit = self.cache.get(key)
            if hit is not None:
                for i in where[key]:
                    out[i] = hit
                self.progress(len(where[key]))
                del jobs[key]

        def store(key: str, audio: Audio) -> None:
            audio = self.cache.put(key, audio)
            for i in where[key]:
                out[i] = audio
            self.progress(len(where[key]))
            del jobs[key]

        parallel = [k for k, j in jobs.items() if get_engine(j[0]).parallel]
        pool = self._pool_for(len(parallel))
        if pool is not None and parallel:
            try:
                self._run_in_pool(pool, parallel, jobs, store)
            except BrokenProcessPool:  # e.g. a script without the `if __name__ == "__main__"` guard
                log.warning("speech worker processes failed; synthesizing in this process instead")
                self._pool_failed, self._pool = True, None
        for key in list(jobs):
            store(key, _synthesize(*jobs[key]))
        assert all(a is not None for a in out)
        return out  # type: ignore[return-value]

    @staticmethod
    def _run_in_pool(pool: ProcessPoolExecutor, keys: list[str], jobs: dict[str, Job],
                     store: Callable[[str, Audio], None]) -> None:
        # longest first, so that no worker is left with a long paragraph at the end
        order = sorted(keys, key=lambda k: -len(jobs[k][3]))
        futures: dict[Future[Audio], str] = {pool.submit(_synthesize, *jobs[k]): k for k in order}
        for fut in as_completed(futures):  # on an exception, the Speaker stops the workers
            store(futures[fut], fut.result())


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


def speak(requests: Sequence[Request], cache: SegmentCache, progress: Progress | None = None) -> list[Audio]:
    """Speak one batch (a :class:`Speaker` for a single use)."""
    with Speaker(cache, progress) as speaker:
        return speaker.speak(requests)
