"""hibari-tts: the offline default voice (weights ship inside the wheel)."""

from __future__ import annotations

import logging
import threading
from importlib.metadata import version
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...errors import EngineUnavailableError
from ...models import Audio
from ...util.pairing import word_spans
from .base import Engine, VoiceInfo, register

if TYPE_CHECKING:
    from hibari import Hibari
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

DURATIONS = "/Cast_32_output_0"
"""The one spot read inside hibari's graph (hibari-tts 0.2): the whole number of steps the model gives each
phoneme id, predicted before any sound is made (the length regulator's input). Each step is two frames of 12.5 ms;
the test checks that they add up to the audio exactly and that the audio is the same as hibari's own."""
STRESS = str.maketrans("", "", "ˈˌ")
PUNCTUATION = frozenset(';:,.!?—…"()“”')
"""hibari's symbols that are pauses, not sounds."""


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field."""
    key, size, out = (number << 3) | 2, len(payload), bytearray()
    for value in (key, size):
        while value > 0x7F:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out) + payload


def with_durations(model: bytes) -> bytes:
    """hibari's ONNX model with DURATIONS as one more output. Protobuf merges a message field that occurs twice,
    so a second ModelProto.graph (field 7) holding one GraphProto.output (field 12: a ValueInfoProto named
    DURATIONS, typed as a tensor, field 1, of int64, elem_type 7) appends that output to the graph: no ONNX
    library needed (``import onnx`` alone took 1.4 s)."""
    tensor = _field(1, b"\x08\x07")  # TypeProto.tensor_type { elem_type: INT64 }
    value_info = _field(1, DURATIONS.encode()) + _field(2, tensor)
    return model + _field(7, _field(12, value_info))


def _timed_session(path: str) -> InferenceSession | None:
    """hibari's model with the phonemes' durations as one more output (None when the graph has no such tensor)."""
    import onnxruntime as ort

    with open(path, "rb") as f:
        model = f.read()
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.log_severity_level = 3
    try:
        return ort.InferenceSession(with_durations(model), so, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own types for a graph without that tensor
        log.warning("hibari's model gives no %s (%s): captions and highlights are timed by sentence", DURATIONS, e)
        return None


def _sound_words(phonemes: str, ids: list[int], vocab: dict[str, int], steps: np.ndarray,
                 unit: int) -> tuple[list[str], list[tuple[int, int]]]:
    """The voice's words (runs of phonemes between spaces) and their (start, end) samples, from the steps each
    phoneme id lasts (``ids`` begins and ends with a pad, as hibari makes them). A word's time is its sounds':
    the pause a comma or a full stop makes after it is not part of it."""
    ends = np.cumsum(steps) * unit
    starts = ends - steps * unit
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    word: list[tuple[str, int]] = []

    def close() -> None:
        if word:
            sounds = [k for ch, k in word if ch not in PUNCTUATION] or [k for _, k in word]
            found.append("".join(ch for ch, _ in word))
            spans.append((int(starts[sounds[0]]), int(ends[sounds[-1]])))
            word.clear()

    k = 1  # ids[0] is the opening pad
    for ch in phonemes:
        if ch not in vocab:
            continue
        if ch == " ":
            close()
        else:
            word.append((ch, k))
        k += 1
    close()
    return found, spans


QUIET_DB = 35.0
"""A 10 ms frame this far under the sentence's loud frames (its 99th percentile) is silence."""
PAUSE_MS = 40
"""The shortest silence that is a pause between words."""


def _settled(words: list[tuple[int, int]], samples: np.ndarray, rate: int) -> list[tuple[int, int]]:
    """The words' times from the durations, settled on the sound: where a pause lies at a boundary between two
    words (or before the first, after the last), the words end where it begins and start where it ends. The
    durations say which words; the audio says where the silence is (the decoder smooths the durations' grid: a
    word before a full stop sounded up to 0.3 s shorter than its phonemes' steps)."""
    frame = rate // 100
    n = len(samples) // frame
    if n < 2 or not words:
        return words
    db = 10 * np.log10(np.square(samples[: n * frame].astype(np.float64)).reshape(n, frame).mean(axis=1) + 1e-12)
    quiet = db < np.percentile(db, 99) - QUIET_DB
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    pauses = [(int(a) * frame, int(b) * frame) for a, b in zip(edges[::2], edges[1::2])
              if (b - a) * 10 >= PAUSE_MS]
    out = list(words)
    reach = rate * 350 // 1000
    for q0, q1 in pauses:
        if q0 == 0:  # the silence before the first word
            if abs(q1 - out[0][0]) <= reach:
                out[0] = (min(q1, out[0][1] - 1), out[0][1])
            continue
        if q1 >= n * frame - frame:  # after the last
            if abs(q0 - out[-1][1]) <= reach:
                out[-1] = (out[-1][0], max(q0, out[-1][0] + 1))
            continue
        k = min(range(len(out) - 1), key=lambda j: abs((out[j][1] + out[j + 1][0]) / 2 - (q0 + q1) / 2), default=-1)
        if k < 0:
            continue
        (a, b), (c, d) = out[k], out[k + 1]
        if a < q0 and q1 < d and abs(b - q0) <= reach and abs(c - q1) <= reach:
            out[k], out[k + 1] = (a, q0), (q1, d)
    return out


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
        return version("hibari-tts")

    def _model(self, voice: str) -> tuple[Hibari, InferenceSession | None]:
        with self._loading:
            if voice not in self._models:
                from hibari import Hibari

                log.debug("loading hibari voice %s", voice)
                model = Hibari(voice=voice)
                _ = model.g2p  # its pronouncing dictionary, loaded once here rather than by two threads at once
                timed = _timed_session(model.model_path)
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
        for phonemes in model.phonemize(text):
            ids = model.ids(phonemes)
            if len(ids) < 3:  # as hibari: nothing to say, no noise drawn
                continue
            out = timed.run(None, {"ids": np.asarray([ids], np.int64), "speed": np.asarray([speed], np.float32)})
            wav = dsp.synth(*(o[0] for o in out[:6]), rng)
            steps = np.asarray(out[6]).reshape(-1)
            unit, rest = divmod(len(wav), int(steps.sum()) or 1)
            if rest or len(steps) != len(ids):
                raise RuntimeError(f"hibari's durations ({int(steps.sum())} steps for {len(ids)} ids) do not "
                                   f"match its audio ({len(wav)} samples)")
            found, where = _sound_words(phonemes, ids, model.vocab, steps, unit)
            said += [w.translate(STRESS) for w in found]
            spans += [(a + at, b + at) for a, b in where]
            parts.append(wav)
            at += len(wav)
        samples = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
        spans = _settled(spans, samples, 24000)
        return Audio(samples, 24000, word_spans(text.split(), said, spans, same_alphabet=False))
