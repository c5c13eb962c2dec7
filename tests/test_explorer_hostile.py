"""`newsfacts site` given hostile packages that `validate --rows-only` passes, hostile sources and output folders:
each run ends in a site or in catalogued problems, never a traceback; no value becomes markup or a request."""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from newsfacts.cli import main
from newsfacts.explorer import MARKER
from newsfacts.explorer.html import LABEL_CHARS
from newsfacts.explorer.pages import Explorer, file_name, rendered_files
from newsfacts.explorer.spans import SEGMENT_ROWS, Span, page_ranges
from newsfacts.explorer.wording import COMPARED_TOKENS, compared

from .browser import external_requests
from .conftest import fixture_root
from .fixtures.edits import append_copy, change_seed, edit_descriptor, edit_rows, set_cells, write_file
from .fixtures.minimal import SEED, SEED_NAME, cells_in_order, rebuild, sha256

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Edit = Callable[[Path], None]


def package(tmp_path: Path, *edits: Edit, after: tuple[Edit, ...] = ()) -> Path:
    """A copy of `minimal-valid` with `edits` made and built, then `after` made (to files `build` writes)."""
    root = tmp_path / "project"
    shutil.copytree(fixture_root("minimal-valid"), root)
    (root / "schema").mkdir()  # `rebuild` writes the schemas, then removes them
    for edit in edits:
        edit(root)
    if edits:
        rebuild(root)
    for edit in after:
        edit(root)
    return root / "datapackage"


