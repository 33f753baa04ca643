"""The plan of an episode: every sentence (or piece of a long one) of the intro, the chapters and the outro, in
order, with its pause and voice, and the speech request behind it (planned by :mod:`..voice.plan`: what the
voice is given, not what the transcript shows).

The plan's key names everything that makes the audio; the encoded-audio cache keeps an episode under it.
"""

from __future__ import annotations

import dataclasses

from ..models import MIX_RATE
from ..script import intro_texts, outro_text
from ..script.model import AUTO, Script, ScriptChapter, Segment
from ..util.words import words
from ..voice.plan import SpeechPlanner
from ..voice.segments import SegmentCache
from ..voice.sentences import speakable_pieces
from ..voice.speaker import Request, request_key
from .encoded import encoded_exists, plan_key
from .mixer import Line, Part
from .music import Sounds

INTRO_PAUSE = 0.35
"""Silence between the sentences of the generated intro, seconds."""
OUTRO_PAUSE = 0.3
"""Silence after the outro, before the closing chime, seconds."""
MIXER_VERSION = "3"
"""Changes whenever the same plan would be laid out or levelled differently (part of the encoded-audio key)."""


def _lines(planner: SpeechPlanner, script: Script, segments: list[Segment],
           chapter: ScriptChapter | None = None) -> list[Line]:
    """The segments' lines (of ``chapter``: in its language and voices), one per sentence or piece, their requests
    added to the planner's."""
    out = []
    language = (chapter.language if chapter else "") or script.meta.language
    for seg in segments:
        label = planner.voice(seg.role, chapter).label
        pieces = speakable_pieces(seg.text, language=language)
        for i, piece in enumerate(pieces):
            pause = seg.pause / script.speed if i == len(pieces) - 1 else 0.0
            out.append(Line(piece, planner.add(piece, seg.role, chapter), pause, label, pause > 0, seg.role))
    return out


@dataclasses.dataclass
class Plan:
    """What an episode will say, part by part, and the speech requests behind it."""

    script: Script
    """The script, its voices made concrete."""
    parts: list[Part]
    """Intro, chapters, outro."""
    planner: SpeechPlanner
    """The speech requests (and how a text becomes one)."""
    opening: str
    """The generated intro's opening words (the length sentence goes after them); empty for the script's own."""
    bitrate: int
    """The MP3's bitrate, kbit/s."""
    sounds: Sounds | None = None
    """The show's own sound (a theme, a sting), or None: the generated chimes."""
    key: str = ""
    """The encoded-audio cache key of everything but the length sentence."""

    def __post_init__(self) -> None:
        self.rekey()

    @property
    def requests(self) -> list[Request]:
        """Every speech request."""
        return self.planner.requests

    def rekey(self) -> None:
        """Compute :attr:`key` again (after lines or requests were replaced)."""
        described = [[p.title, p.group, [[request_key(self.requests[ln.index]), ln.text, ln.pause, ln.voice,
                                          ln.paragraph_end] for ln in p.lines]] for p in self.parts]
        music = self.sounds.digest if self.sounds else None
        self.key = plan_key([MIXER_VERSION, MIX_RATE, self.script.speed, self.script.intro == AUTO, described,
                             *([music] if music else [])], self.bitrate)

    def use(self, index: int, request: Request) -> None:
        """Say line ``index`` with ``request`` instead (a retake: another speed or voice); the line's voice follows."""
        self.requests[index] = request
        label = request.voice.label
        for p in self.parts:
            p.lines[:] = [dataclasses.replace(ln, voice=label) if ln.index == index else ln for ln in p.lines]

    def missing(self, cache: SegmentCache) -> list[Request]:
        """The requests that will have to be synthesized (none when the whole episode is encoded in the cache)."""
        if encoded_exists(cache.base, self.key):
            return []
        return [r for r in self.requests if not cache.exists(request_key(r))]


def plan_episode(script: Script, bitrate: int, sounds: Sounds | None = None) -> Plan:
    """The plan of an episode: every sentence (or piece) of the intro, the chapters and the outro; ``sounds``: the
    show's own sound, loaded."""
    planner = SpeechPlanner.for_script(script)
    script = planner.script

    def lines(segments: list[Segment], chapter: ScriptChapter | None = None) -> list[Line]:
        return _lines(planner, script, segments, chapter)

    outro = Segment(outro_text(script) if script.outro == AUTO else script.outro, "host", OUTRO_PAUSE)
    opening = ""
    if script.intro == AUTO:
        opening, _, coming = intro_texts(script, 0.0)
        intro = lines([Segment(t, "host", INTRO_PAUSE) for t in (opening, coming) if t])
    else:
        intro = lines([Segment(script.intro, "host", INTRO_PAUSE)])
    t = words(script.meta.language)
    parts = [Part(t.gettext("Intro"), intro),
             *(Part(c.title, lines(list(c.segments), c), c.part, language=c.language) for c in script.chapters),
             Part(t.gettext("Outro"), lines([outro]))]
    if sounds and sounds.sting is not None:  # into the first question, and into each next article of a digest
        for n, (a, b) in enumerate(zip(script.chapters, script.chapters[1:]), 2):  # b is parts[n]
            parts[n].sting = (b.kind == "faq" and a.kind != "faq") or bool(a.part and b.part != a.part)
    return Plan(script, parts, planner, opening, bitrate, sounds)

