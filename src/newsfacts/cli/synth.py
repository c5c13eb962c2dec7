"""newsfacts synth OUT --quotes N"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "synth",
        help="write a synthetic package of any size, for benchmarks and tests",
        description="Write a consistent synthetic project to OUT: datapackage/ (tables, suites, "
        "datapackage.json, data dictionary), schema/ and seeds/, every file as `newsfacts build` writes it. "
        "Foreign keys resolve and every offset is valid. (`make bench` injects known defects into such a "
        "package with tests/injections.py.)",
    )
    command.add_argument("out", type=Path, metavar="OUT", help="the directory to create (must be empty)")
    command.add_argument("--quotes", type=int, required=True, metavar="N", help="number of quote rows")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..synth import synthesize  # imported here so that `newsfacts --help` stays fast

    try:
        synthesize(args.out, args.quotes)
    except (ValueError, FileExistsError) as error:
        print(f"newsfacts synth: {error}", file=sys.stderr)
        return 2
    print(f"wrote {display_path(args.out / 'datapackage')} ({args.quotes} quotes)")
    return 0
