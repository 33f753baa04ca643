"""The app's builds: one thread that takes the queue's jobs one at a time and runs each through the library's
:class:`~..builder.Builder` (the same one ``speak.py build`` uses; its speech workers stay warm between jobs),
telling the store how far it is.

Cancel is a stop request the build answers at its safe points (:func:`~..stops.answering`), never an exception
thrown into it: nothing is published from a cancelled build. When the app stops (Ctrl-C, SIGTERM), the running
build is stopped the same way and its job goes back to the queue, to be resumed at the next start; when it is
killed, :meth:`~.jobs.JobStore.recover` does the same. A resumed job whose episode was already published (the
kill came between publishing and the store's record of it) is found in the folder's feed by its build hash and
is done at once: every job is built exactly once.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
from pathlib import Path

from .. import stops
from ..builder import Builder, Progress
from ..errors import ArticlecastError, os_error_message
from ..inputs import CONTROL_RE
from ..loading import Loaded, digest
from ..models import Tick
from ..options import Options
from ..publish import Published, up_to_date
from ..publish.upload import publish_to
from ..voice.engines import forget_engines
from .config import AppConfig, Choices
from .jobs import Job, JobStore

log = logging.getLogger(__name__)

__all__ = ["Worker", "build_options"]

TOLD_EVERY = 0.25
"""Seconds between two progress writes within one stage."""
RELEASE_AFTER = 120.0
"""Seconds with nothing to build after which the voices are let go (their memory back to the computer); the next
job loads them again (a second or two)."""


def build_options(config: AppConfig, choices: Choices) -> Options:
    """A job's build settings: the app's (folder, where fetched pages go, public addresses only, the audiobook too)
    with the listener's choices."""
    theme = config.state / "themes" / choices.theme if choices.theme else None
    return Options(output=config.folder, pages=config.state / "pages", public_only=not config.allow_private, m4b=True,
                   voice=choices.voice, voices=choices.voices, speed=None if choices.speed == 1.0 else choices.speed,
                   music=theme, ray=config.ray, workers=config.workers)


class _Told(Progress):
    """A build's progress, written to the job's row (a few times a second at most)."""

    def __init__(self, store: JobStore, job_id: int) -> None:
        self.store = store
        self.job_id = job_id
        self.last = 0.0

    def stage(self, stage: str, total: int = 0) -> Tick:
        self.store.progress(self.job_id, stage, 0, total)
        count = [0]

        def tick(n: int) -> None:
            count[0] += n
            now = time.monotonic()
            if now - self.last >= TOLD_EVERY or count[0] >= total:
                self.last = now
                self.store.progress(self.job_id, stage, count[0], total)
        return tick

    def reading(self, pages: int) -> Tick:
        return self.stage("Reading pages", pages)

    def building(self, script: object, number: int, count: int) -> None:
        self.store.progress(self.job_id, "Preparing the voices")

    def listening(self, sentences: int) -> Tick:
        return self.stage("Listening back", sentences)

    def speaking(self, sentences: int) -> Tick:
        return self.stage("Speaking and mixing", sentences)


