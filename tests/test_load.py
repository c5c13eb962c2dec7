"""`newsfacts.load()`: typed DataFrames from every kind of source, and clear errors for bad ones."""

from __future__ import annotations

import doctest
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import newsfacts
from newsfacts import NewsfactsError, loader
from newsfacts.loader import load, load_table

from .conftest import RESOURCES, ROOT, csv_cells, write_package

BUNDLED = load()


# The entries of the zips of 1.0.0 and 1.1.0 (as `newsfacts pack` wrote them then), by folder of this checkout.
LEGACY_ENTRIES = {
    "datapackage": ("datapackage/datapackage.json", "datapackage/README.md"),
    "datapackage/data": ("datapackage/data/",),
    "datapackage/expectations": ("datapackage/expectations/",),
    "datapackage/seeds": ("seeds/",),
    "schema": ("schema/",),
}


def release_zip(path: Path, wrapper: str = "", extra: dict[str, bytes] | None = None, legacy: bool = False) -> Path:
    """A zip in the release layout: the package folder's files at the root (or under `wrapper`), schema/
    beside them; with `legacy`, as 1.0.0 and 1.1.0 were: datapackage/ (without seeds), seeds/ and schema/
    at the root, with CHANGELOG.md and LICENSE-DATA.md."""
    package = ROOT / "datapackage"
    with zipfile.ZipFile(path, "w") as archive:
        if legacy:
            for name in ("CHANGELOG.md", "LICENSE-DATA.md"):
                archive.write(ROOT / name, wrapper + name)
            for folder, names in LEGACY_ENTRIES.items():
                for file in sorted((ROOT / folder).glob("*")):
                    entry = next((n for n in names if n.endswith("/") or n.endswith("/" + file.name)), None)
                    if file.is_file() and entry is not None:
                        archive.write(file, wrapper + (entry + file.name if entry.endswith("/") else entry))
        else:
            for file in sorted([*package.rglob("*"), *(ROOT / "schema").rglob("*")]):
                if file.is_file() and file.name != "metadata.toml":
                    name = file.relative_to(package if file.is_relative_to(package) else ROOT).as_posix()
                    archive.write(file, wrapper + name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def as_cells(frame: pd.DataFrame) -> list[list[str | None]]:
    """A frame's values written back as CSV cells: dates as ISO 8601, missing as None."""
    columns = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            column = column.dt.strftime("%Y-%m-%d")
        columns.append([None if pd.isna(value) else str(value) for value in column.tolist()])
    return [list(row) for row in zip(*columns, strict=True)]


@pytest.mark.parametrize("table", list(RESOURCES))
def test_columns_are_typed_by_the_table_schema(table: str) -> None:
    frame = BUNDLED[table]
    fields = RESOURCES[table]["schema"]["fields"]
    assert list(frame.columns) == [field["name"] for field in fields]
    for field in fields:
        dtype = frame[field["name"]].dtype
        enum = field.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == enum, field["name"]
        elif field["type"] == "date":
            assert pd.api.types.is_datetime64_dtype(dtype), field["name"]
        elif field["type"] == "integer":
            assert dtype == "Int64", field["name"]
        else:
            assert dtype == "string", field["name"]


@pytest.mark.parametrize("table", list(RESOURCES))
def test_values_are_the_csv_cells_and_keys_stay_columns(table: str) -> None:
    frame = BUNDLED[table]
    assert as_cells(frame) == csv_cells(table)
    assert isinstance(frame.index, pd.RangeIndex)
    assert set(RESOURCES[table]["schema"]["primaryKey"]) <= set(frame.columns)


def test_docstring_example_joins_quotes_speakers_and_articles() -> None:
    result = doctest.testmod(loader, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


SOURCES: dict[str, Callable[[Path, Callable[[Path], str]], Any]] = {
    "project directory": lambda tmp, serve: str(ROOT),
    "package directory": lambda tmp, serve: ROOT / "datapackage",
    "datapackage.json": lambda tmp, serve: ROOT / "datapackage" / "datapackage.json",
    "release zip": lambda tmp, serve: release_zip(tmp / "newsfacts.zip"),
    "zip with a top folder": lambda tmp, serve: release_zip(tmp / "newsfacts.zip", wrapper="newsfacts-0.1.0/"),
    "zip of 1.0.0 and 1.1.0": lambda tmp, serve: release_zip(tmp / "newsfacts.zip", legacy=True),
    "URL": lambda tmp, serve: serve(ROOT / "datapackage") + "datapackage.json",
    "URL of a release zip": lambda tmp, serve: serve(release_zip(tmp / "newsfacts.zip").parent) + "newsfacts.zip",
    "URL of a zip without .zip": lambda tmp, serve: serve(release_zip(tmp / "download").parent) + "download",
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_every_source_loads_the_same_tables(kind: str, tmp_path: Path, serve_directory: Callable[[Path], str]) -> None:
    tables = load(SOURCES[kind](tmp_path, serve_directory))
    assert list(tables) == list(BUNDLED)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, BUNDLED[name])


def test_load_table_reads_one_table() -> None:
    pd.testing.assert_frame_equal(load_table("quotes"), BUNDLED["quotes"])
    with pytest.raises(NewsfactsError) as caught:
        load_table("speeches")
    assert caught.value.code == "table-unknown"
    assert "quotes" in str(caught.value)


def test_schema_types_and_missing_values(tmp_path: Path) -> None:
    fields: list[dict[str, Any]] = [
        {"name": "id", "type": "string"},
        {"name": "count", "type": "integer"},
        {"name": "share", "type": "number"},
        {"name": "flag", "type": "boolean"},
        {"name": "day", "type": "date", "format": "default"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["b", "a", "unused"]}},
    ]
    csv_text = 'id,count,share,flag,day,kind\nNA,-3,2.5,true,2024-02-29,a\n" padded ",,,,,\n'
    frame = load(write_package(tmp_path, fields, csv_text))["table"]

    assert frame.dtypes.astype(str).to_dict() == {
        "id": "string",
        "count": "Int64",
        "share": "Float64",
        "flag": "boolean",
        "day": str(frame["day"].dtype),
        "kind": "category",
    }
    assert pd.api.types.is_datetime64_dtype(frame["day"])
    assert list(frame["kind"].cat.categories) == ["b", "a", "unused"]
    # "NA" is text, and whitespace is kept: only the schema's missing value (an empty cell) is missing.
    assert frame.loc[0].tolist() == ["NA", -3, 2.5, True, pd.Timestamp("2024-02-29"), "a"]
    assert frame.loc[1, "id"] == " padded "
    assert frame.loc[1, ["count", "share", "flag", "day", "kind"]].isna().all()


@pytest.mark.parametrize(
    ("field", "cell", "code"),
    [
        ({"type": "integer"}, "1.5", "type-error"),
        ({"type": "integer"}, "99999999999999999999", "type-error"),
        ({"type": "number"}, "many", "type-error"),
        ({"type": "boolean"}, "yes", "type-error"),
        ({"type": "date"}, "2024-9-1", "type-error"),
        ({"type": "date"}, "2024-02-30", "type-error"),
        ({"type": "string", "constraints": {"enum": ["a", "b"]}}, "c", "constraint-error"),
    ],
)
def test_a_value_that_does_not_fit_its_type_is_an_error_not_a_null(
    field: dict[str, Any], cell: str, code: str, tmp_path: Path
) -> None:
    descriptor = write_package(tmp_path, [{"name": "value", **field}], f"value\n{cell}\n")
    with pytest.raises(NewsfactsError) as caught:
        load(descriptor)
    assert (caught.value.code, caught.value.line, caught.value.field) == (code, 2, "value")
    assert caught.value.problem.path == str(tmp_path / "data" / "table.csv")


@pytest.mark.parametrize(
    "path",
    [
        "../outside.csv",
        "data/../../outside.csv",
        "/etc/passwd",
        "file:///etc/passwd",
        "http://example.com/table.csv",
        ".hidden/table.csv",
        ["data/table.csv"],
    ],
)
def test_resource_paths_outside_the_package_are_refused(path: Any, tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("value\n1\n", encoding="utf-8")
    descriptor = write_package(tmp_path / "package", [{"name": "value", "type": "integer"}], "value\n1\n", path)
    with pytest.raises(NewsfactsError) as caught:
        load(descriptor)
    assert caught.value.code == "unsafe-path"


def test_a_symlink_out_of_the_package_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("value\n1\n", encoding="utf-8")
    descriptor = write_package(tmp_path / "package", [{"name": "value", "type": "integer"}], "value\n1\n")
    link = tmp_path / "package" / "data" / "table.csv"
    link.unlink()
    link.symlink_to(tmp_path / "secret.csv")
    with pytest.raises(NewsfactsError) as caught:
        load(descriptor)
    assert caught.value.code == "unsafe-path"


def test_a_zip_slip_member_is_refused(tmp_path: Path) -> None:
    archive = release_zip(tmp_path / "evil.zip", extra={"../../evil.sh": b"echo pwned\n"})
    with pytest.raises(NewsfactsError) as caught:
        load(archive)
    assert caught.value.code == "zip-slip"
    assert not (tmp_path.parent / "evil.sh").exists()


def test_a_csv_changed_since_the_build_fails_its_hash(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    quotes = tmp_path / "datapackage" / "data" / "quotes.csv"
    quotes.write_bytes(quotes.read_bytes().replace(b"Blinken", b"Blinkin", 1))
    with pytest.raises(NewsfactsError) as caught:
        load(tmp_path)
    assert caught.value.code == "hash-mismatch"
    assert "quotes" in str(caught.value)


def test_the_recorded_hash_is_what_is_checked(tmp_path: Path) -> None:
    descriptor = write_package(tmp_path, [{"name": "value", "type": "integer"}], "value\n1\n")
    content = json.loads(descriptor.read_text(encoding="utf-8"))
    csv_bytes = (tmp_path / "data" / "table.csv").read_bytes()
    content["resources"][0]["hash"] = "sha256:" + hashlib.sha256(csv_bytes).hexdigest()
    descriptor.write_text(json.dumps(content), encoding="utf-8")
    assert load(descriptor)["table"]["value"].tolist() == [1]
    content["resources"][0]["hash"] = "md5:" + hashlib.md5(csv_bytes).hexdigest()
    descriptor.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(NewsfactsError) as caught:
        load(descriptor)
    assert caught.value.code == "unsupported-hash"


def test_bad_sources_raise_load_errors_with_codes(tmp_path: Path, serve_directory: Callable[[Path], str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "datapackage.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "not-a.zip").write_bytes(b"plain text")
    with zipfile.ZipFile(tmp_path / "no-package.zip", "w") as archive:
        archive.writestr("README.md", "no descriptor here")
    with zipfile.ZipFile(tmp_path / "two-packages.zip", "w") as archive:
        archive.writestr("a/datapackage.json", "{}")
        archive.writestr("b/datapackage.json", "{}")
    tsv = write_package(tmp_path / "tsv", [{"name": "a"}], "a\n1\n")
    tsv.write_text(tsv.read_text(encoding="utf-8").replace('"format": "csv"', '"format": "tsv"'), encoding="utf-8")
    write_package(tmp_path / "header", [{"name": "a"}, {"name": "b"}], "b,a\n1,2\n")
    write_package(tmp_path / "geo", [{"name": "where", "type": "geopoint"}], "where\n\n")
    base_url = serve_directory(tmp_path)
    expected: dict[str | Path, str] = {
        tmp_path / "missing": "package-not-found",
        tmp_path / "empty": "descriptor-missing",
        tmp_path / "broken": "descriptor-invalid",
        tmp_path / "not-a.zip": "zip-corrupt",
        tmp_path / "no-package.zip": "descriptor-missing",
        tmp_path / "two-packages.zip": "descriptor-ambiguous",
        tmp_path / "tsv": "format-unsupported",
        tmp_path / "header": "header-mismatch",
        tmp_path / "geo": "type-unsupported",
        "ftp://example.com/datapackage.json": "source-unsupported",
        "file:///etc/datapackage.json": "source-unsupported",
        base_url + "missing/datapackage.json": "fetch-failed",
    }
    for source, code in expected.items():
        with pytest.raises(NewsfactsError) as caught:
            load(source)
        assert caught.value.code == code, source


def altered_release_zip(path: Path) -> None:
    """A release zip whose quotes.csv is not the file its descriptor records."""
    with zipfile.ZipFile(release_zip(path.with_suffix(".orig"))) as original, zipfile.ZipFile(path, "w") as archive:
        for name in original.namelist():
            data = original.read(name)
            archive.writestr(name, data.replace(b"Blinken", b"Blinkin", 1) if name == "data/quotes.csv" else data)


def damaged_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)


# zip at a URL -> (code, where load() names it): at the URL, never at the scratch copy it was read from.
ZIPS_AT_URLS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "damaged": (damaged_zip, "zip-corrupt", ""),
    "damaged.zip": (damaged_zip, "zip-corrupt", ""),
    "altered.zip": (altered_release_zip, "hash-mismatch", ":data/quotes.csv"),
}


@pytest.mark.parametrize("name", list(ZIPS_AT_URLS))
def test_a_zip_at_a_url_is_named_at_the_url(name: str, tmp_path: Path, serve_directory: Callable[[Path], str]) -> None:
    make, code, entry = ZIPS_AT_URLS[name]
    make(tmp_path / name)
    url = serve_directory(tmp_path) + name
    with pytest.raises(NewsfactsError) as caught:
        load(url)
    assert (caught.value.code, caught.value.path) == (code, url + entry)


def test_import_and_help_stay_light() -> None:
    program = (
        "import sys, newsfacts, newsfacts.cli; newsfacts.cli.parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'pyarrow')))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert newsfacts.load is load
    assert newsfacts.LoadError is NewsfactsError  # the documented older name
    with pytest.raises(AttributeError):
        _ = newsfacts.unload


def test_the_wheel_ships_the_package_and_loads_it_without_a_checkout(built_wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(built_wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "newsfacts/_bundled/datapackage/datapackage.json" in names
    assert {f"newsfacts/_bundled/datapackage/{resource['path']}" for resource in RESOURCES.values()} <= names
    assert any(name.startswith("newsfacts/_bundled/datapackage/seeds/") for name in names)
    assert any(name.startswith("newsfacts/_bundled/schema/") for name in names)

    # The unpacked wheel comes first on the path, so the checkout's sources and data are not used.
    program = (
        "import newsfacts, newsfacts.source as source; tables = newsfacts.load(); "
        "print(source.bundled_descriptor()); print({name: len(frame) for name, frame in tables.items()})"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    descriptor_line, counts_line = result.stdout.splitlines()
    assert Path(descriptor_line).is_relative_to(tmp_path / "site" / "newsfacts" / "_bundled")
    assert counts_line == str({name: len(frame) for name, frame in BUNDLED.items()})


@pytest.mark.parametrize(
    ("field", "csv_text"),
    [
        ({"name": "n", "type": "integer", "groupChar": ","}, "n\n1\n"),  # frictionless would read "1,000"
        ({"name": "n", "type": "integer", "bareNumber": False}, "n\n1\n"),
        ({"name": "n", "type": "integer", "missingValues": ["NA"]}, "n\n1\n"),
        ({"name": "b", "type": "boolean", "trueValues": 5}, "b\n1\n"),
        ({"name": "b", "type": "boolean", "trueValues": [1, 2]}, "b\n1\n"),
    ],
)
def test_a_key_the_loader_would_not_honour_is_refused(field: dict[str, Any], csv_text: str, tmp_path: Path) -> None:
    with pytest.raises(NewsfactsError) as caught:
        load_table("table", write_package(tmp_path, [field], csv_text))
    assert caught.value.code == "descriptor-invalid"


@pytest.mark.parametrize(("label", "refused"), [("name", False), ("nobody", True), (["name"], True)])
def test_a_label_field_must_name_a_field(label: Any, refused: bool, tmp_path: Path) -> None:
    descriptor_path = write_package(tmp_path, [{"name": "name"}], "name\nAcme\n")
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"]["newsfacts:labelField"] = label
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    if not refused:
        assert load_table("table", descriptor_path)["name"].tolist() == ["Acme"]
        return
    with pytest.raises(NewsfactsError) as caught:
        load_table("table", descriptor_path)
    assert caught.value.code == "descriptor-invalid"
    assert "newsfacts:labelField must name one of the schema's fields" in caught.value.message


def test_a_nan_number_is_a_number_and_an_empty_cell_is_missing(tmp_path: Path) -> None:
    fields = [{"name": "x", "type": "number"}, {"name": "y"}]
    frame = load_table("table", write_package(tmp_path, fields, "x,y\nNaN,a\n,b\n1.5,c\n"))
    values = frame["x"].array
    assert [bool(flag) for flag in values.isna()] == [False, True, False]
    assert str(values[0]) == "nan" and values[2] == 1.5
