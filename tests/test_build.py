"""`newsfacts build`: idempotent, drift-checked, and never loses or merges rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from newsfacts.build import build
from newsfacts.package import Layout


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_files_are_up_to_date(project_copy: Layout) -> None:
    result = build(project_copy, check=True)
    assert result.problems == [], "generated files drifted: run `newsfacts build` and commit"


def test_second_build_is_byte_identical(project_copy: Layout) -> None:
    build(project_copy)
    first = snapshot(project_copy.root)
    assert build(project_copy).written == []
    assert snapshot(project_copy.root) == first


def test_check_names_each_stale_file_and_writes_nothing(project_copy: Layout) -> None:
    schema_file = project_copy.schema_dir / "quotes.tableschema.json"
    schema_file.write_text("{}\n", encoding="utf-8")
    json_table = project_copy.json("events")
    json_table.write_text("[]\n", encoding="utf-8")
    before = snapshot(project_copy.root)

    result = build(project_copy, check=True)

    assert [(p.code, Path(p.path).name) for p in result.problems] == [
        ("stale-file", "events.json"),
        ("stale-file", "quotes.tableschema.json"),
    ]
    assert snapshot(project_copy.root) == before
    assert build(project_copy).written == sorted([json_table, schema_file])


def test_build_sorts_rows_by_key_without_touching_cells(project_copy: Layout) -> None:
    path = project_copy.csv("entities")
    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    shuffled = [header, *reversed(rows)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(shuffled)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")

    assert build(project_copy).problems == []

    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    rebuilt = list(csv.reader(io.StringIO(text)))
    assert rebuilt == [header, *sorted(rows, key=lambda row: row[0])]


def test_duplicate_key_refuses_build_and_changes_nothing(fixture_copy: object) -> None:
    layout: Layout = fixture_copy("duplicate-entity")  # type: ignore[operator]
    before = snapshot(layout.root)

    result = build(layout)

    assert [(p.line, p.field, p.code) for p in result.problems] == [(5, "entity_id", "duplicate-key")]
    assert snapshot(layout.root) == before


class Interrupted(Exception):
    pass


def fail_on_call(number: int, real: object) -> object:
    calls = {"count": 0}

    def wrapper(*args: object, **kwargs: object) -> object:
        calls["count"] += 1
        if calls["count"] == number:
            raise Interrupted
        return real(*args, **kwargs)  # type: ignore[operator]

    return wrapper


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_build_failing_midway_leaves_previous_package_intact(
    project_copy: Layout, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    import os

    import newsfacts.build

    # Make every generated file stale, so the build has many files to write.
    for path in project_copy.package_dir.rglob("*.json"):
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = snapshot(project_copy.root)
    monkeypatch.setattr(newsfacts.build.os, failing, fail_on_call(5, getattr(os, failing)))

    with pytest.raises(Interrupted):
        build(project_copy)

    monkeypatch.undo()
    assert snapshot(project_copy.root) == before  # same files, same bytes, no temp files left