def run_site(capsys: pytest.CaptureFixture[str], source: str | Path, out: Path) -> tuple[int, list[Any]]:
    status = main(["site", str(source), "--out", str(out), "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def release_descriptor(change: Callable[[dict[str, Any]], None]) -> Edit:
    """The package as a release has it, without metadata.toml, its descriptor then changed."""

    def apply(root: Path) -> None:
        (root / "datapackage" / "metadata.toml").unlink()
        edit_descriptor(change)(root)

    return apply


def homepage(url: str) -> Edit:
    def apply(root: Path) -> None:
        metadata = root / "datapackage" / "metadata.toml"
        text = metadata.read_text(encoding="utf-8")
        metadata.write_text(text.replace("[package]\n", f'[package]\nhomepage = "{url}"\n', 1), encoding="utf-8")

    return apply


# --- packages that validate passes make a site ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "after", "page", "shown"),
    [
        # The last day the calendar has: the timeline's axis ended the day after it.
        ([set_cells("events", 2, start_date="9999-12-31", end_date="9999-12-31")], [], "timeline.html", "9999-12-31"),
        # A week from 9999-12-30 would end past it.
        (
            [set_cells("events", 2, start_date="9999-12-30", end_date="", date_precision="week")],
            [],
            "timeline.html",
            "9999-12-30",
        ),
        # dataset.jsonld is not checked by `validate --rows-only`: its `distribution` may be anything.
        ([], [write_file("datapackage/dataset.jsonld", '{"distribution": 5}')], "index.html", "ld+json"),
        ([], [write_file("datapackage/dataset.jsonld", '{"distribution": true}')], "index.html", "ld+json"),
        # A release's descriptor may leave out its name (the citation is its croissant.json's `citeAs`).
        ([], [release_descriptor(lambda descriptor: descriptor.pop("name"))], "index.html", "@misc{"),
        # A bracket that opens no IPv6 address: the pattern of `url` and of `homepage` take it.
        ([set_cells("articles", 2, url="http://[oops")], [], "articles/art-000.html", "http://[oops"),
        ([homepage("http://[oops")], [], "index.html", "Package"),
    ],
)
def test_a_package_that_validate_passes_makes_a_site(
    edits: list[Edit],
    after: list[Edit],
    page: str,
    shown: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = package(tmp_path, *edits, after=tuple(after))
    assert run_site(capsys, source, tmp_path / "site") == (0, [])
    assert shown in (tmp_path / "site" / page).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (SEED + "A NUL\x00 here.\n", [(4, "control-character")]),
        (SEED + "A form feed\x0c and an escape \x1b[31m.\n", [(4, "control-character")]),
        ("\ufeff" + SEED, [(1, "bom")]),  # every span is one code point off, too
    ],
)
def test_a_seed_that_load_refuses_is_a_problem_of_the_package(
    seed: str, expected: list[tuple[int, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`load()` refuses a seed with a BOM or a control character (`tables.decode_text`); `validate` passed it, so the
    site stopped on it as on a source it could not read (exit 2). It is the package's problem, where it is."""
    source = package(tmp_path, change_seed(seed))
    status, found = run_site(capsys, source, tmp_path / "site")
    seed_path = str(source / "seeds" / SEED_NAME)
    assert (status, [(p["line"], p["code"]) for p in found if p["path"] == seed_path]) == (1, expected)
    assert not (tmp_path / "site").exists()


def test_a_schema_org_dataset_that_is_no_json_is_not_embedded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """NaN and Infinity parse (Python's json takes them), but a JSON-LD reader refuses the page's document."""
    source = package(tmp_path, after=(write_file("datapackage/dataset.jsonld", '{"name": "x", "size": NaN}'),))
    assert run_site(capsys, source, tmp_path / "site") == (0, [])
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "application/ld+json" not in index


# --- sources and output folders that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "source", "out", "status", "expected"),
    [
        # urlsplit raises on a bracket that opens no IPv6 address.
        ("site", "http://[oops/datapackage.json", "site", 2, [("http://[oops/datapackage.json", "fetch-failed")]),
        # stat() raises on a name longer than the file system allows; `report` replaces its folder as `site` does.
        ("site", None, "n" * 300, 2, [("{out}", "write-failed")]),
        ("report", None, "n" * 300, 2, [("{out}", "write-failed")]),
    ],
)
def test_a_source_or_folder_that_cannot_be_used_is_a_problem(
    command: str,
    source: str | None,
    out: str,
    status: int,
    expected: list[tuple[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / out
    given = source or str(fixture_root("minimal-valid") / "datapackage")
    found = main([command, given, "--out", str(target), "--format", "json"])
    assert (found, [(p["path"], p["code"]) for p in json.loads(capsys.readouterr().out)]) == (
        status,
        [(path.format(out=target), code) for path, code in expected],
    )


def test_a_marker_planted_in_a_folder_makes_it_a_site_to_replace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the marker means, documented: a folder holding `.newsfacts-site` is replaced whole, whatever else it holds.
    The marker is the one sign a folder is a site; whoever plants it in their own folder loses that folder's files."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / MARKER).write_text("", encoding="utf-8")
    assert run_site(capsys, fixture_root("minimal-valid") / "datapackage", out) == (0, [])
    assert not (out / "notes.txt").exists() and (out / "index.html").is_file()


@pytest.mark.parametrize("where", ["datapackage", "."])
def test_the_folder_of_the_package_being_read_is_never_replaced_even_with_a_marker(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "project")
    package = tmp_path / "project" / "datapackage"
    out = (tmp_path / "project" / where).resolve()
    (out / MARKER).write_text("", encoding="utf-8")
    status, found = run_site(capsys, package, out)
    assert (status, [(p["path"], p["code"]) for p in found]) == (1, [(str(out), "site-target")])
    assert (package / "datapackage.json").is_file()


# --- ids that name files and anchors -----------------------------------------------------------------------------


LONG = "x" * 200


@pytest.mark.parametrize(
    "keys",
    [
        # Ids longer than a plain name may be, alike in their first 60 characters.
        (f"{LONG}-a", f"{LONG}-b"),
        (f"u-{LONG}-1", f"u-{LONG}-2"),
        # An id that looks like the name made from another one.
        ("a/b", "id-61-2f-62"),
        ("", "id-"),
        ("\U0001f600" * 100, "\U0001f600" * 100 + "x"),
    ],
)
def test_no_two_ids_get_one_page(keys: tuple[str, str]) -> None:
    names = [file_name(key) for key in keys]
    assert names[0] != names[1]
    for name in names:
        assert len(f"{name}.html".encode()) <= 255 and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name)


def _anchors_that_lead_nowhere(site: Path) -> list[str]:
    """Each link to an anchor of a page of the site whose target is no element's id there."""
    ids = {path: set(re.findall(r' id="([^"]*)"', path.read_text(encoding="utf-8"))) for path in site.rglob("*.html")}
    missing = []
    for path in ids:
        for target in re.findall(r'href="([^":]*#[^"]*)"', path.read_text(encoding="utf-8")):
            page, _, anchor = target.partition("#")
            linked = (path.parent / page).resolve() if page else path
            if linked in ids and anchor not in ids[linked]:
                missing.append(f"{path.relative_to(site)} -> {target}")
    return missing


def test_ids_longer_than_a_file_name_get_a_page_each_and_their_links_lead_to_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = "ev-" + "y" * 300
    sanction = "sn-" + "z" * 300
    source = package(
        tmp_path,
        append_copy("entities", 2, entity_id=f"{LONG}-a", name="Entity A"),
        append_copy("entities", 2, entity_id=f"{LONG}-b", name="Entity B"),
        set_cells("quotes", 2, utterance_id=f"u-{LONG}-1"),
        append_copy("quotes", 2, quote_id="q-000-02", utterance_id=f"u-{LONG}-2"),
        set_cells("events", 2, event_id=event),
        set_cells("event_actors", 2, event_id=event),
        set_cells("event_sources", 2, event_id=event),
        set_cells("event_relations", 2, related_event_id=event),
        set_cells("sanctions", 2, sanction_id=sanction),
        set_cells("sanction_sources", 2, sanction_id=sanction),
    )
    site = tmp_path / "site"
    assert run_site(capsys, source, site) == (0, [])
    headings = sorted(
        re.findall(r"<h1>([^<]*)</h1>", path.read_text(encoding="utf-8"))[0]
        for path in (site / "entities").glob("id-*.html")
    )
    assert headings == ["Entity A", "Entity B"]
    assert len(list((site / "utterances").glob("id-*.html"))) == 2
    assert _anchors_that_lead_nowhere(site) == []


# --- the data dictionary -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("![chart](https://127.0.0.1:9/p.png)", '<a href="https://127.0.0.1:9/p.png">chart</a>'),
        ("![](https://127.0.0.1:9/p.png)", '<a href="https://127.0.0.1:9/p.png">https://127.0.0.1:9/p.png</a>'),
        ("![chart](//127.0.0.1:9/p.png)", "chart"),
        ("![chart](data:image/png;base64,AAAA)", "chart"),
        ("![chart][c]\n\n[c]: http://127.0.0.1:9/p.png", '<a href="http://127.0.0.1:9/p.png">chart</a>'),
        # In a link already: its text only, as a link holds no link.
        ("[![chart](https://127.0.0.1:9/p.png)](https://example.org)", '<a href="https://example.org">chart</a>'),
        # An image of the package stays one.
        ("![chart](seeds/chart.png)", '<img src="package/seeds/chart.png" alt="chart" />'),
    ],
)
def test_the_dictionary_shows_no_image_from_elsewhere(markdown: str, expected: str) -> None:
    """An image from elsewhere in README.md would be fetched as the dictionary opens: the site makes no request."""
    explorer = Explorer(
        descriptor={"name": "p", "resources": []}, tables={"articles": []}, seeds={}, dictionary=markdown
    )
    page = rendered_files(explorer)["dictionary.html"].decode("utf-8")
    body = page[page.index('<div class="markdown">') : page.index("</main>")]
    assert f'<div class="markdown"><p>{expected}</p>\n</div>' in body


# --- hostile text in every free-text field and in the seed --------------------------------------------------------

# Markup, a script's end, entities, line and paragraph separators, a bidi override: in every free-text field.
HOSTILE = "<b>x</b>\"'&<script>alert(1)</script>\u2028\u202e"
# The seed's pieces, each the text of a mention (and the first six of a quote); each is followed by a line feed, or by
# a carriage return where it is `CRLF`. Cells may hold no carriage return, so no span ends in one.
PIECES = (
    "<script>alert(2)</script>",
    "</script><script>alert(3)</script>",
    '"><img src=x onerror=alert(4)>',
    "'><svg onload=alert(5)>",
    "CRLF",
    "\nafter a carriage return",
    "&amp; &lt; &#x3C; &",
    "LS\u2028PS\u2029end",
    "bidi \u202eevil\u202c \u2066isolated\u2069",
    "zero width a\u200db\u200c\ufeffc",
    "astral \U0001f600\U0001d518",
    "<!-- x --> ]]> <![CDATA[ y ]]>",
    "{{ 7*7 }} {% if 1 %}",
    "javascript:alert(6)",
    "C1 \x85\x9f, noncharacters \ufffe\uffff, combining e\u0301",
)
# Markdown whose images are fetched from elsewhere (port 9 of the loopback: nothing leaves the machine).
HOSTILE_README = (
    "# Dictionary <b>x</b>\n\n<script>alert(7)</script>\n\n[x](javascript:alert(8)) "
    "![img](http://127.0.0.1:9/a.png) ![img](//127.0.0.1:9/b.png) <img src=http://127.0.0.1:9/c.png>\n"
)


def hostile_seed() -> tuple[str, list[tuple[int, int]]]:
    text, spans = f"Headline {HOSTILE}\n", []
    for piece in PIECES:
        spans.append((len(text), len(text) + len(piece)))
        text += piece + ("\r" if piece == "CRLF" else "\n")
    return text + "A carriage return\ralone, a tab\there.\n", spans


def _cells(table: str, change: Callable[[dict[str, str]], dict[str, str]]) -> Edit:
    """Every row of the table, changed cell by cell."""

    def apply(rows: list[list[str]]) -> None:
        rows[1:] = [cells_in_order(rows[0], change(dict(zip(rows[0], row, strict=True)))) for row in rows[1:]]

    return edit_rows(table, apply)


def _spans(table: str, make: Callable[[int, str, int, int], dict[str, str]], count: int) -> Edit:
    """The table's rows replaced by one a span of the first `count` pieces of the hostile seed."""
    text, spans = hostile_seed()

    def apply(rows: list[list[str]]) -> None:
        rows[1:] = [
            cells_in_order(
                rows[0],
                {"article_id": "art-000", "text": text[start:end], "char_start": str(start), "char_end": str(end)}
                | make(index, text, start, end),
            )
            for index, (start, end) in enumerate(spans[:count])
        ]

    return edit_rows(table, apply)


def hostile_metadata(root: Path) -> None:
    value = json.dumps(HOSTILE)
    (root / "datapackage" / "metadata.toml").write_text(
        f"""[package]
name = {value}
id = {value}
version = {json.dumps("1.0.0" + HOSTILE)}
title = {value}
description = {value}
created = {value}
homepage = "javascript:alert(9)"
keywords = [{value}]

[[package.licenses]]
name = "CC-BY-4.0"
path = "javascript:alert(10)"
title = {value}

[[package.contributors]]
title = {value}
path = "javascript:alert(11)"
roles = ["creator"]
""",
        encoding="utf-8",
    )


def hostile_text_package(tmp_path: Path) -> Path:
    text, _ = hostile_seed()
    seed = write_file(f"datapackage/seeds/{SEED_NAME}", text.encode("utf-8"))
    free_text = {
        "articles": lambda row: (
            row
            | {
                "sha256": sha256(text),
                "title": HOSTILE,
                "outlet_note": HOSTILE,
                "authors": f"{HOSTILE};</title>",
                "published_date_note": HOSTILE,
                "dateline": HOSTILE,
                "url": 'https://example.org/"><script>alert(12)</script>',
            }
        ),
        "entities": lambda row: row | {"name": row["name"] + HOSTILE, "description": HOSTILE, "aliases": HOSTILE},
        "events": lambda row: row | {"description": HOSTILE, "date_note": HOSTILE, "location": HOSTILE},
        "sanctions": lambda row: row | {"measures": HOSTILE, "description": HOSTILE},
    }
    evidence = {  # each span table's rows, on the seed's pieces
        "entity_mentions": (lambda i, *_: {"entity_id": "acme-corp", "mention_type": "name"}, len(PIECES)),
        "quotes": (
            lambda i, *_: {
                "quote_id": f"q-000-{i + 1:02d}",
                "speaker_id": "ruritania-minister",
                "speaker_as_printed": HOSTILE,
                "quote_type": "full",
                "utterance_id": "u-said" if i < 3 else f"u-said-{i}",
            },
            6,
        ),
        "non_quotes": (lambda i, *_: {"reason": "scare_quotes", "note": HOSTILE}, 1),
        "event_sources": (lambda i, *_: {"event_id": "ev-ruritania-sanctions"}, 1),
        "sanction_sources": (lambda i, *_: {"sanction_id": "sn-ruritania-acme"}, 1),
        "event_relations": (
            lambda i, *_: {
                "event_id": "ev-ruritania-sanctions",
                "relation_type": "follows",
                "related_event_id": "ev-minister-statement",
                "note": HOSTILE,
            },
            1,
        ),
    }
    return package(
        tmp_path,
        seed,
        hostile_metadata,
        *(_cells(table, change) for table, change in free_text.items()),
        *(_spans(table, make, count) for table, (make, count) in evidence.items()),
        after=(
            write_file("datapackage/README.md", HOSTILE_README),
            write_file("datapackage/dataset.jsonld", json.dumps({"name": HOSTILE, "description": "</script><!--"})),
        ),
    )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile package and its site."""
    folder = tmp_path_factory.mktemp("hostile")
    source = hostile_text_package(folder)
    assert main(["site", str(source), "--out", str(folder / "site")]) == 0
    return source, folder / "site"


def test_hostile_text_is_no_markup_in_any_page(hostile_site: tuple[Path, Path]) -> None:
    """Every page holds only the site's own elements: the one script, its JSON, no image, no bold."""
    _, site = hostile_site
    for path in sorted(site.glob("**/*.html")):
        if "package" in path.relative_to(site).parts:
            continue
        page = path.read_text(encoding="utf-8")
        scripts = re.findall(r"<script[^>]*>", page)
        assert [tag for tag in scripts if "site.js" not in tag and "application/" not in tag] == [], path
        assert re.findall(r"<(?:b|img|svg onload|!--)[ >]", page) == [], path
        assert re.findall(r"""(?:href|src)=["']?\s*(?:javascript|data):""", page, re.I) == [], path


def _span_rows(source: Path) -> dict[str, str]:
    """The text of each span row of the package, by its anchor."""
    from newsfacts.explorer.spans import SPAN_TABLES, row_anchor
    from newsfacts.loader import open_package, plain_rows, read_resources

    with open_package(source) as opened:
        tables = {resource.name: plain_rows(resource) for resource in read_resources(opened)}
    return {row_anchor(model, row): row["text"] for model in SPAN_TABLES for row in tables.get(model.resource_name, [])}


# In the browser: what a page holds that the site never writes, and the seed's pieces with their offsets and rows.
_PAGE_REPORT = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(element.tagName + " " + attribute.name);
      const link = ["href", "src", "action"].includes(attribute.name);
      if (link && /^\\s*(javascript|data|vbscript):/i.test(attribute.value)) found.push(attribute.value);
    }
    const tag = element.tagName;
    if (["IMG", "IFRAME", "OBJECT", "EMBED", "FORM", "BASE", "B"].includes(tag)) found.push(tag);
    const ours = (script) => script.src.endsWith("/assets/site.js") || script.type.startsWith("application/");
    if (tag === "SCRIPT" && !ours(element)) found.push("script " + element.textContent);
  }
  const seed = document.querySelector(".seed");
  const pieces = seed ? [...seed.querySelectorAll("[data-at]")].map(
    (piece) => [Number(piece.dataset.at), piece.textContent, piece.dataset.rows || ""]) : [];
  return {found, pieces};
}"""


def _opened(browser: Browser, path: Path) -> tuple[dict[str, Any], list[str]]:
    """The page's _PAGE_REPORT, and each request it made that leaves the machine and each alert() that ran."""
    page = browser.new_context().new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(f"alert {dialog.message}"), dialog.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    report: dict[str, Any] = page.evaluate(_PAGE_REPORT)
    page.context.close()
    return report, external_requests(requests) + dialogs


