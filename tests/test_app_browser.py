"""The listening app in a real Chromium (Playwright), as a person uses it, keyboard only: open it, upload the sample
article, hear that it is ready, play it, jump to a chapter, go into the transcript, delete it. axe-core on every
screen, light and dark, at 320 px and on a desktop; the text reflows at 400% zoom.

With ARTICLECAST_SCREENSHOTS=DIR (``make screenshots``), every screen is also saved there as a PNG, for the docs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_client import AppClient
from browser_helpers import WCAG, launched, run_axe
from helpers import SAMPLE_TXT
from test_app import ARTICLE

from articlecast.publish.feed import read_items
from articlecast.webapp import AppConfig, Running, running

SHOTS = os.environ.get("ARTICLECAST_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    out = tmp_path_factory.mktemp("app") / "out"
    with running(AppConfig(folder=out, port=0)) as r:
        yield r


def focus_key(pg: Any) -> str:
    """A name for the focused element: its id, else its tag and its link or text."""
    return str(pg.evaluate("""() => { const a = document.activeElement;
        if (!a || a === document.body) return 'body';
        if (a.id) return '#' + a.id;
        if (a.dataset && a.dataset.start) return (a.classList.contains('cue') ? 'cue:' : 'chapter:') + a.dataset.start;
        return a.tagName.toLowerCase() + ':' + (a.textContent || '').trim().replace(/\\s+/g, ' '); }"""))


def tab_to(pg: Any, wanted: str, limit: int = 120) -> None:
    """Press Tab until the focus is on ``wanted`` (a focus_key, or the start of one): keyboard only."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if focus_key(pg).startswith(wanted):
            return
    raise AssertionError(f"{wanted} is not reachable with Tab")


def shot(pg: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.mark.slow
def test_make_hear_navigate_and_delete_an_episode_by_keyboard_alone(browser: Any, app: Running) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})  # to poll with scripts
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(app.url)
    pg.keyboard.press("Tab")
    assert focus_key(pg) == "a:Skip to the main content"
    pg.keyboard.press("Enter")
    assert focus_key(pg) == "#main"
    tab_to(pg, "a:Add an article")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/add")

    tab_to(pg, "#files")
    with pg.expect_file_chooser() as chooser:
        pg.keyboard.press("Space")
    chooser.value.set_files(str(SAMPLE_TXT))
    shot(pg, "add")
    order = []
    for _ in range(8):  # the form's order: text, then how it sounds, top to bottom
        pg.keyboard.press("Tab")
        order.append(focus_key(pg))
    assert order[:5] == ["#text", "#voice", "#question_voice", "#speed", "#theme"], order
    tab_to(pg, "button:Make the episode")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/#queue")
    assert "is being made" in pg.text_content(".flash")  # type: ignore[operator]
    pg.wait_for_function("/^(Speaking|Ready)/.test(document.querySelector('.job-state').textContent)",
                         timeout=300_000)  # its words change as it goes (the event stream)
    shot(pg, "progress")
    # the live region says so when it is ready (the event stream, not a reload)
    pg.wait_for_function("document.getElementById('announce').textContent.startsWith('Episode ready: sample.txt')",
                         timeout=300_000)
    pg.wait_for_selector("#episodes .episode")
    shot(pg, "library")

    pg.keyboard.press("Tab")
    tab_to(pg, "a:Listen and read along")
    pg.keyboard.press("Enter")
    pg.wait_for_function("document.getElementById('audio') && document.getElementById('audio').readyState >= 1")
    assert pg.text_content("nav.app-back a") == "← Your episodes"
    tab_to(pg, "#play")
    pg.keyboard.press("Enter")
    pg.wait_for_function("!document.getElementById('audio').paused")
    chapters = pg.eval_on_selector_all("#chapters button", "bs => bs.map(b => parseFloat(b.dataset.start))")
    tab_to(pg, f"chapter:{chapters[3]:.3f}")
    pg.keyboard.press("Enter")
    assert abs(pg.evaluate("document.getElementById('audio').currentTime") - chapters[3]) < 0.5
    pg.keyboard.press("t")  # the transcript, at the sentence being spoken
    assert focus_key(pg).startswith("cue:")
    pg.keyboard.press("k")
    pg.wait_for_function("document.getElementById('audio').paused")

    pg.keyboard.press("Control+Home")
    pg.evaluate("window.scrollTo(0, 0)")  # only for the picture
    shot(pg, "listening")
    tab_to(pg, "a:← Your episodes")
    pg.keyboard.press("Enter")
    pg.wait_for_selector("#episodes .episode")
    tab_to(pg, "a:Delete…")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/delete")
    shot(pg, "delete")
    tab_to(pg, "button:Delete the episode")
    pg.keyboard.press("Enter")
    pg.wait_for_url("**/#episodes")
    assert "Deleted" in pg.text_content(".flash")  # type: ignore[operator]
    assert pg.query_selector("#episodes .episode") is None
    assert read_items(app.config.folder)[1] == []
    context.close()
    assert errors == []


