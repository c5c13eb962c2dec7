"""The release opened by every client an analyst uses, offline: each reads, from the release zip and from
the folder it unpacks to, exactly the values `newsfacts validate` checked (`expected_values`).

The release is the real project's, packed by `newsfacts pack`. mlcroissant, Hugging Face `datasets`,
SQLite, DuckDB and followthemoney read it here too, through the route the README shows for each;
Datasette serves the SQLite export in tests/test_datasette.py, whose tables this file shows equal
for the zip.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsfacts import load
from newsfacts.cli import main
from newsfacts.models import MODELS
from newsfacts.models.metadata import DESCRIPTIVE_KEYS, metadata_errors
from newsfacts.pack import pack
from newsfacts.package import Layout

from .conftest import ROOT, require_r_loader
from .test_discovery import plain
from .test_load import release_zip
from .test_one_reading import Values, _as_r_text, _frame_values, _python, _sqlite_values, expected_values
from .test_validate import RELEASE_METADATA

V1_PYTHON = ROOT / ".venv-v1client" / "bin" / "python"
TABLE_COUNT = len(MODELS)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The real project's release zip, as `newsfacts pack` writes it, and the folder it unpacks to."""
    out = tmp_path_factory.mktemp("release")
    result = pack(Layout(ROOT / "datapackage"), out)
    assert result.problems == [] and result.zip_path is not None
    folder = out / "unpacked"
    with zipfile.ZipFile(result.zip_path) as archive:
        archive.extractall(folder)
    yield {"zip": result.zip_path, "folder": folder, "descriptor": folder / "datapackage.json"}


@pytest.fixture(scope="module")
def expected() -> Values:
    return expected_values(Layout(ROOT / "datapackage"))


def test_the_zip_holds_the_package_at_its_root_with_what_a_user_needs(release: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(release["zip"]).namelist())
    descriptor = json.loads(release["descriptor"].read_text(encoding="utf-8"))
    assert {"datapackage.json", "README.md", "CITATION.cff", "LICENSE-DATA.md", "CHANGELOG.md"} <= names
    assert {resource["path"] for resource in descriptor["resources"]} <= names
    assert {source["path"] for source in descriptor["sources"]} <= names  # every seed it cites
    readme = (release["folder"] / "README.md").read_text(encoding="utf-8")
    assert "## How the data was prepared" in readme and "## License and citation" in readme


def _frictionless_values(source: Path) -> Values:
    from frictionless import Package

    package = Package(str(source))
    return {
        resource.name: [{key: _python(value) for key, value in row.items()} for row in resource.read_rows()]
        for resource in package.resources
    }


@pytest.mark.parametrize("where", ["zip", "descriptor"])
def test_frictionless_reads_every_table(where: str, release: dict[str, Path], expected: Values) -> None:
    assert _frictionless_values(release[where]) == expected


@pytest.mark.parametrize("where", ["zip", "descriptor"])
def test_frictionless_validate_passes_every_table(where: str, release: dict[str, Path]) -> None:
    """No false pass on a stray file: every table of the package is validated, and is valid."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", "--json", str(release[where])],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["valid"], result.stdout[:2000]
    assert sorted(task["name"] for task in report["tasks"]) == sorted(MODELS)
    assert len(report["tasks"]) == TABLE_COUNT


# datapackage-py: every table's rows, keyed, with dates as ISO text for JSON.
V1_READ = """
import datetime, json, sys, warnings
warnings.simplefilter("ignore")
import datapackage
package = datapackage.Package(sys.argv[1])
assert package.valid, package.errors
def plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value
print(json.dumps({r.name: [{k: plain(v) for k, v in row.items()} for row in r.read(keyed=True)]
                  for r in package.resources}))
