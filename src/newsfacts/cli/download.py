"""newsfacts download [--version V] [--to DIR] [--from BASE_URL]"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from ..problems import display_path
from ._output import add_format_argument, print_problems, refuse

# Problems of the machine, not of the release: exit status 2.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def register(subcommands: Any) -> None:
    command: argparse.ArgumentParser = subcommands.add_parser(
        "download",
        help="fetch a release zip, verify it against SHA256SUMS, unpack and validate it",
        description="Download BASE_URL/SHA256SUMS and the release zip it lists, check the zip's sha256, "
        "unpack it and validate the package. Nothing is left behind unless every step passes. "
        "BASE_URL defaults to the GitHub release of the version (or the latest release); "
        "set NEWSFACTS_RELEASES_URL to use a mirror. Exit status: 0 downloaded, 1 refused (the release is "
        "not listed, corrupt, unsafe or invalid), 2 usage error, a release that cannot be fetched, or a target "
        "that cannot be written, 128+N stopped by signal N.",
    )
    command.add_argument("--version", dest="release_version", metavar="V", help="the release (default: latest)")
    command.add_argument("--to", type=Path, metavar="DIR", help="target folder (default: ./<name>-<version>)")
    command.add_argument(
        "--from", dest="base_url", metavar="BASE_URL", help="the folder holding the zip and SHA256SUMS"
    )
    add_format_argument(command, github=True)
    command.set_defaults(run=run)


def _stop(signum: int, frame: FrameType | None) -> None:
    # An exception, not the default instant death, so that the scratch folder beside the target is removed;
    # a second signal is ignored, so that it cannot cut that clean-up short.
    for each in STOP_SIGNALS:
        signal.signal(each, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    from ..download import download  # imported here so that `newsfacts --help` stays fast

    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}
    try:
        result = download(args.release_version, args.to, args.base_url)
    except SystemExit:
        print("interrupted: nothing downloaded", file=sys.stderr)
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if result.problems or result.package_dir is None:
        return refuse(result.problems, args.format, "nothing downloaded")
    if args.format == "json":
        print_problems([], args.format)
    print(f"downloaded, verified and validated: {display_path(result.package_dir)}", file=sys.stderr)
    return 0
