"""The app's queue and its state, in SQLite (the standard library's embedded database): every request to build
or publish is a row that outlives the app, so a restart loses nothing.

A job is ``queued``, then ``running`` (one at a time: :meth:`JobStore.claim`), then ``done``, ``failed`` or
``cancelled``. A job found ``running`` when the app starts was interrupted (the app was stopped, or killed):
:meth:`JobStore.recover` queues it again, saying so, and the worker resumes it — an episode it had already
published is found in the folder's feed (its build hash) and never made twice. A job interrupted
:data:`MAX_ATTEMPTS` times is marked failed instead, with the reason.

The episodes themselves are not here: the folder and its feed are the one record of what is published.
Writes are committed at once (WAL journal), so a SIGKILL loses at most the progress figures of the moment.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FieldError

__all__ = ["KINDS", "MAX_ATTEMPTS", "STATES", "Job", "JobStore"]

KINDS = ("build", "publish")
"""What a job does: build an episode (or a digest) into the folder, or publish the folder to its host."""
STATES = ("queued", "running", "done", "failed", "cancelled")
"""Where a job is; the last three are final."""
RESUMED = "Resumed: the app stopped while this was being made."
"""What a job interrupted by a stop or a kill says when it is queued again."""
MAX_ATTEMPTS = 3
"""How many times a job may be interrupted (the app stopped or killed while it ran) before it is marked failed."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    sources TEXT NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    episode TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Job:
    """One request to the app, as stored."""

    id: int
    """Its number, in the order asked."""
    kind: str
    """One of :data:`KINDS`."""
    title: str
    """What the listener gave, as shown (a web address, a file's own name, the first words of pasted text)."""
    sources: tuple[str, ...]
    """What is built: web addresses, or files in the app's own folder (never a path a request named)."""
    settings: dict[str, object] = field(default_factory=dict)
    """The choices made in the form (voice, speed, theme, digest title), as :class:`~.Choices` keeps them."""
    state: str = "queued"
    """One of :data:`STATES`."""
    stage: str = ""
    """What it is doing now, in words ("Speaking")."""
    done: int = 0
    """How far the stage is (sentences, pages, files)."""
    total: int = 0
    """How far the stage goes (0: not known)."""
    message: str = ""
    """Why it failed, or a note (resumed after the app stopped; already in the library)."""
    episode: str = ""
    """For a built job: the episode's guid in the folder's feed."""
    attempts: int = 0
    """How many times it was started."""
    created: float = 0.0
    """When it was asked for (seconds since the epoch)."""
    updated: float = 0.0
    """When it last changed."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FieldError("Job", "kind", self.kind, f"one of {', '.join(KINDS)}")
        if self.state not in STATES:
            raise FieldError("Job", "state", self.state, f"one of {', '.join(STATES)}")

    @property
    def final(self) -> bool:
        """Whether it is over (done, failed or cancelled)."""
        return self.state in ("done", "failed", "cancelled")

    def to_data(self) -> dict[str, object]:
        """What a page's script is told of it."""
        return {"id": self.id, "kind": self.kind, "title": self.title, "state": self.state, "stage": self.stage,
                "done": self.done, "total": self.total, "message": self.message, "episode": self.episode,
                "attempts": self.attempts}


