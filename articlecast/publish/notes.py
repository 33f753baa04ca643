"""Show notes in Markdown, and the credits of the voices: every piece of article text escaped."""

from __future__ import annotations

import re
from pathlib import Path

from ..script.model import Script
from ..util.clock import clock
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
    named = [f"{eng} “{voice}” ({', '.join(roles)})" for (eng, voice), roles in _roles_by_voice(script).items()]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Read by synthetic voice{'s' * (len(named) > 1)} (text to speech): {listed}."


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!])")


def md_escape(text: str) -> str:
    """Article text as Markdown shows it literally: no HTML, links, images or emphasis of its own."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;")).replace("\\<", "&lt;").replace("\\>", "&gt;")


def notes_markdown(episode: Episode, script: Script, files: dict[str, str] | None = None) -> str:
    """Show notes in Markdown; every piece of article text is escaped. ``files``: the episode's files by role
    (the listening page and the read-along book are linked when it has them)."""
    m = episode.meta
    lines = [f"# {md_escape(m.title)}", ""]
    if m.description:
        lines += [md_escape(m.description), ""]
    lines += ["## Chapters", ""]
    part = ""
    for c in episode.chapters:
        if c.part and c.part != part:
            lines.append(f"- {md_escape(c.part)}")
        part = c.part
        lines.append(f"{'  ' if c.part else ''}- {clock(c.start_ms)} {md_escape(c.title)}")
    lines.append("")
    if m.sources:
        lines += ["## Sources", ""] + [f"- {md_escape(s)}" for s in m.sources] + [""]
    elif m.source:
        lines += ["## Source", "", md_escape(m.source), ""]
    links = [(label, (files or {}).get(role)) for role, label in (("page", "Listening page (read along in a "
                                                                   "browser)"),
                                                                  ("book", "Read-along book (EPUB 3 with the audio, "
                                                                   "for reading systems)"))]
    if any(name for _, name in links):
        lines += ["## Read along", ""] + [f"- [{label}]({name})" for label, name in links if name] + [""]
    lines += ["## Voices and music" if script.music else "## Voices", ""] + [f"- {md_escape(c)}" for c in credits(script)] + [""]
    if episode.check is not None:
        r = episode.check
        lines += ["## Listen-back check", "",
                  f"An offline speech recognizer ({md_escape(r.recognizer)}) heard {1 - r.rate:.1%} of the "
                  f"{r.words} words as written "
                  f"({'passed' if r.passed else 'FAILED'}: at most {r.max_episode:.0%} missed, "
                  f"{r.max_chapter:.0%} in any chapter).", ""]
        lines += [f"- {md_escape(c.title)}: {c.rate:.1%} missed" for c in r.chapters] + [""]
    lines += [f"A synthetic reading of the article; the words are the article's own. {voices_sentence(script)}", ""]
    return "\n".join(lines)
