"""The whole build, as a library: inputs -> script -> speech -> timeline -> published files.

A :class:`Builder` owns what a run of builds shares — the cache, the pool of speech workers, the options — and
builds one input after another into the output folder and its feed; the command line's ``build`` and
``batch`` are loops over it, and so is a Python caller's::

    import articlecast
    with articlecast.Builder(articlecast.Options(voice="silent")) as builder:
        published = builder.build("script/sample.txt")

Everything that can be checked before speech is checked first (:meth:`Builder.prepare`: voices, cover art,
the output folder and its feed). A stop (SIGTERM, Ctrl-C, when :func:`~.stops.handled`) is answered at the next
safe point; the workers end with the builder, the temporaries are removed, and nothing is published unless the
publishing had already begun renaming (then it is finished).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from . import stops
from .audio.episode import render_episode
from .audio.music import Sounds, load_music, music_digest
from .audio.plan import plan_episode
from .cache import trim
from .check import check_available, listen_to_plan, plan_report
from .check.report import Retake
from .errors import ArticlecastError, FieldError, InputError, OutputError, converted
from .loading import Loaded, digest, load
from .models import MIX_RATE, Audio, Tick, untold
from .options import Options
from .publish import Artwork, Published, artwork, build_hash, prepare_output, publish_episode, up_to_date
from .publish.episode import Episode
from .script.model import Script, Voice
from .util.files import temp_path
from .voice.choice import parse_voice, require_voice, require_voices, warn_about_language
from .voice.engines import get_engine
from .voice.segments import SegmentCache
from .voice.speaker import PoolFactory, Request, Speaker

__all__ = ["Builder", "Prepared", "Progress", "build", "online"]


class Progress:
    """What a build tells as it goes. Every method does nothing here; a front end overrides what it shows."""

    def saved(self, loaded: Loaded) -> None:
        """A web page was fetched and saved (``loaded.saved``) so that a rebuild is offline."""

    def note(self, message: str) -> None:
        """Something worth a line of its own (how many speech workers a Ray cluster gave)."""

    def building(self, script: Script, number: int, count: int) -> None:
        """Episode ``number`` of ``count`` is about to be spoken."""

    def reading(self, pages: int) -> Tick:
        """A document of ``pages`` pages (or a book of that many documents) is being read; returns what is told of
        each."""
        return untold

    def speaking(self, sentences: int) -> Tick:
        """``sentences`` are to be made ready (spoken, or found in the cache); returns what is told of each."""
        return untold

    def listening(self, sentences: int) -> Tick:
        """``sentences`` are to be listened to (the check); returns what is told of each."""
        return untold

    def retaken(self, retake: Retake) -> None:
        """A sentence the check misheard was spoken again (or tried again)."""

    def built(self, published: Published, seconds: float, cached: int, made: int) -> None:
        """An episode was published: it took ``seconds``; ``cached`` sentences came from the cache, ``made`` were
        spoken."""


@dataclasses.dataclass(frozen=True)
class Prepared:
    """An input ready to be spoken: everything about it that could be checked without speech was."""

    loaded: Loaded
    """The input and its script."""
    art: Artwork
    """The show's and the episode's cover art."""
    sounds: Sounds | None = None
    """The show's own sound, loaded and shaped (None: the generated chimes)."""


