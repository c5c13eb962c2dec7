"""The documentation names every command of `newsfacts` and every problem code."""

from __future__ import annotations

import argparse
import re

import pytest

from newsfacts.cli import main, parser
from newsfacts.problems import CATALOGUE, catalogue_markdown

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
