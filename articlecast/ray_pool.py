"""Speech workers as Ray actors: the same :class:`~.speech.Speaker` streams, on one machine or a cluster.

Each actor loads the voices once and speaks one sentence at a time; sentences are the unit of work, so one
long article spreads over the whole cluster. A sentence's audio comes back to the driver through Ray's
object store (a worker on another machine cannot write the driver's cache), and the driver caches it.
An actor that dies is restarted and its sentences are retried (``max_restarts``, ``max_task_retries``).

``address`` None starts a Ray inside this process (nothing to set up); an address (or RAY_ADDRESS) joins
a running cluster. Ray is a dependency of the batch command only, imported here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from .errors import EngineUnavailableError
from .speech import worker_count

log = logging.getLogger(__name__)


def _actor_class():  # type: ignore[no-untyped-def]
    import ray

    @ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=3)
    class SpeechWorker:
        """One voice process of the cluster."""

        def run(self, fn: Callable[..., Any], *args: Any) -> Any:
            return fn(*args)

        def speak(self, job: tuple[str, str, float, str], key: str, cache_base: str) -> Any:
            from .cache import SegmentCache
            from .speech import _synthesize

            said, audio = _synthesize(job, key, Path(cache_base))
            if audio is None:  # stored in this node's cache: sent back too, the driver may be elsewhere
                audio = SegmentCache(Path(cache_base)).get(key)
            return said, audio

        def where(self) -> tuple[str, int]:
            return ray.get_runtime_context().get_node_id(), os.getpid()

    return SpeechWorker


class RayPool:
    """A pool of speech actors with the part of the executor interface a :class:`~.speech.Stream` uses."""

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise EngineUnavailableError("Ray is not installed; run: pip install -e '.[batch]'") from None
        self._started = not ray.is_initialized()
        if self._started:
            try:
                here = {} if address else {"num_cpus": worker_count()}  # a Ray started here: one worker per core
                ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                         logging_level=logging.ERROR, configure_logging=False, **here)
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise EngineUnavailableError(f"cannot join the Ray cluster at {address} ({e}); start it with "
                                             "'ray start --head', or leave --ray out to run here") from None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.size = max(1, cpus)
        """How many actors (one per CPU the cluster offers)."""
        worker = _actor_class()
        self.actors = [worker.remote() for _ in range(self.size)]
        self._load = [0] * self.size
        self.placement = ray.get([a.where.remote() for a in self.actors])
        """(node id, process id) of each actor."""
        log.info("Ray: %d speech workers on %d node(s)", self.size, len({n for n, _ in self.placement}))

    @property
    def nodes(self) -> int:
        """How many machines the actors run on."""
        return len({n for n, _ in self.placement})

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``fn(*args)`` on the least busy actor; sentences go through its ``speak``."""
        from .speech import _synthesize

        i = min(range(self.size), key=lambda n: self._load[n])
        actor = self.actors[i]
        ref = actor.speak.remote(args[0], args[1], str(args[2])) if fn is _synthesize else actor.run.remote(fn, *args)
        self._load[i] += 1
        future: Future[Any] = ref.future()

        def done(_: Future[Any], n: int = i) -> None:
            self._load[n] -= 1

        future.add_done_callback(done)
        return future

    def terminate(self) -> None:
        """Let the actors go (and the Ray this pool started)."""
        import ray

        for actor in self.actors:
            ray.kill(actor, no_restart=True)
        if self._started:
            ray.shutdown()
