"""One fuzz worker: a long-lived process that mutates a scratch project and runs the commands on it.

A fresh `newsfacts` process spends about 6 s importing pandas, polars and Great Expectations
before it validates anything, which would cap the fuzzer at a few hundred packages an hour. So
each worker imports once and calls the CLI's `main()` and the API in-process, with stdout and
stderr swapped for UTF-8 streams like those of a real pipe (so a message that cannot be encoded
still crashes, as it would in a terminal). The parent (`pool`) kills a worker whose case
overruns its time limit, after a SIGUSR1 that has `faulthandler` write the stack of the hang.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import random
import re
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .operators import REGISTRY, Operator, Project
from .oracle import StrictReadError, first_difference, strict_tables

ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("datapackage", "schema", "README.md")
TRACEBACK = "Traceback (most recent call last)"
# The innermost frame of our own code names a crash cause; library frames below it vary with versions.
NEWSFACTS_FRAME = re.compile(r"[/\\](newsfacts[/\\][^\"]+\.py)")
FRAME_LINE = re.compile(r'File "([^"]+)", line (\d+),? in (\S+)')
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning|Interrupt)\w*)(?::|$)", re.MULTILINE)
OUTPUT_FORMATS = ("text", "text", "json", "github")
# How often a package, valid or not, also goes through the costlier commands.
DIFF_EVERY = 5
COVERAGE_EVERY = 5
EXPORT_EVERY = 10
ADD_EVERY = 5
# `site` renders every page of the package (a second or so): on one case in five.
SITE_EVERY = 5
# A batch that `newsfacts add` accepts on the pristine package; each case breaks it in a few places.
VALID_BATCH = """\
- add: quote
  article_id: art-000
  speaker_id: antony-blinken
  speaker_as_printed: Blinken
  text: Iran
  occurrence: 2
  quote_type: partial
  utterance_id: u-fuzz
- add: mention
  entity_id: iran
  article_id: art-001
  text: Iran
  context: "Iran of Supplying"
  mention_type: name
"""
BATCH_PIECES = (
    "\n",
    ": ",
    "- ",
    "[",
    "{",
    "&a ",
    "*a",
    "'",
    '"',
    "\t",
    "#",
    "? ",
    "!!python/object:os.system ",
    "’",
    "\x00",
)


@dataclass(frozen=True)
class Finding:
    """Something that must not happen: a traceback, a hang, or a package validated but loaded differently."""

    kind: str  # "traceback", "hang", "false-valid"
    command: str
    error: str  # the exception type, or for false-valid what went wrong
    frame: str  # innermost newsfacts file:function, "-" when none
    detail: str  # one line
    trace: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.command, self.error, self.frame)


@dataclass
class CaseResult:
    index: int
    operators: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validate_exit: int | None = None
    findings: list[Finding] = field(default_factory=list)
    zip_case: bool = False


def case_random(seed: int, index: int) -> random.Random:
    # A string seed is hashed with SHA-512, so the generator does not depend on PYTHONHASHSEED.
    return random.Random(f"newsfacts-fuzz:{seed}:{index}")


def choose_operators(rng: random.Random) -> list[Operator]:
    weights = [op.weight for op in REGISTRY]
    first = rng.choices(REGISTRY, weights)[0]
    if first.stage == "zip":
        return [first]
    chosen = [first]
    while rng.random() < 0.25 and len(chosen) < 3:
        more = rng.choices(REGISTRY, weights)[0]
        if more.stage != "zip":
            chosen.append(more)
    return chosen


def innermost_frame(frames: list[tuple[str, str]]) -> str:
    """'newsfacts/module.py:function' of the innermost frame in newsfacts' own code."""
    for filename, function in reversed(frames):
        match = NEWSFACTS_FRAME.search(filename)
        if match and "tests" not in Path(filename).parts:
            return f"{match.group(1).replace(os.sep, '/')}:{function}"
    return "-"


def finding_from_exception(command: str, error: BaseException) -> Finding:
    frames = [(frame.filename, frame.name) for frame in traceback.extract_tb(error.__traceback__)]
    last_line = " ".join(traceback.format_exception_only(error)[-1].split())
    return Finding(
        "traceback",
        command,
        type(error).__qualname__,
        innermost_frame(frames),
        last_line[:300],
        "".join(traceback.format_exception(error)),
    )


