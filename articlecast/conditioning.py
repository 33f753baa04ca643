"""Conditioning: each synthesized segment is brought to the episode's sample rate and its sharpest peaks
are tamed, in the worker process that made it, before it is cached.

Neural voices can put isolated peaks 20 dB or more above their loudness (a click on a plosive). The
episode is normalized once as a whole, but taming those peaks here, in parallel and only once per
segment, leaves the whole-episode limiter almost nothing to do. Peaks are limited relative to the
segment's own loudness, so no segment's level changes.
"""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly

from .loudness import integrated_loudness, limit, true_peak_dbtp
from .models import Audio

RATE = 44100
"""Sample rate of the episode."""
PEAK_OVER_LOUDNESS_DB = 13.0
"""A segment's true peaks are limited to this far above its integrated loudness."""
VERSION = "2"
"""Changes whenever conditioning would give different samples (part of the cache key)."""


def to_rate(audio: Audio, rate: int = RATE) -> np.ndarray:
    """Samples resampled to ``rate`` (polyphase, no change of pitch or pace)."""
    x = audio.samples.astype(np.float32, copy=False)
    if audio.sample_rate == rate or len(x) == 0:
        return x
    g = gcd(rate, audio.sample_rate)
    return resample_poly(x, rate // g, audio.sample_rate // g).astype(np.float32)


def condition(audio: Audio, rate: int = RATE) -> Audio:
    """The segment at ``rate`` with its true peaks at most PEAK_OVER_LOUDNESS_DB above its loudness."""
    x = to_rate(audio, rate)
    lufs = integrated_loudness(x, rate) if len(x) else float("-inf")
    if np.isfinite(lufs) and true_peak_dbtp(x) > lufs + PEAK_OVER_LOUDNESS_DB:
        x = limit(x, lufs + PEAK_OVER_LOUDNESS_DB, rate)
    return Audio(np.clip(x, -1.0, 1.0), rate)
