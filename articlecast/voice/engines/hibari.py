"""hibari-tts: the offline default voice (weights ship inside the wheel)."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import version
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...errors import EngineUnavailableError
from ...models import Audio
from ...util.onnxgraph import ELEM_INT64
from ...util.pairing import word_spans
from .base import Engine, VoiceInfo, register
from .timing import TIMING_VERSION, padded_words, settled, timed_session

if TYPE_CHECKING:
    from hibari import Hibari
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

DURATIONS = "/Cast_32_output_0"
"""The one spot read inside hibari's graph (hibari-tts 0.2): the whole number of steps the model gives each
phoneme id, predicted before any sound is made (the length regulator's input). Each step is two frames of 12.5 ms;
the test checks that they add up to the audio exactly and that the audio is the same as hibari's own."""
STRESS = str.maketrans("", "", "ˈˌ")


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
    timed: ClassVar[bool] = True

    def __init__(self) -> None:
        try:
            import hibari.voices  # noqa: F401
        except ImportError:
            raise EngineUnavailableError("hibari is not installed; run 'pip install hibari-tts'") from None
        self._models: dict[str, tuple[Hibari, InferenceSession | None]] = {}
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
        return f"{version('hibari-tts')}+w{TIMING_VERSION}"

    def _model(self, voice: str) -> tuple[Hibari, InferenceSession | None]:
        with self._loading:
            if voice not in self._models:
                from hibari import Hibari

                log.debug("loading hibari voice %s", voice)
                model = Hibari(voice=voice)
                _ = model.g2p  # its pronouncing dictionary, loaded once here rather than by two threads at once
                with open(model.model_path, "rb") as f:
                    timed = timed_session(f.read(), DURATIONS, ELEM_INT64, "hibari")
                if timed is not None:  # one session per voice: hibari's own (the same graph, one output less) let go
                    model.sess = timed
                self._models[voice] = (model, timed)
            return self._models[voice]

    def synthesize(self, text: str, voice: str, speed: float = 1.0) -> Audio:
        """hibari's own synthesis (``Hibari.__call__`` with seed 0, so the same text always sounds the same), each
        of its chunks run here to read the phonemes' durations too: the words' times."""
        from hibari import dsp

        model, timed = self._model(self.resolve_voice(voice))
        if timed is None:
            return Audio(np.asarray(model(text, speed=float(speed), seed=0), dtype=np.float32), 24000)
        rng = np.random.default_rng(0)
        parts: list[np.ndarray] = []
        said: list[str] = []
        spans: list[tuple[int, int]] = []
        at = 0
        timed_ok = True
        for phonemes in model.phonemize(text):
            ids = model.ids(phonemes)
            if len(ids) < 3:  # as hibari: nothing to say, no noise drawn
                continue
            out = timed.run(None, {"ids": np.asarray([ids], np.int64), "speed": np.asarray([speed], np.float32)})
            wav = dsp.synth(*(o[0] for o in out[:6]), rng)
            symbols = [ch for ch in phonemes if ch in model.vocab]  # ids: a pad, one per symbol, a pad
            words = padded_words(symbols, out[6], len(wav), at, "hibari") if timed_ok else None
            if words is None:
                timed_ok = False
            else:
                said += [w.translate(STRESS) for w in words[0]]
                spans += words[1]
            parts.append(wav)
            at += len(wav)
        samples = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
        if not timed_ok:
            return Audio(samples, 24000)
        spans = settled(spans, samples, 24000)
        return Audio(samples, 24000, word_spans(text.split(), said, spans, same_alphabet=False))
