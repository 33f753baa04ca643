"""Speech: texts in the voices the script names, through the segment cache.

Only the segments missing from the cache are synthesized; an engine that allows it runs them in
worker processes, one per core.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from .cache import SegmentCache, segment_key
from .engines import get_engine
from .errors import EngineError
from .models import Audio, Voice

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with the number of segments just finished."""


@dataclass(frozen=True)
class Request:
    """One text to speak in one voice."""

    text: str
    """What to say."""
    voice: Voice
    """Who says it."""


def _synthesize(engine: str, voice: str, speed: float, text: str) -> Audio:
    return get_engine(engine).synthesize(text, voice, speed)


def _workers(n_jobs: int) -> int:
    env = os.environ.get("ARTICLECAST_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    return max(1, min(os.cpu_count() or 1, 4, n_jobs // 4))


def speak(requests: Sequence[Request], cache: SegmentCache, progress: Progress | None = None) -> list[Audio]:
    """Audio for each request, in order: from the cache, else synthesized and stored."""
    done: Progress = progress or (lambda n: None)
    out: list[Audio | None] = [None] * len(requests)
    todo: dict[str, list[int]] = {}
    jobs: dict[str, tuple[str, str, float, str]] = {}
    for i, req in enumerate(requests):
        engine = get_engine(req.voice.engine)
        voice = engine.check_voice(req.voice.voice)
        key = segment_key(engine.name, engine.version(), voice, req.voice.speed, req.text)
        if key in todo:
            todo[key].append(i)
            continue
        hit = cache.get(key)
        if hit is not None:
            out[i] = hit
            done(1)
        else:
            todo[key] = [i]
            jobs[key] = (engine.name, voice, float(req.voice.speed), req.text)

    def store(key: str, audio: Audio) -> None:
        cache.put(key, audio)
        for i in todo[key]:
            out[i] = audio
        done(len(todo[key]))

    parallel = [k for k, j in jobs.items() if get_engine(j[0]).parallel]
    serial = [k for k in jobs if k not in set(parallel)]
    workers = _workers(len(parallel))
    if workers > 1:
        log.debug("synthesizing %d segments in %d processes", len(parallel), workers)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            # longest first, so that no worker is left with a long paragraph at the end
            order = sorted(parallel, key=lambda k: -len(jobs[k][3]))
            futures = {pool.submit(_synthesize, *jobs[k]): k for k in order}
            for fut in as_completed(futures):
                try:
                    store(futures[fut], fut.result())
                except EngineError:
                    for f in futures:
                        f.cancel()
                    raise
    else:
        serial = parallel + serial
    for key in serial:
        store(key, _synthesize(*jobs[key]))
    return [a for a in out if a is not None]
