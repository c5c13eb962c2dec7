"""newsfacts report [SOURCE] [--out DIR]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path, exit_status
from ._output import add_format_argument, add_limit_arguments, add_source_argument, opened_source, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "report",
        help="write the expectation suites' results as a static HTML site (GX Data Docs)",
        description="Run the Great Expectations suites of datapackage/expectations/ on the package and "
        "write the Data Docs: a static HTML site with every suite and its results. "
        "An earlier report in the same folder is replaced; any other non-empty folder is refused. "
        "SOURCE is any package `newsfacts.load()` reads. "
        "Exit status: 0 written (even with failing rows), 1 refused, 2 usage error, a source that cannot be "
        "read, or a site that could not be written.",
    )
    add_source_argument(command)
    command.add_argument(
        "--out",
        type=Path,
        default=Path("data-docs"),
        metavar="DIR",
        help="where to write the site (default: data-docs/)",
    )
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..report import write_report  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        result = write_report(package.layout, args.out)
        problems, failed = package.relabel(result.problems), package.relabel(result.failed)
    if result.index is None:
        print_problems(problems, args.format)
        print("no report written: fix the problems above", file=sys.stderr)
        return exit_status(problems)
    print_problems(failed, args.format)
    print(
        f"wrote {display_path(result.index)}: {len(result.failed)} failing row(s); "
        "`newsfacts validate` runs every check",
        file=sys.stderr,
    )
    return 0
