"""Speech engines behind one small interface, found by name in a registry.

A new voice is one new module with an :class:`Engine` subclass (:mod:`.base`) decorated with :func:`register`.
Third-party engines come in through the ``articlecast.engines`` entry-point group: each entry point
names an Engine subclass.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from ...errors import EngineError, UnknownEngineError
from . import espeak, gtts, hibari, kokoro, piper, silent  # noqa: F401 - each registers its engine
from .base import REGISTRY, Engine, VoiceInfo, register

log = logging.getLogger(__name__)

__all__ = ["Engine", "VoiceInfo", "engine_classes", "forget_engines", "get_engine", "register"]

_INSTANCES: dict[str, Engine] = {}
_plugged = False


def _plug_in() -> None:
    """Register the third parties' engines (once)."""
    global _plugged
    if _plugged:
        return
    _plugged = True
    for ep in entry_points(group="articlecast.engines"):
        try:
            register(ep.load())
        except Exception as e:  # a broken plug-in must not stop the built-in voices
            log.warning("engine plug-in %s could not be loaded: %s", ep.name, e)


def engine_classes() -> dict[str, type[Engine]]:
    """Every registered engine class by name, installed or not."""
    _plug_in()
    return dict(sorted(REGISTRY.items()))


def forget_engines() -> None:
    """Drop every engine instance and the voices they loaded (the next :func:`get_engine` starts it again): for a
    long-lived process that has nothing to speak for a while (the app). Not while anything is being spoken."""
    _INSTANCES.clear()


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (one shared instance per process)."""
    _plug_in()
    if name not in REGISTRY:
        raise UnknownEngineError(f"unknown engine {name!r}; choose one of: {', '.join(sorted(REGISTRY))}")
    if name not in _INSTANCES:
        try:
            _INSTANCES[name] = REGISTRY[name]()
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(f"engine {name!r} failed to start ({e}); reinstall it with 'pip install -e .'") from e
    return _INSTANCES[name]
