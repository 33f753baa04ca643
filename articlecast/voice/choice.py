"""Which voices speak: "ENGINE[:VOICE]" read, a script's "auto" voice made concrete for this machine, every
voice of a script checked before any speech is made, and the article's language matched against the voice."""

from __future__ import annotations

import dataclasses
import logging

from ..errors import ArticlecastError, InputError
from ..models import ROLES
from ..script.model import Script, Voice
from ..script.voices import AUTO_VOICE
from .engines import engine_classes, get_engine

log = logging.getLogger(__name__)

SECOND_VOICE = Voice("piper", "joe")
"""What "auto" means for an English article's FAQ questions where piper is installed: a second offline voice."""
LANGUAGE_VOICES: dict[str, tuple[Voice, ...]] = {
    "en": (Voice("hibari", "heart"), SECOND_VOICE),
    "es": (Voice("kokoro", "ef_dora"), Voice("kokoro", "em_alex")),
    "fr": (Voice("kokoro", "ff_siwis"),),
    "it": (Voice("kokoro", "if_sara"), Voice("kokoro", "im_nicola")),
    "pt": (Voice("kokoro", "pf_dora"), Voice("kokoro", "pm_alex")),
    "de": (Voice("kokoro", "de_alex"), Voice("kokoro", "de_siwis")),
    "ja": (Voice("kokoro", "jf_alpha"), Voice("kokoro", "jm_kumo")),
}
"""The most natural offline voices of each language (the narrator's, then a second for the FAQ's questions),
measured on real pages (bench/languages.py, docs/benchmarks.md#languages). Any other language espeak-ng speaks
is read by espeak-ng."""
FALLBACK = Voice("hibari", "heart")
"""The voice of a language no installed voice speaks (with a warning)."""


def parse_voice(text: str) -> Voice:
    """A voice from "ENGINE" or "ENGINE:VOICE" (not checked against what is installed)."""
    engine, _, voice = text.partition(":")
    if not engine.strip():
        raise InputError(f"--voice {text!r}: name an engine first, as ENGINE or ENGINE:VOICE (e.g. hibari:heart); "
                         "see speak.py voices")
    return Voice(engine.strip(), voice.strip())


def one_voice(script: Script, voice: Voice) -> Script:
    """``script`` with ``voice`` for every role."""
    return dataclasses.replace(script, voices={r: voice for r in ROLES})


def _here(voice: Voice) -> bool:
    cls = engine_classes().get(voice.engine)
    if cls is None or not cls.installed():
        return False
    try:
        get_engine(voice.engine).resolve_voice(voice.voice)
    except ArticlecastError:
        return False
    return True


def _language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language.split("-")[0].lower(), repr(language))


LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "it": "Italian", "pt": "Portuguese",
                  "de": "German", "nl": "Dutch", "zh": "Mandarin", "ja": "Japanese"}
"""Names for the warnings (the language tag otherwise)."""


def espeak_voice(language: str) -> Voice | None:
    """espeak-ng's voice for ``language`` (a tag such as "nl" or "pt-BR"), if espeak-ng is installed and speaks it."""
    cls = engine_classes().get("espeak")
    if cls is None or not cls.installed():
        return None
    names = [v.name for v in get_engine("espeak").voices()]
    tag = language.lower()
    base = tag.split("-")[0]
    for wanted in (tag, f"{base}-{base}", base):
        if wanted in names:
            return Voice("espeak", wanted)
    return next((Voice("espeak", n) for n in names if n.split("-")[0] == base), None)


