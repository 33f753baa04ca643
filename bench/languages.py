#!/usr/bin/env python3
"""Benchmark of the languages: real web pages nobody here wrote (bench/languages/corpus/, 10-12 per language,
with their sources and licences), each read by this tool as ``speak.py build page.html`` reads it, and the
opening of its article (its first sentences, about ``--words`` words) spoken three ways, side by side:

- **default**: the voice an article in that language gets by default here (``speak.py voices``);
- **espeak-ng**: espeak-ng's own voice for the language (the floor for any language);
- **English (before)**: hibari, the English voice every article got before languages were told apart (on the
  first four pages of each language: ``--before-pages``).

Each is listened back by the multilingual recognizer of the check (Whisper base, with the check's own second
hearing, words compared as spoken, numbers in the language's words; Japanese compared kana by kana, as its
reading), and scored by DNSMOS (``speechmos``, its
ONNX models; ``pip install speechmos librosa``, or the column shows "-") for naturalness. Speed is x real time
(seconds of speech made per second of wall time, two speech threads as a build uses) and CPU seconds per second
of speech, over the speech alone (pronunciations, model, espeak-ng's process).

    python bench/languages.py                    # every language (about 40 minutes on 2 cores)
    python bench/languages.py --lang es --pages 3
    python bench/languages.py --lang de --ways de_siwis,de_alex,espeak   # German: which voice reads it best

Results are kept per page and voice in --work (default: a folder under the system's temporary folder), so a
second run reprints the table without speaking again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from articlecast.check.listen import check_audio  # noqa: E402
from articlecast.check.recognizer import SAMPLE_RATE  # noqa: E402
from articlecast.errors import ArticleError  # noqa: E402
from articlecast.inputs.html import parse_html  # noqa: E402
from articlecast.script.model import Voice  # noqa: E402
from articlecast.voice import get_engine  # noqa: E402
from articlecast.voice.choice import FALLBACK, espeak_voice, language_voices  # noqa: E402
from articlecast.voice.conditioning import to_rate  # noqa: E402
from articlecast.voice.sentences import split_sentences  # noqa: E402
from articlecast.voice.spelling import spell_out  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "languages" / "corpus"
LANGUAGES = ("es", "fr", "it", "pt", "de", "ja")


@dataclass
class Result:
    """One page's opening, spoken by one voice and heard back."""

    page: str
    voice: str
    words: int
    missed: int
    audio_s: float
    wall_s: float
    cpu_s: float
    dnsmos: float | None


def language_of(tag: str) -> str:
    return tag.split("-")[0].lower()


def opening(page: Path, words: int) -> tuple[list[str], str]:
    """The first sentences of the page's article (about ``words`` words; in Japanese, two and a half characters
    to a word), and the language it was read as."""
    article = parse_html(page.read_bytes(), fallback_title=page.stem)
    out: list[str] = []
    count = 0
    for section in article.sections:
        for paragraph in section.paragraphs:
            for s in split_sentences(paragraph, article.language):
                if count >= words:
                    return out, article.language
                out.append(s)
                count += len(s) // 2.5 if language_of(article.language) in ("ja", "zh") else len(s.split())
    return out, article.language


def _cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


_DNSMOS: object | None = None


def dnsmos(samples: np.ndarray) -> float | None:
    """DNSMOS P.835's overall score (1-5) of 16 kHz speech, or None without speechmos."""
    global _DNSMOS
    if _DNSMOS is None:
        try:
            from speechmos import dnsmos as model
        except ImportError:
            _DNSMOS = False
            print("DNSMOS not measured: pip install speechmos librosa", file=sys.stderr)
        else:
            _DNSMOS = model
    if not _DNSMOS:
        return None
    scores = [_DNSMOS.run(samples[i:i + 10 * SAMPLE_RATE], SAMPLE_RATE)["ovrl_mos"]  # type: ignore[attr-defined]
              for i in range(0, max(1, len(samples) - 2 * SAMPLE_RATE), 10 * SAMPLE_RATE)]
    return float(np.mean(scores))


def speak(sentences: list[str], voice: Voice, language: str) -> tuple[list[np.ndarray], float, float, float]:
    """Each sentence spoken (two threads at once, as a build's speech threads), 16 kHz; audio, wall, CPU seconds."""
    engine = get_engine(voice.engine)
    engine.synthesize("Hola.", voice.voice)  # the model loaded outside the measurement
    texts = [spell_out(s, language) for s in sentences]
    wall, cpu = time.perf_counter(), _cpu()
    with ThreadPoolExecutor(2 if engine.parallel else 1) as pool:
        audio = list(pool.map(lambda t: engine.synthesize(t, voice.voice, 1.0), texts))
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    clips = [to_rate(a, SAMPLE_RATE) for a in audio]
    return clips, sum(len(c) for c in clips) / SAMPLE_RATE, wall, cpu


