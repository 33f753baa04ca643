#!/usr/bin/env python3
"""Benchmark: words timed by ear against the voices' own times.

A voice that reports no word times (espeak-ng, gTTS) has its sentences heard one at a time by Whisper base, and
the words' times taken from its word timestamps (articlecast/voice/listening.py). How right are they? hibari and
Piper time their words themselves (their predicted durations: the audio is made frame by frame from them), so
their sentences are heard by ear too, as if they had no times, and each word's start and end by ear compared with
the voice's own: signed and absolute, ms, every word after a sentence's first. Printed with the recognizer's raw
times (LEAD_MS off) and with the lead taken back (as the build does); LEAD_MS was set from the sample's sentences,
so the web page (the first article of bench/corpus) is the held-out check.

    python bench/ear.py
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import articlecast  # noqa: E402
from articlecast.inputs import read_article  # noqa: E402
from articlecast.models import Audio  # noqa: E402
from articlecast.voice import listening  # noqa: E402
from articlecast.voice.engines import get_engine  # noqa: E402

SENTENCES = 40
"""Sentences of each document (of at least six words), from its start."""


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s.split()) >= 6][:SENTENCES]


def documents(work: Path) -> list[tuple[str, list[str]]]:
    out = [("the sample (where LEAD_MS was set)", sentences((ROOT / "script" / "sample.txt").read_text()))]
    for page in sorted((ROOT / "bench" / "corpus" / "html").glob("*.html.gz")):
        (work / "page.html").write_bytes(gzip.decompress(page.read_bytes()))
        try:
            article = read_article(work / "page.html")
        except articlecast.ArticlecastError:
            continue
        text = " ".join(p for s in article.sections for p in s.paragraphs)
        out.append((f"a web page ({page.name[:12]}…, held out)", sentences(text)))
        break
    return out


def row(values: list[float]) -> str:
    v = sorted(values)
    return f"{statistics.median(v):+.0f} | {statistics.median(abs(x) for x in v):.0f} | {sorted(map(abs, v))[len(v) * 19 // 20]:.0f}"


def main() -> int:
    print("words timed by ear minus the voice's own times, ms (every word after a sentence's first)\n")
    print("| document | voice | lead | words | starts: signed median, abs median, abs 95th | "
          "ends: signed median, abs median, abs 95th |")
    print("|---|---|---|---:|---:|---:|")
    lead = listening.LEAD_MS
    with tempfile.TemporaryDirectory(prefix="articlecast-ear-") as tmp:
        for name, said in documents(Path(tmp)):
            for engine, voice in (("hibari", "heart"), ("piper", "joe")):
                own = [get_engine(engine).synthesize(s, voice, 1.0) for s in said]
                for taken in (False, True):
                    listening.LEAD_MS = lead if taken else (0, 0)
                    starts: list[float] = []
                    ends: list[float] = []
                    for s, a in zip(said, own):
                        b = listening.timed_by_ear(Audio(a.samples, a.sample_rate), s, "en")
                        if len(a.words) != len(s.split()) or len(b.words) != len(a.words):
                            continue
                        ms = a.sample_rate / 1000
                        starts += [(x[0] - y[0]) / ms for x, y in zip(b.words[1:], a.words[1:])]
                        ends += [(x[1] - y[1]) / ms for x, y in zip(b.words[1:], a.words[1:])]
                    how = f"taken back ({lead[0]}, {lead[1]})" if taken else "raw"
                    print(f"| {name} | {engine} | {how} | {len(starts)} | {row(starts)} | {row(ends)} |", flush=True)
    listening.LEAD_MS = lead
    return 0


if __name__ == "__main__":
    sys.exit(main())