def language_voices(language: str) -> tuple[Voice, Voice | None]:
    """The voices this machine reads ``language`` with: the narrator's, and a second one for the FAQ's questions
    (None: the narrator's). The most natural installed voice of the language (:data:`LANGUAGE_VOICES`); else
    espeak-ng's; else hibari, with a warning for each step down."""
    base = language.split("-")[0].lower() or "en"
    listed = [v for v in LANGUAGE_VOICES.get(base, ()) if _here(v)]
    if listed:
        return listed[0], (listed[1] if len(listed) > 1 else None)
    name = _language_name(language)
    fallback = espeak_voice(language)
    if fallback is not None:
        if base in LANGUAGE_VOICES:
            log.warning("no natural %s voice is installed, so espeak-ng (robotic) reads this episode; for one, "
                        "run: pip install 'articlecast[voices]'", name)
        else:
            log.warning("espeak-ng (robotic) reads this %s episode: no natural offline %s voice is available yet",
                        name, name)
        return fallback, None
    log.warning("no installed voice speaks %s, so hibari (English) reads this episode; install espeak-ng "
                "(apt-get install espeak-ng) for a voice that does", name)
    return FALLBACK, None


@dataclasses.dataclass(frozen=True)
class LanguageVoices:
    """One language's voices, as ``speak.py voices`` lists them."""

    language: str
    """The language's two-letter code."""
    name: str
    """The language's English name."""
    best: tuple[Voice, ...]
    """Its most natural voices (the narrator's, then the questions'), installed here or not."""
    here: Voice
    """The narrator's voice an article in the language gets on this machine."""
    licence: str
    """The licence of the best voice."""
    install: str
    """How to install the best voice ("" when it is installed)."""


def voices_by_language() -> list[LanguageVoices]:
    """Every language with natural voices: its best ones, and what this machine reads it with."""
    out = []
    for code, best in LANGUAGE_VOICES.items():
        listed = [v for v in best if _here(v)]
        here = listed[0] if listed else (espeak_voice(code) or FALLBACK)
        cls = engine_classes().get(best[0].engine)
        out.append(LanguageVoices(code, _language_name(code), best, here, cls.licence if cls else "",
                                  "" if listed else (cls.install if cls else "")))
    return out


def _resolved(voices: dict[str, Voice], language: str) -> dict[str, Voice]:
    """``voices`` (by role) with every "auto" made concrete for ``language`` on this machine."""
    if not any(v.engine == AUTO_VOICE for v in voices.values()):
        return voices
    first, second = language_voices(language)
    narrator = voices["narrator"]
    if narrator.engine == AUTO_VOICE:
        narrator = dataclasses.replace(first, speed=narrator.speed)
    second = dataclasses.replace(second or narrator, speed=narrator.speed)
    return {r: ((second if r == "question" else narrator) if v.engine == AUTO_VOICE else v) for r, v in voices.items()}


def resolve_voices(script: Script) -> Script:
    """The script with every "auto" voice made concrete for this machine and the episode's language: the
    narrator's role the language's most natural installed voice, the FAQ's questions a second voice of the
    language where there is one (piper's joe in English), the other roles the narrator's. A chapter with voices of
    its own (a digest's article in another language) has them made concrete for its language."""
    voices = _resolved(script.voices, script.meta.language)
    chapters = tuple(dataclasses.replace(c, voices=_resolved(c.voices, c.language or script.meta.language))
                     if c.voices else c for c in script.chapters)
    if voices is script.voices and all(a is b for a, b in zip(chapters, script.chapters)):
        return script
    return dataclasses.replace(script, voices=voices, chapters=chapters)


def require_voice(voice: Voice) -> None:
    """Raise UnknownEngineError or UnknownVoiceError (naming the choices) unless ``voice`` exists here."""
    get_engine(voice.engine).resolve_voice(voice.voice)


def require_voices(script: Script) -> None:
    """Every role's voice exists here (the chapters' own voices too)."""
    for voices in [script.voices, *(c.voices for c in script.chapters)]:
        for v in voices.values():
            if v.engine != AUTO_VOICE:
                require_voice(v)


def warn_about_language(script: Script) -> None:
    """Warn when the narrator's voice does not speak the article's language (a French page, an English voice),
    naming an installed voice that does."""
    want = script.meta.language.split("-")[0].lower()
    v = script.voices["narrator"]
    engine = get_engine(v.engine)
    info = next((x for x in engine.voices() if x.name == (v.voice or engine.default_voice)), None)
    has = info.language.split("-")[0].lower() if info else "und"
    if not want or has in ("und", want):
        return
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
