"""`pip install newsfacts`, without extras, in a fresh venv: it reads and exports the package with pandas and
pyarrow alone, and every command of the validation toolkit ends with a catalogued problem, not a traceback.

The wheel is this checkout's (`built_wheel`). Its dependencies come from the package index at the
versions requirements.lock pins (`-c`), as a user's `pip install newsfacts` would fetch them. The
wheel's metadata is checked too: the licences of the code, the data and the seed texts.
"""

from __future__ import annotations

import email.parser
import json
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from newsfacts import load, toolkit
from newsfacts.cli import COMMANDS, READING_COMMANDS
from newsfacts.engine import check_rows
from newsfacts.exporters.parquet import export_parquet
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.package import Layout, read_tables
from newsfacts.problems import CATALOGUE

from .conftest import ROOT

# The ceilings of issue 17: pandas and pyarrow alone are about 340 MB and 7 packages.
MAX_PACKAGES = 15
MAX_MEGABYTES = 400
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# Arguments that each toolkit command parses, so that it gets as far as running.
TOOLKIT_INVOCATIONS = {
    "build": ["build", "--check"],
    "validate": ["validate"],
    "add": ["add", "quote", "--text", "words"],
    "coverage": ["coverage"],
    "diff": ["diff", "old", "new"],
    "release": ["release"],
    "pack": ["pack"],
    "synth": ["synth", "--quotes", "1", "out"],
    "report": ["report"],
    "site": ["site", "--out", "site"],
    "download": ["download"],
    "completion": ["completion", "bash"],
}


@pytest.fixture(scope="module")
def light_venv(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and only the dependencies it declares without extras."""
    venv = tmp_path_factory.mktemp("light") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, "-c", ROOT / "requirements.lock", built_wheel], check=True, capture_output=True)
    return venv


def run_light(venv: Path, *arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of the light venv, run outside the checkout, so that only what the wheel installed is used."""
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "NEWSFACTS_TRACEBACK")}
    return subprocess.run(
        [str(argument) for argument in arguments], capture_output=True, text=True, cwd=cwd, env=environment
    )


def installed(venv: Path) -> dict[str, str]:
    listed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {canonicalize_name(item["name"]): item["version"] for item in json.loads(listed.stdout)}


def test_the_light_install_has_no_toolkit_and_stays_small(light_venv: Path) -> None:
    packages = installed(light_venv)
    toolkit_distributions = {
        canonicalize_name(Requirement(line).name) for line in PYPROJECT["optional-dependencies"]["toolkit"]
    }
    assert toolkit_distributions & set(packages) == set()
    assert {"polars", "pydantic", "great-expectations", "jsonschema"} & set(packages) == set()
    assert {"newsfacts", "pandas", "pyarrow"} <= set(packages)
    assert len(packages) <= MAX_PACKAGES, sorted(packages)
    # Deterministic for the pinned versions (358 MB with pip and setuptools: benchmarks/README.md).
    megabytes = int(
        subprocess.run(["du", "-sm", light_venv], capture_output=True, text=True, check=True).stdout.split()[0]
    )
    assert megabytes < MAX_MEGABYTES
    print(f"light install: {len(packages)} packages ({', '.join(sorted(packages))}), {megabytes} MB")