class Builder:
    """Builds episodes into ``options.output`` and its feed; use it as a context manager (the speech workers it
    starts end with it)."""

    def __init__(self, options: Options | None = None, progress: Progress | None = None,
                 cache: SegmentCache | None = None) -> None:
        self.options = options or Options()
        """The settings of every build."""
        self.progress = progress or Progress()
        """What is told as the builds go."""
        self.cache = cache or SegmentCache()
        """Where spoken sentences and encoded episodes are kept."""
        self.published: list[Published] = []
        """What this builder has published, in order."""
        self.speaker = Speaker(self.cache, workers=self.options.workers, pool=self._pool_factory())
        """Speaks the sentences, in speech threads (or Ray actors)."""
        if self.options.check:
            check_available()

    def _pool_factory(self) -> PoolFactory | None:
        if self.options.ray is None:
            return None
        address, workers = self.options.ray or None, self.options.workers

        def ray_pool():  # type: ignore[no-untyped-def]
            from .voice.ray_pool import RayPool  # Ray is an optional extra

            pool = RayPool(address, workers)
            self.progress.note(f"Ray: {pool.size} speech workers on {pool.nodes} machine(s)")
            return pool

        return ray_pool

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.speaker.__exit__(et, ev, tb)

    # ------------------------------------------------------------ the steps

    def load(self, source: str | Path) -> Loaded:
        """Read one input (a URL is fetched and saved), the options applied."""
        loaded = load(source, self.options, self.progress.reading)
        if loaded.saved is not None:
            self.progress.saved(loaded)
        return loaded

    def warm_up(self, items: Sequence[Loaded]) -> None:
        """Start the speech workers, loading the voices they will need, while the caller still prepares (nothing
        when everything is in the cache). A voice that does not exist is left to :meth:`prepare` to name."""
        try:
            missing = [r for x in items for r in plan_episode(x.script, self.options.bitrate).missing(self.cache)]
        except ArticlecastError:
            return
        self.speaker.warm_up([r.voice for r in missing], len(missing))

    def prepare(self, loaded: Loaded) -> Prepared:
        """Everything that can be checked before any speech is made: the voices, the cover art (paths relative to
        the input's folder), the output folder and its feed."""
        stops.check()
        require_voices(loaded.script)
        warn_about_language(loaded.script)
        art = artwork(loaded.script, loaded.folder)
        sounds = load_music(loaded.script.music, loaded.folder) if loaded.script.music else None
        prepare_output(self.options.output)
        return Prepared(loaded, art, sounds)

    def sentences(self, loaded: Loaded) -> int:
        """How many sentences an input's episode says (for progress)."""
        return len(plan_episode(loaded.script, self.options.bitrate).requests) + 1

    def build_hash(self, loaded: Loaded) -> str:
        """What an episode is built from (its script, its music's contents and the settings that change it): see
        :func:`build_hash`."""
        o, music = self.options, loaded.script.music
        return build_hash(loaded.script, o.bitrate, o.base_url,
                          (o.max_missed, o.max_missed_chapter) if o.check else None, o.book,
                          music_digest(music, loaded.folder) if music else "", o.m4b)

    def up_to_date(self, loaded: Loaded) -> bool:
        """Whether the episode is published in the output folder from the very same script and settings."""
        folder = self.options.output
        return (folder / "feed.json").exists() and up_to_date(folder, loaded.script,
                                                              self.build_hash(loaded)) is not None

    def build_prepared(self, prepared: Prepared) -> Published:
        """Speak, (listen to,) mix, encode and publish one prepared input."""
        o = self.options
        script, folder = prepared.loaded.script, o.output
        started = time.perf_counter()
        hits, misses = self.cache.hits, self.cache.misses
        plan = plan_episode(script, o.bitrate, prepared.sounds)
        with converted(OutputError, folder):
            mp3 = temp_path(folder / "episode.mp3")
        try:
            listened = None
            if o.check:  # every sentence spoken and listened to first (retakes in the plan); then mixed
                listened = listen_to_plan(plan, self.speaker, self.progress.listening)
                for retake in listened.retakes:
                    self.progress.retaken(retake)
            tick = self.progress.speaking(len(plan.requests) + 1)
            with converted(OutputError, folder):  # writing the MP3 (a full disk)
                timeline = render_episode(plan, self.speaker, mp3, tick)
            report = plan_report(listened, plan, timeline, o.max_missed, o.max_missed_chapter) if listened else None
            episode = Episode(script.meta, timeline, report, listened.retakes if listened else ())
            published = publish_episode(episode, script, folder, prepared.art, mp3, o.base_url,
                                        self.build_hash(prepared.loaded), o.book, o.m4b)
        finally:
            mp3.unlink(missing_ok=True)
        self.published.append(published)
        trim(self.cache.base)
        self.progress.built(published, time.perf_counter() - started, self.cache.hits - hits,
                            self.cache.misses - misses)
        return published

    # ------------------------------------------------------------ whole builds

    def build(self, source: str | Path | Loaded) -> Published:
        """Build one input (a path, a URL, or what :meth:`load` gave) into the output folder and its feed."""
        loaded = source if isinstance(source, Loaded) else self.load(source)
        self.warm_up([loaded])
        prepared = self.prepare(loaded)
        self.progress.building(loaded.script, 1, 1)
        return self.build_prepared(prepared)

    def build_all(self, sources: Iterable[str | Path], digest_title: str | None = None) -> list[Published]:
        """Build several inputs, one episode each (or one digest of them all, called ``digest_title``): every
        input is read and checked before anything is spoken, so one bad input stops the run before any speech."""
        items = [self.load(s) for s in sources]
        if digest_title is not None:
            items = [digest(items, digest_title, self.options)]
        self.warm_up(items)
        prepared = [self.prepare(x) for x in items]
        out = []
        for n, p in enumerate(prepared, 1):
            self.progress.building(p.loaded.script, n, len(prepared))
            out.append(self.build_prepared(p))
        return out

    def say(self, text: str, voice: Voice | str = "hibari", speed: float = 1.0) -> Audio:
        """``text`` spoken in one voice the way a build speaks a sentence (through the cache), at MIX_RATE."""
        v = voice if isinstance(voice, Voice) else dataclasses.replace(parse_voice(voice), speed=speed)
        require_voice(v)
        (said,) = self.speaker.said([Request(text, v)])
        audio = self.speaker.audio(said)
        assert audio.sample_rate == MIX_RATE
        return audio


def online(script: Script) -> bool:
    """Whether any of the script's voices needs the network."""
    return not all(get_engine(v.engine).offline for v in script.voices.values())


def build(source: str | Path | Sequence[str | Path], *, digest: str | None = None, progress: Progress | None = None,
          **options: Any) -> Published:
    """Build one article into an episode, the way ``speak.py build`` does: ``source`` is a path (text, Markdown, a
    web page, a PDF, a Word file, an EPUB, a script) or a URL; ``options`` are :class:`Options`' fields
    (``voice="silent"``, ``voices={"question": "piper:joe"}``, ``output="audio_out"``...). Several sources and a
    ``digest`` title make one episode of them all, a chapter each. For many episodes with one pool of speech
    workers, use a :class:`Builder`."""
    known = {f.name for f in dataclasses.fields(Options)}
    for name, value in options.items():
        if name not in known:
            raise FieldError("Options", name, value, f"one of Options' fields ({', '.join(sorted(known))})")
    one = isinstance(source, (str, Path))
    if one and digest is not None:
        raise InputError("a digest is made of several sources: give a list of them, or leave digest out")
    if not one and digest is None:
        raise InputError("several sources make one episode only as a digest: give digest='its title' (or build an "
                         "episode of each with Builder.build_all)")
    with Builder(Options(**options), progress) as builder:
        if one:
            return builder.build(source)  # type: ignore[arg-type]
        (published,) = builder.build_all(source, digest_title=digest)  # type: ignore[arg-type]
        return published
