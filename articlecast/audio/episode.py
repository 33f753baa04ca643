"""The episode's audio: a plan spoken, mixed and encoded as a stream, into an MP3 and its timeline.

Every sentence is spoken on its own (long ones in pieces), so each is cached on its own and its place in the
episode is known exactly (the captions come from there). Sentences are mixed and encoded in order while later
ones are still being spoken: mixing starts once the intro and START_FRACTION of the text are spoken; the levels
and the episode's length (which the generated intro says) are estimated from what is known then, and checked
when everything is: if the loudness misses by more than LEVEL_TOLERANCE_LU, a voice's level by more than
VOICE_TOLERANCE_DB, or the length the intro gives by more than a minute, the episode is mixed once more from the
cache with the exact figures (logged; rare).

A stop is answered between sentences (:mod:`..stops`); the encoder is then killed and the caller removes the
file.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from .. import stops
from ..models import MIX_RATE, Tick, untold
from ..script import intro_texts, length_words
from ..script.model import AUTO
from ..util.loudness import MIX_TARGET, MP3_ALLOWANCE_LU, hop_energies
from ..voice.sentences import speakable_pieces
from ..voice.speaker import Speaker, Stream
from .encoded import cached_encoding, encoded_folder, store_encoding
from .encoder import Encoder
from .mixer import TAIL, Layout, Levels, Line, Part, Renderer, fixed_seconds, leveled, plan_levels, voiced_span
from .music import FADE_SECONDS, THEME_LEAD_SECONDS, THEME_SWELL_SECONDS, THEME_TAIL_SECONDS, Sounds, bed, music_seconds
from .plan import INTRO_PAUSE, Plan
from .sounds import CHIME_SECONDS, chime, transition
from .timeline import Chapter, Timeline

log = logging.getLogger(__name__)
START_FRACTION = 0.25
"""Mixing starts when the intro and this share of the text (by characters) are spoken."""
LEVEL_TOLERANCE_LU = 0.5
"""How far the streamed mix's loudness may miss before it is mixed again."""
VOICE_TOLERANCE_DB = 1.0
"""How far a voice's estimated matching gain may miss before the mix is made again."""


def _length_close(said: float, actual: float, language: str = "en") -> bool:
    """Whether an intro that gave the length ``said`` is right about an episode of ``actual`` seconds: the same
    words, or for episodes of three minutes and more a minute off at most ("about 13 minutes" for 12:20)."""
    if length_words(said, language) == length_words(actual, language):
        return True
    return min(said, actual) >= 180 and abs(round(said / 60) - round(actual / 60)) <= 1


