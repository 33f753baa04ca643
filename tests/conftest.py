"""Shared fixtures: every test gets its own cache, no proxies, and (where asked) no network at all."""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE_TXT = ROOT / "script" / "sample.txt"
SAMPLE_YAML = ROOT / "script" / "sample.yaml"
FFPROBE = shutil.which("ffprobe")
SEED_SECTIONS = [  # the sample article's section headings, in order
    "Understanding Multiple Sclerosis",
    "The Role of Stem Cells in Treating MS",
    "The Study: Overview and Methodology",
    "Results and Findings",
    "Implications for MS Patients",
    "Challenges and Considerations",
    "Patient Perspectives",
]

FFMPEG = shutil.which("ffmpeg")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache lives in tmp_path; speech runs in this process; proxies never touch loopback traffic."""
    monkeypatch.setenv("ARTICLECAST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ARTICLECAST_WORKERS", "1")
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("ARTICLECAST_GTTS_URL", raising=False)


class NetworkBlocked(OSError):
    """Raised by a socket when a test has cut the network."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every internet socket fails to connect; yields the list of addresses that were tried."""
    tried: list[object] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            tried.append(address)
            raise NetworkBlocked(f"network is cut in this test (tried {address!r})")
        real_connect(self, address)

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(args[0] if args else None)
        raise NetworkBlocked("network is cut in this test")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield tried
