"""Helpers for the tests that open pages in a real browser: Debian's Chromium, driven by Playwright.

The `browser` fixture (tests/conftest.py) launches it once per session. Playwright and axe-core are imported
only where they are used, so that the test modules import without them and the fixture skips (fails in CI).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"

# No sandbox: CI runs as root, where Chromium's sandbox refuses to start. The rest keep a run from reaching
# the network on its own (updates, sync, QUIC probes) and from depending on a GPU. Playwright gives each
# launch a fresh --user-data-dir.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# axe-core's two highest impacts: what a browser test fails on ("moderate" and "minor" are left to review).
SERIOUS_IMPACTS = frozenset({"serious", "critical"})
# How many of a violation's elements an assert message names.
SHOWN_TARGETS = 3


def chromium_executable() -> str:
    """Debian's Chromium, never a browser that Playwright downloads; NEWSFACTS_CHROMIUM may name another."""
    return os.environ.get("NEWSFACTS_CHROMIUM", "/usr/bin/chromium")


@functools.cache
def missing_browser_tools() -> list[str]:
    """What the browser tests need and this machine lacks, in words for a skip or failure message."""
    missing = []
    if shutil.which(chromium_executable()) is None:
        missing.append(f"Chromium at {chromium_executable()}")
    missing.extend(
        f"the Python package {module}"
        for module in ("playwright", "axe_playwright_python")
        if importlib.util.find_spec(module) is None
    )
    return missing


def open_page(
    browser: Browser, path_or_url: Path | str, color_scheme: Literal["light", "dark"] = "light"
) -> tuple[Page, list[str]]:
    """A page in a new context, loaded from a file (a Path, or a str without a scheme) or a URL, with the URLs of
    every request it made, its own first; the list grows as the page makes more. `color_scheme` is the reader's
    setting the page's `prefers-color-scheme` sees.

    Close it with `page.context.close()`; the session's browser closes any left open when it ends."""
    url = str(path_or_url)
    if not urlsplit(url).scheme:
        url = Path(path_or_url).resolve().as_uri()
    page = browser.new_context(color_scheme=color_scheme).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="load")
    return page, requests


def external_requests(requests: list[str]) -> list[str]:
    """The requests that were not for a local file: what a page that must work offline may not make."""
    return [url for url in requests if urlsplit(url).scheme != "file"]


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page, each with its rule id, impact, help text and the
    first elements it names (a selector each), so that a failing assert says what to fix and where."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            # An element's target is a list of CSS selectors: one, and one more for each iframe it lies in.
            "targets": [node["target"] for node in violation["nodes"][:SHOWN_TARGETS]],
        }
        for violation in violations
        if violation["impact"] in SERIOUS_IMPACTS
    ]


def screenshot(page: Page, name: str) -> Path:
    """The whole page as build/screenshots/NAME.png (git-ignored), to look at after a run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
