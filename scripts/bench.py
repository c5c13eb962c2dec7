"""Benchmark `newsfacts validate` against `frictionless validate` on synthetic packages (`make bench`).

For each size, a synthetic package with `--errors` injected errors of every kind (tests/injections.py)
is written once under build/bench/ (kept between runs). Each command then runs as its own process on it,
one after the other; wall time and that process's peak RSS come from os.wait4. frictionless
runs once; each newsfacts command runs `--repeat` times (this VM's timings vary by tens of
per cent from run to run), and the median time and the largest peak RSS are reported. Both tools
write their findings as JSON, and the findings frictionless can make are compared: the run
fails unless they are identical. Results go to stdout as a Markdown table, for
benchmarks/README.md.

    .venv/bin/python scripts/bench.py [--sizes 10000 100000 1000000] [--errors 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The oracle's mapping and the injected defects live with the tests (tests/); make them importable from here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.frictionless_check import FRICTIONLESS_CODES
from tests.injections import synthesize_with_errors

from newsfacts.models import MODELS

PROJECT = Path(__file__).resolve().parent.parent
WORK = PROJECT / "build" / "bench"
BIN = Path(sys.executable).parent
# Large synthetic tables exceed the default size limit meant for contributed files.
NO_LIMIT = ["--max-file-bytes", str(10**12)]
# frictionless's error types, and the newsfacts codes for the same findings. newsfacts explains a
# cell's type or constraint error in the row model's words (row-invalid), at the same cell.
CELL_ERRORS = {"type-error", "constraint-error", "row-invalid"}
FRICTIONLESS_KINDS = CELL_ERRORS | {"unique-error", "primary-key", "foreign-key", "hash-mismatch", "byte-count"}

Finding = tuple[str, int | None, str | None, str]  # (resource, line, field, kind)


def package(quotes: int, errors: int) -> Path:
    out = WORK / f"quotes-{quotes}-errors-{errors}"
    if not (out / "datapackage" / "datapackage.json").is_file():
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        print(f"synthesising {quotes:,} quotes with {errors} error(s) of each kind in {out}", file=sys.stderr)
        synthesize_with_errors(out, quotes, errors)
    return out / "datapackage"


def data_rows(package_dir: Path) -> int:
    total = 0
    for path in (package_dir / "data").glob("*.csv"):
        with path.open("rb") as handle:
            total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 24), b"")) - 1
    return total


def measure(command: list[str], output: Path, repeat: int = 1) -> tuple[float, float]:
    """Median wall seconds and largest peak RSS (MiB) of `repeat` runs; the last run's stdout goes to `output`."""
    runs = [_run(command, output) for _ in range(repeat)]
    return statistics.median(seconds for seconds, _ in runs), max(rss for _, rss in runs)


def _run(command: list[str], output: Path) -> tuple[float, float]:
    with output.open("wb") as stdout:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def _kind(code: str) -> str:
    return "cell-error" if code in CELL_ERRORS else code


def frictionless_findings(report: Path) -> set[Finding]:
    """(resource, line, field, kind) of each error in `frictionless validate --json` output.

    A synthetic package has no line break inside a cell, so a row number is its line.
    """
    findings = set()
    for task in json.loads(report.read_text(encoding="utf-8"))["tasks"]:
        for error in task["errors"]:
            field = error.get("fieldName") or ",".join(error.get("fieldNames") or []) or None
            if error["type"] == "primary-key":
                field = ",".join(MODELS[task["name"]].primary_key)
            kind = _kind(FRICTIONLESS_CODES.get(error["type"], error["type"]))
            findings.add((task["name"], error.get("rowNumber"), field, kind))
    return findings


def newsfacts_findings(report: Path) -> tuple[set[Finding], int]:
    """The findings of `newsfacts validate --format json` that frictionless could make, and how many others."""
    findings, others = set(), 0
    for found in json.loads(report.read_text(encoding="utf-8")):
        if found["code"] in FRICTIONLESS_KINDS:
            resource = Path(found["path"]).stem
            findings.add((resource, found["line"], found["field"], _kind(found["code"])))
        else:
            others += 1
    return findings, others


def help_times(repeat: int) -> None:
    """How long `--help` takes (median of REPEAT runs, with the newsfacts entry point): the cost of the
    command line's imports, which every command pays before it starts. Kept under 0.3 s."""
    print("| command | seconds |")
    print("|---|---:|")
    for command in (["--help"], ["validate", "--help"]):
        runs = [_run([str(BIN / "newsfacts"), *command], Path(os.devnull))[0] for _ in range(max(repeat, 5))]
        print(f"| `newsfacts {' '.join(command)}` | {statistics.median(runs):.2f} |", flush=True)
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--errors", type=int, default=2, help="injected errors of every kind, per package")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each newsfacts command (median reported)")
    args = parser.parse_args()
    newsfacts = [sys.executable, "-m", "newsfacts", "validate", "--format", "json", *NO_LIMIT]
    frictionless = [str(BIN / "frictionless"), "validate", "--json"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print()
    help_times(args.repeat)
    print(f"frictionless runs once; each newsfacts command {args.repeat} times (median time, largest peak RSS)")
    print()
    print("| quotes | rows | command | seconds | rows/s | peak RSS (MiB) | findings | frictionless ÷ this |")
    print("|---:|---:|---|---:|---:|---:|---|---:|")
    same = True
    for quotes in args.sizes:
        package_dir = package(quotes, args.errors)
        rows = data_rows(package_dir)
        runs = {
            "frictionless validate": [*frictionless, str(package_dir / "datapackage.json")],
            "newsfacts validate --rows-only": [*newsfacts, "--rows-only", str(package_dir)],
            "newsfacts validate": [*newsfacts, str(package_dir)],
        }
        with tempfile.TemporaryDirectory() as scratch:
            outputs = {name: Path(scratch) / f"{index}.json" for index, name in enumerate(runs)}
            results = {
                name: measure(command, outputs[name], 1 if name == "frictionless validate" else args.repeat)
                for name, command in runs.items()
            }
            oracle = frictionless_findings(outputs["frictionless validate"])
            found = {name: newsfacts_findings(outputs[name]) for name in runs if name != "frictionless validate"}
        reference = results["frictionless validate"][0]
        for name, (seconds, rss) in results.items():
            if name == "frictionless validate":
                findings = f"{len(oracle)}"
            else:
                shared, others = found[name]
                same &= shared == oracle
                verdict = "identical" if shared == oracle else f"DIFFERENT ({len(shared ^ oracle)} differ)"
                findings = f"{len(shared)}, {verdict}; +{others} only newsfacts checks"
            print(
                f"| {quotes:,} | {rows:,} | `{name}` | {seconds:.1f} | {rows / seconds:,.0f} | {rss:,.0f} | {findings} "
                f"| {reference / seconds:.1f}\u00d7 |",
                flush=True,
            )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
