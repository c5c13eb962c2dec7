"""The explorer (`newsfacts site`) in a real browser: every span row highlighted where its row says, links that
resolve, a selection's offsets as `newsfacts locate` counts them, no request that leaves the machine, no serious
axe-core finding in light or dark, the spans reached from the keyboard, and a screenshot of each kind of page.

Each site is written once per module by the CLI: the bundled package's, and `astral-valid`'s (tests/fixtures),
whose seed holds astral characters (one code point, two UTF-16 units) before and inside its spans.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

import pytest

from newsfacts.explorer.pages import Explorer, rendered_files
from newsfacts.explorer.spans import SPAN_TABLES, row_anchor

from .browser import external_requests, open_page, screenshot, serious_violations
from .conftest import ROOT, fixture_root

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# The kinds of page, each by the page that shows it: the article the docs' screenshot shows, and the largest page
# of a kind with a page per row (the one with the most to check).
PAGE_TYPES = {
    "index": "index.html",
    "articles": "articles.html",
    "article": "articles/art-000.html",
    "entities": "entities.html",
    "entity": "entities/*.html",
    "utterances": "utterances.html",
    "utterance": "utterances/*.html",
    "events": "events.html",
    "timeline": "timeline.html",
    "conflicts": "conflicts.html",
    "sanctions": "sanctions.html",
    "dictionary": "dictionary.html",
}
# The skip link, the site's navigation and the article's summary line come before its text.
MOST_TABS_TO_A_SPAN = 20
# The screenshot in the docs, written only when this variable is 1 (`make screenshot`).
UPDATE_SCREENSHOT = "NEWSFACTS_UPDATE_SCREENSHOT"
DOCS_SCREENSHOT = ROOT / "docs" / "img" / "explorer-article.png"
DOCS_VIEWPORT = {"width": 1200, "height": 900}
# How long the selection panel may take to show a selection (site.js waits 60 ms for the selection to settle).
SELECTION_TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class Site:
    package: Path  # the package's folder (datapackage/)
    root: Path  # the site's folder

    def page(self, kind: str) -> Path:
        found = sorted(self.root.glob(PAGE_TYPES[kind]), key=lambda path: (-path.stat().st_size, path.name))
        assert found, f"no {kind} page ({PAGE_TYPES[kind]})"
        return found[0]


def newsfacts(*args: str) -> str:
    """The CLI's standard output; the test fails where it exits with another status than 0."""
    result = subprocess.run(
        [sys.executable, "-m", "newsfacts", *args], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, f"newsfacts {' '.join(args)}: {result.returncode}\n{result.stderr}"
    return result.stdout


def write_site(package: Path, out: Path) -> Site:
    newsfacts("site", "--out", str(out), str(package))
    return Site(package, out)


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return write_site(ROOT / "datapackage", tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="module")
def astral_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return write_site(fixture_root("astral-valid") / "datapackage", tmp_path_factory.mktemp("site") / "site")


# --- the package's side, read from its files -----------------------------------------------------------------


def table_rows(package: Path, table: str) -> list[dict[str, str]]:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [resource for resource in descriptor["resources"] if resource["name"] == table]
    with (package / resource["path"]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_texts(package: Path) -> dict[str, str]:
    """article_id -> its seed, every code point as it is in the file (no newline translation)."""
    return {
        row["article_id"]: (package / row["seed_file"]).read_bytes().decode("utf-8")
        for row in table_rows(package, "articles")
    }


@dataclass(frozen=True)
class SpanRow:
    table: str
    article_id: str
    anchor: str
    text: str
    char_start: int


def span_rows(package: Path) -> list[SpanRow]:
    return [
        SpanRow(model.resource_name, row["article_id"], row_anchor(model, row), row["text"], int(row["char_start"]))
        for model in SPAN_TABLES
        for row in table_rows(package, model.resource_name)
    ]


# --- 1. every span row is highlighted where its row says -------------------------------------------------------

# What an article page shows of its spans: for each anchor in a segment's data-rows, the text of its segments in
# page order and the data-at of the first; the anchor element before it; the row listed under the text.
PAGE_SPANS_JS = """() => {
  const seed = document.querySelector(".seed");
  const spans = {};
  for (const segment of seed.querySelectorAll(".seg")) {
    for (const anchor of segment.dataset.rows.split(" ")) {
      if (!(anchor in spans)) {
        let before = segment.previousElementSibling;
        while (before && before.classList.contains("anchor") && before.id !== anchor) {
          before = before.previousElementSibling;
        }
        spans[anchor] = {
          at: Number(segment.dataset.at),
          text: "",
          anchorBefore: Boolean(before && before.id === anchor && before.classList.contains("anchor")),
          listed: document.getElementById("row-" + anchor) !== null,
        };
      }
      spans[anchor].text += segment.textContent;
    }
  }
  return {
    article: seed.dataset.article,
    start: Number(seed.dataset.start),
    end: Number(seed.dataset.end),
    text: seed.textContent,
    spans: spans,
  };
}"""


@pytest.mark.parametrize("which", ["real", "astral"])
def test_every_span_row_is_highlighted_on_its_page_with_its_text_and_offset(
    browser: Browser, request: pytest.FixtureRequest, which: str
) -> None:
    site: Site = request.getfixturevalue(f"{which}_site")
    rows = span_rows(site.package)
    expected = {(row.article_id, row.anchor): row for row in rows}
    assert len(expected) == len(rows), "two span rows of one article share an anchor"
    seeds = seed_texts(site.package)
    shown: dict[tuple[str, str], list[dict[str, Any]]] = {}
    pages = sorted((site.root / "articles").glob("*.html"))
    for path in pages:
        page, _ = open_page(browser, path)
        found = page.evaluate(PAGE_SPANS_JS)
        page.context.close()
        # The DOM holds exactly the seed's code points: what the offsets of segments and selections count.
        assert found["text"] == seeds[found["article"]][found["start"] : found["end"]], path.name
        for anchor, span in found["spans"].items():
            shown.setdefault((found["article"], anchor), []).append(span | {"page": path.name})
    assert set(shown) == set(expected), "highlighted anchors that are no span row, or span rows not highlighted"
    checked = 0
    for key, row in expected.items():
        (span,) = shown[key]  # one page holds the whole span
        where = f"{row.table} {key} on {span['page']}"
        assert span["text"] == row.text, where
        assert span["at"] == row.char_start, where
        assert span["anchorBefore"], f"{where}: no anchor element just before its first segment"
        assert span["listed"], f"{where}: its row is not listed on the page"
        checked += 1
    assert checked == len(rows)
    print(f"{which}: {checked} of {len(rows)} span rows (100 %) highlighted as their rows say, on {len(pages)} pages")


# --- 2. links resolve --------------------------------------------------------------------------------------------


class Links(HTMLParser):
    """The ids of a page, and every href and src with the element that holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (element, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))


def test_every_relative_link_resolves_and_only_plain_links_leave_the_site(real_site: Site) -> None:
    root = real_site.root.resolve()
    pages = {path: Links() for path in sorted(root.rglob("*.html"))}
    for path, parser in pages.items():
        parser.feed(path.read_text(encoding="utf-8"))
        parser.close()
    broken, external, checked = [], [], 0
    for path, parser in pages.items():
        where = path.relative_to(root).as_posix()
        for element, attribute, value in parser.links:
            url = urlsplit(value)
            if url.scheme or url.netloc:
                if (element, attribute) != ("a", "href") or url.scheme not in ("http", "https"):
                    external.append(f"{where}: <{element} {attribute}={value}>")
                continue
            checked += 1
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if not target.is_file() or not target.is_relative_to(root):
                broken.append(f"{where}: {value} (no such file)")
            elif url.fragment and unquote(url.fragment) not in getattr(pages.get(target), "ids", set()):
                broken.append(f"{where}: {value} (no element with that id)")
    assert broken == []
    assert external == []
    # Nor does the stylesheet load anything from elsewhere.
    assert not re.search(r"url\(|@import", (root / "assets" / "site.css").read_text(encoding="utf-8"))
    print(f"{checked} relative links on {len(pages)} pages resolve")


def test_the_span_an_address_names_is_marked(browser: Browser, real_site: Site) -> None:
    page, _ = open_page(browser, f"{(real_site.root / 'articles' / 'art-000.html').as_uri()}#q-000-01")
    marked = """(anchor) => [...document.querySelectorAll(".seed .seg")].map((segment) => [
      segment.dataset.rows.split(" ").includes(anchor), segment.classList.contains("targeted")])"""
    found = page.evaluate(marked, "q-000-01")
    assert any(named for named, _ in found)
    assert all(named == targeted for named, targeted in found)
    # Another address moves the mark.
    other = page.evaluate('() => [...document.querySelectorAll(".seed .anchor")].at(-1).id')
    assert other != "q-000-01"
    page.evaluate("(anchor) => { location.hash = anchor; }", other)
    page.wait_for_function(
        '(anchor) => document.querySelector(".seg.targeted") && document.querySelector(".seg.targeted")'
        '.dataset.rows.split(" ").includes(anchor)',
        arg=other,
    )
    found = page.evaluate(marked, other)
    page.context.close()
    assert all(named == targeted for named, targeted in found)


# --- 3. a selection's offsets are `newsfacts locate`'s ----------------------------------------------------------

# Selects in the seed, from the DOM alone (never its data-at): the `occurrence`-th `text` in the text of the seed's
# nodes, or an element's whole (boundary points between elements), or the whole seed. Returns the text selected,
# which occurrence of it on the page it is, and what its boundary points are.
SELECT_JS = """(spec) => {
  const seed = document.querySelector(".seed");
  const panel = document.getElementById("selection");
  delete panel.dataset.start;
  delete panel.dataset.end;
  const nodes = [];
  let all = "";
  const walker = document.createTreeWalker(seed, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, all.length]);
    all += node.data;
  }
  const range = document.createRange();
  if (spec.kind === "text") {
    let at = -1;
    for (let count = 0; count <= spec.occurrence; count += 1) {
      at = all.indexOf(spec.text, at + 1);
      if (at < 0) throw new Error("not on the page: " + spec.text);
    }
    // A start in the node the unit is in; an end at the end of the node it closes, not the start of the next.
    const point = (unit, end) => {
      for (const [node, from] of nodes) {
        if (end ? unit > from && unit <= from + node.data.length : unit >= from && unit < from + node.data.length) {
          return [node, unit - from];
        }
      }
      throw new Error("no text node at " + unit);
    };
    range.setStart(...point(at, false));
    range.setEnd(...point(at + spec.text.length, true));
  } else if (spec.kind === "element") {
    const element = [...seed.querySelectorAll("[data-at]")].find((found) => found.textContent === spec.text);
    range.setStartBefore(element);
    range.setEndAfter(element);
  } else {
    range.selectNodeContents(seed);
  }
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const text = range.toString();
  const before = document.createRange();
  before.setStart(seed, 0);
  before.setEnd(range.startContainer, range.startOffset);
  let occurrence = 0;
  for (let at = all.indexOf(text); at >= 0 && at < before.toString().length; at = all.indexOf(text, at + 1)) {
    occurrence += 1;
  }
  // Where a boundary point falls: strictly inside the text of a highlighted segment, or elsewhere.
  const inSegment = (container, offset) =>
    container.nodeType === Node.TEXT_NODE && container.parentElement.matches(".seg") &&
    offset > 0 && offset < container.data.length;
  const holder = (container) => container.nodeType === Node.TEXT_NODE ? container.parentElement : container;
  // An astral character (a surrogate pair) before a boundary point in its own text node: counted from its data-at.
  const astralBefore = (container, offset) =>
    container.nodeType === Node.TEXT_NODE && /[\ud800-\udbff]/.test(container.data.slice(0, offset));
  return {
    text: text,
    occurrence: occurrence,
    startsInSegment: inSegment(range.startContainer, range.startOffset),
    endsInSegment: inSegment(range.endContainer, range.endOffset),
    crosses: holder(range.startContainer) !== holder(range.endContainer),
    astralInNode: astralBefore(range.startContainer, range.startOffset) &&
      astralBefore(range.endContainer, range.endOffset),
    betweenElements: range.startContainer.nodeType !== Node.TEXT_NODE && range.endContainer.nodeType !== Node.TEXT_NODE,
  };
}"""

Property = Literal[
    "astral before",  # before the selection, in the seed
    "astral inside",
    "astral in node",  # before each boundary point, in the text node it falls in
    "starts in a segment",
    "ends in a segment",
    "crosses segments",
    "between elements",  # the boundary points are between elements, not in text
]


@dataclass(frozen=True)
class Selecting:
    kind: Literal["text", "element", "whole"]
    text: str = ""
    occurrence: int = 0
    holds: frozenset[Property] = frozenset()  # what the case is there for, checked on the page


# On astral-valid's seed (tests/fixtures/specs.py's ASTRAL, U+1F680 and U+1D518, in minimal-valid's seed):
# "Minister pledges action\n\U0001f680 CAPITAL — The minister of Ruritania said \U0001f680on Monday: “We will act
# against \U0001d518\U0001f680 Acme Corp.”\nThe Ruritanian government \U0001d518 announced sanctions on Acme Corp on
# Monday, after the minister spoke.\n"
SELECTIONS = {
    "inside-quote-to-inside-mention": Selecting(
        "text",
        "act against \U0001d518\U0001f680 Acme",
        holds=frozenset(
            {"astral before", "astral inside", "starts in a segment", "ends in a segment", "crosses segments"}
        ),
    ),
    "event-source-into-quote": Selecting(
        "text",
        "said \U0001f680on Monday: “We",
        holds=frozenset({"astral before", "astral inside", "starts in a segment", "ends in a segment"}),
    ),
    "after-an-astral-character-to-after-another": Selecting(
        "text",
        "on Monday: “We will act against \U0001d518",
        holds=frozenset({"astral in node", "starts in a segment", "ends in a segment", "crosses segments"}),
    ),
    "plain-text-into-mention": Selecting(
        "text", "\U0001f680 CAPITAL — The min", holds=frozenset({"astral inside", "ends in a segment"})
    ),
    "across-a-line-break": Selecting(
        "text",
        "Corp.”\nThe Ruritanian government \U0001d518 ann",
        holds=frozenset({"astral before", "astral inside", "starts in a segment", "crosses segments"}),
    ),
    "second-occurrence": Selecting("text", "on Monday", occurrence=1, holds=frozenset({"astral before"})),
    "a-whole-segment": Selecting("element", "Acme Corp", holds=frozenset({"astral before", "between elements"})),
    "the-whole-text": Selecting("whole", holds=frozenset({"astral inside", "between elements"})),
}


@pytest.mark.parametrize("case", SELECTIONS.values(), ids=SELECTIONS.keys())
def test_a_selection_shows_the_offsets_newsfacts_locate_finds(
    browser: Browser, astral_site: Site, case: Selecting
) -> None:
    (article,) = table_rows(astral_site.package, "articles")
    seed_file = astral_site.package / article["seed_file"]
    seed = seed_file.read_bytes().decode("utf-8")
    page, _ = open_page(browser, astral_site.root / "articles" / f"{article['article_id']}.html")
    selected = page.evaluate(SELECT_JS, {"kind": case.kind, "text": case.text, "occurrence": case.occurrence})
    page.wait_for_function(
        '() => document.getElementById("selection").dataset.end !== undefined', timeout=SELECTION_TIMEOUT_MS
    )
    panel = page.locator("#selection")
    start, end = int(panel.get_attribute("data-start") or ""), int(panel.get_attribute("data-end") or "")
    csv_row = page.locator('#selection pre[data-table="quotes"]').text_content() or ""
    visible = panel.is_visible()
    page.context.close()

    text = selected["text"]
    found = json.loads(newsfacts("locate", str(seed_file), text, "--format", "json"))["matches"]
    expected = found[selected["occurrence"]]
    assert (start, end) == (expected["char_start"], expected["char_end"])
    assert seed[start:end] == text
    assert visible

    astral = re.compile("[\U00010000-\U0010ffff]")
    seen: dict[Property, bool] = {
        "astral before": bool(astral.search(seed[:start])),
        "astral inside": bool(astral.search(text)),
        "starts in a segment": selected["startsInSegment"],
        "ends in a segment": selected["endsInSegment"],
        "crosses segments": selected["crosses"],
        "astral in node": selected["astralInNode"],
        "between elements": selected["betweenElements"],
    }
    assert case.holds <= {name for name, held in seen.items() if held}, seen

    (row,) = csv.DictReader(io.StringIO(csv_row, newline=""))
    assert row["article_id"] == article["article_id"]
    assert row["text"] == text
    assert (int(row["char_start"]), int(row["char_end"])) == (start, end)
    assert row["quote_id"] == ""  # left for the reader to fill in


# --- 4, 5 and 7. every kind of page: no request off the machine, no serious axe finding, a screenshot ---------


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_page_makes_a_request_that_leaves_the_machine(browser: Browser, real_site: Site, kind: str) -> None:
    page, requests = open_page(browser, real_site.page(kind))
    page.wait_for_load_state("networkidle")
    page.context.close()
    assert len(requests) >= 3  # the page, its stylesheet and its script: the requests are seen
    assert external_requests(requests) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_page_has_a_serious_accessibility_violation(
    browser: Browser, real_site: Site, kind: str, scheme: Literal["light", "dark"]
) -> None:
    page, _ = open_page(browser, real_site.page(kind), scheme)
    assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    found = serious_violations(page)
    page.context.close()
    assert found == []


def test_an_anchor_at_a_long_articles_first_page_leads_to_the_page_that_holds_it(
    browser: Browser, tmp_path: Path
) -> None:
    """`art-001.html#q-001-300` stays the row's address when the article is paginated: page 1 sends it on."""
    seed = "Said. " * 3000
    quotes = [
        {
            "quote_id": f"q-001-{index:03d}",
            "article_id": "art-001",
            "speaker_id": "s",
            "text": "Said.",
            "char_start": index * 6,
            "char_end": index * 6 + 5,
            "utterance_id": f"u-{index}",
        }
        for index in range(3000)
    ]
    explorer = Explorer(
        descriptor={"name": "long", "resources": []},
        tables={"articles": [{"article_id": "art-001"}], "quotes": quotes},
        seeds={"art-001": seed},
    )
    for path, data in rendered_files(explorer).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    assert (tmp_path / "articles" / "art-001-p2.html").is_file()
    page, _ = open_page(browser, (tmp_path / "articles" / "art-001.html").as_uri() + "#q-001-2999")
    page.wait_for_function("() => document.querySelector('.seg.targeted') !== null")
    landed = page.url, page.evaluate("() => [...document.querySelectorAll('.seg.targeted')].map((e) => e.textContent)")
    page.context.close()
    assert re.search(r"/articles/art-001-p[0-9]+\.html#q-001-2999$", landed[0]) and landed[1] == ["Said."]


