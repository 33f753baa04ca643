"""Where the tool keeps its files: one function for the cache directory."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "ARTICLECAST_CACHE"


def cache_dir() -> Path:
    """ARTICLECAST_CACHE if set, else the platform's user cache dir (which honours XDG_CACHE_HOME)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("articlecast", appauthor=False))
