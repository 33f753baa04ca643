"""Fetching a web page: online, and only when the user gives a URL.

A normal browser's User-Agent (servers refuse bare clients with 403), redirects followed, a deadline for the
whole fetch and a size limit, and only HTML accepted. The deadline holds whatever the server does (a byte a
second of headers, of body, of chunks): a watchdog thread shuts the fetch's sockets down when it passes, or as
soon as a stop is asked for, and the reads in this thread then end at once. Nothing on the page runs: the HTML is read as text.
Every failure is one :class:`FetchError` line saying what happened and what to do instead.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .. import stops
from ..errors import FetchError, InputError

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
              "Safari/537.36")
"""What the fetch says it is: a desktop browser (many sites answer anything else with 403)."""
TIMEOUT_ENV, MAX_BYTES_ENV = "ARTICLECAST_FETCH_TIMEOUT", "ARTICLECAST_FETCH_MAX"
DEFAULT_TIMEOUT = 25.0
"""Seconds the whole fetch may take: connecting, headers and body (so that a command ends within 30 s)."""
DEFAULT_MAX_BYTES = 10 * 1000**2
"""The largest page fetched; articles are far smaller."""
HTML_TYPES = ("text/html", "application/xhtml+xml")
SAVE_FROM_BROWSER = "or save the page from your browser (File > Save Page As) and build the .html file"


@dataclass(frozen=True)
class Page:
    """A fetched web page."""

    url: str
    """Where it was found, after redirects."""
    html: bytes
    """The page as the server sent it."""
    content_type: str
    """The server's Content-Type header."""


def is_url(text: str) -> bool:
    """Whether an input names a web page rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def _limits() -> tuple[float, int]:
    try:
        timeout = float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
        size = int(os.environ.get(MAX_BYTES_ENV) or DEFAULT_MAX_BYTES)
    except ValueError:
        raise InputError(f"{TIMEOUT_ENV} is seconds and {MAX_BYTES_ENV} bytes, as plain numbers") from None
    return timeout, size


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


class _Watchdog:
    """Shuts down the sockets of one fetch when its deadline passes or a stop is asked for."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.request = stops.own_request()  # the fetching thread's own stop request: this one runs in another
        self.sockets: list[socket.socket] = []
        self.cut: str | None = None
        """Why the sockets were shut down: "deadline" or "stop"; None while the fetch runs."""
        self._lock = threading.Lock()
        self._done = threading.Event()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if self.cut:
                self._shut(sock)
            self.sockets.append(sock)

    def remaining(self) -> float:
        return max(0.01, self.deadline - time.monotonic())

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:  # on a duplicate of the descriptor, so that an SSL socket's state is left to its own thread
            with socket.socket(fileno=os.dup(sock.fileno())) as twin:
                twin.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: nothing left to cut

    def _watch(self) -> None:
        while not self._done.wait(0.05):
            asked = stops.requested() or (self.request is not None and self.request.is_set())
            why = "stop" if asked else "deadline" if time.monotonic() >= self.deadline else None
            if why:
                with self._lock:
                    self.cut = why
                    for sock in self.sockets:
                        self._shut(sock)
                return

    @contextmanager
    def watching(self) -> Iterator[None]:
        thread = threading.Thread(target=self._watch, name="fetch-deadline", daemon=True)
        thread.start()
        try:
            yield
        finally:
            self._done.set()
            thread.join()


class NotPublicError(OSError):
    """A fetch limited to public addresses reached another kind (loopback, link-local, private)."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""IPv6 addresses that carry an IPv4 address for a NAT64 gateway to reach (RFC 6052)."""


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, link-local, private, shared, multicast or
    reserved, nor an IPv6 form of such an IPv4 address (mapped, compatible, 6to4, NAT64, Teredo)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
        if ip.teredo is not None:
            found.append(ip.teredo[1])
        if ip in NAT64 or int(ip) < 2**32:  # NAT64, or an IPv4-compatible ::a.b.c.d
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
            if ip not in NAT64:
                return False
    return all(x.is_global and not x.is_multicast for x in found)


def _connection(base: type[http.client.HTTPConnection], watchdog: _Watchdog, public_only: bool) -> Any:
    class Watched(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            self.timeout = watchdog.remaining()
            if public_only:  # every address the name has, before a packet is sent to it (TLS's included)
                for *_, where in socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM):
                    if not is_public(str(where[0])):
                        raise NotPublicError(str(where[0]))
            super().connect()
            watchdog.add(self.sock)
            # and again on the connected socket (the name may have changed its answer in between): what is
            # refused is where the request really went, whatever a name or a redirect said
            peer = self.sock.getpeername()[0]
            if public_only and not is_public(peer):
                self.sock.close()
                raise NotPublicError(peer)
    return Watched


