"""Speech worker processes on this machine: fresh interpreters (spawn), each loading the voices once and
speaking the sentences sent to it over a pipe, storing each in the cache.

The main process owns them. It sends jobs, waits for results together with the stop pipe
(:func:`~..stops.wakeup_fd`), so a stop is seen at once, and ends them itself: asked to exit when the work is
done, terminated when the build stops or fails. They are started with SIGINT and SIGTERM blocked
(:func:`~..stops.quiet_children`) and then ignore Ctrl-C, so a Ctrl-C to the process group reaches only the
main process; and each watches its parent, exiting within PARENT_CHECK_SECONDS when the main process dies
without a word (SIGKILL). A worker that dies is replaced and its sentences are sent again; one that keeps
dying turns the pool off (the caller then speaks in its own process).

Only public APIs of :mod:`multiprocessing` are used (``Process``, ``Pipe``, ``connection.wait``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .. import stops
from ..models import Audio, Said
from .conditioning import condition_measured
from .engines import get_engine
from .segments import SegmentCache, as_stored

log = logging.getLogger(__name__)

Job = tuple[str, str, float, str]
"""(engine, voice, speed, text): one sentence to speak."""
PARENT_CHECK_SECONDS = 0.5
"""How often a worker looks whether the main process is still there."""
JOIN_SECONDS = 2.0
"""How long workers asked to exit may take before they are terminated."""
WORKERS_ENV = "ARTICLECAST_WORKERS"
"""Overrides how many worker processes are started."""


def worker_count(asked: int = 0) -> int:
    """``asked`` if given, else ARTICLECAST_WORKERS if set, else one per core (at most 4)."""
    if asked > 0:
        return asked
    env = os.environ.get(WORKERS_ENV, "")
    return max(1, int(env)) if env.isdigit() else max(1, min(os.cpu_count() or 1, 4))


def synthesize(job: Job, key: str, cache_base: Path) -> tuple[Said, Audio | None]:
    """Speak, condition, measure and store one sentence (in whatever process runs it); the audio comes back only
    if it could not be stored."""
    engine, voice, speed, text = job
    audio, hops, lufs, peak = condition_measured(get_engine(engine).synthesize(text, voice, speed))
    audio = Audio(as_stored(audio.samples), audio.sample_rate)  # exactly what the cache gives back
    said = Said(key, len(audio.samples), audio.sample_rate, lufs, peak, hops)
    stored = SegmentCache(cache_base).put(key, audio, said)
    return said, None if stored else audio


def warm(voices: list[tuple[str, str]]) -> None:
    """Load each voice by speaking a word (and import everything a sentence needs)."""
    for engine, voice in voices:
        condition_measured(get_engine(engine).synthesize("Ready.", voice, 1.0))


TASKS: dict[str, Callable[..., Any]] = {"speak": synthesize, "warm": warm}
"""What a worker can be asked to do, by name."""


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(PARENT_CHECK_SECONDS)


def _serve(conn: Connection, parent: int) -> None:
    """A worker's life: take (ticket, task, args), send back (ticket, ok, result or error), until told to stop."""
    stops.as_child()
    # a thread rather than prctl(PR_SET_PDEATHSIG), which fires when the *thread* that started the worker ends
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        ticket, task, args = message
        try:
            reply = (ticket, True, TASKS[task](*args))
        except Exception as e:  # noqa: BLE001 - sent back to the main process, which raises it
            reply = (ticket, False, e)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as e:  # noqa: BLE001 - an error that cannot be pickled: its words are enough
            conn.send((ticket, False, RuntimeError(f"{type(e).__name__}: {e}")))


class WorkerLost(Exception):
    """A worker process died with this job in hand (the caller sends it again, or speaks it itself)."""


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = multiprocessing.Pipe()
        # multiprocessing starts its resource tracker with the first process, and unblocks SIGINT and SIGTERM after
        # it: started first, so that the workers really begin with both blocked
        resource_tracker.ensure_running()
        with stops.quiet_children():
            self.process = context.Process(target=_serve, args=(child, os.getpid()), daemon=True,
                                           name="articlecast-speech")
            self.process.start()
        child.close()
        self.tickets: set[int] = set()


