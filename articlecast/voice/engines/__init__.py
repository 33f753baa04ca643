"""Speech engines behind one small interface, found by name in a registry.

A new voice is one new module with an :class:`Engine` subclass decorated with :func:`register`.
Third-party engines come in through the ``articlecast.engines`` entry-point group: each entry point
names an Engine subclass.
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import ClassVar

from ...errors import EngineError, UnknownEngineError, UnknownVoiceError
from ...models import Audio

log = logging.getLogger(__name__)

BUILTIN = ("hibari", "piper", "espeak", "gtts", "silent")
"""Modules in this package that define engines (imported on first use)."""


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
        """Changes when the same text would sound different (part of the cache key)."""
        return "1"

    def resolve_voice(self, voice: str) -> str:
        """The voice's name here (the default voice for ""), or UnknownVoiceError naming the choices."""
        voice = voice or self.default_voice
        names = [v.name for v in self.voices()]
        if voice not in names:
            listed = ", ".join(names[:12]) + (f", ... ({len(names)} in all: speak.py voices --all)" if len(names) > 12 else "")
            raise UnknownVoiceError(f"engine {self.name!r} has no voice {voice!r}; choose one of: {listed or '(none installed)'}")
        return voice


_REGISTRY: dict[str, type[Engine]] = {}
_INSTANCES: dict[str, Engine] = {}
_loaded = False


def register(cls: type[Engine]) -> type[Engine]:
    """Class decorator: make an engine available by its name."""
    _REGISTRY[cls.name] = cls
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in BUILTIN:
        importlib.import_module(f"{__name__}.{mod}")
    for ep in entry_points(group="articlecast.engines"):
        try:
            register(ep.load())
        except Exception as e:  # a broken plug-in must not stop the built-in voices
            log.warning("engine plug-in %s could not be loaded: %s", ep.name, e)


def engine_classes() -> dict[str, type[Engine]]:
    """Every registered engine class by name, installed or not."""
    _load_all()
    return dict(sorted(_REGISTRY.items()))


def engine_names() -> list[str]:
    """Every registered engine's name."""
    _load_all()
    return sorted(_REGISTRY)


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (one shared instance per process)."""
    _load_all()
    if name not in _REGISTRY:
        raise UnknownEngineError(f"unknown engine {name!r}; choose one of: {', '.join(sorted(_REGISTRY))}")
    if name not in _INSTANCES:
        try:
            _INSTANCES[name] = _REGISTRY[name]()
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(f"engine {name!r} failed to start ({e}); reinstall it with 'pip install -e .'") from e
    return _INSTANCES[name]
