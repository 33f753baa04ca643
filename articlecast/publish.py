"""Publishing: everything a podcast host needs beside the MP3, written atomically into one folder.

    <slug>.mp3            the episode (cover art and transcript embedded)
    <slug>.vtt / .srt     captions, one cue per sentence
    <slug>.txt            the transcript with chapter headings
    <slug>.chapters.json  Podcasting 2.0 chapters
    <slug>.png|.jpg       the episode's cover art
    <slug>.html           the listening page: player, chapters, transcript that follows the voice
    <slug>.md             show notes: chapters with timestamps, source, voice credits
    cover.png|.jpg        the show's cover art
    feed.xml (+feed.json) the RSS feed with every episode built into this folder

An episode is known by its guid (:func:`episode_guid`), never by its file names: ``<slug>`` comes from the
title, transliterated to ASCII, and is made unique in the folder; a rebuild of the same episode keeps its
slug and replaces its files in place.

Publishing is one transaction (:func:`publish_episode`): every file is written under a temporary name in
the folder, then, under the feed's lock, the companions and the feed record are rendered, everything is
renamed into place and the feed comes last. If any step fails, the temporaries are removed and the
previous episode and feed are as they were. :func:`prepare_output` checks the folder and the feed before
any speech is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from .cover import Cover, generate_cover, load_cover
from .engines import get_engine
from .errors import OutputError, os_error_message
from .feed import FeedItem, ShowInfo, feed_files, read_items
from .files import publish_path, remove_stale_temporaries, slugify, temp_path
from .models import Episode, Script
from .page import listening_page
from .script import episode_guid
from .transcript import chapters_json, clock, plain_text, srt, vtt

log = logging.getLogger(__name__)
LOCK_NAME = ".feed.lock"
"""The feed's lock file, in the output folder: every build holds it while it publishes."""
LOCK_TIMEOUT = 300.0
"""How long a build waits for another to finish publishing, seconds."""
RESERVED_STEMS = frozenset({"feed", "cover"})
"""Names the folder's own files use (feed.xml, cover.png): never an episode's."""
COMPANIONS = {"audio": ".mp3", "vtt": ".vtt", "srt": ".srt", "txt": ".txt", "chapters": ".chapters.json",
              "page": ".html", "notes_md": ".md"}
"""Each file of an episode, by role, and its suffix (the cover art's, .png or .jpg, besides)."""


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
    show = load_cover(folder / m.show_image) if m.show_image else generate_cover(m.show)
    episode = load_cover(folder / m.image) if m.image else generate_cover(m.show, m.title)
    return Artwork(show, episode)


def credits(script: Script) -> list[str]:
    """One line per voice used: role(s), engine and voice, and who made it."""
    by_voice: dict[tuple[str, str], list[str]] = {}
    for role, v in script.voices.items():
        by_voice.setdefault((v.engine, v.voice or get_engine(v.engine).default_voice), []).append(role)
    return [f"{', '.join(roles)}: {eng} voice “{voice}”: {get_engine(eng).credit}"
            for (eng, voice), roles in by_voice.items()]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def md_escape(text: str) -> str:
    """Article text as Markdown shows it literally: no HTML, links, images or emphasis of its own."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;")).replace("\\<", "&lt;").replace("\\>", "&gt;")


def notes_markdown(episode: Episode, script: Script) -> str:
    """Show notes in Markdown; every piece of article text is escaped."""
    m = episode.meta
    lines = [f"# {md_escape(m.title)}", ""]
    if m.description:
        lines += [md_escape(m.description), ""]
    lines += ["## Chapters", ""]
    part = ""
    for c in episode.chapters:
        if c.part and c.part != part:
            lines.append(f"- {md_escape(c.part)}")
        part = c.part
        lines.append(f"{'  ' if c.part else ''}- {clock(c.start_ms)} {md_escape(c.title)}")
    lines.append("")
    if m.sources:
        lines += ["## Sources", ""] + [f"- {md_escape(s)}" for s in m.sources] + [""]
    elif m.source:
        lines += ["## Source", "", md_escape(m.source), ""]
    lines += ["## Voices", ""] + [f"- {c}" for c in credits(script)] + [""]
    if episode.check is not None:
        r = episode.check
        lines += ["## Listen-back check", "",
                  f"An offline speech recognizer heard {1 - r.rate:.1%} of the {r.words} words as written "
                  f"({'passed' if r.passed else 'FAILED'}: at most {r.max_episode:.0%} missed, "
                  f"{r.max_chapter:.0%} in any chapter).", ""]
        lines += [f"- {md_escape(c.title)}: {c.rate:.1%} missed" for c in r.chapters] + [""]
    lines += ["A synthetic reading of the article; the words are the article's own.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- identity and names


def _stem(item: FeedItem) -> str:
    return item.audio.removesuffix(".mp3")


def _legacy_guid(show: str, title: str) -> str:
    """The guid builds before 0.2 gave an episode: from the show and an ASCII-only slug of the title."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:80].rstrip("-") or "episode"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"articlecast:{show}/{slug}"))


