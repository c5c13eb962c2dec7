"""newsfacts build [--check] [PACKAGE_DIR]"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..problems import display_path
from ._output import add_format_argument, add_limit_arguments, add_package_argument, layout_from, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "build",
        help="regenerate schemas, JSON tables, the data dictionary and datapackage.json",
        description="Regenerate every derived file from the CSV tables and the models. "
        "CSVs are rewritten canonically (UTF-8, LF, RFC 4180 quoting, sorted by primary key) "
        "without changing any cell.",
    )
    add_package_argument(command)
    command.add_argument("--check", action="store_true", help="write nothing; fail if any generated file is stale")
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..build import build  # imported here so that `newsfacts --help` stays fast

    result = build(layout_from(args), check=args.check)
    print_problems(result.problems, args.format)
    if result.problems:
        if result.stale:
            print(
                f"{len(result.stale)} generated file(s) are stale. Fix: run `newsfacts build`.",
                file=sys.stderr,
            )
        else:
            print("build refused: fix the problems above; no file was changed.", file=sys.stderr)
        return 1
    if args.format == "text":
        for path in result.written:
            print(f"wrote {display_path(path)}")
        if not args.check:
            print(f"build complete: {len(result.written)} file(s) changed", file=sys.stderr)
    return 0
