"""Loudness to ITU-R BS.1770 (numpy only), true peak by 4x oversampling, and a transparent peak limiter.

The whole mix is normalized once to -16 LUFS integrated with the true peak kept under -1 dBTP
(Apple's podcast guidance; AES TD1008).
"""

from __future__ import annotations

import functools
import math

import numpy as np

# numpy only: scipy.signal takes 0.7 s to import, in every process that would need it

TARGET_LUFS = -16.0
"""Integrated loudness of the finished episode."""
CEILING_DBTP = -1.7
"""True-peak ceiling of the mix: MP3 encoding raises true peaks by up to about half a dB."""
MP3_ALLOWANCE_LU = 0.4
"""MP3 encoding lowers the measured loudness of synthetic speech by about this much; the mix aims higher."""
MIX_TARGET = TARGET_LUFS + MP3_ALLOWANCE_LU
"""The loudness the mix aims at: MP3 encoding lowers it by about the allowance."""


SHELF = (1681.974450955533, 3.999843853973347, 0.7071752369554196)
"""BS.1770's K-weighting high shelf: centre frequency (Hz), gain (dB), Q."""
HIGH_PASS = (38.13547087602444, 0.5003270373238773)
"""BS.1770's RLB high pass: corner frequency (Hz), Q."""


@functools.cache
def k_weighting(rate: int) -> tuple[tuple[float, ...], ...]:
    """The two K-weighting biquads for ``rate`` (b0, b1, b2, a0, a1, a2: the high shelf, then the high pass), from
    the analog prototypes by the bilinear transform; at 48 kHz they are the coefficients BS.1770 tabulates."""
    f0, gain, q = SHELF
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0, 1.0,
             2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    f0, q = HIGH_PASS
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    high_pass = (1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0)
    return shelf, high_pass