class LocalWorkers:
    """A pool of speech worker processes: :meth:`submit` jobs, :meth:`wait` for their results."""

    MAX_REPLACED = 4
    """Workers that die beyond this many make the pool give up (the caller speaks in its own process)."""

    def __init__(self, count: int) -> None:
        self.size = count
        """How many workers."""
        self._context = multiprocessing.get_context("spawn")  # fresh interpreters: no onnxruntime state copied
        self._workers: list[_Worker] = []
        self._replaced = 0
        self._lost: list[int] = []
        self.broken = False
        """True once workers kept dying: nothing more can be submitted."""

    def _start(self) -> None:
        while len(self._workers) < self.size:
            self._workers.append(_Worker(self._context))
        log.debug("%d speech worker processes running", len(self._workers))

    def submit(self, ticket: int, task: str, *args: Any) -> None:
        """Give ``task(*args)`` to the least busy worker (starting the workers the first time)."""
        if not self._workers:
            self._start()
        worker = min(self._workers, key=lambda w: len(w.tickets))
        worker.tickets.add(ticket)
        try:
            worker.conn.send((ticket, task, args))
        except OSError:  # it died: its jobs come back lost at the next wait
            self._lost += sorted(worker.tickets)
            self._replace(worker)

    def broadcast(self, ticket: int, task: str, *args: Any) -> int:
        """Give ``task(*args)`` to every worker (tickets ``ticket``, ``ticket + 1``, ...); returns how many."""
        if not self._workers:
            self._start()
        workers = list(self._workers)
        for n, worker in enumerate(workers):
            worker.tickets.add(ticket + n)
            try:
                worker.conn.send((ticket + n, task, args))
            except OSError:
                self._lost += sorted(worker.tickets)
                self._replace(worker)
        return len(workers)

    @property
    def busy(self) -> int:
        """Jobs given out and not yet answered."""
        return sum(len(w.tickets) for w in self._workers)

    def wait(self, timeout: float | None) -> list[tuple[int, bool, Any]]:
        """(ticket, ok, result or error) of the jobs finished within ``timeout`` seconds (fewer when a stop is asked
        for: the caller checks). A worker that died answers its jobs with :class:`WorkerLost` and is replaced."""
        out: list[tuple[int, bool, Any]] = [(t, False, WorkerLost()) for t in self._lost]
        self._lost = []
        if out:
            return out
        if not self._workers:
            stops.sleep(timeout or 0)
            return []
        watched: list[Any] = [w.conn for w in self._workers]
        fd = stops.wakeup_fd()
        if fd is not None:
            watched.append(fd)
        ready = wait(watched, timeout)
        for worker in list(self._workers):
            if worker.conn not in ready:
                continue
            try:
                while worker.conn.poll():
                    ticket, ok, result = worker.conn.recv()
                    worker.tickets.discard(ticket)
                    out.append((ticket, ok, result))
            except (EOFError, OSError):
                out += [(t, False, WorkerLost()) for t in sorted(worker.tickets)]
                self._replace(worker)
        return out

    def _replace(self, worker: _Worker) -> None:
        if worker not in self._workers:
            return
        self._workers.remove(worker)
        worker.conn.close()
        worker.process.join(timeout=1)
        self._replaced += 1
        if self._replaced > self.MAX_REPLACED:
            log.warning("speech worker processes keep dying; speaking in this process instead")
            self.broken = True
            self.terminate()
            return
        log.warning("a speech worker process died (exit code %s); starting another", worker.process.exitcode)
        self._workers.append(_Worker(self._context))

    def close(self) -> None:
        """Ask every worker to exit, and make sure they have (terminated after JOIN_SECONDS)."""
        for w in self._workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + JOIN_SECONDS
        for w in self._workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
        self.terminate()

    def terminate(self) -> None:
        """End every worker now (SIGTERM, then SIGKILL for one that does not go) and wait for them."""
        for w in self._workers:
            if w.process.is_alive():
                w.process.terminate()
        for w in self._workers:
            w.process.join(timeout=1)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self._workers = []
