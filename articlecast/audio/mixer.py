"""Mixer: sentences, pauses, chimes and transitions laid out on one timeline and rendered in order, a few
seconds at a time, straight into the encoder. The programme never exists whole in memory.

    chime | intro | transition | chapter 1 | transition | ... | chapter n | transition | outro | chime

A chapter starts where the transition before it starts, so a listener who skips to a chapter hears the
transition sound and then its first words.

Levels: each voice as a whole gets one gain that matches it to the voice that speaks most, and the whole
programme one gain to -16 LUFS (plus the MP3 allowance). Both come from the sentences' BS.1770 hop
energies (measured where each sentence was made), placed where the sentences sit: no pass over the
mixed audio is needed to know its loudness. A sentence whose true peak would exceed the ceiling after
its gain is limited on its own, before it is placed (its own silences are its look-ahead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ..models import MIX_RATE
from ..util.loudness import CEILING_DBTP, MIX_TARGET, hop_energies, hop_length, limit, loudness_of_hops
from ..util.pairing import word_spans
from ..voice.said import Said
from .sounds import CHIME_SECONDS, TRANSITION_SECONDS, TRANSITION_SILENCE, transition
from .timeline import Chapter, Cue

LEAD_IN = 0.35
"""Silence after the opening chime, seconds."""
TAIL = 1.0
"""Silence at the very end, seconds."""
VOICE_MATCH_MAX_DB = 12.0
"""The most a voice's level is changed to match the others."""
CHUNK_SECONDS = 10.0
"""How much audio the renderer holds before handing it to the encoder."""


def fixed_seconds(chapters: int, pace: float = 1.0) -> float:
    """Length of everything but the speech and its pauses, for ``chapters`` chapters plus intro and outro."""
    notes = TRANSITION_SECONDS - TRANSITION_SILENCE
    return 2 * CHIME_SECONDS + (notes + TRANSITION_SILENCE / pace) * (chapters + 1) + (LEAD_IN + TAIL) / pace


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Line:
    """A sentence in the plan."""

    text: str
    """The words as written (for the captions)."""
    index: int
    """Which request of the speech stream says it."""
    pause: float
    """Silence after it, seconds (already divided by the pace)."""
    voice: str
    """Who says it ("engine:voice"): one gain per voice."""
    paragraph_end: bool = False
    """True when a paragraph ends with it (for the reading text)."""
    role: str = ""
    """Whose part it is (one of ROLES: the captions name the speaker by it)."""


@dataclass
class Part:
    """A chapter to lay out."""

    title: str
    """Chapter title."""
    lines: list[Line]
    """Its sentences, in order."""
    group: str = ""
    """The part of the episode it is nested under (a digest's article), or empty."""
    sting: bool = False
    """Whether the show's sting (not the usual transition) leads into it: the first question, a digest's next
    article."""
    language: str = ""
    """Its language where it is not the episode's (a digest's article in another language), else empty."""


# ---------------------------------------------------------------- levels


@dataclass
class Levels:
    """The gains the renderer applies: one per voice (matching) times one for the programme."""

    voice_db: dict[str, float] = field(default_factory=dict)
    """Each voice's matching gain, dB."""
    programme_db: float = 0.0
    """The whole programme's gain, dB."""

    def gain(self, voice: str) -> float:
        """The linear gain for a sentence of ``voice``."""
        return 10 ** ((self.programme_db + self.voice_db.get(voice, 0.0)) / 20)


def plan_levels(lines: Iterable[tuple[str, Said]], rate: int = MIX_RATE) -> Levels:
    """Levels from sentences' hop energies: each voice matched to the one that speaks most, the whole to MIX_TARGET.

    ``lines`` are (voice, said) of the sentences known so far; the speech is taken as if it were laid end to end
    (pauses and chimes add silence and quiet notes, which BS.1770's gates leave out)."""
    hops: dict[str, list[np.ndarray]] = {}
    length: dict[str, int] = {}
    for voice, said in lines:
        hops.setdefault(voice, []).append(said.hops)
        length[voice] = length.get(voice, 0) + said.samples
    if not hops:
        return Levels()
    level = {v: loudness_of_hops(np.concatenate(h), rate) for v, h in hops.items()}
    main = max(length, key=lambda v: length[v])
    voice_db = {}
    for v in hops:
        ok = np.isfinite(level[v]) and np.isfinite(level[main])
        voice_db[v] = float(np.clip(level[main] - level[v], -VOICE_MATCH_MAX_DB, VOICE_MATCH_MAX_DB)) if ok else 0.0
    matched = np.concatenate([h * 10 ** (voice_db[v] / 10) for v, hs in hops.items() for h in hs])
    speech = loudness_of_hops(matched, rate)
    return Levels(voice_db, MIX_TARGET - speech if np.isfinite(speech) else 0.0)


