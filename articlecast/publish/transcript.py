"""Transcripts and chapters from the episode's own timeline: WebVTT and SRT (captions people can read:
:mod:`.captions`),
plain text with chapter headings, and Podcasting 2.0 JSON chapters. Pure: episode in, text out.

The words are the article's own (what the transcript shows), timed by where the mixer placed each
sentence; cues never overlap and never run past the end.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace

from ..audio.timeline import Chapter, Cue
from ..util.clock import timestamp
from .captions import captions
from .episode import Episode


def timed_cues(episode: Episode) -> list[Cue]:
    """The cues, each ending no later than the next starts and the episode ends, in time order."""
    end = episode.chapters[-1].end_ms
    cues = sorted(episode.cues, key=lambda c: c.start_ms)
    out = []
    for i, c in enumerate(cues):
        stop = min(c.end_ms, cues[i + 1].start_ms if i + 1 < len(cues) else end, end)
        if stop > c.start_ms:
            out.append(replace(c, end_ms=stop, words=tuple((min(a, stop), min(b, stop)) for a, b in c.words)))
    return out


def _one_line(text: str) -> str:
    # a blank line or "-->" inside a cue would end it or break the file
    return " ".join(text.split()).replace("-->", "→")


def _escaped(text: str) -> str:
    return html.escape(_one_line(text), quote=False)


def vtt(episode: Episode) -> str:
    """WebVTT captions (see :mod:`.captions`): each block's identifier is its sentence and its part ("12-2": the
    12th spoken span's second block), its speaker a voice tag."""
    lines = ["WEBVTT", ""]
    for c in captions(episode, timed_cues(episode)):
        shown = [_escaped(x) for x in c.lines]
        if c.speaker:
            shown[0] = f"<v {_escaped(c.speaker)}>{shown[0]}"
        lines += [f"{c.sentence}-{c.part}", f"{timestamp(c.start_ms)} --> {timestamp(c.end_ms)}", *shown, ""]
    return "\n".join(lines)


def srt(episode: Episode) -> str:
    """SubRip captions: the same blocks, numbered, comma before the milliseconds."""
    lines = []
    for i, c in enumerate(captions(episode, timed_cues(episode)), 1):
        lines += [str(i), f"{timestamp(c.start_ms, ',')} --> {timestamp(c.end_ms, ',')}",
                  *(_one_line(x) for x in c.lines), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class ChapterText:
    """A chapter's part of the transcript, as reading text lays it out."""

    chapter: Chapter
    """The chapter."""
    heading: Cue | None
    """The cue that speaks the chapter's title, shown once, as the heading; None when the title is not spoken."""
    paragraphs: tuple[tuple[Cue, ...], ...]
    """The rest of its cues, paragraph by paragraph."""


def _says_the_title(cue: Cue, title: str) -> bool:
    return cue.text.strip().rstrip(".?!:").casefold() == title.strip().rstrip(".?!:").casefold()


def chapter_texts(episode: Episode) -> list[ChapterText]:
    """Every chapter with its cues (timed as in the captions), grouped into paragraphs."""
    cues = timed_cues(episode)
    out = []
    for ch in episode.chapters:
        inside = [c for c in cues if ch.start_ms <= c.start_ms < ch.end_ms]
        heading = inside.pop(0) if inside and _says_the_title(inside[0], ch.title) else None
        paragraphs: list[tuple[Cue, ...]] = []
        paragraph: list[Cue] = []
        for c in inside:
            paragraph.append(c)
            if c.paragraph_end:
                paragraphs.append(tuple(paragraph))
                paragraph = []
        if paragraph:
            paragraphs.append(tuple(paragraph))
        out.append(ChapterText(ch, heading, tuple(paragraphs)))
    return out


def plain_text(episode: Episode) -> str:
    """The transcript as reading text: the title, then each chapter's heading and its paragraphs."""
    out = [episode.meta.title, "=" * len(episode.meta.title), ""]
    for part in chapter_texts(episode):
        if part.heading is None and not part.paragraphs:
            continue
        out += [f"[{timestamp(part.chapter.start_ms)[:8]}] {part.chapter.title}", ""]
        out += [x for p in part.paragraphs for x in (" ".join(c.text for c in p), "")]
    return "\n".join(out).rstrip() + "\n"


def chapters_json(episode: Episode) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0), to the millisecond of the MP3's CHAP frames."""
    chapters = [
        {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title} for c in episode.chapters
    ]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=2) + "\n"