def measure(page: Path, voice: Voice, language: str, sentences: list[str], store: Path) -> Result:
    name = f"{voice.engine}:{voice.voice}"
    kept = store / f"{page.parent.name}-{page.stem}-{name.replace(':', '-')}.json"
    if kept.exists():
        return Result(**json.loads(kept.read_text()))
    # the English voice as it read every article before: English spelling rules on the article's words
    clips, audio_s, wall, cpu = speak(sentences, voice, "en" if voice == FALLBACK else language)
    checks = check_audio(list(zip(clips, sentences)), language)
    gap = np.zeros(SAMPLE_RATE // 4, dtype=np.float32)
    mos = dnsmos(np.clip(np.concatenate([x for c in clips for x in (c, gap)]), -1.0, 1.0))
    result = Result(page.stem, name, sum(c.words for c in checks), sum(c.missed for c in checks), audio_s, wall,
                    cpu, mos)
    kept.write_text(json.dumps(asdict(result)))
    return result


def ways(language: str, wanted: list[str]) -> list[tuple[str, Voice]]:
    """The voices compared for ``language``: its default here, espeak-ng's, the English voice of before (or the
    Kokoro voices named in ``wanted``, plus "espeak" and "english")."""
    out: list[tuple[str, Voice]] = []
    if wanted:
        for w in wanted:
            if w == "espeak":
                out.append(("espeak-ng", espeak_voice(language) or Voice("espeak", language)))
            elif w == "english":
                out.append(("English (before)", FALLBACK))
            else:
                out.append((w, Voice("kokoro", w)))
        return out
    default, _ = language_voices(language)
    out.append(("default", default))
    floor = espeak_voice(language)
    if floor and floor != default:
        out.append(("espeak-ng", floor))
    out.append(("English (before)", FALLBACK))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--lang", default=",".join(LANGUAGES), help="languages, comma-separated (default: %(default)s)")
    ap.add_argument("--pages", type=int, default=0, help="at most this many pages per language (0: all)")
    ap.add_argument("--words", type=int, default=80, help="about this many words of each page's opening")
    ap.add_argument("--ways", default="", help="voices to compare instead of the default three (kokoro voice "
                                               "names, 'espeak', 'english'), comma-separated")
    ap.add_argument("--before-pages", type=int, default=4,
                    help="the English voice of before on only the first N pages of each language (0: all); it is "
                         "there to show what changed, and listening back to a voice that misses half the words is "
                         "the bench's slowest part (default %(default)s)")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "articlecast-bench-languages")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ARTICLECAST_CACHE", str(args.work / "cache"))
    rows = []
    for language in args.lang.split(","):
        pages = sorted((CORPUS / language).glob("*.html"))[: args.pages or None]
        results: dict[str, list[Result]] = {}
        read_as: list[str] = []
        chosen = ways(language, [w for w in args.ways.split(",") if w])
        for n, page in enumerate(pages):
            try:
                sentences, found = opening(page, args.words)
            except ArticleError as e:
                print(f"{language} {page.name}: not read ({e})", file=sys.stderr)
                continue
            read_as.append(found)
            for label, voice in chosen:
                if voice == FALLBACK and args.before_pages and n >= args.before_pages:
                    continue
                r = measure(page, voice, language, sentences, args.work)
                results.setdefault(label, []).append(r)
                print(f"{language} {page.stem[:40]:<40} {label:<17} {r.voice:<16} {r.missed:>3}/{r.words:<3} missed "
                      f"{r.audio_s / r.wall_s:5.1f}x real time", file=sys.stderr, flush=True)
        right = sum(f.split("-")[0].lower() == language for f in read_as)
        for label, voice in chosen:
            rs = results.get(label, [])
            if not rs:
                continue
            words, missed = sum(r.words for r in rs), sum(r.missed for r in rs)
            mos = [r.dnsmos for r in rs if r.dnsmos is not None]
            audio, wall, cpu = sum(r.audio_s for r in rs), sum(r.wall_s for r in rs), sum(r.cpu_s for r in rs)
            worst = max(r.missed / r.words for r in rs if r.words)
            rows.append((language, f"{right}/{len(read_as)}", label, f"{voice.engine}:{voice.voice}", len(rs), words,
                         f"{100 * missed / words:.1f}%", f"{100 * worst:.0f}%",
                         f"{statistics.mean(mos):.2f}" if mos else "-", f"{audio / wall:.1f}x", f"{cpu / audio:.2f}"))
    head = ("lang", "read as", "way", "voice", "pages", "words", "missed", "worst page", "DNSMOS", "speed", "CPU s/s")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
