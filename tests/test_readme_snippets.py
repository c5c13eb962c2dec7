"""The README's "Use the data" snippets run as printed.

Snippets are `~~~lang` fences: sh runs in a scratch directory outside the checkout, with the
newsfacts and ftm (FollowTheMoney) commands on PATH; python runs there after it (the bundled
package needs no checkout, and DuckDB reads the Parquet files the sh snippet exported); sql runs
against the database the sh snippet exported; r runs from the repository root.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import newsfacts

from .conftest import ROOT, require_r_loader

README = (ROOT / "README.md").read_text(encoding="utf-8")
SNIPPET = re.compile(r"^~~~(?P<language>\w+)\n(?P<code>.*?)^~~~$", re.MULTILINE | re.DOTALL)
SNIPPETS = [(match["language"], match["code"]) for match in SNIPPET.finditer(README)]


def snippets(language: str) -> list[str]:
    return [code for snippet_language, code in SNIPPETS if snippet_language == language]


def test_readme_keeps_one_backtick_fence_and_has_every_snippet() -> None:
    assert len(re.findall(r"^```", README, re.MULTILINE)) == 2  # the quick start, opened and closed
    assert sorted({language for language, _ in SNIPPETS}) == ["python", "r", "sh", "sql"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch directory outside the checkout where every sh snippet has run."""
    directory = tmp_path_factory.mktemp("snippets")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for code in snippets("sh"):
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", code],
            capture_output=True,
            text=True,
            cwd=directory,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    return directory


# A python snippet that reads the package folder of a checkout (mlcroissant, Hugging Face datasets)
# runs from the repository root; the others run anywhere.
FROM_CHECKOUT = '"datapackage'


@pytest.mark.parametrize("code", [code for code in snippets("python") if FROM_CHECKOUT not in code])
def test_python_snippet_runs_outside_the_checkout(code: str, exported: Path) -> None:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=exported, check=False)
    assert result.returncode == 0, result.stderr
    assert "quote_type" in result.stdout


@pytest.mark.parametrize("code", [code for code in snippets("python") if FROM_CHECKOUT in code])
def test_python_snippet_runs_from_the_checkout_offline(code: str, tmp_path: Path) -> None:
    offline = {"HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ | offline, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "quote_type" in result.stdout


@pytest.mark.parametrize("code", snippets("r"))
def test_r_snippet_runs_from_the_checkout(code: str) -> None:
    require_r_loader()
    result = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert "tibble" in result.stdout


def test_sh_snippets_export_and_sql_snippets_query_the_database(exported: Path) -> None:
    assert {"newsfacts.db", "newsfacts.metadata.json", "parquet"} <= {path.name for path in exported.iterdir()}
    with sqlite3.connect(exported / "newsfacts.db") as connection:
        for code in snippets("sql"):
            assert connection.execute(code).fetchall(), code


def test_sh_snippet_reads_the_ftm_export_with_ftms_own_tools(exported: Path) -> None:
    # `ftm validate` wrote back what it read (the snippet's `cmp` passed); `ftm export-excel` wrote a
    # sheet per schema, with a header and a row per entity
    assert (exported / "validated.ftm.json").read_bytes() == (exported / "newsfacts.ftm.json").read_bytes()
    sheets = {sheet.title: sheet.max_row - 1 for sheet in openpyxl.load_workbook(exported / "newsfacts.xlsx")}
    tables = newsfacts.load(ROOT / "datapackage")
    assert (sheets["Articles"], sheets["Sanctions"], sheets["Events"]) == (
        len(tables["articles"]),
        len(tables["sanctions"]),
        len(tables["events"]),
    )
