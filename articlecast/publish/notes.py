"""Show notes in Markdown, and the credits of the voices: every piece of article text escaped."""

from __future__ import annotations

import re
from pathlib import Path

from ..script.model import Script
from ..util.clock import clock
from ..util.words import words
from ..voice.engines import get_engine
from .episode import Episode


def _roles_by_voice(script: Script) -> dict[tuple[str, str], list[str]]:
    """Each (engine, voice) the script uses, with the roles it speaks."""
    by_voice: dict[tuple[str, str], list[str]] = {}
    for role, v in script.voices.items():
        by_voice.setdefault((v.engine, v.voice or get_engine(v.engine).default_voice), []).append(role)
    return by_voice


def credits(script: Script) -> list[str]:
    """One line per voice used: role(s), engine and voice, and who made it; and one for the show's music (its
    files and the script's credit), when it has some."""
    lines = [f"{', '.join(roles)}: {eng} voice “{voice}”: {get_engine(eng).credit}"
             for (eng, voice), roles in _roles_by_voice(script).items()]
    music = script.music
    if music:
        files = " and ".join(Path(p).name for p in (music.theme, music.sting) if p)
        lines.append(f"music: {files}" + (f": {music.credit}" if music.credit else ""))
    return lines


def voices_sentence(script: Script) -> str:
    """Which synthetic voices read an episode, as a sentence for its description: "Read by synthetic voices
    (text to speech): hibari “heart” (host, narrator, answer) and piper “joe” (question)." """
    t = words(script.meta.language)
    named = [f"{eng} “{voice}” ({', '.join(roles)})" for (eng, voice), roles in _roles_by_voice(script).items()]
    listed = named[0] if len(named) == 1 else t.gettext("{first} and {last}").format(first=", ".join(named[:-1]),
                                                                                     last=named[-1])
    return t.ngettext("Read by synthetic voice (text to speech): {voices}.",
                      "Read by synthetic voices (text to speech): {voices}.", len(named)).format(voices=listed)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def md_escape(text: str) -> str:
    """Article text as Markdown shows it literally: no HTML, links, images or emphasis of its own."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;")).replace("\\<", "&lt;").replace("\\>", "&gt;")


def notes_markdown(episode: Episode, script: Script, files: dict[str, str] | None = None) -> str:
    """Show notes in Markdown; every piece of article text is escaped. ``files``: the episode's files by role
    (the listening page and the read-along book are linked when it has them)."""
    m = episode.meta
    _ = words(m.language).gettext
    lines = [f"# {md_escape(m.title)}", ""]
    if m.description:
        lines += [md_escape(m.description), ""]
    lines += ["## " + _("Chapters"), ""]
    part = ""
    for c in episode.chapters:
        if c.part and c.part != part:
            lines.append(f"- {md_escape(c.part)}")
        part = c.part
        lines.append(f"{'  ' if c.part else ''}- {clock(c.start_ms)} {md_escape(c.title)}")
    lines.append("")
    if m.sources:
        lines += ["## " + _("Sources"), ""] + [f"- {md_escape(s)}" for s in m.sources] + [""]
    elif m.source:
        lines += ["## " + _("Source"), "", md_escape(m.source), ""]
    links = [(label, (files or {}).get(role)) for role, label in (
        ("page", _("Listening page (read along in a browser)")),
        ("book", _("Read-along book (EPUB 3 with the audio, for reading systems)")))]
    if any(name for _label, name in links):
        lines += ["## " + _("Read along"), ""] + [f"- [{label}]({name})" for label, name in links if name] + [""]
    voices_heading = _("Voices and music") if script.music else _("Voices")
    lines += ["## " + voices_heading, ""] + [f"- {md_escape(c)}" for c in credits(script)] + [""]
    if episode.check is not None:
        r = episode.check
        heard = (_("An offline speech recognizer ({recognizer}) heard {share} of the {words} words as written (passed: "
                   "at most {limit} missed, {chapter_limit} in any chapter).") if r.passed else
                 _("An offline speech recognizer ({recognizer}) heard {share} of the {words} words as written (FAILED: "
                   "at most {limit} missed, {chapter_limit} in any chapter)."))
        lines += ["## " + _("Listen-back check"), "",
                  heard.format(recognizer=md_escape(r.recognizer), share=f"{1 - r.rate:.1%}", words=r.words,
                               limit=f"{r.max_episode:.0%}", chapter_limit=f"{r.max_chapter:.0%}"), ""]
        missed = _("{title}: {share} missed")
        lines += [f"- {missed.format(title=md_escape(c.title), share=f'{c.rate:.1%}')}" for c in r.chapters] + [""]
    synthetic = _("A synthetic reading of the article; the words are the article's own.")
    lines += [f"{synthetic} {voices_sentence(script)}", ""]
    return "\n".join(lines)
