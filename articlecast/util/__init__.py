"""What every stage shares and none owns: files written whole and named from titles (:mod:`.files`), times as
text (:mod:`.clock`), the bundled ffmpeg (:mod:`.ffmpeg`), loudness and its limiter (:mod:`.loudness`), cover
art (:mod:`.images`), our own words in the listener's language (:mod:`.words`)."""

from __future__ import annotations

from .clock import clock, seconds_clock
from .files import sha256_hex, slugify, write_atomic
from .words import words

__all__ = ["clock", "seconds_clock", "sha256_hex", "slugify", "words", "write_atomic"]
