"""The command line: exit codes, output formats, --help and --version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsfacts import __version__
from newsfacts.cli import main

from .conftest import FIXTURES, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsfacts", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["validate", str(FIXTURES / "minimal-valid" / "datapackage")], 0),
        (["validate", str(FIXTURES / "quotes-invalid" / "datapackage")], 1),
        (["validate", "--format", "yaml"], 2),
        (["frobnicate"], 2),
        ([], 2),
    ],
)
def test_exit_codes(args: list[str], status: int) -> None:
    result = run(*args)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr


def test_text_output_is_one_line_per_problem() -> None:
    result = run("validate", str(FIXTURES / "quotes-invalid" / "datapackage"))
    lines = result.stdout.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["span-mismatch", "row-invalid"]
    assert lines[0].startswith("tests/fixtures/quotes-invalid/datapackage/data/quotes.csv:2:text: ")


def test_json_output_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", "--format", "json", str(FIXTURES / "span-out-of-range" / "datapackage")])
    problems = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [(p["line"], p["field"], p["code"]) for p in problems] == [(2, "char_end", "span-out-of-range")]


def test_version() -> None:
    result = run("--version")
    assert result.stdout.strip() == f"newsfacts {__version__}"


@pytest.mark.parametrize("command", ["build", "validate"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: newsfacts {command}")


def test_build_check_fails_and_names_the_fix(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "json-stale", tmp_path / "pkg")
    result = run("build", "--check", str(tmp_path / "pkg" / "datapackage"))
    assert result.returncode == 1
    assert "entities.json" in result.stdout
    assert "newsfacts build" in result.stderr


def test_official_frictionless_cli_accepts_the_package() -> None:
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent))
    assert frictionless is not None
    result = subprocess.run(
        [frictionless, "validate", "datapackage/datapackage.json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]


BROKEN_FIXTURES = sorted(path.name for path in FIXTURES.iterdir() if path.name != "minimal-valid")


@pytest.mark.parametrize("name", BROKEN_FIXTURES)
def test_every_broken_fixture_exits_1_with_located_errors(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    # In-process, so any uncaught exception (a traceback for the user) fails the test.
    status = main(["validate", "--format", "json", str(FIXTURES / name / "datapackage")])
    problems = json.loads(capsys.readouterr().out)
    assert status == 1
    assert problems and all(p["path"] and p["code"] for p in problems)


def test_github_format_emits_annotations() -> None:
    result = run("validate", "--format", "github", str(FIXTURES / "quotes-invalid" / "datapackage"))
    assert result.stdout.splitlines() == [
        "::error file=tests/fixtures/quotes-invalid/datapackage/data/quotes.csv,line=2,title=span-mismatch (text)::"
        "text does not match the seed at [77, 107): seed has 'We will act against Acme Corp.'",
        "::error file=tests/fixtures/quotes-invalid/datapackage/data/quotes.csv,line=3,title=row-invalid (quote_type)::"
        "Input should be 'full' or 'partial'",
    ]