def feed_guid(guid: str, show: str, title: str, items: list[FeedItem]) -> str:
    """The guid this episode has in this feed: its own, or the one an older build gave the same show and
    title (a guid never changes, so subscribers never see the episode twice)."""
    if any(i.guid == guid for i in items):
        return guid
    legacy = _legacy_guid(show, title)
    return legacy if any(i.guid == legacy and i.title == title for i in items) else guid


def episode_stem(folder: Path, title: str, guid: str, items: list[FeedItem]) -> str:
    """The file-name stem for this episode in ``folder``: the one it already has in the feed, else the
    title's slug, with "-2", "-3", ... when another episode (or any file of that name) has it."""
    for item in items:
        if item.guid == guid:
            return _stem(item)
    base = slugify(title) or "episode-" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:8]
    others = {_stem(i) for i in items}
    n, stem = 1, base
    while stem in RESERVED_STEMS or stem in others or any(
            (folder / f"{stem}{suffix}").exists() for suffix in (*COMPANIONS.values(), ".png", ".jpg")):
        n += 1
        stem = f"{base}-{n}"
    return stem


def build_hash(script: Script, bitrate: int, base_url: str = "", checked: tuple[float, float] | None = None) -> str:
    """What an episode is built from: the script (but its date) and the settings (``checked``: build --check's
    thresholds); equal hashes, equal episodes."""
    import json

    from .script import script_to_data

    data = script_to_data(script)
    data["episode"].pop("date", None)
    blob = json.dumps([data, bitrate, base_url, *([list(checked)] if checked else [])], sort_keys=True,
                      ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def up_to_date(folder: Path, script: Script, build: str) -> FeedItem | None:
    """The episode as published in ``folder``, when it was built from the very same script and settings and its
    files are all there; else None."""
    _, items = read_items(folder)
    guid = feed_guid(episode_guid(script), script.meta.show, script.meta.title, items)
    item = next((i for i in items if i.guid == guid), None)
    if item is None or item.build != build or not all((folder / n).is_file() for n in (item.audio, *item.files.values())):
        return None
    return item


# ---------------------------------------------------------------- the transaction


def _lock(folder: Path):  # type: ignore[no-untyped-def]
    from filelock import FileLock

    return FileLock(str(folder / LOCK_NAME), timeout=LOCK_TIMEOUT)


def prepare_output(folder: Path) -> None:
    """Before any speech is made: the folder exists (or is made) and can be written, and its feed can be
    read. Leftovers of builds that were killed are removed."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder; -o names the folder the episode goes into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(os_error_message(e, folder, "cannot make the folder")) from None
    try:
        probe = temp_path(folder / "probe")
        try:
            probe.write_bytes(b"articlecast")
        finally:
            probe.unlink(missing_ok=True)
    except OSError as e:
        raise OutputError(os_error_message(e, folder, "cannot write files there")) from None
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
    """File names by role: audio, vtt, srt, txt, chapters, image, page, notes_md, show_image."""
    feed: Path
    """The feed's XML."""
    base_url: str
    """Where the feed says the files live (a file:// URL until --base-url is given)."""
    guid: str
    """The episode's id in the feed."""

    @property
    def mp3(self) -> Path:
        """The episode's MP3."""
        return self.folder / self.files["audio"]


def _companions(episode: Episode, script: Script, stem: str, art: Artwork) -> tuple[dict[str, str], dict[str, bytes]]:
    """File names by role, and the contents of every file but the MP3."""
    files = {role: f"{stem}{suffix}" for role, suffix in COMPANIONS.items()}
    files.update(image=f"{stem}{art.episode.suffix}", show_image=f"cover{art.show.suffix}")
    texts = {"vtt": vtt(episode), "srt": srt(episode), "txt": plain_text(episode), "chapters": chapters_json(episode),
             "notes_md": notes_markdown(episode, script), "page": listening_page(episode, files, credits(script))}
    if episode.check is not None:
        from .check import report_data

        files["check"] = f"{stem}.check.json"
        texts["check"] = json.dumps(report_data(episode.check), ensure_ascii=False, indent=1) + "\n"
    data = {files[role]: text.encode("utf-8") for role, text in texts.items()}
    data.update({files["image"]: art.episode.data, files["show_image"]: art.show.data})
    return files, data


def publish_episode(episode: Episode, script: Script, folder: Path, art: Artwork, mp3: Path,
                    base_url: str = "", build: str = "") -> Published:
    """Tag the encoded ``mp3`` (a temporary file in ``folder``) and publish it, its companions and the feed item,
    as one transaction (see the module)."""
    from .tagger import tag_mp3

    guid = episode_guid(script)
    temps: list[Path] = []
    try:
        try:
            tag_mp3(episode, mp3, art.episode, plain_text(episode))
            with _lock(folder):
                old_show, items = read_items(folder)
                guid = feed_guid(guid, episode.meta.show, episode.meta.title, items)
                stem = episode_stem(folder, episode.meta.title, guid, items)
                files, contents = _companions(episode, script, stem, art)
                staged: list[tuple[Path, Path]] = []
                for name, data in contents.items():
                    tmp = temp_path(folder / name)
                    temps.append(tmp)
                    tmp.write_bytes(data)
                    staged.append((tmp, folder / name))
                staged.append((mp3, folder / files["audio"]))
                item = _feed_item(episode, guid, files, mp3.stat().st_size, build)
                show, feed = feed_files(folder, _show(episode, files, base_url), item, old_show, items)
                for name in ("feed.json", "feed.xml"):  # the feed last: it points at files already in place
                    tmp = temp_path(folder / name)
                    temps.append(tmp)
                    tmp.write_bytes(feed[name])
                    staged.append((tmp, folder / name))
                for tmp, path in staged:
                    publish_path(tmp, path)
                _remove_replaced(folder, items, guid, files)
        except OSError as e:
            raise OutputError(os_error_message(e, e.filename or folder)) from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return Published(episode, folder, files, folder / "feed.xml", show.base_url, guid)


def _remove_replaced(folder: Path, items: list[FeedItem], guid: str, files: dict[str, str]) -> None:
    """Files of this episode's previous build that the new one no longer has (cover art .png -> .jpg)."""
    old = next((i for i in items if i.guid == guid), None)
    if old is None:
        return
    for name in set(old.files.values()) - set(files.values()):
        if name.startswith(_stem(old)):
            (folder / name).unlink(missing_ok=True)


def _show(episode: Episode, files: dict[str, str], base_url: str) -> ShowInfo:
    m = episode.meta
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    return ShowInfo(title=m.show, description=m.show_description or f"{m.show}: articles read aloud.",
                    author=m.author, language=m.language, category=m.category, explicit=m.explicit,
                    image=files["show_image"], base_url=base_url, email=m.email)


def _feed_item(episode: Episode, guid: str, files: dict[str, str], length: int, build: str = "") -> FeedItem:
    m = episode.meta
    return FeedItem(guid=guid, title=m.title, description=m.description or m.title, date=m.date, audio=files["audio"],
                    length=length, seconds=episode.seconds,
                    chapters=[(c.start_ms / 1000, c.title) for c in episode.chapters],
                    files={k: files[k] for k in ("vtt", "srt", "txt", "chapters", "image", "page")}, added=time.time(),
                    build=build)
