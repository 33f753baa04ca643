"""The listening app: a small local web application for people who never open a terminal (``speak.py app``).

Add an article (a web address, a file of any kind the product reads, or pasted text), watch it being made, listen
to it on its page, download its MP3 and read-along book, delete it, publish the folder, subscribe on a phone. Its
parts: :mod:`.jobs` (the queue, in SQLite: a restart loses nothing), :mod:`.worker` (one build at a time through
the library's Builder), :mod:`.web` (the pages, Flask). The folder and its feed stay the one record of the
episodes; the app's own state lives in the folder's ``.articlecast-app``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .. import stops
from ..errors import OutputError, converted
from ..publish.serve import listening, shown_host
from .config import APP_FOLDER, DEFAULT_PORT, MAX_UPLOAD_MB, AppConfig, Choices, is_loopback
from .jobs import Job, JobStore
from .worker import Worker

__all__ = ["APP_FOLDER", "DEFAULT_PORT", "MAX_UPLOAD_MB", "AppConfig", "Choices", "Job", "JobStore", "Running",
           "Worker", "is_loopback", "run_app", "running"]


@dataclass(frozen=True)
class Running:
    """The app, running."""

    url: str
    """Its address, to open in a browser (with the secret token in network mode)."""
    config: AppConfig
    """How it was started."""
    store: JobStore
    """Its queue."""
    worker: Worker
    """Its builds."""


@contextmanager
def running(config: AppConfig) -> Iterator[Running]:
    """The app running in threads while the block runs (the server and the builds); at its end the running build
    is stopped at its next safe point and its job queued again for the next start."""
    folder = config.folder
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; choose the episodes' folder with -o")
    from .web import Guarded, create_app  # noqa: PLC0415 - Flask (and its werkzeug) loaded by the app alone

    with converted(OutputError, config.state, "cannot be made"):
        config.state.mkdir(parents=True, exist_ok=True)
    one_app = FileLock(str(config.state / "app.lock"), timeout=0)
    try:
        one_app.acquire()
    except Timeout:
        raise OutputError(f"{folder}: another app is already running on this folder (one at a time, so that nothing "
                          "is built twice); open that one, or choose another folder with -o") from None
    store = JobStore(config.state / "app.sqlite3")
    try:
        worker = Worker(config, store)
        token = feed_token = ""
        if config.network:
            token, feed_token = store.secret("token"), store.secret("feed-token")
        wsgi: Any = create_app(config, store, worker, feed_token)
        if config.network:
            wsgi = Guarded(wsgi, token, feed_token)
        with listening(wsgi, config.host, config.port) as server:
            worker.start()
            try:
                root = f"http://{shown_host(config.host)}:{server.port}/" + (f"{token}/" if token else "")
                yield Running(root, config, store, worker)
            finally:
                worker.stop()
    finally:
        store.close()
        one_app.release()


def run_app(folder: str | Path = "audio_out", *, ready: Callable[[Running], None] | None = None,
            **settings: Any) -> None:
    """Run the app until it is stopped (Ctrl-C or SIGTERM: then :class:`~..stops.Stopped` is raised, after the
    running build was stopped and queued again). ``settings`` are :class:`AppConfig`'s fields (``host``, ``port``,
    ``publish_url``...); ``ready`` is told the running app (its ``url``) once it listens."""
    config = AppConfig(folder=Path(folder), **settings)
    with stops.handled(), running(config) as app:
        if ready is not None:
            ready(app)
        while True:
            stops.sleep(3600)
