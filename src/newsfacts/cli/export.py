"""newsfacts export --to FORMAT OUTPUT [--source SOURCE] [--force]; the formats are those of `exporters.EXPORTERS`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..exporters import EXPORTERS
from ..problems import NewsfactsError, display_path, write_problem


def register(subcommands: Any) -> None:
    formats = " ".join(f"`--to {name} OUTPUT` writes {exporter.description}." for name, exporter in EXPORTERS.items())
    outputs = "; ".join(f"{exporter.output} ({name})" for name, exporter in EXPORTERS.items())
    command: argparse.ArgumentParser = subcommands.add_parser(
        "export",
        help=f"write the tables in another format: {', '.join(EXPORTERS)}",
        description=f"Write the tables with the types their Table Schemas declare. {formats} "
        "An existing file is only replaced with --force. Exit status: 0 written, 1 refused or failed.",
    )
    command.add_argument("--to", required=True, choices=list(EXPORTERS), help="the output format")
    command.add_argument("output", type=Path, metavar="OUTPUT", help=f"what to write: {outputs}")
    command.add_argument(
        "--source",
        metavar="SOURCE",
        help="the package to export: a directory, datapackage.json, release .zip or http(s) URL "
        "(default: the package bundled with newsfacts)",
    )
    command.add_argument("--force", action="store_true", help="replace existing output files")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        written = EXPORTERS[args.to].export(args.output, args.source, force=args.force)
    except NewsfactsError as error:
        print(f"newsfacts export: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(write_problem(args.output, error).format(), file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {display_path(path)}")
    if not written:
        print(f"{args.output} is already up to date", file=sys.stderr)
    return 0
