"""The podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces, written with feedgen.

The feed's episodes are kept in ``feed.json`` beside ``feed.xml``; a build adds its episode (or
replaces the one with the same guid) and the XML is made again from the list, newest first.

Namespace choices, tested against real clients (see tests/test_publish.py):
- ``podcast:`` tags use the official URI; transcript and chapters links are repeated under the
  namespace's first URI, the only one gPodder's podcastparser reads.
- Chapters are also inline as Podlove Simple Chapters (``psc:``), which podcastparser lists.
- ``itunes:explicit`` is written as Apple now documents it (``true``/``false``).
- The narration is disclosed as synthetic, on the channel and on every item, with the namespace's
  ``<podcast:txt purpose="ai-content">true</podcast:txt>``; each item's description says which voices read it.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import lxml.etree  # noqa: F401 - feedgen 1.0 uses lxml.etree without importing it (lxml >= 6)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..errors import OutputError
from ..script.model import Show
from ..util.clock import clock, hms, timestamp
from ..util.files import plain_name, publish_path, temp_path

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_NS_LEGACY = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
PSC_NS = "http://podlove.org/simple-chapters"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
TRANSCRIPT_TYPES = {".vtt": "text/vtt", ".srt": "application/x-subrip", ".txt": "text/plain"}


@dataclass(frozen=True)
class Channel:
    """The feed's channel: the show (the script's :class:`~..script.model.Show`), where its files live, and its
    artwork's file name. Kept in feed.json under "show", in the form every earlier version wrote."""

    show: Show
    """The show."""
    base_url: str = ""
    """Where the files will live (ends with /)."""
    artwork: str = "cover.png"
    """The show's artwork, a file name beside the feed."""

    def to_data(self) -> dict[str, Any]:
        """As feed.json keeps it."""
        data = {key: getattr(self.show, name) for key, name in RECORDED_SHOW.items()}
        return {**data, "description": self.show.summary, "image": self.artwork, "base_url": self.base_url}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Channel:
        """Back from :meth:`to_data` (what is missing takes the Show's own default; ValueError, KeyError or
        TypeError on a record of another shape)."""
        show = Show(**{name: data[key] for key, name in RECORDED_SHOW.items() if data.get(key) not in (None, "")})
        return cls(show, str(data.get("base_url") or ""), str(data.get("image") or ""))


RECORDED_SHOW = {"title": "name", "description": "description", "author": "author", "language": "language",
                 "category": "category", "explicit": "explicit", "email": "email"}
"""How feed.json names the show's fields (as every earlier version wrote them): its key -> the Show's field."""


@dataclass
class FeedItem:
    """One episode in the feed."""

    guid: str
    """Never changes for this episode."""
    title: str
    """Episode title."""
    description: str
    """Show notes as plain text."""
    date: str
    """Publication date, YYYY-MM-DD."""
    audio: str
    """MP3 file name."""
    length: int
    """MP3 size in bytes."""
    seconds: float
    """Duration."""
    chapters: list[tuple[float, str]]
    """(start seconds, title) for inline chapters."""
    files: dict[str, str] = field(default_factory=dict)
    """Companion files by role: vtt, srt, txt, chapters, image, page (the listening page)."""
    added: float = 0.0
    """When first built (orders episodes of the same date)."""
    build: str = ""
    """A hash of the script and settings it was built from: a batch skips the episode while they are unchanged."""


def described(item: FeedItem) -> str:
    """An episode's description as the feed gives it: its chapters first, a time at the start of each line (the
    only place Spotify looks for chapters), then the description itself."""
    lines = [f"({clock(round(start * 1000))}) {title}" for start, title in item.chapters]
    return "\n".join(lines) + "\n\n" + item.description if lines else item.description


def _url(base: str, name: str) -> str:
    return base + quote(name)


def read_built(folder: Path, hint: str) -> tuple[Channel, list[FeedItem]]:
    """:func:`read_items` of a folder that must hold built episodes: without feed.json, one line saying so and
    ``hint``, what to do."""
    show, items = read_items(folder)
    if show is None:
        raise OutputError(f"{folder}: has no feed.json (no folder of episodes there): {hint}")
    return show, items


