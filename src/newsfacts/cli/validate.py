"""newsfacts validate [PACKAGE_DIR] [--rows-only] [--format text|json|github]"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._output import add_format_argument, add_limit_arguments, add_package_argument, layout_from, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "validate",
        help="run every check on the package",
        description="Check the package: the Table Schemas of datapackage.json (types, constraints, keys, "
        "hashes; checked by a columnar engine), JSON Schemas, row models, "
        "CSV/JSON agreement, seed hashes, verbatim spans, curation rules and the Great Expectations suites "
        "of datapackage/expectations/. "
        "Prints one line per problem: path:line:field: code: message. "
        "Exit status: 0 valid, 1 invalid, 2 usage error.",
    )
    add_package_argument(command)
    command.add_argument(
        "--rows-only",
        action="store_true",
        help="only the row-level checks (what frictionless checks, plus seeds and spans): "
        "skip the JSON tables, the curation rules and the suites",
    )
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..validate import validate  # imported here so that `newsfacts --help` stays fast

    problems = validate(layout_from(args), rows_only=args.rows_only)
    print_problems(problems, args.format)
    if args.format == "text":
        print(f"{len(problems)} problem(s) found" if problems else "valid", file=sys.stderr)
    return 1 if problems else 0
