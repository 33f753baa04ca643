"""The listening page: pure checks on the HTML, then the real page driven in headless Chromium through
Playwright (the system's browser), with axe-core run inside it."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import WCAG, launched, run_axe
from helpers import episode_of, speak
from static_server import serve

from articlecast.audio.tags import read_mp3
from articlecast.audio.timeline import Chapter, Cue
from articlecast.publish.episode import Episode
from articlecast.publish.page import SPEEDS, listening_page
from articlecast.script.model import Meta

TITLE = 'Rain <script>window.pwned=1</script> & "Gardens"'
ARTICLE = f"""{TITLE}

Rain gardens catch the water that runs off roofs. They are cheap to build.

Soil

Use sand. Mix in compost. The water should drain within a day.

Plants

Choose native plants. They like wet feet and dry summers.
"""
FILES = {"audio": "ep.mp3", "vtt": "ep.vtt", "srt": "ep.srt", "txt": "ep.txt", "chapters": "ep.chapters.json",
         "image": "ep.png", "notes_md": "ep.md"}


def toy_episode(title: str = "T <b> & co") -> Episode:
    meta = Meta(title=title, date="2026-01-01", source="https://example.com/a?x=1&y=<2>")
    chapters = (Chapter("Intro", 0, 4000), Chapter("Part <1>", 4000, 9000), Chapter("Outro", 9000, 10000))
    cues = (Cue("Hello & welcome.", 500, 2000), Cue("</span><img src=x onerror=alert(1)>", 2000, 3900, True),
            Cue("In part <one>.", 4500, 6000), Cue("Still there.", 6000, 8000, True), Cue("Bye.", 9200, 9900, True))
    return episode_of(meta, chapters, cues)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.blocks else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in].append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    return t


# ---------------------------------------------------------------- pure: the HTML itself


def test_article_text_is_escaped_everywhere() -> None:
    page = listening_page(toy_episode(TITLE), FILES, ["narrator: <i>voice</i>"])
    tags = parse(page)
    assert [t for t, _ in tags.tags].count("script") == 1 and [t for t, _ in tags.tags].count("img") == 1
    assert "window.pwned" not in "".join(tags.blocks["script"])
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt; &amp; &quot;Gardens&quot;" in page
    assert "&lt;/span&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Part &lt;1&gt;" in page and "&lt;i&gt;voice&lt;/i&gt;" in page and "y=&lt;2&gt;" in page


def test_content_security_policy_allows_only_the_inline_style_and_script() -> None:
    tags = parse(listening_page(toy_episode(), FILES, []))
    (csp,) = [a["content"] for t, a in tags.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    for block in ("style", "script"):
        (text,) = tags.blocks[block]
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{block}-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "unsafe" not in csp


def test_page_refers_only_to_its_own_files() -> None:
    tags = parse(listening_page(toy_episode(), FILES, []))
    refs = [a[k] for _, a in tags.tags for k in ("src", "href") if a.get(k)]
    outside = [r for r in refs if not r.startswith("#") and r not in FILES.values()]
    assert not outside
    assert {"ep.mp3", "ep.vtt", "ep.png", "#player"} <= set(refs)


def test_chapters_speeds_and_cues_carry_their_times() -> None:
    tags = parse(listening_page(toy_episode(), FILES, []))
    starts = [a["data-start"] for t, a in tags.tags if t == "button" and "data-start" in a]
    assert starts == ["0.000", "4.000", "9.000"]
    assert [float(a["data-rate"]) for t, a in tags.tags if "data-rate" in a] == list(SPEEDS)
    assert SPEEDS[0] == 0.75 and SPEEDS[-1] == 2.5
    cues = [(a["data-start"], a["data-end"]) for t, a in tags.tags if a.get("class") == "cue"]
    assert cues[:2] == [("0.500", "2.000"), ("2.000", "3.900")]
    assert len(cues) == 5


def test_a_spoken_heading_is_the_heading_not_a_paragraph() -> None:
    ep = toy_episode()
    ep = episode_of(ep.meta, ep.chapters, (Cue("Part <1>.", 4100, 4900, True), *ep.cues[2:]))
    page = listening_page(ep, FILES, [])
    assert '<h3 id="chapter-2"><span class="cue" tabindex="-1" data-start="4.100" data-end="4.500">Part &lt;1&gt;.</span></h3>' \
        in page
    assert page.count("Part &lt;1&gt;") == 2  # the chapter button and the heading
    assert '<h3 id="chapter-1">Intro</h3>' in page


# ---------------------------------------------------------------- the real page in headless Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short real episode (hibari voice), with a <script> in its title, listened back (build --check: the page
    shows the figures); returns its folder."""
    work = tmp_path_factory.mktemp("page")
    (work / "rain.txt").write_text(ARTICLE)
    proc = speak(["build", "rain.txt", "-q", "--check"], work, {"ARTICLECAST_CACHE": str(work / "cache")})
    # the title's markup ("less than script greater than") may well be heard over the threshold: exit 1 then
    assert proc.returncode in (0, 1) and "listen-back check" in proc.stdout, proc.stderr
    (page,) = (work / "audio_out").glob("*.html")
    assert "Words not heard as written, by chapter" in page.read_text()
    return work / "audio_out"


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[tuple[str, list[str]]]:
    with serve(built) as (base, requested):
        yield base + _page_name(built), requested


