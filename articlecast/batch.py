"""A publisher's archive: many articles built into one folder and its feed, the same build as ``build`` each.

Inputs are files, folders (every article and script in them), URLs, a list file (one input per line), or
an RSS/Atom feed (one episode per item). Every input is read first; an episode whose script and settings
are unchanged since it was last built into the folder (a hash kept in its feed record) is skipped at once,
so a batch that was stopped halfway, run again, builds only what is missing, and a batch with nothing to
build starts no workers at all. One input that fails is reported and never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ArticlecastError, EngineUnavailableError, InputError
from .inputs import ARTICLE_SUFFIXES, SCRIPT_SUFFIXES, Loaded, load_input
from .speech import Progress, Speaker

if TYPE_CHECKING:
    from .pipeline import Check

log = logging.getLogger(__name__)
INPUT_SUFFIXES = frozenset(ARTICLE_SUFFIXES) | SCRIPT_SUFFIXES
"""What a folder given to a batch contributes: every article and script in it."""


@dataclass(frozen=True)
class Outcome:
    """What became of one input."""

    source: str
    """The input as given (a path or a URL)."""
    status: str
    """"built", "skipped" (unchanged since it was built) or "failed"."""
    detail: str
    """The MP3, or why it failed."""
    seconds: float = 0.0
    """How long it took."""
    check: str = ""
    """With --check: the listen-back figure ("1.2% missed", or "... FAILED: over in 'Title'")."""
    check_failed: bool = False
    """Whether the episode (or a chapter) is over the check's threshold."""


def expand(inputs: list[str], list_file: str | None = None, feed: str | None = None,
           latest: int | None = None) -> list[str]:
    """Every input a batch is given, in order: folders opened, the list file's lines, the feed's items."""
    from .fetch import is_url

    out: list[str] = []
    for item in inputs:
        path = Path(item)
        if not is_url(item) and path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES and p.is_file())
            if not found:
                raise InputError(f"{path}: a folder with no article (.txt, .md, .html) or script (.yaml) in it")
            out += [str(p) for p in found]
        else:
            out.append(item)
    if list_file:
        from .inputs import read_text

        base = Path(list_file).parent
        for line in read_text(Path(list_file)).splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line if is_url(line) or Path(line).is_absolute() else str(base / line))
    if feed:
        out += feed_items(feed, latest)
    if not out:
        raise InputError("nothing to build: give articles, folders, URLs, --list FILE or --feed URL")
    return list(dict.fromkeys(out))


def feed_items(feed: str, latest: int | None = None) -> list[str]:
    """The article addresses of an RSS or Atom feed (a URL or a file), newest first; ``latest`` keeps the newest N."""
    import feedparser

    from .fetch import get, is_url

    data = get(feed, accept="application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")[1] \
        if is_url(feed) else Path(feed).read_bytes()
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"{feed}: is not an RSS or Atom feed ({parsed.bozo_exception}); check the address")
    entries = sorted(parsed.entries, key=lambda e: tuple(e.get("published_parsed") or e.get("updated_parsed") or ()),
                     reverse=True)
    links = [e.get("link", "") for e in entries if e.get("link")]
    return links[:latest] if latest else links


@dataclass
class Batch:
    """Everything a batch builds with: the folder, its settings, the cache and the speaker."""

    folder: Path
    bitrate: int = 96
    base_url: str = ""
    show: str | None = None
    pages: Path = Path("script")
    adjust: Callable[[Loaded], Loaded] = lambda x: x
    """Applied to every input read (the command line's --voice, --speed, --email)."""
    check: Check | None = None
    """Listen to every sentence first (build --check)."""


def run_batch(sources: list[str], batch: Batch, speaker: Speaker,
              progress: Callable[[int], Progress] | None = None,
              report: Callable[[Outcome, int, int], None] | None = None,
              start: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Build every source into ``batch.folder``; returns what became of each (in the order given).

    ``start(episodes, sentences)`` is called once the work is known (not when there is none); ``report`` after
    each input with (its outcome, inputs done, inputs in all); ``progress`` as for one build."""
    from .pipeline import check_thresholds, plan_episode, prepare, produce, warm_up
    from .publish import build_hash, up_to_date

    outcomes: dict[str, Outcome] = {}
    todo: list[tuple[str, Loaded]] = []
    for source in sources:  # read all first: skips are known before any worker starts
        started = time.perf_counter()
        try:
            loaded = batch.adjust(load_input(source, batch.show, batch.pages))
            item = up_to_date(batch.folder, loaded.script, build_hash(loaded.script, batch.bitrate, batch.base_url,
                                                                          check_thresholds(batch.check))) \
                if (batch.folder / "feed.json").exists() else None
        except ArticlecastError as e:
            outcomes[source] = Outcome(source, "failed", str(e), time.perf_counter() - started)
            continue
        if item is not None:
            outcomes[source] = Outcome(source, "skipped", str(batch.folder / item.audio))
        else:
            todo.append((source, loaded))
    for outcome in outcomes.values():
        if report:
            report(outcome, len(outcomes), len(sources))
    if not todo:
        return [outcomes[s] for s in sources]
    if start:
        start(len(todo), sum(len(plan_episode(x.script).planner.requests) + 1 for _, x in todo))
    try:
        warm_up(speaker, [x.script for _, x in todo], speaker.cache, batch.bitrate)
    except EngineUnavailableError:
        raise  # the workers cannot start (a Ray cluster out of reach): no episode could be built
    except ArticlecastError:
        pass  # a voice that does not exist: that input's prepare() says so
    for source, loaded in todo:
        started = time.perf_counter()
        try:
            art = prepare(loaded.script, batch.folder, loaded.folder)
            done = produce(loaded.script, batch.folder, art, batch.bitrate, batch.base_url, speaker.cache, progress,
                           speaker, batch.check)
            heard = done.episode.check
            figure = "" if heard is None else f"{heard.rate:.1%} missed" + (
                "" if heard.passed else " FAILED" + (f": over in {', '.join(repr(c.title) for c in heard.failing)}"
                                                     if heard.failing else ""))
            outcomes[source] = Outcome(source, "built", str(done.mp3), time.perf_counter() - started, figure,
                                       heard is not None and not heard.passed)
        except Exception as e:  # one article that fails never stops the others (Ctrl-C and SIGTERM do)
            why = str(e) if isinstance(e, (ArticlecastError, OSError)) else f"internal error: {type(e).__name__}: {e}"
            outcomes[source] = Outcome(source, "failed", why, time.perf_counter() - started)
            log.debug("%s failed", source, exc_info=True)
        if report:
            report(outcomes[source], len(outcomes), len(sources))
    return [outcomes[s] for s in sources]
