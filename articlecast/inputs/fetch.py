"""Fetching a web page: online, and only when the user gives a URL.

A normal browser's User-Agent (servers refuse bare clients with 403), redirects followed, a timeout for the
whole fetch and a size limit, and only HTML accepted. Nothing on the page runs: the HTML is read as text.
Every failure is one :class:`FetchError` line saying what happened and what to do instead.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import FetchError, InputError

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
              "Safari/537.36")
"""What the fetch says it is: a desktop browser (many sites answer anything else with 403)."""
TIMEOUT_ENV, MAX_BYTES_ENV = "ARTICLECAST_FETCH_TIMEOUT", "ARTICLECAST_FETCH_MAX"
DEFAULT_TIMEOUT = 30.0
"""Seconds the whole fetch may take."""
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


def get(url: str, accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8") -> tuple[str, bytes, str]:
    """(final URL, body, content type) of ``url``, within the time and size limits."""
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
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - the user's own http(s) URL
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchError(f"{url}: the page is {_size(int(length))}, over the {_size(limit)} limit "
                                 f"(set {MAX_BYTES_ENV} to allow more), {SAVE_FROM_BROWSER}")
            chunks, size = [], 0
            while True:
                if time.monotonic() - started > timeout:
                    raise TimeoutError()
                chunk = resp.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"{url}: the page is over the {_size(limit)} limit (set {MAX_BYTES_ENV} "
                                     f"to allow more), {SAVE_FROM_BROWSER}")
                chunks.append(chunk)
            return resp.geturl(), b"".join(chunks), resp.headers.get("Content-Type", "")
    except FetchError:
        raise
    except urllib.error.HTTPError as e:
        raise FetchError(f"{url}: the server answered {e.code} {e.reason}; check the address, {SAVE_FROM_BROWSER}"
                         ) from None
    except TimeoutError:
        raise FetchError(f"{url}: no complete answer from {host} within {timeout:g} s (set {TIMEOUT_ENV} to wait "
                         f"longer), {SAVE_FROM_BROWSER}") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise FetchError(f"{url}: no answer from {host} within {timeout:g} s (set {TIMEOUT_ENV} to wait "
                             f"longer), {SAVE_FROM_BROWSER}") from None
        reason = getattr(e.reason, "strerror", None) or str(e.reason)
        raise FetchError(f"{url}: cannot reach {host} ({reason}): is this machine online? Check the address, "
                         f"{SAVE_FROM_BROWSER}") from None
    except (OSError, ValueError) as e:  # a refused connection mid-read, a malformed URL
        raise FetchError(f"{url}: cannot fetch it ({e}); check the address, {SAVE_FROM_BROWSER}") from None


def fetch_page(url: str) -> Page:
    """Fetch a web page's HTML; anything but HTML is refused."""
    final, body, content_type = get(url)
    kind = content_type.split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        raise FetchError(f"{url}: is {kind}, not a web page; give the address of the article's HTML page, "
                         f"or save what you want read as a .txt or .md file")
    return Page(final, body, content_type)