# ---------------------------------------------------------------- rendering


class Renderer:
    """Places audio on the timeline in order and hands finished stretches to ``write``; keeps the hop energies of the
    whole programme and of its speech alone (for their loudness), and the true peak, as it goes."""

    def __init__(self, write: Callable[[np.ndarray], None], rate: int = MIX_RATE) -> None:
        self.write = write
        self.rate = rate
        self.size = int(CHUNK_SECONDS * rate)
        self.buffer = np.zeros(self.size, np.float32)
        self.origin = 0
        """Where the buffer starts on the timeline, in samples."""
        self.hops: dict[int, float] = {}
        self.speech_hops: dict[int, float] = {}
        self.peak = float("-inf")

    def _flush(self) -> None:
        self.write(self.buffer[: self.size])
        self.origin += self.size
        rest = self.buffer[self.size:]
        self.buffer = np.zeros(max(self.size, len(rest)), np.float32)
        self.buffer[: len(rest)] = rest

    def add(self, at: int, x: np.ndarray, hops: np.ndarray | None = None, peak: float = float("-inf"),
            speech: bool = True) -> None:
        """Mix ``x`` in at sample ``at``: items come in the order of their starts (so that what is before ``at`` is
        final and written), and may overlap (a music bed under the sentences after it). ``hops`` are its hop
        energies and ``peak`` its true peak, as placed (measured here when not given); ``speech`` says whether it
        counts in the speech's loudness (the show's own sounds count in the programme's only)."""
        if at < self.origin:
            raise ValueError(f"renderer: audio at sample {at} comes after {self.origin} was written")
        if hops is None:
            hops = hop_energies(x, self.rate)
        hop = hop_length(self.rate)
        first = (at + hop // 2) // hop  # each hop of ``x`` goes to the programme's hop nearest its start
        for k, e in enumerate(hops):
            self.hops[first + k] = self.hops.get(first + k, 0.0) + float(e)
            if speech:
                self.speech_hops[first + k] = self.speech_hops.get(first + k, 0.0) + float(e)
        self.peak = max(self.peak, peak)
        while at >= self.origin + self.size:
            self._flush()
        start = at - self.origin
        if start + len(x) > len(self.buffer):  # held until what starts later is mixed in too
            self.buffer = np.concatenate([self.buffer, np.zeros(start + len(x) - len(self.buffer), np.float32)])
        self.buffer[start: start + len(x)] += x

    def finish(self, total: int) -> None:
        """Write everything up to sample ``total`` (the end of the programme)."""
        while self.origin + self.size <= total:
            self._flush()
        if total > self.origin:
            tail = self.buffer[: total - self.origin]
            self.write(np.concatenate([tail, np.zeros(total - self.origin - len(tail), np.float32)]))
            self.origin = total

    def loudness(self, speech_only: bool = False) -> float:
        """Integrated loudness of everything rendered (or of its speech alone), from the hop energies."""
        known = self.speech_hops if speech_only else self.hops
        if not known:
            return float("-inf")
        hops = np.zeros(max(known) + 1)
        for k, e in known.items():
            hops[k] = e
        return loudness_of_hops(hops, self.rate)


def leveled(x: np.ndarray, said: Said, gain: float, rate: int = MIX_RATE) -> tuple[np.ndarray, np.ndarray, float]:
    """A sentence at ``gain``, limited when its true peak would pass the ceiling: (samples, hop energies, peak)."""
    db = 20 * np.log10(gain) if gain > 0 else float("-inf")
    y = x * np.float32(gain)
    peak = said.peak_dbtp + db
    if peak > CEILING_DBTP:
        y = limit(y, CEILING_DBTP - 0.1, rate)
        return y, hop_energies(y, rate), CEILING_DBTP
    return y, said.hops * gain**2, peak


VOICED_DB = -40.0
"""A 10 ms frame of a sentence's clip is voice when its energy is within this of the clip's loudest frame."""
VOICED_MARGIN_MS = 20
"""Kept before the first voiced frame and after the last: a cue starts just before the voice, never after it."""


def voiced_span(x: np.ndarray, rate: int = MIX_RATE) -> tuple[int, int]:
    """Where the voice is in a sentence's clip, measured from its own level: (first sample, end), the voice's
    leading and trailing silence left out (all of it for a clip without sound). The captions, the page's highlight
    and the book's overlays start with the voice, not with the silence the engine put before it."""
    frame = max(1, rate // 100)
    n = len(x) // frame
    if n == 0:
        return 0, len(x)
    energy = np.square(x[: n * frame].astype(np.float64)).reshape(n, frame).mean(axis=1)
    top = float(energy.max())
    if top <= 0.0:
        return 0, len(x)
    loud = np.flatnonzero(energy >= top * 10 ** (VOICED_DB / 10))
    margin = rate * VOICED_MARGIN_MS // 1000
    return max(0, int(loud[0]) * frame - margin), min(len(x), (int(loud[-1]) + 1) * frame + margin)


MAX_CUE_MS = 10_000
"""The longest a sentence's span runs: a longer sentence is shown in parts, cut where a clause ends."""
CLAUSE_END = (",", ";", ":", "—", "–", ")")
"""How a word that ends a clause ends."""


def cues_for(line: Line, start: int, end: int, words: tuple[tuple[int, int], ...] = ()) -> list[Cue]:
    """A sentence's spans: one cue, or for a long sentence several, each a run of whole clauses where the
    sentence has them (else of words), cut where the voice measured the words to be (``words``: each written
    word's (start, end) milliseconds); without word times, a long sentence is one cue."""
    texts = line.text.split()
    times = tuple((min(max(a, start), end), min(max(b, start), end)) for a, b in words)
    if end - start <= MAX_CUE_MS or len(texts) < 2 or len(times) != len(texts):
        return [Cue(line.text, start, end, line.paragraph_end, line.voice, line.role, times)]
    cuts = _cuts(texts, times, start, end)
    out = []
    for i, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(texts)])):
        first = start if i == 0 else times[a][0]
        last = end if b == len(texts) else times[b - 1][1]
        out.append(Cue(" ".join(texts[a:b]), first, max(first, last), line.paragraph_end and b == len(texts),
                       line.voice, line.role, times[a:b]))
    return out


