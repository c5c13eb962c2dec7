"""`newsfacts site`: the explorer's pages, made from the package's rows (tests/test_explorer_browser.py opens them)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from newsfacts.cli import main
from newsfacts.explorer import MARKER
from newsfacts.explorer.html import script_json, seed_markup
from newsfacts.explorer.pages import Explorer, rendered_files
from newsfacts.explorer.spans import Span, page_number, page_ranges, segments
from newsfacts.explorer.timeline import date_range
from newsfacts.explorer.wording import Piece, compared

from .conftest import ROOT, commit_everything, fixture_root
from .fixtures.edits import edit_rows


def site_tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert main(["site", str(ROOT / "datapackage"), "--out", str(out)]) == 0
    return out


def test_the_same_package_makes_the_same_bytes(real_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert main(["site", str(ROOT / "datapackage"), "--out", str(again)]) == 0
    first, second = site_tree(real_site), site_tree(again)
    assert list(first) == list(second)
    assert [path for path in first if first[path] != second[path]] == []


def test_the_site_of_the_release_zip_is_the_site_of_the_checkout(real_site: Path, tmp_path: Path) -> None:
    """A package opens the same everywhere: the zip `pack` makes gives the same pages, byte for byte."""
    assert main(["pack", str(ROOT), "--out", str(tmp_path / "dist")]) == 0
    (release,) = (tmp_path / "dist").glob("*.zip")
    assert main(["site", str(release), "--out", str(tmp_path / "from-zip")]) == 0
    assert site_tree(tmp_path / "from-zip") == site_tree(real_site)


def test_the_site_of_the_package_at_a_url_is_the_site_of_the_folder(
    real_site: Path, tmp_path: Path, serve_directory: Callable[[Path], str]
) -> None:
    """Served over HTTP, the package gives the same pages: its data dictionary and discovery documents are read too."""
    url = serve_directory(ROOT / "datapackage") + "datapackage.json"
    assert main(["site", url, "--out", str(tmp_path / "from-url")]) == 0
    assert site_tree(tmp_path / "from-url") == site_tree(real_site)


def test_the_site_has_a_page_of_each_kind_and_the_package_beside_it(real_site: Path) -> None:
    tree = site_tree(real_site)
    articles = sorted(path.name for path in (ROOT / "datapackage" / "seeds").iterdir())
    assert {f"articles/art-00{number}.html" for number in range(len(articles))} <= set(tree)
    for page in (
        "index.html",
        "entities.html",
        "utterances.html",
        "events.html",
        "timeline.html",
        "conflicts.html",
        "sanctions.html",
        "dictionary.html",
        "articles.html",
        "entities/antony-blinken.html",
    ):
        assert page in tree, page
    # The package as validated, to download: its descriptor, every table and every seed, byte for byte.
    for path in ["datapackage.json", *(f"data/{p.name}" for p in (ROOT / "datapackage" / "data").iterdir())]:
        assert tree[f"package/{path}"] == (ROOT / "datapackage" / path).read_bytes()
    assert {f"package/seeds/{name}" for name in articles} <= set(tree)
    assert MARKER in tree


def test_the_index_embeds_the_packages_schema_org_dataset_with_its_files_addressed_from_the_index(
    real_site: Path,
) -> None:
    index = (real_site / "index.html").read_text(encoding="utf-8")
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', index, re.S)
    assert embedded is not None
    dataset = json.loads(embedded[1])
    original = json.loads((ROOT / "datapackage" / "dataset.jsonld").read_text(encoding="utf-8"))
    assert dataset["@type"] == "Dataset" and dataset["name"] == original["name"]
    assert [item["contentUrl"] for item in dataset["distribution"]] == [
        f"package/{item['contentUrl']}" for item in original["distribution"]
    ]
    for item in dataset["distribution"]:
        assert (real_site / item["contentUrl"]).is_file()


def test_every_quote_is_an_anchor_of_its_article_and_links_to_its_utterance(real_site: Path) -> None:
    page = (real_site / "articles" / "art-000.html").read_text(encoding="utf-8")
    assert '<span class="anchor" id="q-000-01"></span>' in page
    assert 'id="row-q-000-01"' in page
    first = re.search(r'<a class="seg[^"]*" href="([^"]*)" data-at="83" data-rows="([^"]*)"', page)
    assert first is not None
    # q-000-01 "further sanctions on Iran later today" lies inside the evidence of an event and of a sanction
    # (from 51): its first segment has the three rows, and links to the smallest span's target, the statement.
    assert (first[1], first[2].split()) == (
        "../utterances/u-blinken-further-sanctions.html",
        [
            "q-000-01",
            "event-source-ev-us-further-sanctions-announcement-51",
            "sanction-source-sn-us-further-sanctions-iran-51",
        ],
    )


def test_an_inferred_value_is_shown_with_its_basis_and_why(real_site: Path) -> None:
    page = (real_site / "articles" / "art-000.html").read_text(encoding="utf-8")
    assert '<span class="basis basis-inferred">inferred</span>' in page
    assert html.escape("Tuesday = 2024-09-10", quote=False) in page


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("quotes-invalid", [("data/quotes.csv", 2, "text", "span-mismatch")])],
)
def test_a_package_whose_spans_do_not_match_makes_no_site(
    fixture: str, expected: list[tuple[str, int, str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = fixture_root(fixture) / "datapackage"
    out = tmp_path / "site"
    assert main(["site", str(package), "--out", str(out), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)
    located = [(Path(p["path"]).relative_to(package).as_posix(), p["line"], p["field"], p["code"]) for p in found]
    assert [row for row in located if row[3] == "span-mismatch"] == expected
    assert not out.exists()


@pytest.mark.parametrize(
    ("state", "status"),
    [("absent", 0), ("empty", 0), ("a site made before", 0), ("a folder of other files", 1), ("a file", 1)],
)
def test_the_output_folder_is_replaced_only_when_it_is_a_site(
    state: str, status: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    if state == "empty":
        out.mkdir()
    elif state == "a site made before":
        out.mkdir()
        (out / MARKER).write_text("")
        (out / "stale.html").write_text("from an older package")
    elif state == "a folder of other files":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    elif state == "a file":
        out.write_text("mine")
    assert main(["site", str(fixture_root("minimal-valid") / "datapackage"), "--out", str(out)]) == status
    if status == 0:
        assert (out / "index.html").is_file() and (out / MARKER).is_file() and not (out / "stale.html").exists()
    else:
        assert f"site-target: refusing to replace {out}" in capsys.readouterr().out
        assert (out / "notes.txt" if out.is_dir() else out).read_text() == "mine"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []  # no staging left


def test_a_pull_request_lists_the_articles_it_changed_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    for name in ("datapackage", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    commit_everything(tmp_path)
    monkeypatch.chdir(tmp_path)
    edit_rows("quotes", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "q-002-03"]))(tmp_path)
    assert main(["build"]) == 0
    assert main(["site", "--out", "site", "--changed-since", "HEAD"]) == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    changed = index[
        index.index('id="changed-heading"') : index.index("</section>", index.index('id="changed-heading"'))
    ]
    assert re.findall(r'href="([^"]+)"', changed) == ["articles/art-002.html"]
    assert "This article's rows are changed" in (tmp_path / "site" / "articles" / "art-002.html").read_text()
    assert "This article's rows are changed" not in (tmp_path / "site" / "articles" / "art-001.html").read_text()


# --- the pieces -----------------------------------------------------------------------------------------------


def span(table: str, anchor: str, start: int, end: int) -> Span:
    return Span(table, anchor, start, end, {})


def test_overlapping_spans_cut_the_text_into_segments_each_covered_by_its_spans() -> None:
    text = "Blinken said: “Iran will pay.”"
    spans = [
        span("quotes", "q", 15, 29),
        span("entity_mentions", "m-iran", 15, 19),
        span("entity_mentions", "m-b", 0, 7),
    ]
    assert [
        (piece.start, piece.text, [s.anchor for s in piece.spans]) for piece in segments(text, 0, len(text), spans)
    ] == [
        (0, "Blinken", ["m-b"]),
        (7, " said: “", []),
        (15, "Iran", ["m-iran", "q"]),
        (19, " will pay.", ["q"]),
        (29, "”", []),
    ]


@pytest.mark.parametrize(
    ("text", "spans", "chars", "expected"),
    [
        # Cut after the last line break in the second half of the page.
        ("aaaa\nbbbb\ncccc\n", [], 12, [(0, 10), (10, 15)]),
        # Never inside a span: the cut moves past the span that crosses it.
        ("aaaa\nbbbb\ncccc\n", [(8, 12)], 10, [(0, 12), (12, 15)]),
        # No line break: after a blank; none either: at the limit.
        ("ab cd ef gh", [], 6, [(0, 6), (6, 11)]),
        ("abcdefghij", [], 4, [(0, 4), (4, 8), (8, 10)]),
        # A span longer than a page is a page of its own.
        ("abcdefghij", [(1, 9)], 3, [(0, 9), (9, 10)]),
        ("", [], 5, [(0, 0)]),
    ],
)
def test_a_long_article_is_paginated_between_spans(
    text: str, spans: list[tuple[int, int]], chars: int, expected: list[tuple[int, int]]
) -> None:
    assert page_ranges(text, [span("quotes", str(s), s, e) for s, e in spans], chars=chars) == expected


@pytest.mark.parametrize(
    ("ranges", "position", "expected"),
    [
        ([(0, 10), (10, 22), (22, 23)], 0, 1),
        ([(0, 10), (10, 22), (22, 23)], 9, 1),
        ([(0, 10), (10, 22), (22, 23)], 10, 2),
        ([(0, 10), (10, 22), (22, 23)], 22, 3),
        ([(0, 0)], 0, 1),
    ],
)
def test_a_span_is_listed_on_the_page_it_starts_in(ranges: list[tuple[int, int]], position: int, expected: int) -> None:
    """One rule for where a row is listed, which its anchor's links and its page both follow."""
    assert page_number(ranges, position) == expected


