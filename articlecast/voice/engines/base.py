"""The interface every speech engine implements, and the registry engines put themselves in by name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ...errors import UnknownVoiceError
from ...models import Audio

__all__ = ["Engine", "VoiceInfo", "register", "REGISTRY"]


@dataclass(frozen=True)
class VoiceInfo:
    """A voice an engine offers."""

    engine: str
    """The engine's registry name."""
    name: str
    """The voice's name inside the engine."""
    language: str
    """Language tag, e.g. "en-US"."""
    description: str = ""
    """One line for people choosing a voice."""
    sample_rate: int = 0
    """Samples per second the voice produces."""


class Engine(ABC):
    """Text in, mono samples out."""

    name: ClassVar[str]
    """Registry name, used in scripts and on the command line."""
    offline: ClassVar[bool]
    """True when the engine never uses the network."""
    default_voice: ClassVar[str]
    """The voice used when a script names none."""
    parallel: ClassVar[bool] = False
    """True when the engine may speak in several threads at once (its work runs without Python's lock)."""
    credit: ClassVar[str] = ""
    """Who made the voice, for the show notes."""
    licence: ClassVar[str] = ""
    """The licence of the voice and its model (SPDX), for people choosing one."""
    install: ClassVar[str] = ""
    """How to install the engine where it is missing (one command)."""
    timed: ClassVar[bool] = False
    """True when the engine times its words itself (``Audio.words``, from the voice's own phoneme durations);
    the words of one that does not are timed by a speech recognizer listening to its audio, where one is
    installed (:mod:`articlecast.voice.listening`)."""

    @abstractmethod
    def voices(self) -> list[VoiceInfo]:
        """The voices usable here and now (never ones that would need a download)."""

    @abstractmethod
    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        """Speak ``text`` with ``voice`` at ``speed`` (1.0 = natural pace)."""

    @classmethod
    def installed(cls) -> bool:
        """Whether the engine can run here (its package or program is present)."""
        return True

    def version(self) -> str:
        """Changes when the same text would sound different or be timed differently (part of the cache key)."""
        return "1"

    def resolve_voice(self, voice: str) -> str:
        """The voice's name here (the default voice for ""), or UnknownVoiceError naming the choices."""
        voice = voice or self.default_voice
        names = [v.name for v in self.voices()]
        if voice not in names:
            listed = ", ".join(names[:12]) + (f", ... ({len(names)} in all: speak.py voices --all)" if len(names) > 12 else "")
            raise UnknownVoiceError(f"engine {self.name!r} has no voice {voice!r}; choose one of: {listed or '(none installed)'}")
        return voice


REGISTRY: dict[str, type[Engine]] = {}
"""Every engine class by its name: the built-in ones, and third parties' through entry points."""


def register(cls: type[Engine]) -> type[Engine]:
    """Class decorator: make an engine available by its name."""
    REGISTRY[cls.name] = cls
    return cls
