"""The listening page: one static HTML file beside the MP3 for reading along, built for keyboards and
screen readers. Pure: episode in, HTML out.

- The HTML5 player (the VTT as its captions track), play/pause, back/forward 15 s, previous/next chapter
  and speed buttons from 0.75x to 2.5x, all real ``<button>``s; single-key shortcuts that can be turned off.
- The chapters as buttons with their start times; the current one has ``aria-current``.
- The transcript, sentence by sentence, under each chapter's heading: the spoken sentence is highlighted,
  and a click (or Enter on it) plays from there.
- Large type, 7:1 contrast in light and dark, no outside requests: the CSS and script are inline and a
  Content-Security-Policy with their hashes allows nothing else to run or load. Every piece of article
  text is escaped; the script itself never contains any (it reads the page's data-* attributes).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Callable
from importlib import resources

from ..audio.timeline import Cue
from ..util.clock import clock
from ..util.words import N_, words
from .episode import Episode
from .transcript import chapter_texts

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
"""The speed buttons."""

SHORTCUTS = (
    ("K", N_("Play or pause")),
    ("J", N_("Back 15 seconds")),
    ("L", N_("Forward 15 seconds")),
    ("P", N_("Previous chapter (or the start of this one, after its first 3 seconds)")),
    ("N", N_("Next chapter")),
    ("S", N_("Slower")),
    ("F", N_("Faster")),
    ("T", N_("Go to the sentence being spoken in the transcript")),
)
"""Single-key shortcuts (no modifier keys), as the script implements them (translated on the page)."""
PAGE_TEXT = {
    "skip": N_("Skip to the player"),
    "listen": N_("Listen"),
    "download": N_("Download the MP3"),
    "now": N_("Now:"),
    "playback": N_("Playback"),
    "previous_chapter": N_("Previous chapter"),
    "back_15_s": N_("Back 15 s"),
    "play": N_("Play"),
    "forward_15_s": N_("Forward 15 s"),
    "next_chapter": N_("Next chapter"),
    "speed": N_("Speed"),
    "chapters": N_("Chapters"),
    "transcript": N_("Transcript"),
    "follow": N_("Scroll to follow the voice"),
    "keyboard_shortcuts": N_("Keyboard shortcuts"),
    "tab_help": N_("Tab and Shift+Tab move between the controls; Enter or Space presses a button."),
    "about_this_episode": N_("About this episode"),
    "files": N_("Files:"),
    "credits": N_("Credits (voices and music):"),
    "synthetic": N_("A synthetic reading of the article; the words are the article's own."),
}
"""The page's fixed words by place (translated into the page's language where they are used)."""
DOWNLOADS = (("audio", N_("MP3")), ("txt", N_("Transcript (text)")), ("vtt", N_("Captions (VTT)")),
             ("srt", N_("Captions (SRT)")), ("chapters", N_("Chapters (JSON)")), ("notes_md", N_("Show notes")),
             ("book", N_("Read-along book (EPUB)")), ("m4b", N_("Audiobook (M4B)")))
"""The companions the page links, by role, with their labels."""


def _script_words(_: Callable[[str], str]) -> str:
    """What the page's script says, in the page's language, as JSON for its data-words attribute (the script
    itself stays the same for every language, so its hash in the Content-Security-Policy does too)."""
    return json.dumps({"clock": _("{now} of {total}"), "chapter": _("Chapter {n} of {count}: {name}"),
                       "cannot_play": _("Cannot play: {error}"), "speed": _("Speed {rate} times"),
                       "back": _("Back {n} seconds, at {time}"), "forward": _("Forward {n} seconds, at {time}"),
                       "play": _("Play"), "pause": _("Pause")}, ensure_ascii=False)


def _asset(name: str) -> str:
    return resources.files("articlecast.publish").joinpath("assets", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _rate(r: float) -> str:
    return f"{r:g}"


def _cue(c: Cue) -> str:
    """A spoken span, with its words' times (data-times: start and end of each word) where the voice gave them."""
    times = ""
    if c.words and len(c.words) == len(c.text.split()):
        times = ' data-times="' + " ".join(f"{ms / 1000:.3f}" for w in c.words for ms in w) + '"'
    return (f'<span class="cue" tabindex="-1" data-start="{c.start_ms / 1000:.3f}" '
            f'data-end="{c.end_ms / 1000:.3f}"{times}>{html.escape(c.text)}</span>')


