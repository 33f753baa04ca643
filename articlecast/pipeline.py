"""The whole build: script -> speech -> episode -> published files. :func:`produce` is what the command
line (and any batch runner) calls; :func:`build_episode` makes the MP3 and its timeline.

Every segment is spoken sentence by sentence (long sentences in pieces), so each is cached on its own and
its place in the episode is known exactly (the transcripts' cues come from there).

The episode is streamed: sentences are mixed and encoded in order while later ones are still being
spoken. Mixing starts once the intro and START_FRACTION of the text are spoken; the levels and the
episode's length (which the generated intro says) are estimated from what is known then, and checked
when everything is: if the loudness misses by more than LEVEL_TOLERANCE_LU, a voice's level by more than
VOICE_TOLERANCE_DB, or the length the intro gives by more than a minute, the episode is mixed once more
from the cache with the exact figures (logged; rare).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .cache import SegmentCache, trim
from .check import CHAPTER_MAX, EPISODE_MAX
from .conditioning import RATE
from .encoder import Encoder, cached_encoding, plan_key, store_encoding
from .errors import ScriptError
from .lexicon import Lexicon, compile_lexicon
from .loudness import MP3_ALLOWANCE_LU
from .mixer import MIX_TARGET, Layout, Levels, Line, Part, Renderer, chime, fixed_seconds, leveled, plan_levels, transition
from .models import AUTO, Chapter, Cue, Episode, Script, Segment, Voice
from .script import intro_texts, outro_text, resolve_voices
from .sentences import speakable_pieces
from .speech import Progress, Request, Speaker, Stream, request_key

if TYPE_CHECKING:
    from .check import CheckReport
    from .publish import Artwork, Published
    from .retake import Listened

log = logging.getLogger(__name__)
INTRO_PAUSE = 0.35
"""Silence between the sentences of the generated intro, seconds."""
START_FRACTION = 0.25
"""Mixing starts when the intro and this share of the text (by characters) are spoken."""
LEVEL_TOLERANCE_LU = 0.5
"""How far the streamed mix's loudness may miss before it is mixed again."""
VOICE_TOLERANCE_DB = 1.0
"""How far a voice's estimated matching gain may miss before the mix is made again."""
MIXER_VERSION = "1"
"""Changes whenever the same plan would be laid out or levelled differently (part of the encoded-audio key)."""


def _paced(voice: Voice, speed: float) -> Voice:
    pace = round(voice.speed * speed, 4)
    if not 0.5 <= pace <= 2.0:
        raise ScriptError(f"speed {speed:g} makes the {voice.engine} voice run at {pace:g}x; voices run from 0.5x "
                          "to 2.0x: choose a speed that keeps every voice in that range")
    return dataclasses.replace(voice, speed=pace)


@dataclasses.dataclass
class _Planner:
    """Turns segments into lines (one per sentence or piece) and the speech requests behind them."""

    script: Script
    lexicon: Lexicon
    voices: dict[str, Voice]
    requests: list[Request] = dataclasses.field(default_factory=list)

    def request(self, text: str, role: str) -> int:
        # the voice is given the lexicon's words; the transcript keeps the article's
        self.requests.append(Request(self.lexicon.apply(text), self.voices[role]))
        return len(self.requests) - 1

    def lines(self, segments: list[Segment]) -> list[Line]:
        out = []
        for seg in segments:
            v = self.script.voices[seg.role]
            pieces = speakable_pieces(seg.text)
            for i, piece in enumerate(pieces):
                pause = seg.pause / self.script.speed if i == len(pieces) - 1 else 0.0
                out.append(Line(piece, self.request(piece, seg.role), pause, f"{v.engine}:{v.voice}", pause > 0))
        return out


def _length_minutes(seconds: float) -> int:
    return round(seconds / 60)


def _length_close(said: float, actual: float) -> bool:
    """Whether an intro that gave the length ``said`` is right about an episode of ``actual`` seconds: the same
    words, or for episodes of three minutes and more a minute off at most ("about 13 minutes" for 12:20)."""
    if intro_length(said) == intro_length(actual):
        return True
    return min(said, actual) >= 180 and abs(_length_minutes(said) - _length_minutes(actual)) <= 1


def intro_length(seconds: float) -> str:
    """The words the intro uses for a length (one place: the script's intro text)."""
    from .script import length_words

    return length_words(seconds)


