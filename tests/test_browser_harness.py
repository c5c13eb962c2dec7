"""The browser tests' harness (tests/browser.py), on small pages written here: it sees a page's requests
that leave the machine, axe-core's serious findings, and writes a full-page screenshot."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING

from .browser import SCREENSHOTS, external_requests, open_page, screenshot, serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write_page(folder: Path, body: str, head: str = "") -> Path:
    page = folder / "index.html"
    page.write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness</title>{head}</head>'
        f"<body><main><h1>Harness</h1>{body}</main></body></html>",
        encoding="utf-8",
    )
    return page


def test_external_requests_are_the_ones_that_are_not_local_files(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("h1 { color: #000; }", encoding="utf-8")
    # Port 9 (discard) on the loopback: the request is made and refused, and nothing leaves the machine.
    stylesheet = '<link rel="stylesheet" href="style.css">'
    page_file = write_page(tmp_path, '<img src="http://127.0.0.1:9/x.png" alt="x">', stylesheet)
    page, requests = open_page(browser, page_file)
    page.context.close()
    assert (tmp_path / "style.css").as_uri() in requests  # recorded, then left out as local
    assert page_file.as_uri() in requests
    assert external_requests(requests) == ["http://127.0.0.1:9/x.png"]


def test_serious_violations_name_a_missing_alt_text_and_low_contrast(browser: Browser, tmp_path: Path) -> None:
    # The h3 after the h1 skips a level: axe-core's heading-order, a moderate violation, which is left out.
    body = '<img src="chart.png"><p style="color: #bbb; background: #fff">Faint</p><h3>Skipped</h3>'
    page, _ = open_page(browser, write_page(tmp_path, body))
    found = serious_violations(page)
    page.context.close()
    assert {violation["id"] for violation in found} == {"image-alt", "color-contrast"}, found
    (contrast,) = [violation for violation in found if violation["id"] == "color-contrast"]
    assert contrast["impact"] in ("serious", "critical")
    assert contrast["targets"] == [["p"]]
    assert contrast["help"]


def test_a_clean_page_has_no_serious_violation(browser: Browser, tmp_path: Path) -> None:
    page, _ = open_page(
        browser, write_page(tmp_path, '<img src="chart.png" alt="A chart"><p style="color: #222">Plain</p>')
    )
    found = serious_violations(page)
    page.context.close()
    assert found == []


def test_screenshot_writes_the_whole_page_as_a_png(browser: Browser, tmp_path: Path) -> None:
    page, _ = open_page(browser, write_page(tmp_path, '<div style="height: 2000px">Tall</div>'))
    path = screenshot(page, "harness-tall-page")
    page.context.close()
    assert path == SCREENSHOTS / "harness-tall-page.png"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    # The first chunk is IHDR: its length, its type, then the width and height as big-endian 32-bit integers.
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0
    assert height > 2000  # the whole page, not the 720-pixel viewport