def _page_name(folder: Path) -> str:
    (page,) = [p.name for p in folder.glob("*.html")]
    return page


def _chapters(folder: Path) -> list[tuple[float, str]]:
    mp3 = next(folder.glob("*.mp3"))
    return [(c.start_ms / 1000, c.title) for c in read_mp3(mp3).chapters]


@pytest.fixture
def page(browser: Any, site: tuple[str, list[str]]) -> Iterator[Any]:
    """The page over HTTP, its audio's metadata loaded. bypass_csp lets the test inject axe-core and poll."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(site[0])
    pg.wait_for_function("document.getElementById('audio').readyState >= 1")
    yield pg
    context.close()
    assert not errors


def focus_key(pg: Any) -> str:
    """A name for the focused element: the id, a chapter's or speed's data, or the link's target."""
    return pg.evaluate("""() => { const a = document.activeElement;
        if (!a || a === document.body) return 'body';
        if (a.id) return '#' + a.id;
        if (a.dataset.rate) return 'rate:' + a.dataset.rate;
        if (a.classList.contains('cue')) return 'cue:' + a.dataset.start;
        if (a.dataset.start) return 'chapter:' + a.dataset.start;
        return a.tagName.toLowerCase() + ':' + (a.getAttribute('href') || a.textContent.trim()); }""")