@dataclasses.dataclass
class Plan:
    """What an episode will say, part by part, and the speech requests behind it."""

    script: Script
    """The script, its voices made concrete."""
    parts: list[Part]
    """Intro, chapters, outro."""
    planner: _Planner
    """The requests (and how lines are made)."""
    opening: str
    """The generated intro's opening words (the length sentence goes after them)."""
    key: str
    """The encoded-audio cache key of everything but the length sentence."""

    def missing(self, cache: SegmentCache) -> list[Request]:
        """The requests that will have to be synthesized (none when the whole episode is encoded in the cache)."""
        if cache.encoded_exists(self.key):
            return []
        return [r for r in self.planner.requests if not cache.exists(request_key(r))]


def plan_episode(script: Script, bitrate: int = 96) -> Plan:
    """The plan of an episode: every sentence (or piece) of the intro, the chapters and the outro."""
    script = resolve_voices(script)
    voices = {role: _paced(v, script.speed) for role, v in script.voices.items()}
    planner = _Planner(script, compile_lexicon(script.lexicon, normalized=script.normalize), voices)
    outro = Segment(outro_text(script) if script.outro == AUTO else script.outro, "host", 0.3)
    opening = coming = ""
    if script.intro == AUTO:
        opening, _, coming = intro_texts(script, 0.0)
        intro = planner.lines([Segment(t, "host", INTRO_PAUSE) for t in (opening, coming) if t])
    else:
        intro = planner.lines([Segment(script.intro, "host", INTRO_PAUSE)])
    parts = [Part("Intro", intro), *(Part(c.title, planner.lines(list(c.segments)), c.part) for c in script.chapters),
             Part("Outro", planner.lines([outro]))]
    return Plan(script, parts, planner, opening, _key(script, parts, planner, bitrate))


def _key(script: Script, parts: list[Part], planner: _Planner, bitrate: int) -> str:
    described = [[p.title, p.group, [[request_key(planner.requests[ln.index]), ln.text, ln.pause, ln.voice,
                                      ln.paragraph_end] for ln in p.lines]] for p in parts]
    return plan_key([MIXER_VERSION, RATE, script.speed, script.intro == AUTO, described], bitrate)


def _retake(plan: Plan, speaker: Speaker, cache: SegmentCache, bitrate: int,
            listening: Callable[[int], Progress] | None) -> Listened:
    """build --check: listen to every sentence, put the retakes in the plan (and their voices on the lines)."""
    from .retake import listen_back

    meant = {ln.index: ln.text for p in plan.parts for ln in p.lines}
    listened = listen_back(plan.planner.requests, meant, speaker, cache, listening, plan.script.meta.language)
    plan.planner.requests[:] = listened.requests
    for p in plan.parts:
        p.lines[:] = [dataclasses.replace(ln, voice=f"{r.voice.engine}:{r.voice.voice}")
                      if (r := plan.planner.requests[ln.index]).voice.engine != ln.voice.split(":")[0] else ln
                      for ln in p.lines]
    plan.key = _key(plan.script, plan.parts, plan.planner, bitrate)
    return listened


def _check_report(listened: Listened, parts: list[Part], timeline: dict[str, Any], check: Check) -> CheckReport:
    """The build's check: each chapter's figure from its sentences' verdicts, each sentence placed at its first
    caption (found by its words: the intro's length sentence has captions but was not checked)."""
    from .check import make_report
    from .retake import as_checks

    cues = [(" ".join(c[0].split()), c[1]) for c in timeline["cues"]]
    at, rows = 0, []
    for k, p in enumerate(parts):
        for ln in p.lines:
            text = " ".join(ln.text.split())
            start = timeline["chapters"][k][1]
            for j in range(at, len(cues)):
                if cues[j][0] and text.startswith(cues[j][0]):
                    start, at = cues[j][1], j + 1
                    break
            rows.append((ln.index, ln.text, start, k))
    chapters = [(t, a) for t, a, _, _ in timeline["chapters"]]
    return make_report(as_checks(listened, rows), chapters, check.max_episode, check.max_chapter)


