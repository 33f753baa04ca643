"""The data that flows between the stages: article -> script -> speech -> timeline -> episode, and the facts
they share (roles, speeds, bitrates, the default show).

Each class validates itself in ``__post_init__`` and raises :class:`~.errors.FieldError`, which names the
field and the value it refuses.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import FieldError

__all__ = ["ROLES", "BITRATES", "DEFAULT_BITRATE", "SPEED_MIN", "SPEED_MAX", "DEFAULT_SHOW", "DEFAULT_CATEGORY", "APPLE_CATEGORIES",
           "LANGUAGE_RE", "EMAIL_RE", "MIX_RATE", "EPISODE_RATE", "PARAGRAPH_PAUSE", "SECTION_KINDS", "Tick", "Reading", "untold",
           "speed_ok", "Section", "Article", "Voice", "Segment", "ScriptChapter", "Meta", "Music", "Script",
           "Audio", "Said", "Chapter", "Cue", "Timeline", "Hearing", "SentenceCheck", "ChapterCheck",
           "CheckReport", "Retake", "Episode"]

ROLES = ("host", "narrator", "question", "answer")
"""The roles a script maps to voices."""

BITRATES = (64, 80, 96, 112, 128, 160, 192)
"""MP3 bitrates offered, kbit/s (Apple recommends 96 to 128 for mono speech)."""
DEFAULT_BITRATE = 96
"""The MP3 bitrate unless one is asked for, kbit/s."""
SPEED_MIN, SPEED_MAX = 0.5, 2.0
"""The range of a voice's pace and of an episode's (1.0 = the voice's natural pace)."""
DEFAULT_SHOW = "Articlecast"
"""The show's name when neither the script nor the command line gives one."""
DEFAULT_CATEGORY = "Education"
"""The show's Apple Podcasts category unless its script names one."""
APPLE_CATEGORIES = frozenset({
    "Arts", "Business", "Comedy", "Education", "Fiction", "Government", "History", "Health & Fitness",
    "Kids & Family", "Leisure", "Music", "News", "Religion & Spirituality", "Science", "Society & Culture", "Sports",
    "Technology", "True Crime", "TV & Film"})
"""Apple Podcasts' top-level categories."""
LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 language tag, as far as feeds and players care ("en", "en-GB", "pt-BR")."""
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"""An e-mail address, as far as podcast directories check one."""
MIX_RATE = 24000
"""Samples per second of every sentence as stored, and of the mix: the offline voices' own rate (hibari speaks at
24 kHz, piper at 22.05), so that the speech is not resampled at all, or once, up."""
EPISODE_RATE = 44100
"""Samples per second of the published MP3 (what podcast apps expect): the encoder resamples the mix once."""
PARAGRAPH_PAUSE = 0.8
"""Silence after a paragraph, seconds: a segment's pause unless it says otherwise."""

SECTION_KINDS = ("lead", "section", "faq", "closing")
"""What a part of an article is: opening prose, a headed section, one FAQ question, the closing words."""

Tick = Callable[[int], object]
"""Called with how many more items (sentences, captions, pages) are done: progress."""
Reading = Callable[[int], Tick]
"""Told how many pages a document has, when it is opened; returns what is told as each is read (progress)."""


def untold(n: int) -> None:
    """A :data:`Tick` that tells nobody."""


def _need_text(cls: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(cls, name, value, "non-empty text")


def speed_ok(value: object) -> bool:
    """Whether ``value`` is a pace a voice can take."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and SPEED_MIN <= float(value) <= SPEED_MAX


SPEED_WORDS = f"a number from {SPEED_MIN} to {SPEED_MAX}"


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
            raise FieldError("Section", "kind", self.kind, f"one of {', '.join(SECTION_KINDS)}")


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
    published: str = ""
    """When the article was published (YYYY-MM-DD), if known."""
    image: str = ""
    """The article's lead image: a path (relative to the article's folder), if one fit for cover art was found."""
    language: str = ""
    """The article's language (BCP 47), if it says; empty: English is assumed."""
    left_out: str = ""
    """What of the document is deliberately not read, for the episode's description ("its list of references");
    empty when nothing is."""

    def __post_init__(self) -> None:
        _need_text("Article", "title", self.title)
        if not self.sections:
            raise FieldError("Article", "sections", self.sections, f"not empty (article {self.title!r} has no body)")