class JobStore:
    """The jobs, in one SQLite file; safe to use from every thread (one connection, one lock). Every change wakes
    :meth:`wait_for_change`."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)  # the database, its journal (the secrets in it) and the uploads: this user's alone
        self.path = path
        """The database file."""
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable when the process dies; the app is no bank
        self._db.executescript(SCHEMA)
        path.chmod(0o600)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self.version = 0
        """Counts the changes since the store was opened."""

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Wait until the store changed after version ``seen``, or ``timeout`` seconds; the version now."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    # ------------------------------------------------------------ secrets

    def secret(self, name: str) -> str:
        """A random secret kept with the jobs (made the first time it is asked for): the app's CSRF key and its
        network token stay the same across restarts, so that open pages and subscribed phones keep working."""
        with self._write() as db:
            row = db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return str(row["value"])
            value = secrets.token_urlsafe(24)
            db.execute("INSERT INTO secrets (name, value) VALUES (?, ?)", (name, value))
            return value

    # ------------------------------------------------------------ jobs

    @staticmethod
    def _job(row: sqlite3.Row) -> Job:
        return Job(id=row["id"], kind=row["kind"], title=row["title"], sources=tuple(json.loads(row["sources"])),
                   settings=json.loads(row["settings"]), state=row["state"], stage=row["stage"], done=row["done"],
                   total=row["total"], message=row["message"], episode=row["episode"], attempts=row["attempts"],
                   created=row["created"], updated=row["updated"])

    def add(self, kind: str, title: str, sources: list[str], settings: dict[str, object]) -> Job:
        """Queue a job."""
        now = time.time()
        Job(0, kind, title, tuple(sources))  # checked before it is stored
        with self._write() as db:
            cursor = db.execute("INSERT INTO jobs (kind, title, sources, settings, state, created, updated) "
                                "VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                                (kind, title, json.dumps(sources), json.dumps(settings), now, now))
            job_id = cursor.lastrowid
        found = self.get(int(job_id or 0))
        assert found is not None
        return found

    def get(self, job_id: int) -> Job | None:
        """One job, or None."""
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def jobs(self, final: bool | None = None) -> list[Job]:
        """Every job, oldest first (only the final ones, or only those not over, when ``final`` says)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY id").fetchall()
        found = [self._job(r) for r in rows]
        return found if final is None else [j for j in found if j.final == final]

    def claim(self) -> Job | None:
        """The oldest queued job, now running (one attempt more); None when none is queued."""
        with self._write() as db:
            row = db.execute("SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute("UPDATE jobs SET state = 'running', attempts = attempts + 1, stage = 'Starting', done = 0, "
                       "total = 0, updated = ? WHERE id = ?", (time.time(), row["id"]))
            job_id = row["id"]
        return self.get(job_id)

    def progress(self, job_id: int, stage: str, done: int = 0, total: int = 0) -> None:
        """What a running job is doing."""
        with self._write() as db:
            db.execute("UPDATE jobs SET stage = ?, done = ?, total = ?, updated = ? WHERE id = ? AND state = 'running'",
                       (stage, done, total, time.time(), job_id))

    def set_sources(self, job_id: int, sources: list[str]) -> None:
        """What the job builds from now on (a fetched page's saved copy in place of its address: a resumed job is
        offline and reads the very same page)."""
        with self._write() as db:
            db.execute("UPDATE jobs SET sources = ? WHERE id = ?", (json.dumps(sources), job_id))

    def finish(self, job_id: int, state: str, message: str = "", episode: str = "") -> None:
        """A job is over: ``done`` (with its episode's guid), ``failed`` (with why) or ``cancelled``."""
        if state not in ("done", "failed", "cancelled"):
            raise FieldError("JobStore.finish", "state", state, "done, failed or cancelled")
        with self._write() as db:
            db.execute("UPDATE jobs SET state = ?, message = ?, episode = ?, stage = '', updated = ? WHERE id = ?",
                       (state, message, episode, time.time(), job_id))

    def requeue(self, job_id: int, message: str = RESUMED) -> None:
        """A running job goes back to the queue (the app is stopping: it is resumed at the next start)."""
        with self._write() as db:
            db.execute("UPDATE jobs SET state = 'queued', stage = '', message = ?, updated = ? WHERE id = ?",
                       (message, time.time(), job_id))

    def cancel(self, job_id: int) -> Job | None:
        """Cancel a queued job at once (a running one is the worker's to stop); the job as it is now."""
        with self._write() as db:
            db.execute("UPDATE jobs SET state = 'cancelled', stage = '', message = 'Cancelled before it started.', "
                       "updated = ? WHERE id = ? AND state = 'queued'", (time.time(), job_id))
        return self.get(job_id)

    def retry(self, job_id: int) -> Job | None:
        """Queue a failed or cancelled job again."""
        with self._write() as db:
            db.execute("UPDATE jobs SET state = 'queued', stage = '', message = '', attempts = 0, updated = ? "
                       "WHERE id = ? AND state IN ('failed', 'cancelled')", (time.time(), job_id))
        return self.get(job_id)

    def forget(self, job_id: int) -> None:
        """Take a finished job off the list (its episode, if any, stays in the library)."""
        with self._write() as db:
            db.execute("DELETE FROM jobs WHERE id = ? AND state IN ('done', 'failed', 'cancelled')", (job_id,))

    def recover(self) -> list[Job]:
        """At the app's start: jobs that were running when it stopped are queued again (or, interrupted
        :data:`MAX_ATTEMPTS` times, failed). Returns them as they are now."""
        with self._write() as db:
            rows = db.execute("SELECT id, attempts FROM jobs WHERE state = 'running'").fetchall()
            now = time.time()
            for row in rows:
                if row["attempts"] >= MAX_ATTEMPTS:
                    db.execute("UPDATE jobs SET state = 'failed', stage = '', message = ?, updated = ? WHERE id = ?",
                               (f"The app stopped while making this {row['attempts']} times; retry it, or try "
                                "a smaller article.", now, row["id"]))
                else:
                    db.execute("UPDATE jobs SET state = 'queued', stage = '', message = ?, updated = ? WHERE id = ?",
                               (RESUMED, now, row["id"]))
            ids = [r["id"] for r in rows]
        return [j for j in (self.get(i) for i in ids) if j is not None]
