"""newsfacts build [--check] [SOURCE]"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..problems import display_path, exit_status
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
        "build",
        help="regenerate schemas, JSON tables, the data dictionary and datapackage.json",
        description="Regenerate every derived file from the CSV tables and the models. "
        "CSVs are rewritten canonically (UTF-8, LF, RFC 4180 quoting, sorted by primary key) "
        "without changing any cell. The files are replaced all or none: a build that is stopped midway is "
        "finished by the next one. It writes into a checkout, so SOURCE is a project folder, its "
        "datapackage/ folder or its datapackage.json, never a release zip or a URL. "
        "Exit status: 0 built, 1 refused or stale (--check), 2 usage error, a source that cannot be read, "
        "or a file that could not be written.",
    )
    add_source_argument(command, checkout_only=True)
    command.add_argument("--check", action="store_true", help="write nothing; fail if any generated file is stale")
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..build import build  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        result = build(package.layout, check=args.check)
    print_problems(result.problems, args.format)
    if result.problems:
        status = exit_status(result.problems)
        if result.stale:
            print(
                f"{len(result.stale)} generated file(s) are stale. Fix: run `newsfacts build`.",
                file=sys.stderr,
            )
        elif status == 2:
            print(
                "build stopped: the package holds its previous files, or `newsfacts validate` reports the build "
                "as interrupted; fix the cause above, then run `newsfacts build` again.",
                file=sys.stderr,
            )
        else:
            print("build refused: fix the problems above; no file was changed.", file=sys.stderr)
        return status
    if args.format == "text":
        for path in result.written:
            print(f"wrote {display_path(path)}")
        if not args.check:
            print_outcome(f"build complete: {len(result.written)} file(s) changed", True)
    return 0