SCREENS = ["", "add", "subscribe", "delete", "add-errors", "missing"]


@pytest.fixture(scope="module")
def with_episode(app: Running) -> str:
    """The app with one episode (silent voice) and a failed job: every kind of row on its screens."""
    client = AppClient(app.url)
    if not read_items(app.config.folder)[1]:
        client.add(text=ARTICLE, voice="silent:quiet")
    client.add(files=[("empty.txt", b" ")], voice="silent:quiet")
    jobs = client.wait(timeout=120)
    assert any(j["state"] == "done" for j in jobs) and any(j["state"] == "failed" for j in jobs)
    return read_items(app.config.folder)[1][0].guid


def _open(pg: Any, app: Running, screen: str, guid: str) -> None:
    if screen == "delete":
        pg.goto(f"{app.url}episodes/{guid}/delete")
    elif screen == "add-errors":
        pg.goto(f"{app.url}add")
        pg.click("button.primary")  # sent empty: the form comes back with its errors
        pg.wait_for_selector("#errors")
    elif screen == "missing":
        pg.goto(f"{app.url}no/such/page")
    else:
        pg.goto(app.url + screen)


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_nothing_on_any_screen(browser: Any, app: Running, with_episode: str, scheme: str,
                                         width: int) -> None:
    context = browser.new_context(bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 800},
                                  reduced_motion="reduce")
    pg = context.new_page()
    found = {}
    for screen in SCREENS:
        _open(pg, app, screen, with_episode)
        found[screen or "library"] = run_axe(pg, WCAG) + run_axe(pg, ["wcag2aaa"])  # AAA: contrast 7:1
        # 400% zoom of a 1280 px window is a 320 CSS px viewport (WCAG 1.4.10): nothing scrolls sideways
        assert pg.evaluate("document.documentElement.scrollWidth") <= width, screen
        assert pg.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
        if width == 320 and scheme == "dark" and screen in ("", "subscribe"):
            shot(pg, f"{screen or 'library'}-phone-dark")
    context.close()
    assert found == {screen or "library": [] for screen in SCREENS}


@pytest.mark.slow
def test_axe_does_find_a_broken_screen(browser: Any, app: Running) -> None:
    context = browser.new_context(bypass_csp=True)
    pg = context.new_page()
    pg.goto(app.url + "add")
    pg.evaluate("document.querySelector('label[for=url]').remove()")
    assert any(v.startswith("label") for v in run_axe(pg, WCAG))
    context.close()


@pytest.mark.slow
def test_dark_mode_and_reduced_motion_follow_the_system(browser: Any, app: Running) -> None:
    looks = {}
    for scheme, motion in [("light", "no-preference"), ("dark", "reduce")]:
        context = browser.new_context(color_scheme=scheme, reduced_motion=motion)
        pg = context.new_page()
        pg.goto(app.url)
        looks[scheme] = pg.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
                                             getComputedStyle(document.documentElement).scrollBehavior]""")
        context.close()
    assert looks == {"light": ["rgb(255, 255, 255)", "smooth"], "dark": ["rgb(18, 18, 18)", "auto"]}
