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
"""What "auto" means where piper is installed: a second offline voice, for the FAQ's questions."""


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


def _second_voice_here() -> bool:
    piper = engine_classes().get(SECOND_VOICE.engine)
    if piper is None or not piper.installed():
        return False
    try:
        return any(v.name == SECOND_VOICE.voice for v in get_engine(SECOND_VOICE.engine).voices())
    except ArticlecastError:
        return False


def resolve_voices(script: Script) -> Script:
    """The script with every "auto" voice made concrete for this machine: piper's joe where it is installed,
    else the narrator's voice."""
    if not any(v.engine == AUTO_VOICE for v in script.voices.values()):
        return script
    narrator = script.voices["narrator"]
    second = dataclasses.replace(SECOND_VOICE, speed=narrator.speed) if _second_voice_here() else narrator
    voices = {r: (second if v.engine == AUTO_VOICE else v) for r, v in script.voices.items()}
    return dataclasses.replace(script, voices=voices)


def require_voice(voice: Voice) -> None:
    """Raise UnknownEngineError or UnknownVoiceError (naming the choices) unless ``voice`` exists here."""
    get_engine(voice.engine).resolve_voice(voice.voice)


def require_voices(script: Script) -> None:
    """Every role's voice exists here."""
    for v in script.voices.values():
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