# Elements whose text a page prints, on the pages that have them: the text, its muted notes, the
# timeline's labels and a wording's changes.
PRINTED_TEXT = {"article": "main p, .seed", "timeline": ".bar-label", "utterance": "ins, del, .byline"}


@pytest.mark.parametrize("kind", PRINTED_TEXT)
def test_a_page_prints_dark_on_white_whatever_the_screens_scheme(browser: Browser, real_site: Site, kind: str) -> None:
    page, _ = open_page(browser, real_site.page(kind), "dark")
    page.emulate_media(media="print", color_scheme="dark")
    colours = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((element) => {
            const style = getComputedStyle(element);
            return element.namespaceURI.endsWith("svg") ? style.fill : style.color;
        })""",
        PRINTED_TEXT[kind],
    )
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.context.close()
    assert colours and set(colours) <= {"rgb(0, 0, 0)", "rgb(51, 51, 51)"}, set(colours)
    assert background == "rgb(255, 255, 255)"


def test_screenshots_of_every_kind_of_page(browser: Browser, real_site: Site) -> None:
    """One per kind of page in build/screenshots/, and the article in dark; with NEWSFACTS_UPDATE_SCREENSHOT=1
    (`make screenshot`), the article's first screenful also as the docs' docs/img/explorer-article.png."""
    shots: list[tuple[str, Literal["light", "dark"]]] = [(kind, "light") for kind in PAGE_TYPES]
    for kind, scheme in [*shots, ("article", "dark")]:
        page, _ = open_page(browser, real_site.page(kind), scheme)
        path = screenshot(page, f"explorer-{kind}-{scheme}")
        page.context.close()
        assert path.stat().st_size > 0
    if os.environ.get(UPDATE_SCREENSHOT) == "1":
        page, _ = open_page(browser, real_site.page("article"))
        page.set_viewport_size(DOCS_VIEWPORT)
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOT)
        page.context.close()


# --- 6. the keyboard ------------------------------------------------------------------------------------------


def focused_segment(page: Page) -> str | None:
    """The data-rows of the focused element where it is a highlighted segment."""
    return page.evaluate('() => document.activeElement.matches(".seg") ? document.activeElement.dataset.rows : null')


def test_tab_reaches_a_span_and_focus_shows_its_rows(browser: Browser, real_site: Site) -> None:
    page, _ = open_page(browser, real_site.page("article"))
    rows, presses = None, 0
    while rows is None and presses < MOST_TABS_TO_A_SPAN:
        page.keyboard.press("Tab")
        presses += 1
        rows = focused_segment(page)
    assert rows is not None, f"no highlighted span focused after {MOST_TABS_TO_A_SPAN} presses of Tab"
    tip = page.locator("#tip")
    assert tip.is_visible()
    shown = tip.text_content() or ""
    described = page.evaluate('() => document.activeElement.getAttribute("aria-describedby")')
    page.keyboard.press("Escape")
    hidden = tip.is_hidden()
    page.context.close()
    assert all(f"#{anchor}" in shown for anchor in rows.split(" ")), (rows, shown)
    assert described == "tip"
    assert hidden
    print(f"a highlighted span is focused after {presses} presses of Tab")
