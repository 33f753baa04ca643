"""A silent engine of exact, predictable length, for chapter arithmetic in tests and dry runs."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ...models import Audio
from .base import Engine, VoiceInfo, register


@register
class SilentEngine(Engine):
    """Every word lasts exactly 0.25 s / speed at 8 kHz; nothing is heard."""

    name: ClassVar[str] = "silent"
    offline: ClassVar[bool] = True
    credit: ClassVar[str] = "silence (test engine)"
    licence: ClassVar[str] = "none (test engine)"
    install: ClassVar[str] = ""
    default_voice: ClassVar[str] = "quiet"
    RATE: ClassVar[int] = 8000
    WORD_SECONDS: ClassVar[float] = 0.25

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(self.name, "quiet", "und", "silence, 0.25 s a word (for tests)", self.RATE)]

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        self.resolve_voice(voice)
        n = round(len(text.split()) * self.WORD_SECONDS / speed * self.RATE)
        return Audio(np.zeros(n, dtype=np.float32), self.RATE)
