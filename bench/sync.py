#!/usr/bin/env python3
"""Benchmark: where the read-along starts each sentence, against where the voice starts in the MP3.

The sample is built with its default voices twice, each with an empty cache: as before (a cue starts with its
sentence's clip, the engine's leading silence included) and as now (with the voice, measured from the clip's own
level: audio/mixer.py's voiced_span). In the encoded MP3, decoded by ffmpeg, the voice's onset after every pause
is the first 10 ms frame within 40 dB of the episode's loud frames (its 99th percentile); a cue that follows a
chapter's chime is left out. Printed: how far each cue starts before (negative) or after the voice, in ms.
Captions, the listening page's highlight and the book's overlays all take their times from these cues.

    python bench/sync.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import articlecast  # noqa: E402
from articlecast.audio import episode as episode_module  # noqa: E402
from articlecast.util.ffmpeg import decode  # noqa: E402

SAMPLE = ROOT / "script" / "sample.txt"


def offsets(work: Path, before: bool) -> list[int]:
    """Each cue's start minus the voice's onset after the pause before it, ms."""
    measured = episode_module.voiced_span
    if before:
        episode_module.voiced_span = lambda y, rate: (0, len(y))  # the clip's own start, as before
    try:
        os.environ["ARTICLECAST_CACHE"] = str(work / ("cache-before" if before else "cache-now"))
        built = articlecast.build(str(SAMPLE), output=work / ("before" if before else "now"), book=False)
    finally:
        episode_module.voiced_span = measured
    audio = decode(built.mp3, 16000).samples
    energy = np.square(audio[: len(audio) // 160 * 160].astype(np.float64)).reshape(-1, 160).mean(axis=1)
    loud = energy >= np.percentile(energy, 99) * 10 ** (-40 / 10)
    starts = {c.start_ms for c in built.episode.chapters}
    out = []
    cues = built.episode.cues
    for previous, cue in zip(cues, cues[1:]):
        if any(previous.end_ms <= s <= cue.start_ms for s in starts):
            continue
        first = (previous.end_ms + 30) // 10
        frames = np.flatnonzero(loud[first: cue.end_ms // 10])
        if len(frames):
            out.append(cue.start_ms - (first + int(frames[0])) * 10)
    return out


def row(name: str, values: list[int]) -> str:
    v = sorted(values)
    return (f"| {name} | {len(v)} | {statistics.median(v):+.0f} | {v[len(v) // 20]:+d} | {v[int(len(v) * 0.95)]:+d} | "
            f"{v[0]:+d} | {v[-1]:+d} |")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="articlecast-sync-") as tmp:
        work = Path(tmp)
        before, now = offsets(work, True), offsets(work, False)
    print("cue start minus the voice's onset in the MP3, ms (negative: the highlight and caption come first)\n")
    print("| build | cues after a pause | median | 5th pct | 95th pct | min | max |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(row("before: the clip's start", before))
    print(row("now: the voice's start (voiced_span)", now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
