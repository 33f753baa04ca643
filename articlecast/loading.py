"""Loading an input as a build takes it: an article (file or URL) made into its default script, or a script
(.yaml) read back — its voices checked against what is installed here, at their line — and the options that
override a script (voice, speed, show, e-mail) applied. Several inputs may become one digest.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from . import stops
from .errors import InputError
from .inputs import fetch_article, input_kind, is_url, read_article
from .models import Reading, count_words
from .options import Options, too_long
from .script import make_digest, make_script, read_script
from .script.model import Music, Script
from .voice.choice import one_voice, parse_voice, require_voice, resolve_voices

__all__ = ["Loaded", "digest", "load", "words_said"]


@dataclass(frozen=True)
class Loaded:
    """One input, read: its script, and where the files it names live."""

    script: Script
    """The script (an article's default one, or the .yaml as written), options applied, voices made concrete."""
    folder: Path
    """The folder its relative paths (cover art) are relative to."""
    source: str = ""
    """The input as given (a path or a URL)."""
    saved: Path | None = None
    """For a URL: where the fetched page was saved (a rebuild from it is offline)."""


def load(source: str | Path, options: Options | None = None, reading: Reading | None = None) -> Loaded:
    """Read one input of a build: a script (.yaml), an article (:data:`~.inputs.ARTICLE_TYPES`) or a web page's URL
    (fetched and saved into ``options.pages``); then ``options``' voice, speed, show and e-mail applied. A document's
    pages are told to ``reading`` as they are read."""
    stops.check()
    options = options or Options()
    text = str(source)
    if is_url(text):
        article, saved = fetch_article(text, options.pages, options.public_only)
        loaded = Loaded(make_script(article, show=options.show_name), saved.parent, text, saved)
    else:
        path = Path(source)
        if input_kind(path) == "script":
            loaded = Loaded(read_script(path, require_voice), path.parent, text)
        else:
            article = read_article(path, reading, options.max_words)
            loaded = Loaded(make_script(article, show=options.show_name, origin=path.name), path.parent, text)
    return within_length(apply_options(loaded, options), options)


def words_said(script: Script) -> int:
    """The words an episode's chapters say (the intro and outro aside)."""
    return sum(count_words(seg.text) for chapter in script.chapters for seg in chapter.segments)


def within_length(loaded: Loaded, options: Options) -> Loaded:
    """``loaded``, unless its episode would say more than ``options.max_words`` words: then one line saying how
    long it would be and how to allow it, before any speech is made."""
    words = words_said(loaded.script)
    if options.max_words and words > options.max_words:
        raise too_long(loaded.source or loaded.script.meta.title, words, options.max_words, loaded.script.speed)
    return loaded


def apply_options(loaded: Loaded, options: Options) -> Loaded:
    """The options that override a script: one voice for every role, then a voice for some, the pace, the show's
    name, the e-mail."""
    script = loaded.script
    if options.voice:
        script = one_voice(script, parse_voice(options.voice))
    if options.voices:
        script = dataclasses.replace(script, voices={**script.voices, **{role: parse_voice(v) for role, v in
                                                                         options.voices.items()}})
    if options.speed is not None:
        script = dataclasses.replace(script, speed=options.speed)
    meta = script.meta
    show = meta.show
    if options.show and show.name != options.show:
        show = dataclasses.replace(show, name=options.show, author=options.show if show.author == show.name
                                   else show.author)
    if options.email:
        show = dataclasses.replace(show, email=options.email)
    meta = dataclasses.replace(meta, show=show)
    script = dataclasses.replace(script, meta=meta, music=with_theme(script.music, options))
    return dataclasses.replace(loaded, script=resolve_voices(script))


def with_theme(music: Music | None, options: Options) -> Music | None:
    """The show's music, with ``options.music`` as its theme when given (a path as given: relative to where the
    command runs, made absolute)."""
    if options.music is None:
        return music
    theme = str(Path(options.music).resolve())
    return dataclasses.replace(music, theme=theme) if music else Music(theme)


def digest(items: list[Loaded], title: str, options: Options | None = None) -> Loaded:
    """Several loaded inputs as one episode called ``title`` (see :func:`~.script.make_digest`)."""
    if not items:
        raise InputError("a digest needs at least one article")
    script = make_digest([x.script for x in items], title, (options or Options()).show_name)
    first_music = next((x.script.music.anchored(x.folder) for x in items if x.script.music), None)
    script = dataclasses.replace(script, music=with_theme(first_music, options or Options()))
    return within_length(Loaded(script, items[0].folder, " + ".join(x.source for x in items)), options or Options())
