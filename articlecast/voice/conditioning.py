"""Conditioning: each synthesized segment is brought to the episode's sample rate and its sharpest peaks
are tamed, in the speech thread that made it, before it is cached.

Neural voices can put isolated peaks 20 dB or more above their loudness (a click on a plosive). The
episode is normalized once as a whole, but taming those peaks here, in parallel and only once per
segment, leaves the whole-episode limiter almost nothing to do. Peaks are limited relative to the
segment's own loudness, so no segment's level changes.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from ..models import MIX_RATE, Audio
from ..util.loudness import SPEECH_INTERSAMPLE_DB, hop_energies, limit, loudness_of_hops, true_peak_dbtp

PEAK_OVER_LOUDNESS_DB = 13.0
"""A segment's (sample) peaks are limited to this far above its integrated loudness."""
VERSION = "4"
"""Changes whenever conditioning would give different samples (part of the cache key)."""


def _smooth(n: int) -> int:
    """The smallest number >= n with no prime factor above 7 (a length FFTs are quick at)."""
    while True:
        m = n
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def to_rate(audio: Audio, rate: int = MIX_RATE) -> np.ndarray:
    """Samples resampled to ``rate`` (no change of pitch or pace): band-limited (FFT) interpolation, with
    silence padded at the end so that nothing wraps around; numpy only."""
    x = audio.samples.astype(np.float32, copy=False)
    if audio.sample_rate == rate or len(x) == 0:
        return x
    g = gcd(rate, audio.sample_rate)
    up, down = rate // g, audio.sample_rate // g
    k = _smooth(-(-(len(x) + 256) // down))  # whole periods of the ratio, a quick FFT length, room to spare
    n, m = k * down, k * up
    spectrum = np.fft.rfft(x, n)
    y = np.fft.irfft(spectrum, m) * (m / n)  # irfft zero-pads (or cuts) the spectrum to the new length
    return y[: len(x) * up // down].astype(np.float32)


def condition_measured(audio: Audio, rate: int = MIX_RATE) -> tuple[Audio, np.ndarray, float, float]:
    """The segment at ``rate`` with its sample peaks at most PEAK_OVER_LOUDNESS_DB above its loudness, and its BS.1770
    hop energies, loudness and true peak (4x oversampled where the samples come within SPEECH_INTERSAMPLE_DB of
    their peak). Done once per sentence, where it is spoken, and cached: the mix then limits only the sentences
    it raises above the episode's ceiling, knowing by how much."""
    x = to_rate(audio, rate)
    hops = hop_energies(x, rate)
    lufs = loudness_of_hops(hops, rate)
    top = float(np.abs(x).max(initial=0.0))
    ceiling = lufs + PEAK_OVER_LOUDNESS_DB
    if np.isfinite(lufs) and 20 * np.log10(max(top, 1e-12)) > ceiling:
        x = limit(x, ceiling, rate, true_peak=False)  # clicks tamed on their sample peaks (quick)
        hops = hop_energies(x, rate)  # the clicks lowered carried K-weighted energy (their highs)
        lufs = loudness_of_hops(hops, rate)
    peak = true_peak_dbtp(x, margin_db=SPEECH_INTERSAMPLE_DB) if top > 0 else float("-inf")
    words = tuple((a * rate // audio.sample_rate, b * rate // audio.sample_rate) for a, b in audio.words)
    return Audio(np.clip(x, -1.0, 1.0), rate, words), hops, lufs, peak

