"""A hostile web server on 127.0.0.1: it trickles its headers or its body a byte at a time, or sends far
more than it says; and a proxy that carries a connection slowly or drops it (:class:`CuttableProxy`). For the
hostile-input tests and ``bench/hostile.py``.

Paths: ``/slow-headers``, ``/many-headers``, ``/slow-body`` (with a Content-Length), ``/slow-chunked``,
``/huge`` (an endless body without a length), ``/loop``, ``/to-file`` and ``/gzip-bomb`` (see TRICKS),
``/liar`` (says it is 3 GB), ``/page`` (a quick, good article page), and any ``extra`` path given, served as it
is (a feed naming this machine's files, say).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PAGE = ("<html><head><title>Quick page</title></head><body><article><h1>Quick page</h1>"
        + "".join(f"<p>{'Gardens grow slowly in the rain, and the rain is welcome here. ' * 10}"
                  f"This is part {n} of the story.</p>\n" for n in ("one", "two", "three"))
        + "</article></body></html>").encode()
PATHS = ("/slow-headers", "/many-headers", "/slow-body", "/slow-chunked", "/huge", "/liar")
"""The paths that never finish on time, or are too big."""
TRICKS = ("/loop", "/to-file", "/gzip-bomb")
"""The paths that redirect to themselves, redirect to this machine's files, or send a compressed bomb."""
BOMB = gzip.compress(b"\0" * 100_000_000, 9)
"""100 MB of nothing in about 100 kB."""


def _trickle(conn: socket.socket, data: bytes, stop: threading.Event, pause: float) -> None:
    for i in range(len(data)):
        if stop.wait(pause):
            return
        conn.sendall(data[i:i + 1])


def _answer(conn: socket.socket, stop: threading.Event, pause: float, hits: list[str],
            extra: dict[str, tuple[str, bytes]]) -> None:
    with conn:
        conn.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request:
            try:
                piece = conn.recv(4096)
            except OSError:  # a client that says nothing (an SSH client waiting for a banner) is dropped
                return
            if not piece:
                return
            request += piece
        path = request.split(b" ")[1].decode()
        hits.append(path)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        try:
            if path == "/slow-headers":
                _trickle(conn, head + b"X-Padding: " + b"x" * 10000 + b"\r\n\r\n", stop, pause)
            elif path == "/many-headers":
                conn.sendall(head)
                for i in range(10000):
                    _trickle(conn, f"X-Header-{i}: y\r\n".encode(), stop, pause / 10)
                    if stop.is_set():
                        return
            elif path == "/slow-body":
                conn.sendall(head + f"Content-Length: {len(PAGE)}\r\n\r\n".encode())
                _trickle(conn, PAGE, stop, pause)
            elif path == "/slow-chunked":
                conn.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
                for i in range(len(PAGE)):
                    if stop.wait(pause):
                        return
                    conn.sendall(b"1\r\n" + PAGE[i:i + 1] + b"\r\n")
            elif path in extra:
                kind, body = extra[path]
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
                             .encode() + body)
            elif path in ("/loop", "/to-file"):
                where = "/loop" if path == "/loop" else "file:///etc/passwd"
                conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {where}\r\nContent-Length: 0\r\n\r\n".encode())
            elif path == "/gzip-bomb":
                conn.sendall(head + f"Content-Encoding: gzip\r\nContent-Length: {len(BOMB)}\r\n\r\n".encode() + BOMB)
            elif path == "/liar":
                conn.sendall(head + b"Content-Length: 3000000000\r\n\r\n" + PAGE)
            elif path == "/huge":
                conn.sendall(head + b"\r\n")
                block = b"<p>" + b"word " * 2000 + b"</p>\n"
                while not stop.is_set():
                    conn.sendall(block)
            elif path == "/page":
                conn.sendall(head + f"Content-Length: {len(PAGE)}\r\n\r\n".encode() + PAGE)
            else:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should


@contextmanager
def hostile_server(pause: float = 0.5, extra: dict[str, tuple[str, bytes]] | None = None
                   ) -> Iterator[tuple[str, list[str]]]:
    """Serve the hostile paths (and ``extra``: path to content type and body); yields the base URL
    (``http://127.0.0.1:PORT``) and the paths asked for so far."""
    stop, hits = threading.Event(), []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_answer, args=(conn, stop, pause, hits, extra or {}), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", hits
    finally:
        stop.set()
        thread.join()
        listener.close()


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 to ``upstream`` whose connections can all be dropped at once, as a network that
    goes away drops them (the listening socket too: later connections are refused)."""

    def __init__(self, upstream: tuple[str, int], rate: float = 0) -> None:
        self.upstream = upstream
        self.rate = rate
        """Bytes a second each way (0: as fast as it goes), as a slow network carries them."""
        self.carried = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                if self.rate:
                    time.sleep(len(data) / self.rate)  # the network's pace (a model of it, not a measure)
                b.sendall(data)
                self.carried += len(data)
        except OSError:
            pass
        finally:
            for x in (a, b):
                with contextlib.suppress(OSError):
                    x.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        for x in self.sockets:
            with contextlib.suppress(OSError):
                x.shutdown(socket.SHUT_RDWR)
            x.close()