def test_the_light_install_loads_what_the_toolkit_loads(light_venv: Path, tmp_path: Path) -> None:
    program = (
        "import pickle, sys, newsfacts, newsfacts.source as source; "
        "print(source.bundled_descriptor()); pickle.dump(newsfacts.load(), open(sys.argv[1], 'wb'))"
    )
    result = run_light(
        light_venv, light_venv / "bin" / "python", "-c", program, tmp_path / "tables.pickle", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(light_venv)  # the wheel's own copy of the package
    with (tmp_path / "tables.pickle").open("rb") as handle:
        light: dict[str, pd.DataFrame] = pickle.load(handle)
    toolkit_tables = load(ROOT / "datapackage")
    assert list(light) == list(toolkit_tables)
    for name, frame in toolkit_tables.items():
        pd.testing.assert_frame_equal(light[name], frame, check_exact=True, obj=name)
    # ... which are the values `validate` checks: the engine's typed columns, value for value.
    layout = Layout(ROOT / "datapackage")
    raw_tables, problems = read_tables(layout)
    assert problems == []
    checked = check_rows(raw_tables, json.loads(layout.descriptor.read_text(encoding="utf-8"))).typed
    for name, frame in light.items():
        for column in frame.columns:
            assert _plain(frame[column]) == checked[name].get_column(column).to_list(), (name, column)


def _plain(column: pd.Series) -> list[Any]:
    """A column of `load()`'s frame as Python values, as polars gives them: missing as None, a date as a date."""
    return [None if pd.isna(value) else value.date() if isinstance(value, pd.Timestamp) else value for value in column]


def test_the_light_install_exports_what_the_toolkit_exports(light_venv: Path, tmp_path: Path) -> None:
    newsfacts = light_venv / "bin" / "newsfacts"
    for arguments in (["--to", "sqlite", "light.db"], ["--to", "parquet", "light-parquet"]):
        result = run_light(light_venv, newsfacts, "export", *arguments, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    export_sqlite(tmp_path / "toolkit.db", ROOT / "datapackage")
    export_parquet(tmp_path / "toolkit-parquet", ROOT / "datapackage")
    for name in load(ROOT / "datapackage"):
        assert _rows(tmp_path / "light.db", name) == _rows(tmp_path / "toolkit.db", name), name
        light, toolkit_table = (
            pq.read_table(tmp_path / folder / f"{name}.parquet") for folder in ("light-parquet", "toolkit-parquet")
        )
        assert light.equals(toolkit_table, check_metadata=True), name


def _rows(database: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(f'SELECT * FROM "{table}"').fetchall()


def test_the_light_install_locates_a_span(light_venv: Path, tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text("Iran sent missiles to Russia.\n", encoding="utf-8")
    result = run_light(light_venv, light_venv / "bin" / "newsfacts", "locate", "seed.txt", "missiles", cwd=tmp_path)
    assert (result.returncode, result.stdout.split("\t")[:2]) == (0, ["10", "18"])


@pytest.mark.parametrize("command", sorted(TOOLKIT_INVOCATIONS))
def test_a_toolkit_command_says_to_install_the_toolkit(light_venv: Path, tmp_path: Path, command: str) -> None:
    newsfacts = light_venv / "bin" / "newsfacts"
    result = run_light(light_venv, newsfacts, *TOOLKIT_INVOCATIONS[command], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"toolkit-missing: `newsfacts {command}` needs the validation toolkit" in result.stderr
    assert f"hint: toolkit-missing: {CATALOGUE['toolkit-missing'].hint}" in result.stderr
    assert "pip install 'newsfacts[toolkit]'" in CATALOGUE["toolkit-missing"].hint

    as_json = run_light(light_venv, newsfacts, *TOOLKIT_INVOCATIONS[command], "--format", "json", cwd=tmp_path)
    assert as_json.returncode == 2
    assert [problem["code"] for problem in json.loads(as_json.stdout)] == ["toolkit-missing"]


def test_every_command_is_either_reading_or_refused_in_the_light_install() -> None:
    reading = {command.__name__.rpartition(".")[2] for command in READING_COMMANDS}
    commands = {command.__name__.rpartition(".")[2] for command in COMMANDS}
    assert reading == {"export", "locate"}
    assert commands - reading == set(TOOLKIT_INVOCATIONS)


def test_help_works_in_the_light_install(light_venv: Path, tmp_path: Path) -> None:
    newsfacts = light_venv / "bin" / "newsfacts"
    for arguments in (["--help"], ["export", "--help"], ["validate", "--help"]):
        result = run_light(light_venv, newsfacts, *arguments, cwd=tmp_path)
        assert (result.returncode, result.stderr) == (0, ""), arguments
        assert result.stdout.startswith("usage: newsfacts"), arguments


def test_the_toolkit_modules_are_those_of_the_toolkit_extra() -> None:
    """toolkit.MODULES names, by import name, exactly the distributions of pyproject.toml's toolkit extra."""
    providers = packages_distributions()
    distributions = {
        canonicalize_name(Requirement(line).name) for line in PYPROJECT["optional-dependencies"]["toolkit"]
    }
    by_module = {module: {canonicalize_name(name) for name in providers[module]} for module in toolkit.MODULES}
    assert all(len(names & distributions) == 1 for names in by_module.values()), by_module
    assert set().union(*by_module.values()) & distributions == distributions
    assert toolkit.missing() == []  # this venv, like every contributor's, has the toolkit


def test_the_lock_pins_the_runtime_the_toolkit_and_the_dev_tools() -> None:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pinned = {canonicalize_name(line.partition("==")[0]) for line in lines if "==" in line}
    extras = PYPROJECT["optional-dependencies"]
    wanted = {Requirement(line) for line in [*PYPROJECT["dependencies"], *extras["toolkit"], *extras["dev"]]}
    assert Requirement("newsfacts[toolkit]") in wanted  # dev includes the toolkit
    assert {canonicalize_name(item.name) for item in wanted} - {"newsfacts"} - pinned == set()


def test_the_wheel_declares_the_licences_of_the_code_the_data_and_the_seeds(built_wheel: Path) -> None:
    with zipfile.ZipFile(built_wheel) as wheel:
        (info,) = {name.partition("/")[0] for name in wheel.namelist() if ".dist-info/" in name}
        metadata = email.parser.Parser().parsestr(wheel.read(f"{info}/METADATA").decode("utf-8"))
        data_license = wheel.read(f"{info}/licenses/LICENSE-DATA.md").decode("utf-8")
        code_license = wheel.read(f"{info}/licenses/LICENSE").decode("utf-8")
    assert metadata["Metadata-Version"] == "2.4"  # PEP 639
    assert metadata["License-Expression"] == "MIT AND CC-BY-4.0 AND LicenseRef-Publishers-Copyright"
    assert metadata.get_all("License-File") == ["LICENSE", "LICENSE-DATA.md"]
    assert metadata["License"] is None  # the expression, not the legacy free-text field
    assert code_license.startswith("MIT License")
    assert "CC-BY-4.0" in data_license
    seeds = data_license[data_license.index("## The seed texts") :]
    assert re.search(r"NOT covered by this license, nor by the MIT license", seeds)
    assert "copyright of its publisher" in seeds and "LicenseRef-Publishers-Copyright" in data_license
    # Reading needs pandas and pyarrow; every toolkit dependency is behind an extra.
    core = [line for line in metadata.get_all("Requires-Dist") if "extra ==" not in line]
    assert sorted(Requirement(line).name for line in core) == ["numpy", "pandas", "pyarrow"]
    assert set(metadata.get_all("Provides-Extra")) == {"toolkit", "ftm", "dev"}
