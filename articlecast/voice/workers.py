"""Speech workers on this machine: threads of this process, each taking the next sentence, speaking,
conditioning and measuring it, and storing it in the cache.

Threads, not processes: the voices' own work (onnxruntime) runs without Python's lock, so two threads speak about
twice as fast as one on two cores (measured: 2.48 s against 4.79 s for the sample's sentences with hibari), while
every voice is loaded once, not once per process, and no interpreter is started per worker. Nothing to stop from
outside either: the threads finish the sentence in hand (a fraction of a second) and end when the pool is closed,
and a stop never has to reach them.

Engines that may run here say so (``Engine.parallel``); their models are loaded once, under a lock.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..models import Audio
from .conditioning import condition_measured
from .engines import engine_classes, get_engine
from .listening import listens_to, timed_by_ear
from .said import Said
from .segments import SegmentCache, as_stored

log = logging.getLogger(__name__)

Job = tuple[str, str, float, str]
"""(engine, voice, speed, text): one sentence to speak."""
WORKERS_ENV = "ARTICLECAST_WORKERS"
"""Overrides how many workers speak at once."""
JOIN_SECONDS = 5.0
"""The longest the pool waits for a thread to finish its sentence when it is closed."""


def worker_count(asked: int = 0) -> int:
    """``asked`` if given, else ARTICLECAST_WORKERS if set, else one per core (at most 4)."""
    if asked > 0:
        return asked
    env = os.environ.get(WORKERS_ENV, "")
    return max(1, int(env)) if env.isdigit() else max(1, min(os.cpu_count() or 1, 4))


def synthesize(job: Job, key: str, cache_base: Path) -> tuple[Said, Audio | None]:
    """Speak, condition, measure and store one sentence (in whatever thread or process runs it); the audio comes
    back only if it could not be stored."""
    engine, voice, speed, text = job
    audio = get_engine(engine).synthesize(text, voice, speed)
    language = listens_to(engine, voice)
    if language:  # a voice that does not time its words: the recognizer hears them once, here
        audio = timed_by_ear(audio, text, language)
    audio, hops, lufs, peak = condition_measured(audio)
    audio = Audio(as_stored(audio.samples), audio.sample_rate, audio.words)  # exactly what the cache gives back
    said = Said(key, len(audio.samples), audio.sample_rate, lufs, peak, hops, audio.words)
    stored = SegmentCache(cache_base).put(key, audio, said)
    return said, None if stored else audio


def warm(voices: list[tuple[str, str]]) -> None:
    """Load each voice by speaking a word (and import everything a sentence needs)."""
    for engine, voice in voices:
        condition_measured(get_engine(engine).synthesize("Ready.", voice, 1.0))


TASKS: dict[str, Callable[..., Any]] = {"speak": synthesize, "warm": warm}
"""What a worker can be asked to do, by name."""


class LocalWorkers:
    """Speech threads: :meth:`submit` jobs, :meth:`wait` for their results (the :class:`~.speaker.Pool` contract)."""

    def __init__(self, count: int) -> None:
        self.size = count
        """How many sentences are spoken at once."""
        self._jobs: queue.Queue[tuple[int, str, tuple[Any, ...]] | None] = queue.Queue()
        self._results: queue.Queue[tuple[int, bool, Any]] = queue.Queue()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []

    def _start(self) -> None:
        engine_classes()  # the registry filled here, before any thread asks it
        self._closing.clear()
        for n in range(self.size):
            t = threading.Thread(target=self._serve, name=f"articlecast-speech-{n}", daemon=True)
            t.start()
            self._threads.append(t)
        log.debug("%d speech threads running", self.size)

    def _serve(self) -> None:
        while True:
            message = self._jobs.get()
            if message is None:
                return
            ticket, task, args = message
            if self._closing.is_set():  # terminated: the rest of the queue is dropped
                self._results.put((ticket, False, RuntimeError("the speech workers were stopped")))
                continue
            try:
                self._results.put((ticket, True, TASKS[task](*args)))
            except Exception as e:  # noqa: BLE001 - sent back to the caller, which raises it
                self._results.put((ticket, False, e))

    def submit(self, ticket: int, task: str, *args: Any) -> None:
        """Queue ``task(*args)`` for the next free thread (starting the threads the first time)."""
        if not self._threads:
            self._start()
        self._jobs.put((ticket, task, args))

    def broadcast(self, ticket: int, task: str, *args: Any) -> int:
        """Run ``task(*args)`` once: the threads share their voices, so one warm-up serves them all."""
        self.submit(ticket, task, *args)
        return 1

    def wait(self, timeout: float | None) -> list[tuple[int, bool, Any]]:
        """(ticket, ok, result or error) of the jobs finished within ``timeout`` seconds (at least one, unless the
        time runs out)."""
        out: list[tuple[int, bool, Any]] = []
        try:
            out.append(self._results.get(timeout=timeout))
            while True:
                out.append(self._results.get_nowait())
        except queue.Empty:
            pass
        return out

    def close(self) -> None:
        """Let the threads finish what was queued, then end them."""
        for _ in self._threads:
            self._jobs.put(None)
        for t in self._threads:
            t.join(timeout=JOIN_SECONDS)
        self._threads = []

    def terminate(self) -> None:
        """End the threads as soon as each has finished the sentence in hand; the queued ones are dropped."""
        self._closing.set()
        self.close()
