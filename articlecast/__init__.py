"""articlecast: a written article in, a chaptered podcast episode out.

The library the command line is built on. A build in a few lines::

    import articlecast

    with articlecast.Builder(articlecast.Options(voice="silent", output="audio_out")) as builder:
        published = builder.build("script/sample.txt")
    print(published.mp3, published.episode.seconds)

The data flows one way, a package per stage: ``inputs`` (an Article from text, Markdown, a web page) ->
``script`` (what is said, by whom, in which chapters) -> ``voice`` (engines, speech workers, the sentence cache)
-> ``audio`` (the plan, the streaming mix, the encoder, the tags) -> ``publish`` (the episode's files and the
feed) -> ``check`` (listening back) -> ``batch``; :class:`Builder` runs them.

The names below are imported when first used, so that ``import articlecast`` (and the command line's start)
loads only what is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_API = {
    "Options": "options", "EPISODE_MAX": "options", "CHAPTER_MAX": "options",
    "Builder": "builder", "Progress": "builder", "Prepared": "builder",
    "Loaded": "loading", "load": "loading", "digest": "loading",
    "Published": "publish", "audit_feed": "publish", "read_items": "publish", "write_report": "publish",
    "summary": "publish", "publish_to": "publish", "remove_episode": "publish", "serving": "publish",
    "Uploaded": "publish",
    "check_episode": "check", "check_available": "check",
    "run_batch": "batch", "expand": "batch", "Outcome": "batch",
    "read_mp3": "audio.tags", "TagInfo": "audio.tags",
    "Article": "models", "Script": "models", "Voice": "models", "Episode": "models", "Timeline": "models",
    "Chapter": "models", "Cue": "models", "CheckReport": "models",
    "read_article": "inputs", "make_script": "script", "read_script": "script", "write_script": "script",
    "engine_classes": "voice.engines", "get_engine": "voice.engines", "Engine": "voice.engines",
    "ArticlecastError": "errors", "InputError": "errors", "ArticleError": "errors", "ScriptError": "errors",
    "EngineError": "errors", "AudioError": "errors", "OutputError": "errors", "FieldError": "errors",
    "Stopped": "stops", "handled_stops": "stops",
}
"""Each public name and the module it comes from."""
_RENAMED = {"handled_stops": "handled"}

__all__ = ["__version__", "Article", "ArticleError", "ArticlecastError", "AudioError", "Builder", "CHAPTER_MAX",
           "Chapter", "CheckReport", "Cue", "EPISODE_MAX", "Engine", "EngineError", "Episode", "FieldError",
           "InputError", "Loaded", "Options", "Outcome", "OutputError", "Prepared", "Progress", "Published",
           "Script", "ScriptError", "Stopped", "TagInfo", "Timeline", "Voice", "audit_feed", "check_available",
           "check_episode", "digest", "engine_classes", "expand", "get_engine", "handled_stops", "load",
           "make_script", "publish_to", "read_article", "read_items", "read_mp3", "read_script", "remove_episode", "run_batch",
           "serving", "summary", "Uploaded",
           "write_report", "write_script"]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'articlecast' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_API[name]}"), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what the names are, for type checkers and readers
    from .audio.tags import TagInfo, read_mp3
    from .batch import Outcome, expand, run_batch
    from .builder import Builder, Prepared, Progress
    from .check import check_available, check_episode
    from .errors import (
        ArticlecastError,
        ArticleError,
        AudioError,
        EngineError,
        FieldError,
        InputError,
        OutputError,
        ScriptError,
    )
    from .inputs import read_article
    from .loading import Loaded, digest, load
    from .models import Article, Chapter, CheckReport, Cue, Episode, Script, Timeline, Voice
    from .options import CHAPTER_MAX, EPISODE_MAX, Options
    from .publish import Published, audit_feed, read_items, summary, write_report
    from .script import make_script, read_script, write_script
    from .stops import Stopped
    from .stops import handled as handled_stops
    from .voice.engines import Engine, engine_classes, get_engine
