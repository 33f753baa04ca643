"""Loudness, true peak and the limiter, on signals whose answers are known."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
from reference_mix import normalize

from articlecast.util.loudness import integrated_loudness, k_weighting, limit, true_peak_dbtp

RATE = 44100


def sine(freq: float, seconds: float, amp: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amp * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def test_full_scale_sine_reads_minus_3_lufs() -> None:
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS
    assert integrated_loudness(sine(997, 5, 1.0), RATE) == pytest.approx(-3.01, abs=0.05)


def test_agrees_with_pyloudnorm_on_speechlike_noise() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal(RATE * 20).astype(np.float32) * 0.1
    x[RATE * 5: RATE * 8] *= 0.01  # a quiet stretch the gate must drop
    ours = integrated_loudness(x, RATE)
    ref = pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64))
    # pyloudnorm scales its high pass to unity gain (b0 = 0.9946 at 44.1 kHz), BS.1770's table does not (b0 = 1):
    # 0.047 dB on broadband noise, nothing else
    assert ours == pytest.approx(ref, abs=0.06)


def test_k_weighting_is_the_standards_own_at_48_khz() -> None:
    """ITU-R BS.1770-4, Tables 1 and 2: the pre-filter and the RLB filter at 48 kHz."""
    shelf, high_pass = k_weighting(48000)
    assert shelf == pytest.approx((1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241,
                                   0.73248077421585), abs=1e-12)
    assert high_pass == pytest.approx((1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621), abs=1e-12)


def test_silence_is_minus_infinity() -> None:
    assert integrated_loudness(np.zeros(RATE, np.float32), RATE) == float("-inf")


def test_true_peak_finds_the_peak_between_samples() -> None:
    # a quarter-rate sine sampled at 45 degrees: every sample is at 0.707, the wave peaks at 1.0
    x = sine(RATE / 4, 1, 1.0, phase=np.pi / 4)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.05)
    assert true_peak_dbtp(x) == pytest.approx(0.0, abs=0.3)


def test_limiter_keeps_true_peaks_under_the_ceiling() -> None:
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(RATE * 5) * 0.05).astype(np.float32)
    x[::4410] = 0.99  # clicks, ten a second
    y = limit(x, -6.0, RATE)
    assert true_peak_dbtp(y) <= -6.0 + 0.05
    quiet = np.abs(x) < 0.1
    # away from the clicks the signal is untouched
    far = quiet.copy()
    for k in range(0, len(x), 4410):
        far[max(0, k - 400): k + 400] = False
    assert np.allclose(y[far], x[far])


def test_normalize_hits_target_and_ceiling() -> None:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(RATE * 10) * 0.01).astype(np.float32)
    x[::22050] = 0.5
    y, lufs, peak = normalize(x, RATE, -16.0, -1.5)
    assert lufs == pytest.approx(-16.0, abs=0.1)
    assert integrated_loudness(y, RATE) == pytest.approx(lufs, abs=0.01)
    assert peak <= -1.5 + 0.01 and true_peak_dbtp(y) == pytest.approx(peak, abs=0.01)
