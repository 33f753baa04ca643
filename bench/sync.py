#!/usr/bin/env python3
"""Benchmark: where the read-along starts each sentence, against where the voice starts in the MP3.

The sample is built with its default voices twice, each with an empty cache: as before (a cue starts with its
sentence's clip, the engine's leading silence included) and as now (with the voice, measured from the clip's own
level: audio/mixer.py's voiced_span). In the encoded MP3, decoded by ffmpeg, the voice's onset after every pause
is the first 10 ms frame within 40 dB of the episode's loud frames (its 99th percentile); a cue that follows a
chapter's chime is left out. Printed: how far each cue starts before (negative) or after the voice, in ms.
Captions, the listening page's highlight and the book's overlays all take their times from these cues.

Then every word: the sample, a real web page (the first of bench/corpus) and a real PDF (Debian's
shared-mime-info specification, where installed), built with the default voices; the first minutes of each MP3
heard by Whisper base with word timestamps (an independent recognizer's own timing); the words it heard matched to
the episode's words in order (difflib, on the words as written), and for each match, the episode's start of the
word minus the recognizer's. Span starts (a sentence's first word, or the first word after a cut inside a long
one) are counted apart.

    python bench/sync.py            # both tables
    python bench/sync.py --words    # the words' table only
    python bench/sync.py --words --voice piper   # the words' table, the sample only, read by another voice
                                                 # (espeak: its words timed by ear, by Whisper base too)
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import articlecast  # noqa: E402
from articlecast.audio import episode as episode_module  # noqa: E402
from articlecast.inputs import read_article  # noqa: E402
from articlecast.util.ffmpeg import decode  # noqa: E402
from articlecast.voice.listening import LEAD_MS  # noqa: E402

SAMPLE = ROOT / "script" / "sample.txt"
PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")
MINUTES = 4
"""How much of each episode the recognizer hears (from the start)."""


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


def _plain(word: str) -> str:
    return re.sub(r"[^\w]", "", word.casefold())


def word_errors(work: Path, source: Path, name: str, voice: str = "") -> tuple[list[int], list[int], list[int], int]:
    """(span starts' errors, other words' starts' errors, every word's end's errors, ms; words the episode has in
    the minutes heard)."""
    from articlecast.check.recognizer import recognizer

    os.environ["ARTICLECAST_CACHE"] = str(work / "cache-words")
    built = articlecast.build(str(source), output=work / name, book=False, **({"voice": voice} if voice else {}))
    limit = MINUTES * 60
    audio = decode(built.mp3, 16000).samples[: limit * 16000]
    segments, _ = recognizer("base").model.transcribe(audio, language=built.episode.meta.language[:2] or "en",
                                                      word_timestamps=True, beam_size=1)
    heard = [(_plain(w.word), w.start, w.end) for s in segments for w in s.words]
    ours = [(_plain(word), a / 1000, b / 1000, k == 0) for c in built.episode.cues if len(c.words) == len(c.text.split())
            for k, (word, (a, b)) in enumerate(zip(c.text.split(), c.words)) if b / 1000 < limit - 2]
    matcher = difflib.SequenceMatcher(None, [h[0] for h in heard], [o[0] for o in ours], autojunk=False)
    spans, words, ends = [], [], []
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            (_, s_heard, e_heard), (_, s_ours, e_ours, first) = heard[block.a + i], ours[block.b + i]
            (spans if first else words).append(round((s_ours - s_heard) * 1000))
            ends.append(round((e_ours - e_heard) * 1000))
    return spans, words, ends, len(ours)


def back(errors: list[int], lead: int) -> str:
    """|error| median and 95th percentile once the recognizer's steady lead (listening.LEAD_MS, measured against
    the voices' own durations by bench/ear.py) is taken back."""
    v = sorted(abs(x - lead) for x in errors)
    return f"{statistics.median(v):.0f}, {v[int(len(v) * 0.95)]:.0f}"


def words_table(work: Path, voice: str = "") -> None:
    sources = [(f"the sample, {voice}" if voice else "the sample", SAMPLE)]
    for page in sorted((ROOT / "bench" / "corpus" / "html").glob("*.html.gz")):  # the first that is an article
        (work / "page.html").write_bytes(gzip.decompress(page.read_bytes()))
        try:
            read_article(work / "page.html")
        except articlecast.ArticlecastError:
            continue
        sources.append((f"a web page ({page.name[:12]}…, bench/corpus)", work / "page.html"))
        break
    if voice:
        sources = sources[:1]
    elif PDF.is_file():
        sources.append(("a PDF (shared-mime-info-spec.pdf)", PDF))
    print(f"\nthe episode's word starts against Whisper base's word timestamps, first {MINUTES} minutes, "
          "ms (|error|: median and 95th percentile; signed median)\n")
    print("| document | words matched | span starts: median, 95th | other word starts: median, 95th | "
          "signed median | word ends: median, 95th | signed median | starts, ends with Whisper's lead taken back: "
          "median, 95th |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    lead_start, lead_end = LEAD_MS
    for k, (name, source) in enumerate(sources):
        spans, words, ends, total = word_errors(work, source, f"words-{k}", voice)
        a, w, e = (sorted(abs(x) for x in v) for v in (spans, words, ends))
        print(f"| {name} | {len(ends)} of {total} | {statistics.median(a):.0f}, {a[int(len(a) * 0.95)]:.0f} | "
              f"{statistics.median(w):.0f}, {w[int(len(w) * 0.95)]:.0f} | {statistics.median(spans + words):+.0f} | "
              f"{statistics.median(e):.0f}, {e[int(len(e) * 0.95)]:.0f} | {statistics.median(ends):+.0f} | "
              f"{back(spans + words, lead_start)}; {back(ends, lead_end)} |")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="articlecast-sync-") as tmp:
        work = Path(tmp)
        if "--words" not in sys.argv:
            before, now = offsets(work, True), offsets(work, False)
            print("cue start minus the voice's onset in the MP3, ms (negative: the highlight and caption come first)\n")
            print("| build | cues after a pause | median | 5th pct | 95th pct | min | max |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            print(row("before: the clip's start", before))
            print(row("now: the voice's start (voiced_span)", now))
        voice = sys.argv[sys.argv.index("--voice") + 1] if "--voice" in sys.argv else ""
        words_table(work, voice)
    return 0


if __name__ == "__main__":
    sys.exit(main())
