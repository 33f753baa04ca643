"""gTTS: Google Translate's voice. Online only; never the default.

gTTS is used through its public API only. It goes through the proxy the environment names (HTTPS_PROXY), as
any HTTPS client does: that is how a network that needs one reaches Google, and how the tests put a local
server in Google's place.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import ClassVar

from ...errors import EngineError, EngineUnavailableError
from ...models import Audio
from ...util.ffmpeg import decode
from .base import Engine, VoiceInfo, register

log = logging.getLogger(__name__)


@register
class GttsEngine(Engine):
    """Many languages, needs the internet; each voice is a language code such as "en" or "fr"."""

    name: ClassVar[str] = "gtts"
    offline: ClassVar[bool] = False
    credit: ClassVar[str] = "Google Translate text-to-speech, through gTTS"
    licence: ClassVar[str] = "online service (Google)"
    install: ClassVar[str] = "pip install gTTS"
    default_voice: ClassVar[str] = "en"

    def __init__(self) -> None:
        try:
            import gtts  # noqa: F401
        except ImportError:
            raise EngineUnavailableError("gTTS is not installed; run 'pip install gTTS'") from None

    def voices(self) -> list[VoiceInfo]:
        from gtts.lang import tts_langs

        return [VoiceInfo(self.name, code, code, f"{name} (online, Google)", 24000) for code, name in tts_langs().items()]

    def version(self) -> str:
        return version("gTTS")

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        from gtts import gTTS, gTTSError

        voice = self.resolve_voice(voice)
        if speed != 1.0:
            log.warning("gtts cannot change its pace except 'slow'; speed %.2f is read as %s", speed,
                        "slow" if speed < 0.85 else "normal")
        tts = gTTS(text, lang=voice, slow=speed < 0.85, lang_check=False, timeout=20)
        host = "translate.google.com"
        try:
            data = b"".join(tts.stream())
        except gTTSError as e:
            raise EngineUnavailableError(
                f"gtts could not get speech from {host} ({e}); gtts is an online voice: connect to the internet, "
                "or use the offline voice with '--voice hibari'"
            ) from None
        except AssertionError as e:
            raise EngineError(f"gtts refused the text ({e}); check the segment is not just punctuation") from None
        if not data:
            raise EngineUnavailableError(f"gtts got no audio from {host}; try again later or use '--voice hibari'")
        return decode(data)
