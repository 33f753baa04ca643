"""A static file server on 127.0.0.1 that answers Range requests, as every static host does (Python's
own http.server does not, and a browser cannot seek in audio without them). For the page tests."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from helpers import http_server


class RangeHandler(SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().do_GET()
        size = path.stat().st_size
        first = int(match[1]) if match[1] else max(0, size - int(match[2] or 0))
        last = min(int(match[2]), size - 1) if match[1] and match[2] else size - 1
        if first >= size or first > last:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        with path.open("rb") as f:
            f.seek(first)
            self.wfile.write(f.read(last - first + 1))

    def end_headers(self) -> None:
        if "Range" not in self.headers:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``folder``; yields its base URL and the list of paths requested so far."""
    requested: list[str] = []
    handler = type("Handler", (RangeHandler,), {"requested": requested,
                                                "extensions_map": {**RangeHandler.extensions_map,
                                                                   ".vtt": "text/vtt", ".mp3": "audio/mpeg"}})
    with http_server(partial(handler, directory=os.fspath(folder))) as url:  # type: ignore[arg-type]
        yield f"{url}/", requested
