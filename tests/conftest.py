"""Shared fixtures: every test gets its own cache and no proxies, and no test reaches past this machine — in this
process (sockets and name lookups) and in every Python process it starts (tests/netblock on PYTHONPATH)."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from helpers import FFMPEG, FFPROBE, ROOT, SAMPLE_TXT, SAMPLE_YAML, SEED_SECTIONS, caption_faults, need_extra  # noqa: E402

__all__ = ["FFMPEG", "FFPROBE", "ROOT", "SAMPLE_TXT", "SAMPLE_YAML", "SEED_SECTIONS"]
NETBLOCK = str(HERE / "netblock")


def _load_netblock() -> None:
    """The same rule in this process as in every process the tests start (one place for it)."""
    spec = importlib.util.spec_from_file_location("articlecast_netblock", Path(NETBLOCK) / "sitecustomize.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


_load_netblock()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``@pytest.mark.extra(name)``: the test needs that optional extra (one rule for all: :func:`need_extra`)."""
    for mark in item.iter_markers("extra"):
        need_extra(mark.args[0])


@pytest.fixture(scope="session", autouse=True)
def _this_machine_only() -> Iterator[None]:
    """For the whole session: no proxies, and every Python process the tests start is cut off beyond this machine
    (tests/netblock on its PYTHONPATH), as this one is."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
            mp.delenv(var, raising=False)
        mp.setenv("PYTHONPATH", os.pathsep.join([NETBLOCK, *filter(None, [os.environ.get("PYTHONPATH")])]))
        yield


@pytest.fixture(scope="session", autouse=True)
def _captions_people_can_read(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the session: the captions of every episode the tests built (a .vtt beside its MP3) keep the caption
    rules (:func:`helpers.caption_faults`)."""
    yield
    built = [p for p in tmp_path_factory.getbasetemp().rglob("*.vtt") if p.with_suffix(".mp3").is_file()]
    faults = [f for p in built for f in caption_faults(p)]
    assert not faults, f"{len(faults)} caption faults in {len(built)} episodes: " + "; ".join(faults[:10])


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache lives in tmp_path; speech runs in this process (tests that want workers ask for them)."""
    monkeypatch.setenv("ARTICLECAST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ARTICLECAST_WORKERS", "1")


class NetworkBlocked(OSError):
    """Raised by a socket when a test has cut the network."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every internet socket fails to connect, loopback too; yields the list of addresses that were tried."""
    tried: list[object] = []

    def guarded(self: socket.socket, address: object) -> None:
        tried.append(address)
        raise NetworkBlocked(f"network is cut in this test (tried {address!r})")

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(args[0] if args else None)
        raise NetworkBlocked("network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield tried
