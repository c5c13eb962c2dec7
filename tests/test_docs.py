"""The documentation names every command of `newsfacts` and every problem code."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from newsfacts.cli import main, parser
from newsfacts.package import Layout
from newsfacts.problems import CATALOGUE, catalogue_markdown
from newsfacts.validate import validate

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PROBLEMS_DOC = ROOT / "docs" / "problems.md"


def subcommands() -> list[str]:
    actions = [action for action in parser()._actions if isinstance(action, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


def readme_command_list() -> str:
    start = README.index("\n## Commands\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def test_every_command_is_in_the_readme_command_list() -> None:
    commands = readme_command_list()
    assert len(subcommands()) >= 10
    assert [name for name in subcommands() if not re.search(rf"\| `newsfacts {name}[ `]", commands)] == []


def test_every_problem_code_is_in_docs_problems_md() -> None:
    text = PROBLEMS_DOC.read_text(encoding="utf-8")
    assert [code for code in CATALOGUE if f"| `{code}` |" not in text] == []
    assert text == catalogue_markdown(), "run `newsfacts build` to regenerate docs/problems.md"


def test_readme_and_contributing_link_the_problem_codes() -> None:
    for doc in ("README.md", "CONTRIBUTING.md"):
        assert "](docs/problems.md)" in (ROOT / doc).read_text(encoding="utf-8"), doc


def test_contributings_locate_example_prints_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    command = re.search(r'newsfacts locate (\S+) "([^"]+)"', contributing)
    shown = re.search(r"prints `([^`]+)`", contributing)
    assert command and shown
    seed, text = command.groups()
    assert main(["locate", str(ROOT / seed), text]) == 0
    assert capsys.readouterr().out == shown.group(1) + "\n"


CONSOLE = re.compile(r"^(?P<indent> *)```console\n(?P<body>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL)


def console_sessions(text: str) -> list[tuple[str, str]]:
    """Every `$ command` of the ```console blocks, in order, with the output shown after it.

    A command goes on over lines that end with a backslash; its output is the lines up to the next `$`.
    """
    sessions: list[tuple[str, str]] = []
    for block in CONSOLE.finditer(text):
        lines = [line.removeprefix(block["indent"]) for line in block["body"].splitlines()]
        while lines:
            command = lines.pop(0).removeprefix("$ ")
            while command.endswith("\\"):
                command = command[:-1] + lines.pop(0).strip()
            output = []
            while lines and not lines[0].startswith("$ "):
                output.append(lines.pop(0))
            sessions.append((command, "".join(line + "\n" for line in output)))
    return sessions


def test_contributings_walkthrough_prints_what_it_shows(project_copy: Layout) -> None:
    """The guide's walkthrough, run command by command on a scratch copy of the project: each prints
    (on stdout) exactly what the guide shows, and the new article ends valid with nothing left to add."""
    sessions = console_sessions((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))
    assert [command.split()[1] for command, _ in sessions].count("add") >= 6
    newsfacts = str(Path(sys.executable).parent / "newsfacts")
    for command, shown in sessions:
        assert command.startswith(".venv/bin/newsfacts ")
        result = subprocess.run(
            ["bash", "-c", newsfacts + command.removeprefix(".venv/bin/newsfacts")],
            cwd=project_copy.root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert (command, result.stdout) == (command, shown), result.stderr
    assert validate(project_copy) == []
