"""Where everything in an encoded episode is: its chapters, its spoken sentences, its loudness. Every view of
the episode reads it (tags, captions, transcript, page, book, the check); none recomputes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import FieldError
from ..models import need_text

__all__ = ["Chapter", "Cue", "Timeline"]


@dataclass(frozen=True)
class Chapter:
    """A chapter of an episode: as the mixer placed it in a build, and as :func:`~.audio.tags.read_mp3` reads it
    back from any MP3."""

    title: str
    """Title shown by players."""
    start_ms: int
    """Start, in milliseconds from the beginning."""
    end_ms: int
    """End, in milliseconds; the next chapter starts here."""
    part: str = ""
    """The part it is nested under (a digest's article), or empty."""
    language: str = ""
    """Its language where it is not the episode's (a digest's article in another language), else empty."""

    def __post_init__(self) -> None:
        need_text("Chapter", "title", self.title)
        if not 0 <= self.start_ms <= self.end_ms:
            raise FieldError("Chapter", "start_ms", (self.start_ms, self.end_ms), f">= 0 and not after end_ms (chapter {self.title!r})")


@dataclass(frozen=True)
class Cue:
    """Where a spoken segment sits in the episode (for transcripts)."""

    text: str
    """The words as written."""
    start_ms: int
    """Start of the speech, in milliseconds."""
    end_ms: int
    """End of the speech, in milliseconds."""
    paragraph_end: bool = False
    """True when a paragraph ends with this cue (for the plain-text transcript)."""
    voice: str = ""
    """Who says it ("engine:voice")."""
    role: str = ""
    """Whose part it is (one of ROLES), for the captions' speaker."""
    words: tuple[tuple[int, int], ...] = ()
    """Each word's (start, end) in milliseconds (the words of ``text`` split at white space), as the voice
    measured them; empty when the voice does not say."""


@dataclass(frozen=True)
class Timeline:
    """Where everything in an encoded episode is, as the mixer placed it: what every view of the episode reads
    (tags, captions, transcript, page, book, the check), never recomputes."""

    chapters: tuple[Chapter, ...]
    """Contiguous chapters from 0 to the end."""
    cues: tuple[Cue, ...]
    """Each spoken sentence (or part of a long one) with its place."""
    loudness_lufs: float
    """Integrated loudness (ITU-R BS.1770) of the encoded audio."""
    true_peak_dbtp: float
    """True peak of the mix."""
    mix_lufs: float = float("nan")
    """The loudness of the mix's speech, from its sentences' energies (what the mix is levelled by)."""

    def __post_init__(self) -> None:
        if not self.chapters:
            raise FieldError("Timeline", "chapters", self.chapters, "not empty")
        if self.chapters[0].start_ms != 0:
            raise FieldError("Timeline", "chapters", self.chapters[0].start_ms, "starting at 0 ms")
        for a, b in zip(self.chapters, self.chapters[1:]):
            if a.end_ms != b.start_ms:
                raise FieldError("Timeline", "chapters", (a.title, a.end_ms, b.title, b.start_ms), "contiguous")

    @property
    def seconds(self) -> float:
        """The episode's length."""
        return self.chapters[-1].end_ms / 1000

    def to_data(self) -> dict[str, Any]:
        """As plain data (JSON), for the encoded-audio cache."""
        return {"chapters": [[c.title, c.start_ms, c.end_ms, c.part, *([c.language] if c.language else [])]
                             for c in self.chapters],
                "cues": [[c.text, c.start_ms, c.end_ms, c.paragraph_end, c.voice, c.role, [x for w in c.words for x in w]]
                         for c in self.cues],
                "lufs": _finite(self.loudness_lufs), "peak": _finite(self.true_peak_dbtp), "mix": _finite(self.mix_lufs)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Timeline:
        """Back from :meth:`to_data` (raises KeyError, TypeError or ValueError on data of another shape)."""
        return cls(tuple(Chapter(str(t), int(a), int(b), str(g), str(lang[0]) if lang else "")
                         for t, a, b, g, *lang in data["chapters"]),
                   tuple(Cue(str(t), int(a), int(b), bool(e), str(v), str(r), tuple(zip(map(int, w[::2]), map(int, w[1::2]))))
                         for t, a, b, e, v, r, w in data["cues"]),
                   _number(data["lufs"]), _number(data["peak"]), _number(data["mix"]))


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _number(x: float | None) -> float:
    return float("nan") if x is None else float(x)
