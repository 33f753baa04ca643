"""Stops: SIGTERM and Ctrl-C are requests, which a build answers at its next safe point.

The signal handler only records the request (and, through :func:`signal.set_wakeup_fd`, wakes a wait in
:func:`sleep`). The build looks at it with :func:`check` at safe points of its own: between
inputs, between sentences spoken here, whenever it waits for the speech workers, between stretches of the
mix, before publishing. There :class:`Stopped` is raised from the build's own code, and the build unwinds
through the same cleanup as for any error: workers stopped by the main process, ffmpeg killed, temporaries
removed. Nothing is ever raised into code that is not ours (an import, a C extension, a ``finally``).

Child processes (ffmpeg, espeak-ng) are started with both signals blocked (:func:`quiet_children`), so that a
Ctrl-C sent to the whole process group reaches only the main process, which stops them itself.

Library callers that want the same behaviour wrap their work in :func:`handled`; the command line installs
it for the life of the process (:func:`install`), so that a signal that arrives as the process ends is
answered too, never taken by the default action.
"""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Cancelled", "Stopped", "answering", "check", "finish", "handled", "install", "quiet_children", "requested",
           "sleep"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""The signals that ask a build to stop."""

_signum: int | None = None
_thread = threading.local()
"""This thread's own stop request (:func:`answering`), beside the process's signals."""
_read_fd: int | None = None
_write_fd: int | None = None


class Stopped(BaseException):
    """Raised by :func:`check` in the build's own code once a stop was asked for (a BaseException, like
    KeyboardInterrupt: a batch's "one failed input never stops the others" does not catch it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        """The signal that asked for the stop."""

    @property
    def name(self) -> str:
        """SIGINT or SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """What a shell expects of a process stopped by this signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"stopped by {self.name}"


class Cancelled(Stopped):
    """A stop asked for by the caller rather than by a signal (:func:`answering`): the app's "Cancel"."""

    def __init__(self) -> None:
        super().__init__(signal.SIGTERM)

    def __str__(self) -> str:
        return "cancelled"


def _record(signum: int, frame: object) -> None:
    global _signum
    if _signum is None:
        _signum = signum


def own_request() -> threading.Event | None:
    """This thread's own stop request (see :func:`answering`), or None."""
    return getattr(_thread, "request", None)


def requested() -> int | None:
    """The signal that asked for a stop (SIGTERM for this thread's own request), or None."""
    request = own_request()
    if _signum is None and request is not None and request.is_set():
        return signal.SIGTERM
    return _signum


def check() -> None:
    """Raise :class:`Stopped` if a stop was asked for (:class:`Cancelled` for this thread's own request; call it
    only at a safe point)."""
    if _signum is not None:
        raise Stopped(_signum)
    request = own_request()
    if request is not None and request.is_set():
        raise Cancelled


@contextmanager
def answering(request: threading.Event) -> Iterator[None]:
    """Within the block, ``request`` being set asks this thread's build to stop, as a signal would: it is answered
    at the same safe points (:class:`Cancelled`). For a build run in a thread of its own (the app's builds)."""
    before = own_request()
    _thread.request = request
    try:
        yield
    finally:
        _thread.request = before


def drain() -> None:
    """Empty the wake-up pipe."""
    if _read_fd is not None:
        try:
            while os.read(_read_fd, 512):
                pass
        except (BlockingIOError, OSError):
            pass


def sleep(seconds: float) -> None:
    """Wait up to ``seconds``, or less when a stop is asked for; then :func:`check`."""
    fd, request = _read_fd, own_request()
    if request is not None and _signum is None:
        request.wait(seconds)  # a signal is seen at the next call: the waits here are short
    elif fd is not None and _signum is None:
        select.select([fd], [], [], seconds)
    elif _signum is None:
        threading.Event().wait(seconds)
    check()


def finish() -> None:
    """The command's outcome is known: from now on SIGINT and SIGTERM are ignored (the process is only exiting, and
    Python's own finalization would otherwise hand them back to their default action). A stop asked for before this
    is still recorded (see :func:`requested`): the signals are blocked first, which lets a handler already due run,
    and only then ignored."""
    if not _main_thread():
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install() -> None:
    """Handle SIGINT and SIGTERM as stop requests for the rest of the process (from the main thread)."""
    global _read_fd, _write_fd
    if not _main_thread():
        return
    if _read_fd is None:
        _read_fd, _write_fd = os.pipe()
        os.set_blocking(_read_fd, False)
        os.set_blocking(_write_fd, False)
        os.set_inheritable(_read_fd, False)
        os.set_inheritable(_write_fd, False)
    signal.set_wakeup_fd(_write_fd, warn_on_full_buffer=False)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _record)


@contextmanager
def handled() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM are stop requests (answered where the build calls :func:`check`);
    afterwards the handlers before it are back. A no-op outside the main thread."""
    if not _main_thread():
        yield
        return
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    before_fd = signal.set_wakeup_fd(-1)
    install()
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(before_fd)


@contextmanager
def quiet_children() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM are blocked in this thread, so that the processes started in it begin
    with both blocked: a signal to the process group does not reach them; the main process stops them."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

