"""One error tree for the whole tool.

Every message says what went wrong, where, and how to fix it. The front ends print it as one line and exit 2;
errors are told apart by their type, never by their text. Errors of other libraries and of the operating
system are converted into these at the one place each is met (:func:`converted` for OSError).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["ArticlecastError", "ArticleError", "AudioError", "CheckUnavailableError", "EngineError",
           "EngineUnavailableError", "FetchError", "FieldError", "InputError", "OutputError", "ScriptError",
           "UnknownEngineError", "UnknownVoiceError", "os_error_message"]


class ArticlecastError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(ArticlecastError, ValueError):
    """An input cannot be used (missing, empty, binary, unknown kind, unreachable)."""


class FetchError(InputError):
    """A URL could not be fetched as a web page or feed."""


class ArticleError(InputError):
    """An article has no usable content."""


class FieldError(ArticlecastError, ValueError):
    """A field of one of the data classes was given a value it cannot take; carries the field, so that a reader
    of a script can name the line it came from."""

    def __init__(self, owner: str, field: str, value: object, need: str) -> None:
        super().__init__(f"{owner}.{field} must be {need}, got {value!r}")
        self.owner = owner
        """The class, e.g. "Segment"."""
        self.field = field
        """The field's name, e.g. "pause"."""
        self.value = value
        """The value refused."""
        self.need = need
        """What it must be, in words ("seconds from 0 to 10")."""


class ScriptError(InputError):
    """A script (YAML) is malformed or does not validate."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.line = line


class EngineError(ArticlecastError):
    """A speech engine failed or is not usable."""


class UnknownVoiceError(EngineError, ValueError):
    """An engine or voice name is not known."""


class UnknownEngineError(UnknownVoiceError):
    """An engine name is not known (a voice of a known engine that is not known: UnknownVoiceError)."""


class EngineUnavailableError(EngineError):
    """An engine cannot run here (not installed, or needs a network it cannot reach)."""


class AudioError(ArticlecastError):
    """Mixing, encoding, decoding or tagging audio failed."""


class OutputError(ArticlecastError):
    """The output folder, a file in it or the feed cannot be written or read."""


class CheckUnavailableError(ArticlecastError):
    """The listen-back check's recognizer (an optional extra) is not installed, or its model is damaged."""


FIXES = {
    errno.ENOSPC: "free some space, or choose another folder with -o",
    errno.EDQUOT: "free some space, or choose another folder with -o",
    errno.EACCES: "choose a folder you can write to with -o, or change its permissions",
    errno.EPERM: "choose a folder you can write to with -o, or change its permissions",
    errno.EROFS: "the disk is read-only; choose another folder with -o",
    errno.ENOTDIR: "a file stands where a folder should be; choose another folder with -o",
    errno.EEXIST: "a file stands where a folder should be; choose another folder with -o",
}
"""How to fix an OSError, by its errno."""


def os_error_message(e: OSError, path: object, doing: str = "cannot be written") -> str:
    """One line for an OSError: the path, what failed and why, and how to fix it."""
    fix = FIXES.get(e.errno or 0, "check the path, or choose another folder with -o")
    return f"{path}: {doing} ({e.strerror or e}); {fix}"


@contextmanager
def converted(kind: type[ArticlecastError], path: object, doing: str = "cannot be written") -> Iterator[None]:
    """Turn an OSError raised inside the block into ``kind`` with one line naming the path (the error's own file
    name when it has one)."""
    try:
        yield
    except OSError as e:
        raise kind(os_error_message(e, e.filename or path, doing)) from None


def why_not_writable(folder: Path) -> OSError | None:
    """The reason nothing more can be written into ``folder``, found from the folder itself (no room left, no
    permission, a read-only disk), or None when none of these holds: for a program (ffmpeg) that only says
    that it failed."""
    try:
        st = os.statvfs(folder)
    except OSError as e:
        return e
    if st.f_bavail * st.f_frsize < 64 * 1024:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    if st.f_flag & os.ST_RDONLY:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), str(folder))
    if not os.access(folder, os.W_OK):
        return OSError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    return None


def shown_address(url: str) -> str:
    """An address as a message may show it: its password replaced by ``***`` (credentials are never printed)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if not password:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def has_credentials(url: str) -> bool:
    """Whether an address carries a user name or password (a malformed one is not this question's to answer)."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False
