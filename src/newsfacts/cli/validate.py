"""newsfacts validate [SOURCE] [--rows-only] [--format text|json|github]"""

from __future__ import annotations

import argparse
from typing import Any

from ._output import (
    add_format_argument,
    add_limit_arguments,
    add_source_argument,
    opened_source,
    print_outcome,
    print_problems,
)


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "validate",
        help="run every check on the package",
        description="Check the package: the Table Schemas of datapackage.json (types, constraints, keys, "
        "hashes; checked by a columnar engine), JSON Schemas, row models, "
        "CSV/JSON agreement, seed hashes, verbatim spans, curation rules and the Great Expectations suites "
        "of datapackage/expectations/. SOURCE is any package `newsfacts.load()` reads; a zip or URL is "
        "checked as `newsfacts download` checks a release, and its problems are named at the zip or URL. "
        "Prints one line per problem: path:line:field: code: message. "
        "Exit status: 0 valid, 1 invalid, 2 usage error or a source that cannot be read.",
    )
    add_source_argument(command)
    command.add_argument(
        "--rows-only",
        action="store_true",
        help="only the row-level checks (what frictionless checks, plus seeds and spans): "
        "skip the JSON tables, the curation rules and the suites",
    )
    add_format_argument(command, github=True)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..validate import validate  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        problems = package.relabel(validate(package.layout, rows_only=args.rows_only))
    print_problems(problems, args.format)
    if args.format == "text":
        print_outcome(f"{len(problems)} problem(s) found" if problems else "valid", not problems)
    return 1 if problems else 0
