"""Serving a built folder on the home network, for a phone's podcast app: werkzeug's server and its
``send_file``, which answers HEAD and **byte-range requests** (podcast apps seek with them: ``206 Partial
Content``), ETag and Last-Modified (with ``304 Not Modified``), with each file's Content-Type.

Only the files listeners need are served (:func:`~.upload.published_files`: episodes, companions, the show's
cover, the feed) — never the feed's record or anything else in the folder. The feed is made again for the
address it is served from, so that its links follow it (the folder's own feed.xml is not touched). Binds
127.0.0.1 unless told otherwise (``0.0.0.0``: every interface; the phone must be on the same network).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..inputs.text import CONTROL_RE
from .feed import read_items, render_feed
from .upload import FEED, FEED_CACHE, content_type, published_files

if TYPE_CHECKING:
    from werkzeug.wrappers import Request, Response

# werkzeug and qrcode are imported where they are used: only `speak.py serve` needs them, every command would
# load them otherwise


def lan_address() -> str:
    """This machine's address on its network (the one a phone would reach), found without sending anything; the
    loopback address when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # UDP: no packet is sent; only the route is looked up
            return str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"


class _App:
    """The WSGI application: the feed for the address it is asked at, and the published files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.exceptions import HTTPException  # noqa: PLC0415
        from werkzeug.wrappers import Request  # noqa: PLC0415 - see above

        request = Request(environ)
        try:
            response = self.respond(request)
        except HTTPException as e:  # a Range it cannot satisfy (several, past the end, malformed): 416, never a 500
            response = e.get_response(environ)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        from werkzeug.utils import send_file  # noqa: PLC0415 - see above
        from werkzeug.wrappers import Response  # noqa: PLC0415

        if request.method not in ("GET", "HEAD"):
            return Response("only GET and HEAD\n", 405, {"Allow": "GET, HEAD"}, mimetype="text/plain")
        name = request.path.lstrip("/") or FEED
        files = published_files(self.folder)  # read each time: a build beside the server is served at once
        if name not in files:
            return Response("not found\n", 404, mimetype="text/plain")
        if name == FEED:
            show, items = read_items(self.folder)
            assert show is not None  # published_files refused a folder without a feed
            feed = render_feed(replace(show, base_url=request.host_url), items)
            response = Response(feed, content_type=content_type(FEED))
            response.headers["Cache-Control"] = FEED_CACHE
            response.add_etag()
            return response.make_conditional(request)
        return send_file(files[name], request.environ, mimetype=content_type(name), conditional=True, etag=True,
                         max_age=300)


IDLE_SECONDS = 30
"""A client connection idle this long is closed."""
MAX_CLIENTS = 64
"""Connections served at once; more are closed at once (each holds a thread)."""


def _cap_clients(server: Any, limit: int) -> None:
    """At most ``limit`` connections at once on werkzeug's threaded server (socketserver starts a thread for each,
    without bound): one more is closed at once."""
    slots = threading.BoundedSemaphore(limit)
    serve_one = server.process_request_thread
    start_one = server.process_request

    def process_request(request: Any, client_address: Any) -> None:
        if not slots.acquire(blocking=False):
            server.shutdown_request(request)
            return
        try:
            start_one(request, client_address)
        except BaseException:
            slots.release()
            raise

    def process_request_thread(request: Any, client_address: Any) -> None:
        try:
            serve_one(request, client_address)
        finally:
            slots.release()

    server.process_request = process_request
    server.process_request_thread = process_request_thread


@contextmanager
def listening(wsgi: Any, host: str = "127.0.0.1", port: int = 8008) -> Iterator[Any]:
    """Serve a WSGI application on werkzeug's threaded server in a thread while the block runs; yields the server
    (its ``port``). A busy port is one line (werkzeug itself would print two and exit); ``port`` 0 picks a free one.
    Idle connections are closed after :data:`IDLE_SECONDS`, and at most :data:`MAX_CLIENTS` are served at once."""
    from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415 - see above

    class Handler(WSGIRequestHandler):
        timeout = IDLE_SECONDS  # a connection that sends nothing for this long is closed (each holds a thread)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:  # without werkzeug's colours
            self.log("info", '"%s" %s', getattr(self, "requestline", ""), code)

        def log(self, type: str, message: str, *args: Any) -> None:  # noqa: A002 - werkzeug's name
            # a request line is the client's text: its control characters never reach the terminal
            super().log(type, "%s", CONTROL_RE.sub("?", message % args if args else message))

    if not 0 <= port <= 65535:
        raise OutputError(f"port {port}: is not a port (0-65535); choose another with --port")
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as e:
        raise OutputError(f"{host}:{port}: cannot listen there ({e.strerror or e}); choose another port with --port, "
                          "or another address with --host") from None
    with sock:
        server = make_server(host, port, wsgi, threaded=True, request_handler=Handler, fd=sock.fileno())
    _cap_clients(server, MAX_CLIENTS)
    server.daemon_threads = True  # a long answer (an event stream) never holds the process at its end
    thread = threading.Thread(target=server.serve_forever, name="articlecast-serve", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serving(folder: Path, host: str = "127.0.0.1", port: int = 8008) -> Iterator[str]:
    """Serve ``folder`` in a thread while the block runs; yields the feed's address (with this machine's network
    address when bound to every interface). ``port`` 0 picks a free one."""
    published_files(folder)  # a folder that is not a built one is refused before anything listens
    with listening(_App(Path(folder)), host, port) as server:
        yield f"http://{shown_host(host)}:{server.port}/{FEED}"


def shown_host(host: str) -> str:
    """The address others reach a server bound to ``host`` at: this machine's network address for every
    interface."""
    if host in ("0.0.0.0", "", "::"):
        return lan_address()
    return f"[{host}]" if ":" in host else host


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as an SVG element (dark modules on a light square, whatever the page's colours)."""
    import qrcode  # noqa: PLC0415 - see above
    from qrcode.image.svg import SvgPathImage  # noqa: PLC0415

    image = qrcode.make(url, image_factory=SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the feed\'s address" class="qr" ', 1)


def qr_text(url: str) -> str:
    """A QR code of ``url`` in text (half blocks, light modules drawn: right on a dark terminal), for a phone's
    camera."""
    import qrcode  # noqa: PLC0415 - see above

    code = qrcode.QRCode(border=2)
    code.add_data(url)
    code.make(fit=True)
    rows = code.get_matrix()
    half = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = []
    for top, bottom in zip(rows[::2], rows[1::2] + [[False] * len(rows[0])]):
        lines.append("".join(half[(not a, not b)] for a, b in zip(top, bottom)))
    return "\n".join(lines)