def warm_up(speaker: Speaker, scripts: list[Script], cache: SegmentCache, bitrate: int = 96) -> None:
    """Start the speech workers, loading the voices they will need, while the caller still prepares (nothing
    when everything is in the cache)."""
    missing = [r for s in scripts for r in plan_episode(s, bitrate).missing(cache)]
    speaker.warm_up([r.voice for r in missing], len(missing))


@dataclasses.dataclass(frozen=True)
class Check:
    """build --check: listen to every sentence before mixing (and retake those heard badly)."""

    max_episode: float = EPISODE_MAX
    """The episode's most missed words (a share)."""
    max_chapter: float = CHAPTER_MAX
    """Any chapter's most missed words."""
    progress: Callable[[int], Progress] | None = None
    """``progress(total)`` returns a callback for the listening."""


def check_thresholds(check: Check | None) -> tuple[float, float] | None:
    """What of a check makes a build different (part of the build hash): its thresholds, or None."""
    return (check.max_episode, check.max_chapter) if check is not None else None


def build_episode(script: Script, cache: SegmentCache, mp3: Path, bitrate: int = 96,
                  progress: Callable[[int], Progress] | None = None, speaker: Speaker | None = None,
                  check: Check | None = None) -> Episode:
    """Speak, mix and encode the episode into ``mp3`` (untagged); returns its timeline. ``progress(total)`` returns
    a callback; ``speaker`` is a :class:`Speaker` the caller keeps open across several episodes; ``check``
    listens to every sentence first (the result in ``Episode.check``)."""
    started = time.perf_counter()
    plan = plan_episode(script, bitrate)
    with ExitStack() as stack:
        speaker = speaker if speaker is not None else stack.enter_context(Speaker(cache))
        return _build(plan, cache, mp3, bitrate, progress, speaker, check, started)


def _build(plan: Plan, cache: SegmentCache, mp3: Path, bitrate: int, progress: Callable[[int], Progress] | None,
           speaker: Speaker, check: Check | None, started: float) -> Episode:
    script, parts, planner, opening = plan.script, plan.parts, plan.planner, plan.opening
    total = len(planner.requests) + (script.intro == AUTO)
    report = progress(total) if progress else None
    speaker.progress = report or (lambda n: None)
    listened = None
    if check is not None:  # every sentence spoken and listened to first; then mixed from the cache
        listened = _retake(plan, speaker, cache, bitrate, check.progress)
        speaker.progress = lambda n: None
    key = plan.key
    intro = parts[0].lines
    host = script.voices["host"]
    host_label = f"{host.engine}:{host.voice}"
    record = cached_encoding(cache.encoded, key, mp3)
    if record is not None:
        log.debug("encoded audio from the cache (%s)", key)
        if report and not check:
            report(total)
        return _episode(script, record["timeline"], parts, listened, check)
    stream = speaker.stream(planner.requests)
    while stream.fraction < 1 and not (stream.fraction >= START_FRACTION and all(stream.ready(ln.index) for ln in intro)):
        stream.step(timeout=0.5)
    spoken_at = time.perf_counter()
    levels = plan_levels(_known(parts, stream))
    said_length, told = 0.0, None
    if script.intro == AUTO:  # the one sentence that needs the episode's length
        said_length = _estimate_seconds(parts, stream, script)
        told = _say_length(parts[0], planner, stream, script, said_length, opening, host_label)
    timeline = _render(parts, stream, levels, mp3, bitrate, script.speed)
    exact = plan_levels(_known(parts, stream))
    actual = timeline["chapters"][-1][2] / 1000
    redo = []
    if abs(timeline["mix_lufs"] - MIX_TARGET) > LEVEL_TOLERANCE_LU:
        redo.append(f"loudness {timeline['mix_lufs']:.2f} LUFS")
    if any(abs(exact.voice_db.get(v, 0) - levels.voice_db.get(v, 0)) > VOICE_TOLERANCE_DB for v in exact.voice_db):
        redo.append("voice levels")
    if script.intro == AUTO and not _length_close(said_length, actual):
        redo.append(f"length {said_length:.0f} s said, {actual:.0f} s made")
        told = _say_length(parts[0], planner, stream, script, actual, opening, host_label, told)
    if redo:
        log.info("mixing again from the cache with exact figures (%s)", ", ".join(redo))
        timeline = _render(parts, stream, exact, mp3, bitrate, script.speed)
        if abs(timeline["mix_lufs"] - MIX_TARGET) > LEVEL_TOLERANCE_LU and np.isfinite(timeline["mix_lufs"]):
            exact.programme_db += MIX_TARGET - timeline["mix_lufs"]
            timeline = _render(parts, stream, exact, mp3, bitrate, script.speed)
    log.debug("cache: %d hits, %d misses; mixing started after %.1f s, the last sentence was ready after %.1f s, "
              "all done after %.1f s", cache.hits, cache.misses, spoken_at - started, stream.last_ready - started,
              time.perf_counter() - started)
    store_encoding(cache.encoded, key, mp3, timeline)
    return _episode(script, timeline, parts, listened, check)