def test_in_the_browser_hostile_text_stays_text_and_each_span_is_its_rows_text(
    browser: Browser, hostile_site: tuple[Path, Path]
) -> None:
    source, site = hostile_site
    text, _ = hostile_seed()
    rows = _span_rows(source)
    found: list[str] = []
    spans: dict[str, str] = {}
    for path in sorted(site.glob("**/*.html")):
        if "package" in path.relative_to(site).parts:
            continue
        report, made = _opened(browser, path)
        name = path.relative_to(site).as_posix()
        found += [f"{name}: {what}" for what in report["found"] + made]
        for start, piece, anchors in report["pieces"]:
            # Each piece is the seed's text at its offset, in code points, as the browser holds it.
            if text[start : start + len(piece)] != piece:
                found.append(f"{name}: the piece at {start} is {piece!r}")
            for anchor in anchors.split():
                spans[anchor] = spans.get(anchor, "") + piece
    assert found == []
    assert spans == rows


# --- size: no page past 2 MB, whatever the package repeats ---------------------------------------------------------

MEGABYTES_2 = 2_000_000
# A cell of 19,000 `<`: 76 kB once escaped, under the 20,000 code points a cell may hold.
LONG_WORDS = "<" * 19_000
NESTED = 400  # mentions nested in one another
CHAINED = 4000  # mentions each overlapping the next: their union covers all of them
STRESS_EVENTS = 30
STRESS_ARTICLES = 30


