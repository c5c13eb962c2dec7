"""`newsfacts validate` on named fixture packages: each defect gives its code at its place."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from newsfacts.build import build, typed_rows
from newsfacts.engine import read_table
from newsfacts.limits import Limits
from newsfacts.models import Quote
from newsfacts.models.metadata import DESCRIPTIVE_KEYS
from newsfacts.package import Layout, load_metadata, read_tables
from newsfacts.problems import CATALOGUE, Problem, codes
from newsfacts.validate import expected_descriptor, validate

from .conftest import ROOT, fixture_layout
from .fixtures import EXPECTED_PROBLEMS, FIXTURES, SPECS, Row


def sort_key(row: Row) -> tuple[str, int, str, str]:
    return (row[0], row[1] or 0, row[2] or "", row[3])


def located(problems: list[Problem], package_dir: Path) -> list[Row]:
    """Each problem as (file relative to the package dir, line, field, code)."""
    rows = [
        (Path(os.path.relpath(os.path.abspath(p.path), package_dir.absolute())).as_posix(), p.line, p.field, p.code)
        for p in problems
    ]
    return sorted(rows, key=sort_key)


def test_every_fixture_is_declared_once() -> None:
    assert len(FIXTURES) == len(SPECS)


# In-process, so any uncaught exception (a traceback for the user) fails the test.
@pytest.mark.parametrize("name", sorted(EXPECTED_PROBLEMS))
def test_fixture_problems(name: str) -> None:
    layout = fixture_layout(name)
    assert located(validate(layout), layout.package_dir) == sorted(EXPECTED_PROBLEMS[name], key=sort_key)


# Codes of the groups that `validate` never reports: each command's own are tested with it.
ELSEWHERE = codes(
    "release",
    "archive",
    "download",
    "load",
    "export",
    "output",
    "write",
    "internal",
    "coverage",
    "usage",
    "add",
    "install",
)
# Codes that only `newsfacts build` reports, or that test_build.py provokes (a stopped build, prose-stale).
BUILD_CODES = {"duplicate-key", "stale-file", "build-interrupted", "stale-temp-file", "prose-stale", "citation-invalid"}
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
    covered = {code for rows in EXPECTED_PROBLEMS.values() for (_, _, _, code) in rows}
    assert set(CATALOGUE) - covered - ELSEWHERE - BUILD_CODES - LIMIT_CODES - PASSTHROUGH == set()


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        (
            Limits(max_cell_chars=66),
            [
                ("data/event_sources.csv", 3, "text", "cell-too-large"),
                ("data/sanction_sources.csv", 2, "text", "cell-too-large"),
            ],
        ),
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
    _, problems = read_table(path, Quote, tmp_path, Limits())
    assert [(p.line, p.field, p.code) for p in problems] == [(2, "speaker_as_printed", "formula-injection")]


def test_real_package_is_valid() -> None:
    assert validate(Layout(ROOT / "datapackage")) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # A link to the same text elsewhere in seeds/ is read like the file itself.
        ("seeds/elsewhere.txt", []),
        ("outside.txt", [("seeds/000_minimal.txt", None, None, "unsafe-path")]),
    ],
)
def test_a_seed_may_link_only_inside_seeds(fixture_copy: Any, target: str, expected: list[Row]) -> None:
    layout = fixture_copy("minimal-valid")
    seed = layout.seeds_dir / "000_minimal.txt"
    (layout.package_dir / target).write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(layout.package_dir / target)
    assert located(validate(layout), layout.package_dir) == expected


def test_the_package_metadata_is_only_descriptive_keys() -> None:
    # A downloaded release has no metadata.toml: validate then accepts only these keys beside what
    # build derives, so a key added to metadata.toml must be one of them, or releases stop validating.
    metadata, problems = load_metadata(Layout(ROOT / "datapackage"))
    assert problems == [] and metadata is not None
    assert set(metadata["package"]) <= DESCRIPTIVE_KEYS


def _edit_descriptor(layout: Layout, edit: Any) -> None:
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    edit(descriptor)
    layout.descriptor.write_text(json.dumps(descriptor), encoding="utf-8")


def _fields(descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = descriptor["resources"][0]["schema"]["fields"]
    return fields


@pytest.mark.parametrize(
    ("edit", "release", "expected"),
    [
        # A release keeps the words and the sources its toolkit wrote; a checkout is what build writes.
        (lambda d: _fields(d)[0].update(description="Worded otherwise."), True, []),
        (lambda d: d.update(sources=[{"title": "As 1.1.0 named it (seeds/000.txt)"}]), True, []),
        (lambda d: d["resources"][0]["schema"].update({"newsfacts:labelField": "name"}), True, []),
        (
            lambda d: _fields(d)[0].update(description="Worded otherwise."),
            False,
            ["resources[0].schema.fields[0].description"],
        ),
        (lambda d: d.update(sources=[{"title": "Other"}]), False, ["sources[0].path", "sources[0].title"]),
        # What changes a value a client reads is never a release's to change.
        (lambda d: _fields(d)[0].update(type="integer"), True, ["resources[0].schema.fields[0].type"]),
    ],
)
def test_a_release_may_word_its_descriptor_as_its_toolkit_did(
    fixture_copy: Any, edit: Any, release: bool, expected: list[str]
) -> None:
    layout = fixture_copy("minimal-valid")
    if release:
        layout.metadata.unlink()  # a release has no metadata.toml
    _edit_descriptor(layout, edit)
    mismatches = [p.field for p in validate(layout) if p.code == "descriptor-mismatch"]
    assert mismatches == expected


@pytest.mark.parametrize(
    ("articles_valid", "entities_valid", "release", "unchecked"),
    [
        (True, True, False, set()),
        (True, False, False, {"contributors"}),  # the publishers are named from the entities
        (False, True, False, {"sources", "contributors"}),
        (True, True, True, {"sources", "contributors"}),  # a release's are as its toolkit wrote them
    ],
)
def test_sources_and_contributors_are_checked_when_the_rows_they_come_from_are_valid(
    fixture_copy: Any, articles_valid: bool, entities_valid: bool, release: bool, unchecked: set[str]
) -> None:
    layout = fixture_copy("minimal-valid")
    if release:
        layout.metadata.unlink()
    tables, problems = read_tables(layout)
    typed, _ = typed_rows(tables)
    articles = typed["articles"] if articles_valid else None
    entities = typed["entities"] if entities_valid else None
    expected, complete, _, found = expected_descriptor(layout, tables, articles, entities)
    assert (found, complete, problems) == (unchecked, not release, [])
    assert not unchecked & expected.keys()


# A release's descriptive keys -> what validate finds: a release has no metadata.toml to compare them
# with, but each must still be what the Data Package profile allows, or no client reads the package.
RELEASE_METADATA: list[tuple[dict[str, Any], list[Row]]] = [
    (
        {
            "title": "<script>alert(1)</script>",
            "homepage": "https://example.org/",
            "contributors": [{"title": "A", "roles": ["publisher"]}],
        },
        [],
    ),
    ({"contributors": 5}, [("datapackage.json", None, "contributors", "descriptor-invalid")]),
    (
        {"contributors": [{"title": None, "roles": "publisher"}]},
        [
            ("datapackage.json", None, "contributors[0].roles", "descriptor-invalid"),
            ("datapackage.json", None, "contributors[0].title", "descriptor-invalid"),
        ],
    ),
    (
        {"homepage": 5, "name": None},
        [("datapackage.json", None, f, "descriptor-invalid") for f in ("homepage", "name")],
    ),
    (
        {"licenses": [{"name": 5}], "version": [1]},
        [
            ("datapackage.json", None, "licenses[0].name", "descriptor-invalid"),
            ("datapackage.json", None, "version", "descriptor-invalid"),
        ],
    ),
]


@pytest.mark.parametrize(("values", "expected"), RELEASE_METADATA)
def test_a_releases_descriptive_keys_must_be_what_the_profile_allows(
    fixture_copy: Any, values: dict[str, Any], expected: list[Row]
) -> None:
    layout = fixture_copy("minimal-valid")
    layout.metadata.unlink()  # as in a release
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    layout.descriptor.write_text(json.dumps({**descriptor, **values}), encoding="utf-8")
    assert located(validate(layout), layout.package_dir) == expected


# A line added to metadata.toml's [package] -> what `build` and `validate` find: build refuses
# what would write a descriptor no client reads (and crashed on `contributors = "x"`).
CHECKOUT_METADATA: list[tuple[str, list[Row]]] = [
    ('homepage = "https://example.org/"', []),
    ('contributors = "x"', [("metadata.toml", None, "package.contributors", "descriptor-invalid")]),
    ("homepage = 5", [("metadata.toml", None, "package.homepage", "descriptor-invalid")]),
    (
        'profile = "https://example.com/profile.json"',
        [("metadata.toml", None, "package.profile", "descriptor-invalid")],
    ),
]


@pytest.mark.parametrize(("line", "expected"), CHECKOUT_METADATA)
def test_metadata_toml_holds_only_descriptive_keys_as_the_profile_allows(
    fixture_copy: Any, line: str, expected: list[Row]
) -> None:
    layout = fixture_copy("minimal-valid")
    metadata = layout.metadata.read_text(encoding="utf-8")
    layout.metadata.write_text(metadata.replace("[package]\n", f"[package]\n{line}\n", 1), encoding="utf-8")
    assert located(build(layout).problems, layout.package_dir) == expected
    if expected:
        assert located(validate(layout), layout.package_dir) == expected
