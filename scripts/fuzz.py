"""The long fuzz run (`make fuzz`), and the replay of one case.

    .venv/bin/python scripts/fuzz.py --cases 5000          # the figures and one reproducer per crash cause
    .venv/bin/python scripts/fuzz.py --seed 13 --case 417  # replay one case: its mutations and full tracebacks

Exit status: 0 when no case found a traceback, a hang or a false valid; 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The fuzzer lives in tests/fuzz/ so that pytest runs its short form; make it importable from here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzz.pool import Options, Summary, run_fuzz


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Mutation fuzzer for newsfacts validate, load, diff, export, site, download."
    )
    parser.add_argument("--seed", type=int, default=13, help="the seed of every case (default: 13)")
    parser.add_argument("--cases", type=int, default=5000, help="how many cases to run (default: 5000)")
    parser.add_argument("--first", type=int, default=0, help="the number of the first case (default: 0)")
    parser.add_argument("--seconds", type=float, help="stop starting cases after this much wall time")
    parser.add_argument("--case", type=int, help="replay this one case and print its full tracebacks")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per case before it is a hang (default: 30)"
    )
    return parser.parse_args()


def print_replay(summary: Summary) -> None:
    for result in summary.results:
        print(f"case {result.index}: operators {', '.join(result.operators)}; validate exit {result.validate_exit}")
        for note in result.notes:
            print(f"  {note}")
        for finding in result.findings:
            print(f"\n{finding.kind} in `{finding.command}`: {finding.error} at {finding.frame}\n{finding.detail}")
            print(finding.trace)


def main() -> int:
    arguments = parse_arguments()
    replay = arguments.case is not None
    options = Options(
        seed=arguments.seed,
        cases=1 if replay else arguments.cases,
        first=arguments.case if replay else arguments.first,
        seconds=None if replay else arguments.seconds,
        jobs=1 if replay else arguments.jobs,
        timeout=arguments.timeout,
    )
    summary = run_fuzz(options, progress=lambda line: print(line, file=sys.stderr, flush=True))
    if replay:
        print_replay(summary)
    print(summary.render())
    return 1 if summary.causes else 0


if __name__ == "__main__":
    sys.exit(main())
