"""Voices and speech: the engines, which voice speaks what, how a sentence is split and spelled out for a voice,
and the speaker that has sentences spoken (in speech threads or on Ray) and keeps them in the cache."""

from __future__ import annotations

from .choice import LANGUAGE_VOICES, LanguageVoices, espeak_voice, language_voices, voices_by_language
from .engines import Engine, VoiceInfo, engine_classes, forget_engines, get_engine
from .said import Said
from .segments import SegmentCache, to_pcm16

__all__ = ["Engine", "engine_classes", "espeak_voice", "forget_engines", "get_engine", "LANGUAGE_VOICES", "language_voices",
           "LanguageVoices",
           "Said", "SegmentCache", "to_pcm16", "VoiceInfo", "voices_by_language"]
