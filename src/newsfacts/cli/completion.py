"""newsfacts completion bash|zsh"""

from __future__ import annotations

import argparse
from typing import Any

from ._output import add_format_argument, print_json

SHELLS = ("bash", "zsh")


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "completion",
        help="print a shell completion script for bash or zsh",
        description="Print the completion script of SHELL, generated from the commands and options (shtab). "
        'bash: `eval "$(newsfacts completion bash)"` in ~/.bashrc. zsh: '
        "`newsfacts completion zsh > ~/.zfunc/_newsfacts` with ~/.zfunc on $fpath before `compinit`. "
        "Exit status: 0 printed, 2 usage error.",
    )
    command.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash or zsh")
    add_format_argument(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import shtab  # imported here: only this command needs it

    from . import parser

    script = shtab.complete(parser(), shell=args.shell)
    if args.format == "json":
        print_json({"shell": args.shell, "script": script})
    else:
        print(script)
    return 0
