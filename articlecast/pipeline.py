"""The whole build: script -> speech -> episode (the CLI writes the files)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .cache import SegmentCache
from .mixer import LEAD_IN, TAIL, Part, Spoken, chime, mix, transition
from .models import AUTO, Episode, Script, Segment
from .script import intro_text, outro_text
from .speech import Progress, Request, speak

log = logging.getLogger(__name__)
WORDS_PER_SECOND = 2.6
"""A typical speaking rate, to estimate the intro's own length before it is spoken."""


def build_episode(script: Script, cache: SegmentCache,
                  progress: Callable[[int], Progress] | None = None) -> Episode:
    """Speak every chapter, write the intro and outro, mix. ``progress(total)`` returns a callback."""
    segs = [s for c in script.chapters for s in c.segments]
    report = progress(len(segs) + 2) if progress else None
    audio = speak([Request(s.text, script.voices[s.role]) for s in segs], cache, report)
    it = iter(audio)
    body = [Part(c.title, [Spoken(s.text, next(it), s.pause) for s in c.segments]) for c in script.chapters]

    outro_words = outro_text(script) if script.outro == AUTO else script.outro
    rate = 44100
    fixed = (2 * len(chime()) + len(transition()) * (len(body) + 1)) / rate + LEAD_IN + TAIL
    spoken = sum(a.seconds for a in audio) + sum(s.pause for s in segs)
    if script.intro == AUTO:
        draft = intro_text(script, spoken + fixed)
        estimate = spoken + fixed + (len(draft.split()) + len(outro_words.split())) / WORDS_PER_SECOND
        intro_words = intro_text(script, estimate)
    else:
        intro_words = script.intro
    intro_seg = Segment(intro_words, "host", 0.4)
    outro_seg = Segment(outro_words, "host", 0.3)
    ends = speak([Request(s.text, script.voices["host"]) for s in (intro_seg, outro_seg)], cache, report)
    intro = Part("Intro", [Spoken(intro_seg.text, ends[0], intro_seg.pause)])
    outro = Part("Outro", [Spoken(outro_seg.text, ends[1], outro_seg.pause)])
    log.debug("cache: %d hits, %d misses", cache.hits, cache.misses)
    return mix(script.meta, intro, body, outro)
