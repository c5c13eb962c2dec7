"""`newsfacts coverage`: what a package may still lack, listed for the contributor."""

from __future__ import annotations

import io
import json
import sys

import pytest

from newsfacts.cli import main
from newsfacts.coverage import _compiled, _occurrences, coverage
from newsfacts.package import Layout
from newsfacts.validate import validate

from .conftest import ROOT, commit_everything
from .fixtures.edits import edit_rows


def gaps_of(layout: Layout, article: str | None = None) -> list[tuple[str, str, str | None, str | None, int | None]]:
    found = coverage(layout, [article] if article else [])
    assert found.refusals == []
    return [(gap.kind, gap.subject, gap.article_id, gap.text, gap.char_start) for gap in found.gaps]


def test_the_dataset_lacks_nothing_coverage_lists() -> None:
    assert gaps_of(Layout(ROOT / "datapackage")) == []


def test_each_removed_row_is_listed_as_its_gap(project_copy: Layout) -> None:
    root = project_copy.package_dir.parent
    edit_rows("quotes", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "q-002-03"]))(root)
    edit_rows(
        "entity_mentions",
        lambda rows: rows.__setitem__(
            slice(None),
            [r for r in rows if r[0] != "dmitry-peskov" and r[:3] != ["andrii-yermak", "art-001", "Yermak"]],
        ),
    )(root)
    edit_rows(
        "event_actors", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "ev-peskov-statement"])
    )(root)
    peskov_quote = (
        "Iran is our important partner, we are developing our trade and economic relations, we are developing "
        "our cooperation and dialogue in all possible areas, including the most sensitive ones."
    )
    assert gaps_of(project_copy) == [
        ("quotation", "art-002", "art-002", peskov_quote, 1459),
        ("unmentioned-form", "andrii-yermak", "art-001", "Yermak", 3324),
        ("unmentioned-entity", "dmitry-peskov", "art-002", "Dmitry Peskov", 1367),
        ("event-without-actor", "ev-peskov-statement", None, None, None),
    ]
    # One article: its own gaps only (events belong to no one article).
    assert gaps_of(project_copy, "art-001") == [("unmentioned-form", "andrii-yermak", "art-001", "Yermak", 3324)]


def test_the_quotations_listed_are_those_validate_reports(project_copy: Layout) -> None:
    root = project_copy.package_dir.parent
    edit_rows(
        "quotes", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] not in ("q-000-05", "q-004-02")])
    )(root)
    assert main(["build", str(project_copy.package_dir)]) == 0
    reported = {(p.path, p.line) for p in validate(project_copy) if p.code == "quote-uncovered"}
    listed = {(gap.path, gap.line) for gap in coverage(project_copy).gaps if gap.kind == "quotation"}
    assert listed == reported and len(listed) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Whole words only, and never inside a longer name of any entity.
        ("The Iranian Labour News Agency said", [("ilna", "Iranian Labour News Agency")]),
        ("Iran Air and Iran’s mission", [("iran-air", "Iran Air"), ("iran", "Iran")]),
        ("Labour won; Iranians wait", [("labour", "Labour")]),
    ],
)
def test_names_are_found_as_whole_words_outside_longer_names(text: str, expected: list[tuple[str, str]]) -> None:
    forms = {
        "iran": ["Iran"],
        "iran-air": ["Iran Air"],
        "ilna": ["Iranian Labour News Agency"],
        "labour": ["Labour"],
    }
    found = _occurrences(text, _compiled(forms))
    assert [(occurrence.entity_id, occurrence.form) for occurrence in found] == expected


def test_the_command_exits_by_what_it_lists(project_copy: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    package = str(project_copy.package_dir)
    assert main(["coverage", "--package", package]) == 0
    edit_rows(
        "event_actors", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "ev-peskov-statement"])
    )(project_copy.package_dir.parent)
    capsys.readouterr()
    assert main(["coverage", "--package", package]) == 1
    out = capsys.readouterr().out
    assert out == f"{project_copy.csv('events')}:27: event-without-actor: ev-peskov-statement\n"
    assert main(["coverage", "--package", package, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(gap["kind"], gap["subject"], gap["line"]) for gap in report["gaps"]] == [
        ("event-without-actor", "ev-peskov-statement", 27)
    ]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["art-999"], "article-unknown"),  # no such article
        (["art-002"], "seed-unreadable"),  # its seed is gone (below)
    ],
)
def test_what_cannot_be_examined_is_refused(project_copy: Layout, argv: list[str], code: str) -> None:
    (project_copy.seeds_dir / "002_d4a13c5680323aa8.txt").unlink()
    found = coverage(project_copy, argv)
    assert ([p.code for p in found.refusals], found.gaps) == ([code], [])
    assert main(["coverage", *argv, "--package", str(project_copy.package_dir)]) == 2


def test_a_path_for_an_article_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["coverage", "some/datapackage"])
    assert stopped.value.code == 2
    assert "give a package with --package" in capsys.readouterr().err


def test_quotations_wait_for_rows_in_error(project_copy: Layout) -> None:
    # A quote row in error would leave its quotation uncovered and repeat validate's row problem.
    edit_rows("quotes", lambda rows: rows[1].__setitem__(rows[0].index("char_end"), "x"))(
        project_copy.package_dir.parent
    )
    found = coverage(project_copy)
    assert [gap for gap in found.gaps if gap.kind == "quotation"] == []
    assert found.notes == [
        "quotations: not listed while rows of quotes or non_quotes are in error (newsfacts validate)"
    ]


def test_a_reader_that_goes_away_ends_the_command_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["coverage", "--package", str(ROOT / "datapackage"), "--format", "json"]) == 2


def test_a_pull_request_gets_the_coverage_of_the_articles_it_changed(
    project_copy: Layout, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What CI runs on a pull request: the gaps of the articles whose rows differ from the base, as
    warnings on the lines of the diff."""
    root = project_copy.root
    commit_everything(root)
    monkeypatch.chdir(root)
    assert main(["coverage", "--changed-since", "HEAD", "--format", "github"]) == 0
    assert capsys.readouterr().out == ""
    edit_rows("quotes", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "q-002-03"]))(root)
    assert main(["coverage", "--changed-since", "HEAD", "--format", "github"]) == 1
    seed = "datapackage/seeds/002_d4a13c5680323aa8.txt"
    assert capsys.readouterr().out.splitlines() == [
        f"::warning file={seed},line=8,title=coverage%3A quotation::art-002 [1459, 1646) "
        "'Iran is our important partner, we are developing our trade and economic relations, we are developing "
        "our cooperation and dialogue in all possible areas, including the most sensitive ones.'"
    ]


def test_a_pull_request_that_removes_an_article_lists_the_others(
    project_copy: Layout, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_copy.root
    commit_everything(root)
    monkeypatch.chdir(root)
    # art-004 and every row of it removed, and a quote of art-002 with it: only art-002 is left to cover.
    for table in ("articles", "quotes", "entity_mentions", "event_sources", "event_relations"):
        edit_rows(table, lambda rows: rows.__setitem__(slice(None), [r for r in rows if "art-004" not in r[:2]]))(root)
    edit_rows("quotes", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[0] != "q-002-03"]))(root)
    assert main(["coverage", "--changed-since", "HEAD", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["articles"], [gap["subject"] for gap in report["gaps"]]) == (["art-002"], ["art-002"])
    assert main(["coverage", "art-002", "--changed-since", "HEAD"]) == 2
    assert "usage-error: give ARTICLEs or --changed-since, not both" in capsys.readouterr().err
