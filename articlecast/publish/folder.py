"""Publishing into a folder: everything a podcast host needs beside the MP3, as one transaction.

    <slug>.mp3            the episode (cover art and transcript embedded)
    <slug>.vtt / .srt     captions, one cue per sentence
    <slug>.txt            the transcript with chapter headings
    <slug>.chapters.json  Podcasting 2.0 chapters
    <slug>.png|.jpg       the episode's cover art
    <slug>.html           the listening page: player, chapters, transcript that follows the voice
    <slug>.md             show notes: chapters with timestamps, source, voice credits
    <slug>.epub           the read-along book: the text with the audio, synchronized (EPUB 3 Media Overlays)
    <slug>.m4b            with --m4b: the audiobook (AAC in MP4, the same chapters, tags and cover)
    <slug>.check.json     with the listen-back check: what was heard, per chapter and sentence
    cover.png|.jpg        the show's cover art
    feed.xml (+feed.json) the RSS feed with every episode built into this folder

An episode is known by its guid (:func:`~..script.episode_guid`), never by its file names: ``<slug>`` comes
from the title, transliterated to ASCII, and is made unique in the folder (:mod:`.names`); a rebuild of the
same episode keeps its slug and replaces its files in place.

Publishing is one transaction (:func:`publish_episode`): every file is written under a temporary name in the
folder, then, under the feed's lock, the companions and the feed record are rendered, everything is renamed
into place and the feed comes last. If any step fails — or a stop is asked for before the renaming starts —
the temporaries are removed and the previous episode and feed are as they were. Once the renaming has
started it is finished (a few renames), and a stop asked for meanwhile is answered after it.
:func:`prepare_output` checks the folder and the feed before any speech is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from .. import stops
from ..audio.tags import tag_mp3
from ..errors import OutputError, converted
from ..script import content_guid, episode_guid, script_to_data
from ..script.model import Script
from ..util.files import publish_path, remove_stale_temporaries, temp_path
from ..util.images import Cover, load_cover
from .audiobook import write_m4b
from .book import write_book
from .cover import generate_cover
from .episode import Episode
from .feed import Channel, FeedItem, feed_files, read_built, read_items, write_feed
from .names import COMPANIONS, episode_stem, feed_guid, stem_of
from .notes import credits, notes_markdown, voices_sentence
from .page import listening_page
from .report import report_json
from .transcript import chapters_json, plain_text, srt, vtt

log = logging.getLogger(__name__)
LOCK_NAME = ".feed.lock"
"""The feed's lock file, in the output folder: every build holds it while it publishes."""
LOCK_TIMEOUT = 300.0
"""How long a build waits for another to finish publishing, seconds."""


@dataclass(frozen=True)
class Artwork:
    """The show's and the episode's cover art."""

    show: Cover
    """For the feed's channel."""
    episode: Cover
    """Embedded in the MP3 and named in the feed's item."""


def artwork(script: Script, folder: Path) -> Artwork:
    """The script's own images (paths relative to ``folder``), checked; else generated ones."""
    m = script.meta
    show = load_cover(folder / m.show.image, folder) if m.show.image else generate_cover(m.show.name)
    episode = load_cover(folder / m.image, folder) if m.image else generate_cover(m.show.name, m.title)
    return Artwork(show, episode)


