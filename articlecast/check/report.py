"""What listening back found: each sentence heard, each chapter's and the episode's share of words missed, and
the sentences spoken again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FieldError

__all__ = ["Rated", "Hearing", "SentenceCheck", "ChapterCheck", "CheckReport", "Retake"]


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
