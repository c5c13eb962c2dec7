"""Formatting problems for people (text) and machines (json)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..limits import Limits
from ..problems import Problem, exit_status

if TYPE_CHECKING:
    from ..package import Layout

DEFAULT_PACKAGE = Path("datapackage")


def add_package_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "package_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_PACKAGE,
        metavar="PACKAGE_DIR",
        help="the package directory (default: datapackage/); seeds/ and schema/ sit beside it",
    )


# option name -> (Limits field, what exceeding it means)
LIMIT_OPTIONS = {
    "--max-file-bytes": ("max_file_bytes", "refuse files larger than N bytes"),
    "--max-cell-chars": ("max_cell_chars", "report cells longer than N characters"),
}


def add_limit_arguments(command: argparse.ArgumentParser) -> None:
    defaults = Limits()
    for option, (field, meaning) in LIMIT_OPTIONS.items():
        default = getattr(defaults, field)
        command.add_argument(option, type=int, default=default, metavar="N", help=f"{meaning} (default: {default})")


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(**{field: getattr(args, field) for field, _ in LIMIT_OPTIONS.values()})


def layout_from(args: argparse.Namespace) -> Layout:
    from ..package import Layout

    return Layout(args.package_dir, limits_from(args))


def add_format_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format: text (default), json, or github (GitHub Actions annotations on the PR diff)",
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_annotation(item: Problem) -> str:
    """A workflow command that GitHub shows as an error on the file and line of the PR diff."""
    properties = [f"file={_escape_property(item.path)}"]
    if item.line:
        properties.append(f"line={item.line}")
    title = item.code if not item.field else f"{item.code} ({item.field})"
    properties.append(f"title={_escape_property(title)}")
    return f"::error {','.join(properties)}::{_escape_data(item.message)}"


def refuse(problems: Sequence[Problem], output_format: str, outcome: str) -> int:
    """Print the problems that stopped a command, then what that left undone; return the exit status."""
    print_problems(problems, output_format)
    print(outcome, file=sys.stderr)
    return exit_status(problems)


def print_problems(problems: Sequence[Problem], output_format: str) -> None:
    """One line per problem (text), a JSON list with each problem's hint, or GitHub annotations.

    As text, each code's hint follows once, on stderr, so that stdout stays one line per problem.
    """
    if output_format == "github":
        for item in problems:
            print(github_annotation(item))
        return
    if output_format == "json":
        json.dump([p.to_dict() for p in problems], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for item in problems:
        print(item.format())
    sys.stdout.flush()  # the hints come after the problems, also where stdout is a pipe
    print_hints(problems)


def print_hints(problems: Sequence[Problem]) -> None:
    for code, hint in {item.code: item.hint for item in problems}.items():
        print(f"hint: {code}: {hint}", file=sys.stderr)


def print_failure(failure: Problem, output_format: str) -> None:
    """A problem that stopped a command: on stderr as text, or on stdout for machines (json, github)."""
    if output_format in ("json", "github"):
        print_problems([failure], output_format)
    else:
        print(failure.format(), file=sys.stderr)
        print_hints([failure])