def tab_to(pg: Any, key: str, limit: int = 200) -> None:
    """Press Tab until ``key`` has the focus (keyboard only: no clicks, no focus() calls)."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if focus_key(pg) == key:
            return
    raise AssertionError(f"{key} is not reachable with Tab")


def now(pg: Any) -> float:
    return pg.evaluate("document.getElementById('audio').currentTime")


@pytest.mark.slow
def test_audio_loads_with_the_episode_length(page: Any, built: Path) -> None:
    info = read_mp3(next(built.glob("*.mp3")))
    assert abs(page.evaluate("document.getElementById('audio').duration") - info.seconds) < 0.1
    assert page.evaluate("document.getElementById('audio').textTracks.length") == 1
    page.wait_for_function("document.getElementById('audio').textTracks[0].cues?.length > 5")  # the VTT, over HTTP
    # the page gives the episode's length as its chapters end (the MP3's own length adds the encoder's last frame,
    # which may carry it over a whole second)
    end = info.chapters[-1].end_ms // 1000
    assert page.text_content("#clock").endswith(f"of {end // 60}:{end % 60:02d}")


@pytest.mark.slow
def test_chapter_buttons_seek_and_mark_the_current_chapter(page: Any, built: Path) -> None:
    chapters = _chapters(built)
    buttons = page.locator("#chapters button")
    assert buttons.count() == len(chapters) >= 4
    for i in [2, 0, len(chapters) - 1, 1]:
        buttons.nth(i).click()
        assert abs(now(page) - chapters[i][0]) < 0.01
        current = page.eval_on_selector_all("#chapters button", "bs => bs.map(b => b.getAttribute('aria-current'))")
        assert current == [("true" if j == i else None) for j in range(len(chapters))]
        assert page.text_content("#now-chapter") == chapters[i][1]
    page.wait_for_function(f"document.getElementById('status').textContent == 'Chapter 2 of {len(chapters)}: '"
                           f" + {chapters[1][1]!r}")


@pytest.mark.slow
def test_highlighted_sentence_follows_the_time(page: Any) -> None:
    cues = page.eval_on_selector_all("#transcript .cue", "cs => cs.map(c => [+c.dataset.start, +c.dataset.end])")
    assert len(cues) >= 8
    for i in [0, 3, len(cues) // 2, len(cues) - 1, 1]:
        start, end = cues[i]
        page.evaluate(f"document.getElementById('audio').currentTime = {(start + end) / 2}")
        page.wait_for_function(f"document.querySelector('.cue.now')?.dataset.start == '{start:.3f}'")
        assert page.locator(".cue.now").count() == 1
        assert page.get_attribute(".cue.now", "aria-current") == "true"
    # playing moves the highlight on by itself
    page.evaluate(f"document.getElementById('audio').currentTime = {cues[2][0]}")
    page.wait_for_function(f"document.querySelector('.cue.now')?.dataset.start == '{cues[2][0]:.3f}'")
    page.click("#play")
    page.wait_for_function(f"document.querySelector('.cue.now')?.dataset.start == '{cues[3][0]:.3f}'", timeout=30_000)
    page.click("#play")
    assert page.evaluate("document.getElementById('audio').paused")


@pytest.mark.slow
def test_no_sentence_is_marked_during_a_chapters_opening_chime(page: Any, built: Path) -> None:
    start = _chapters(built)[2][0]
    page.evaluate(f"document.getElementById('audio').currentTime = {start + 0.1}")
    page.wait_for_function("!document.querySelector('.cue.now')")
    first = page.eval_on_selector_all("#transcript .cue", f"cs => cs.find(c => +c.dataset.start >= {start}).dataset.start")
    assert float(first) > start + 0.1


@pytest.mark.slow
def test_a_click_on_a_sentence_plays_from_there(page: Any) -> None:
    cue = page.locator("#transcript .cue").nth(5)
    start = float(cue.get_attribute("data-start"))
    cue.click()
    assert start - 0.01 < now(page) < start + 2
    page.wait_for_function("!document.getElementById('audio').paused")
    page.click("#play")


@pytest.mark.slow
def test_the_word_being_spoken_is_highlighted_and_a_click_plays_from_a_word(page: Any) -> None:
    cue = page.locator("#transcript .cue[data-times]").nth(3)
    times = [float(x) for x in cue.get_attribute("data-times").split()]
    words = cue.text_content().split()
    assert len(times) == 2 * len(words) >= 8 and times == sorted(times)
    shown = "(() => { const h = CSS.highlights.get('articlecast-word'); return h && h.size ? [...h][0].toString() : ''; })()"
    for k in [0, 2, len(words) - 1]:
        page.evaluate(f"document.getElementById('audio').currentTime = {(times[2 * k] + times[2 * k + 1]) / 2}")
        page.wait_for_function(f"{shown} === {words[k]!r}")
    # a click on a word plays from it (where the browser puts the caret under the pointer)
    k = len(words) // 2
    cue.scroll_into_view_if_needed()
    box = page.evaluate("""([k]) => { const c = [...document.querySelectorAll('#transcript .cue[data-times]')][3];
        const m = [...c.firstChild.data.matchAll(/\\S+/g)][k]; const r = new Range();
        r.setStart(c.firstChild, m.index + 1); r.setEnd(c.firstChild, m.index + 2);
        const b = r.getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; }""", [k])
    page.mouse.click(*box)
    assert times[2 * k] - 0.01 < now(page) < times[2 * k] + 1.0
    page.wait_for_function("!document.getElementById('audio').paused")
    page.click("#play")
    page.wait_for_function(f"{shown} !== ''")


@pytest.mark.slow
def test_speed_buttons_set_the_playback_rate(page: Any) -> None:
    for rate in [2.5, 0.75, 1.5, 1]:
        page.click(f"#speeds button[data-rate='{rate:g}']")
        assert page.evaluate("document.getElementById('audio').playbackRate") == rate
        pressed = page.eval_on_selector_all("#speeds button", "bs => bs.map(b => b.getAttribute('aria-pressed'))")
        assert pressed == [str(r == rate).lower() for r in SPEEDS]


@pytest.mark.slow
def test_everything_works_by_keyboard_alone(page: Any, built: Path) -> None:
    chapters = _chapters(built)
    # the first Tab reaches the skip link, which moves the focus to the player
    page.keyboard.press("Tab")
    assert focus_key(page) == "a:#player"
    page.keyboard.press("Enter")
    assert focus_key(page) == "#player"
    page.keyboard.press("Tab")
    assert focus_key(page) == "#audio"

    # every control is in the Tab order; the transcript is a single stop in it
    controls = page.evaluate("""() => [...document.querySelectorAll('a[href], button, input')].map(a =>
        a.id ? '#' + a.id : a.dataset.rate ? 'rate:' + a.dataset.rate : a.dataset.start ? 'chapter:' + a.dataset.start
        : 'a:' + a.getAttribute('href'))""")
    order = []
    for _ in range(len(controls) + 10):
        page.keyboard.press("Tab")
        order.append(focus_key(page))
    assert set(controls) - {"a:#player"} <= set(order), set(controls) - set(order)
    assert sum(k.startswith("cue:") for k in order) == 1

    tab_to(page, "#play")
    page.keyboard.press("Enter")
    page.wait_for_function("!document.getElementById('audio').paused")
    page.keyboard.press("Space")
    page.wait_for_function("document.getElementById('audio').paused")

    tab_to(page, f"chapter:{chapters[2][0]:.3f}")
    page.keyboard.press("Enter")
    assert abs(now(page) - chapters[2][0]) < 0.01
    page.wait_for_function(f"document.getElementById('status').textContent.startsWith('Chapter 3 of {len(chapters)}')")

    page.keyboard.press("Shift+Tab")  # back up to the buttons above the chapter list
    tab_to(page, "#forward")
    page.keyboard.press("Enter")
    assert abs(now(page) - (chapters[2][0] + 15)) < 0.01
    here = max(i for i, (start, _) in enumerate(chapters) if start <= now(page))
    tab_to(page, "#next")
    page.keyboard.press("Space")
    assert abs(now(page) - chapters[min(here + 1, len(chapters) - 1)][0]) < 0.01
    tab_to(page, "#previous")
    page.keyboard.press("Enter")  # within 3 s of a chapter's start: the one before
    assert abs(now(page) - chapters[here][0]) < 0.01
    tab_to(page, "#back")
    page.keyboard.press("Enter")
    assert abs(now(page) - max(0, chapters[here][0] - 15)) < 0.01
    tab_to(page, "rate:2")
    page.keyboard.press("Space")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 2

    # the transcript: Tab in, arrows move sentence by sentence, Enter plays from there
    tab_to(page, "#follow")
    page.keyboard.press("Tab")
    assert focus_key(page).startswith("cue:")
    here = float(focus_key(page)[4:])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    target = float(focus_key(page)[4:])
    assert target > here
    page.keyboard.press("Enter")
    assert -0.01 < now(page) - target < 0.5  # from there, and already playing (at 2x: a CI run read it 21 ms on)
    page.wait_for_function("!document.getElementById('audio').paused")
    page.keyboard.press("k")
    page.wait_for_function("document.getElementById('audio').paused")

    # single-key shortcuts, from anywhere
    page.evaluate("document.activeElement.blur()")
    page.evaluate(f"document.getElementById('audio').currentTime = {chapters[1][0] + 5}")
    page.keyboard.press("n")
    assert abs(now(page) - chapters[2][0]) < 0.01
    page.keyboard.press("p")  # within 3 s of this chapter's start: the previous one
    assert abs(now(page) - chapters[1][0]) < 0.01
    page.keyboard.press("l")
    page.keyboard.press("l")
    page.keyboard.press("j")
    assert abs(now(page) - (chapters[1][0] + 15)) < 0.01
    page.evaluate(f"document.getElementById('audio').currentTime = {chapters[1][0] + 3.5}")
    assert chapters[2][0] - chapters[1][0] > 3.5
    page.keyboard.press("p")  # more than 3 s in: back to this chapter's start
    assert abs(now(page) - chapters[1][0]) < 0.01
    page.keyboard.press("f")  # 2 -> 2.5
    assert page.evaluate("document.getElementById('audio').playbackRate") == 2.5
    for _ in range(3):
        page.keyboard.press("s")
    assert page.evaluate("document.getElementById('audio').playbackRate") == 1.5
    page.keyboard.press("t")
    assert focus_key(page).startswith("cue:")

    # the shortcuts can be turned off (WCAG 2.1.4), with the keyboard
    tab_to(page, "#shortcuts")
    page.keyboard.press("Space")
    assert not page.is_checked("#shortcuts")
    page.keyboard.press("n")
    assert abs(now(page) - chapters[1][0]) < 0.01 and focus_key(page) == "#shortcuts"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.slow
def test_axe_finds_no_wcag_a_or_aa_violations(browser: Any, site: tuple[str, list[str]], scheme: str,
                                              width: int) -> None:
    context = browser.new_context(bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 800})
    pg = context.new_page()
    pg.goto(site[0])
    pg.wait_for_function("document.getElementById('audio').readyState >= 1")
    pg.locator("#chapters button").nth(1).click()  # a current chapter, a pressed speed and a highlighted sentence
    pg.locator("#transcript .cue").nth(3).click()
    pg.click("#play")
    assert pg.locator(".cue.now").count() == 1
    assert run_axe(pg, WCAG) == []
    # and the 7:1 contrast that WCAG asks at AAA, which low-vision readers need
    assert run_axe(pg, ["wcag2aaa"]) == []
    context.close()


@pytest.mark.slow
def test_axe_does_find_a_broken_control(page: Any) -> None:
    # the check above can fail: the same run on the page with a nameless, faint button reports both
    page.evaluate("""() => { const b = document.getElementById('next'); b.textContent = '';
                             document.getElementById('play').style.color = '#ddd'; }""")
    found = run_axe(page, WCAG)
    assert any(v.startswith("button-name:") for v in found) and any(v.startswith("color-contrast:") for v in found)


@pytest.mark.slow
def test_text_reflows_at_400_percent_zoom(browser: Any, site: tuple[str, list[str]]) -> None:
    # 400% zoom of a 1280 px window is a 320 CSS px viewport (WCAG 1.4.10)
    context = browser.new_context(viewport={"width": 320, "height": 640})
    pg = context.new_page()
    pg.goto(site[0])
    assert pg.evaluate("document.documentElement.scrollWidth") <= 320
    too_wide = pg.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 321 && getComputedStyle(e).position !== 'absolute')
        .map(e => e.tagName + '.' + e.className)""")
    assert too_wide == []
    assert pg.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    context.close()


