"""The command line: exit codes, output formats, --help and --version."""

from __future__ import annotations

import argparse
import json
import os
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
    heavy = ("great_expectations", "pandas", "polars", "pyarrow", "frictionless", "pydantic", "shtab")
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
    seed = next((ROOT / "datapackage" / "seeds").glob("000_*.txt"))
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


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["validat"], "did you mean 'validate'?"),
        (["validate", "--fromat", "json"], "did you mean '--format'?"),
        (["export", "--to", "sqlit", "x.db"], "did you mean 'sqlite'?"),
        (["coverage", "--pakage", "datapackage"], "did you mean '--package'?"),
    ],
)
def test_a_mistyped_command_option_or_choice_gets_a_suggestion_and_exit_2(args: list[str], suggestion: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert suggestion in result.stderr
    assert "Traceback" not in result.stderr


def test_a_usage_error_is_one_json_document_when_json_is_asked_for() -> None:
    result = run("validate", "--format", "json", "--rows-onyl")
    assert result.returncode == 2
    (found,) = json.loads(result.stdout)
    assert found["code"] == "usage-error"
    assert "did you mean '--rows-only'?" in found["message"]


def on_a_terminal(args: list[str], env: dict[str, str], stderr_on_terminal: bool = False) -> tuple[int, bytes, bytes]:
    """Run newsfacts with stdout (or stderr) on a pseudo-terminal, as a person would see it."""
    import pty

    leader, follower = pty.openpty()
    pipe = subprocess.PIPE
    child = subprocess.Popen(
        [sys.executable, "-m", "newsfacts", *args],
        stdout=pipe if stderr_on_terminal else follower,
        stderr=follower if stderr_on_terminal else pipe,
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}, **env},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    piped = (child.stdout if stderr_on_terminal else child.stderr).read()  # type: ignore[union-attr]
    child.wait()
    os.close(leader)
    return child.returncode, seen, piped


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_problem_codes_are_coloured_on_a_terminal_unless_no_color(env: dict[str, str], coloured: bool) -> None:
    package = str(fixture_root("quotes-invalid") / "datapackage")
    status, terminal, _ = on_a_terminal(["validate", "--rows-only", package], env)
    assert status == 1
    assert b"span-mismatch" in terminal
    assert (b"\x1b[31mspan-mismatch\x1b[0m" in terminal) is coloured
    assert coloured or b"\x1b[" not in terminal


def test_force_color_colours_a_pipe_and_a_pipe_is_plain_otherwise() -> None:
    package = str(fixture_root("quotes-invalid") / "datapackage")
    assert "\x1b[" not in run("validate", "--rows-only", package).stdout
    forced = subprocess.run(
        [sys.executable, "-m", "newsfacts", "validate", "--rows-only", package],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "FORCE_COLOR": "1"},
        check=False,
    )
    assert "\x1b[31mspan-mismatch\x1b[0m" in forced.stdout


@pytest.mark.parametrize(
    ("command", "output_format", "bar"),
    [
        (["validate", "--rows-only"], "text", True),
        (["validate", "--rows-only"], "json", False),
        (["coverage", "--package"], "text", True),
        (["coverage", "--package"], "json", False),
        (["export", "--to", "sqlite", "{out}", "--source"], "text", True),
        (["export", "--to", "sqlite", "{out}", "--source"], "json", False),
    ],
)
def test_progress_is_drawn_on_a_terminal_only_for_people(
    command: list[str], output_format: str, bar: bool, tmp_path: Path
) -> None:
    package = str(fixture_root("minimal-valid") / "datapackage")
    args = [arg.format(out=tmp_path / "x.db") for arg in command]
    status, terminal, stdout = on_a_terminal([*args, package, "--format", output_format], {}, stderr_on_terminal=True)
    assert status == 0, stdout
    assert (b"reading" in terminal) is bar
    if output_format == "json":
        json.loads(stdout)  # one JSON document, nothing else


def completion_script(shell: str, tmp_path: Path) -> Path:
    result = run("completion", shell)
    assert result.returncode == 0, result.stderr
    script = tmp_path / f"newsfacts.{shell}"
    script.write_text(result.stdout, encoding="utf-8")
    return script


def test_bash_completion_is_valid_and_completes_commands_and_options(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = completion_script("bash", tmp_path)
    assert subprocess.run([bash, "-n", str(script)], capture_output=True, check=False).returncode == 0

    def complete(*words: str) -> list[str]:
        # What bash does on TAB: COMP_WORDS and COMP_CWORD set, then the function `complete -p` names.
        line = " ".join(words)
        program = (
            f"source {script}\n"
            f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n"
            'function=$(complete -p newsfacts | sed -E "s/.*-F ([^ ]+) .*/\\1/")\n'
            '"$function" newsfacts "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
            'printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        done = subprocess.run([bash, "-c", program], capture_output=True, text=True, check=True, cwd=tmp_path)
        return done.stdout.split()

    assert complete("newsfacts", "val") == ["validate"]
    assert {"completion", "coverage"} <= set(complete("newsfacts", "co"))
    assert "--rows-only" in complete("newsfacts", "validate", "--ro")
    assert complete("newsfacts", "completion", "z") == ["zsh"]


def test_zsh_completion_is_valid(tmp_path: Path) -> None:
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed (apt-get install zsh to run this test)")
    script = completion_script("zsh", tmp_path)
    assert subprocess.run([zsh, "-n", str(script)], capture_output=True, check=False).returncode == 0
    # Loaded as zsh loads a completion function, it defines the function that compdef names.
    program = f"autoload -U compinit && compinit -u -D && source {script} && whence -w _shtab_newsfacts"
    result = subprocess.run([zsh, "-f", "-c", program], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert "_shtab_newsfacts: function" in result.stdout, result.stderr


def test_every_command_takes_format_json() -> None:
    from newsfacts.cli import add, parser

    def commands_of(root: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        (commands,) = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
        return dict(commands.choices)

    commands = commands_of(parser())
    # `add` builds its parser when it runs (its options come from the models): each kind of row is a command.
    commands |= {f"add {kind}": command for kind, command in commands_of(add.full_parser()).items()}
    del commands["add"]
    lacking = [
        name
        for name, command in commands.items()
        if not any("--format" in a.option_strings and "json" in (a.choices or ()) for a in command._actions)
    ]
    assert lacking == []