def build_hash(script: Script, bitrate: int, base_url: str = "", checked: tuple[float, float] | None = None,
               book: bool = True, music: str = "", m4b: bool = False) -> str:
    """What an episode is built from: the script (but its date) and the settings (``checked``: the listen-back
    check's thresholds; ``book``: whether it has its read-along book; ``music``: its music's digest; ``m4b``:
    whether it has its audiobook); equal hashes, equal episodes."""
    data = script_to_data(script)
    data["episode"].pop("date", None)
    files = {"book": book, "music": music, **({"m4b": True} if m4b else {})}  # without: the hash of before
    blob = json.dumps([data, bitrate, base_url, *([list(checked)] if checked else []), files], sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def up_to_date(folder: Path, script: Script, build: str) -> FeedItem | None:
    """The episode as published in ``folder``, when it was built from the very same script and settings and its
    files are all there; else None."""
    _, items = read_items(folder)
    guid = feed_guid(episode_guid(script), script.meta.show.name, script.meta.title, items, (content_guid(script),))
    item = next((i for i in items if i.guid == guid), None)
    if item is None or item.build != build or not all((folder / n).is_file() for n in (item.audio, *item.files.values())):
        return None
    return item


def prepare_output(folder: Path) -> None:
    """Before any speech is made: the folder exists (or is made) and can be written, and its feed can be
    read. Leftovers of builds that were killed are removed."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; -o names the folder the episode goes into")
    with converted(OutputError, folder, "cannot make the folder"):
        folder.mkdir(parents=True, exist_ok=True)
    with converted(OutputError, folder, "cannot write files there"):
        probe = temp_path(folder / "probe")
        try:
            probe.write_bytes(b"articlecast")
        finally:
            probe.unlink(missing_ok=True)
    remove_stale_temporaries(folder)
    read_items(folder)  # a damaged feed record is found now, not after the speech is made


@dataclass(frozen=True)
class Published:
    """What a build put in its folder."""

    episode: Episode
    """The episode as encoded (loudness and true peak measured on the MP3)."""
    folder: Path
    """The output folder."""
    files: dict[str, str]
    """File names by role: audio, vtt, srt, txt, chapters, image, page, notes_md, show_image (and check)."""
    feed: Path
    """The feed's XML."""
    base_url: str
    """Where the feed says the files live (a file:// URL until a base URL is given)."""
    guid: str
    """The episode's id in the feed."""

    @property
    def mp3(self) -> Path:
        """The episode's MP3."""
        return self.folder / self.files["audio"]


def _companions(episode: Episode, script: Script, stem: str, art: Artwork, book: bool = True,
                m4b: bool = False) -> tuple[dict[str, str], dict[str, bytes]]:
    """File names by role, and the contents of every file but the MP3, the book and the audiobook."""
    files = {role: f"{stem}{suffix}" for role, suffix in COMPANIONS.items()
             if (book or role != "book") and (m4b or role != "m4b")}
    files.update(image=f"{stem}{art.episode.suffix}", show_image=f"cover{art.show.suffix}")
    texts = {"vtt": vtt(episode), "srt": srt(episode), "txt": plain_text(episode), "chapters": chapters_json(episode),
             "notes_md": notes_markdown(episode, script, files), "page": listening_page(episode, files, credits(script))}
    if episode.check is not None:
        files["check"] = f"{stem}.check.json"
        texts["check"] = report_json(episode.check)
    data = {files[role]: text.encode("utf-8") for role, text in texts.items()}
    data.update({files["image"]: art.episode.data, files["show_image"]: art.show.data})
    return files, data


def publish_episode(episode: Episode, script: Script, folder: Path, art: Artwork, mp3: Path,
                    base_url: str = "", build: str = "", book: bool = True, m4b: bool = False) -> Published:
    """Tag the encoded ``mp3`` (a temporary file in ``folder``) and publish it, its companions (the read-along book
    too, unless ``book`` is false; the audiobook with ``m4b``) and the feed item, as one transaction (see the
    module)."""
    guid = episode_guid(script)
    temps: list[Path] = []
    try:
        with converted(OutputError, folder):
            tag_mp3(episode.meta, episode.chapters, mp3, art.episode, plain_text(episode))
            with FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT):
                old_show, items = read_items(folder)
                guid = feed_guid(guid, episode.meta.show.name, episode.meta.title, items, (content_guid(script),))
                stem = episode_stem(folder, episode.meta.title, guid, items)
                files, contents = _companions(episode, script, stem, art, book, m4b)
                staged: list[tuple[Path, Path]] = []
                for name, data in contents.items():
                    tmp = temp_path(folder / name)
                    temps.append(tmp)
                    tmp.write_bytes(data)
                    staged.append((tmp, folder / name))
                if book:  # the MP3 inside it, streamed from the tagged file
                    tmp = temp_path(folder / files["book"])
                    temps.append(tmp)
                    write_book(tmp, episode, mp3, guid, art.episode)
                    staged.append((tmp, folder / files["book"]))
                if m4b:  # the audiobook, from the tagged MP3
                    tmp = temp_path(folder / files["m4b"])
                    temps.append(tmp)
                    write_m4b(tmp, episode, mp3, art.episode)
                    staged.append((tmp, folder / files["m4b"]))
                staged.append((mp3, folder / files["audio"]))
                item = _feed_item(episode, guid, files, mp3.stat().st_size, build, voices_sentence(script))
                show, feed = feed_files(folder, _channel(episode, files, base_url), item, old_show, items)
                for name in ("feed.json", "feed.xml"):  # the feed last: it points at files already in place
                    tmp = temp_path(folder / name)
                    temps.append(tmp)
                    tmp.write_bytes(feed[name])
                    staged.append((tmp, folder / name))
                stops.check()  # the last moment a stop leaves everything as it was; from here on, finish
                for tmp, path in staged:
                    publish_path(tmp, path)
                _remove_replaced(folder, items, guid, files)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return Published(episode, folder, files, folder / "feed.xml", show.base_url, guid)