def _opener(watchdog: _Watchdog, public_only: bool = False) -> urllib.request.OpenerDirector:
    """urllib's opener, its HTTP and HTTPS connections handed to ``watchdog`` (and, with ``public_only``, refused
    on any address that is not public). No proxy: the connection is the one checked."""

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_connection(http.client.HTTPConnection, watchdog, public_only), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(_connection(http.client.HTTPSConnection, watchdog, public_only), req)

    # http and https only (urllib's own opener would also follow a redirect to ftp://, unwatched and unchecked)
    handlers: list[urllib.request.BaseHandler] = [HTTP(), HTTPS(), urllib.request.HTTPDefaultErrorHandler(),
                                                  urllib.request.HTTPRedirectHandler(),
                                                  urllib.request.HTTPErrorProcessor(), urllib.request.UnknownHandler()]
    if not public_only:
        handlers.append(urllib.request.ProxyHandler())  # the environment's proxy, as before
    opener = urllib.request.OpenerDirector()
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _not_public(url: str, host: str, address: str) -> FetchError:
    return FetchError(f"{url}: {host} is at {address}, an address on this machine or its private network, which is "
                      "not fetched from here; give a public page's address (or start the app with --allow-private)")


def get(url: str, accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
        public_only: bool = False) -> tuple[str, bytes, str]:
    """(final URL, body, content type) of ``url``, within the time and size limits; with ``public_only``, only
    from public addresses (see :func:`is_public`)."""
    timeout, limit = _limits()
    parts = urlsplit(url)
    if parts.username or parts.password:  # never sent in the clear, never echoed back in a message
        shown = parts._replace(netloc=parts.hostname or "").geturl()
        raise FetchError(f"{shown}: the address carries a user name and password; give it without them (a page "
                         f"behind a login: {SAVE_FROM_BROWSER.removeprefix('or ')})")
    host = parts.hostname or url
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT, "Accept": accept, "Accept-Language": "en-US,en;q=0.9,*;q=0.5",
    })
    watchdog = _Watchdog(time.monotonic() + timeout)
    opener = _opener(watchdog, public_only)
    late = FetchError(f"{url}: no complete answer from {host} within {timeout:g} s (set {TIMEOUT_ENV} to wait "
                      f"longer), {SAVE_FROM_BROWSER}")
    try:
        with watchdog.watching(), opener.open(request, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"{url}: the page is {_size(int(length))}, over the {_size(limit)} limit "
                                 f"(set {MAX_BYTES_ENV} to allow more), {SAVE_FROM_BROWSER}")
            chunks, size = [], 0
            while chunk := resp.read1(65536):  # what one read brings: the watchdog's cut ends it at once
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url}: the page is over the {_size(limit)} limit (set {MAX_BYTES_ENV} "
                                     f"to allow more), {SAVE_FROM_BROWSER}")
                chunks.append(chunk)
            if watchdog.cut:
                raise OSError("cut")
            return resp.geturl(), b"".join(chunks), resp.headers.get("Content-Type", "")
    except FetchError:
        raise
    except urllib.error.HTTPError as e:
        if 300 <= e.code < 400:
            raise FetchError(f"{url}: the server's redirects go round in a loop (or on for too long); check the "
                             f"address in a browser, {SAVE_FROM_BROWSER}") from None
        reason = " ".join(str(e.reason).split())  # one line, whatever the server or urllib put in it
        raise FetchError(f"{url}: the server answered {e.code} {reason}; check the address, {SAVE_FROM_BROWSER}"
                         ) from None
    except (OSError, ValueError, http.client.HTTPException) as e:
        refused = e if isinstance(e, NotPublicError) else getattr(e, "reason", None)
        if isinstance(refused, NotPublicError):
            raise _not_public(url, host, refused.address) from None
        stops.check()  # a stop cut the fetch short: answer it here
        if watchdog.cut or isinstance(e, TimeoutError) or isinstance(getattr(e, "reason", None), TimeoutError):
            raise late from None
        if isinstance(e, urllib.error.URLError):
            reason = getattr(e.reason, "strerror", None) or str(e.reason)
            raise FetchError(f"{url}: cannot reach {host} ({reason}): is this machine online? Check the address, "
                             f"{SAVE_FROM_BROWSER}") from None
        raise FetchError(f"{url}: cannot fetch it ({str(e) or type(e).__name__}); check the address, "
                         f"{SAVE_FROM_BROWSER}") from None


def fetch_page(url: str, public_only: bool = False) -> Page:
    """Fetch a web page's HTML; anything but HTML is refused (with ``public_only``, from public addresses only)."""
    final, body, content_type = get(url, public_only=public_only)
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        raise FetchError(f"{url}: is {kind}, not a web page; give the address of the article's HTML page, "
                         f"or save what you want read as a .txt or .md file")
    return Page(final, body, content_type)