def test_a_page_holds_at_most_so_many_spans() -> None:
    text = "word " * 40
    spans = [span("entity_mentions", str(index), index * 5, index * 5 + 4) for index in range(40)]
    ranges = page_ranges(text, spans, chars=10_000, most_spans=15)
    assert [sum(start <= s.start < end for s in spans) for start, end in ranges] == [15, 15, 10]


@pytest.mark.parametrize(
    ("reference", "wording", "expected"),
    [
        ("we will act now", "we will act now", [Piece("same", "we will act now")]),
        (
            "We expect allies will act, he said",
            "We expect allies will act",
            [Piece("same", "We expect allies will act"), Piece("omitted", ", he said")],
        ),
        (
            "Iran sent missiles",
            "Tehran sent missiles",
            [Piece("omitted", "Iran "), Piece("added", "Tehran "), Piece("same", "sent missiles")],
        ),
    ],
)
def test_a_wording_is_compared_word_by_word_with_the_fullest(
    reference: str, wording: str, expected: list[Piece]
) -> None:
    assert compared(reference, wording) == expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"start_date": "2024-09-10", "date_precision": "day"}, ("2024-09-10", "2024-09-10")),
        (
            {"start_date": "2024-09-08", "end_date": "2024-09-10", "date_precision": "week"},
            ("2024-09-08", "2024-09-10"),
        ),
        ({"start_date": "2024-09-08", "date_precision": "week"}, ("2024-09-08", "2024-09-14")),
        ({"start_date": "2024-02-01", "date_precision": "month"}, ("2024-02-01", "2024-02-29")),
        ({"start_date": "2024-01-01", "date_precision": "year"}, ("2024-01-01", "2024-12-31")),
        ({"start_date": None, "date_precision": None}, None),
    ],
)
def test_a_dates_precision_is_drawn_as_the_range_it_allows(
    event: dict[str, str | None], expected: tuple[str, str] | None
) -> None:
    found = date_range(event)
    assert (None if found is None else (found[0].isoformat(), found[1].isoformat())) == expected