def _cuts(texts: list[str], times: tuple[tuple[int, int], ...], start: int, end: int) -> list[int]:
    """Where a long sentence is cut (the indices of the words that begin a part): after the last clause that
    ends within MAX_CUE_MS of the part's start (and not in its first quarter), else after the last word that does."""
    cuts: list[int] = []
    at, first = start, 1
    while end - at > MAX_CUE_MS:
        fits = [k for k in range(first, len(texts)) if times[k - 1][1] - at <= MAX_CUE_MS]
        if not fits:
            break
        clauses = [k for k in fits if texts[k - 1].endswith(CLAUSE_END) and times[k - 1][1] - at >= MAX_CUE_MS / 4]
        k = (clauses or fits)[-1]
        cuts.append(k)
        at, first = times[k][0], k + 1
    return cuts


@dataclass
class Layout:
    """Where everything goes, worked out part by part as the sentences become known."""

    rate: int = MIX_RATE
    pace: float = 1.0
    pos: int = 0
    """The next free sample."""
    chapters: list[Chapter] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)

    def ms(self, samples: int) -> int:
        """Samples as milliseconds."""
        return round(samples * 1000 / self.rate)

    def opening(self, seconds: float = CHIME_SECONDS) -> int:
        """The opening chime's place (or the theme's ``seconds`` alone); speech starts after it and the lead-in."""
        at = self.pos
        self.pos += int(seconds * self.rate) + int(LEAD_IN / self.pace * self.rate)
        return at

    def transition(self, samples: int | None = None) -> int:
        """A transition's place (a chapter starts there); ``samples``: the sting's length instead."""
        at = self.pos
        self.pos += len(transition(self.rate, pace=self.pace)) if samples is None else samples
        return at

    def gap(self, seconds: float) -> None:
        """Silence (under the theme) before what comes next."""
        self.pos += int(seconds * self.rate)

    def line(self, line: Line, samples: int, voiced: tuple[int, int] | None = None, spoken: str = "",
             words: tuple[tuple[int, int], ...] = ()) -> int:
        """A sentence's place; its cues are recorded (more than one when it is long), over its ``voiced`` span of
        samples (see :func:`voiced_span`; None: all of them), with its written words' times where the voice
        measured the ``words`` of what it was given (``spoken``)."""
        at = self.pos
        first, end = voiced or (0, samples)
        times = word_spans(line.text.split(), spoken.split(), words) if words else ()
        self.cues += cues_for(line, self.ms(at + first), self.ms(at + end),
                              tuple((self.ms(at + a), self.ms(at + b)) for a, b in times))
        self.pos += samples + int(line.pause * self.rate)
        return at

    def closing(self, seconds: float = CHIME_SECONDS) -> tuple[int, int]:
        """The closing chime's place (or the theme's ``seconds`` alone) and the programme's end."""
        at = self.pos
        self.pos += int(seconds * self.rate) + int(TAIL / self.pace * self.rate)
        return at, self.pos