def _transcript(episode: Episode) -> str:
    out: list[str] = []
    for n, part in enumerate(chapter_texts(episode), 1):
        # a spoken heading is the heading (highlighted there), not a paragraph of its own
        heading = _cue(part.heading) if part.heading else html.escape(part.chapter.title)
        lang = f' lang="{html.escape(part.chapter.language)}"' if part.chapter.language else ""  # a digest's other
        out.append(f'<h3 id="chapter-{n}"{lang}>{heading}</h3>')                                # languages
        out += [f"<p{lang}>" + " ".join(_cue(c) for c in p) + "</p>" for p in part.paragraphs]
    return "\n".join(out)


def _heard(episode: Episode, _: Callable[[str], str]) -> str:
    """The listen-back check's figures (build --check), as a table a screen reader can walk."""
    report = episode.check
    if report is None:
        return ""
    e = html.escape
    rows = "\n".join(f'<tr><th scope="row">{e(c.title)}</th><td>{c.rate:.1%}</td><td>{c.words}</td></tr>'
                     for c in report.chapters)
    said = (_("Listened back by an offline speech recognizer ({recognizer}): {rate} of {words} words were not "
              "heard as written (within the {limit} limit).") if report.passed else
            _("Listened back by an offline speech recognizer ({recognizer}): {rate} of {words} words were not "
              "heard as written (over the {limit} limit)."))
    said = said.format(recognizer=report.recognizer, rate=f"{report.rate:.1%}", words=report.words,
                       limit=f"{report.max_episode:.0%}")
    caption, chapter = _("Words not heard as written, by chapter"), _("Chapter")
    missed, said_words = _("Missed"), _("Words")
    return (f"<p>{e(said)}</p>\n"
            f'<table class="heard">\n<caption>{e(caption)}</caption>\n'
            f'<tr><th scope="col">{e(chapter)}</th><th scope="col">{e(missed)}</th>'
            f'<th scope="col">{e(said_words)}</th></tr>\n'
            f"{rows}\n</table>\n")


