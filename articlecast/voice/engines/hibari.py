"""hibari-tts: the offline default voice (weights ship inside the wheel)."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import version
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...errors import EngineUnavailableError
from ...models import Audio
from .base import Engine, VoiceInfo, register

if TYPE_CHECKING:
    from hibari import Hibari

log = logging.getLogger(__name__)


@register
class HibariEngine(Engine):
    """Kokoro-quality English voices, about 24x real time on one core."""

    name: ClassVar[str] = "hibari"
    offline: ClassVar[bool] = True
    credit: ClassVar[str] = "hibari-tts (Apache-2.0), a small voice distilled from Kokoro-82M, run offline"
    licence: ClassVar[str] = "Apache-2.0"
    install: ClassVar[str] = "pip install hibari-tts"
    default_voice: ClassVar[str] = "heart"
    parallel: ClassVar[bool] = True

    def __init__(self) -> None:
        try:
            import hibari.voices  # noqa: F401
        except ImportError:
            raise EngineUnavailableError("hibari is not installed; run 'pip install hibari-tts'") from None
        self._models: dict[str, Hibari] = {}
        self._loading = threading.Lock()  # speech threads share one model per voice

    def voices(self) -> list[VoiceInfo]:
        from hibari.voices import VOICES, voice_path

        found = []
        for name, v in VOICES.items():
            try:
                voice_path(name, download_missing=False)  # only voices already on disk: never download
            except (FileNotFoundError, ValueError):
                continue
            found.append(VoiceInfo(self.name, name, v.get("language", "en"),
                                   f"{v.get('accent', '')} {v.get('gender', '')}".strip(), 24000))
        return found

    def version(self) -> str:
        return version("hibari-tts")

    def _model(self, voice: str) -> Hibari:
        with self._loading:
            if voice not in self._models:
                from hibari import Hibari

                log.debug("loading hibari voice %s", voice)
                model = Hibari(voice=voice)
                _ = model.g2p  # its pronouncing dictionary, loaded once here rather than by two threads at once
                self._models[voice] = model
            return self._models[voice]

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        model = self._model(self.resolve_voice(voice))
        samples = model(text, speed=float(speed), seed=0)  # seed: the same text always sounds the same
        return Audio(np.asarray(samples, dtype=np.float32), 24000)
