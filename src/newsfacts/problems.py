"""The error catalogue: every problem newsfacts reports has a stable code from this list.

Check functions return lists of `Problem`; they never print or exit. The CLI formats them.
Tests assert codes and locations, never the wording of messages.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# code -> message template. Placeholders are filled from the keyword arguments of `problem()`.
CATALOGUE: dict[str, str] = {
    # Anything else: a bug in newsfacts
    "internal-error": "newsfacts failed unexpectedly ({detail}); this is a bug: please report it with the "
    "command you ran (NEWSFACTS_TRACEBACK=1 shows where it failed)",
    # Reading files
    "file-missing": "file cannot be read: {detail}",
    "encoding-error": "file is not valid UTF-8: {detail}",
    "csv-error": "CSV cannot be parsed: {detail}",
    "unsafe-path": "refusing to read a path outside the package: {detail}",
    "file-too-large": "file has {size} bytes, over the limit of {limit} (see --max-file-bytes)",
    "bom": "file starts with a byte order mark; save it as UTF-8 without BOM",
    "control-character": "line contains the control character {char}",
    "duplicate-header": "header repeats the column(s) {names}",
    "cell-too-large": "cell has {size} characters, over the limit of {limit} (see --max-cell-chars)",
    "formula-injection": "cell starts with {prefix}, which spreadsheets run as a formula; rephrase the value",
    "unknown-profile": "unsupported $schema {detail}; expected {expected}",
    "unsupported-hash": "hash {detail} is not supported; use sha256:<64 hex digits> (run `newsfacts build`)",
    "header-mismatch": "header does not match the table schema: {detail}",
    "row-length": "row has {found} cells, the header has {expected}",
    "duplicate-key": "primary key {key} also appears on line {other_line}; rows are never merged",
    # Pydantic row validation
    "row-invalid": "{detail}",
    # Frictionless validation (its error types, passed through under a stable code)
    "frictionless-error": "{detail}",
    "type-error": "{detail}",
    "constraint-error": "{detail}",
    "unique-error": "{detail}",
    "primary-key": "{detail}",
    "foreign-key": "{detail}",
    "missing-cell": "{detail}",
    "extra-cell": "{detail}",
    "blank-row": "{detail}",
    "hash-count": "{detail}; run `newsfacts build` to refresh datapackage.json",
    "byte-count": "{detail}; run `newsfacts build` to refresh datapackage.json",
    # Generated files
    "json-schema": "JSON table does not match schema/{table}.schema.json: {detail}",
    "json-stale": "JSON table does not match the CSV ({detail}); run `newsfacts build`",
    "stale-file": "generated file is out of date; run `newsfacts build` to regenerate it",
    "descriptor-invalid": "datapackage.json is not a valid descriptor: {detail}",
    "descriptor-mismatch": "datapackage.json is not what `newsfacts build` writes: {detail}; run `newsfacts build`",
    "structure-first": "{count} file(s) could not be read as tables; fix them first, then validate again",
    # Seeds and provenance
    "seed-missing": "seed file not found: {detail}",
    "seed-hash-mismatch": "sha256 of {detail} does not match the seed file's bytes ({actual})",
    "span-out-of-range": "offsets [{start}, {end}) fall outside the seed text of {length} characters",
    "span-mismatch": "text does not match the seed at [{start}, {end}): seed has {actual!r}",
    # Curation rules
    "source-missing": "{table} row {key} has no verbatim source in {sources}",
    "speaker-type": "speaker {entity} is a {entity_type}; a speaker must be a person, organization or government",
    "date-order": "end_date {end} is before start_date {start}",
    "date-precision": "{detail}",
    "utterance-speaker-conflict": "utterance {utterance} is said by {speaker} here but by {other} in {other_quote}",
    "entity-unreferenced": "entity {entity} is not referenced by any row of any other table",
    "alias-unattested": "alias {alias!r} of {entity} does not occur in entity_mentions",
    "unknown-entity": "{detail} is not an entity_id",
    # Great Expectations suites (datapackage/expectations/): "{rule}" is the expectation's notes
    "suite-missing": "no expectation suite for table {table}; copy it from the project's datapackage/expectations/",
    "suite-invalid": "expectation suite cannot be used: {detail}",
    # Changes to what was released (releases/; acknowledged in releases/ACKNOWLEDGED.toml)
    "release-record-invalid": "release record cannot be read: {detail}",
    "released-seed-changed": (
        "{seed} was released in {version} with sha256 {expected} and is {actual} now; a released seed keeps its"
        ' bytes, unless releases/ACKNOWLEDGED.toml has [[seed]] seed = "{seed}", sha256 = "{actual}" and a reason'
    ),
    "released-rule-removed": (
        "rule {index} of {table} in release {version} ({rule}) is gone from the suite; restore it, or give"
        ' releases/ACKNOWLEDGED.toml [[rule]] release = "{version}", suite = "{table}", expectation = {index}'
        " and a reason"
    ),
    "released-rule-weakened": (
        "rule {index} of {table} in release {version} ({rule}) is weaker now: {detail}; restore it, or give"
        ' releases/ACKNOWLEDGED.toml [[rule]] release = "{version}", suite = "{table}", expectation = {index}'
        " and a reason"
    ),
    "acknowledgement-invalid": "acknowledgement cannot be used: {detail}",
    "acknowledgement-stale": "acknowledges {detail}, which is not a change from any release; remove it",
    # Releases: diff, release, pack, download
    "side-unreadable": "cannot compare: {detail}",
    "nothing-to-release": "the package is identical to release {version}; nothing to release",
    "bump-too-small": "a {bump} release is too small: the changes need a {required} release ({reasons})",
    "download-failed": "cannot download: {detail}",
    "checksum-missing": "SHA256SUMS does not list {detail}",
    "hash-mismatch": "sha256 is {actual}, but SHA256SUMS says {expected}; the download is corrupt or tampered with",
    "zip-corrupt": "the release zip is damaged: {detail}",
    "zip-slip": "the release zip is unsafe: {detail}; nothing was unpacked",
    "zip-too-large": "the release zip unpacks past a limit (a zip bomb?): {detail}; nothing was kept",
    "zip-duplicate-entry": "the release zip is ambiguous: {detail}; nothing was kept",
    "zip-unexpected-entry": "the release zip holds more than a release: {detail}; nothing was kept",
    "zip-unsupported": "the release zip cannot be read safely: {detail}; nothing was kept",
    "target-exists": "{detail} already exists and is not empty; choose another --to",
    "download-invalid": "the downloaded package has {count} problem(s), listed below; nothing was kept",
    # Writing files: build, pack, report, release
    "write-failed": "could not write: {reason}",
    "disk-full": "the disk is full ({reason}); free some space and run the command again",
    "build-interrupted": "a `newsfacts build` was stopped while it replaced files, so old and new files may be "
    "mixed; run `newsfacts build` to finish it",
    "stale-temp-file": "temporary file left by a stopped `newsfacts build`; run `newsfacts build` to remove it",
    "report-target": "refusing to replace {detail}: it is not empty and not a report written by `newsfacts report`",
    "expectation-failed": "{rule} ({detail})",
    "id-pattern": "{rule} ({detail})",
    "date-window": "{rule} ({detail})",
    "span-order": "{rule} ({detail})",
    "span-length": "{rule} ({detail})",
    "duplicate-span": "{rule} ({detail})",
    "duplicate-name": "{rule} ({detail})",
    "article-without-quote": "{rule} ({detail})",
    "event-without-actor": "{rule} ({detail})",
    "imposer-type": "{rule} ({detail})",
    "actor-type": "{rule} ({detail})",
}

# Codes that mean an operation could not run, rather than that it found problems in the data.
COULD_NOT_RUN = frozenset({"write-failed", "disk-full"})


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    field: str | None
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line or ''}:{self.field or ''}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def display_path(path: Path | str) -> str:
    """A path relative to the working directory when it lies below it, else absolute."""
    if isinstance(path, str) and "://" in path:  # a URL: Path would fold its `//`
        return path
    path = Path(path)
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a vanished cwd
        return str(path)


def problem(code: str, path: Path | str, line: int | None = None, field: str | None = None, **values: Any) -> Problem:
    """Build a Problem from the catalogue; an unknown code is a programming error."""
    template = CATALOGUE[code]
    return Problem(display_path(path), line, field, code, template.format(**values))


def write_problem(path: Path | str, error: OSError) -> Problem:
    """`disk-full` when the disk is full, else `write-failed`, with the operating system's reason."""
    code = "disk-full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "write-failed"
    return problem(code, path, reason=error.strerror or str(error))


def exit_status(problems: Sequence[Problem]) -> int:
    """0 without problems, 2 when an operation could not run (a file could not be written), else 1."""
    if not problems:
        return 0
    return 2 if any(item.code in COULD_NOT_RUN for item in problems) else 1


class NewsfactsError(Exception):
    """The one exception newsfacts raises for a problem it names: a stable catalogue code, and what is wrong where."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