# ---------------------------------------------------------------- script


@dataclass(frozen=True)
class Voice:
    """Which engine and voice speak a role, and how fast."""

    engine: str
    """Engine name in the registry, e.g. \"hibari\"."""
    voice: str = ""
    """Voice name inside the engine; empty means the engine's default."""
    speed: float = 1.0
    """Speaking rate, 1.0 = the voice's natural pace (SPEED_MIN to SPEED_MAX)."""

    def __post_init__(self) -> None:
        _need_text("Voice", "engine", self.engine)
        if not isinstance(self.voice, str):
            raise FieldError("Voice", "voice", self.voice, "text")
        if not speed_ok(self.speed):
            raise FieldError("Voice", "speed", self.speed, SPEED_WORDS)

    @property
    def label(self) -> str:
        """"engine:voice", as the mixer and the credits name it."""
        return f"{self.engine}:{self.voice}"


@dataclass(frozen=True)
class Segment:
    """One stretch of speech in one voice."""

    text: str
    """What is said."""
    role: str = "narrator"
    """Who says it: one of ROLES."""
    pause: float = PARAGRAPH_PAUSE
    """Silence after it, in seconds."""

    def __post_init__(self) -> None:
        _need_text("Segment", "text", self.text)
        if self.role not in ROLES:
            raise FieldError("Segment", "role", self.role, f"one of {', '.join(ROLES)}")
        if isinstance(self.pause, bool) or not isinstance(self.pause, (int, float)) or not 0 <= float(self.pause) <= 10:
            raise FieldError("Segment", "pause", self.pause, "seconds from 0 to 10")


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
            raise FieldError("ScriptChapter", "segments", self.segments, f"not empty (chapter {self.title!r})")
        if self.kind not in SECTION_KINDS:
            raise FieldError("ScriptChapter", "kind", self.kind, f"one of {', '.join(SECTION_KINDS)}")


@dataclass(frozen=True)
class Meta:
    """Show and episode metadata."""

    title: str
    """Episode title."""
    show: str = DEFAULT_SHOW
    """Show name (the ID3 album)."""
    author: str = ""
    """Show author (the ID3 artist); empty: the show's name."""
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
    category: str = DEFAULT_CATEGORY
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
        for name in ("author", "language", "description", "source", "show_description", "category", "show_image",
                     "email", "image", "guid"):
            if not isinstance(getattr(self, name), str):
                raise FieldError("Meta", name, getattr(self, name), "text (put it in quotes)")
        if not self.author:
            object.__setattr__(self, "author", self.show)
        if not LANGUAGE_RE.fullmatch(self.language):
            raise FieldError("Meta", "language", self.language, "a language tag such as en or en-GB")
        if self.email and not EMAIL_RE.fullmatch(self.email):
            raise FieldError("Meta", "email", self.email, "an e-mail address")
        if self.category not in APPLE_CATEGORIES:
            raise FieldError("Meta", "category", self.category,
                             f"one of Apple's categories ({', '.join(sorted(APPLE_CATEGORIES))})")
        if not isinstance(self.sources, tuple) or not all(isinstance(x, str) for x in self.sources):
            raise FieldError("Meta", "sources", self.sources, "a list of lines of text, one per article")
        if not isinstance(self.explicit, bool):
            raise FieldError("Meta", "explicit", self.explicit, "true or false")
        try:
            _dt.date.fromisoformat(str(self.date))
        except ValueError:
            raise FieldError("Meta", "date", self.date, "a date like 2026-11-24") from None


AUTO = "auto"
"""Intro or outro text that is generated at build time."""


