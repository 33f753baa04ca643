"""A batch's inputs, in order: files, folders (every article and script in them), URLs, a list file (one input
per line), and an RSS or Atom feed (one episode per item)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urljoin

import feedparser

from ..errors import InputError
from ..inputs import ARTICLE_SUFFIXES, ARTICLE_TYPES, SCRIPT_SUFFIXES, is_url
from ..inputs.fetch import get
from ..inputs.text import read_bytes, read_text

INPUT_SUFFIXES = frozenset(ARTICLE_SUFFIXES) | SCRIPT_SUFFIXES
"""What a folder given to a batch contributes: every article and script in it."""
FEED_TYPES = "application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"
log = logging.getLogger(__name__)


def expand(inputs: list[str], list_file: str | None = None, feed: str | None = None,
           latest: int | None = None) -> list[str]:
    """Every input a batch is given, in order: folders opened, the list file's lines, the feed's items."""
    out: list[str] = []
    for item in inputs:
        path = Path(item)
        if not is_url(item) and path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES and p.is_file())
            if not found:
                raise InputError(f"{path}: a folder with no article ({ARTICLE_TYPES}) or script (.yaml) in it")
            out += [str(p) for p in found]
        else:
            out.append(item)
    if list_file:
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
    """The article addresses of an RSS or Atom feed (a URL or a file), newest first; ``latest`` keeps the newest N.

    A feed names web pages: its items are http(s) addresses only — a remote feed's relative links resolved against
    its own address — and never this machine's files, whatever a feed from the internet says (an item that is not a
    web address is left out, and said so)."""
    remote = is_url(feed)
    data = get(feed, accept=FEED_TYPES)[1] if remote else read_bytes(Path(feed))
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"{feed}: is not an RSS or Atom feed ({parsed.bozo_exception}); check the address")
    entries = sorted(parsed.entries, key=lambda e: tuple(e.get("published_parsed") or e.get("updated_parsed") or ()),
                     reverse=True)
    links, refused = [], 0
    for e in entries:
        link = str(e.get("link") or "").strip()
        if not link:
            continue
        address = urljoin(feed, link) if remote else link
        if is_url(address):
            links.append(address)
        else:
            refused += 1
    if refused:
        log.warning("%s: %d item(s) whose link is not a web address (http or https) were left out; a feed never "
                    "names this machine's files", feed, refused)
    return links[:latest] if latest else links
