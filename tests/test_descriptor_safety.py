"""Nothing in a descriptor runs: a payload in every string of datapackage.json (issue 13).

The payloads of tests/test_suite_safety.py, plus shell ones, go into every string value and every
key of the descriptor at once, and, separately, into each descriptive string only (so that the
rest of the package stays valid and reaches every reader). `validate`, `load()`, both exports,
`diff` and the Data Docs report then run; none may create the marker, and each ends in
catalogued problems or a clean result, never an exception.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from newsfacts import NewsfactsError, load
from newsfacts.diff import diff_sides
from newsfacts.exporters.parquet import export_parquet
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.package import Layout
from newsfacts.report import write_report
from newsfacts.validate import validate

from .conftest import ROOT, fixture_root
from .test_suite_safety import PAYLOADS

SHELL_PAYLOADS = ["$(touch MARKER)", "`touch MARKER`", "; touch MARKER", "| touch MARKER"]


def with_payload(value: Any, payload: str, keys: bool) -> Any:
    """Every string of a JSON value replaced by the payload (and every key, when `keys`)."""
    if isinstance(value, dict):
        return {(payload + key if keys else key): with_payload(item, payload, keys) for key, item in value.items()}
    if isinstance(value, list):
        return [with_payload(item, payload, keys) for item in value]
    return payload if isinstance(value, str) else value


def descriptive_with_payload(descriptor: dict[str, Any], payload: str) -> dict[str, Any]:
    """The payload in the package's title and description and in each resource's and field's description."""
    changed = {**descriptor, "title": payload, "description": payload}
    for resource in changed["resources"]:
        resource["description"] = payload
        for field in resource["schema"]["fields"]:
            field["description"] = payload
    return changed


def run_every_reader(layout: Layout, scratch: Path) -> None:
    validate(layout)
    for read in (
        lambda: load(layout.descriptor),
        lambda: export_sqlite(scratch / "out.db", layout.descriptor, force=True),
        lambda: export_parquet(scratch / "parquet", layout.descriptor, force=True),
    ):
        with contextlib.suppress(NewsfactsError):
            read()
    with contextlib.suppress(NewsfactsError):
        diff_sides(str(fixture_root("minimal-valid")), str(layout.root), ROOT)


@pytest.mark.parametrize("payload", [*PAYLOADS, *SHELL_PAYLOADS])
@pytest.mark.parametrize("where", ["every string and key", "descriptive text"])
def test_no_payload_in_a_descriptor_runs(payload: str, where: str, tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    live = payload.replace("MARKER", str(marker))
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    if where == "descriptive text":
        changed = descriptive_with_payload(descriptor, live)
    else:
        changed = with_payload(descriptor, live, keys=True)
    layout.descriptor.write_text(json.dumps(changed), encoding="utf-8")
    run_every_reader(layout, tmp_path)
    assert not marker.exists()


def test_a_report_of_a_package_with_payloads_runs_none(tmp_path: Path) -> None:
    # The Data Docs are rendered with Jinja: descriptive text is shown, never rendered as a template.
    marker = tmp_path / "MARKER"
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "project")
    layout = Layout(tmp_path / "project" / "datapackage")
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    every = " ".join(payload.replace("MARKER", str(marker)) for payload in [*PAYLOADS, *SHELL_PAYLOADS])
    layout.descriptor.write_text(json.dumps(descriptive_with_payload(descriptor, every)), encoding="utf-8")
    write_report(layout, tmp_path / "report")
    assert not marker.exists()
