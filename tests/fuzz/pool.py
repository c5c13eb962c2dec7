"""Run fuzz cases in worker processes under a watchdog, and report distinct crash causes.

Each worker is a separate process, so a hang (a FIFO opened for reading blocks in C, where no
Python timeout reaches) is ended by killing that worker and starting another. Cases are numbered;
case N of seed S is always the same package, so any finding replays with `--seed S --case N`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from .worker import FRAME_LINE, CaseResult, Finding, case_random, choose_operators, innermost_frame, worker_main

WORKER_START_SECONDS = 180.0
# How long a hung worker gets to write its stacks (on SIGUSR1) before it is killed.
HANG_DUMP_SECONDS = 2.0
# The scratch folder's name differs from run to run; a report reads better and diffs cleanly without it.
SCRATCH_PATH = re.compile(r"[^\s'\"]*[/\\]worker-\d+[/\\]")


@dataclass(frozen=True)
class Options:
    seed: int = 13
    cases: int | None = None  # cases first .. first + cases - 1; None: until `seconds` run out
    first: int = 0
    seconds: float | None = None  # stop starting new cases after this many seconds of wall time
    jobs: int = 2
    # Per case. A case takes about 1 s on an idle machine, but the machine may be shared: the limit
    # is generous so that only a real hang (a blocked read, a loop) reaches it.
    timeout: float = 30.0
    scratch: Path | None = None


@dataclass
class Cause:
    """Findings with the same (kind, command, error, innermost frame), and the first case that showed it."""

    count: int
    first: Finding
    case: CaseResult


@dataclass
class Summary:
    options: Options
    cases: int = 0
    seconds: float = 0.0
    validated: int = 0  # packages that validate (or download) passed
    counts: dict[str, int] = field(default_factory=lambda: {"traceback": 0, "hang": 0, "false-valid": 0})
    causes: dict[tuple[str, str, str, str], Cause] = field(default_factory=dict)
    results: list[CaseResult] = field(default_factory=list)

    def add(self, result: CaseResult) -> None:
        self.cases += 1
        self.validated += result.validate_exit == 0
        self.results.append(result)
        for finding in result.findings:
            self.counts[finding.kind] += 1
            cause = self.causes.get(finding.key)
            if cause is None:
                self.causes[finding.key] = Cause(1, finding, result)
            else:
                cause.count += 1

    def render(self) -> str:
        rate = self.cases / self.seconds if self.seconds else 0.0
        lines = [
            f"fuzz seed {self.options.seed}: {self.cases} packages tried in {self.seconds:.0f} s "
            f"({rate:.2f}/s with {self.options.jobs} jobs); {self.validated} passed validate/download",
            f"tracebacks: {self.counts['traceback']}   hangs: {self.counts['hang']}   "
            f"false-valid: {self.counts['false-valid']}   distinct crash causes: {len(self.causes)}",
        ]
        ordered = sorted(self.causes.items(), key=lambda item: (item[0][0], item[0][1], -item[1].count))
        for number, (key, cause) in enumerate(ordered, start=1):
            kind, command, error, frame = key
            case = cause.case
            lines += [
                f"[{number}] {kind} in `{command}`: {error} at {frame} ({cause.count}x)",
                f"    {SCRATCH_PATH.sub('', cause.first.detail)[:300]}",
                f"    case {case.index}: {'; '.join(case.notes)[:300]}",
                f"    replay: make fuzz SEED={self.options.seed} CASE={case.index}",
            ]
        return "\n".join(lines)


class WorkerProcess:
    def __init__(self, context: multiprocessing.context.SpawnContext, directory: Path, options: Options) -> None:
        self.connection, child = context.Pipe()
        self.directory = directory
        self.process: BaseProcess = context.Process(
            target=worker_main,
            args=(child, directory, options.seed),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.started = time.monotonic()
        self.ready = False
        self.case: int | None = None
        self.deadline = 0.0
        self.step = ""

    def send(self, index: int, timeout: float) -> None:
        self.case, self.deadline, self.step = index, time.monotonic() + timeout, "start"
        self.connection.send(index)

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.connection.send(None)
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()

    def kill(self) -> None:
        if self.process.pid is not None:
            os.kill(self.process.pid, signal.SIGUSR1)
            self.process.join(HANG_DUMP_SECONDS)
        self.process.kill()
        self.process.join()
        self.connection.close()


def hang_finding(worker: WorkerProcess, timeout: float) -> Finding:
    """The case thread's stack as faulthandler wrote it before the kill, named by its innermost newsfacts frame."""
    dump_path = worker.directory / "hang.txt"
    dump = dump_path.read_text(encoding="utf-8", errors="replace") if dump_path.exists() else ""
    threads = dump.split("\n\n")
    case_thread = next((block for block in threads if "run_case" in block), dump)
    frames = [(name, function) for name, _, function in FRAME_LINE.findall(case_thread)]
    frame = innermost_frame(list(reversed(frames)))
    detail = f"no result after {timeout:.0f} s, during `{worker.step}`"
    return Finding("hang", worker.step, "timeout", frame, detail, case_thread[:20_000])