"""


def _v1_values(source: Path) -> Values:
    if not V1_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail("the v1 client is required in CI: `make` installs it into .venv-v1client")
        pytest.skip("the v1 client is not installed: make .venv-v1client/.installed")
    result = subprocess.run(
        [str(V1_PYTHON), "-c", V1_READ, str(source)], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found: Values = json.loads(result.stdout)
    return found


def _as_json_text(expected: Values) -> Values:
    return {
        name: [{k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()} for row in rows]
        for name, rows in expected.items()
    }


@pytest.mark.parametrize("where", ["zip", "descriptor"])
def test_a_data_package_v1_client_reads_every_table(where: str, release: dict[str, Path], expected: Values) -> None:
    assert _v1_values(release[where]) == _as_json_text(expected)


def _load_values(source: Any) -> Values:
    return {name: _frame_values(frame) for name, frame in load(source).items()}


@pytest.mark.parametrize("where", ["zip", "descriptor", "zip URL", "descriptor URL"])
def test_newsfacts_load_reads_every_table(
    where: str, release: dict[str, Path], expected: Values, serve_directory: Callable[[Path], str]
) -> None:
    if where == "zip URL":
        source: Any = serve_directory(release["zip"].parent) + release["zip"].name
    elif where == "descriptor URL":
        source = serve_directory(release["folder"]) + "datapackage.json"
    else:
        source = release[where]
    assert _load_values(source) == expected


R_VALUES = """
source(file.path(commandArgs(trailingOnly = TRUE)[[2]], "scripts/read_newsfacts.R"))
tables <- read_newsfacts(commandArgs(trailingOnly = TRUE)[[1]])
values <- lapply(tables, function(table) lapply(table, function(column)
  if (inherits(column, "Date")) as.character(as.numeric(column)) else as.character(column)))