def stress_package(tmp_path: Path) -> Path:
    """Each way a page grew past 2 MB from a small package: a long name repeated for each mention of it (in each
    highlight's accessible name) and for each article of its outlet, spans nested in one another (each segment
    named them all), spans overlapping in a chain (a page was never cut inside one), long descriptions on one list
    page, one event in many conflicting pairs, a long README, and a schema.org Dataset that names every article."""
    text = "Acme " * 40 + "\n" + "n" * (2 * NESTED + 10) + "\n" + "z" * (CHAINED + 11) + "\n"
    nested_from, chained_from = text.index("n"), text.index("z")
    acme = {"text": "Acme", "char_start": "0", "char_end": "4"}  # every other span, on the new seed

    def seeds(root: Path) -> None:
        for number in range(1, STRESS_ARTICLES):
            (root / "datapackage" / "seeds" / f"{number:03d}_a.txt").write_text(f"Article {number}\n")
        (root / "datapackage" / "seeds" / SEED_NAME).write_text(text, encoding="utf-8")

    def articles(rows: list[list[str]]) -> None:
        first = dict(zip(rows[0], rows[1], strict=True)) | {"outlet_id": "acme-corp", "outlet_basis": "stated"}
        rows[1:] = [cells_in_order(rows[0], first | {"sha256": sha256(text), "title": LONG_WORDS})]
        for number in range(1, STRESS_ARTICLES):
            seed = f"Article {number}\n"
            cells = {
                "article_id": f"art-{number:03d}",
                "seed_file": f"seeds/{number:03d}_a.txt",
                "sha256": sha256(seed),
            }
            rows.append(cells_in_order(rows[0], first | cells | {"title": LONG_WORDS}))

    def mentions(rows: list[list[str]]) -> None:
        def mention(entity: str, start: int, end: int) -> list[str]:
            cells = {"entity_id": entity, "article_id": "art-000", "char_start": str(start), "char_end": str(end)}
            return cells_in_order(rows[0], cells | {"text": text[start:end], "mention_type": "name"})

        rows[1:] = [mention("acme-corp", 5 * number, 5 * number + 4) for number in range(40)]
        rows += [
            mention("ruritania-government", nested_from + depth, nested_from + 2 * NESTED + 10 - depth)
            for depth in range(NESTED)
        ]
        rows += [mention("ruritania-minister", chained_from + at, chained_from + at + 12) for at in range(CHAINED)]

    def events(rows: list[list[str]]) -> None:
        first = dict(zip(rows[0], rows[1], strict=True))
        rows[1:] = [
            cells_in_order(rows[0], first | {"event_id": f"ev-e{number:03d}", "description": LONG_WORDS})
            for number in range(STRESS_EVENTS)
        ]

    def relations(rows: list[list[str]]) -> None:
        first = dict(zip(rows[0], rows[1], strict=True)) | {
            "relation_type": "conflicting_account",
            "event_id": "ev-e000",
        }
        rows[1:] = [
            cells_in_order(rows[0], first | {"related_event_id": f"ev-e{number:03d}"})
            for number in range(1, STRESS_EVENTS)
        ]

    def sources(rows: list[list[str]]) -> None:  # each of the first events a source
        for number, row in enumerate(rows[1:]):
            cells = dict(zip(rows[0], row, strict=True)) | acme | {"event_id": f"ev-e{number:03d}"}
            row[:] = cells_in_order(rows[0], cells)

    keep_events = {"event_id": "ev-e000"}
    readme = "# Dictionary\n\n" + "|" + "a|" * 300 + "\n|" + "-|" * 300 + "\n" + ("|" + "a|" * 300 + "\n") * 400
    return package(
        tmp_path,
        seeds,
        edit_rows("articles", articles),
        set_cells("entities", 2, name=LONG_WORDS),
        edit_rows("entity_mentions", mentions),
        edit_rows("events", events),
        _cells("event_actors", lambda row: row | keep_events),
        edit_rows("event_sources", sources),
        edit_rows("event_relations", relations),
        _cells("event_relations", lambda row: row | acme),
        _cells("sanctions", lambda row: row | keep_events),
        _cells("sanction_sources", lambda row: row | acme),
        _cells("quotes", lambda row: row | acme),
        after=(write_file("datapackage/README.md", readme),),
    )


