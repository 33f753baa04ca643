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
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .cover import Cover, generate_cover, load_cover
from .engines import get_engine
from .feed import FeedItem, ShowInfo, episode_guid, update_feed
from .files import slugify, write_atomic
from .models import Episode, Script
from .page import listening_page
from .transcript import chapters_json, clock, plain_text, srt, vtt


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


def notes_markdown(episode: Episode, script: Script) -> str:
    """Show notes in Markdown."""
    m = episode.meta
    lines = [f"# {m.title}", ""]
    if m.description:
        lines += [m.description, ""]
    lines += ["## Chapters", ""] + [f"- {clock(c.start_ms)} {c.title}" for c in episode.chapters] + [""]
    if m.source:
        lines += ["## Source", "", m.source, ""]
    lines += ["## Voices", ""] + [f"- {c}" for c in credits(script)] + [""]
    lines += ["A synthetic reading of the article; the words are the article's own.", ""]
    return "\n".join(lines)


def write_companions(episode: Episode, script: Script, folder: Path, art: Artwork) -> dict[str, str]:
    """Write the transcripts, chapters, cover art and show notes; returns file names by role."""
    slug = slugify(episode.meta.title)
    files = {"audio": f"{slug}.mp3", "vtt": f"{slug}.vtt", "srt": f"{slug}.srt", "txt": f"{slug}.txt",
             "chapters": f"{slug}.chapters.json", "image": f"{slug}{art.episode.suffix}", "page": f"{slug}.html",
             "notes_md": f"{slug}.md", "show_image": f"cover{art.show.suffix}"}
    contents = {
        "vtt": vtt(episode), "srt": srt(episode), "txt": plain_text(episode), "chapters": chapters_json(episode),
        "notes_md": notes_markdown(episode, script),
    }
    contents["page"] = listening_page(episode, files, credits(script))
    for role, text in contents.items():
        write_atomic(folder / files[role], text.encode("utf-8"))
    write_atomic(folder / files["image"], art.episode.data)
    write_atomic(folder / files["show_image"], art.show.data)
    return files


def publish_feed(episode: Episode, script: Script, folder: Path, files: dict[str, str],
                 base_url: str = "") -> tuple[Path, str]:
    """Add (or update) this episode in ``folder``/feed.xml; returns the feed's path and the base URL it used."""
    m = episode.meta
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    show = ShowInfo(
        title=m.show, description=m.show_description or f"{m.show}: articles read aloud.", author=m.author,
        language=m.language, category=m.category, explicit=m.explicit, image=files["show_image"], base_url=base_url,
    )
    item = FeedItem(
        guid=m.guid or episode_guid(m.show, slugify(m.title)), title=m.title, description=m.description or m.title,
        date=m.date, audio=files["audio"], length=(folder / files["audio"]).stat().st_size,
        seconds=episode.audio.seconds, chapters=[(c.start_ms / 1000, c.title) for c in episode.chapters],
        files={k: files[k] for k in ("vtt", "srt", "txt", "chapters", "image", "page")}, added=time.time(),
    )
    update_feed(folder, show, item)
    return folder / "feed.xml", show.base_url
