"""`newsfacts validate` on named fixture packages: each defect gives its code at its place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from newsfacts.checks.descriptor import DESCRIPTIVE_KEYS
from newsfacts.engine import read
from newsfacts.limits import Limits
from newsfacts.models import Quote
from newsfacts.package import Layout, load_metadata
from newsfacts.problems import CATALOGUE, Problem, codes
from newsfacts.validate import validate

from .conftest import FIXTURES, ROOT, fixture_layout

# fixture -> expected problems as (file relative to the package dir, line, field, code)
EXPECTED: dict[str, list[Row]] = {
    "minimal-valid": [],
    "quotes-invalid": [
        ("data/quotes.csv", 2, "text", "span-mismatch"),
        ("data/quotes.csv", 3, "quote_type", "row-invalid"),
    ],
    "span-out-of-range": [
        ("data/event_sources.csv", 2, "char_end", "span-out-of-range"),
        ("data/event_sources.csv", 2, "text", "span-length"),
    ],
    "header-mismatch": [
        ("data/quotes.csv", 1, None, "header-mismatch"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "ragged-row": [
        ("data/event_actors.csv", 3, None, "row-length"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "unbalanced-quote": [
        ("data/event_actors.csv", 2, None, "csv-error"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "not-utf8": [
        ("data/events.csv", 1, None, "encoding-error"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "table-missing": [
        ("data/sanction_sources.csv", None, None, "file-missing"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "foreign-key-broken": [("data/quotes.csv", 2, "speaker_id", "foreign-key")],
    "stale-descriptor": [
        ("data/entities.csv", None, None, "byte-count"),
        ("data/entities.csv", None, None, "hash-mismatch"),
        ("data/entities.json", 2, "description", "json-stale"),
    ],
    "json-stale": [("data/entities.json", 2, "name", "json-stale")],
    "descriptor-mismatch": [
        ("datapackage.json", None, "resources[3].bytes", "descriptor-mismatch"),
        ("datapackage.json", None, "resources[3].hash", "descriptor-mismatch"),
        ("datapackage.json", None, "resources[3].path", "descriptor-mismatch"),
    ],
    "integer-grammar": [
        ("data/articles.csv", 2, "article_id", "article-without-quote"),
        ("data/quotes.csv", 2, "char_end", "row-invalid"),
        ("data/quotes.csv", 2, "char_start", "row-invalid"),
    ],
    "json-schema-invalid": [
        ("data/quotes.json", 2, "char_start", "json-schema"),
        ("data/quotes.json", 2, "char_start", "json-stale"),
    ],
    "seed-missing": [("data/articles.csv", 2, "seed_file", "seed-missing")],
    "seed-hash-mismatch": [("data/articles.csv", 2, "sha256", "seed-hash-mismatch")],
    "source-missing": [("data/sanctions.csv", 3, "sanction_id", "source-missing")],
    "speaker-type": [("data/quotes.csv", 2, "speaker_id", "speaker-type")],
    "date-order": [
        ("data/events.csv", 2, "end_date", "date-order"),
        ("data/events.csv", 2, "end_date", "date-precision"),
    ],
    "date-precision": [("data/events.csv", 2, "start_date", "date-precision")],
    "utterance-speaker-conflict": [("data/quotes.csv", 3, "speaker_id", "utterance-speaker-conflict")],
    "entity-unreferenced": [("data/entities.csv", 3, "entity_id", "entity-unreferenced")],
    "alias-unattested": [("data/entities.csv", 2, "aliases", "alias-unattested")],
    "co-speaker-unknown": [("data/quotes.csv", 2, "co_speaker_ids", "unknown-entity")],
    "duplicate-entity": [
        ("data/entities.csv", 2, "name", "duplicate-name"),
        ("data/entities.csv", 5, "entity_id", "primary-key"),
        ("data/entities.csv", 5, "entity_id", "unique-error"),
        ("data/entities.csv", 5, "name", "duplicate-name"),
    ],
    # Hostile input: nothing outside the package is read, and each case has its own code.
    "path-absolute": [("datapackage.json", None, "resources[0].path", "unsafe-path")],
    "path-dotdot": [("datapackage.json", None, "resources[0].path", "unsafe-path")],
    "path-file-url": [("datapackage.json", None, "resources[0].path", "unsafe-path")],
    "path-http-url": [("datapackage.json", None, "resources[0].path", "unsafe-path")],
    "path-hidden": [("datapackage.json", None, "resources[0].path", "unsafe-path")],
    "symlink-outside": [
        ("data/entities.csv", None, None, "unsafe-path"),
        ("datapackage.json", None, "resources[0].path", "unsafe-path"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "bom": [("data/entities.csv", 1, None, "bom"), ("datapackage.json", None, None, "structure-first")],
    "nul-byte": [
        ("data/entities.csv", 2, None, "control-character"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "control-character": [
        ("data/entities.csv", 3, None, "control-character"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "duplicate-header": [
        ("data/event_actors.csv", 1, "role", "duplicate-header"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "extra-column": [
        ("data/event_actors.csv", 2, None, "row-length"),
        ("datapackage.json", None, None, "structure-first"),
    ],
    "formula-injection": [
        ("data/entities.csv", 2, "description", "formula-injection"),
        ("data/entities.csv", 3, "name", "formula-injection"),
        ("data/entities.csv", 4, "description", "formula-injection"),
        # The build refuses such rows, so the fixture's JSON still holds the old values.
        ("data/entities.json", 2, "description", "json-stale"),
        ("data/entities.json", 3, "name", "json-stale"),
        ("data/entities.json", 4, "description", "json-stale"),
    ],
    "unknown-profile": [("datapackage.json", None, "$schema", "unknown-profile")],
    "sha1-hash": [("datapackage.json", None, "resources[0].hash", "unsupported-hash")],
    "descriptor-broken": [("datapackage.json", 2, None, "descriptor-invalid")],
    # Great Expectations suites (datapackage/expectations/)
    "date-window": [
        ("data/events.csv", 2, "end_date", "date-window"),
        ("data/events.csv", 2, "start_date", "date-window"),
    ],
    "span-empty": [
        ("data/event_sources.csv", 2, "char_end", "span-order"),
        ("data/event_sources.csv", 2, "char_end", "span-out-of-range"),
        ("data/event_sources.csv", 2, "text", "span-length"),
    ],
    "duplicate-span": [
        ("data/quotes.csv", 2, "char_start", "duplicate-span"),
        ("data/quotes.csv", 3, "char_start", "duplicate-span"),
    ],
    "id-pattern": [("data/quotes.csv", 2, "quote_id", "id-pattern")],
    "article-without-quote": [("data/articles.csv", 2, "article_id", "article-without-quote")],
    "event-without-actor": [("data/events.csv", 2, "event_id", "event-without-actor")],
    "imposer-type": [("data/sanctions.csv", 2, "imposer_id", "imposer-type")],
    "duplicate-name": [
        ("data/entities.csv", 2, "name", "duplicate-name"),
        ("data/entities.csv", 3, "entity_id", "entity-unreferenced"),
        ("data/entities.csv", 3, "name", "duplicate-name"),
    ],
    "actor-type": [("data/event_actors.csv", 2, "entity_id", "actor-type")],
    "expectation-failed": [("data/quotes.csv", None, None, "expectation-failed")],
    "suite-invalid": [("expectations/entities.json", None, "expectations[1].type", "suite-invalid")],
    "suite-unknown-code": [("expectations/events.json", None, "expectations[0].meta.code", "suite-invalid")],
    "suite-missing": [("expectations/sanctions.json", None, None, "suite-missing")],
    "suite-row-condition": [
        ("expectations/sanctions.json", None, "expectations[0].kwargs.condition_parser", "suite-invalid"),
        ("expectations/sanctions.json", None, "expectations[0].kwargs.row_condition", "suite-invalid"),
    ],
    "suite-too-deep": [("expectations/events.json", None, None, "suite-invalid")],
    # Changes to what was released (releases/ beside the package)
    "released-seed-changed": [("../releases/1.0.0/data/articles.csv", 2, "sha256", "released-seed-changed")],
    "released-rule-removed": [
        ("../releases/1.0.0/expectations/sanctions.json", None, "expectations[1]", "released-rule-removed")
    ],
    "released-rule-weakened": [
        ("../releases/1.0.0/expectations/articles.json", None, "expectations[2]", "released-rule-weakened"),
        ("../releases/1.0.0/expectations/quotes.json", None, "expectations[3]", "released-rule-weakened"),
        ("../releases/1.0.0/expectations/sanctions.json", None, "expectations[0]", "released-rule-weakened"),
    ],
    "released-changes-acknowledged": [],
    "acknowledgement-stale": [
        ("../releases/ACKNOWLEDGED.toml", None, "rule[0]", "acknowledgement-stale"),
        ("../releases/ACKNOWLEDGED.toml", None, "seed[0]", "acknowledgement-stale"),
    ],
    "acknowledgement-invalid": [
        ("../releases/ACKNOWLEDGED.toml", None, "rule[0]", "acknowledgement-invalid"),
        ("../releases/ACKNOWLEDGED.toml", None, "rule[1]", "acknowledgement-invalid"),
        ("../releases/ACKNOWLEDGED.toml", None, "table", "acknowledgement-invalid"),
    ],
    "release-record-invalid": [
        ("../releases/1.0.0/data/articles.csv", 1, None, "release-record-invalid"),
        ("../releases/1.0.0/expectations/sanctions.json", 2, None, "release-record-invalid"),
    ],
}


Row = tuple[str, int | None, str | None, str]


def sort_key(row: Row) -> tuple[str, int, str, str]:
    return (row[0], row[1] or 0, row[2] or "", row[3])


def located(problems: list[Problem], package_dir: Path) -> list[Row]:
    """Each problem as (file relative to the package dir, line, field, code)."""
    rows = [
        (Path(os.path.relpath(os.path.abspath(p.path), package_dir.absolute())).as_posix(), p.line, p.field, p.code)
        for p in problems
    ]
    return sorted(rows, key=sort_key)


def test_every_fixture_package_has_expected_problems() -> None:
    packages = sorted(path.name for path in FIXTURES.iterdir() if not path.name.startswith("bump-"))
    assert packages == sorted(EXPECTED)


# In-process, so any uncaught exception (a traceback for the user) fails the test.
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_problems(name: str) -> None:
    layout = fixture_layout(name)
    assert located(validate(layout), layout.package_dir) == sorted(EXPECTED[name], key=sort_key)


# Codes of the groups that `validate` never reports: each command's own are tested with it.
ELSEWHERE = codes("release", "archive", "download", "load", "export", "output", "write", "internal")
# Codes that only `newsfacts build` reports, or that test_build.py provokes (a stopped build).
BUILD_CODES = {"duplicate-key", "stale-file", "build-interrupted", "stale-temp-file"}
LIMIT_CODES = {"cell-too-large", "file-too-large"}  # test_size_limits_are_configurable
# frictionless error types passed through under their own name, which no fixture here needs to
# provoke one by one.
PASSTHROUGH = {
    "frictionless-error",
    "type-error",
    "constraint-error",
    "missing-cell",
    "extra-cell",
    "blank-row",
}


def test_every_catalogue_code_has_a_fixture() -> None:
    covered = {code for rows in EXPECTED.values() for (_, _, _, code) in rows}
    assert set(CATALOGUE) - covered - ELSEWHERE - BUILD_CODES - LIMIT_CODES - PASSTHROUGH == set()


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (Limits(max_cell_chars=66), [("data/sanction_sources.csv", 2, "text", "cell-too-large")]),
        (
            Limits(max_file_bytes=1000),
            [
                ("datapackage.json", None, None, "file-too-large"),
                *[
                    (f"expectations/{t}.json", None, None, "file-too-large")
                    for t in ("articles", "event_actors", "events", "quotes")
                ],
            ],
        ),
    ],
)
def test_size_limits_are_configurable(limits: Limits, expected: list[Row]) -> None:
    layout = Layout(fixture_layout("minimal-valid").package_dir, limits)
    found = [row for row in located(validate(layout), layout.package_dir) if row[3] != "structure-first"]
    assert found == expected


def test_formula_prefix_is_allowed_in_verbatim_text(tmp_path: Path) -> None:
    header = list(Quote.model_fields)
    cells = dict.fromkeys(header, "x") | {"text": "+5 per cent", "speaker_as_printed": "=1+1"}
    path = tmp_path / "quotes.csv"
    path.write_text(",".join(header) + "\n" + ",".join(cells[name] for name in header) + "\n", encoding="utf-8")
    _, problems = read(path, Quote, tmp_path, Limits())
    assert [(p.line, p.field, p.code) for p in problems] == [(2, "speaker_as_printed", "formula-injection")]


def test_real_package_is_valid() -> None:
    assert validate(Layout(ROOT / "datapackage")) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # A link to the same text elsewhere in seeds/ is read like the file itself.
        ("seeds/elsewhere.txt", []),
        ("outside.txt", [("../seeds/000_minimal.txt", None, None, "unsafe-path")]),
    ],
)
def test_a_seed_may_link_only_inside_seeds(fixture_copy: Any, target: str, expected: list[Row]) -> None:
    layout = fixture_copy("minimal-valid")
    seed = layout.root / "seeds" / "000_minimal.txt"
    (layout.root / target).write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(layout.root / target)
    assert located(validate(layout), layout.package_dir) == expected


def test_the_package_metadata_is_only_descriptive_keys() -> None:
    # A downloaded release has no metadata.toml: validate then accepts only these keys beside what
    # build derives, so a key added to metadata.toml must be one of them, or releases stop validating.
    metadata, problems = load_metadata(Layout(ROOT / "datapackage"))
    assert problems == [] and metadata is not None
    assert set(metadata["package"]) <= DESCRIPTIVE_KEYS
