"""Speech workers as Ray actors: the same :class:`~.speaker.Pool` as the local speech threads, spread over a
cluster.

Each actor loads the voices once and speaks one sentence at a time; sentences are the unit of work, so one long
article spreads over the whole cluster. A sentence's audio comes back to the driver through Ray's object store
(a worker on another machine cannot write the driver's cache), and the driver caches it. An actor that dies is
restarted and its sentences are retried (``max_restarts``, ``max_task_retries``).

``address`` None starts a Ray inside this process (nothing to set up); an address (or RAY_ADDRESS) joins a
running cluster. Ray is an optional extra (``articlecast[batch]``), imported here only.

This module is the one place Ray's internals are used: a Ray started here listens on the loopback address only
(``ray.init(_node_ip_address="127.0.0.1")``, the only way ``ray.init`` takes it; ``ray start`` has it as
``--node-ip-address``), so that nothing of it is reachable from the network. Pinned to Ray 2 (pyproject.toml);
tests/test_adapters.py fails loudly when ``ray.init`` no longer takes it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from .. import stops
from ..errors import EngineUnavailableError
from .segments import SegmentCache
from .workers import TASKS, synthesize, worker_count

log = logging.getLogger(__name__)


def _actor_class(ray: Any) -> Any:
    @ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=3)
    class SpeechWorker:
        """One voice process of the cluster."""

        def run(self, task: str, *args: Any) -> Any:
            if task != "speak":
                return TASKS[task](*args)
            job, key, cache_base = args
            said, audio = synthesize(job, key, Path(cache_base))
            if audio is None:  # stored in this node's cache: sent back too, the driver may be elsewhere
                audio = SegmentCache(Path(cache_base)).get(key)
            return said, audio

        def where(self) -> tuple[str, int]:
            return ray.get_runtime_context().get_node_id(), os.getpid()

    return SpeechWorker


class RayPool:
    """Speech actors on a Ray cluster (or a Ray started here)."""

    def __init__(self, address: str | None = None, workers: int = 0) -> None:
        try:
            import ray
        except ImportError:
            raise EngineUnavailableError("Ray is not installed; run: pip install -e '.[batch]'") from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            try:
                # a Ray started here: one worker per core, reachable from this machine only
                here = {} if address else {"num_cpus": worker_count(workers), "_node_ip_address": "127.0.0.1"}
                ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                         logging_level=logging.ERROR, configure_logging=False, **here)
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise EngineUnavailableError(f"cannot join the Ray cluster at {address} ({e}); start it with "
                                             "'ray start --head', or leave --ray out to run here") from None
        self.size = max(1, int(ray.cluster_resources().get("CPU", 1)))
        """How many actors (one per CPU the cluster offers)."""
        worker = _actor_class(ray)
        self.actors = [worker.remote() for _ in range(self.size)]
        self._load = [0] * self.size
        self._refs: dict[Any, tuple[int, int]] = {}  # object ref -> (ticket, actor)
        self.placement = ray.get([a.where.remote() for a in self.actors])
        """(node id, process id) of each actor."""
        log.info("Ray: %d speech workers on %d node(s)", self.size, self.nodes)

    @property
    def nodes(self) -> int:
        """How many machines the actors run on."""
        return len({n for n, _ in self.placement})

    def _send(self, ticket: int, actor: int, task: str, args: tuple[Any, ...]) -> None:
        if task == "speak":
            args = (args[0], args[1], str(args[2]))
        ref = self.actors[actor].run.remote(task, *args)
        self._load[actor] += 1
        self._refs[ref] = (ticket, actor)

    def submit(self, ticket: int, task: str, *args: Any) -> None:
        """Run ``task`` on the least busy actor."""
        self._send(ticket, min(range(self.size), key=lambda n: self._load[n]), task, args)

    def broadcast(self, ticket: int, task: str, *args: Any) -> int:
        """Run ``task`` on every actor."""
        for n in range(self.size):
            self._send(ticket + n, n, task, args)
        return self.size

    def wait(self, timeout: float | None) -> list[tuple[int, bool, Any]]:
        """The tasks finished within ``timeout``."""
        if not self._refs:
            stops.sleep(timeout or 0)
            return []
        ready, rest = self._ray.wait(list(self._refs), num_returns=1, timeout=timeout)
        if ready and rest:
            ready += self._ray.wait(rest, num_returns=len(rest), timeout=0)[0]
        out: list[tuple[int, bool, Any]] = []
        for ref in ready:
            ticket, actor = self._refs.pop(ref)
            self._load[actor] -= 1
            try:
                out.append((ticket, True, self._ray.get(ref)))
            except Exception as e:  # noqa: BLE001 - the task's own error (Ray wraps it): raised by the Stream
                out.append((ticket, False, getattr(e, "cause", None) or e))
        return out

    def close(self) -> None:
        """Let the actors go (and the Ray this pool started)."""
        self.terminate()

    def terminate(self) -> None:
        """Kill the actors now (and end the Ray this pool started)."""
        for actor in self.actors:
            self._ray.kill(actor, no_restart=True)
        self.actors = []
        if self._started:
            self._ray.shutdown()
