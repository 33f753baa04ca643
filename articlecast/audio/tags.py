"""Tags: ID3v2.3 tags with chapters (mutagen) on the encoded MP3, and reading them back as a player does.

The chapters are saved in time order by :class:`~.id3_order.OrderedID3` (mutagen's own order puts them by size).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    USLT,
    CTOCFlags,
    ID3NoHeaderError,
    PictureType,
)
from mutagen.mp3 import MP3, BitrateMode

from ..errors import AudioError, why_not_writable
from ..models import three_letter_language, two_letter_language
from ..script.model import Meta
from ..util.images import Cover
from .id3_order import OrderedID3
from .timeline import Chapter

log = logging.getLogger(__name__)
__all__ = ["TagInfo", "read_mp3", "tag_mp3"]


def tag_mp3(meta: Meta, chapters: Sequence[Chapter], path: Path, cover: Cover | None = None,
            transcript: str = "") -> None:
    """Replace the MP3's tags with ours: title, show, date, genre, description, chapters, and the cover
    art (APIC, front cover) and transcript (USLT) when given."""
    m = meta
    tags = OrderedID3()
    tags.add(TIT2(encoding=1, text=[m.title]))
    tags.add(TPE1(encoding=1, text=[m.show.author]))
    tags.add(TALB(encoding=1, text=[m.show.name]))
    tags.add(TDRC(encoding=1, text=[m.date]))
    tags.add(TCON(encoding=1, text=["Podcast"]))
    tags.add(TLAN(encoding=1, text=[three_letter_language(m.language)]))  # ID3: ISO 639-2
    if m.description:
        tags.add(COMM(encoding=1, lang="eng", desc="", text=[m.description]))
    ids = [f"chp{i}" for i in range(len(chapters))]
    # chapters of one part (a digest's article) are listed by a CTOC of their own, which the top level lists
    top: list[str] = []
    parts: dict[str, list[str]] = {}
    for cid, ch in zip(ids, chapters):
        if not ch.part:
            top.append(cid)
            continue
        if ch.part not in parts:
            parts[ch.part] = []
            top.append(f"toc{len(parts)}")
        parts[ch.part].append(cid)
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=top,
                  sub_frames=[TIT2(encoding=1, text=["Chapters"])]))
    for n, (part, children) in enumerate(parts.items(), 1):
        tags.add(CTOC(element_id=f"toc{n}", flags=CTOCFlags.ORDERED, child_element_ids=children,
                      sub_frames=[TIT2(encoding=1, text=[part])]))
    for cid, ch in zip(ids, chapters):
        own = [TLAN(encoding=1, text=[three_letter_language(ch.language)])] if ch.language else []  # another language
        tags.add(CHAP(element_id=cid, start_time=ch.start_ms, end_time=ch.end_ms, start_offset=0xFFFFFFFF,
                      end_offset=0xFFFFFFFF, sub_frames=[TIT2(encoding=1, text=[ch.title]), *own]))
    if transcript:
        tags.add(USLT(encoding=1, lang="eng", desc="Transcript", text=transcript))
    if cover:
        tags.add(APIC(encoding=0, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover.data))
    tags.update_to_v23()
    try:
        try:
            ID3(str(path)).delete()  # ffmpeg's own v2.4 tag
        except ID3NoHeaderError:  # no tag to delete is fine
            pass
        tags.save(str(path), v2_version=3)
    except MutagenError as e:  # mutagen wraps the OSError of a full disk, say: found from the folder itself
        raise why_not_writable(path.parent) or AudioError(f"{path}: cannot tag the encoded MP3 ({e})") from None


# ---------------------------------------------------------------- reading back


@dataclass(frozen=True)
class TagInfo:
    """What a player sees in an MP3: its tags and chapters."""

    seconds: float
    """Length of the audio."""
    bitrate: int
    """Bits per second."""
    sample_rate: int
    """Samples per second."""
    tags: dict[str, str]
    """Text tags by name (title, artist, album, date, genre, description)."""
    chapters: tuple[Chapter, ...]
    """The chapters in the order the CTOCs list them (nested ones in place, each with the title of the CTOC it is
    nested in, a digest's article, as its ``part``), the same type a build gives."""
    present_seconds: float = 0.0
    """How much audio the file really holds: for a constant bitrate, from its size (a file cut short by an
    interrupted copy still states its whole length in its header); else ``seconds``."""
    transcript: str = ""
    """The transcript embedded in it (USLT), or empty."""


def read_mp3(path: Path | str) -> TagInfo:
    """Read an MP3's stream info, tags and chapters (CTOC order, else stored order)."""
    path = Path(path)
    try:
        audio = MP3(str(path))
    except (MutagenError, OSError) as e:
        reason = str(e) or "no audio found in it: the file is cut short, or not an MP3"
        raise AudioError(f"{path}: not a readable MP3 ({reason})") from None
    tags = audio.tags or ID3()
    names = {"TIT2": "title", "TPE1": "artist", "TALB": "album", "TDRC": "date", "TCON": "genre", "TLAN": "language"}
    text = {label: str(tags[fid].text[0]) for fid, label in names.items() if fid in tags}
    comm = tags.getall("COMM")
    if comm:
        text["description"] = str(comm[0].text[0])
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    tocs = {f.element_id: f for f in tags.getall("CTOC")}
    order: list[tuple[str, str]] = []  # (chapter id, the part it is nested in)

    def walk(toc: CTOC, part: str, seen: set[str]) -> None:
        for cid in toc.child_element_ids:
            if cid in tocs and cid not in seen:
                sub = tocs[cid]
                walk(sub, str(sub.sub_frames["TIT2"].text[0]) if "TIT2" in sub.sub_frames else cid, seen | {cid})
            elif cid in chaps:
                order.append((cid, part))

    for toc in tocs.values():
        if toc.flags & CTOCFlags.TOP_LEVEL:
            walk(toc, "", {toc.element_id})
    order = order or [(f.element_id, "") for f in tags.getall("CHAP")]
    chapters = []
    for cid, part in order:
        f = chaps[cid]
        title = str(f.sub_frames["TIT2"].text[0]) if "TIT2" in f.sub_frames else ""
        language = two_letter_language(str(f.sub_frames["TLAN"].text[0])) if "TLAN" in f.sub_frames else ""
        start = max(0, f.start_time)  # as a player reads another tool's chapters: an end before the start is none
        chapters.append(Chapter(title.strip() or cid or "Chapter", start, max(start, f.end_time), part, language))
    present = audio.info.length
    if audio.info.bitrate_mode == BitrateMode.CBR and audio.info.bitrate:
        present = (path.stat().st_size - (audio.tags.size if audio.tags else 0)) * 8 / audio.info.bitrate
    uslt = tags.getall("USLT")
    return TagInfo(audio.info.length, audio.info.bitrate, audio.info.sample_rate, text, tuple(chapters),
                   min(present, audio.info.length), str(uslt[0].text) if uslt else "")
