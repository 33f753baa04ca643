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
