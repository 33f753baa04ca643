"""The whole build: script -> speech -> episode (the CLI writes the files)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .cache import SegmentCache
from .mixer import Part, Spoken, fixed_seconds, mix
from .models import AUTO, Episode, Script, Segment
from .script import intro_texts, outro_text
from .speech import Progress, Request, Speaker

log = logging.getLogger(__name__)
INTRO_PAUSE = 0.35
"""Silence between the sentences of the generated intro, seconds."""


def build_episode(script: Script, cache: SegmentCache,
                  progress: Callable[[int], Progress] | None = None) -> Episode:
    """Speak every chapter, the intro and the outro, and mix. ``progress(total)`` returns a callback."""
    started = time.perf_counter()
    host = script.voices["host"]
    segs = [s for c in script.chapters for s in c.segments]
    outro = Segment(outro_text(script) if script.outro == AUTO else script.outro, "host", 0.3)
    if script.intro == AUTO:
        opening, _, coming = intro_texts(script, 0.0)
        before = [Segment(t, "host", INTRO_PAUSE) for t in (opening, coming) if t]
    else:
        before = [Segment(script.intro, "host", INTRO_PAUSE)]
    first = [Request(s.text, script.voices[s.role]) for s in segs] + [Request(s.text, host) for s in (*before, outro)]
    report = progress(len(first) + (script.intro == AUTO)) if progress else None
    with Speaker(cache, report) as speaker:
        audio = speaker.speak(first)
        body_audio, ends = audio[: len(segs)], audio[len(segs):]
        intro = [Spoken(s.text, a, s.pause) for s, a in zip(before, ends)]
        if script.intro == AUTO:
            # the one sentence that needs the episode's length, spoken now that the rest is known
            seconds = fixed_seconds(len(script.chapters)) + sum(a.seconds for a in audio) + sum(s.pause for s in (*segs, *before, outro))
            length = intro_texts(script, seconds + 3.0)[1]  # + the length sentence itself
            said = speaker.speak([Request(length, host)])[0]
            intro.insert(1, Spoken(length, said, INTRO_PAUSE))
    spoken_at = time.perf_counter()
    it = iter(body_audio)
    body = [Part(c.title, [Spoken(s.text, next(it), s.pause) for s in c.segments]) for c in script.chapters]
    log.debug("cache: %d hits, %d misses", cache.hits, cache.misses)
    episode = mix(script.meta, Part("Intro", intro), body, Part("Outro", [Spoken(outro.text, ends[-1], outro.pause)]))
    log.debug("spoken in %.1f s, mixed in %.1f s", spoken_at - started, time.perf_counter() - spoken_at)
    return episode
