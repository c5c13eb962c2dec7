"""The columnar engine against frictionless, the oracle, on a synthetic package with injected errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsfacts.checks.descriptor import load_descriptor
from newsfacts.checks.frictionless_check import check_frictionless
from newsfacts.engine import LINE, check_rows, read
from newsfacts.limits import Limits
from newsfacts.models import Entity
from newsfacts.package import Layout
from newsfacts.problems import Problem
from newsfacts.synth import INJECTIONS, synthesize
from newsfacts.validate import read_tables, validate

Finding = tuple[str, int | None, str | None, str]  # (resource, row line, field, error kind)


def findings(problems: list[Problem], layout: Layout) -> set[Finding]:
    resource = {os.path.abspath(layout.csv(p.stem)): p.stem for p in (layout.package_dir / "data").glob("*.csv")}
    return {(resource.get(os.path.abspath(p.path), p.path), p.line, p.field, p.code) for p in problems}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Layout, set[Finding]]:
    out = tmp_path_factory.mktemp("synthetic") / "project"
    injected = synthesize(out, quotes=300, errors=2, seed=7)
    assert json.loads((out / "errors.json").read_text(encoding="utf-8")) == injected
    manifest = {(item["resource"], item["line"], item["field"], item["code"]) for item in injected}
    return Layout(out / "datapackage"), manifest


def test_engine_and_frictionless_report_the_same_errors(synthetic: tuple[Layout, set[Finding]]) -> None:
    layout, manifest = synthetic
    tables, problems = read_tables(layout)
    descriptor, _ = load_descriptor(layout)
    assert problems == []
    assert descriptor is not None
    engine = findings(check_rows(tables, descriptor).problems, layout)
    oracle = findings(check_frictionless(layout, {}), layout)
    assert engine == oracle
    # ...and they are exactly the injected errors that frictionless can see.
    assert engine == {finding for finding in manifest if not finding[3].startswith("span-")}


def test_every_injected_error_is_found_where_it_was_put(synthetic: tuple[Layout, set[Finding]]) -> None:
    layout, manifest = synthetic
    assert {code for injection in INJECTIONS for code in injection.codes} == {finding[3] for finding in manifest}
    found = findings(validate(layout, rows_only=True), layout)
    # The row model explains type and constraint errors in its own words, at the same cell.
    explained = {
        (r, line, f, "row-invalid") for (r, line, f, code) in manifest if code in {"type-error", "constraint-error"}
    }
    expected = {finding for finding in manifest if finding[3] not in {"type-error", "constraint-error"}} | explained
    assert found == expected


def test_a_clean_synthetic_package_is_valid(tmp_path: Path) -> None:
    synthesize(tmp_path / "project", quotes=120)
    assert validate(Layout(tmp_path / "project" / "datapackage")) == []


def test_synth_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        synthesize(tmp_path, quotes=10)


def test_rows_keep_their_lines_across_line_breaks_in_cells(tmp_path: Path) -> None:
    header = "entity_id,name,entity_type,aliases,description,country,parent_id\n"
    rows = 'acme,Acme,organization,,"Two\nlines",,\nbeta,Beta,organization,,One line,,\n'
    (tmp_path / "entities.csv").write_text(header + rows, encoding="utf-8")
    table, problems = read(tmp_path / "entities.csv", Entity, tmp_path, Limits())
    assert problems == []
    assert table is not None
    assert table.data.get_column(LINE).to_list() == [2, 4]
    assert table.data.get_column("aliases").to_list() == [None, None]  # an empty cell is missing
