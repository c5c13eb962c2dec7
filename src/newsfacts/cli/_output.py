"""Formatting problems for people (text) and machines (json)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..problems import Problem

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


def add_format_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def print_problems(problems: Sequence[Problem], output_format: str) -> None:
    if output_format == "json":
        json.dump([p.to_dict() for p in problems], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for item in problems:
        print(item.format())
