"""articlecast: a written article in, a chaptered podcast episode out.

The library the command line is built on. One article::

    import articlecast

    published = articlecast.build("script/sample.txt", voice="silent", output="audio_out")
    for chapter in published.episode.chapters:
        print(chapter.start_ms, chapter.title)

The front door is the twenty-one names below: :func:`build` for one article (or a digest of several), a
:class:`Builder` for many with one pool of speech workers, :class:`Options` (every setting, its default in one
place), reading an MP3's chapters back, the listen-back check, publishing, batches, stops, and every error a
caller can catch. Each stage is also a package with its own public names (its ``__all__``), for a caller that
wants one step: ``inputs`` (an Article from text, Markdown, a web page, a document) -> ``script`` (what is said,
by whom, in which chapters) -> ``voice`` (engines, speech threads, the sentence cache) -> ``audio`` (the plan,
the streaming mix, the encoder, the tags) -> ``publish`` (the episode's files and the feed) -> ``check``
(listening back) -> ``batch``. docs/python-api.md documents them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .audio.tags import read_mp3
from .audio.timeline import Chapter
from .batch import run_batch
from .builder import Builder, Progress, build
from .check import check_episode
from .errors import (
    ArticlecastError,
    CheckUnavailableError,
    EngineError,
    EngineUnavailableError,
    FetchError,
    InputError,
    OutputError,
    UnknownVoiceError,
)
from .options import Options
from .publish import Published
from .publish.upload import publish_to
from .stops import Stopped
from .stops import handled as handled_stops
from .webapp import run_app

__version__ = "0.2.0"


def app(folder: str | Path = "audio_out", **settings: Any) -> None:
    """Run the listening app (``speak.py app``) on the episodes' ``folder`` until it is stopped (Ctrl-C or SIGTERM
    raise :class:`Stopped` once the running build was stopped and queued again for the next start). ``settings``
    are :class:`~.webapp.AppConfig`'s fields (``host``, ``port``, ``publish_url``...) and ``ready``, told the running
    app (its ``url``) once it listens. See :mod:`articlecast.webapp`."""
    run_app(folder, **settings)

__all__ = [
    # building
    "build", "Builder", "Options", "Progress", "Published", "Chapter",
    # after a build
    "read_mp3", "check_episode", "publish_to", "run_batch", "app",
    # stops
    "handled_stops", "Stopped",
    # errors (one tree: ArticlecastError; a bad Options value is a ValueError naming the field)
    "ArticlecastError", "InputError", "FetchError", "EngineError", "UnknownVoiceError", "EngineUnavailableError",
    "CheckUnavailableError", "OutputError",
]
