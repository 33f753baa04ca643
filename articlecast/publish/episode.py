"""The finished episode, as it is published: its metadata, its timeline, and what the check found.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..audio.timeline import Chapter, Cue, Timeline
from ..check.report import CheckReport, Retake
from ..script.model import Meta

__all__ = ["Episode"]


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