# --- untrusted values ---------------------------------------------------------------------------------------------


def test_json_in_a_script_cannot_end_the_script() -> None:
    text = str(script_json({"name": "</script><script>alert(1)</script>", "x": "a\u2028b & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script>", "x": "a\u2028b & <!--"}


def test_the_seed_is_written_so_that_the_browser_keeps_every_code_point() -> None:
    text = "a\r\nb <i>&amp; 🚀"
    pieces = segments(text, 0, len(text), [span("quotes", "q-1", 2, 5)])
    markup = str(seed_markup(pieces, ["#x", None, None][: len(pieces)], ["t"] * len(pieces)))
    assert "&#13;" in markup and "\r" not in markup and "<i>" not in markup
    assert html.unescape(re.sub(r"<[^>]+>", "", markup)) == text


def test_values_from_the_package_are_text_never_markup() -> None:
    """A hostile package's names, titles and descriptions are escaped; a `javascript:` URL is not a link."""
    payload = '<img src=x onerror="alert(1)">'
    explorer = Explorer(
        descriptor={
            "name": "hostile",
            "title": payload,
            "homepage": "javascript:alert(1)",
            "licenses": [{"name": payload, "path": "javascript:alert(1)"}],
            "resources": [{"name": "entities", "path": "data/entities.csv", "schema": {"fields": []}}],
        },
        tables={
            "entities": [
                {"entity_id": "x", "name": payload, "entity_type": payload, "aliases": payload, "description": payload}
            ],
            "articles": [],
        },
        seeds={},
        dictionary=f"# Title\n\n{payload}\n\n[click](javascript:alert(1))",
    )
    files = rendered_files(explorer)
    for path, data in files.items():
        if path.endswith(".html"):
            page = data.decode("utf-8")
            assert "<img src=x" not in page, path
            assert 'href="javascript:' not in page.lower(), path


def test_a_long_list_continues_on_further_pages_of_its_entity_and_statement() -> None:
    """One speaker quoted 600 times, all of one statement: the entity and utterance pages go on to -p2, -p3."""
    seed = "Said. " * 600
    quotes = [
        {
            "quote_id": f"q-001-{index:03d}",
            "article_id": "art-001",
            "speaker_id": "speaker",
            "co_speaker_ids": None,
            "speaker_as_printed": "she",
            "text": "Said.",
            "char_start": index * 6,
            "char_end": index * 6 + 5,
            "quote_type": "full",
            "utterance_id": "u-said",
        }
        for index in range(600)
    ]
    explorer = Explorer(
        descriptor={"name": "long", "resources": []},
        tables={
            "entities": [{"entity_id": "speaker", "name": "Speaker", "entity_type": "person", "description": "One."}],
            "articles": [{"article_id": "art-001", "title": "Long"}],
            "quotes": quotes,
        },
        seeds={"art-001": seed},
    )
    files = rendered_files(explorer)
    for base in ("entities/speaker", "utterances/u-said"):
        assert [path for path in files if path.startswith(base)] == [
            f"{base}.html",
            f"{base}-p2.html",
            f"{base}-p3.html",
        ]
    third = files["utterances/u-said-p3.html"].decode()
    assert third.count('<li id="q-001-') == 100 and '<ol class="wordings" start="501">' in third
    assert files["entities/speaker-p2.html"].decode().count(">q-001-") == 250  # a link per quote
