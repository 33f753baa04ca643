"""The whole build: script -> speech -> episode -> published files. :func:`produce` is what the command
line (and any batch runner) calls; :func:`build_episode` stops at the mixed episode.

Every segment is spoken sentence by sentence, so each sentence is cached on its own and its place in
the episode is known exactly (the transcripts' cues come from there).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import SegmentCache, trim
from .errors import ScriptError
from .lexicon import compile_lexicon
from .mixer import Part, Spoken, fixed_seconds, mix
from .models import AUTO, Audio, Episode, Script, Segment, Voice
from .script import intro_texts, outro_text, resolve_voices
from .sentences import split_sentences
from .speech import Progress, Request, Speaker

if TYPE_CHECKING:
    from .publish import Artwork, Published

log = logging.getLogger(__name__)
INTRO_PAUSE = 0.35
"""Silence between the sentences of the generated intro, seconds."""


Plan = list[tuple[Segment, list[str]]]
"""Segments, each with its sentences (each spoken, cached and captioned on its own)."""


def _plan(segments: Iterable[Segment]) -> Plan:
    return [(s, split_sentences(s.text)) for s in segments]


def _spoken(plan: Plan, audio: Iterator[Audio], script: Script) -> list[Spoken]:
    """The plan's sentences with their audio, taken in order from ``audio``; a segment's pause follows its last."""
    out = []
    for seg, sentences in plan:
        v = script.voices[seg.role]
        for i, sentence in enumerate(sentences):
            pause = seg.pause / script.speed if i == len(sentences) - 1 else 0.0
            out.append(Spoken(sentence, next(audio), pause, f"{v.engine}:{v.voice}"))
    return out


def _paced(voice: Voice, speed: float) -> Voice:
    pace = round(voice.speed * speed, 4)
    if not 0.5 <= pace <= 2.0:
        raise ScriptError(f"speed {speed:g} makes the {voice.engine} voice run at {pace:g}x; voices run from 0.5x "
                          "to 2.0x: choose a speed that keeps every voice in that range")
    return dataclasses.replace(voice, speed=pace)


def build_episode(script: Script, cache: SegmentCache,
                  progress: Callable[[int], Progress] | None = None, speaker: Speaker | None = None) -> Episode:
    """Speak every chapter, the intro and the outro, and mix. ``progress(total)`` returns a callback.

    ``speaker``: a :class:`Speaker` the caller keeps open across several episodes (one pool of workers)."""
    started = time.perf_counter()
    script = resolve_voices(script)
    lexicon = compile_lexicon(script.lexicon)
    voices = {role: _paced(v, script.speed) for role, v in script.voices.items()}
    host = voices["host"]
    outro = Segment(outro_text(script) if script.outro == AUTO else script.outro, "host", 0.3)
    if script.intro == AUTO:
        opening, _, coming = intro_texts(script, 0.0)
        intro = [Segment(t, "host", INTRO_PAUSE) for t in (opening, coming) if t]
    else:
        intro = [Segment(script.intro, "host", INTRO_PAUSE)]
    parts = [("Intro", _plan(intro), ""), *((c.title, _plan(c.segments), c.part) for c in script.chapters),
             ("Outro", _plan([outro]), "")]
    # the voice is given the lexicon's words; the transcript keeps the article's
    requests = [Request(lexicon.apply(t), voices[s.role]) for _, plan, _ in parts for s, sentences in plan for t in sentences]
    report = progress(len(requests) + (script.intro == AUTO)) if progress else None
    if speaker is not None:
        speaker.progress = report or (lambda n: None)
    with nullcontext(speaker) if speaker is not None else Speaker(cache, report) as speaker:
        audio = speaker.speak(requests)
        if script.intro == AUTO:
            # the one sentence that needs the episode's length, spoken now that the rest is known
            seconds = fixed_seconds(len(script.chapters), script.speed) + sum(a.seconds for a in audio)
            seconds += sum(s.pause for _, plan, _ in parts for s, _ in plan) / script.speed
            length = intro_texts(script, seconds + 3.0 / script.speed)[1]  # + the length sentence itself
            said = speaker.speak([Request(lexicon.apply(length), host)])[0]
    spoken_at = time.perf_counter()
    it = iter(audio)
    first, *body, last = [Part(title, _spoken(plan, it, script), group) for title, plan, group in parts]
    if script.intro == AUTO:  # the length sentence goes after the opening's sentences
        at = len(split_sentences(opening))
        told = Spoken(length, said, INTRO_PAUSE / script.speed, f"{host.engine}:{host.voice}")
        first = Part("Intro", [*first.spoken[:at], told, *first.spoken[at:]])
    episode = mix(script.meta, first, body, last, pace=script.speed)
    log.debug("cache: %d hits, %d misses; spoken in %.1f s, mixed in %.1f s", cache.hits, cache.misses,
              spoken_at - started, time.perf_counter() - spoken_at)
    return episode


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
            speaker: Speaker | None = None) -> Published:
    """Build ``script`` and publish it into ``folder`` and its feed (after :func:`prepare`)."""
    from .publish import publish_episode

    cache = cache or SegmentCache()
    episode = build_episode(script, cache, progress, speaker)
    published = publish_episode(episode, script, folder, art, bitrate, cache.encoded, base_url)
    trim(cache.base)
    return published
