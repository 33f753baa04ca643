"""The audiobook: the episode as an M4B (AAC in MP4), the file audiobook apps expect (Apple Books, Audiobookshelf,
Smart AudioBook Player, BookPlayer), made from the tagged MP3 by the ffmpeg we ship.

Its chapters are the MP3's, to the millisecond (a chapter of a digest's article says the article first:
"Article — Chapter", MP4 chapters being flat); its tags are the episode's title, the show (album and artist), the
author, the date, the language (ISO 639-2, on the audio track) and the description, with the note that the
narration is synthetic; the episode's cover art is attached.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .. import stops
from ..errors import AudioError
from ..models import three_letter_language
from ..util.ffmpeg import ffmpeg_exe
from ..util.files import temp_path
from ..util.images import Cover
from ..util.words import words
from .episode import Episode

__all__ = ["AAC_BITRATE", "chapter_metadata", "write_m4b"]

AAC_BITRATE = 64
"""The audiobook's AAC bitrate, kbit/s (mono speech)."""


def _escaped(value: str) -> str:
    """A value as ffmpeg's metadata file wants it: =, ;, #, \\ and line ends escaped by a backslash."""
    out = " ".join(value.split())
    for ch in "\\=;#":
        out = out.replace(ch, "\\" + ch)
    return out


def chapter_metadata(episode: Episode) -> str:
    """The episode's tags and chapters in ffmpeg's metadata format (FFMETADATA1), times in milliseconds."""
    m = episode.meta
    _ = words(m.language).gettext
    note = _("A synthetic reading of the article; the words are the article's own.")
    about = " ".join(x for x in (m.description, note) if x)
    lines = [";FFMETADATA1", f"title={_escaped(m.title)}", f"album={_escaped(m.show.name)}",
             f"artist={_escaped(m.show.author or m.show.name)}", f"album_artist={_escaped(m.show.name)}",
             "genre=Audiobook", f"date={_escaped(m.date)}", f"comment={_escaped(about)}",
             f"description={_escaped(about)}"]
    for c in episode.chapters:
        title = f"{c.part} — {c.title}" if c.part and c.part != c.title else c.title
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start_ms}", f"END={c.end_ms}", f"title={_escaped(title)}"]
    return "\n".join(lines) + "\n"


def write_m4b(target: Path, episode: Episode, mp3: Path, cover: Cover | None = None) -> None:
    """Write the audiobook to ``target`` from the episode's ``mp3`` (AAC at :data:`AAC_BITRATE`, chapters, tags,
    cover). A stop is answered while ffmpeg runs (it is ended, and nothing is left)."""
    meta = temp_path(target.with_suffix(".ffmeta"))
    art = temp_path(target.with_suffix(cover.suffix)) if cover else None
    try:
        meta.write_text(chapter_metadata(episode), encoding="utf-8")
        inputs = ["-i", str(mp3), "-f", "ffmetadata", "-i", str(meta)]
        maps = ["-map", "0:a"]
        if cover and art:
            art.write_bytes(cover.data)
            inputs += ["-i", str(art)]
            maps += ["-map", "2:v", "-c:v", "copy", "-disposition:v:0", "attached_pic"]
        language = three_letter_language(episode.meta.language)
        cmd = [ffmpeg_exe(), "-v", "error", "-nostdin", "-y", *inputs, *maps, "-map_metadata", "1", "-map_chapters",
               "1", "-c:a", "aac", "-b:a", f"{AAC_BITRATE}k", "-ac", "1", "-metadata:s:a:0", f"language={language}",
               "-movflags", "+faststart", "-brand", "M4B ", "-f", "ipod", str(target)]
        with stops.quiet_children():
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while True:
                try:
                    proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    stops.check()  # a safe point: the audiobook is a temporary file until the episode is published
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        if proc.returncode != 0:
            raise AudioError(f"{target.name}: ffmpeg could not make the audiobook ({err[:200] or proc.returncode})")
    finally:
        meta.unlink(missing_ok=True)
        if art:
            art.unlink(missing_ok=True)
