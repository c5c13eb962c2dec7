"""scripts/read_newsfacts.R, run with Rscript on the real package: rows, column classes and values."""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsfacts import load

from .conftest import RESOURCES, ROOT, csv_cells, require_r_loader, write_package

# Prints, for every table, its classes, row count, each column's class and factor levels, and
# every value as text (dates as ISO 8601, NA as null), so Python can compare them with the CSV.
SUMMARY = """
source("scripts/read_newsfacts.R")
tables <- read_newsfacts(commandArgs(trailingOnly = TRUE)[[1]])
summary <- lapply(tables, function(table) list(
  class = class(table),
  rows = nrow(table),
  columns = lapply(table, function(column) list(
    class = class(column),
    levels = if (is.factor(column)) levels(column) else list(),
    values = if (inherits(column, "Date")) format(column, "%Y-%m-%d") else as.character(column)
  ))
))
cat(jsonlite::toJSON(summary, na = "null", digits = NA))
"""


def rscript(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    require_r_loader()
    return subprocess.run(
        ["Rscript", "-e", program, *args], capture_output=True, text=True, cwd=ROOT, check=False, timeout=120
    )


def summarise(path_or_url: str) -> dict[str, Any]:
    result = rscript(SUMMARY, path_or_url)
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def expected_class(field: dict[str, Any]) -> str:
    if field.get("constraints", {}).get("enum"):
        return "factor"
    return {"date": "Date", "integer": "integer", "string": "character"}[field["type"]]


@pytest.fixture(scope="module")
def from_repository() -> dict[str, Any]:
    return summarise(".")


def test_every_table_has_its_rows_classes_and_values(from_repository: dict[str, Any]) -> None:
    assert list(from_repository) == list(RESOURCES)
    for table, resource in RESOURCES.items():
        tibble = from_repository[table]
        cells = csv_cells(table)
        assert tibble["class"] == ["tbl_df", "tbl", "data.frame"], table
        assert tibble["rows"] == [len(cells)], table
        fields = resource["schema"]["fields"]
        assert list(tibble["columns"]) == [field["name"] for field in fields], table
        for index, field in enumerate(fields):
            column = tibble["columns"][field["name"]]
            assert column["class"] == [expected_class(field)], (table, field["name"])
            assert column["levels"] == field.get("constraints", {}).get("enum", []), (table, field["name"])
            assert column["values"] == [row[index] for row in cells], (table, field["name"])


def test_a_url_reads_the_same_as_the_repository(
    from_repository: dict[str, Any], serve_directory: Callable[[Path], str]
) -> None:
    result = rscript(SUMMARY, serve_directory(ROOT / "datapackage") + "datapackage.json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == from_repository
    assert result.stderr == ""  # readr reads URLs through curl: no fallback warning per table


@pytest.mark.parametrize(
    ("path", "csv_text", "message"),
    [
        ("../outside.csv", "kind\na\n", "refusing path"),
        ("data/table.csv", "kind\nc\n", "do not parse"),
    ],
)
def test_unsafe_paths_and_unparsable_values_stop_with_an_error(
    path: str, csv_text: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "outside.csv").write_text("kind\na\n", encoding="utf-8")
    fields = [{"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}}]
    descriptor = write_package(tmp_path / "package", fields, csv_text, path)
    result = rscript(SUMMARY, str(descriptor))
    assert result.returncode != 0
    assert message in result.stderr


def test_run_as_a_script_it_prints_every_table() -> None:
    require_r_loader()
    result = subprocess.run(
        ["Rscript", "scripts/read_newsfacts.R", "datapackage"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    quotes = len(csv_cells("quotes"))
    fields = len(RESOURCES["quotes"]["schema"]["fields"])
    assert f"$quotes\ntibble [{quotes} \N{MULTIPLICATION SIGN} {fields}] (S3: tbl_df/tbl/data.frame)" in result.stdout
    assert " $ quote_type        : Factor w/ 2 levels " in result.stdout


def test_a_symlink_out_of_the_package_stops_with_an_error(tmp_path: Path) -> None:
    (tmp_path / "outside.csv").write_text("kind\na\n", encoding="utf-8")
    descriptor = write_package(tmp_path / "package", [{"name": "kind", "type": "string"}], "kind\na\n")
    (tmp_path / "package" / "data" / "table.csv").unlink()
    (tmp_path / "package" / "data" / "table.csv").symlink_to(tmp_path / "outside.csv")
    result = rscript(SUMMARY, str(descriptor))
    assert result.returncode != 0
    assert "resolves outside the package" in result.stderr


def test_a_zip_with_a_package_at_its_root_and_in_datapackage_reads_as_load_reads_it(tmp_path: Path) -> None:
    """Not a release (`validate` refuses it), but each loader must read the same package from it: the root one."""
    descriptor = write_package(tmp_path / "package", [{"name": "who", "type": "string"}], "who\nroot\n")
    with zipfile.ZipFile(tmp_path / "both.zip", "w") as archive:
        for folder, who in (("", "root"), ("datapackage/", "nested")):
            archive.write(descriptor, f"{folder}datapackage.json")
            archive.writestr(f"{folder}data/table.csv", f"who\n{who}\n")
    assert load(tmp_path / "both.zip")["table"]["who"].tolist() == ["root"]
    assert summarise(str(tmp_path / "both.zip"))["table"]["columns"]["who"]["values"] == ["root"]
