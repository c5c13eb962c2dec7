"""newsfacts export --to FORMAT OUTPUT [--source SOURCE] [--force]; the formats are those of `exporters.EXPORTERS`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..exporters import EXPORTERS
from ..problems import NewsfactsError, display_path, write_problem
from ._output import add_format_argument, add_source_argument, failure_status, print_failure, print_problems


def register(subcommands: Any) -> None:
    formats = " ".join(f"`--to {name} OUTPUT` writes {exporter.description}." for name, exporter in EXPORTERS.items())
    outputs = "; ".join(f"{exporter.output} ({name})" for name, exporter in EXPORTERS.items())
    command: argparse.ArgumentParser = subcommands.add_parser(
        "export",
        help=f"write the tables in another format: {', '.join(EXPORTERS)}",
        description=f"Write the tables with the types their Table Schemas declare. {formats} "
        "An existing file is only replaced with --force. --source takes any package `newsfacts.load()` reads. "
        "Exit status: 0 written, 1 refused (the output exists, the package's data does not read as its "
        "schemas say, or the format cannot take a value of it), 2 usage error, a source that cannot be read, "
        "a file that could not be written, or a library the format needs that is not installed.",
    )
    command.add_argument("--to", required=True, choices=list(EXPORTERS), help="the output format")
    command.add_argument("output", type=Path, metavar="OUTPUT", help=f"what to write: {outputs}")
    add_source_argument(command, flag="--source")
    command.add_argument("--force", action="store_true", help="replace existing output files")
    add_format_argument(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..source import command_default

    source = command_default() if args.source is None else args.source
    try:
        # The exporters read the package in place, as `newsfacts.load()` does: nothing is unpacked.
        written = EXPORTERS[args.to].export(args.output, source, force=args.force)
    except NewsfactsError as error:
        print_failure(error.problem, args.format)
        return failure_status(error.problem)
    except OSError as error:
        failure = write_problem(args.output, error)
        print_failure(failure, args.format)
        return failure_status(failure)
    if args.format == "json":
        print_problems([], args.format)
    stream = sys.stderr if args.format == "json" else sys.stdout
    for path in written:
        print(f"wrote {display_path(path)}", file=stream)
    if not written:
        print(f"{args.output} is already up to date", file=sys.stderr)
    return 0
