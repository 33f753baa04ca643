"""espeak-ng: every language, tiny and instant, robotic; for drafts. Needs Debian's espeak-ng
(`apt-get install espeak-ng`); without it the engine is listed as not installed."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave
from typing import ClassVar

import numpy as np

from ... import stops
from ...errors import EngineError, EngineUnavailableError
from ...models import Audio
from .base import Engine, VoiceInfo, register

WORDS_PER_MINUTE = 175
"""espeak-ng's own default pace, our speed 1.0."""


@functools.cache
def _espeak() -> str | None:
    return shutil.which("espeak-ng")


@register
class EspeakEngine(Engine):
    """A voice per language code ("en-us", "fr", ...)."""

    name: ClassVar[str] = "espeak"
    offline: ClassVar[bool] = True
    credit: ClassVar[str] = "eSpeak NG, run offline"
    licence: ClassVar[str] = "GPL-3.0-or-later"
    install: ClassVar[str] = "apt-get install espeak-ng"
    default_voice: ClassVar[str] = "en-us"
    parallel: ClassVar[bool] = False  # a process per sentence already; instant

    @classmethod
    def installed(cls) -> bool:
        return _espeak() is not None

    def __init__(self) -> None:
        if not self.installed():
            raise EngineUnavailableError("espeak-ng is not installed; install it with: apt-get install espeak-ng")

    def voices(self) -> list[VoiceInfo]:
        return list(_voices())

    def version(self) -> str:
        out = subprocess.run([_espeak() or "espeak-ng", "--version"], capture_output=True, text=True)
        return out.stdout.strip() or "1"

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        voice = self.resolve_voice(voice)
        wpm = str(round(WORDS_PER_MINUTE * float(speed)))  # its own pace control
        with stops.quiet_children():  # a Ctrl-C to the process group is the build's to answer, not espeak's
            proc = subprocess.run([_espeak() or "espeak-ng", "--stdout", "-v", voice, "-s", wpm],
                                  input=text.encode("utf-8"), capture_output=True)
        try:
            if proc.returncode != 0:
                raise wave.Error(f"exit code {proc.returncode}")
            # espeak-ng streams its WAV, so the header's length is a placeholder: readframes takes what is there
            with wave.open(io.BytesIO(proc.stdout)) as w:
                rate, pcm = w.getframerate(), w.readframes(w.getnframes())
        except (wave.Error, EOFError) as e:
            raise EngineError(f"espeak-ng failed ({proc.stderr.decode(errors='replace').strip()[:200] or e})") from None
        pcm = pcm[: len(pcm) // 2 * 2]
        return Audio(np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0, rate)


@functools.cache
def _voices() -> tuple[VoiceInfo, ...]:
    exe = _espeak()
    if not exe:
        return ()
    out = subprocess.run([exe, "--voices"], capture_output=True, text=True).stdout.splitlines()[1:]
    found = []
    for line in out:
        parts = line.split()
        if len(parts) >= 4:
            found.append(VoiceInfo("espeak", parts[1], parts[1], parts[3].replace("_", " "), 22050))
    return tuple(found)
