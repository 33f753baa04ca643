"""Audio: an episode's plan, its speech mixed in order on one timeline and levelled from the sentences' own
measurements, encoded to MP3 as it is mixed, and tagged with its chapters."""

from __future__ import annotations

from .tags import TagInfo, read_mp3
from .timeline import Chapter, Cue, Timeline

__all__ = ["Chapter", "Cue", "read_mp3", "TagInfo", "Timeline"]
