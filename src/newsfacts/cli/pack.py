"""newsfacts pack [SOURCE] [--out dist/]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..problems import display_path
from ._output import (
    add_format_argument,
    add_limit_arguments,
    add_source_argument,
    opened_source,
    print_problems,
    refuse,
)


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "pack",
        help="build the release zip of the current version and its SHA256SUMS",
        description="Write OUT/<name>-<version>.zip and OUT/SHA256SUMS. The zip's root is the package, as every "
        "Data Package client opens it: datapackage.json, the CSV and JSON tables, the seed texts, the data dictionary "
        "(with its Hugging Face card), croissant.json, dataset.jsonld and the expectation suites, with the schemas, "
        "CHANGELOG, CITATION.cff and data license. "
        "The zip is byte-for-byte reproducible. The package must be built and valid; nothing else changes. "
        "It packs a checkout, so SOURCE is a project folder, its datapackage/ folder or its datapackage.json. "
        "Exit status: 0 packed, 1 not built or not valid, 2 usage error, a source that cannot be read, or a "
        "file that could not be written.",
    )
    add_source_argument(command, checkout_only=True)
    command.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist/)")
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..pack import pack  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        result = pack(package.layout, args.out)
    if result.problems or result.zip_path is None:
        return refuse(
            result.problems,
            args.format,
            "nothing packed: fix the problems above (`newsfacts build`, then `newsfacts validate`)",
        )
    if args.format == "json":
        print_problems([], args.format)
    print(f"wrote {display_path(result.zip_path)} and {display_path(result.sums_path or '')}", file=sys.stderr)
    return 0
