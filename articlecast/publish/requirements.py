"""What podcast directories require of a feed, audited on the feed as published: ``speak.py feed DIR --check``.

The feed.xml is read back as a directory would read it (lxml, no knowledge of how it was made), and the
files it names are looked at in the folder: Apple Podcasts' documented requirements (artwork 1400-3000 px,
square, JPEG or PNG, RGB; category; explicit; owner name and e-mail; enclosures with their real lengths;
unique guids) and Podcasting 2.0's (``podcast:guid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.etree
from PIL import Image, UnidentifiedImageError

from ..errors import InputError
from ..util.images import MAX_SIDE, MIN_SIDE
from .feed import ITUNES_NS, PODCAST_NS

EXPLICIT = ("true", "false", "yes", "no", "clean")


@dataclass(frozen=True)
class Problem:
    """One requirement the feed does not meet."""

    where: str
    """The show, or an episode's title."""
    what: str
    """What is missing or wrong."""
    fix: str
    """How to fix it."""


def _local(folder: Path, url: str) -> Path | None:
    """The file in ``folder`` that a feed URL names (its last path part), if it is there."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    path = folder / name
    return path if name and path.is_file() else None


def _artwork(folder: Path, url: str, where: str) -> list[Problem]:
    path = _local(folder, url)
    if path is None:
        return [Problem(where, f"artwork {url} is not in the folder", "build again into this folder")]
    try:
        with Image.open(path) as img:
            kind, (w, h), mode = img.format, img.size, img.mode
    except (OSError, UnidentifiedImageError):
        return [Problem(where, f"artwork {path.name} is not an image", "give the show a JPEG or PNG cover")]
    out = []
    if kind not in ("JPEG", "PNG"):
        out.append(Problem(where, f"artwork {path.name} is {kind}", "Apple takes JPEG or PNG only"))
    if w != h or not MIN_SIDE <= w <= MAX_SIDE:
        out.append(Problem(where, f"artwork {path.name} is {w}x{h}",
                           f"Apple asks for a square of {MIN_SIDE} to {MAX_SIDE} pixels"))
    if mode != "RGB":
        out.append(Problem(where, f"artwork {path.name} is in {mode}", "save it as RGB"))
    return out


def audit_feed(folder: Path) -> tuple[int, list[Problem]]:
    """(episodes in the feed, what it misses) for the feed in ``folder``."""
    path = folder / "feed.xml"
    try:
        root = lxml.etree.parse(str(path)).getroot()
    except OSError:
        raise InputError(f"{path}: no feed here; build an episode into {folder} first") from None
    except lxml.etree.XMLSyntaxError as e:
        raise InputError(f"{path}: is not readable XML ({e}); build again to write it anew") from None
    it, p20 = f"{{{ITUNES_NS}}}", f"{{{PODCAST_NS}}}"
    channel = root.find("channel")
    if channel is None:
        raise InputError(f"{path}: has no RSS channel; build again to write it anew")
    show = "the show"
    problems: list[Problem] = []

    def need(element: object, text: str, what: str, fix: str, where: str = show) -> None:
        if element is None or not (text or "").strip():
            problems.append(Problem(where, what, fix))

    for tag in ("title", "description", "language"):
        el = channel.find(tag)
        need(el, el.text if el is not None else "", f"no <{tag}>", "set it in the script's show section")
    image = channel.find(f"{it}image")
    need(image, image.get("href", "") if image is not None else "", "no itunes:image", "build again")
    if image is not None and image.get("href"):
        problems += _artwork(folder, image.get("href"), show)
    category = channel.find(f"{it}category")
    need(category, category.get("text", "") if category is not None else "", "no itunes:category",
         "set show.category in the script to one of Apple's categories")
    explicit = channel.find(f"{it}explicit")
    if explicit is None or (explicit.text or "").strip().lower() not in EXPLICIT:
        problems.append(Problem(show, "no valid itunes:explicit", "set show.explicit: true or false"))
    owner = channel.find(f"{it}owner")
    need(owner, owner.findtext(f"{it}email", "") if owner is not None else "", "no itunes:owner e-mail",
         "set show.email in the script (Apple writes to it about the show; it is not shown to listeners)")
    need(channel.find(f"{p20}guid"), channel.findtext(f"{p20}guid", ""), "no podcast:guid", "build again")
    link = channel.findtext("link", "")
    if link.startswith("file:"):
        problems.append(Problem(show, "the links point at this folder (file://)",
                                "build once more with --base-url https://... (where the files will live)"))
    guids: dict[str, str] = {}
    items = channel.findall("item")
    if not items:
        problems.append(Problem(show, "no episodes", "build one into this folder"))
    for item in items:
        title = item.findtext("title", "") or "an episode"
        need(item.find("title"), item.findtext("title", ""), "no <title>", "give the episode a title", title)
        guid = item.findtext("guid", "").strip()
        if not guid:
            problems.append(Problem(title, "no <guid>", "build it again"))
        elif guid in guids:
            problems.append(Problem(title, f"the same guid as {guids[guid]!r}", "give one of them its own "
                                    "episode.guid in its script"))
        guids.setdefault(guid, title)
        enclosure = item.find("enclosure")
        if enclosure is None or not enclosure.get("url"):
            problems.append(Problem(title, "no enclosure", "build it again"))
            continue
        if enclosure.get("type") != "audio/mpeg":
            problems.append(Problem(title, f"enclosure type {enclosure.get('type')!r}", "build it again"))
        mp3 = _local(folder, enclosure.get("url", ""))
        if mp3 is None:
            problems.append(Problem(title, f"{enclosure.get('url')} is not in the folder", "build it again"))
        elif str(mp3.stat().st_size) != enclosure.get("length"):
            problems.append(Problem(title, f"enclosure length {enclosure.get('length')} but {mp3.name} has "
                                    f"{mp3.stat().st_size} bytes", "build it again"))
        need(item.find("pubDate"), item.findtext("pubDate", ""), "no pubDate", "build it again", title)
        need(item.find(f"{it}duration"), item.findtext(f"{it}duration", ""), "no itunes:duration",
             "build it again", title)
    return len(items), problems
