"""newsfacts add KIND [--FIELD VALUE …] | newsfacts add batch FILE

The options of each kind of row come from its model, so this command's parser is built when it
runs: importing the models at start-up would slow every `newsfacts --help`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import progress
from ._output import (
    add_format_argument,
    add_limit_arguments,
    add_source_argument,
    failure_status,
    opened_source,
    print_problems,
)
from ._parser import Parser

if TYPE_CHECKING:
    from ..add import AddResult
    from ..package import Layout

DESCRIPTION = (
    "Add rows to the package from what the seed prints: give a span's text exactly as printed, never its offsets, "
    "and leave out a numbered id (quote_id) to get the next free one. The new rows are checked with the row checks "
    "and the curation rules, then written, with every file `newsfacts build` writes; a batch file is applied "
    "whole or not at all. Exit status: 0 added, 1 refused (nothing written), 2 usage error or a file not written."
)


def register(subcommands: Any) -> None:
    # Every argument goes to the parser `run` builds: `prefix_chars` that no argument starts with keeps
    # argparse from reading `--help` or `--text` here.
    command: argparse.ArgumentParser = subcommands.add_parser(
        "add",
        help="add rows: spans found from their text, numbered ids filled in (`newsfacts add --help`)",
        add_help=False,
        prefix_chars="\x00",
    )
    command.add_argument("arguments", nargs=argparse.REMAINDER)
    command.set_defaults(run=run, format="text")


def full_parser() -> argparse.ArgumentParser:
    from ..add import KINDS, found_fields
    from ..models import Article, Evidence

    parser = Parser(prog="newsfacts add", description=DESCRIPTION)
    common = Parser(add_help=False)
    add_source_argument(common, checkout_only=True, flag="--package")
    common.add_argument("--dry-run", action="store_true", help="check and show the rows, write nothing")
    add_format_argument(common)
    add_limit_arguments(common)
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND", parser_class=Parser)
    for name, model in KINDS.items():
        fields = [field for field in model.model_fields if field not in found_fields(model)]
        kind = kinds.add_parser(
            name,
            parents=[common],
            help=f"a row of {model.resource_name}: {model.summary()}",
            description=f"Add a row to {model.resource_name}: {model.summary()}",
        )
        if model is Article:
            kind.add_argument("seed", type=Path, metavar="SEED", help="the article's text (UTF-8, LF line ends)")
        for field in fields:
            description = model.model_fields[field].description or ""
            if choices := _choices(model.model_fields[field].annotation):
                description += f" One of: {', '.join(choices)}."
            kind.add_argument(f"--{field.replace('_', '-')}", dest=field, metavar="VALUE", help=description)
        if issubclass(model, Evidence):
            kind.add_argument("--occurrence", type=int, metavar="N", help="which occurrence of the text, from 1")
            kind.add_argument("--context", metavar="TEXT", help="words of the seed around the text, found once")
    batch = kinds.add_parser(
        "batch",
        parents=[common],
        help="every row of a YAML file, all of them or none",
        description="Add every row of FILE, a YAML list of mappings: `add: KIND`, the row's fields by name, and "
        "`occurrence:` or `context:` for a span (`seed:` for an article, relative to FILE).",
    )
    batch.add_argument("file", type=Path, metavar="FILE")
    return parser


def _choices(annotation: Any) -> list[str]:
    """The values of a Literal field (or an optional one), for its option's help."""
    from typing import Literal, get_args, get_origin

    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    return [value for member in get_args(annotation) for value in _choices(member)]


def run(args: argparse.Namespace) -> int:
    detailed = full_parser().parse_args(args.arguments)
    detailed.command = args.command
    args.format = detailed.format  # for a failure `main` reports
    progress.enabled = detailed.format == "text"
    with opened_source(detailed) as package:
        return _add(detailed, package.layout)


def _add(detailed: argparse.Namespace, layout: Layout) -> int:
    from ..add import KINDS, AddResult, Request, add, read_batch

    if detailed.kind == "batch":
        requests, problems = read_batch(detailed.file, layout.limits.max_file_bytes)
        if problems:
            return _print(AddResult(problems=problems), detailed.format, detailed.dry_run)
    else:
        model = KINDS[detailed.kind]
        cells = {field: value for field in model.model_fields if (value := getattr(detailed, field, None)) is not None}
        requests = [
            Request(
                detailed.kind,
                cells,
                occurrence=getattr(detailed, "occurrence", None),
                context=getattr(detailed, "context", None),
                seed=getattr(detailed, "seed", None),
            )
        ]
    return _print(add(layout, requests, dry_run=detailed.dry_run), detailed.format, detailed.dry_run)


def _print(result: AddResult, output_format: str, dry_run: bool) -> int:
    """Print what was added (or would be), or why nothing was; return the exit status."""
    from ..models import MODELS
    from ..problems import display_path, exit_status

    status = max([exit_status(result.problems), *(failure_status(item) for item in result.problems)])

    if output_format == "json":
        document = {
            "added": []
            if result.problems
            else [{"table": row.table, "line": row.line, "cells": row.cells} for row in result.added],
            "written": not dry_run and not result.problems,
            "problems": [item.to_dict() for item in result.problems],
            "to_do": [item.to_dict() for item in result.to_do],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return status
    if result.problems:
        print_problems(result.problems, "text")
        print("nothing added", file=sys.stderr)
        return status
    verb = "would add" if dry_run else "added"
    for row in result.added:
        model = MODELS[row.table]
        key = ",".join(str(row.cells[name]) for name in model.primary_key)
        span = f" [{row.cells['char_start']}, {row.cells['char_end']})" if "char_start" in row.cells else ""
        print(f"{verb} {model.row_name} {key}{span}: {display_path(row.path)}:{row.line}")
    for item in result.to_do:
        print(f"to do: {item.format()}", file=sys.stderr)
    if not dry_run:
        print(
            f"{len(result.added)} row(s) added and the package rebuilt; `newsfacts coverage ARTICLE` lists what is "
            "still missing",
            file=sys.stderr,
        )
    return 0