def run_fuzz(options: Options, progress: Callable[[str], None] | None = None) -> Summary:
    """Run the cases of OPTIONS in `jobs` worker processes; the summary holds every finding."""
    with tempfile.TemporaryDirectory(prefix="newsfacts-fuzz-", dir=options.scratch) as scratch:
        return _run(options, Path(scratch), progress or (lambda line: None))


def _run(options: Options, scratch: Path, progress: Callable[[str], None]) -> Summary:
    context = multiprocessing.get_context("spawn")  # forking a process with threads and pandas loaded is unsafe
    summary = Summary(options)
    start = time.monotonic()
    last_case = options.first + options.cases if options.cases is not None else None
    next_case = options.first
    spawned = 0

    def spawn() -> WorkerProcess:
        nonlocal spawned
        spawned += 1
        return WorkerProcess(context, scratch / f"worker-{spawned}", options)

    def may_start() -> bool:
        within_cases = last_case is None or next_case < last_case
        within_time = options.seconds is None or time.monotonic() - start < options.seconds
        return within_cases and within_time

    workers = [spawn() for _ in range(max(1, options.jobs))]
    try:
        while True:
            for worker in workers:
                if worker.ready and worker.case is None and may_start():
                    worker.send(next_case, options.timeout)
                    next_case += 1
            busy = [w for w in workers if w.case is not None]
            if not busy and not may_start():
                break
            for connection in wait([w.connection for w in workers], timeout=0.5):
                worker = next(w for w in workers if w.connection is connection)
                try:
                    message = worker.connection.recv()
                except EOFError:
                    workers[workers.index(worker)] = _replace_dead(worker, summary, spawn)
                    _report_progress(summary, summary.results[-1], start, progress)
                    continue
                if message[0] == "ready":
                    worker.ready = True
                elif message[0] == "step":
                    worker.step = message[1]
                else:
                    result: CaseResult = message[1]
                    worker.case = None
                    summary.add(result)
                    _report_progress(summary, result, start, progress)
            now = time.monotonic()
            for position, worker in enumerate(workers):
                if worker.case is not None and now > worker.deadline:
                    worker.kill()
                    hung = _lost_case(worker, options, hang_finding(worker, options.timeout))
                    summary.add(hung)
                    _report_progress(summary, hung, start, progress)
                    workers[position] = spawn()
                elif not worker.ready and now - worker.started > WORKER_START_SECONDS:
                    raise RuntimeError(f"fuzz worker did not start in {WORKER_START_SECONDS:.0f} s: {worker.directory}")
    finally:
        for worker in workers:
            worker.stop()
    summary.seconds = time.monotonic() - start
    return summary


def _lost_case(worker: WorkerProcess, options: Options, finding: Finding) -> CaseResult:
    """The result of a case whose worker was killed or died: its notes went with it, its operators are recomputed."""
    assert worker.case is not None
    operators = [op.name for op in choose_operators(case_random(options.seed, worker.case))]
    result = CaseResult(worker.case, operators, [f"{', '.join(operators)} (details: replay the case)"])
    result.findings.append(finding)
    return result


def _replace_dead(worker: WorkerProcess, summary: Summary, spawn: Callable[[], WorkerProcess]) -> WorkerProcess:
    """A worker that died (a crash in C, or the OOM killer) is a finding for its case, and is replaced."""
    worker.process.join()
    if worker.case is None:
        log = (worker.directory / "worker.log").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"fuzz worker exited with {worker.process.exitcode} while idle:\n{log[-3000:]}")
    died = Finding("traceback", worker.step, f"process exit {worker.process.exitcode}", "-", "the worker died")
    summary.add(_lost_case(worker, summary.options, died))
    worker.connection.close()
    return spawn()


def _report_progress(summary: Summary, result: CaseResult, start: float, progress: Callable[[str], None]) -> None:
    for finding in result.findings:
        if summary.causes[finding.key].case is result:
            progress(f"case {result.index}: new {finding.kind} in `{finding.command}`: {finding.detail[:160]}")
    if summary.cases % 100 == 0:
        elapsed = time.monotonic() - start
        progress(f"{summary.cases} packages in {elapsed:.0f} s; {len(summary.causes)} distinct cause(s) so far")
