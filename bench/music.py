#!/usr/bin/env python3
"""How deep the theme is ducked under the voice, measured in the encoded MP3: the sample built with the real
voices, once without music and once with a theme of one 7 kHz tone (where a voice has almost no energy, so that
the bed's level under the speech can be read in a narrow band), and once with tools/theme.py's chord (what a
listener would hear). For each intro and outro sentence: the speech's level against the tone's under it; and
each episode's loudness and true peak (pyloudnorm, as tests/helpers.py measures), and its build time.

    python bench/music.py        # about two minutes on 2 cores (the sentences are spoken once, then cached)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import webvtt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))

from helpers import measure  # noqa: E402
from theme import render  # noqa: E402

from articlecast.audio.tags import read_mp3  # noqa: E402
from articlecast.util.ffmpeg import decode, ffmpeg_exe  # noqa: E402

TONE = 7000.0


def _ms(t: str) -> int:
    h, m, s = t.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)


def _band(x: np.ndarray, rate: int) -> tuple[float, float]:
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    band = np.abs(np.fft.rfftfreq(len(x), 1 / rate) - TONE) < 3
    return 10 * np.log10(power[band].sum() / len(x)), 10 * np.log10(power[~band].sum() / len(x))


def build(work: Path, name: str, *extra: str) -> tuple[Path, float]:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "speak.py"), "build", str(ROOT / "script" / "sample.txt"), "-q",
                    "-o", str(work / name), *extra], check=True, capture_output=True,
                   env={**os.environ, "ARTICLECAST_CACHE": str(work / "cache")})
    return next((work / name).glob("*.mp3")), time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", f"sine=frequency={TONE}:duration=60",
                        str(work / "tone.flac")], check=True)
        render(work / "chord.flac")
        plain, first = build(work, "plain")
        toned, toned_s = build(work, "tone", "--music", str(work / "tone.flac"))
        chord, chord_s = build(work, "chord", "--music", str(work / "chord.flac"))
        audio = decode(toned, 44100).samples
        cues = [(_ms(c.start), _ms(c.end)) for c in webvtt.read(str(toned.with_suffix(".vtt")))]
        chapters = read_mp3(toned).chapters
        intro_end, outro_start = chapters[0].end_ms, chapters[-1].start_ms
        alone, _ = _band(audio[int(0.5 * 44100): int(3.5 * 44100)], 44100)
        depths, ducks = [], []
        for start, end in cues:
            if end <= intro_end or start >= outro_start:
                under, speech = _band(audio[int(start * 44.1): int(end * 44.1)], 44100)
                depths.append(speech - under)
                ducks.append(alone - under)
        print(f"{len(depths)} intro and outro sentences: the speech over the theme under it: min {min(depths):.1f} dB, "
              f"median {statistics.median(depths):.1f} dB (WCAG 1.4.7 asks 20); the theme lowered from its level "
              f"alone by min {min(ducks):.1f} dB, median {statistics.median(ducks):.1f} dB\n")
        print("| episode | length | loudness | true peak | build (wall) |\n|---|---:|---:|---:|---:|")
        for label, mp3, seconds in (("no music (first build: speech made)", plain, first),
                                    ("7 kHz tone theme (mix only)", toned, toned_s),
                                    ("tools/theme.py chord (mix only)", chord, chord_s)):
            lufs, peak = measure(mp3)
            length = read_mp3(mp3).seconds
            print(f"| {label} | {length // 60:.0f}:{length % 60:02.0f} | {lufs:.1f} LUFS | {peak:.1f} dBTP "
                  f"| {seconds:.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
