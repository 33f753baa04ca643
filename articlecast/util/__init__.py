"""What every stage shares and none owns: files written whole and named from titles (:mod:`.files`), times as
text (:mod:`.clock`), the bundled ffmpeg (:mod:`.ffmpeg`), loudness and its limiter (:mod:`.loudness`), cover
art (:mod:`.images`)."""

from __future__ import annotations

from .clock import clock, seconds_clock
from .files import sha256_hex, slugify, write_atomic

__all__ = ["clock", "seconds_clock", "sha256_hex", "slugify", "write_atomic"]
