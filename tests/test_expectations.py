"""The Great Expectations suites: declared as data, run offline and quietly, and reported as Data Docs."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from newsfacts.checks.expectations import DERIVED_COLUMNS, check_expectations, frames
from newsfacts.models import MODELS
from newsfacts.report import MARKER, write_report
from newsfacts.validate import check_rows_and_spans

from .conftest import ROOT, fixture_layout

SUITES = sorted((ROOT / "datapackage" / "expectations").glob("*.json"))


def test_every_table_has_a_suite_named_after_it() -> None:
    assert [path.stem for path in SUITES] == sorted(MODELS)
    for path in SUITES:
        assert json.loads(path.read_text(encoding="utf-8"))["name"] == path.stem


@pytest.mark.parametrize("path", SUITES, ids=lambda path: path.stem)
def test_suites_only_use_columns_the_table_has(path: Path) -> None:
    """A misspelt column would make GX fail on every run; catch it as data, table by table."""
    suite = json.loads(path.read_text(encoding="utf-8"))
    columns = set(MODELS[path.stem].model_fields) | set(DERIVED_COLUMNS.get(path.stem, {}))
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        used = {kwargs.get(key) for key in ("column", "column_A", "column_B")} | set(kwargs.get("column_list", []))
        assert used - {None} <= columns, expectation
        assert expectation["meta"]["field"] in MODELS[path.stem].model_fields


def test_derived_columns_are_the_ones_documented() -> None:
    layout = fixture_layout("minimal-valid")
    tables, _ = check_rows_and_spans(layout)
    for name, frame in frames(tables).items():
        derived = set(frame.columns) - set(MODELS[name].model_fields)
        assert derived == set(DERIVED_COLUMNS.get(name, {})), name


def test_suites_run_offline_and_print_nothing(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    layout = fixture_layout("imposer-type")
    tables, _ = check_rows_and_spans(layout)
    assert [p.code for p in check_expectations(layout, tables)] == ["imposer-type"]
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # no progress bars, no log lines


def test_report_writes_a_data_docs_site(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    result = write_report(fixture_layout("imposer-type"), out)
    assert result.index == out / "index.html"
    assert [(p.line, p.field, p.code) for p in result.failed] == [(2, "imposer_id", "imposer-type")]
    pages = {path.relative_to(out).parts[0] for path in out.rglob("*.html")}
    assert pages == {"index.html", "expectations", "validations"}
    suite_pages = sorted(path.stem for path in (out / "expectations").glob("*.html"))
    assert suite_pages == sorted(MODELS)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r"sanctions", index)


def test_report_replaces_its_own_site_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    write_report(fixture_layout("minimal-valid"), out)
    (out / "stale.html").write_text("old")
    assert write_report(fixture_layout("minimal-valid"), out).index is not None
    assert not (out / "stale.html").exists() and (out / MARKER).is_file()

    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "draft.txt").write_text("keep me")
    result = write_report(fixture_layout("minimal-valid"), precious)
    assert (result.index, [p.code for p in result.problems]) == (None, ["report-target"])
    assert [path.name for path in precious.iterdir()] == ["draft.txt"]
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".report-")] == []


def test_batches_are_not_fingerprinted() -> None:
    """GX's md5 of every cell of a batch is skipped (checks.expectations.import_great_expectations)."""
    import pandas as pd

    from newsfacts.checks.expectations import import_great_expectations

    import_great_expectations()
    from great_expectations.core.batch_spec import RuntimeDataBatchSpec
    from great_expectations.execution_engine import PandasExecutionEngine

    batch = RuntimeDataBatchSpec(batch_data=pd.DataFrame({"quote_id": ["q-001-01"]}))
    _, markers = PandasExecutionEngine().get_batch_data_and_markers(batch)
    assert "pandas_data_fingerprint" not in markers