def read_items(folder: Path) -> tuple[Channel | None, list[FeedItem]]:
    """The show and episodes recorded beside an existing feed (none when there is no feed yet)."""
    path = folder / "feed.json"
    if not path.exists():
        return None, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        show = Channel.from_data(data["show"])
        items = [FeedItem(**{**i, "chapters": [tuple(c) for c in i["chapters"]]}) for i in data["items"]]
    except OSError as e:
        raise OutputError(f"{path}: cannot be read ({e.strerror}); check its permissions") from None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise OutputError(f"{path}: the feed's record is damaged ({type(e).__name__}: {e}); restore it from a backup, "
                          "or move feed.json and feed.xml aside to start a new feed (no episode file is touched)"
                          ) from None
    names = [show.artwork] if show.artwork else []
    for item in items:
        if not isinstance(item.files, dict):
            raise OutputError(f"{path}: the feed's record is damaged (an episode's files are not a table); restore it "
                              "from a backup, or move feed.json and feed.xml aside to start a new feed")
        names += [item.audio, *item.files.values()]
    strange = next((n for n in names if not plain_name(n)), None)
    if strange is not None:
        raise OutputError(f"{path}: names {strange!r}, which is not a file of this folder (a name with a path in it); "
                          "the record is damaged or was edited by hand: restore it, or move feed.json and feed.xml "
                          "aside to start a new feed")
    return show, items


def _disclose(parent: lxml.etree._Element) -> None:
    """The machine-readable disclosure that the narration is synthetic (Podcasting 2.0's ``podcast:txt``)."""
    txt = xml_elem(f"{{{PODCAST_NS}}}txt", parent)
    txt.attrib["purpose"] = "ai-content"
    txt.text = "true"


class _Channel(BaseExtension):  # type: ignore[misc]
    """The channel's Podcasting 2.0 tags (its guid, ``podcast:locked`` with the owner's e-mail, the synthetic voice
    disclosed), and itunes:explicit as Apple documents it (true/false)."""

    def __init__(self) -> None:
        self.guid = ""
        self.explicit = False
        self.owner = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "podcastLegacy": PODCAST_NS_LEGACY, "psc": PSC_NS}

    def extend_rss(self, rss):  # type: ignore[no-untyped-def]
        channel = rss[0]
        if self.guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self.guid
        locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)  # no other host may import the show as its own
        locked.text = "yes"
        if self.owner:
            locked.attrib["owner"] = self.owner
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "true" if self.explicit else "false"
        _disclose(channel)
        return rss


class _Entry(BaseEntryExtension):  # type: ignore[misc]
    """An item's transcripts and chapters (under both namespace URIs: podcastparser reads only the first one),
    inline Podlove chapters, and itunes:explicit."""

    def __init__(self) -> None:
        self.transcripts: list[tuple[str, str, str]] = []
        self.chapters_url = ""
        self.inline: list[tuple[float, str]] = []
        self.explicit = False

    def extend_rss(self, item):  # type: ignore[no-untyped-def]
        for ns in (PODCAST_NS, PODCAST_NS_LEGACY):
            for url, mime, lang in self.transcripts:
                t = xml_elem(f"{{{ns}}}transcript", item)
                t.attrib.update({"url": url, "type": mime, "language": lang})
                if mime == "text/vtt":
                    t.attrib["rel"] = "captions"
            if self.chapters_url:
                c = xml_elem(f"{{{ns}}}chapters", item)
                c.attrib.update({"url": self.chapters_url, "type": "application/json+chapters"})
        if self.inline:
            psc = xml_elem(f"{{{PSC_NS}}}chapters", item)
            psc.attrib["version"] = "1.2"
            for start, title in self.inline:
                ch = xml_elem(f"{{{PSC_NS}}}chapter", psc)
                ch.attrib.update({"start": timestamp(round(start * 1000)), "title": title})
        xml_elem(f"{{{ITUNES_NS}}}explicit", item).text = "true" if self.explicit else "false"
        _disclose(item)
        return item


MARKUP_RE = re.compile(r"</?[A-Za-z!?][^<>]*>")
"""What a feed reader would take for an HTML tag: many render an item's title and description as HTML."""
LEFT_OPEN_RE = re.compile(r"<(?=[A-Za-z!?/])")
"""A "<" that a reader could take as the start of a tag, once no whole tag is left."""


def inert(text: str) -> str:
    """Text for a feed field that clients may render as HTML: an article's own words, with anything that would be a
    live tag there (``<img onerror=...>``, ``<script>``) taken out. (lxml then escapes the rest as XML.)"""
    while True:  # until nothing changes: taking "<b>" out of "<<b>img ...>" makes a new tag
        stripped = MARKUP_RE.sub("", text)
        if stripped == text:
            return LEFT_OPEN_RE.sub("\u2039", stripped)  # a "<" that could still open a tag becomes "‹"
        text = stripped