def render_episode(plan: Plan, speaker: Speaker, mp3: Path, progress: Tick | None = None) -> Timeline:
    """Speak, mix and encode ``plan`` into ``mp3`` (untagged); returns its timeline. ``progress`` is told of every
    sentence made ready."""
    started = time.perf_counter()
    script, parts, planner = plan.script, plan.parts, plan.planner
    cache = speaker.cache
    speaker.progress = progress or untold
    total = len(planner.requests) + (script.intro == AUTO)
    timeline = cached_encoding(encoded_folder(cache.base), plan.key, mp3)
    if timeline is not None:
        log.debug("encoded audio from the cache (%s)", plan.key)
        speaker.progress(total)
        return timeline
    stream = speaker.stream(planner.requests)
    intro = parts[0].lines
    while stream.fraction < 1 and not (stream.fraction >= START_FRACTION and all(stream.ready(ln.index) for ln in intro)):
        stream.step()
    spoken_at = time.perf_counter()
    levels = plan_levels(_known(parts, stream))
    said_length, told = 0.0, None
    if script.intro == AUTO:  # the one sentence that needs the episode's length
        said_length = _estimate_seconds(parts, stream, plan)
        told = _say_length(plan, stream, said_length)
    timeline = _render(parts, stream, levels, mp3, plan.bitrate, script.speed, plan.sounds)
    exact = plan_levels(_known(parts, stream))
    actual = timeline.seconds
    redo = []
    level = _level(timeline, plan)
    if abs(level - MIX_TARGET) > LEVEL_TOLERANCE_LU:
        redo.append(f"loudness {level:.2f} LUFS")
        if plan.sounds:  # the music is not in the speech's figures: the programme's own miss corrects it
            exact.programme_db += MIX_TARGET - level
    if any(abs(exact.voice_db.get(v, 0) - levels.voice_db.get(v, 0)) > VOICE_TOLERANCE_DB for v in exact.voice_db):
        redo.append("voice levels")
    if script.intro == AUTO and not _length_close(said_length, actual, script.meta.language):
        redo.append(f"length {said_length:.0f} s said, {actual:.0f} s made")
        told = _say_length(plan, stream, actual, told)
    if redo:
        log.info("mixing again from the cache with exact figures (%s)", ", ".join(redo))
        timeline = _render(parts, stream, exact, mp3, plan.bitrate, script.speed, plan.sounds)
        level = _level(timeline, plan)
        if abs(level - MIX_TARGET) > LEVEL_TOLERANCE_LU and np.isfinite(level):
            exact.programme_db += MIX_TARGET - level
            timeline = _render(parts, stream, exact, mp3, plan.bitrate, script.speed, plan.sounds)
    log.debug("cache: %d hits, %d misses; mixing started after %.1f s, the last sentence was ready after %.1f s, "
              "all done after %.1f s", cache.hits, cache.misses, spoken_at - started, stream.last_ready - started,
              time.perf_counter() - started)
    store_encoding(encoded_folder(cache.base), plan.key, mp3, timeline)
    return timeline


def _level(timeline: Timeline, plan: Plan) -> float:
    """What the mix is levelled by: its speech; with the show's music, the whole programme (the theme alone
    before and after the voice would otherwise leave the episode under its target)."""
    return timeline.loudness_lufs + MP3_ALLOWANCE_LU if plan.sounds else timeline.mix_lufs


def _known(parts: list[Part], stream: Stream) -> list[tuple[str, object]]:
    return [(ln.voice, stream.done[stream.keys[ln.index]]) for p in parts for ln in p.lines if stream.ready(ln.index)]


def _estimate_seconds(parts: list[Part], stream: Stream, plan: Plan) -> float:
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
    speed = plan.script.speed
    seconds = fixed_seconds(len(plan.script.chapters), speed)
    if plan.sounds:
        seconds += music_seconds(plan.sounds, sum(p.sting for p in parts))
    for p in parts:
        for ln in p.lines:
            seconds += ln.pause
            if stream.ready(ln.index):
                said = stream.get(ln.index)
                seconds += said.samples / said.rate
            else:
                rate = spoken[ln.voice][0] / spoken[ln.voice][1] if ln.voice in spoken else overall
                seconds += rate * len(ln.text)
    return seconds + 3.0 / speed + INTRO_PAUSE / speed  # + the length sentence itself


def _say_length(plan: Plan, stream: Stream, seconds: float, replaces: Line | None = None) -> Line:
    """Put the sentence that gives the episode's length after the intro's opening sentences (in place of the one
    said before, when given); returns it."""
    text = intro_texts(plan.script, seconds)[1]
    request = plan.planner.request(text, "host")
    plan.requests.append(request)
    line = Line(text, stream.add(request), INTRO_PAUSE / plan.script.speed, plan.script.voices["host"].label, True,
                "host")
    intro = plan.parts[0]
    if replaces is not None:
        intro.lines[intro.lines.index(replaces)] = line
    else:
        intro.lines.insert(len(speakable_pieces(plan.opening, language=plan.script.meta.language)), line)
    return line


def _spans(part: Part, stream: Stream, at: int, rate: int) -> tuple[list[tuple[int, int]], int]:
    """Where a part's sentences will be, from ``at`` (relative to it), and where it ends: for the bed under it."""
    spans, pos = [], 0
    for ln in part.lines:
        samples = stream.get(ln.index).samples
        spans.append((pos, pos + samples))
        pos += samples + int(ln.pause * rate)
    return spans, pos