@pytest.fixture(scope="module")
def stress_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stress")
    assert main(["site", str(stress_package(folder)), "--out", str(folder / "site")]) == 0
    return folder / "site"


def test_no_page_is_larger_than_2_megabytes(stress_site: Path) -> None:
    sizes = {path.relative_to(stress_site).as_posix(): path.stat().st_size for path in stress_site.glob("**/*.html")}
    assert {path: size for path, size in sizes.items() if size > MEGABYTES_2} == {}


def _pages(site: Path, pattern: str) -> str:
    return "".join(path.read_text(encoding="utf-8") for path in sorted(site.glob(pattern)))


def test_a_page_too_long_leaves_rows_to_further_pages_or_says_how_many_it_leaves_out(stress_site: Path) -> None:
    """Nothing is dropped unsaid: each event and each conflicting pair is on a page; a long list within a page
    says how many rows it leaves out; a name shown for another row is cut, never the row's own page's."""
    assert _pages(stress_site, "events*.html").count('<article class="card"') == STRESS_EVENTS
    assert _pages(stress_site, "conflicts*.html").count('<section class="pair"') == STRESS_EVENTS - 1
    # The entity's mentions continue on its further pages: every one is on one.
    first = (stress_site / "entities" / "ruritania-government.html").read_text(encoding="utf-8")
    every = _pages(stress_site, "entities/ruritania-government*.html")
    assert 0 < len(re.findall(r"\(name\)", first)) < NESTED == len(re.findall(r"\(name\)", every))
    article = (stress_site / "articles" / "art-000.html").read_text(encoding="utf-8")
    assert "mention of " + "&lt;" * (LABEL_CHARS - 1) + "…" in article
    assert "&lt;" * len(LONG_WORDS) in (stress_site / "entities" / "acme-corp.html").read_text(encoding="utf-8")
    dictionary = (stress_site / "dictionary.html").read_text(encoding="utf-8")
    assert "is too long to show here" in dictionary and 'href="package/README.md"' in dictionary
    assert "application/ld+json" not in (stress_site / "index.html").read_text(encoding="utf-8")


