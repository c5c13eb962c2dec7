"""Rules are data, never code: a payload in any string of any suite runs nothing (issue 13).

Each payload would create MARKER if anything evaluated it: as Python, as a pandas query (GX
turns a `row_condition` into one), or as a Jinja template (GX renders Data Docs with Jinja).
Every string position of every shipped suite gets every payload: the allow-list check, which
is cheap, runs per position; validate and report, which run GX, run once per payload on a
package whose suites carry it in every position the allow-list accepts, and once on a package
whose suites carry it everywhere.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsfacts.checks.allowlist import suite_problems
from newsfacts.checks.expectations import DERIVED_COLUMNS, ephemeral_context, frames, run_suites
from newsfacts.models import MODELS
from newsfacts.package import Layout
from newsfacts.problems import CATALOGUE, Problem
from newsfacts.report import write_report
from newsfacts.validate import check_rows_and_spans, validate

from .conftest import ROOT, fixture_layout, fixture_root

SUITES = {
    path.stem: json.loads(path.read_bytes()) for path in sorted((ROOT / "datapackage/expectations").glob("*.json"))
}
PAYLOADS = [
    "__import__('os').system('touch MARKER')",
    "@os.system('touch MARKER')",
    # `pickle` is in scope where GX runs DataFrame.query: this one is live (see the last test).
    "@pickle.loads(b'cposix\\nsystem\\n(Vtouch MARKER\\ntR.')",
    "{{ ''.__class__ }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
]
# Where a string may hold any text: it is shown, or compared as a value, and never evaluated.
FREE_TEXT = re.compile(r"^(meta\.table|expectations\[\d+\]\.(meta\.notes|kwargs\.value_set\[\d+\]))$")
Position = tuple[str | int, ...]


def string_positions(value: Any, position: Position = ()) -> Iterator[Position]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from string_positions(item, (*position, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_positions(item, (*position, index))
    elif isinstance(value, str):
        yield position


def located(position: Position) -> str:
    """A position as the allow-list names it, e.g. expectations[0].kwargs.column_list[1]."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in position).lstrip(".")


def replaced(suite: dict[str, Any], positions: list[Position], value: Any) -> dict[str, Any]:
    result = copy.deepcopy(suite)
    for position in positions:
        *parents, last = position
        container: Any = result
        for part in parents:
            container = container[part]
        container[last] = value
    return result


def with_conditions(suite: dict[str, Any], payload: str) -> dict[str, Any]:
    """Every expectation given a pandas row_condition holding the payload, plain and structured."""
    result = copy.deepcopy(suite)
    for index, expectation in enumerate(result["expectations"]):
        expectation["kwargs"]["condition_parser"] = "pandas"
        expectation["kwargs"]["row_condition"] = (
            payload if index % 2 else {"type": "pass_through", "pass_through_filter": payload}
        )
    return result


def columns(table: str) -> set[str]:
    return {*MODELS[table].model_fields, *DERIVED_COLUMNS.get(table, {})}


def armed(payload: str, marker: Path) -> str:
    return payload.replace("MARKER", str(marker))


CASES = [(table, position) for table, suite in SUITES.items() for position in string_positions(suite)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_allow_list_refuses_a_payload_wherever_text_is_not_free(payload: str) -> None:
    """Per position: refused, at that position (or the list holding it), unless the text is free."""
    outcomes = []
    for table, position in CASES:
        found = [
            where for where, _ in suite_problems(replaced(SUITES[table], [position], payload), table, columns(table))
        ]
        where = located(position)
        at_position = any(where == named or where.startswith(f"{named}[") for named in found)
        outcomes.append((table, where, at_position if found else "accepted"))
    assert outcomes == [
        (table, located(position), "accepted" if FREE_TEXT.match(located(position)) else True)
        for table, position in CASES
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("table", sorted(SUITES))
def test_the_allow_list_refuses_row_conditions(table: str, payload: str) -> None:
    found = {where for where, _ in suite_problems(with_conditions(SUITES[table], payload), table, columns(table))}
    expected = {
        f"expectations[{index}].kwargs.{key}"
        for index in range(len(SUITES[table]["expectations"]))
        for key in ("condition_parser", "row_condition")
    }
    assert found == expected


def package_with(root: Path, suite_for: Callable[[str, dict[str, Any]], dict[str, Any]]) -> Layout:
    """A copy of the minimal-valid fixture whose suites are `suite_for(table, suite)`."""
    shutil.copytree(fixture_root("minimal-valid"), root)
    layout = Layout(root / "datapackage")
    for table, suite in SUITES.items():
        layout.expectations(table).write_text(json.dumps(suite_for(table, suite)), encoding="utf-8")
    return layout


def run_everything(layout: Layout, out: Path) -> list[Problem]:
    """validate and report, in-process, so that any exception (a user's traceback) fails the test."""
    result = write_report(layout, out)
    return [*validate(layout), *result.problems, *result.failed]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_validate_and_report_run_no_payload(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "MARKER"
    text = armed(payload, marker)

    def free_text(table: str, suite: dict[str, Any]) -> dict[str, Any]:
        return replaced(suite, [p for p in string_positions(suite) if FREE_TEXT.match(located(p))], text)

    def everywhere(table: str, suite: dict[str, Any]) -> dict[str, Any]:
        return with_conditions(replaced(suite, list(string_positions(suite)), text), text)

    accepted = run_everything(package_with(tmp_path / "free", free_text), tmp_path / "free-docs")
    refused = run_everything(package_with(tmp_path / "all", everywhere), tmp_path / "all-docs")
    assert not marker.exists()
    # The suites ran: the payload replaced the sanctions value_set, so every imposer fails it.
    assert "imposer-type" in {p.code for p in accepted}
    assert {p.code for p in accepted} <= set(CATALOGUE) - {"suite-invalid"}
    assert {p.code for p in refused} == {"suite-invalid"}


# GX deprecates string row conditions; this test feeds it one on purpose.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_payload_is_live_without_the_allow_list(tmp_path: Path) -> None:
    """GX itself runs a row_condition: the marker appears when a suite skips the allow-list."""
    marker = tmp_path / "MARKER"
    tables, _ = check_rows_and_spans(fixture_layout("minimal-valid"))
    unvetted = with_conditions(SUITES["sanctions"], armed(PAYLOADS[2], marker))
    run_suites(ephemeral_context(), {"sanctions": unvetted}, frames(tables))
    assert marker.exists()