def _trim_heap() -> None:
    """Hand the memory the C heap keeps after a voice is freed back to the system (glibc's malloc_trim; nothing
    elsewhere)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _shown(message: str, job: Job) -> str:
    """An error's line as the listener knows the input: by the name it was given, not the app's own copy of it."""
    if len(job.sources) == 1 and not job.sources[0].startswith(("http://", "https://")):
        message = message.replace(job.sources[0], job.title)
    return message


class Worker:
    """Runs the store's jobs, one at a time, in a thread of its own."""

    def __init__(self, config: AppConfig, store: JobStore) -> None:
        self.config = config
        self.store = store
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._cancel: threading.Event | None = None
        self._current: int | None = None
        self._lock = threading.Lock()
        self._builder: Builder | None = None
        self._thread = threading.Thread(target=self._run, name="articlecast-app-worker", daemon=True)

    def start(self) -> None:
        """Resume what was interrupted, and start taking jobs."""
        for job in self.store.recover():
            log.info("job %s (%s): %s", job.id, CONTROL_RE.sub("?", job.title), job.message)
        self._thread.start()

    def wake(self) -> None:
        """A job was queued."""
        self._wake.set()

    def cancel(self, job_id: int) -> None:
        """Cancel a job: a queued one at once, the running one at its build's next safe point. (Under the lock the
        worker claims jobs with: a job is never between the two.)"""
        with self._lock:
            if self._current == job_id and self._cancel is not None:
                self._cancel.set()
            else:
                self.store.cancel(job_id)

    def stop(self) -> None:
        """Stop: the running build is asked to stop and its job goes back to the queue; returns once it has."""
        self._stopping.set()
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        self._release()

    def _release(self) -> None:
        """End the builder and let the voices go (their memory back to the computer: about 450 MB with hibari)."""
        if self._builder is not None:
            self._builder.__exit__(None, None, None)
            self._builder = None
            forget_engines()
            gc.collect()
            _trim_heap()

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        idle_since = time.monotonic()
        while not self._stopping.is_set() and stops.requested() is None:
            try:
                with self._lock:
                    job = self.store.claim()
                    cancel = threading.Event()
                    self._current, self._cancel = (job.id, cancel) if job else (None, None)
                if job is None:
                    if self._builder is not None and time.monotonic() - idle_since > RELEASE_AFTER:
                        self._release()
                    self._wake.wait(1.0)
                    self._wake.clear()
                    continue
                try:
                    self._do(job, cancel)
                finally:
                    with self._lock:
                        self._current, self._cancel = None, None
                    idle_since = time.monotonic()
            except Exception:  # the database failed (a full disk): said, and tried again, the thread never dies
                log.exception("the app's queue failed; trying again in 5 s")
                self._wake.wait(5.0)

    def _do(self, job: Job, cancel: threading.Event) -> None:
        try:
            with stops.answering(cancel):
                if job.kind == "publish":
                    self._publish(job)
                else:
                    self._build(job)
        except stops.Stopped:
            if cancel.is_set() and not self._stopping.is_set():
                self.store.finish(job.id, "cancelled", "Cancelled: nothing was added to your library.")
            else:  # the app is stopping (a signal, or stop()): the job is resumed at its next start
                self.store.requeue(job.id)
        except ArticlecastError as e:
            self.store.finish(job.id, "failed", _shown(str(e), job))
        except OSError as e:
            self.store.finish(job.id, "failed", os_error_message(e, e.filename or self.config.folder))
        except Exception as e:  # a bug: the job says so, the app goes on
            log.exception("job %s failed", job.id)
            self.store.finish(job.id, "failed", f"internal error: {type(e).__name__}: {e}")

    def _builder_for(self, options: Options) -> Builder:
        if self._builder is None:
            self._builder = Builder(options)
        self._builder.options = options  # the speech workers (and the cache) are the same for every job
        return self._builder

    def _build(self, job: Job) -> None:
        choices = Choices.from_data(job.settings)
        builder = self._builder_for(build_options(self.config, choices))
        told = _Told(self.store, job.id)
        builder.progress = told
        told.stage("Reading the article" if len(job.sources) == 1 else "Reading the articles")
        items: list[Loaded] = []
        for source in job.sources:
            loaded = builder.load(source)
            if loaded.saved is not None:  # a fetched page: from now on the job builds the saved copy, offline
                kept = [str(loaded.saved) if s == source else s for s in job.sources]
                self.store.set_sources(job.id, kept)
            items.append(loaded)
        item = digest(items, choices.digest, builder.options) if choices.digest else items[0]
        if len(items) > 1 and not choices.digest:
            raise AssertionError("a job of several articles is a digest")
        if builder.up_to_date(item):  # already built from this very article and settings (or resumed after it was)
            found = up_to_date(self.config.folder, item.script, builder.build_hash(item))
            assert found is not None
            self.store.finish(job.id, "done", "Already in your library: made from the same article and choices.",
                              found.guid)
            return
        builder.warm_up([item])
        prepared = builder.prepare(item)
        told.building(item.script, 1, 1)
        published: Published = builder.build_prepared(prepared)
        self.store.finish(job.id, "done", "", published.guid)

    def _publish(self, job: Job) -> None:
        self.store.progress(job.id, "Publishing")
        done = publish_to(Path(self.config.folder), self.config.publish_url, self.config.base_url,
                          progress=lambda name, n, total: self.store.progress(job.id, "Publishing", n, total))
        what = (f"Uploaded {len(done.uploaded)} file(s) to {done.url}" if done.uploaded or done.deleted
                else f"Nothing to upload: {done.url} has every file already")
        self.store.finish(job.id, "done", f"{what}. Feed: {done.feed_url}")

