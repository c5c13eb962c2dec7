"""The `newsfacts` command line. Each subcommand lives in its own module and only formats results."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .. import __version__
from . import build, diff, download, export, locate, pack, release, report, synth, validate

COMMANDS = (build, validate, locate, report, export, synth, diff, release, pack, download)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="newsfacts", description="Build, validate and export the newsfacts data package."
    )
    root.add_argument("--version", action="version", version=f"newsfacts {__version__}")
    subcommands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subcommands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))