cat(jsonlite::toJSON(values, na = "null", digits = NA))
"""


@pytest.mark.parametrize("where", ["zip", "descriptor", "zip URL"])
def test_the_r_loader_reads_every_table(
    where: str, release: dict[str, Path], expected: Values, serve_directory: Callable[[Path], str]
) -> None:
    require_r_loader()
    source = serve_directory(release["zip"].parent) + release["zip"].name if where == "zip URL" else release[where]
    result = subprocess.run(
        ["Rscript", "-e", R_VALUES, str(source), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=release["zip"].parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warning per table
    found = json.loads(result.stdout)
    for name, rows in expected.items():
        columns = {column: [_as_r_text(row[column]) for row in rows] for column in rows[0]}
        assert found[name] == columns, name


@pytest.mark.parametrize("version", ["1.0", "2.0"])
@pytest.mark.parametrize("where", ["checkout", "release"])
def test_the_descriptor_conforms_to_the_official_profiles(version: str, where: str, release: dict[str, Path]) -> None:
    """Both profiles: the descriptor declares 2.0, and a v1 client validates it against 1.0."""
    from jsonschema import Draft7Validator

    profile = json.loads((ROOT / "tests" / "profiles" / version / "datapackage.json").read_text(encoding="utf-8"))
    path = ROOT / "datapackage" / "datapackage.json" if where == "checkout" else release["descriptor"]
    text = path.read_text(encoding="utf-8")
    descriptor = json.loads(text)
    assert [error.message for error in Draft7Validator(profile).iter_errors(descriptor)] == []
    assert "None" not in text and not list(_nulls(descriptor))
    assert descriptor["contributors"] and all(contributor["title"] for contributor in descriptor["contributors"])
    assert descriptor["homepage"].startswith("https://")


def _nulls(value: Any, where: str = "") -> Iterator[str]:
    """Where VALUE, a JSON document, holds a null."""
    if value is None:
        yield where
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _nulls(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _nulls(inner, f"{where}[{index}]")


def test_mlcroissant_reads_every_record_set(release: dict[str, Path], expected: Values) -> None:
    import mlcroissant

    dataset = mlcroissant.Dataset(jsonld=release["folder"] / "croissant.json")
    assert (dataset.metadata.ctx.issues.errors, dataset.metadata.ctx.issues.warnings) == (set(), set())
    for table, rows in expected.items():
        records = dataset.records(record_set=table)
        assert [{name: plain(record[f"{table}/{name}"]) for name in rows[0]} for record in records] == rows, table


def test_hugging_face_datasets_loads_every_table(
    release: dict[str, Path], expected: Values, hf_datasets: Any, tmp_path: Path
) -> None:
    for table, rows in expected.items():
        loaded = hf_datasets.load_dataset(str(release["folder"]), table, split="train", cache_dir=str(tmp_path))
        assert [{name: plain(value) for name, value in row.items()} for row in loaded] == rows, table


@pytest.mark.parametrize("export", ["sqlite", "parquet"])
def test_the_exports_of_the_zip_read_the_same_in_sqlite_and_duckdb(
    export: str, release: dict[str, Path], expected: Values, tmp_path: Path
) -> None:
    """`newsfacts export --source ZIP`: SQLite reads the database, DuckDB the Parquet files."""
    target = tmp_path / ("newsfacts.db" if export == "sqlite" else "parquet")
    assert main(["export", "--to", export, str(target), "--source", str(release["zip"])]) == 0
    if export == "sqlite":
        assert _sqlite_values(target, Layout(ROOT / "datapackage")) == expected
        return
    import duckdb

    for table, rows in expected.items():
        relation = duckdb.sql(f"SELECT * FROM '{target / table}.parquet'")
        found = [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
        assert found == rows, table


@pytest.mark.parametrize("layout", ["this release", "1.0.0 and 1.1.0"])
def test_followthemoney_reads_the_export_of_a_zip(
    layout: str, release: dict[str, Path], expected: Values, tmp_path: Path
) -> None:
    """`export --to ftm --source ZIP` writes what the checkout's export writes, seeds included, from either
    zip layout; followthemoney reads every entity back."""
    from followthemoney import model

    source = release["zip"] if layout == "this release" else release_zip(tmp_path / "old.zip", legacy=True)
    assert main(["export", "--to", "ftm", str(tmp_path / "zip.ftm.json"), "--source", str(source)]) == 0
    assert main(["export", "--to", "ftm", str(tmp_path / "checkout.ftm.json"), "--source", str(ROOT)]) == 0
    lines = (tmp_path / "zip.ftm.json").read_text(encoding="utf-8").splitlines()
    assert (tmp_path / "checkout.ftm.json").read_text(encoding="utf-8").splitlines() == lines
    schemata = Counter(model.get_proxy(json.loads(line)).schema.name for line in lines)
    assert (schemata["Article"], schemata["Event"], schemata["Sanction"]) == tuple(
        len(expected[table]) for table in ("articles", "events", "sanctions")
    )


def test_the_commands_read_a_zip_of_1_0_0_or_1_1_0_as_the_same_package(
    release: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The old layout (datapackage/ and seeds/ side by side in the zip) is unpacked as a checkout holds it."""
    legacy = release_zip(tmp_path / "old.zip", legacy=True)
    assert main(["validate", str(legacy)]) == 0
    assert main(["diff", str(legacy), str(release["zip"])]) == 0  # identical packages
    capsys.readouterr()


@pytest.mark.parametrize(("values", "found"), RELEASE_METADATA)
def test_the_metadata_model_refuses_what_the_official_profile_refuses(values: dict[str, Any], found: list[Any]) -> None:
    """`models.metadata` is the toolkit's reading of the profile's descriptive keys: the two agree."""
    from jsonschema import Draft7Validator

    profile = json.loads((ROOT / "tests" / "profiles" / "2.0" / "datapackage.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(
        {"type": "object", "properties": {k: profile["properties"][k] for k in DESCRIPTIVE_KEYS}}
    )
    descriptor = json.loads((ROOT / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    described = {key: value for key, value in {**descriptor, **values}.items() if key in DESCRIPTIVE_KEYS}
    assert bool(metadata_errors(described)) == bool(list(validator.iter_errors(described))) == bool(found)
