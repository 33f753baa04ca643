"""One error tree for the whole tool.

Every message says what went wrong, where, and how to fix it; the CLI prints it as one line and exits 2.
"""

from __future__ import annotations


class ArticlecastError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(ArticlecastError, ValueError):
    """An input file cannot be used (missing, empty, binary, unknown kind)."""


class ArticleError(ArticlecastError, ValueError):
    """An article has no usable content."""


class ScriptError(ArticlecastError, ValueError):
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


class EngineUnavailableError(EngineError):
    """An engine cannot run here (not installed, or needs a network it cannot reach)."""


class AudioError(ArticlecastError):
    """Mixing, encoding or tagging audio failed."""


class OutputError(ArticlecastError):
    """The output folder, a file in it or the feed cannot be written or read."""


def os_error_message(e: OSError, path: object, doing: str = "cannot be written") -> str:
    """One line for an OSError: the path, what failed and why, and how to fix it."""
    import errno

    fixes = {
        errno.ENOSPC: "free some space, or choose another folder with -o",
        errno.EDQUOT: "free some space, or choose another folder with -o",
        errno.EACCES: "choose a folder you can write to with -o, or change its permissions",
        errno.EPERM: "choose a folder you can write to with -o, or change its permissions",
        errno.EROFS: "the disk is read-only; choose another folder with -o",
        errno.ENOTDIR: "a file stands where a folder should be; choose another folder with -o",
        errno.EEXIST: "a file stands where a folder should be; choose another folder with -o",
    }
    fix = fixes.get(e.errno or 0, "check the path, or choose another folder with -o")
    return f"{path}: {doing} ({e.strerror or e}); {fix}"
