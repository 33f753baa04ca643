"""An episode's names in a folder: its file-name stem (from the title, unique in the folder, kept on rebuilds)
and its guid in the folder's feed (kept from builds before 0.2)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from pathlib import Path

from ..util.files import slugify
from .feed import FeedItem

RESERVED_STEMS = frozenset({"feed", "cover"})
"""Names the folder's own files use (feed.xml, cover.png): never an episode's."""
COMPANIONS = {"audio": ".mp3", "vtt": ".vtt", "srt": ".srt", "txt": ".txt", "chapters": ".chapters.json",
              "page": ".html", "notes_md": ".md", "book": ".epub", "m4b": ".m4b"}
"""Each file of an episode, by role, and its suffix (the cover art's, .png or .jpg, besides)."""


def stem_of(item: FeedItem) -> str:
    """The file-name stem of an episode in the feed (its MP3 without ".mp3")."""
    return item.audio.removesuffix(".mp3")


def legacy_guid(show: str, title: str) -> str:
    """The guid builds before 0.2 gave an episode: from the show and an ASCII-only slug of the title."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80].rstrip("-") or "episode"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"articlecast:{show}/{slug}"))


def feed_guid(guid: str, show: str, title: str, items: list[FeedItem], earlier: tuple[str, ...] = ()) -> str:
    """The guid this episode has in this feed: its own, or one an older build gave it (``earlier``: before 0.3,
    from its words; before 0.2, from the show and title) when an item of the same title has it (a guid never
    changes, so subscribers never see the episode twice)."""
    if any(i.guid == guid for i in items):
        return guid
    for old in (*earlier, legacy_guid(show, title)):
        if any(i.guid == old and i.title == title for i in items):
            return old
    return guid


def episode_stem(folder: Path, title: str, guid: str, items: list[FeedItem]) -> str:
    """The file-name stem for this episode in ``folder``: the one it already has in the feed, else the
    title's slug, with "-2", "-3", ... when another episode (or any file of that name) has it."""
    for item in items:
        if item.guid == guid:
            return stem_of(item)
    base = slugify(title) or "episode-" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:8]
    others = {stem_of(i) for i in items}
    n, stem = 1, base
    while stem in RESERVED_STEMS or stem in others or any(
            (folder / f"{stem}{suffix}").exists() for suffix in (*COMPANIONS.values(), ".png", ".jpg")):
        n += 1
        stem = f"{base}-{n}"
    return stem
