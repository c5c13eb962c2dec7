"""newsfacts export --to sqlite|parquet OUTPUT [--source SOURCE] [--force]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path, write_problem


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "export",
        help="write the tables to a SQLite database or to Parquet files",
        description="Write the tables with the types their Table Schemas declare. "
        "`--to sqlite OUTPUT` writes one database (primary and foreign keys, indexes on foreign keys, "
        "a quotes_full view; ready for Datasette). `--to parquet OUTPUT` writes one OUTPUT/<table>.parquet "
        "per table. An existing file is only replaced with --force. Exit status: 0 written, 1 refused or failed.",
    )
    command.add_argument("--to", required=True, choices=("sqlite", "parquet"), help="the output format")
    command.add_argument("output", type=Path, metavar="OUTPUT", help="the database file, or the Parquet directory")
    command.add_argument(
        "--source",
        metavar="SOURCE",
        help="the package to export: a directory, datapackage.json, release .zip or http(s) URL "
        "(default: the package bundled with newsfacts)",
    )
    command.add_argument("--force", action="store_true", help="replace existing output files")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that `newsfacts --help` does not load pandas and pyarrow.
    from ..export import ExportError, export_parquet, export_sqlite
    from ..loader import LoadError

    export = export_sqlite if args.to == "sqlite" else export_parquet
    try:
        written = export(args.output, args.source, force=args.force)
    except (ExportError, LoadError) as error:
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
