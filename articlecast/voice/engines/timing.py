"""Words timed by the voices themselves: hibari, Kokoro and Piper predict how long each phoneme lasts before they
make a sound. Read at one tensor of their graphs (made an output of the model's own bytes, the audio unchanged),
those durations give each of the voice's words — runs of phonemes between spaces — a start and an end, which
:func:`~articlecast.util.pairing.word_spans` lays against the article's words. The decoder smooths the durations'
grid, so the times are then settled on the sound where a pause lies at a word boundary.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ...util.onnxgraph import with_output

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

log = logging.getLogger(__name__)

TIMING_VERSION = "2"
"""Changes when the same audio would get other word times (in the timed engines' versions: the cache key)."""

PAUSES = frozenset(';:,.!?—…"()“”¡¿^$_')
"""Phoneme symbols that are pauses, punctuation or a sentence's bounds, not sounds (hibari's, Kokoro's, Piper's)."""
QUIET_DB = 35.0
"""A 10 ms frame this far under the sentence's loud frames (its 99th percentile) is silence."""
PAUSE_MS = 40
"""The shortest silence that is a pause between words."""
REACH_MS = 350
"""How far a word boundary may move to the edge of a pause."""


def timed_session(model: bytes, tensor: str, elem_type: int, who: str) -> InferenceSession | None:
    """A one-thread onnxruntime session of ``model`` with ``tensor`` as one more output, or None (with a warning
    that the words are timed by sentence) when the graph has no such tensor."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1  # the speech threads are the parallelism
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(with_output(model, tensor, elem_type), options,
                                    providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own types for a graph without that tensor
        log.warning("%s's model gives no %s (%s): captions and highlights are timed by sentence", who, tensor, e)
        return None


def sound_words(symbols: Sequence[str], lengths: Sequence[int], start: int = 0,
                ) -> tuple[list[str], list[tuple[int, int]]]:
    """The voice's words and their (start, end) samples, from its phoneme symbols in order (" " between words)
    and how many samples each lasts, the first beginning at ``start``. A word's time is its sounds': the pause a
    comma or a full stop makes after it is not part of it, and a word of punctuation alone is no word."""
    ends = start + np.cumsum(np.asarray(lengths, dtype=np.int64))
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    word: list[int] = []

    def close() -> None:
        sounds = [k for k in word if symbols[k] not in PAUSES]
        if sounds:
            found.append("".join(symbols[k] for k in word if symbols[k] not in "^$_"))
            spans.append((int(ends[sounds[0]] - lengths[sounds[0]]), int(ends[sounds[-1]])))
        word.clear()

    for k, symbol in enumerate(symbols):
        if symbol == " ":
            close()
        else:
            word.append(k)
    close()
    return found, spans


_mismatched: set[str] = set()


def padded_words(symbols: Sequence[str], steps: np.ndarray, samples: int, start: int, who: str,
                 ) -> tuple[list[str], list[tuple[int, int]]] | None:
    """:func:`sound_words` of one run of the model (hibari's, Kokoro's: ids of a pad, one per symbol, a pad) from
    the steps each id lasts, the run's audio ``samples`` long and starting at ``start``; None (with one warning per
    voice) when the steps do not match the symbols or do not add up to the audio, a whole number of samples each."""
    steps = np.asarray(steps).reshape(-1)
    unit, rest = divmod(samples, int(steps.sum()) or 1)
    if rest or len(steps) != len(symbols) + 2:
        if who not in _mismatched:
            _mismatched.add(who)
            log.warning("%s's durations (%d steps for %d phonemes) do not match its audio (%d samples): its words "
                        "are timed by sentence", who, int(steps.sum()), len(symbols), samples)
        return None
    return sound_words(symbols, steps[1:-1] * unit, start + int(steps[0]) * unit)


def settled(words: list[tuple[int, int]], samples: np.ndarray, rate: int) -> list[tuple[int, int]]:
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
    reach = rate * REACH_MS // 1000
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
