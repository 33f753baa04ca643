"""The facts every stage shares — the roles, the range of speeds, the bitrates, the sample rates, the default
show, the kinds of sections — and the one type they all pass, :class:`Audio` (mono samples at a rate).

Each stage's own types live beside it: the article in :mod:`.inputs.article`, the script in
:mod:`.script.model`, a spoken sentence in :mod:`.voice.said`, the timeline and its chapters in
:mod:`.audio.timeline`, the check's report in :mod:`.check.report`, the finished episode in
:mod:`.publish.episode`. Each class validates itself in ``__post_init__`` and raises
:class:`~.errors.FieldError`, which names the field and the value it refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .errors import FieldError

__all__ = ["ROLES", "BITRATES", "DEFAULT_BITRATE", "SPEED_MIN", "SPEED_MAX", "DEFAULT_SHOW", "DEFAULT_CATEGORY",
           "LANGUAGE_RE", "UNSPACED", "count_words", "ISO_639_2", "three_letter_language", "two_letter_language",
           "MIX_RATE", "EPISODE_RATE", "PARAGRAPH_PAUSE", "SECTION_KINDS", "Tick", "Reading",
           "untold", "need_text", "speed_ok", "SPEED_WORDS", "Audio"]

ROLES = ("host", "narrator", "question", "answer")
"""The roles a script maps to voices."""


BITRATES = (64, 80, 96, 112, 128, 160, 192)
"""MP3 bitrates offered, kbit/s (Apple recommends 96 to 128 for mono speech)."""


DEFAULT_BITRATE = 96
"""The MP3 bitrate unless one is asked for, kbit/s."""


SPEED_MIN, SPEED_MAX = 0.5, 2.0
"""The range of a voice's pace and of an episode's (1.0 = the voice's natural pace)."""


DEFAULT_SHOW = "Articlecast"
"""The show's name when neither the script nor the command line gives one."""


DEFAULT_CATEGORY = "Education"
"""The show's Apple Podcasts category unless its script names one."""


LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A BCP 47 language tag, as far as feeds and players care ("en", "en-GB", "pt-BR")."""

UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""The characters of scripts written without spaces between words (Japanese kana, Chinese and Japanese
characters), as the inside of a regular expression's [...]."""
_UNSPACED = re.compile(f"[{UNSPACED}]")


def count_words(text: str) -> int:
    """How many words ``text`` holds: what stands between spaces; in Chinese and Japanese, written without them,
    about two characters to a word."""
    unspaced = len(_UNSPACED.findall(text))
    if not unspaced:
        return len(text.split())
    return len(_UNSPACED.sub(" ", text).split()) + (unspaced + 1) // 2


ISO_639_2 = dict(pair.split(":") for pair in (
    "af:afr am:amh ar:ara az:aze be:bel bg:bul bn:ben bs:bos ca:cat cs:ces cy:cym da:dan de:deu el:ell en:eng "
    "eo:epo es:spa et:est eu:eus fa:fas fi:fin fr:fra ga:gle gd:gla gl:glg gu:guj he:heb hi:hin hr:hrv hu:hun "
    "hy:hye id:ind is:isl it:ita ja:jpn ka:kat kk:kaz kn:kan ko:kor ku:kur ky:kir la:lat lb:ltz lt:lit lv:lav "
    "mk:mkd ml:mal mn:mon mr:mar ms:msa mt:mlt my:mya nb:nob ne:nep nl:nld nn:nno no:nor pa:pan pl:pol pt:por "
    "ro:ron ru:rus si:sin sk:slk sl:slv sq:sqi sr:srp sv:swe sw:swa ta:tam te:tel th:tha tr:tur uk:ukr ur:urd "
    "uz:uzb vi:vie zh:zho").split())
"""ISO 639-1 two-letter codes to ISO 639-2 three-letter ones (the terminology codes, as ISO 639-3 has them): ID3's
language frames take the three letters."""


def three_letter_language(tag: str) -> str:
    """The ISO 639-2 code of a language tag ("es-MX" -> "spa"; a three-letter tag as it is; "und" when unknown)."""
    base = tag.split("-")[0].lower()
    if len(base) == 3 and base.isalpha():
        return base
    return ISO_639_2.get(base, "und")


def two_letter_language(code: str) -> str:
    """The language tag of an ISO 639-2 code ("spa" -> "es"; a tag as it is; "" for "und" or nothing)."""
    code = code.strip()
    if code.lower() in ("", "und", "mul", "zxx"):
        return ""
    back = {three: two for two, three in ISO_639_2.items()} | {"ger": "de", "fre": "fr", "chi": "zh", "dut": "nl"}
    return back.get(code.lower(), code)


MIX_RATE = 24000
"""Samples per second of every sentence as stored, and of the mix: the offline voices' own rate (hibari speaks at
24 kHz, piper at 22.05), so that the speech is not resampled at all, or once, up."""


EPISODE_RATE = 44100
"""Samples per second of the published MP3 (what podcast apps expect): the encoder resamples the mix once."""


PARAGRAPH_PAUSE = 0.8
"""Silence after a paragraph, seconds: a segment's pause unless it says otherwise."""


SECTION_KINDS = ("lead", "section", "faq", "closing")
"""What a part of an article is: opening prose, a headed section, one FAQ question, the closing words."""


Tick = Callable[[int], object]
"""Called with how many more items (sentences, captions, pages) are done: progress."""


Reading = Callable[[int], Tick]
"""Told how many pages a document has, when it is opened; returns what is told as each is read (progress)."""


def untold(n: int) -> None:
    """A :data:`Tick` that tells nobody."""


def need_text(cls: str, name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise FieldError(cls, name, value, "non-empty text")


def speed_ok(value: object) -> bool:
    """Whether ``value`` is a pace a voice can take."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and SPEED_MIN <= float(value) <= SPEED_MAX


SPEED_WORDS = f"a number from {SPEED_MIN} to {SPEED_MAX}"


@dataclass(frozen=True)
class Audio:
    """Mono samples and their rate."""

    samples: np.ndarray
    """float32 samples in [-1, 1], one channel."""
    sample_rate: int
    """Samples per second."""
    words: tuple[tuple[int, int], ...] = ()
    """Where each word of the text spoken (split at white space) starts and ends, in samples, as the voice
    measured it; empty when the voice does not say."""

    def __post_init__(self) -> None:
        if not isinstance(self.sample_rate, int) or self.sample_rate <= 0:
            raise FieldError("Audio", "sample_rate", self.sample_rate, "a positive integer")
        if not isinstance(self.samples, np.ndarray) or self.samples.ndim != 1:
            raise FieldError("Audio", "samples", type(self.samples).__name__, "a 1-D numpy array")
        if any(not 0 <= a <= b for a, b in self.words):
            raise FieldError("Audio", "words", self.words[:3], "(start, end) sample pairs with 0 <= start <= end")

    @property
    def seconds(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sample_rate
