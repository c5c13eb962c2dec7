"""newsfacts locate SEED_FILE TEXT"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..locate import Match, locate, read_seed
from ._output import add_format_argument, print_problems


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "locate",
        help="print the char_start/char_end of a text in a seed",
        description="Print the offsets (Unicode code points, half-open) of every occurrence of TEXT in "
        "SEED_FILE. When TEXT does not occur, print the nearest near-match (typed lookalikes such as a straight "
        "quote for a curly one or a hyphen for a dash are found first) and exit 1.",
    )
    command.add_argument(
        "seed_file", type=Path, metavar="SEED_FILE", help="a seed text, e.g. datapackage/seeds/000_….txt"
    )
    command.add_argument("text", metavar="TEXT", help="the text to find, exactly as printed")
    add_format_argument(command)
    command.set_defaults(run=run)


def _describe(match: Match, seed: str) -> dict[str, Any]:
    line, column = match.line_and_column(seed)
    return {
        "char_start": match.char_start,
        "char_end": match.char_end,
        "line": line,
        "column": column,
        "text": match.text,
        "similarity": round(match.similarity, 3),
    }


def run(args: argparse.Namespace) -> int:
    seed, problems = read_seed(args.seed_file)
    if seed is None:
        print_problems(problems, args.format)
        return 2
    matches, nearest = locate(seed, args.text)
    found = [_describe(m, seed) for m in matches]
    near = _describe(nearest, seed) if nearest else None
    if args.format == "json":
        print(json.dumps({"matches": found, "nearest": near}, ensure_ascii=False, indent=2))
    else:
        for item in found:
            print(f"{item['char_start']}\t{item['char_end']}\tline {item['line']}, column {item['column']}")
        if not found:
            print(f"{args.text!r} does not occur in {args.seed_file}.", file=sys.stderr)
            if len(args.text) > len(seed):
                print(f"It is longer than the seed ({len(args.text)} > {len(seed)} characters).", file=sys.stderr)
            elif near:
                print(
                    f"nearest ({near['similarity']:.0%} similar): {near['char_start']}\t{near['char_end']}\t"
                    f"{near['text']!r}",
                    file=sys.stderr,
                )
        elif len(found) > 1:
            print(f"{len(found)} occurrences: pick the one your row refers to.", file=sys.stderr)
    return 0 if found else 1