def remove_episode(folder: Path, which: str) -> FeedItem:
    """Take an episode out of the folder and its feed, as one transaction: under the feed's lock, the feed is
    written again without it (so that it names none of its files), then its files are deleted. ``which``: its
    guid, or the name of any of its files (``my-episode.mp3``, ``my-episode``)."""
    read_built(folder, "there is no episode to remove")  # before the lock, whose file would make the folder
    with converted(OutputError, folder), FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT):
        show, items = read_built(folder, "there is no episode to remove")
        name = Path(which).name
        found = [i for i in items if which == i.guid or name in (stem_of(i), i.audio, *i.files.values())]
        if not found:
            titles = "; ".join(f"{stem_of(i)} ({i.title})" for i in items[:5])
            raise OutputError(f"{folder}: no episode {which!r} in its feed; give a guid or a file name, e.g. "
                              f"{titles or '(the feed is empty)'}")
        item = found[0]
        write_feed(folder, show, [i for i in items if i.guid != item.guid])
        stem = stem_of(item)
        for file in {item.audio, *item.files.values(), *(f"{stem}{s}" for s in (*COMPANIONS.values(), ".check.json"))}:
            if file != show.artwork:
                (folder / file).unlink(missing_ok=True)
    return item


def _remove_replaced(folder: Path, items: list[FeedItem], guid: str, files: dict[str, str]) -> None:
    """Files of this episode's previous build that the new one no longer has (cover art .png -> .jpg)."""
    old = next((i for i in items if i.guid == guid), None)
    if old is None:
        return
    for name in set(old.files.values()) - set(files.values()):
        if name.startswith(stem_of(old)):
            (folder / name).unlink(missing_ok=True)


def _channel(episode: Episode, files: dict[str, str], base_url: str) -> Channel:
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    return Channel(episode.meta.show, base_url, files["show_image"])


def _feed_item(episode: Episode, guid: str, files: dict[str, str], length: int, build: str = "",
               voices: str = "") -> FeedItem:
    m = episode.meta
    description = "\n\n".join(x for x in (m.description or m.title, voices) if x)
    return FeedItem(guid=guid, title=m.title, description=description, date=m.date, audio=files["audio"],
                    length=length, seconds=episode.seconds,
                    chapters=[(c.start_ms / 1000, c.title) for c in episode.chapters],
                    files={k: files[k] for k in ("vtt", "srt", "txt", "chapters", "image", "page", "book", "m4b")
                           if k in files},
                    added=time.time(),
                    build=build)
