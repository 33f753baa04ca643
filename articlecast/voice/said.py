"""A sentence as spoken and stored: what the mixer needs to place it, level it and fetch its audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import FieldError

__all__ = ["Said"]


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
    words: tuple[tuple[int, int], ...] = ()
    """Where each word of the text spoken starts and ends, in samples, as the voice measured it (empty when the
    voice does not say)."""

    def __post_init__(self) -> None:
        if self.samples < 0:
            raise FieldError("Said", "samples", self.samples, "a count of samples, not negative")
        if self.rate <= 0:
            raise FieldError("Said", "rate", self.rate, "a positive number of samples per second")