def finding_from_text(command: str, text: str) -> Finding:
    """A traceback printed rather than raised (a thread's, or one written straight to the file descriptor)."""
    block = text[text.index(TRACEBACK) :]
    frames = [(name, function) for name, _, function in FRAME_LINE.findall(block)]
    errors = EXCEPTION_LINE.findall(block)
    last_line = next((line for line in block.splitlines() if errors and line.startswith(errors[-1])), "")
    return Finding(
        "traceback", command, errors[-1] if errors else "?", innermost_frame(frames), last_line[:300], block[:20_000]
    )


@dataclass
class Captured:
    exit: int | None
    stdout: str
    stderr: str
    finding: Finding | None


def hostile_batch(rng: random.Random) -> bytes:
    """VALID_BATCH with a few pieces of YAML syntax, odd characters or bytes inserted, or cut short."""
    data = VALID_BATCH.encode("utf-8")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        choice = rng.random()
        if choice < 0.6:
            data = data[:at] + rng.choice(BATCH_PIECES).encode("utf-8") + data[at:]
        elif choice < 0.8:
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        else:
            data = data[:at]
    return data


def run_cli(command: str, argv: list[str]) -> Captured:
    """`newsfacts ARGV` in this process; a traceback, or an exit other than 0, 1 or 2, is a finding."""
    from newsfacts.cli import main

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="\n")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    finding = None
    exit_code: int | None = None
    try:
        exit_code = main(argv)
    except SystemExit as error:  # argparse's usage errors
        exit_code = error.code if isinstance(error.code, int) else 1
    except Exception as error:
        finding = finding_from_exception(command, error)
    finally:
        sys.stdout, sys.stderr = saved
    out, err = (_drain(stream) for stream in (stdout, stderr))
    if finding is None and TRACEBACK in err:
        finding = finding_from_text(command, err)
    if finding is None and exit_code not in (0, 1, 2):
        finding = Finding("traceback", command, f"exit {exit_code}", "-", err[-300:])
    return Captured(exit_code, out, err, finding)


def _drain(stream: io.TextIOWrapper) -> str:
    with contextlib.suppress(UnicodeEncodeError):  # already reported by the write that failed
        stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="backslashreplace")


def call_api(command: str, function: Callable[[], Any]) -> tuple[Any, BaseException | None, Finding | None]:
    """(result, documented error, finding): NewsfactsError is documented; anything else is a crash."""
    from newsfacts import NewsfactsError

    try:
        return function(), None, None
    except NewsfactsError as error:
        if not isinstance(getattr(error, "code", None), str):
            return None, error, Finding("traceback", command, "error without code", "-", str(error)[:300])
        return None, error, None
    except Exception as error:
        return None, error, finding_from_exception(command, error)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the worker's log is for crashes only
        pass


