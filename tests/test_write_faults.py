"""A file that cannot be written gives a catalogued problem and exit status 2, never a traceback.

Tests run as root, whom a read-only folder does not stop; a regular file where a folder must be
created, a folder where a file must be replaced, and an OSError raised by the system call itself
fail for root too.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from newsfacts.build import build
from newsfacts.cli import main
from newsfacts.package import Layout
from newsfacts.validate import validate

from .test_build import LEFTOVER_CODES, add_entity_with_crlf, snapshot
from .test_release import make_project

ZIP = "newsfacts-fixture-1.0.0.zip"


def disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[tuple[str, str]]]:
    """Exit status, and each problem as (code, path); fails on any traceback (an uncaught exception)."""
    status = main([*args, "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, [(item["code"], item["path"]) for item in json.loads(out)]


# command -> (what goes wrong, code, path that the problem names, relative to the scratch folder)
FAULTS = [
    ("build", "folder", "write-failed", "project/datapackage/data/entities.json"),
    ("build", "disk-full", "disk-full", "project/datapackage/data/entities.csv"),
    ("pack", "file", "write-failed", f"blocker/dist/{ZIP}"),
    ("pack", "disk-full", "disk-full", f"dist/{ZIP}"),
    ("release", "file", "write-failed", f"blocker/dist/{ZIP}"),
    ("report", "file", "write-failed", "blocker/site"),
]


@pytest.mark.parametrize(("command", "fault", "code", "path"), FAULTS)
def test_a_failed_write_is_a_problem_with_exit_status_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    fault: str,
    code: str,
    path: str,
) -> None:
    layout = make_project(tmp_path / "project")
    if command == "build":
        add_entity_with_crlf(layout)  # so that there is something to write
    (tmp_path / "blocker").write_text("a regular file where a folder is needed\n", encoding="utf-8")
    out = tmp_path / ("blocker" if fault == "file" else "") / ("site" if command == "report" else "dist")
    if fault == "folder":
        layout.json("entities").unlink()
        layout.json("entities").mkdir()
    if fault == "disk-full":
        monkeypatch.setattr(os, "fsync", disk_full)
    before = snapshot(tmp_path)

    args = [command, str(layout.package_dir)] + ([] if command == "build" else ["--out", str(out)])
    status, problems = run_json(args, capsys)

    assert (status, problems) == (2, [(code, str(tmp_path / path))])
    if command != "release":  # a release has already written the new version into its files
        assert snapshot(tmp_path) == before  # no file changed, no temporary file left


def test_a_build_that_fails_renaming_is_finished_by_the_next(
    project_copy: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entity_with_crlf(project_copy)
    real_replace, calls = os.replace, []

    def replace_failing_third(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 3:  # the journal's rename came first: this is the second file's
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_failing_third)
    failed = build(project_copy)
    monkeypatch.undo()

    assert [(p.code, p.path) for p in failed.problems] == [("write-failed", str(project_copy.json("entities")))]
    assert [p.code for p in validate(project_copy, rows_only=True) if p.code == "build-interrupted"] == [
        "build-interrupted"
    ]
    # The entity's CSV and JSON and every document that counts or hashes them change (7 files); the one
    # renamed before the failure is already new.
    assert len(build(project_copy).written) == 6
    assert build(project_copy, check=True).problems == []
    assert [p for p in validate(project_copy, rows_only=True) if p.code in LEFTOVER_CODES] == []
