"""Benchmark `newsfacts validate` against `frictionless validate` on synthetic packages, and time `newsfacts site`
(`make bench`).

For each size, a synthetic package with `--errors` injected errors of every kind (tests/injections.py)
is written once under build/bench/ (kept between runs). Each command then runs as its own process on it,
one after the other; wall time and that process's peak RSS come from os.wait4. frictionless
runs once; each newsfacts command runs `--repeat` times (this VM's timings vary by tens of
per cent from run to run), and the median time and the largest peak RSS are reported. Both tools
write their findings as JSON, and the findings frictionless can make are compared: the run
fails unless they are identical. `newsfacts site` is also timed, on the real package (at least 5 runs)
and on a clean synthetic package of `--site-quotes` quotes (`--repeat` runs), each run writing the
whole site into a scratch folder, with the number of pages and the largest page. Results go to stdout
as Markdown tables, for benchmarks/README.md.

    .venv/bin/python scripts/bench.py [--sizes 10000 100000 1000000] [--errors 2] [--repeat 3] [--site-quotes 10000]
    .venv/bin/python scripts/bench.py --site-only  # just `newsfacts site`
"""

from __future__ import annotations

import argparse
import csv
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
from newsfacts.synth import synthesize

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


def clean_package(quotes: int) -> Path:
    """A synthetic package of `quotes` quotes with no injected error (a site is made only of a valid package)."""
    out = WORK / f"quotes-{quotes}-clean"
    if not (out / "datapackage" / "datapackage.json").is_file():
        if out.exists():
            subprocess.run(["rm", "-rf", str(out)], check=True)
        print(f"synthesising {quotes:,} quotes with no error in {out}", file=sys.stderr)
        synthesize(out, quotes)
    return out / "datapackage"


def quote_rows(package_dir: Path) -> int:
    with (package_dir / "data" / "quotes.csv").open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))  # a cell of the real package may hold a line break


def site_times(site_quotes: int, repeat: int) -> None:
    """How long `newsfacts site` takes to write the whole site of the real package (median of at least 5 runs)
    and of a synthetic package (median of REPEAT runs), how many pages it writes and how big the largest is."""
    print(
        f"`newsfacts site`: the real package {max(repeat, 5)} times, the synthetic one {repeat} times "
        "(median time, largest peak RSS)"
    )
    print()
    print("| package | quotes | seconds | peak RSS (MiB) | pages | files | MB | largest page (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, package_dir, runs in (
        ("`datapackage/`", PROJECT / "datapackage", max(repeat, 5)),
        (f"synthetic, {site_quotes:,} quotes", clean_package(site_quotes), repeat),
    ):
        with tempfile.TemporaryDirectory() as scratch:
            timings = []
            for number in range(runs):  # each into a new folder, so that each run is seen to write its site
                site = Path(scratch) / f"site-{number}"
                command = [str(BIN / "newsfacts"), "site", "--out", str(site), str(package_dir)]
                timings.append(_run(command, Path(os.devnull)))
                if not (site / "index.html").is_file():
                    raise SystemExit(f"`{' '.join(command)}` wrote no site")
            seconds, rss = statistics.median(seconds for seconds, _ in timings), max(rss for _, rss in timings)
            files = [path for path in site.rglob("*") if path.is_file()]
            pages = [path for path in files if path.suffix == ".html"]
            largest = max(pages, key=lambda path: path.stat().st_size)
            size = sum(path.stat().st_size for path in files)
            print(
                f"| {label} | {quote_rows(package_dir):,} | {seconds:.2f} | {rss:,.0f} | {len(pages):,} | "
                f"{len(files):,} | {size / 1e6:.1f} | `{largest.relative_to(site)}` "
                f"({largest.stat().st_size / 1e6:.2f}) |",
                flush=True,
            )
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--errors", type=int, default=2, help="injected errors of every kind, per package")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each newsfacts command (median reported)")
    parser.add_argument("--site-quotes", type=int, default=10_000, help="quotes of the synthetic package of the site")
    parser.add_argument("--site-only", action="store_true", help="time `newsfacts site` only")
    args = parser.parse_args()
    newsfacts = [sys.executable, "-m", "newsfacts", "validate", "--format", "json", *NO_LIMIT]
    frictionless = [str(BIN / "frictionless"), "validate", "--json"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print()
    if args.site_only:
        site_times(args.site_quotes, args.repeat)
        return 0
    help_times(args.repeat)
    site_times(args.site_quotes, args.repeat)
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
