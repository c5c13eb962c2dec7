"""newsfacts release [SOURCE] [--bump major|minor|patch] [--out dist/]"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path
from ._output import (
    add_format_argument,
    add_limit_arguments,
    add_source_argument,
    opened_source,
    print_problems,
    refuse,
)


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "release",
        help="cut a release: version from the diff, CHANGELOG section, releases/<version>/, and the zip",
        description="Compare the package with the last release recorded in releases/ and choose the version "
        "by the Data Package versioning recipe (major: a field removed, renamed or retyped, or a constraint "
        "tightened; minor: rows, fields or resources added, or a constraint loosened; patch: corrections and "
        "metadata). Refuses a --bump smaller than the changes need. Writes the version into metadata.toml, "
        "datapackage.json and CITATION.cff, a dated CHANGELOG section from the diff and the Unreleased notes, "
        "records releases/<version>/ and packs the zip. The first release is 1.0.0. "
        "It writes into a checkout, so SOURCE is a project folder, its datapackage/ folder or its "
        "datapackage.json. Exit status: 0 released, 1 refused, 2 usage error, a source that cannot be read, "
        "or a file that could not be written.",
    )
    add_source_argument(command, checkout_only=True)
    command.add_argument("--bump", choices=("major", "minor", "patch"), help="default: what the diff requires")
    command.add_argument("--date", type=datetime.date.fromisoformat, help="release date (default: today)")
    command.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist/)")
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..release import release  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        result = release(package.layout, args.bump, args.out, args.date)
    if result.problems or result.packed is None or result.packed.zip_path is None:
        return refuse(result.problems, args.format, "no release made")
    if args.format == "json":
        print_problems([], args.format)
    print(
        f"released {result.version}: {display_path(result.packed.zip_path)}; "
        "review the new CHANGELOG.md section, then commit and tag "
        f"v{result.version}",
        file=sys.stderr,
    )
    return 0
