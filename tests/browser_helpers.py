"""The headless browser the page and book tests drive: Chromium (the system's) through Playwright, with axe-core
run inside the page. One place for how it is found, started and asked."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import REQUIRED, ROOT

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--mute-audio"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def chromium() -> str | None:
    """The browser to drive: ARTICLECAST_CHROMIUM, else the system's Chromium."""
    return os.environ.get("ARTICLECAST_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def missing() -> str:
    """What the browser tests lack, or ""."""
    try:
        import playwright.sync_api  # noqa: F401, PLC0415 - only to know whether it is installed
    except ImportError:
        return "the playwright package (pip install -e '.[test]')"
    if not chromium():
        return "Chromium (apt-get install chromium, or set ARTICLECAST_CHROMIUM)"
    if not AXE.exists():
        return "axe-core (npm ci --prefix tests/browser)"
    return ""


def launched() -> Iterator[Any]:
    """A headless Chromium for a module's tests (skipped, or failed under .ci/run, when something is missing)."""
    lacking = missing()
    if lacking:
        if REQUIRED:
            pytest.fail(f"the browser tests need {lacking}")
        pytest.skip(f"needs {lacking}")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - after the check above

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def run_axe(pg: Any, tags: list[str]) -> list[str]:
    """axe-core's violations on the page, for the given rule tags, one line each."""
    pg.add_script_tag(path=str(AXE))
    found = pg.evaluate("""async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
        .violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""",
                        tags)
    return list(found)