@functools.cache
def _k_power(rate: int, n: int) -> np.ndarray:
    """|K(f)|², the K-weighting filter's power response, at the bins of an ``n``-point real FFT."""
    z = np.exp(-1j * np.pi * np.arange(n // 2 + 1) / (n // 2))  # e^{-jw} at each bin
    if n % 2:
        z = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    power = np.ones(len(z))
    for b0, b1, b2, a0, a1, a2 in k_weighting(rate):
        power *= np.abs((b0 + b1 * z + b2 * z * z) / (a0 + a1 * z + a2 * z * z)) ** 2
    return power


HOP_SECONDS = 0.1
"""BS.1770 gating blocks are 400 ms long and start every 100 ms: four hops each."""


def hop_length(rate: int) -> int:
    """Samples in one 100 ms hop."""
    return int(HOP_SECONDS * rate)


def hop_energies(x: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighted energy (sum of squares) of each 100 ms hop of ``x``, the last one partial; float64.

    Everything BS.1770 needs of a stretch of audio: blocks and gates are computed from these
    (:func:`loudness_of_hops`), so a programme's loudness is known from its pieces' hops. Each hop's energy
    through the K-weighting filter is taken from its spectrum (Parseval: the energy of the filtered hop is
    the sum of its power spectrum weighted by the filter's power response), all hops in one batched FFT;
    the filter's few milliseconds of memory across a hop's edges are left out, which moves a trace of energy
    between neighbouring hops and changes no 400 ms block measurably.
    """
    hop = hop_length(rate)
    if not len(x):
        return np.zeros(0)
    n = -(-len(x) // hop)
    frames = np.zeros((n, hop), np.float32)  # single precision FFT: twice as quick, and ample for energies
    frames.reshape(-1)[: len(x)] = x
    spectrum = np.fft.rfft(frames, axis=1)
    power = (spectrum.real.astype(np.float64) ** 2 + spectrum.imag.astype(np.float64) ** 2)
    weights = _k_power(rate, hop) * 2.0
    weights[0] /= 2.0
    if hop % 2 == 0:
        weights[-1] /= 2.0
    return (power @ weights) / hop


def loudness_of_hops(hops: np.ndarray, rate: int) -> float:
    """Integrated loudness (LUFS, gated, ITU-R BS.1770-4) of a programme given its hop energies; -inf for silence."""
    hop = hop_length(rate)
    if len(hops) < 4:
        hops = np.concatenate([hops, np.zeros(4 - len(hops))])
    z = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        blocks = -0.691 + 10 * np.log10(z)
    z = z[blocks >= -70.0]
    if not len(z):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(z.mean()) - 10.0
    with np.errstate(divide="ignore"):
        z = z[-0.691 + 10 * np.log10(z) >= relative]
    return float(-0.691 + 10 * np.log10(z.mean()))


def integrated_loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS, gated (ITU-R BS.1770-4); -inf for silence.

    The 400 ms blocks (75% overlap) and the two gates are computed from 100 ms hops, which is ~10x faster on a
    long episode than pyloudnorm's per-block loop and agrees with it (tests check).
    """
    hops = hop_energies(x, rate)
    hop = hop_length(rate)
    if len(x) >= 4 * hop and len(x) % hop:
        hops = hops[:-1]  # whole blocks only, as BS.1770 counts them
    return loudness_of_hops(hops, rate)


SPEECH_INTERSAMPLE_DB = 0.7
"""How far the true peak of speech rises above its sample peak, at most (a bound used where a measure would cost)."""
OVERSAMPLE = 4
_HALF = 10 * OVERSAMPLE  # half-length of the interpolation filter, as scipy's resample_poly designs it


@functools.cache
def _interpolator() -> np.ndarray:
    """The 4x interpolation filter: a Kaiser-windowed sinc (as scipy's firwin(81, 1/4, ('kaiser', 5)) designs it)."""
    n = np.arange(2 * _HALF + 1) - _HALF
    h = np.sinc(n / OVERSAMPLE) * np.kaiser(2 * _HALF + 1, 5.0)
    return (h / h.sum() * OVERSAMPLE).astype(np.float32)


def _upsampled(x: np.ndarray) -> np.ndarray:
    """``x`` at 4x its rate through the interpolation filter (as scipy's upfirdn(h, x, 4) gives it), one
    polyphase branch at a time (the zeros between the samples are never multiplied)."""
    h = _interpolator()
    y = np.zeros(OVERSAMPLE * (len(x) - 1) + len(h), np.float32)
    for k in range(OVERSAMPLE):
        branch = np.convolve(x, h[k::OVERSAMPLE])
        y[k::OVERSAMPLE][: len(branch)] = branch
    return y


def true_peak_dbtp(x: np.ndarray, margin_db: float = 1.5) -> float:
    """True peak in dBTP: the highest magnitude after 4x oversampling (ITU-R BS.1770-4, annex 2).

    Only the stretches within ``margin_db`` of the sample peak are oversampled (an inter-sample peak
    of speech does not rise that far above its samples); they are joined and filtered in one pass,
    and the outputs near each join are ignored.
    """
    mag = np.abs(x)
    top = float(mag.max(initial=0.0))
    if top == 0.0:
        return float("-inf")
    block, pad = 1024, 64
    pieces, spans, at = [], [], 0
    for run in _hot_runs(mag, top * 10 ** (-margin_db / 20), block):
        lo, hi = run[0] * block, min(len(x), (run[-1] + 1) * block)
        a, b = max(0, lo - pad), min(len(x), hi + pad)
        pieces.append(x[a:b])
        spans.append((at + lo - a, at + hi - a))  # the part of this piece whose outputs are trusted
        at += b - a
    y = np.abs(_upsampled(np.concatenate(pieces).astype(np.float32)))
    peak = top
    for lo, hi in spans:
        peak = max(peak, float(y[lo * OVERSAMPLE + _HALF: hi * OVERSAMPLE + _HALF].max()))
    return 20 * np.log10(peak)


def _hot_runs(mag: np.ndarray, level: float, block: int = 8192) -> list[np.ndarray]:
    """Runs of consecutive blocks that hold a sample at or above ``level``."""
    hot = np.unique(np.flatnonzero(mag >= level) // block)
    return np.split(hot, np.flatnonzero(np.diff(hot) > 1) + 1) if len(hot) else []


def _true_envelope(seg: np.ndarray) -> np.ndarray:
    """Per sample, the largest magnitude of the sample and the three oversampled points after it."""
    y = np.abs(_upsampled(seg.astype(np.float32)))
    env = y[_HALF: _HALF + OVERSAMPLE * len(seg)].reshape(len(seg), OVERSAMPLE).max(axis=1)
    edge = _HALF // OVERSAMPLE + 1  # the filter rings at the cut ends: trust the samples there
    env[:edge], env[-edge:] = np.abs(seg[:edge]), np.abs(seg[-edge:])
    return np.maximum(env, np.abs(seg))


def _moving_min(x: np.ndarray, size: int) -> np.ndarray:
    """The smallest value in a window of ``size`` (odd) centred on each sample; the ends repeat the edge values.

    van Herk / Gil-Werman: minima running forward and backward inside blocks of ``size``, so each output is
    the smaller of two of them (linear time, whatever the window)."""
    half = size // 2
    padded = np.pad(x, half, mode="edge")
    n = len(padded)
    blocks = -(-n // size)
    grid = np.full(blocks * size, np.inf, dtype=np.float64)
    grid[:n] = padded
    grid = grid.reshape(blocks, size)
    forward = np.minimum.accumulate(grid, axis=1).reshape(-1)
    backward = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].reshape(-1)
    out = np.minimum(backward[: n - size + 1], forward[size - 1: n])
    return out.astype(x.dtype, copy=False)


def _moving_mean(x: np.ndarray, size: int) -> np.ndarray:
    """The mean of a window of ``size`` centred on each sample; the ends repeat the edge values."""
    left = size // 2
    padded = np.pad(x.astype(np.float64), (left, size - 1 - left), mode="edge")
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    return ((sums[size:] - sums[:-size]) / size).astype(np.float32)


def limit(x: np.ndarray, ceiling_db: float, rate: int, smooth_ms: float = 3.0, true_peak: bool = True) -> np.ndarray:
    """A true-peak limiter: every peak, between samples too, under ``ceiling_db``, with a gain curve smoothed
    over ``smooth_ms`` (look-ahead, no clipping). Only the blocks near the peaks are touched.

    3 ms suits synthetic speech, whose excess peaks are isolated clicks: on the sample's longest paragraph
    it adds energy above 8 kHz 55 dB under the speech (15 ms: 52 dB under, and costs more loudness).

    The needed gain is min-filtered over a window and then averaged over a window no wider, so the
    smoothed gain never exceeds what any sample needs. ``true_peak=False`` limits the samples' own peaks
    (quicker; for taming clicks, where half a dB between samples does not matter).
    """
    ceiling = 10 ** (ceiling_db / 20)
    width = max(3, int(smooth_ms / 1000 * rate) | 1)
    block, pad = 1024, 4 * width
    out = x.astype(np.float32, copy=True)
    for run in _hot_runs(np.abs(x), ceiling * 10 ** (-SPEECH_INTERSAMPLE_DB / 20), block):
        lo, hi = max(0, run[0] * block - pad), min(len(x), (run[-1] + 1) * block + pad)
        seg = x[lo:hi]
        envelope = _true_envelope(seg) if true_peak else np.abs(seg)
        need = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12)).astype(np.float32)
        gain = _moving_mean(_moving_min(need, width * 2 + 1), width)
        out[lo:hi] = seg * gain
    return out