def test_nested_spans_name_at_most_a_few_rows_in_each_segment(stress_site: Path) -> None:
    page = _pages(stress_site, "articles/art-000*.html")
    named = [rows.split() for rows in re.findall(r'data-rows="([^"]*)"', page)]
    assert max(map(len, named)) == SEGMENT_ROWS
    # The anchor of each nested mention is still on the page, and named by a segment at least (near its ends).
    ids = set(re.findall(r'<span class="anchor" id="([^"]*)"', page))
    nested = {anchor for anchor in ids if anchor.startswith("mention-ruritania-government-")}
    assert len(nested) == NESTED and nested <= {anchor for rows in named for anchor in rows}


@pytest.mark.parametrize(
    ("reference", "wording"),
    [
        # Repeated words made difflib's time grow with the cube of the length: hours for two long quotes. The
        # second holds `autojunk` to its slowest kind of text, words that each make up just under 1% of it.
        (" ".join(f"w{number % 7}" for number in range(1000)), " ".join(f"w{number % 5}" for number in range(1000))),
        (
            " ".join(f"w{number % 101}" for number in range(1000)),
            " ".join(f"w{number % 103}" for number in range(1000)),
        ),
    ],
)
def test_wordings_are_compared_in_a_moment(reference: str, wording: str) -> None:
    started = time.perf_counter()
    pieces = compared(reference, wording)
    assert time.perf_counter() - started < 0.5  # 3.8 s and 0.24 s before, 0.01 s now
    assert pieces is not None
    assert "".join(piece.text for piece in pieces if piece.change != "added") == reference
    assert "".join(piece.text for piece in pieces if piece.change != "omitted") == wording


