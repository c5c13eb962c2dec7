"""The command line: exit codes, output formats, --help and --version."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsfacts import NewsfactsError, __version__
from newsfacts.cli import locate, main
from newsfacts.problems import CATALOGUE

from .conftest import ROOT, fixture_root


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsfacts", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )


def run_in_process(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Like `run`, without paying for a fresh interpreter (and Great Expectations import) per test."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["validate", "--format", "yaml"], 2),
        (["frobnicate"], 2),
        ([], 2),
    ],
)
def test_usage_errors_exit_2(args: list[str], status: int) -> None:
    result = run(*args)
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("fixture", "status"), [("minimal-valid", 0), ("quotes-invalid", 1)])
def test_validate_exits_0_when_valid_else_1(fixture: str, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process("validate", str(fixture_root(fixture) / "datapackage"), capsys=capsys)[0] == status


def test_a_limit_far_above_the_files_is_not_allocated(capsys: pytest.CaptureFixture[str]) -> None:
    # `make bench` lifts the limit to 10**12 bytes; reading a small file must not allocate that much.
    package = str(fixture_root("minimal-valid") / "datapackage")
    assert run_in_process("validate", "--rows-only", "--max-file-bytes", str(10**15), package, capsys=capsys)[0] == 0


def test_text_output_is_one_line_per_problem(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fixture_root("quotes-invalid").parent)
    _, out, err = run_in_process("validate", "quotes-invalid/datapackage", capsys=capsys)
    lines = out.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["span-mismatch", "row-invalid"]
    assert lines[0].startswith("quotes-invalid/datapackage/data/quotes.csv:2:text: ")
    # Then each code's hint, once, on stderr.
    hints = [f"hint: {code}: {CATALOGUE[code].hint}" for code in ("span-mismatch", "row-invalid")]
    assert err.splitlines()[:2] == hints


def test_json_output_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", "--format", "json", str(fixture_root("span-out-of-range") / "datapackage")])
    problems = json.loads(capsys.readouterr().out)
    assert status == 1
    assert [(p["line"], p["field"], p["code"]) for p in problems] == [
        (2, "char_end", "span-out-of-range"),
        (2, "text", "span-length"),
    ]
    assert [p["hint"] for p in problems] == [CATALOGUE["span-out-of-range"].hint, CATALOGUE["span-length"].hint]


def test_version() -> None:
    result = run("--version")
    assert result.stdout.strip() == f"newsfacts {__version__}"


@pytest.mark.parametrize("command", ["build", "validate", "locate", "report"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: newsfacts {command}")


def test_build_check_fails_and_names_the_fix(tmp_path: Path) -> None:
    shutil.copytree(fixture_root("json-stale"), tmp_path / "pkg")
    result = run("build", "--check", str(tmp_path / "pkg" / "datapackage"))
    assert result.returncode == 1
    assert "entities.json" in result.stdout
    assert "newsfacts build" in result.stderr


def test_official_frictionless_cli_accepts_the_package() -> None:
    # The independent conformance gate: frictionless-py (a development dependency) on the package, in CI.
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


def test_github_format_emits_annotations(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fixture_root("quotes-invalid").parent)
    _, out, _ = run_in_process("validate", "--format", "github", "quotes-invalid/datapackage", capsys=capsys)
    assert out.splitlines() == [
        "::error file=quotes-invalid/datapackage/data/quotes.csv,line=2,title=span-mismatch (text)::"
        "text does not match the seed at [77, 107): first difference at offset 106 of the seed, character 29 of "
        "the text: the seed has '.' U+002E where the row has '!' U+0021 (seed: 'st Acme Corp.” The Rurita')",
        "::error file=quotes-invalid/datapackage/data/quotes.csv,line=3,title=row-invalid (quote_type)::"
        "'whole' is not one of: full, partial",
    ]


def test_a_weakened_released_rule_is_an_annotation_on_the_release_record(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(fixture_root("released-rule-removed").parent)
    _, out, _ = run_in_process("validate", "--format", "github", "released-rule-removed/datapackage", capsys=capsys)
    assert [line.split("::")[1] for line in out.splitlines()] == [
        "error file=released-rule-removed/releases/1.0.0/expectations/sanctions.json,"
        "title=released-rule-removed (expectations[1])"
    ]


def test_help_imports_nothing_heavy() -> None:
    heavy = ("great_expectations", "pandas", "polars", "pyarrow", "frictionless")
    code = "import sys; from newsfacts.cli import parser; parser(); print(sorted(set(sys.modules) & set(sys.argv[1:])))"
    result = subprocess.run([sys.executable, "-c", code, *heavy], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_unforeseen_failure_is_one_catalogued_line_not_a_traceback(tmp_path: Path) -> None:
    # A bug is planted in `locate` by a sitecustomize in the child interpreter; whatever fails, the
    # user gets one catalogued line and exit 2.
    (tmp_path / "sitecustomize.py").write_text(
        "import newsfacts.locate\n"
        "def broken(*args, **kwargs):\n"
        "    raise ZeroDivisionError('a bug')\n"
        "newsfacts.locate.locate = broken\n",
        encoding="utf-8",
    )
    seed = next((ROOT / "seeds").glob("000_*.txt"))
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from newsfacts.cli import main; sys.exit(main(sys.argv[1:]))",
            "locate",
            str(seed),
            "Blinken",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=env,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert ": internal-error: newsfacts failed unexpectedly (ZeroDivisionError: a bug)" in result.stderr


def test_a_refusal_no_command_reports_is_its_problem_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(args: object) -> int:
        raise NewsfactsError.of("package-not-found", "nowhere")

    monkeypatch.setattr(locate, "run", refuse)
    status, out, err = run_in_process("locate", "seeds/000.txt", "text", capsys=capsys)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        "nowhere::: package-not-found: no such file or folder",
        f"hint: package-not-found: {CATALOGUE['package-not-found'].hint}",
    ]
