"""Loudness to ITU-R BS.1770 (pyloudnorm), true peak by 4x oversampling, and a transparent peak limiter.

The whole mix is normalized once to -16 LUFS integrated with the true peak kept under -1 dBTP
(Apple's podcast guidance; AES TD1008).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

TARGET_LUFS = -16.0
"""Integrated loudness of the finished episode."""
CEILING_DBTP = -1.5
"""True-peak ceiling of the mix, half a dB under -1 dBTP, left for MP3 encoding."""


def integrated_loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (gated, ITU-R BS.1770-4); -inf for silence."""
    import pyloudnorm

    if len(x) < int(0.4 * rate):  # shorter than one gating block
        x = np.concatenate([x, np.zeros(int(0.4 * rate) - len(x) + 1, x.dtype)])
    return float(pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64)))


def true_peak_dbtp(x: np.ndarray, chunk: int = 1 << 20) -> float:
    """True peak in dBTP: the highest magnitude after 4x oversampling, in chunks to bound memory."""
    peak = 0.0
    pad = 64
    for start in range(0, len(x), chunk):
        seg = x[max(0, start - pad): start + chunk + pad]
        if len(seg):
            peak = max(peak, float(np.abs(resample_poly(seg, 4, 1)).max()))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit(x: np.ndarray, ceiling_db: float, rate: int) -> np.ndarray:
    """Bring every sample peak under ``ceiling_db`` with a smooth 3 ms gain curve (look-ahead, no clipping).

    The needed gain is min-filtered over a window and then averaged over a window no wider, so the
    smoothed gain never exceeds what any sample needs.
    """
    ceiling = 10 ** (ceiling_db / 20)
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x), 1e-12)).astype(np.float32)
    width = max(3, int(0.003 * rate) | 1)
    gain = uniform_filter1d(minimum_filter1d(need, width * 2 + 1), width)
    return (x * gain).astype(np.float32)


def normalize(x: np.ndarray, rate: int, target: float = TARGET_LUFS,
              ceiling: float = CEILING_DBTP) -> tuple[np.ndarray, float, float]:
    """Gain to ``target`` LUFS, limiting peaks above ``ceiling`` dBTP; returns (samples, LUFS, dBTP)."""
    x = x.astype(np.float32, copy=True)
    lufs = integrated_loudness(x, rate)
    if not np.isfinite(lufs):
        return x, lufs, float("-inf")
    for _ in range(5):
        x *= np.float32(10 ** ((target - lufs) / 20))
        peak = true_peak_dbtp(x)
        if peak <= ceiling:
            break
        # sample peaks sit a little under true peaks: aim lower, the more so the more this pass overshot
        x = limit(x, ceiling - 0.3 - (peak - ceiling) * 0.25, rate)
        lufs = integrated_loudness(x, rate)
    else:
        x = limit(x, ceiling - 1.0, rate)  # give up a little loudness rather than the peak ceiling
    return x, integrated_loudness(x, rate), true_peak_dbtp(x)
