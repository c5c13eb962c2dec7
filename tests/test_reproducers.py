"""The hostile packages that issue 13 reported, each ending in a catalogued problem.

Each reproducer names an edit of a copy of the minimal fixture and what every command that reads
the package must say: `validate`'s codes, and the `NewsfactsError` code of `load()` and `export` (or
None where they read it without harm). No reproducer may end in an exception or a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsfacts import NewsfactsError, load
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.package import Layout
from newsfacts.validate import validate

from .conftest import fixture_root


def edit_descriptor(change: Callable[[dict[str, Any]], None]) -> Callable[[Layout], None]:
    def apply(layout: Layout) -> None:
        descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
        change(descriptor)
        layout.descriptor.write_text(json.dumps(descriptor), encoding="utf-8")

    return apply


def resource(name: str, descriptor: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in descriptor["resources"] if r["name"] == name)
    return found


def nest_deeply(layout: Layout) -> None:
    layout.descriptor.write_text('{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")


def set_cell(table: str, column: str, value: str) -> Callable[[Layout], None]:
    """Set a cell of the first row, and the descriptor's hash and bytes to match, as a hostile contributor would."""

    def apply(layout: Layout) -> None:
        path = layout.csv(table)
        header, first, *rest = path.read_text(encoding="utf-8").split("\n")
        cells = first.split(",")
        cells[header.split(",").index(column)] = value
        data = "\n".join([header, ",".join(cells), *rest]).encode("utf-8")
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        edit_descriptor(lambda d: resource(table, d).update(bytes=len(data), hash=f"sha256:{digest}"))(layout)

    return apply


def replace_in_descriptor(old: str, new: str) -> Callable[[Layout], None]:
    def apply(layout: Layout) -> None:
        text = layout.descriptor.read_text(encoding="utf-8")
        assert old in text
        layout.descriptor.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def append_to(table: str, data: bytes) -> Callable[[Layout], None]:
    """Append bytes to a table, and set the descriptor's hash and bytes to match."""

    def apply(layout: Layout) -> None:
        path = layout.csv(table)
        content = path.read_bytes() + data
        path.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        edit_descriptor(lambda d: resource(table, d).update(bytes=len(content), hash=f"sha256:{digest}"))(layout)

    return apply


def loop_quotes(layout: Layout) -> None:
    layout.csv("quotes").unlink()
    os.symlink("quotes.csv", layout.csv("quotes"))


@dataclass(frozen=True)
class Reproducer:
    edit: Callable[[Layout], None]
    validate: set[str]  # codes validate reports (at least these, and never none)
    load: str | None  # the NewsfactsError code of load() and export, or None when the package loads


REPRODUCERS = {
    "JSON nested 100,000 deep": Reproducer(nest_deeply, {"descriptor-invalid"}, "descriptor-invalid"),
    '"primaryKey": true': Reproducer(
        edit_descriptor(lambda d: resource("quotes", d)["schema"].__setitem__("primaryKey", True)),
        {"descriptor-mismatch"},
        "descriptor-invalid",
    ),
    "a resource listed twice": Reproducer(
        edit_descriptor(lambda d: d["resources"].append(d["resources"][0])),
        {"descriptor-mismatch"},
        "descriptor-invalid",
    ),
    "a NUL byte in a resource path": Reproducer(
        edit_descriptor(lambda d: resource("quotes", d).__setitem__("path", "data/quo\x00tes.csv")),
        {"unsafe-path"},
        "unsafe-path",
    ),
    "quotes read from another CSV, hash and bytes removed": Reproducer(
        edit_descriptor(
            lambda d: resource("quotes", d).update(path="data/entities.csv", bytes=None, hash=None),
        ),
        {"descriptor-mismatch"},
        "header-mismatch",
    ),
    "an offset of 2^63": Reproducer(set_cell("quotes", "char_start", str(2**63)), {"row-invalid"}, "type-error"),
    "an offset ' 77'": Reproducer(set_cell("quotes", "char_start", " 77"), {"row-invalid"}, "type-error"),
    "an offset '77 '": Reproducer(set_cell("quotes", "char_start", "77 "), {"row-invalid"}, "type-error"),
    "an offset '7_7'": Reproducer(set_cell("quotes", "char_start", "7_7"), {"row-invalid"}, "type-error"),
    "an offset '77.0'": Reproducer(set_cell("quotes", "char_start", "77.0"), {"row-invalid"}, "type-error"),
    "a symlink loop": Reproducer(loop_quotes, {"unsafe-path"}, "unsafe-path"),
    # Found by review: keys that clients interpret, and values that JSON readers read otherwise.
    "a top-level profile that frictionless fetches": Reproducer(
        edit_descriptor(lambda d: d.__setitem__("profile", "https://example.com/profile.json")),
        {"descriptor-mismatch"},
        None,
    ),
    "a repeated key: Python reads the last, R the first": Reproducer(
        replace_in_descriptor('"path": "data/quotes.csv"', '"path": "data/entities.csv", "path": "data/quotes.csv"'),
        {"descriptor-invalid"},
        "descriptor-invalid",
    ),
    "an integer of 5,000 digits": Reproducer(
        replace_in_descriptor('"version": "1.0.0"', '"version": ' + "9" * 5000),
        {"descriptor-invalid"},
        "descriptor-invalid",
    ),
    "bytes as a float": Reproducer(
        edit_descriptor(lambda d: resource("quotes", d).__setitem__("bytes", float(resource("quotes", d)["bytes"]))),
        {"byte-count"},
        None,
    ),
    # Found by the hostile tests of issue 17: validate crashed reading the tables' recorded hashes.
    "resources that are not a list": Reproducer(
        edit_descriptor(lambda d: d.__setitem__("resources", 5)), {"descriptor-invalid"}, "descriptor-invalid"
    ),
    "an unclosed quote at the end of a table": Reproducer(append_to("quotes", b'"'), {"csv-error"}, "csv-error"),
}


@pytest.mark.parametrize("reproducer", REPRODUCERS.values(), ids=REPRODUCERS.keys())
def test_a_reproducer_ends_in_catalogued_problems(reproducer: Reproducer, tmp_path: Path) -> None:
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "project", symlinks=True)
    layout = Layout(tmp_path / "project" / "datapackage")
    reproducer.edit(layout)
    found = {p.code for p in validate(layout)}
    assert reproducer.validate <= found
    if reproducer.load is None:
        load(layout.descriptor)
        return
    with pytest.raises(NewsfactsError) as loading:
        load(layout.descriptor)
    assert loading.value.code == reproducer.load
    with pytest.raises(NewsfactsError) as exporting:
        export_sqlite(tmp_path / "out.db", layout.descriptor)
    assert exporting.value.code == reproducer.load
    assert not (tmp_path / "out.db").exists()
