"""newsfacts site [SOURCE] [--out site/] [--changed-since REF]"""

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
        "site",
        help="write a static website of the package, every fact highlighted in its source",
        description="Write a self-contained static website of the package to DIR: each article's text with its "
        "quotes, mentions and evidence highlighted, entity, utterance, event, timeline, conflict and sanction pages, "
        "and the data dictionary, with a copy of the package to download. It makes no network request and opens from "
        "file:// or any static host; the same package gives the same bytes. The package's rows and spans must pass "
        "`newsfacts validate`. DIR is replaced whole when it is a site made before (or empty); any other folder is "
        "refused. Exit status: 0 written, 1 the package has problems or DIR holds other files, 2 usage error, "
        "a source that cannot be read, or a folder that could not be written.",
    )
    add_source_argument(command)
    command.add_argument("--out", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site/)")
    command.add_argument(
        "--changed-since",
        metavar="REF",
        help="list first, on the index, the articles whose rows differ from the git revision REF (a pull request's "
        "base): what a reviewer opens",
    )
    add_format_argument(command)
    add_limit_arguments(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..explorer import build_site  # imported here so that `newsfacts --help` stays fast

    with opened_source(args) as package:
        changed: list[str] = []
        if args.changed_since is not None:
            from ..diff import diff_sides

            changed = sorted(diff_sides(args.changed_since, str(package.layout.package_dir), Path.cwd()).articles)
        result = build_site(package, args.out, changed)
    if result.problems:
        return refuse(result.problems, args.format, "no site written: fix the problems above")
    if args.format == "json":
        print_problems([], args.format)
    pages = sum(1 for path in result.written if path.suffix == ".html")
    print(f"wrote {display_path(args.out)}/ ({pages} pages, {len(result.written)} files)", file=sys.stderr)
    return 0
