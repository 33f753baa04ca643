"""The data that flows between the stages: article -> script -> speech -> episode.

Each class validates itself in ``__post_init__`` and names the field and the value when it refuses.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ROLES = ("host", "narrator", "question", "answer")
"""The roles a script maps to voices."""

BITRATES = (64, 80, 96, 112, 128, 160, 192)
"""MP3 bitrates offered, kbit/s (Apple recommends 96 to 128 for mono speech)."""

SECTION_KINDS = ("lead", "section", "faq", "closing")
"""What a part of an article is: opening prose, a headed section, one FAQ question, the closing words."""


def _need_text(cls: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{cls}.{name} must be non-empty text, got {value!r}")


# ---------------------------------------------------------------- article


@dataclass(frozen=True)
class Section:
    """One part of an article that becomes one chapter."""

    title: str
    """The heading as written (for an FAQ entry: the question)."""
    kind: str
    """One of SECTION_KINDS."""
    paragraphs: tuple[str, ...]
    """The body as sentences to speak: paragraphs, and list items as their own entries."""
    part: str = ""
    """The top-level heading it is nested under (in a long document: chapter 3's "3.1" is under "3"), or empty."""

    def __post_init__(self) -> None:
        _need_text("Section", "title", self.title)
        if self.kind not in SECTION_KINDS:
            raise ValueError(f"Section.kind must be one of {SECTION_KINDS}, got {self.kind!r}")


@dataclass(frozen=True)
class Article:
    """A parsed article: what the text says, with the web page's leftovers removed."""

    title: str
    """The article's title."""
    sections: tuple[Section, ...]
    """Lead, sections, FAQ entries and closing, in reading order."""
    standfirst: str = ""
    """The summary line under the title, if the article has one."""
    faq_title: str = ""
    """The FAQ's own heading as written (\"FAQs\"), empty when there is no FAQ."""
    source: str = ""
    """Where the text came from (a URL or a publication), if known."""
    author: str = ""
    """The article's author, if known."""
    site: str = ""
    """The publication or web site's name, if known ("The Daily Ledger")."""
    published: str = ""
    """When the article was published (YYYY-MM-DD), if known."""
    image: str = ""
    """The article's lead image: a path (relative to the article's folder), if one fit for cover art was found."""
    language: str = ""
    """The article's language (BCP 47), if it says; empty: English is assumed."""

    def __post_init__(self) -> None:
        _need_text("Article", "title", self.title)
        if not self.sections:
            raise ValueError(f"Article.sections must not be empty (article {self.title!r} has no body)")


# ---------------------------------------------------------------- script


@dataclass(frozen=True)
class Voice:
    """Which engine and voice speak a role, and how fast."""

    engine: str
    """Engine name in the registry, e.g. \"hibari\"."""
    voice: str = ""
    """Voice name inside the engine; empty means the engine's default."""
    speed: float = 1.0
    """Speaking rate, 1.0 = the voice's natural pace (0.5 to 2.0)."""

    def __post_init__(self) -> None:
        _need_text("Voice", "engine", self.engine)
        if not isinstance(self.speed, (int, float)) or not 0.5 <= float(self.speed) <= 2.0:
            raise ValueError(f"Voice.speed must be a number from 0.5 to 2.0, got {self.speed!r}")


@dataclass(frozen=True)
class Segment:
    """One stretch of speech in one voice."""

    text: str
    """What is said."""
    role: str = "narrator"
    """Who says it: one of ROLES."""
    pause: float = 0.6
    """Silence after it, in seconds."""

    def __post_init__(self) -> None:
        _need_text("Segment", "text", self.text)
        if self.role not in ROLES:
            raise ValueError(f"Segment.role must be one of {ROLES}, got {self.role!r}")
        if not isinstance(self.pause, (int, float)) or not 0 <= float(self.pause) <= 10:
            raise ValueError(f"Segment.pause must be seconds from 0 to 10, got {self.pause!r}")


@dataclass(frozen=True)
class ScriptChapter:
    """A chapter as written in the script: a title and what is said in it."""

    title: str
    """The chapter title players show."""
    segments: tuple[Segment, ...]
    """What is said, in order."""
    kind: str = "section"
    """One of SECTION_KINDS; decides nothing but the default roles."""
    part: str = ""
    """The part it belongs to (in a digest: the article's title); chapters of one part are nested under it."""

    def __post_init__(self) -> None:
        _need_text("ScriptChapter", "title", self.title)
        if not self.segments:
            raise ValueError(f"ScriptChapter.segments must not be empty (chapter {self.title!r})")
        if self.kind not in SECTION_KINDS:
            raise ValueError(f"ScriptChapter.kind must be one of {SECTION_KINDS}, got {self.kind!r}")


@dataclass(frozen=True)
class Meta:
    """Show and episode metadata."""

    title: str
    """Episode title."""
    show: str = "Articlecast"
    """Show name (the ID3 album)."""
    author: str = "Articlecast"
    """Show author (the ID3 artist)."""
    language: str = "en"
    """BCP 47 language tag of the text."""
    description: str = ""
    """A sentence or two about the episode."""
    date: str = field(default_factory=lambda: _dt.date.today().isoformat())
    """Publication date, YYYY-MM-DD."""
    source: str = ""
    """Where the article came from, named in the outro when known."""
    show_description: str = ""
    """What the show is (the feed's description); empty: a sentence is made up from the show's name."""
    category: str = "Education"
    """The show's Apple Podcasts category."""
    explicit: bool = False
    """Whether the show has explicit content."""
    show_image: str = ""
    """The show's own cover art (a path); empty: one is generated."""
    email: str = ""
    """The show owner's e-mail, for podcast directories (itunes:owner; never shown to listeners)."""
    image: str = ""
    """The episode's own cover art (a path); empty: one is generated from the show and title."""
    guid: str = ""
    """The episode's permanent id in the feed; empty: the source URL, else a hash of the show, title and words."""
    sources: tuple[str, ...] = ()
    """Every article a digest reads, one credit line each ("Title, by Author, Site: URL")."""

    def __post_init__(self) -> None:
        _need_text("Meta", "title", self.title)
        _need_text("Meta", "show", self.show)
        if not isinstance(self.explicit, bool):
            raise ValueError(f"Meta.explicit must be true or false, got {self.explicit!r}")
        try:
            _dt.date.fromisoformat(str(self.date))
        except ValueError:
            raise ValueError(f"Meta.date must be a date like 2026-11-24, got {self.date!r}") from None


AUTO = "auto"
"""Intro or outro text that is generated at build time."""


@dataclass(frozen=True)
class Script:
    """The editable script of one episode."""

    meta: Meta
    """Show and episode metadata."""
    voices: dict[str, Voice]
    """Voice for each role in ROLES."""
    chapters: tuple[ScriptChapter, ...]
    """The body, in order."""
    intro: str = AUTO
    """Spoken after the opening chime; AUTO generates it from the show, title, length and chapters."""
    outro: str = AUTO
    """Spoken at the end; AUTO thanks the listener and names the source."""
    lexicon: dict[str, str] = field(default_factory=dict)
    """Pronunciations: word (or /regular expression/) -> what the voice is given instead."""
    speed: float = 1.0
    """The whole episode's pace (0.5 to 2.0), on top of each voice's own speed; pauses shrink with it."""
    normalize: bool = True
    """Whether numbers, dates, abbreviations, units and addresses are spelled out for the voice."""

    def __post_init__(self) -> None:
        if not isinstance(self.speed, (int, float)) or not 0.5 <= float(self.speed) <= 2.0:
            raise ValueError(f"Script.speed must be a number from 0.5 to 2.0, got {self.speed!r}")
        if not self.chapters:
            raise ValueError("Script.chapters must not be empty")
        missing = [r for r in ROLES if r not in self.voices]
        if missing:
            raise ValueError(f"Script.voices has no voice for role(s) {', '.join(missing)}")
        _need_text("Script", "intro", self.intro)
        _need_text("Script", "outro", self.outro)


# ---------------------------------------------------------------- audio


@dataclass(frozen=True)
class Audio:
    """Mono samples and their rate."""

    samples: np.ndarray
    """float32 samples in [-1, 1], one channel."""
    sample_rate: int
    """Samples per second."""

    def __post_init__(self) -> None:
        if not isinstance(self.sample_rate, int) or self.sample_rate <= 0:
            raise ValueError(f"Audio.sample_rate must be a positive integer, got {self.sample_rate!r}")
        if not isinstance(self.samples, np.ndarray) or self.samples.ndim != 1:
            raise ValueError(f"Audio.samples must be a 1-D numpy array, got {type(self.samples).__name__}")

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Said:
    """A sentence as synthesized and stored: what the mixer needs to place it, level it and fetch its audio."""

    key: str
    """Its key in the segment cache (engine, voice, speed and text)."""
    samples: int
    """Its length in samples, at ``rate``."""
    rate: int
    """Samples per second (the episode's)."""
    lufs: float
    """Its integrated loudness (-inf for silence)."""
    peak_dbtp: float
    """Its true peak, or a bound of it (the sample peak plus the most speech rises between samples)."""
    hops: np.ndarray
    """K-weighted energy of each 100 ms hop (BS.1770): the programme's loudness is computed from these."""

    def __post_init__(self) -> None:
        if self.samples < 0 or self.rate <= 0:
            raise ValueError(f"Said {self.key[:12]}: samples and rate must be positive, got {self.samples}, {self.rate}")


@dataclass(frozen=True)
class Chapter:
    """A chapter as placed in the finished episode."""

    title: str
    """Title shown by players."""
    start_ms: int
    """Start, in milliseconds from the beginning."""
    end_ms: int
    """End, in milliseconds; the next chapter starts here."""
    part: str = ""
    """The part it is nested under (a digest's article), or empty."""

    def __post_init__(self) -> None:
        _need_text("Chapter", "title", self.title)
        if not 0 <= self.start_ms < self.end_ms:
            raise ValueError(
                f"Chapter {self.title!r}: start_ms must be >= 0 and < end_ms, got {self.start_ms}..{self.end_ms}"
            )


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


@dataclass(frozen=True)
class Episode:
    """The episode's timeline and metadata: where every chapter and sentence is. The audio itself is streamed
    to the encoder, never held whole."""

    meta: Meta
    """Show and episode metadata."""
    chapters: tuple[Chapter, ...]
    """Contiguous chapters from 0 to the end."""
    cues: tuple[Cue, ...] = ()
    """Each spoken sentence's place."""
    loudness_lufs: float = float("nan")
    """Integrated loudness (ITU-R BS.1770) of the encoded audio."""
    true_peak_dbtp: float = float("nan")
    """True peak of the mix (4x oversampled)."""
    check: Any = None
    """The listen-back check of a build --check (a check.CheckReport), else None."""
    retakes: tuple[Any, ...] = ()
    """The sentences build --check spoke again (retake.Retake)."""

    def __post_init__(self) -> None:
        if not self.chapters:
            raise ValueError("Episode.chapters must not be empty")
        if self.chapters[0].start_ms != 0:
            raise ValueError(f"Episode.chapters must start at 0, got {self.chapters[0].start_ms}")
        for a, b in zip(self.chapters, self.chapters[1:]):
            if a.end_ms != b.start_ms:
                raise ValueError(f"Episode.chapters must be contiguous: {a.title!r} ends at {a.end_ms}, "
                                 f"{b.title!r} starts at {b.start_ms}")

    @property
    def seconds(self) -> float:
        """The episode's length."""
        return self.chapters[-1].end_ms / 1000