def test_a_wording_too_long_to_compare_is_shown_whole(tmp_path: Path) -> None:
    long = "word " * COMPARED_TOKENS
    assert compared(long, long + "more") is None
    explorer = Explorer(
        descriptor={"name": "p", "resources": []},
        tables={
            "articles": [],
            "quotes": [
                {
                    "quote_id": f"q-000-0{n}",
                    "article_id": "art-000",
                    "utterance_id": "u-x",
                    "speaker_id": "s",
                    "text": text,
                    "char_start": 0,
                    "char_end": len(text),
                }
                for n, text in ((1, long), (2, long + "more"))
            ],
        },
        seeds={},
    )
    page = rendered_files(explorer)["utterances/u-x.html"].decode("utf-8")
    # The fullest wording is itself, whole; the other is too long to compare with it.
    assert page.count("Too long to compare word by word.") == 1 and page.count(long + "more") == 1


def test_spans_overlapping_in_a_chain_are_paginated_inside_them(stress_site: Path) -> None:
    """Each row is listed on one page, the page its span starts on; each code point of the seed is on one page,
    in one piece, and a span that a page's end cuts is highlighted on both pages."""
    pages = sorted(
        (stress_site / "articles").glob("art-000*.html"), key=lambda path: int(path.stem.partition("-p")[2] or 1)
    )
    listed: list[str] = []
    pieces: list[tuple[int, str]] = []
    named: set[str] = set()
    chain_pages = 0
    for path in pages:
        page = path.read_text(encoding="utf-8")
        rows = re.findall(r'<li id="row-(mention-ruritania-minister-\d+)"', page)
        listed += rows
        chain_pages += bool(rows)
        seed = page[page.index('<div class="seed"') : page.index("</div>", page.index('<div class="seed"'))]
        found = re.findall(r'<(?:span|a)[^>]* data-at="(\d+)"(?: data-rows="([^"]*)")?[^>]*>([^<]*)</', seed)
        pieces += [(int(at), html.unescape(text)) for at, _, text in found]
        named |= {anchor for _, rows, _ in found for anchor in rows.split()}
    assert len(listed) == len(set(listed)) == CHAINED and chain_pages > 1
    assert set(listed) <= named
    assert "".join(text for _, text in pieces) == (stress_site / "package" / "seeds" / SEED_NAME).read_text()
    assert [at for at, _ in pieces] == sorted({at for at, _ in pieces})