def _known(parts: list[Part], stream: Stream) -> list[tuple[str, Any]]:
    return [(ln.voice, stream.done[stream.keys[ln.index]]) for p in parts for ln in p.lines if stream.ready(ln.index)]


def _estimate_seconds(parts: list[Part], stream: Stream, script: Script) -> float:
    """The episode's length: the sentences spoken so far, the rest estimated from their characters at the pace
    each voice has shown; plus pauses, chimes and the length sentence itself."""
    spoken: dict[str, list[float]] = {}
    for p in parts:
        for ln in p.lines:
            if stream.ready(ln.index):
                said = stream.get(ln.index)
                spoken.setdefault(ln.voice, [0.0, 0.0])
                spoken[ln.voice][0] += said.samples / said.rate
                spoken[ln.voice][1] += len(ln.text)
    overall = sum(v[0] for v in spoken.values()) / max(1.0, sum(v[1] for v in spoken.values()))
    seconds = fixed_seconds(len(script.chapters), script.speed)
    for p in parts:
        for ln in p.lines:
            seconds += ln.pause
            if stream.ready(ln.index):
                said = stream.get(ln.index)
                seconds += said.samples / said.rate
            else:
                rate = spoken[ln.voice][0] / spoken[ln.voice][1] if ln.voice in spoken else overall
                seconds += rate * len(ln.text)
    return seconds + 3.0 / script.speed + INTRO_PAUSE / script.speed  # + the length sentence itself


def _say_length(intro: Part, planner: _Planner, stream: Stream, script: Script, seconds: float, opening: str,
                host: str, replaces: Line | None = None) -> Line:
    """Put the sentence that gives the episode's length after the intro's opening sentences (in place of the one
    said before, when given); returns it."""
    text = intro_texts(script, seconds)[1]
    planner.requests.append(Request(planner.lexicon.apply(text), planner.voices["host"]))
    line = Line(text, stream.add(planner.requests[-1]), INTRO_PAUSE / script.speed, host, True)
    if replaces is not None:
        intro.lines[intro.lines.index(replaces)] = line
    else:
        intro.lines.insert(len(speakable_pieces(opening)), line)
    return line


def _render(parts: list[Part], stream: Stream, levels: Levels, mp3: Path, bitrate: int, pace: float,
            rate: int = RATE) -> dict[str, Any]:
    """Lay out, level and encode the whole episode in order; returns its timeline (chapters, cues, levels)."""
    bell, sep = chime(rate), transition(rate, pace=pace)
    # the chimes sit 5 and 11 LU under the speech: left out of its loudness (BS.1770's relative gate drops most
    # of them anyway), as a mix is levelled by its speech; their peaks are far under the ceiling
    bell_hops = sep_hops = np.zeros(0)
    bell_peak, sep_peak = (20 * float(np.log10(np.abs(x).max())) for x in (bell, sep))
    with Encoder(mp3, bitrate, rate) as enc:
        out = Renderer(enc.write, rate)
        lay = Layout(rate=rate, pace=pace)
        starts = []
        for n, part in enumerate(parts):
            starts.append(lay.pos)
            if n == 0:
                out.add(lay.opening(), bell, bell_hops, bell_peak)
            else:
                out.add(lay.transition(), sep, sep_hops, sep_peak)
            for ln in part.lines:
                said = stream.get(ln.index)
                if ln.voice not in levels.voice_db:  # a voice first heard now: matched to what is known of it
                    levels.voice_db[ln.voice] = plan_levels(_known(parts, stream)).voice_db.get(ln.voice, 0.0)
                y, hops, peak = leveled(stream.audio(ln.index).samples, said, levels.gain(ln.voice), rate)
                out.add(lay.line(ln, said.samples), y, hops, peak)
        at, total = lay.closing()
        out.add(at, bell, bell_hops, bell_peak)
        out.finish(total)
        measured = enc.close()
    bounds = [*starts, total]
    chapters = [[p.title, lay.ms(a), lay.ms(b), p.group] for p, a, b in zip(parts, bounds, bounds[1:])]
    cues = [[c.text, c.start_ms, c.end_ms, c.paragraph_end, c.voice] for c in lay.cues]
    mix = out.loudness()
    log.debug("mixed: %.2f LUFS from the hops, %.2f LUFS as ffmpeg measured it; true peak %.2f dBTP", mix, measured,
              out.peak)
    return {"chapters": chapters, "cues": cues, "mix_lufs": mix if np.isfinite(mix) else MIX_TARGET,
            "lufs": (measured if np.isfinite(measured) else mix) - MP3_ALLOWANCE_LU, "peak": out.peak}


