"""Times as text, each format in one place: for people, for captions, for feeds."""

from __future__ import annotations


def clock(ms: int) -> str:
    """A time as people read it: m:ss, or h:mm:ss from an hour on (whole seconds, rounded down)."""
    s = int(ms) // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def seconds_clock(seconds: float) -> str:
    """:func:`clock` of a time in seconds (rounded to the millisecond first)."""
    return clock(round(seconds * 1000))


def timestamp(ms: int, sep: str = ".") -> str:
    """HH:MM:SS.mmm, as WebVTT writes it (SubRip: ``sep=","``)."""
    h, rest = divmod(int(ms), 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def smil_clock(ms: int) -> str:
    """H:MM:SS.mmm, as SMIL (an EPUB's media overlays) writes a clock value: "0:01:02.345"."""
    ms = int(ms)
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def hms(seconds: float) -> str:
    """HH:MM:SS, whole seconds (rounded), as itunes:duration takes it."""
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
