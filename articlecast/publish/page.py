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
from importlib import resources

from ..audio.timeline import Cue
from ..util.clock import clock
from .episode import Episode
from .transcript import chapter_texts

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5)
"""The speed buttons."""

SHORTCUTS = (
    ("K", "Play or pause"),
    ("J", "Back 15 seconds"),
    ("L", "Forward 15 seconds"),
    ("P", "Previous chapter (or the start of this one, after its first 3 seconds)"),
    ("N", "Next chapter"),
    ("S", "Slower"),
    ("F", "Faster"),
    ("T", "Go to the sentence being spoken in the transcript"),
)
"""Single-key shortcuts (no modifier keys), as the script implements them."""


def _asset(name: str) -> str:
    return resources.files("articlecast.publish").joinpath("assets", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _rate(r: float) -> str:
    return f"{r:g}"


def _cue(c: Cue) -> str:
    return (f'<span class="cue" tabindex="-1" data-start="{c.start_ms / 1000:.3f}" '
            f'data-end="{c.end_ms / 1000:.3f}">{html.escape(c.text)}</span>')


def _transcript(episode: Episode) -> str:
    out: list[str] = []
    for n, part in enumerate(chapter_texts(episode), 1):
        # a spoken heading is the heading (highlighted there), not a paragraph of its own
        heading = _cue(part.heading) if part.heading else html.escape(part.chapter.title)
        out.append(f'<h3 id="chapter-{n}">{heading}</h3>')
        out += ["<p>" + " ".join(_cue(c) for c in p) + "</p>" for p in part.paragraphs]
    return "\n".join(out)


def _heard(episode: Episode) -> str:
    """The listen-back check's figures (build --check), as a table a screen reader can walk."""
    report = episode.check
    if report is None:
        return ""
    e = html.escape
    rows = "\n".join(f'<tr><th scope="row">{e(c.title)}</th><td>{c.rate:.1%}</td><td>{c.words}</td></tr>'
                     for c in report.chapters)
    verdict = "within" if report.passed else "over"
    return (f"<p>Listened back by an offline speech recognizer ({e(report.recognizer)}): {report.rate:.1%} of "
            f"{report.words} words were not "
            f"heard as written ({verdict} the {report.max_episode:.0%} limit).</p>\n"
            '<table class="heard">\n<caption>Words not heard as written, by chapter</caption>\n'
            '<tr><th scope="col">Chapter</th><th scope="col">Missed</th><th scope="col">Words</th></tr>\n'
            f"{rows}\n</table>\n")


def listening_page(episode: Episode, files: dict[str, str], credits: list[str]) -> str:
    """The page for ``episode``; ``files`` names its companions by role (audio, vtt, srt, txt, chapters,
    image, notes_md), all in the same folder as the page."""
    e = html.escape
    m = episode.meta
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
    keys = "\n".join(f"<dt><kbd>{k}</kbd></dt><dd>{e(what)}</dd>" for k, what in SHORTCUTS)
    downloads = " · ".join(f'<a href="{e(files[k])}">{label}</a>' for k, label in
                           (("audio", "MP3"), ("txt", "Transcript (text)"), ("vtt", "Captions (VTT)"),
                            ("srt", "Captions (SRT)"), ("chapters", "Chapters (JSON)"), ("notes_md", "Show notes"),
                            ("book", "Read-along book (EPUB)"))
                           if k in files)
    cover = f'<img class="cover" src="{e(files["image"])}" alt="" width="240" height="240">' if "image" in files else ""
    track = (f'<track kind="captions" src="{e(files["vtt"])}" srclang="{e(m.language)}" label="Captions" default>'
             if "vtt" in files else "")
    if m.sources:
        source = "<p>Sources:</p>\n<ul>\n" + "\n".join(f"<li>{e(x)}</li>" for x in m.sources) + "\n</ul>"
    else:
        source = f"<p>Source: {e(m.source)}</p>" if m.source else ""
    voices = "\n".join(f"<li>{e(c)}</li>" for c in credits)
    total = clock(episode.chapters[-1].end_ms)
    heard = _heard(episode)
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
<a class="skip" href="#player">Skip to the player</a>
<div class="wrap">
<header>
{cover}
<p class="show">{e(m.show.name)}</p>
<h1>{e(m.title)}</h1>
{f"<p>{e(m.description)}</p>" if m.description else ""}
</header>
<main>
<section id="player" tabindex="-1" aria-labelledby="player-heading">
<h2 id="player-heading">Listen</h2>
<audio id="audio" controls preload="metadata" src="{e(files["audio"])}">{track}
<a href="{e(files["audio"])}">Download the MP3</a></audio>
<p class="clock">Now: <span id="now-chapter">{e(episode.chapters[0].title)}</span>.
<span id="clock">0:00 of {total}</span></p>
<noscript><p>The buttons, chapters and the highlighted transcript need JavaScript; the player above works without it.</p></noscript>
<div class="row" role="group" aria-label="Playback">
<button type="button" id="previous">Previous chapter</button>
<button type="button" id="back">Back 15 s</button>
<button type="button" id="play">Play</button>
<button type="button" id="forward">Forward 15 s</button>
<button type="button" id="next">Next chapter</button>
</div>
<fieldset class="row" id="speeds">
<legend>Speed</legend>
{speeds}
</fieldset>
<p class="status" id="status" role="status"></p>
</section>
<nav aria-labelledby="chapters-heading">
<h2 id="chapters-heading">Chapters</h2>
<ol class="chapters" id="chapters">
{chapters}
</ol>
</nav>
<section class="transcript" id="transcript" aria-labelledby="transcript-heading">
<h2 id="transcript-heading">Transcript</h2>
<p>The sentence being spoken is highlighted. Select a sentence to play from there; in the transcript, the arrow
keys move from sentence to sentence and <kbd>Enter</kbd> plays the one you are on.</p>
<div class="toggle"><input type="checkbox" id="follow" checked><label for="follow">Scroll to follow the voice</label></div>
{_transcript(episode)}
</section>
<section aria-labelledby="keys-heading">
<h2 id="keys-heading">Keyboard shortcuts</h2>
<div class="toggle"><input type="checkbox" id="shortcuts" checked><label for="shortcuts">Single-key shortcuts
(they do nothing with Ctrl, Alt or Cmd held)</label></div>
<dl class="keys">
{keys}
</dl>
<p>Tab and Shift+Tab move between the controls; Enter or Space presses a button.</p>
</section>
<section aria-labelledby="about-heading">
<h2 id="about-heading">About this episode</h2>
<p>Files: {downloads}</p>
{source}
<p>Credits (voices and music):</p>
<ul>
{voices}
</ul>
<p>A synthetic reading of the article; the words are the article's own.</p>
{heard}</section>
</main>
<footer><p>{e(m.show.name)} · {e(m.date)} · {total}</p></footer>
</div>
<script>{js}</script>
</body>
</html>
"""