def _episode(script: Script, timeline: dict[str, Any], parts: list[Part] | None = None,
             listened: Listened | None = None, check: Check | None = None) -> Episode:
    chapters = tuple(Chapter(t, a, b, g) for t, a, b, g in timeline["chapters"])
    cues = tuple(Cue(t, a, b, bool(e), v) for t, a, b, e, v in timeline["cues"])
    report = None
    if listened is not None and check is not None and parts is not None:
        report = _check_report(listened, parts, timeline, check)
    return Episode(script.meta, chapters, cues, float(timeline["lufs"]), float(timeline["peak"]), report,
                   listened.retakes if listened else ())


def _check_language(script: Script) -> None:
    """Warn when the narrator's voice does not speak the article's language (a French page, an English voice)."""
    from .engines import get_engine

    want = script.meta.language.split("-")[0].lower()
    v = script.voices["narrator"]
    engine = get_engine(v.engine)
    info = next((x for x in engine.voices() if x.name == (v.voice or engine.default_voice)), None)
    has = info.language.split("-")[0].lower() if info else "und"
    if want and has not in ("und", want):
        from .engines import engine_classes

        hint = "see speak.py voices --all"
        for name, cls in engine_classes().items():
            if cls.offline and cls.installed() and name != "silent":
                found = [x for x in get_engine(name).voices() if x.language.split("-")[0].lower() == want]
                match = min(found, key=lambda x: x.language.lower() not in (want, f"{want}-{want}"), default=None)
                if match:
                    hint = f"for example --voice {name}:{match.name}"
                    break
        log.warning("the article is in %r but the voice %s:%s speaks %r; choose a voice that speaks it (%s)",
                    script.meta.language, v.engine, v.voice or engine.default_voice, has, hint)


def prepare(script: Script, folder: Path, source_dir: Path) -> Artwork:
    """Everything that can be checked before any speech is made: the voices, the cover art (paths relative
    to ``source_dir``), the output folder and its feed. Returns the artwork to publish with."""
    from .publish import artwork, prepare_output
    from .script import check_script_voices

    check_script_voices(script)
    _check_language(script)
    art = artwork(script, source_dir)
    prepare_output(folder)
    return art


def produce(script: Script, folder: Path, art: Artwork, bitrate: int = 96, base_url: str = "",
            cache: SegmentCache | None = None, progress: Callable[[int], Progress] | None = None,
            speaker: Speaker | None = None, check: Check | None = None) -> Published:
    """Build ``script`` and publish it into ``folder`` and its feed (after :func:`prepare`); ``check`` listens
    to it first (:class:`Check`)."""
    from .errors import OutputError, os_error_message
    from .files import temp_path
    from .publish import build_hash, publish_episode

    cache = cache or SegmentCache()
    try:
        mp3 = temp_path(folder / "episode.mp3")
    except OSError as e:
        raise OutputError(os_error_message(e, folder)) from None
    try:
        try:
            episode = build_episode(script, cache, mp3, bitrate, progress, speaker, check)
        except OSError as e:  # writing the MP3 (a full disk)
            raise OutputError(os_error_message(e, e.filename or folder)) from None
        published = publish_episode(episode, script, folder, art, mp3, base_url, build_hash(script, bitrate, base_url,
                                                                                    check_thresholds(check)))
    finally:
        mp3.unlink(missing_ok=True)
    trim(cache.base)
    return published
