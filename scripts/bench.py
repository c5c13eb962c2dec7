"""Benchmark `newsfacts validate` against `frictionless validate` on synthetic packages (`make bench`).

For each size, a synthetic package is written once under build/bench/ (kept between runs), then
each command runs as its own process on it; wall time and that process's peak RSS are taken
from os.wait4. Results go to stdout as a Markdown table, for benchmarks/README.md.

    .venv/bin/python scripts/bench.py [--sizes 10000 100000 1000000] [--full-up-to 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from newsfacts.synth import synthesize

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "build" / "bench"
BIN = Path(sys.executable).parent
# Large synthetic tables exceed the default size limit meant for contributed files.
NO_LIMIT = ["--max-file-bytes", str(10**12)]


def package(quotes: int) -> Path:
    out = WORK / f"quotes-{quotes}"
    if not (out / "datapackage" / "datapackage.json").is_file():
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        print(f"synthesising {quotes:,} quotes in {out}", file=sys.stderr)
        synthesize(out, quotes)
    return out / "datapackage"


def data_rows(package_dir: Path) -> int:
    total = 0
    for path in (package_dir / "data").glob("*.csv"):
        with path.open("rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1
    return total


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB, and exit status of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--full-up-to",
        type=int,
        default=100_000,
        help="run the full `newsfacts validate` (JSON tables, curation, suites) up to this many quotes",
    )
    args = parser.parse_args()
    newsfacts = [sys.executable, "-m", "newsfacts", "validate", *NO_LIMIT]
    frictionless = [str(BIN / "frictionless"), "validate"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print()
    print("| quotes | rows | command | seconds | rows/s | peak RSS (MiB) | exit | frictionless ÷ this |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for quotes in args.sizes:
        package_dir = package(quotes)
        rows = data_rows(package_dir)
        runs = {"frictionless validate": [*frictionless, str(package_dir / "datapackage.json")]}
        runs["newsfacts validate --rows-only"] = [*newsfacts, "--rows-only", str(package_dir)]
        if quotes <= args.full_up_to:
            runs["newsfacts validate"] = [*newsfacts, str(package_dir)]
        results = {name: measure(command) for name, command in runs.items()}
        reference = results["frictionless validate"][0]
        for name, (seconds, rss, status) in results.items():
            ratio = reference / seconds
            print(
                f"| {quotes:,} | {rows:,} | `{name}` | {seconds:.1f} | {rows / seconds:,.0f} | {rss:,.0f} | {status} "
                f"| {ratio:.1f}\u00d7 |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
