"""The script: what is said, by whom, in which chapters, with the show's and the episode's metadata.

These dataclasses are the script's schema: their defaults and their checks are the YAML's (:mod:`.document`
only reads and writes it, naming the line of a value they refuse).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FieldError
from ..models import (
    DEFAULT_CATEGORY,
    DEFAULT_SHOW,
    LANGUAGE_RE,
    PARAGRAPH_PAUSE,
    ROLES,
    SECTION_KINDS,
    SPEED_WORDS,
    need_text,
    speed_ok,
)
from ..util.words import words

__all__ = ["APPLE_CATEGORIES", "EMAIL_RE", "Voice", "Segment", "ScriptChapter", "Show", "Meta", "AUTO", "Music", "Script"]


APPLE_CATEGORIES = frozenset({
    "Arts", "Business", "Comedy", "Education", "Fiction", "Government", "History", "Health & Fitness",
    "Kids & Family", "Leisure", "Music", "News", "Religion & Spirituality", "Science", "Society & Culture", "Sports",
    "Technology", "True Crime", "TV & Film"})
"""Apple Podcasts' top-level categories."""


EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"""An e-mail address, as far as podcast directories check one."""


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
        need_text("Voice", "engine", self.engine)
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
        need_text("Segment", "text", self.text)
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
    language: str = ""
    """Its language where it is not the episode's (a digest's article in another language), else empty."""
    voices: dict[str, Voice] = field(default_factory=dict)
    """Its own voice for each role, where it is in another language (a voice per role, or none: the script's)."""

    def __post_init__(self) -> None:
        need_text("ScriptChapter", "title", self.title)
        if self.language and not LANGUAGE_RE.fullmatch(self.language):
            raise FieldError("ScriptChapter", "language", self.language, "a language tag such as es or pt-BR")
        if self.voices and sorted(self.voices) != sorted(ROLES):
            raise FieldError("ScriptChapter", "voices", sorted(self.voices), f"a voice for every role ({', '.join(ROLES)}) "
                             "or none")
        if not self.segments:
            raise FieldError("ScriptChapter", "segments", self.segments, f"not empty (chapter {self.title!r})")
        if self.kind not in SECTION_KINDS:
            raise FieldError("ScriptChapter", "kind", self.kind, f"one of {', '.join(SECTION_KINDS)}")


@dataclass(frozen=True)
class Show:
    """The show an episode belongs to: what podcast apps show of it, and the feed's channel (the script's ``show``
    section, field for field)."""

    name: str = DEFAULT_SHOW
    """The show's name (the ID3 album, the feed's title)."""
    author: str = ""
    """Who makes it (the ID3 artist, itunes:author); empty: the show's name."""
    language: str = "en"
    """BCP 47 language tag of its episodes' text."""
    description: str = ""
    """What the show is (the feed's description); empty: a sentence is made up from its name (:attr:`summary`)."""
    category: str = DEFAULT_CATEGORY
    """Its Apple Podcasts category."""
    explicit: bool = False
    """Whether the show has explicit content."""
    image: str = ""
    """The show's own cover art (a path, relative to the script); empty: one is generated."""
    email: str = ""
    """The owner's e-mail, for podcast directories (itunes:owner; never shown to listeners)."""

    def __post_init__(self) -> None:
        need_text("Show", "name", self.name)
        for name in ("author", "language", "description", "category", "image", "email"):
            if not isinstance(getattr(self, name), str):
                raise FieldError("Show", name, getattr(self, name), "text (put it in quotes)")
        if not self.author:
            object.__setattr__(self, "author", self.name)
        if not LANGUAGE_RE.fullmatch(self.language):
            raise FieldError("Show", "language", self.language, "a language tag such as en or en-GB")
        if self.email and not EMAIL_RE.fullmatch(self.email):
            raise FieldError("Show", "email", self.email, "an e-mail address")
        if self.category not in APPLE_CATEGORIES:
            raise FieldError("Show", "category", self.category,
                             f"one of Apple's categories ({', '.join(sorted(APPLE_CATEGORIES))})")
        if not isinstance(self.explicit, bool):
            raise FieldError("Show", "explicit", self.explicit, "true or false")

    @property
    def summary(self) -> str:
        """What the show is, in the feed: its description, else a sentence made from its name."""
        return self.description or words(self.language).gettext("{name}: articles read aloud.").format(name=self.name)


@dataclass(frozen=True)
class Meta:
    """An episode's metadata, and its show's (the script's ``episode`` section, field for field, and ``show``)."""

    title: str
    """Episode title."""
    show: Show = field(default_factory=Show)
    """The show it belongs to."""
    description: str = ""
    """A sentence or two about the episode."""
    date: str = field(default_factory=lambda: _dt.date.today().isoformat())
    """Publication date, YYYY-MM-DD."""
    source: str = ""
    """Where the article came from, named in the outro when known."""
    image: str = ""
    """The episode's own cover art (a path); empty: one is generated from the show and title."""
    guid: str = ""
    """The episode's permanent id in the feed; empty: the source URL, else a hash of the show, title and words."""
    sources: tuple[str, ...] = ()
    """Every article a digest reads, one credit line each ("Title, by Author, Site: URL")."""

    def __post_init__(self) -> None:
        need_text("Meta", "title", self.title)
        if not isinstance(self.show, Show):
            raise FieldError("Meta", "show", self.show, "a Show")
        for name in ("description", "source", "image", "guid"):
            if not isinstance(getattr(self, name), str):
                raise FieldError("Meta", name, getattr(self, name), "text (put it in quotes)")
        if not isinstance(self.sources, tuple) or not all(isinstance(x, str) for x in self.sources):
            raise FieldError("Meta", "sources", self.sources, "a list of lines of text, one per article")
        try:
            _dt.date.fromisoformat(str(self.date))
        except ValueError:
            raise FieldError("Meta", "date", self.date, "a date like 2026-11-24") from None

    @property
    def language(self) -> str:
        """The language of the episode's text: its show's."""
        return self.show.language


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
        need_text("Music", "theme", self.theme)
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
        need_text("Script", "intro", self.intro)
        need_text("Script", "outro", self.outro)