def _peak_db(x: np.ndarray) -> float:
    top = float(np.abs(x).max()) if len(x) else 0.0
    return 20 * float(np.log10(top)) if top > 0 else float("-inf")


def _render(parts: list[Part], stream: Stream, levels: Levels, mp3: Path, bitrate: int, pace: float,
            sounds: Sounds | None = None, rate: int = MIX_RATE) -> Timeline:
    """Lay out, level and encode the whole episode in order; returns its timeline. With ``sounds``, the theme
    opens and closes it (ducked under the intro's and the outro's sentences) and the sting leads into the parts
    marked for it."""
    bell, sep = chime(rate), transition(rate, pace=pace)
    # the chimes sit 5 and 11 LU under the speech: the mix is levelled by its speech, and they count in the
    # programme's loudness only (what a listener's meter reads); their peaks are far under the ceiling
    bell_hops, sep_hops = hop_energies(bell, rate), hop_energies(sep, rate)
    bell_peak, sep_peak = _peak_db(bell), _peak_db(sep)
    last = len(parts) - 1
    with Encoder(mp3, bitrate, rate) as enc:
        out = Renderer(enc.write, rate)
        lay = Layout(rate=rate, pace=pace)
        starts = []
        for n, part in enumerate(parts):
            if sounds and n == 1:
                lay.gap(THEME_SWELL_SECONDS)  # the theme comes back up after the intro, and fades
            starts.append(lay.pos)
            if n == 0:
                at = lay.opening(THEME_LEAD_SECONDS if sounds else CHIME_SECONDS)
                if not sounds:
                    out.add(at, bell, bell_hops, bell_peak, speech=False)
            elif sounds and part.sting and sounds.sting is not None:
                at = lay.transition(len(sounds.sting))
                out.add(at, sounds.sting, None, _peak_db(sounds.sting), speech=False)
            else:
                at = lay.transition()
                out.add(at, sep, sep_hops, sep_peak, speech=False)
            if sounds and n in (0, last):  # the theme under the intro and the outro, ducked under their words
                spans, end = _spans(part, stream, lay.pos, rate)
                offset = lay.pos - at
                tail = THEME_SWELL_SECONDS if n == 0 else THEME_TAIL_SECONDS + TAIL / pace
                theme = bed(sounds.theme, offset + end + int(tail * rate), [(a + offset, b + offset) for a, b in spans],
                            fade_in=0.0 if n == 0 else FADE_SECONDS, rate=rate)
                out.add(at, theme, None, _peak_db(theme), speech=False)
            for ln in part.lines:
                said = stream.get(ln.index)
                if ln.voice not in levels.voice_db:  # a voice first heard now: matched to what is known of it
                    levels.voice_db[ln.voice] = plan_levels(_known(parts, stream)).voice_db.get(ln.voice, 0.0)
                spoken = stream.audio(ln.index).samples
                y, hops, peak = leveled(spoken, said, levels.gain(ln.voice), rate)
                # where the voice is, from the sentence as spoken (its level and limiting in this mix aside)
                out.add(lay.line(ln, said.samples, voiced_span(spoken, rate), stream.text(ln.index), said.words), y,
                        hops, peak)
                stops.check()
        at, total = lay.closing(THEME_TAIL_SECONDS if sounds else CHIME_SECONDS)
        if not sounds:
            out.add(at, bell, bell_hops, bell_peak, speech=False)
        out.finish(total)
        enc.close()
    bounds = [*starts, total]
    chapters = tuple(Chapter(p.title, lay.ms(a), lay.ms(b), p.group, p.language)
                     for p, a, b in zip(parts, bounds, bounds[1:]))
    speech, programme = out.loudness(speech_only=True), out.loudness()
    log.debug("mixed: the speech at %.2f LUFS, the programme at %.2f (from the hops); true peak %.2f dBTP", speech,
              programme, out.peak)
    speech = speech if np.isfinite(speech) else MIX_TARGET
    programme = programme if np.isfinite(programme) else speech
    return Timeline(chapters, tuple(lay.cues), programme - MP3_ALLOWANCE_LU, out.peak, speech)