def render_feed(channel: Channel, items: list[FeedItem]) -> bytes:
    """The RSS XML for a show and its episodes (newest first). Every text is escaped by lxml."""
    base, show = channel.base_url, channel.show
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("p20", _Channel, _Entry)
    fg.title(inert(show.name))
    fg.description(inert(show.summary) or inert(show.name))
    fg.link(href=_url(base, "feed.xml"), rel="self", type="application/rss+xml")
    fg.link(href=base, rel="alternate")
    fg.language(show.language)
    fg.author({"name": show.author})
    fg.generator("articlecast")
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_summary(inert(show.summary))
    fg.podcast.itunes_category(show.category)
    if show.email:
        fg.podcast.itunes_owner(name=show.author, email=show.email)
    fg.podcast.itunes_image(_url(base, channel.artwork))
    fg.podcast.itunes_type("episodic")
    fg.image(_url(base, channel.artwork), title=inert(show.name), link=base)
    split = urlsplit(_url(base, "feed.xml"))
    fg.p20.guid = str(uuid.uuid5(PODCAST_GUID_NAMESPACE, (split.netloc + split.path).rstrip("/")))
    fg.p20.explicit = show.explicit
    fg.p20.owner = show.email
    ordered = sorted(items, key=lambda i: (i.date, i.added), reverse=True)
    for item in reversed(ordered):  # feedgen puts each new entry first
        fe = fg.add_entry()
        fe.guid(item.guid, permalink=False)
        fe.title(inert(item.title))
        fe.description(inert(described(item)))
        date = _dt.datetime.fromisoformat(item.date).replace(hour=12, tzinfo=_dt.timezone.utc)
        fe.pubDate(date)
        fe.enclosure(_url(base, item.audio), str(item.length), "audio/mpeg")
        if "page" in item.files:
            fe.link(href=_url(base, item.files["page"]))
        fe.podcast.itunes_duration(hms(item.seconds))
        fe.podcast.itunes_author(show.author)
        if "image" in item.files:
            fe.podcast.itunes_image(_url(base, item.files["image"]))
        fe.p20.explicit = show.explicit
        # clients that keep only one transcript keep the last: the captions
        fe.p20.transcripts = [
            (_url(base, item.files[k]), TRANSCRIPT_TYPES["." + k], show.language) for k in ("txt", "srt", "vtt")
            if k in item.files
        ]
        if "chapters" in item.files:
            fe.p20.chapters_url = _url(base, item.files["chapters"])
        fe.p20.inline = [(start, inert(title)) for start, title in item.chapters]
    return fg.rss_str(pretty=True)


def feed_contents(channel: Channel, items: list[FeedItem]) -> dict[str, bytes]:
    """The contents of feed.json (the record) and feed.xml (the RSS), in the order they are written."""
    record = json.dumps({"show": channel.to_data(), "items": [asdict(i) for i in items]}, ensure_ascii=False,
                        indent=1)
    return {"feed.json": record.encode("utf-8"), "feed.xml": render_feed(channel, items)}


def write_feed(folder: Path, show: Channel, items: list[FeedItem]) -> None:
    """feed.json and feed.xml written again from ``show`` and ``items`` (temporary files, then renamed: the XML
    last). The caller holds the feed's lock."""
    staged = []
    try:
        for name, data in feed_contents(show, items).items():
            tmp = temp_path(folder / name)
            staged.append((tmp, folder / name))
            tmp.write_bytes(data)
        for tmp, path in staged:
            publish_path(tmp, path)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def feed_files(folder: Path, channel: Channel, item: FeedItem, old: Channel | None,
               items: list[FeedItem]) -> tuple[Channel, dict[str, bytes]]:
    """The feed (as read: ``old`` and ``items``) with ``item`` added, or replacing the one with its guid: the
    contents of feed.json and feed.xml, and the channel as written (its base URL: the one given, else the feed's,
    else this folder's; its e-mail: the one given, else the feed's)."""
    if old and not channel.base_url:
        channel = replace(channel, base_url=old.base_url)
    if old and not channel.show.email and old.show.email:
        channel = replace(channel, show=replace(channel.show, email=old.show.email))
    if not channel.base_url:  # until told where the files will live, the feed points at this folder
        channel = replace(channel, base_url=folder.resolve().as_uri() + "/")
    item = FeedItem(**asdict(item))
    previous = next((i for i in items if i.guid == item.guid), None)
    if previous:
        item.added = previous.added
    items = [item if i.guid == item.guid else i for i in items] if previous else [*items, item]
    return channel, feed_contents(channel, items)