class Worker:
    """The scratch folder of one worker: a pristine project, the case being mutated, and a local HTTP server."""

    def __init__(self, directory: Path, seed: int, step: Callable[[str], None]) -> None:
        import newsfacts

        self.directory = directory
        self.seed = seed
        self.step = step
        self.pristine = Project(directory / "pristine")
        self.case = Project(directory / "case")
        self.output = directory / "output"
        if self.pristine.root.exists():
            shutil.rmtree(self.pristine.root)
        self.pristine.root.mkdir(parents=True)
        for name in PROJECT_FILES:
            source, target = ROOT / name, self.pristine.root / name
            shutil.copytree(source, target) if source.is_dir() else shutil.copy(source, target)
        self.resources = json.loads(self.pristine.descriptor.read_text(encoding="utf-8"))["resources"]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(directory)))
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/case/"
        # Prove the yardstick (the pristine project is valid and loads as the strict reading says), and
        # import everything each command needs, so that no case pays for a first import.
        warm = run_cli("validate", ["validate", str(self.pristine.package)])
        if warm.exit != 0:
            raise RuntimeError(f"the pristine project is not valid:\n{warm.stdout}{warm.stderr}")
        self.reset()
        warm_up = CaseResult(-1, ["none"])
        loaded, error, _ = call_api("load", lambda: newsfacts.load(str(self.case.root)))
        self._check_valid_package("validate", self.case.root, loaded, error, warm_up)
        self._add(warm_up, run_cli("diff", ["diff", str(self.pristine.root), str(self.case.root)]).finding)
        if warm_up.findings:
            raise RuntimeError(f"the pristine project does not load or export cleanly: {warm_up.findings}")

    def reset(self) -> None:
        for folder in (self.case.root, self.output):
            if folder.exists():
                shutil.rmtree(folder)
        shutil.copytree(self.pristine.root, self.case.root, symlinks=True)
        self.output.mkdir()

    def run_case(self, index: int) -> CaseResult:
        self.reset()
        rng = case_random(self.seed, index)
        operators = choose_operators(rng)
        result = CaseResult(index, [op.name for op in operators], zip_case=operators[0].stage == "zip")
        self._mutate(rng, operators, result)
        if result.zip_case:
            self._run_zip_commands(rng, result)
        else:
            self._run_package_commands(rng, result)
        return result

    def _mutate(self, rng: random.Random, operators: list[Operator], result: CaseResult) -> None:
        self.step("mutate")
        data = [op for op in operators if op.stage == "data"]
        for op in data:
            result.notes.append(self._apply(op, rng))
        if data and rng.random() < 0.6:
            # `newsfacts build` refreshes hashes and JSON tables, so the edit meets the row and table checks.
            self._rebuild(result)
        for op in operators:
            if op.stage != "data":
                result.notes.append(self._apply(op, rng))

    def _apply(self, op: Operator, rng: random.Random) -> str:
        try:
            return f"{op.name}: {op.mutate(rng, self.case)}"
        except Exception as error:  # an earlier operator left nothing this one can edit: still a case
            return f"{op.name}: not applicable ({type(error).__name__}: {str(error)[:80]})"

    def _rebuild(self, result: CaseResult) -> None:
        from newsfacts.build import build
        from newsfacts.package import Layout

        self.step("build")
        built, _, finding = call_api("build", lambda: build(Layout(self.case.package)))
        self._add(result, finding)
        if built is not None:
            result.notes.append("rebuilt" if not built.problems else "build refused")

    def _add(self, result: CaseResult, finding: Finding | None) -> None:
        if finding is not None:
            result.findings.append(finding)

    def _run_package_commands(self, rng: random.Random, result: CaseResult) -> None:
        import newsfacts

        self.step("validate")
        validated = run_cli("validate", ["validate", str(self.case.package), "--format", rng.choice(OUTPUT_FORMATS)])
        result.validate_exit = validated.exit
        self._add(result, validated.finding)
        self.step("load")
        loaded, error, finding = call_api("load", lambda: newsfacts.load(str(self.case.root)))
        self._add(result, finding)
        table = rng.choice(self.resources)["name"]
        self.step("load_table")
        self._add(result, call_api("load_table", lambda: newsfacts.load_table(table, str(self.case.root)))[2])
        if validated.exit == 0:
            self._check_valid_package("validate", self.case.root, loaded, error, result)
        if result.index % DIFF_EVERY == 0:
            sides = [str(self.pristine.root), str(self.case.root)]
            rng.shuffle(sides)
            self.step("diff")
            self._add(result, run_cli("diff", ["diff", *sides, "--format", rng.choice(["text", "json"])]).finding)
        if result.index % COVERAGE_EVERY == 1:
            self.step("coverage")
            argv = ["coverage", "--package", str(self.case.package), "--format", rng.choice(["text", "json"])]
            self._add(result, run_cli("coverage", argv).finding)
        if result.index % ADD_EVERY == 2:
            self.step("add")
            batch = self.output / "rows.yaml"
            batch.write_bytes(hostile_batch(rng))
            argv = ["add", "batch", str(batch), "--package", str(self.case.package), "--format", "json"]
            self._add(result, run_cli("add", argv + (["--dry-run"] if rng.random() < 0.5 else [])).finding)
        if result.index % EXPORT_EVERY == 0 and validated.exit != 0:
            self._export(self.case.root, result, must_succeed=False)
        if result.index % SITE_EVERY == 3:
            self._site(self.case.root, result, must_succeed=validated.exit == 0)

    def _site(self, root: Path, result: CaseResult, must_succeed: bool) -> None:
        """`newsfacts site`: catalogued problems or a site; and a site wherever `validate` passed."""
        self.step("site")
        made = run_cli("site", ["site", str(root), "--out", str(self.output / "site")])
        self._add(result, made.finding)
        if must_succeed and made.exit != 0 and made.finding is None:
            detail = f"validate passed, site failed: {made.stderr.strip()[:300]}"
            result.findings.append(
                Finding("false-valid", "validate→site", f"refused [{result.operators[0]}]", "-", detail)
            )

    def _run_zip_commands(self, rng: random.Random, result: CaseResult) -> None:
        import newsfacts

        target = self.case.root / "downloaded"
        self.step("download")
        downloaded = run_cli("download", ["download", "--from", self.base_url, "--to", str(target)])
        self._add(result, downloaded.finding)
        result.validate_exit = downloaded.exit
        self.step("load(zip)")
        from_zip, zip_error, finding = call_api("load(zip)", lambda: newsfacts.load(str(self.case.zip_path)))
        self._add(result, finding)
        if downloaded.exit == 0:
            self.step("load(downloaded)")
            loaded, error, finding = call_api("load", lambda: newsfacts.load(str(target)))
            self._add(result, finding)
            self._check_valid_package("download", target, loaded, error, result)
            self._check_same_values("download", "load(zip)", target, from_zip, zip_error, result)
        if result.index % DIFF_EVERY == 0:
            self.step("diff")
            self._add(result, run_cli("diff", ["diff", str(self.pristine.root), str(self.case.zip_path)]).finding)

    def _check_valid_package(
        self, gate: str, root: Path, loaded: Any, error: BaseException | None, result: CaseResult
    ) -> None:
        """A package that GATE passed must load to the strict reading of its CSVs, and export."""
        if self._check_same_values(gate, "load", root, loaded, error, result):
            # An export reads what load() reads; after a failed load it would only fail the same way.
            self._export(root, result, must_succeed=True, gate=gate)

    def _check_same_values(
        self, gate: str, command: str, root: Path, loaded: Any, error: BaseException | None, result: CaseResult
    ) -> bool:
        """True when COMMAND returned the strict reading of ROOT's CSVs; otherwise a false-valid finding."""
        # The cause of a false valid is the mutation that slipped through, so its key names the operator.
        operator = result.operators[0]
        if error is not None:
            code = getattr(error, "code", type(error).__name__)
            detail = f"{gate} passed, {command} raised {error}"
            result.findings.append(Finding("false-valid", f"{gate}→{command}", f"{code} [{operator}]", "-", detail))
            return False
        try:
            expected = strict_tables(root / "datapackage", self.resources)
        except StrictReadError as rejected:
            detail = f"{gate} passed a file the strict reading rejects: {rejected}"
            result.findings.append(Finding("false-valid", f"{gate}→{command}", f"strict [{operator}]", "-", detail))
            return False
        difference = first_difference(expected, loaded)
        if difference is not None:
            detail = f"{gate} passed, {command} returns other values: {difference}"[:500]
            result.findings.append(Finding("false-valid", f"{gate}→{command}", f"values [{operator}]", "-", detail))
            return False
        return True

    def _export(self, root: Path, result: CaseResult, must_succeed: bool, gate: str = "") -> None:
        for kind, output in (("sqlite", self.output / "out.sqlite"), ("parquet", self.output / "parquet")):
            self.step(f"export {kind}")
            exported = run_cli(
                f"export {kind}", ["export", "--to", kind, str(output), "--source", str(root), "--force"]
            )
            self._add(result, exported.finding)
            if must_succeed and exported.exit != 0 and exported.finding is None:
                detail = f"{gate} passed, export --to {kind} failed: {exported.stderr.strip()[:300]}"
                operator = result.operators[0]
                command = f"{gate}→export {kind}"
                result.findings.append(Finding("false-valid", command, f"refused [{operator}]", "-", detail))


def worker_main(connection: Connection, directory: Path, seed: int) -> None:
    """The worker process: ("ready",), then per case index ("step", …)* and ("done", CaseResult)."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chdir(directory)
    # Output that bypasses sys.stdout/sys.stderr (C libraries, tracebacks printed after a case) lands
    # in a log that is scanned after each case; it never reaches the fuzzer's own output.
    log_fd = os.open(directory / "worker.log", os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    hang_dump = (directory / "hang.txt").open("w+")
    # A C-level handler: it writes the stacks even while the case is blocked in a system call.
    faulthandler.register(signal.SIGUSR1, file=hang_dump, all_threads=True)
    worker = Worker(directory, seed, lambda name: connection.send(("step", name)))
    connection.send(("ready",))
    while (index := connection.recv()) is not None:
        os.ftruncate(log_fd, 0)
        os.lseek(log_fd, 0, os.SEEK_SET)
        result = worker.run_case(index)
        sys.stderr.flush()
        logged = (directory / "worker.log").read_text(encoding="utf-8", errors="replace")
        if TRACEBACK in logged:
            result.findings.append(finding_from_text("(worker stderr)", logged))
        connection.send(("done", result))
