"""How episodes are built: every setting a build or a batch takes, with its default, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FieldError, InputError, has_credentials, shown_address
from .models import BITRATES, DEFAULT_BITRATE, DEFAULT_SHOW, ROLES, SPEED_WORDS, speed_ok

__all__ = ["CHAPTER_MAX", "EPISODE_MAX", "LONG_WORDS", "MAX_WORDS", "Options", "names_engine", "spoken_hours"]

EPISODE_MAX = 0.05
"""The listen-back check's default: the most missed words an episode may have (a share of the words meant)."""
CHAPTER_MAX = 0.15
"""The listen-back check's default: the most missed words any one chapter may have."""
MAX_WORDS = 100_000
"""The most words one episode may say by default: about eleven hours of speech, a whole book. More is nearly
always a mistake (a dump, a wrong file) that would keep a machine busy for many hours."""
LONG_WORDS = 20_000
"""An episode of more words than this (over two hours of speech) gets a note of its length before speaking."""
SPOKEN_WPM = 150
"""Words a minute a voice says at speed 1, for estimates of length before anything is spoken."""


def names_engine(voice: object) -> bool:
    """Whether ``voice`` is given as "ENGINE" or "ENGINE:VOICE" (an engine named first)."""
    return isinstance(voice, str) and bool(voice.partition(":")[0].strip())


def spoken_hours(words: int, speed: float = 1.0) -> float:
    """About how many hours of speech ``words`` make at ``speed``."""
    return words / SPOKEN_WPM / speed / 60


def too_long(source: str, words: int, limit: int, speed: float = 1.0, read_so_far: bool = False) -> InputError:
    """The one line for an input over the word limit (``Options.max_words``): ``words`` counted in all, or, with
    ``read_so_far``, when its reading stopped at the limit."""
    if read_so_far:
        return InputError(f"{source}: has over {limit:,} words (about {spoken_hours(limit, speed):.0f} hours of "
                          "speech), the limit; its reading stopped there. Split it into parts, or allow any length "
                          "with --max-words 0 (Options.max_words)")
    return InputError(f"{source}: {words:,} words is about {spoken_hours(words, speed):.0f} hours of speech, over the "
                      f"limit of {limit:,} words; split it into parts, or allow it with --max-words "
                      f"{-(-words // 1000) * 1000} (Options.max_words)")


@dataclass(frozen=True)
class Options:
    """Settings of a build (or a batch of builds). The defaults are what ``speak.py build`` does."""

    output: Path = Path("audio_out")
    """The folder the episodes and their feed go into."""
    voice: str = ""
    """One voice for every role, "ENGINE" or "ENGINE:VOICE" (e.g. "hibari", "piper:joe", "silent"); empty: the
    script's own voices."""
    voices: Mapping[str, str] = field(default_factory=dict)
    """A voice for some roles, over the script's (and over ``voice``): {"question": "piper:joe"}; roles are
    host, narrator, question and answer."""
    speed: float | None = None
    """The whole episode's pace (SPEED_MIN to SPEED_MAX), over the script's own; None: the script's."""
    bitrate: int = DEFAULT_BITRATE
    """MP3 bitrate, kbit/s (one of BITRATES)."""
    show: str = ""
    """The show's name over the script's; empty: the script's (or the default show)."""
    base_url: str = ""
    """Where the published files will live (the feed's links start with it); empty: the folder's feed's, else
    the folder itself (file://)."""
    email: str = ""
    """The show owner's e-mail for podcast directories (itunes:owner); empty: the script's or the feed's."""
    pages: Path = Path("script")
    """Where pages fetched from a URL are saved (so that a rebuild is offline)."""
    check: bool = False
    """Listen to every sentence before mixing, speak again those misheard, report each chapter's missed words."""
    max_missed: float = EPISODE_MAX
    """With ``check``: the most missed words the episode may have (a share)."""
    max_missed_chapter: float = CHAPTER_MAX
    """With ``check``: the most missed words any chapter may have (a share)."""
    workers: int = 0
    """Sentences spoken at once (speech threads); 0: ARTICLECAST_WORKERS, else one per core (at most 4)."""
    ray: str | None = None
    """Speak on Ray: None for speech threads here, "" for a Ray started here, "HOST:PORT" to join a cluster."""
    max_words: int = MAX_WORDS
    """The most words one episode may say (0: no limit); an input over it is refused before any speech."""
    music: Path | None = None
    """A theme for the show (any audio file ffmpeg reads), under the intro and outro; None: the script's own
    ``show.music``, else the generated chimes."""
    book: bool = True
    """Write the read-along book (``<slug>.epub``: the text with the audio, synchronized) beside the MP3."""
    m4b: bool = False
    """Write the audiobook too (``<slug>.m4b``: AAC in MP4 with the same chapters, tags and cover), for audiobook
    apps."""
    public_only: bool = False
    """Fetch web pages from public addresses only: a URL whose host is (or redirects to) a loopback, link-local
    or private address is refused (the app's default: a page's address typed into it never reaches this machine's
    own services or its network's)."""

    @property
    def show_name(self) -> str:
        """The show's name for a script made here (an article's, a digest's): ``show``, else the default show's."""
        return self.show or DEFAULT_SHOW

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", Path(self.output))
        object.__setattr__(self, "pages", Path(self.pages))
        if self.speed is not None and not speed_ok(self.speed):
            raise FieldError("Options", "speed", self.speed, SPEED_WORDS)
        if self.bitrate not in BITRATES:
            raise FieldError("Options", "bitrate", self.bitrate, f"one of {', '.join(map(str, BITRATES))} kbit/s")
        for name in ("max_missed", "max_missed_chapter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise FieldError("Options", name, value, "a share between 0 and 1")
        if isinstance(self.max_words, bool) or not isinstance(self.max_words, int) or self.max_words < 0:
            raise FieldError("Options", "max_words", self.max_words, "a number of words (0: no limit)")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise FieldError("Options", "workers", self.workers, "a number of processes (0: one per core)")
        if has_credentials(self.base_url):
            raise FieldError("Options", "base_url", shown_address(self.base_url), "the address listeners use, without a "
                             "user name or password (it is written into the feed for every listener to read)")
        if not isinstance(self.voices, Mapping) or any(
                role not in ROLES or not names_engine(v) for role, v in self.voices.items()):
            raise FieldError("Options", "voices", dict(self.voices) if isinstance(self.voices, Mapping) else self.voices,
                             f"a voice (ENGINE or ENGINE:VOICE) by role, the roles being {', '.join(ROLES)}")
        object.__setattr__(self, "voices", dict(self.voices))
        if self.voice and not names_engine(self.voice):
            raise FieldError("Options", "voice", self.voice, "ENGINE or ENGINE:VOICE, naming an engine first "
                             "(e.g. hibari:heart; see speak.py voices)")