@pytest.mark.parametrize(
    ("text", "spans", "chars", "cost", "expected"),
    [
        # Each span overlaps the next: their union covers the text, which was then one page. A page is cut inside
        # them at its limit, where they would carry it past the longest span beyond it.
        ("x" * 23, [(at, at + 3) for at in range(20)], 10, None, [(0, 10), (10, 22), (22, 23)]),
        # A span longer than a page is still a page of its own, and a cut still moves past a span that crosses it.
        ("abcdefghij", [(1, 9)], 3, None, [(0, 9), (9, 10)]),
        ("aaaa\nbbbb\ncccc\n", [(8, 12)], 10, None, [(0, 12), (12, 15)]),
        # A page that costs more than the budget is halved until it does not.
        ("abcdefgh", [], 10, lambda start, end: end - start, [(0, 2), (2, 5), (5, 8)]),
    ],
)
def test_a_page_is_cut_inside_spans_only_where_they_would_make_it_too_long(
    text: str,
    spans: list[tuple[int, int]],
    chars: int,
    cost: Callable[[int, int], int] | None,
    expected: list[tuple[int, int]],
) -> None:
    rows = [Span("entity_mentions", f"m-{start}", start, end, {}) for start, end in spans]
    assert page_ranges(text, rows, chars=chars, cost=cost, budget=3) == expected