@pytest.mark.slow
def test_light_dark_and_reduced_motion_follow_the_system(browser: Any, site: tuple[str, list[str]]) -> None:
    looks = {}
    for scheme, motion in [("light", "no-preference"), ("dark", "reduce")]:
        context = browser.new_context(color_scheme=scheme, reduced_motion=motion)
        pg = context.new_page()
        pg.goto(site[0])
        looks[scheme] = pg.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
                                             getComputedStyle(document.documentElement).scrollBehavior]""")
        context.close()
    assert looks["light"] == ["rgb(255, 255, 255)", "smooth"]
    assert looks["dark"] == ["rgb(18, 18, 18)", "auto"]


@pytest.mark.slow
def test_script_in_the_title_renders_as_text(page: Any) -> None:
    assert page.text_content("h1") == TITLE
    assert page.title().startswith(TITLE)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.scripts.length") == 1
    page_chapters = page.eval_on_selector_all("#chapters .name", "ns => ns.map(n => n.textContent)")
    assert TITLE in page_chapters


@pytest.mark.slow
def test_no_request_leaves_the_folder(browser: Any, built: Path, site: tuple[str, list[str]]) -> None:
    context = browser.new_context(bypass_csp=True)  # so that the policy does not hide a request the page makes
    pg = context.new_page()
    urls: list[str] = []
    pg.on("request", lambda r: urls.append(r.url))
    pg.goto(site[0])
    pg.wait_for_function("document.getElementById('audio').readyState >= 1")
    pg.click("#play")
    pg.wait_for_function("document.getElementById('audio').currentTime > 0.5")
    context.close()
    base = site[0].rsplit("/", 1)[0] + "/"
    assert urls and all(u.startswith(base) for u in urls), urls
    names = {re.sub(r"[?#].*", "", u[len(base):]) for u in urls}
    assert names <= {p.name for p in built.iterdir()}


@pytest.mark.slow
def test_works_opened_from_disk_with_its_security_policy(browser: Any, built: Path) -> None:
    context = browser.new_context()  # the page's own Content-Security-Policy in force
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto((built / _page_name(built)).as_uri())
    chapters = _chapters(built)
    pg.locator("#chapters button").nth(2).click()  # our script ran: its hash is in the policy
    assert abs(now(pg) - chapters[2][0]) < 0.01
    assert pg.get_attribute("#chapters li:nth-child(3) button", "aria-current") == "true"
    assert pg.evaluate("document.getElementById('audio').readyState") >= 1
    assert not errors
    context.close()


@pytest.mark.slow
def test_feed_links_the_episode_to_its_page(built: Path) -> None:
    import feedparser

    feed = feedparser.parse((built / "feed.xml").read_bytes())
    (entry,) = feed.entries
    assert entry.link.endswith("/" + _page_name(built))