@dataclass(frozen=True)
class Music:
    """The show's own sound: music files, by path (relative to the script, or absolute)."""

    theme: str
    """The theme: alone before the host's intro, under it (ducked), after it; and so around the outro."""
    sting: str = ""
    """A short sound between the article and its questions (or between a digest's articles); empty: the usual
    transition."""
    credit: str = ""
    """Who made the music and under which licence, for the show notes and the listening page."""

    def __post_init__(self) -> None:
        _need_text("Music", "theme", self.theme)
        for name in ("sting", "credit"):
            if not isinstance(getattr(self, name), str):
                raise FieldError("Music", name, getattr(self, name), "text")

    def anchored(self, folder: Path) -> Music:
        """The same music with its paths made absolute (relative ones are relative to ``folder``, the script's)."""
        return Music(str((folder / self.theme).resolve()), str((folder / self.sting).resolve()) if self.sting else "",
                     self.credit)


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
    """The whole episode's pace (SPEED_MIN to SPEED_MAX), on top of each voice's own speed; pauses shrink with it."""
    spell_out: bool = True
    """Whether numbers, dates, abbreviations, units and addresses are spelled out for the voice."""
    music: Music | None = None
    """The show's own sound (a theme under the intro and outro, a sting), or None: the generated chimes."""

    def __post_init__(self) -> None:
        if not speed_ok(self.speed):
            raise FieldError("Script", "speed", self.speed, SPEED_WORDS)
        if not self.chapters:
            raise FieldError("Script", "chapters", self.chapters, "not empty")
        missing = [r for r in ROLES if r not in self.voices]
        if missing:
            raise FieldError("Script", "voices", sorted(self.voices), f"a voice for every role (missing: {', '.join(missing)})")
        if not isinstance(self.spell_out, bool):
            raise FieldError("Script", "spell_out", self.spell_out, "true or false")
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
            raise FieldError("Audio", "sample_rate", self.sample_rate, "a positive integer")
        if not isinstance(self.samples, np.ndarray) or self.samples.ndim != 1:
            raise FieldError("Audio", "samples", type(self.samples).__name__, "a 1-D numpy array")

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
        if self.samples < 0:
            raise FieldError("Said", "samples", self.samples, "a count of samples, not negative")
        if self.rate <= 0:
            raise FieldError("Said", "rate", self.rate, "a positive number of samples per second")


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

    def __post_init__(self) -> None:
        _need_text("Chapter", "title", self.title)
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
        return {"chapters": [[c.title, c.start_ms, c.end_ms, c.part] for c in self.chapters],
                "cues": [[c.text, c.start_ms, c.end_ms, c.paragraph_end, c.voice] for c in self.cues],
                "lufs": _finite(self.loudness_lufs), "peak": _finite(self.true_peak_dbtp), "mix": _finite(self.mix_lufs)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Timeline:
        """Back from :meth:`to_data` (raises KeyError, TypeError or ValueError on data of another shape)."""
        return cls(tuple(Chapter(str(t), int(a), int(b), str(g)) for t, a, b, g in data["chapters"]),
                   tuple(Cue(str(t), int(a), int(b), bool(e), str(v)) for t, a, b, e, v in data["cues"]),
                   _number(data["lufs"]), _number(data["peak"]), _number(data["mix"]))


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _number(x: float | None) -> float:
    return float("nan") if x is None else float(x)


# ---------------------------------------------------------------- listening back


class Rated:
    """Something with words meant (``words``) and words missed (``missed``): its missed-word rate."""

    words: int
    missed: int

    @property
    def rate(self) -> float:
        """Missed words over words meant (0 when nothing was meant)."""
        return self.missed / self.words if self.words else 0.0


@dataclass(frozen=True)
class Hearing(Rated):
    """One hearing of a sentence by a recognizer: what it heard and how much of what was meant it missed."""

    words: int
    """Words meant (compared as spoken forms)."""
    missed: int
    """Words meant but not heard: substitutions plus deletions."""
    heard: str
    """What was heard."""
    how: str = ""
    """How it was heard (the recognizer and its settings), e.g. "base beam 5, alone"."""

    def __post_init__(self) -> None:
        if not 0 <= self.missed <= self.words:
            raise FieldError("Hearing", "missed", self.missed, f"from 0 to the words meant ({self.words})")


@dataclass(frozen=True)
class SentenceCheck(Rated):
    """What the recognizer heard of one sentence of an episode."""

    text: str
    """What was meant (the article's words)."""
    heard: str
    """What was heard where it was meant (by the hearing that counts)."""
    start_ms: int
    """Start in the episode, milliseconds."""
    words: int
    """Words meant (compared as spoken forms)."""
    missed: int
    """Words meant but not heard: substitutions plus deletions."""
    chapter: int = 0
    """Index of its chapter."""
    hearings: tuple[Hearing, ...] = ()
    """Every hearing of it, first the window's, then those it was heard again by when the first missed too much."""

    def __post_init__(self) -> None:
        if not 0 <= self.missed <= self.words:
            raise FieldError("SentenceCheck", "missed", self.missed, f"from 0 to the words meant ({self.words})")


@dataclass(frozen=True)
class ChapterCheck(Rated):
    """A chapter's missed-word figure."""

    title: str
    """The chapter's title."""
    start_ms: int
    """Start, milliseconds."""
    words: int
    """Words meant."""
    missed: int
    """Words missed."""


@dataclass(frozen=True)
class CheckReport(Rated):
    """The listen-back check of one episode."""

    chapters: tuple[ChapterCheck, ...]
    """Every chapter, in order."""
    sentences: tuple[SentenceCheck, ...]
    """Every sentence, in order."""
    max_episode: float
    """The episode's threshold (a share of the words)."""
    max_chapter: float
    """Each chapter's threshold."""
    recognizer: str = ""
    """Who listened, in words (the recognizers and how they heard), as reports show it."""

    def __post_init__(self) -> None:
        for name in ("max_episode", "max_chapter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise FieldError("CheckReport", name, value, "a share between 0 and 1")

    @property
    def words(self) -> int:  # type: ignore[override]
        """Words meant in the episode."""
        return sum(c.words for c in self.chapters)

    @property
    def missed(self) -> int:  # type: ignore[override]
        """Words missed in the episode."""
        return sum(c.missed for c in self.chapters)

    @property
    def failing(self) -> list[ChapterCheck]:
        """Chapters over their threshold."""
        return [c for c in self.chapters if c.rate > self.max_chapter]

    @property
    def passed(self) -> bool:
        """Whether the episode and every chapter are within their thresholds."""
        return self.rate <= self.max_episode and not self.failing

    def worst(self, n: int = 5) -> list[SentenceCheck]:
        """The sentences that missed most (by count, then rate), in episode order."""
        bad = sorted((s for s in self.sentences if s.missed), key=lambda s: (-s.missed, -s.rate))[:n]
        return sorted(bad, key=lambda s: s.start_ms)


@dataclass(frozen=True)
class Retake:
    """A sentence that ``build --check`` spoke again."""

    index: int
    """Its speech request's index in the plan."""
    text: str
    """The sentence (the article's words)."""
    before: Hearing
    """How the first take was heard."""
    after: Hearing
    """How the take used was heard."""
    how: str
    """Which take is used: "speed 0.9x", "piper:joe", or "first take" when none was better."""


# ---------------------------------------------------------------- the episode


@dataclass(frozen=True)
class Episode:
    """An episode as built: its metadata and its timeline. The audio itself is streamed to the encoder, never
    held whole."""

    meta: Meta
    """Show and episode metadata."""
    timeline: Timeline
    """Where every chapter and sentence is, and the measured levels."""
    check: CheckReport | None = None
    """The listen-back check of a build with ``check``, else None."""
    retakes: tuple[Retake, ...] = ()
    """The sentences the check had spoken again."""

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """Contiguous chapters from 0 to the end."""
        return self.timeline.chapters

    @property
    def cues(self) -> tuple[Cue, ...]:
        """Each spoken sentence's place."""
        return self.timeline.cues

    @property
    def loudness_lufs(self) -> float:
        """Integrated loudness of the encoded audio."""
        return self.timeline.loudness_lufs

    @property
    def true_peak_dbtp(self) -> float:
        """True peak of the mix."""
        return self.timeline.true_peak_dbtp

    @property
    def seconds(self) -> float:
        """The episode's length."""
        return self.timeline.seconds