def listening_page(episode: Episode, files: dict[str, str], credits: list[str]) -> str:
    """The page for ``episode``; ``files`` names its companions by role (audio, vtt, srt, txt, chapters,
    image, notes_md), all in the same folder as the page."""
    e = html.escape
    m = episode.meta
    _ = words(m.language).gettext
    w = {key: e(_(text)) for key, text in PAGE_TEXT.items()}
    css, js = _asset("listen.css"), _asset("listen.js")
    csp = (f"default-src 'none'; style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
           "media-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'")
    chapters = "\n".join(
        f'<li><button type="button" data-start="{c.start_ms / 1000:.3f}">'
        f'<span class="t">{clock(c.start_ms)}</span> '
        + (f'<span class="part">{e(c.part)}:</span> ' if c.part and c.part != c.title else "")
        + f'<span class="name">{e(c.title)}</span></button></li>'
        for c in episode.chapters)
    speeds = " ".join(f'<button type="button" data-rate="{_rate(r)}" aria-pressed="{"true" if r == 1 else "false"}">'
                      f'{_rate(r)}×</button>' for r in SPEEDS)
    keys = "\n".join(f"<dt><kbd>{k}</kbd></dt><dd>{e(_(what))}</dd>" for k, what in SHORTCUTS)
    downloads = " · ".join(f'<a href="{e(files[k])}">{e(_(label))}</a>' for k, label in DOWNLOADS if k in files)
    cover = f'<img class="cover" src="{e(files["image"])}" alt="" width="240" height="240">' if "image" in files else ""
    captions = _("Captions")
    track = (f'<track kind="captions" src="{e(files["vtt"])}" srclang="{e(m.language)}" label="{e(captions)}" default>'
             if "vtt" in files else "")
    if m.sources:
        sources = _("Sources:")
        source = f"<p>{e(sources)}</p>\n<ul>\n" + "\n".join(f"<li>{e(x)}</li>" for x in m.sources) + "\n</ul>"
    else:
        source_line = _("Source: {source}").format(source=m.source)
        source = f"<p>{e(source_line)}</p>" if m.source else ""
    voices = "\n".join(f"<li>{e(c)}</li>" for c in credits)
    total = clock(episode.chapters[-1].end_ms)
    heard = _heard(episode, _)
    now = _("{now} of {total}").format(now="0:00", total=total)
    tell = _("The sentence being spoken is highlighted. Select a sentence to play from there; in the transcript, "
             "the arrow keys move from sentence to sentence and {enter} plays the one you are on.")
    no_script = _("The buttons, chapters and the highlighted transcript need JavaScript; the player above works "
                  "without it.")
    single_keys = _("Single-key shortcuts (they do nothing with Ctrl, Alt or Cmd held)")
    return f"""<!doctype html>
<html lang="{e(m.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{e(m.title)} – {e(m.show.name)}</title>
<style>{css}</style>
</head>
<body>
<a class="skip" href="#player">{w["skip"]}</a>
<div class="wrap">
<header>
{cover}
<p class="show">{e(m.show.name)}</p>
<h1>{e(m.title)}</h1>
{f"<p>{e(m.description)}</p>" if m.description else ""}
</header>
<main data-words="{e(_script_words(_))}">
<section id="player" tabindex="-1" aria-labelledby="player-heading">
<h2 id="player-heading">{w["listen"]}</h2>
<audio id="audio" controls preload="metadata" src="{e(files["audio"])}">{track}
<a href="{e(files["audio"])}">{w["download"]}</a></audio>
<p class="clock">{w["now"]} <span id="now-chapter">{e(episode.chapters[0].title)}</span>.
<span id="clock">{e(now)}</span></p>
<noscript><p>{e(no_script)}</p></noscript>
<div class="row" role="group" aria-label="{w["playback"]}">
<button type="button" id="previous">{w["previous_chapter"]}</button>
<button type="button" id="back">{w["back_15_s"]}</button>
<button type="button" id="play">{w["play"]}</button>
<button type="button" id="forward">{w["forward_15_s"]}</button>
<button type="button" id="next">{w["next_chapter"]}</button>
</div>
<fieldset class="row" id="speeds">
<legend>{w["speed"]}</legend>
{speeds}
</fieldset>
<p class="status" id="status" role="status"></p>
</section>
<nav aria-labelledby="chapters-heading">
<h2 id="chapters-heading">{w["chapters"]}</h2>
<ol class="chapters" id="chapters">
{chapters}
</ol>
</nav>
<section class="transcript" id="transcript" aria-labelledby="transcript-heading">
<h2 id="transcript-heading">{w["transcript"]}</h2>
<p>{e(tell).replace("{enter}", "<kbd>Enter</kbd>")}</p>
<div class="toggle"><input type="checkbox" id="follow" checked><label for="follow">{w["follow"]}</label></div>
{_transcript(episode)}
</section>
<section aria-labelledby="keys-heading">
<h2 id="keys-heading">{w["keyboard_shortcuts"]}</h2>
<div class="toggle"><input type="checkbox" id="shortcuts" checked><label for="shortcuts">{e(single_keys)}</label></div>
<dl class="keys">
{keys}
</dl>
<p>{w["tab_help"]}</p>
</section>
<section aria-labelledby="about-heading">
<h2 id="about-heading">{w["about_this_episode"]}</h2>
<p>{w["files"]} {downloads}</p>
{source}
<p>{w["credits"]}</p>
<ul>
{voices}
</ul>
<p>{w["synthetic"]}</p>
{heard}</section>
</main>
<footer><p>{e(m.show.name)} · {e(m.date)} · {total}</p></footer>
</div>
<script>{js}</script>
</body>
</html>
"""
