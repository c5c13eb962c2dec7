"""newsfacts synth OUT --quotes N"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path, problem
from ._output import add_format_argument, print_failure, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "synth",
        help="write a synthetic package of any size, for benchmarks and tests",
        description="Write a consistent synthetic project to OUT: datapackage/ (tables, suites, "
        "seeds/, datapackage.json, data dictionary) and schema/, every file as `newsfacts build` writes it. "
        "Foreign keys resolve and every offset is valid. (`make bench` injects known defects into such a "
        "package with tests/injections.py.)",
    )
    command.add_argument("out", type=Path, metavar="OUT", help="the directory to create (must be empty)")
    command.add_argument("--quotes", type=int, required=True, metavar="N", help="number of quote rows")
    add_format_argument(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..synth import synthesize  # imported here so that `newsfacts --help` stays fast

    try:
        synthesize(args.out, args.quotes)
    except FileExistsError:
        print_failure(problem("target-exists", args.out, detail=display_path(args.out)), args.format)
        return 2
    except ValueError as error:
        print_failure(problem("usage-error", args.out, detail=str(error)), args.format)
        return 2
    if args.format == "json":
        print_problems([], args.format)
    stream = sys.stderr if args.format == "json" else sys.stdout
    print(f"wrote {display_path(args.out / 'datapackage')} ({args.quotes} quotes)", file=stream)
    return 0
