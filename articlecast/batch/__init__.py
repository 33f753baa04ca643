"""A publisher's archive: many inputs built into one folder and its feed, each exactly as ``build`` builds it
(the same :class:`~..builder.Builder`, many times, with the speech spread over its workers).

Every input is read first; an episode whose script and settings are unchanged since it was last built into
the folder (a hash kept in its feed record) is skipped at once, so a batch that was stopped halfway, run
again, builds only what is missing, and a batch with nothing to build starts no workers at all. One input
that fails is reported and never stops the others; a stop (SIGTERM, Ctrl-C) ends the batch at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from .. import stops
from ..builder import Builder, Loaded
from ..check.report import CheckReport
from ..errors import ArticlecastError, EngineUnavailableError
from ..publish import summary
from .sources import expand, feed_items

log = logging.getLogger(__name__)

__all__ = ["Outcome", "check_figure", "expand", "feed_items", "run_batch"]


@dataclass(frozen=True)
class Outcome:
    """What became of one input."""

    source: str
    """The input as given (a path or a URL)."""
    status: str
    """"built", "skipped" (unchanged since it was built), "failed", or "stopped" (not built: the batch was stopped)."""
    detail: str
    """The MP3, or why it failed."""
    seconds: float = 0.0
    """How long it took."""
    check: CheckReport | None = None
    """With the check: what was heard."""
    error: BaseException | None = None
    """Why it failed: an :class:`~..errors.ArticlecastError` a caller tells apart by its type (an input that
    cannot be read, a voice that is not installed...), an OSError, or an internal error's exception."""

    @property
    def check_failed(self) -> bool:
        """Whether the episode (or a chapter) is over the check's threshold."""
        return self.check is not None and not self.check.passed


def check_figure(report: CheckReport | None) -> str:
    """The check's figure for a batch's table ("1.2% missed", or "... FAILED: over in 'Title'")."""
    if report is None:
        return ""
    figure = f"{report.rate:.1%} missed"
    if report.passed:
        return figure
    return figure + " FAILED" + (f": over in {', '.join(repr(c.title) for c in report.failing)}"
                                 if report.failing else "")


Report = Callable[[Outcome, int, int], None]
"""Told of each input's outcome, with how many inputs are done and how many there are."""


def run_batch(sources: list[str], builder: Builder, report: Report | None = None,
              start: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Build every source with ``builder``; returns what became of each (in the order given).

    ``start(episodes, sentences)`` is told once the work is known (not when there is none); ``report`` after each
    input. A stop ends the batch at once: what was not built yet is "stopped" (the caller answers the stop)."""
    outcomes: dict[str, Outcome] = {}
    try:
        _run(sources, builder, outcomes, report, start)
    except stops.Stopped:
        for source in sources:
            outcomes.setdefault(source, Outcome(source, "stopped", "not built: the batch was stopped"))
    return [outcomes[s] for s in sources]


def _run(sources: list[str], builder: Builder, outcomes: dict[str, Outcome], report: Report | None,
         start: Callable[[int, int], None] | None) -> None:
    todo: list[tuple[str, Loaded]] = []
    for source in sources:  # read all first: skips are known before any worker starts
        started = time.perf_counter()
        try:
            loaded = builder.load(source)
            fresh = builder.up_to_date(loaded)
        except ArticlecastError as e:
            outcomes[source] = Outcome(source, "failed", str(e), time.perf_counter() - started, error=e)
            continue
        if fresh:
            outcomes[source] = Outcome(source, "skipped", str(builder.options.output))
        else:
            todo.append((source, loaded))
    for outcome in outcomes.values():
        if report:
            report(outcome, len(outcomes), len(sources))
    if not todo:
        return
    if start:
        start(len(todo), sum(builder.sentences(x) for _, x in todo))
    try:
        builder.warm_up([x for _, x in todo])
    except EngineUnavailableError:
        raise  # the workers cannot start (a Ray cluster out of reach): no episode could be built
    for source, loaded in todo:
        started = time.perf_counter()
        try:
            done = builder.build_prepared(builder.prepare(loaded))
            outcomes[source] = Outcome(source, "built", str(done.mp3), time.perf_counter() - started,
                                       done.episode.check)
            if done.episode.check is not None:
                log.info("%s: %s", source, summary(done.episode.check))
        except (ArticlecastError, OSError) as e:  # one input that fails never stops the others (a stop does)
            outcomes[source] = Outcome(source, "failed", str(e), time.perf_counter() - started, error=e)
        except Exception as e:  # a bug in one input's build: reported, and the others are built
            outcomes[source] = Outcome(source, "failed", f"internal error: {type(e).__name__}: {e}",
                                       time.perf_counter() - started, error=e)
            log.debug("%s failed", source, exc_info=True)
        if report:
            report(outcomes[source], len(outcomes), len(sources))
