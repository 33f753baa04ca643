"""Speech planning: what the voices are given for a script — each role's voice at the episode's pace, the
script's lexicon applied and written forms spelled out — and the speech requests, in the order they are said.
Where each one sits in the episode is the audio stage's (:mod:`..audio.plan`)."""

from __future__ import annotations

import dataclasses

from ..errors import ScriptError
from ..models import SPEED_MAX, SPEED_MIN
from ..script import Lexicon, compile_lexicon
from ..script.model import Script, ScriptChapter, Voice
from .choice import resolve_voices
from .speaker import Request
from .spelling import spell_out

__all__ = ["SpeechPlanner", "paced"]


def paced(voice: Voice, speed: float) -> Voice:
    """``voice`` at the episode's pace ``speed`` (the two multiply); a ScriptError when that leaves the range."""
    pace = round(voice.speed * speed, 4)
    if not SPEED_MIN <= pace <= SPEED_MAX:
        raise ScriptError(f"speed {speed:g} makes the {voice.engine} voice run at {pace:g}x; voices run from "
                          f"{SPEED_MIN:g}x to {SPEED_MAX:g}x: choose a speed that keeps every voice in that range")
    return dataclasses.replace(voice, speed=pace)


@dataclasses.dataclass
class SpeechPlanner:
    """Turns a script's texts into speech requests, in order."""

    script: Script
    """The script, its voices made concrete."""
    lexicon: Lexicon
    """The script's pronunciations."""
    voices: dict[str, Voice]
    """Each role's voice at the episode's pace."""
    requests: list[Request] = dataclasses.field(default_factory=list)
    """Every request, in the order made."""

    @classmethod
    def for_script(cls, script: Script) -> SpeechPlanner:
        """A planner for ``script``: its voices made concrete and paced, its lexicon compiled."""
        script = resolve_voices(script)
        for c in script.chapters:  # a chapter's own voices at the pace too: refused now, not half-way
            for v in c.voices.values():
                paced(v, script.speed)
        return cls(script, compile_lexicon(script.lexicon),
                   {role: paced(v, script.speed) for role, v in script.voices.items()})

    def spoken(self, text: str, language: str = "") -> str:
        """What the voice is given for ``text`` (in ``language``, else the episode's): the lexicon applied, then
        written forms spelled out (unless the script turns that off)."""
        text = self.lexicon.apply(text)
        return spell_out(text, language or self.script.meta.language) if self.script.spell_out else text

    def voice(self, role: str, chapter: ScriptChapter | None = None) -> Voice:
        """``role``'s voice at the episode's pace (in ``chapter``, its own where it has voices of its own)."""
        if chapter is not None and chapter.voices:
            return paced(chapter.voices[role], self.script.speed)
        return self.voices[role]

    def request(self, text: str, role: str, chapter: ScriptChapter | None = None) -> Request:
        """A request for ``text`` in ``role``'s voice (in ``chapter``: its language and voices; not yet part of the
        plan)."""
        return Request(self.spoken(text, chapter.language if chapter else ""), self.voice(role, chapter))

    def add(self, text: str, role: str, chapter: ScriptChapter | None = None) -> int:
        """``text`` said in ``role``'s voice next: its request appended; its index among the requests."""
        self.requests.append(self.request(text, role, chapter))
        return len(self.requests) - 1
