"""Regenerate the named fixture packages under tests/fixtures/.

`minimal-valid` is a tiny, complete package built from a synthetic seed text. Every other
fixture is a copy of it with one deliberate defect, named after what it breaks. Offsets are
computed here, never typed by hand.

    .venv/bin/python scripts/make_fixtures.py
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsfacts.build import build
from newsfacts.package import Layout
from newsfacts.tables import csv_bytes, json_bytes

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT / "tests" / "fixtures"
SEED_NAME = "000_minimal.txt"
SEED = (
    "Minister pledges action\n"
    "CAPITAL — The minister of Ruritania said on Monday: “We will act against Acme Corp.”\n"
    "The Ruritanian government announced sanctions on Acme Corp on Monday.\n"
)
# The seed with a line appended, which moves no span: a released seed changed (released-seed-changed).
CHANGED_SEED = SEED + "Corrected on Tuesday.\n"
METADATA = """[package]
name = "newsfacts-fixture"
id = "urn:uuid:00000000-0000-4000-8000-000000000000"
version = "1.0.0"
title = "A minimal newsfacts fixture"
description = "A tiny synthetic package for tests."
created = "2026-01-01T00:00:00Z"
keywords = ["fixture"]

[[package.licenses]]
name = "CC-BY-4.0"
path = "https://creativecommons.org/licenses/by/4.0/"
title = "Creative Commons Attribution 4.0"
"""


def span(text: str) -> list[str]:
    start = SEED.index(text)
    return [text, str(start), str(start + len(text))]


SHA = hashlib.sha256(SEED.encode("utf-8")).hexdigest()
TABLES: dict[str, list[list[str]]] = {
    "entities": [
        ["entity_id", "name", "entity_type", "aliases", "description", "country", "parent_id"],
        ["acme-corp", "Acme Corp", "organization", "", "A company.", "", ""],
        [
            "ruritania-government",
            "Ruritanian government",
            "government",
            "",
            "Government of Ruritania.",
            "",
            "",
        ],
        [
            "ruritania-minister",
            "minister of Ruritania",
            "person",
            "",
            "A minister.",
            "",
            "ruritania-government",
        ],
    ],
    "articles": [
        [
            "article_id",
            "seed_file",
            "sha256",
            "title",
            "outlet_id",
            "outlet_basis",
            "outlet_note",
            "authors",
            "published_date",
            "published_date_basis",
            "published_date_note",
            "dateline",
            "language",
            "url",
        ],
        [
            "art-000",
            f"seeds/{SEED_NAME}",
            SHA,
            "Minister pledges action",
            "",
            "unknown",
            "",
            "",
            "2024-09-02",
            "inferred",
            "“on Monday”",
            "CAPITAL",
            "en",
            "",
        ],
    ],
    "entity_mentions": [
        ["entity_id", "article_id", "text", "char_start", "char_end"],
        ["acme-corp", "art-000", *span("Acme Corp")],
        ["ruritania-government", "art-000", *span("Ruritanian government")],
        ["ruritania-minister", "art-000", *span("minister of Ruritania")],
    ],
    "quotes": [
        [
            "quote_id",
            "article_id",
            "speaker_id",
            "co_speaker_ids",
            "speaker_as_printed",
            "text",
            "char_start",
            "char_end",
            "quote_type",
            "utterance_id",
        ],
        [
            "q-000-01",
            "art-000",
            "ruritania-minister",
            "",
            "The minister of Ruritania",
            *span("We will act against Acme Corp."),
            "full",
            "u-minister-will-act",
        ],
    ],
    "events": [
        [
            "event_id",
            "event_type",
            "status",
            "start_date",
            "end_date",
            "date_precision",
            "date_basis",
            "date_note",
            "description",
            "location",
        ],
        [
            "ev-minister-statement",
            "statement",
            "occurred",
            "2024-09-02",
            "2024-09-02",
            "day",
            "inferred",
            "“on Monday”",
            "The minister said Ruritania will act against Acme Corp.",
            "CAPITAL",
        ],
    ],
    "event_actors": [
        ["event_id", "entity_id", "role"],
        ["ev-minister-statement", "ruritania-minister", "speaker"],
    ],
    "event_sources": [
        ["event_id", "article_id", "text", "char_start", "char_end"],
        ["ev-minister-statement", "art-000", *span("The minister of Ruritania said on Monday")],
    ],
    "sanctions": [
        [
            "sanction_id",
            "imposer_id",
            "target_id",
            "announced_date",
            "announced_date_basis",
            "status",
            "measures",
            "description",
        ],
        [
            "sn-ruritania-acme",
            "ruritania-government",
            "acme-corp",
            "2024-09-02",
            "inferred",
            "announced",
            "",
            "Ruritania announced sanctions on Acme Corp.",
        ],
    ],
    "sanction_sources": [
        ["sanction_id", "article_id", "text", "char_start", "char_end"],
        [
            "sn-ruritania-acme",
            "art-000",
            *span("The Ruritanian government announced sanctions on Acme Corp on Monday."),
        ],
    ],
}


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.write_bytes(csv_bytes(rows))


def edit_csv(root: Path, table: str, edit: Callable[[list[list[str]]], None]) -> None:
    path = root / "datapackage" / "data" / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    edit(rows)
    write_csv(path, rows)


def set_cell(table: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    """An edit that sets one cell; `line` counts the header as line 1."""

    def apply(root: Path) -> None:
        def edit(rows: list[list[str]]) -> None:
            rows[line - 1][rows[0].index(column)] = value

        edit_csv(root, table, edit)

    return apply


def drop_column(table: str, column: str) -> Callable[[Path], None]:
    def edit(rows: list[list[str]]) -> None:
        index = rows[0].index(column)
        for row in rows:
            del row[index]

    return lambda root: edit_csv(root, table, edit)


def append_row(table: str, row: list[str]) -> Callable[[Path], None]:
    return lambda root: edit_csv(root, table, lambda rows: rows.append(row))


def write_bytes(relative: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / relative).write_bytes(data)


def edit_json(table: str, index: int, field: str, value: object) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / "datapackage" / "data" / f"{table}.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        records[index][field] = value
        path.write_bytes(json_bytes(records))

    return apply


def edit_descriptor(edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / "datapackage" / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        edit(descriptor)
        path.write_bytes(json_bytes(descriptor))

    return apply


def first_resource(key: str, value: str) -> Callable[[Path], None]:
    return edit_descriptor(lambda descriptor: descriptor["resources"][0].__setitem__(key, value))


def point_quotes_at_entities(descriptor: dict[str, Any]) -> None:
    resource = next(r for r in descriptor["resources"] if r["name"] == "quotes")
    resource["path"] = "data/entities.csv"
    del resource["bytes"], resource["hash"]


def link_entities_outside(root: Path) -> None:
    """data/entities.csv becomes a symlink to a file outside the package (another fixture's)."""
    target = root / "datapackage" / "data" / "entities.csv"
    target.unlink()
    target.symlink_to("../../../minimal-valid/datapackage/data/entities.csv")


def insert_into_csv(table: str, line: int, column: str, prefix: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        def edit(rows: list[list[str]]) -> None:
            index = rows[0].index(column)
            rows[line - 1][index] = prefix + rows[line - 1][index]

        edit_csv(root, table, edit)

    return apply


def prepend_bytes(relative: str, data: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / relative
        path.write_bytes(data + path.read_bytes())

    return apply


def inject_formulas(root: Path) -> None:
    insert_into_csv("entities", 2, "description", '=HYPERLINK("http://x")')(root)
    insert_into_csv("entities", 3, "name", "@")(root)
    insert_into_csv("entities", 4, "description", "\t")(root)


def delete_rows(table: str) -> Callable[[Path], None]:
    """An edit that keeps only the header of a table."""
    return lambda root: edit_csv(root, table, lambda rows: rows.__delitem__(slice(1, None)))


def edit_suite(table: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / "datapackage" / "expectations" / f"{table}.json"
        suite = json.loads(path.read_text(encoding="utf-8"))
        edit(suite)
        path.write_bytes(json_bytes(suite))

    return apply


def add_expectation(table: str, expectation: dict[str, Any]) -> Callable[[Path], None]:
    return edit_suite(table, lambda suite: suite["expectations"].append(expectation))


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for edit in edits:
            edit(root)

    return apply


def record_release(root: Path) -> None:
    """Record the package as release 1.0.0 (the files `checks.released` reads), before the edit that follows."""
    record = root / "releases" / "1.0.0"
    (record / "data").mkdir(parents=True)
    shutil.copy(root / "datapackage" / "data" / "articles.csv", record / "data" / "articles.csv")
    shutil.copytree(root / "datapackage" / "expectations", record / "expectations")


def change_seed(root: Path) -> None:
    """Append a line to the seed, which moves no span, and record its new sha256 in articles."""
    seed = root / "seeds" / SEED_NAME
    seed.write_text(CHANGED_SEED, encoding="utf-8")
    set_cell("articles", 2, "sha256", hashlib.sha256(seed.read_bytes()).hexdigest())(root)


def acknowledge(text: str) -> Callable[[Path], None]:
    return write_bytes("releases/ACKNOWLEDGED.toml", text.encode("utf-8"))


def released_then(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    """Release 1.0.0 recorded, then the edits."""
    return both(record_release, *edits)


def set_kwarg(table: str, index: int, key: str, value: object) -> Callable[[Path], None]:
    return edit_suite(table, lambda suite: suite["expectations"][index]["kwargs"].__setitem__(key, value))


def drop_expectation(table: str, index: int) -> Callable[[Path], None]:
    return edit_suite(table, lambda suite: suite["expectations"].__delitem__(index))


def empty_span(root: Path) -> None:
    """An evidence span whose end equals its start."""
    start = span("The minister of Ruritania said on Monday")[1]
    set_cell("event_sources", 2, "char_end", start)(root)


def refresh(root: Path) -> None:
    """Make the derived files agree with the edited CSVs, so that only the intended defect shows.

    A full build does it when the rows still parse; otherwise only the descriptor's hashes.
    """
    result = build(Layout(root / "datapackage"))
    shutil.rmtree(root / "schema", ignore_errors=True)
    if result.problems:
        refresh_hashes(root)


def refresh_hashes(root: Path) -> None:
    descriptor_path = root / "datapackage" / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (root / "datapackage" / resource["path"]).read_bytes()
        resource["bytes"] = len(data)
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    descriptor_path.write_bytes(json_bytes(descriptor))


def make_base(root: Path) -> None:
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / SEED_NAME).write_text(SEED, encoding="utf-8")
    (root / "datapackage" / "data").mkdir(parents=True)
    (root / "datapackage" / "metadata.toml").write_text(METADATA, encoding="utf-8")
    for table, rows in TABLES.items():
        write_csv(root / "datapackage" / "data" / f"{table}.csv", rows)
    # Expectation suites travel with the package, so each fixture carries the project's.
    shutil.copytree(PROJECT / "datapackage" / "expectations", root / "datapackage" / "expectations")
    result = build(Layout(root / "datapackage"))
    assert not result.problems, result.problems
    shutil.rmtree(root / "schema")  # the fixtures share the project's schema/; only the package matters


def break_quotes(root: Path) -> None:
    """A quote whose text no longer matches its seed, and a quote with an unknown quote_type."""
    set_cell("quotes", 2, "text", "We will act against Acme Corp!")(root)
    bad_type = [
        "q-000-02",
        "art-000",
        "ruritania-minister",
        "",
        "he",
        *span("Acme Corp"),
        "whole",
        "u-minister-will-act",
    ]
    append_row("quotes", bad_type)(root)


# name -> (edit, whether datapackage.json hashes are refreshed after the edit)
BROKEN: dict[str, tuple[Callable[[Path], None], bool]] = {
    "quotes-invalid": (break_quotes, True),
    "span-out-of-range": (set_cell("event_sources", 2, "char_end", "9999"), True),
    "header-mismatch": (drop_column("quotes", "co_speaker_ids"), True),
    "ragged-row": (append_row("event_actors", ["ev-minister-statement", "acme-corp"]), True),
    "unbalanced-quote": (
        write_bytes(
            "datapackage/data/event_actors.csv",
            b'event_id,entity_id,role\n"ev-minister-statement,ruritania-minister,speaker\n',
        ),
        True,
    ),
    "not-utf8": (write_bytes("datapackage/data/events.csv", "event_id,café\n".encode("latin-1")), True),
    "table-missing": (lambda root: (root / "datapackage" / "data" / "sanction_sources.csv").unlink(), False),
    "foreign-key-broken": (set_cell("quotes", 2, "speaker_id", "nobody"), True),
    "stale-descriptor": (set_cell("entities", 2, "description", "A large company."), False),
    "json-stale": (edit_json("entities", 0, "name", "Acme Corporation"), False),
    "json-schema-invalid": (edit_json("quotes", 0, "char_start", "seventy-seven"), False),
    "seed-missing": (lambda root: (root / "seeds" / SEED_NAME).unlink(), False),
    "seed-hash-mismatch": (set_cell("articles", 2, "sha256", "0" * 64), True),
    "source-missing": (
        append_row(
            "sanctions",
            [
                "sn-ruritania-acme-2",
                "ruritania-government",
                "acme-corp",
                "",
                "unknown",
                "promised",
                "",
                "Another measure.",
            ],
        ),
        True,
    ),
    "speaker-type": (
        lambda root: set_cell("entities", 4, "entity_type", "weapon_system")(root),
        True,
    ),
    "date-order": (set_cell("events", 2, "end_date", "2024-09-01"), True),
    "date-precision": (set_cell("events", 2, "date_precision", "month"), True),
    "utterance-speaker-conflict": (
        append_row(
            "quotes",
            [
                "q-000-02",
                "art-000",
                "ruritania-government",
                "",
                "the government",
                *span("Acme Corp"),
                "partial",
                "u-minister-will-act",
            ],
        ),
        True,
    ),
    "entity-unreferenced": (
        append_row("entities", ["ruritania", "Ruritania", "country", "", "A country.", "", ""]),
        True,
    ),
    "alias-unattested": (set_cell("entities", 2, "aliases", "Acme Inc"), True),
    "co-speaker-unknown": (set_cell("quotes", 2, "co_speaker_ids", "nobody"), True),
    "duplicate-entity": (
        append_row("entities", ["acme-corp", "Acme Corp", "organization", "", "Again.", "", ""]),
        True,
    ),
    "path-absolute": (first_resource("path", "/etc/hostname"), False),
    "path-dotdot": (first_resource("path", "../seeds/000_minimal.txt"), False),
    "path-file-url": (first_resource("path", "file:///etc/hostname"), False),
    "path-http-url": (first_resource("path", "https://example.com/entities.csv"), False),
    "path-hidden": (first_resource("path", ".hidden/entities.csv"), False),
    "symlink-outside": (link_entities_outside, False),
    "bom": (prepend_bytes("datapackage/data/entities.csv", b"\xef\xbb\xbf"), False),
    "nul-byte": (insert_into_csv("entities", 2, "description", "\x00"), False),
    "control-character": (insert_into_csv("entities", 3, "description", "\x1b[31m"), False),
    "duplicate-header": (
        lambda root: edit_csv(root, "event_actors", lambda rows: rows[0].__setitem__(1, "role")),
        False,
    ),
    "extra-column": (lambda root: edit_csv(root, "event_actors", lambda rows: rows[1].append("extra")), False),
    "formula-injection": (inject_formulas, True),
    "unknown-profile": (
        edit_descriptor(lambda d: d.__setitem__("$schema", "https://example.com/my-profile.json")),
        False,
    ),
    "sha1-hash": (first_resource("hash", "sha1:" + "0" * 40), False),
    # The quotes resource reads another table's file: load() would return entities as quotes.
    "descriptor-mismatch": (edit_descriptor(point_quotes_at_entities), False),
    # Cells that Python's int() and pydantic's lax mode would read, but Table Schema's integer is not.
    "integer-grammar": (
        lambda root: [
            set_cell("quotes", 2, column, value)(root)
            for column, value in (("char_start", " 77"), ("char_end", "10_7"))
        ],
        True,
    ),
    "descriptor-broken": (write_bytes("datapackage/datapackage.json", b'{"resources": [\n'), False),
    # Great Expectations suites
    "date-window": (
        lambda root: [set_cell("events", 2, column, "2019-09-02")(root) for column in ("start_date", "end_date")],
        True,
    ),
    "span-empty": (empty_span, True),
    "duplicate-span": (
        append_row(
            "quotes",
            [
                "q-000-02",
                "art-000",
                "ruritania-minister",
                "",
                "The minister",
                *span("We will act against Acme Corp."),
                "full",
                "u-minister-will-act",
            ],
        ),
        True,
    ),
    "id-pattern": (set_cell("quotes", 2, "quote_id", "q-001-01"), True),
    "article-without-quote": (delete_rows("quotes"), True),
    "event-without-actor": (delete_rows("event_actors"), True),
    "imposer-type": (set_cell("sanctions", 2, "imposer_id", "ruritania-minister"), True),
    "duplicate-name": (
        append_row("entities", ["acme-corp-2", "ACME Corp", "organization", "", "Again.", "", ""]),
        True,
    ),
    "actor-type": (append_row("event_actors", ["ev-minister-statement", "acme-corp", "reporter"]), True),
    "expectation-failed": (
        add_expectation(
            "quotes",
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 2}, "meta": {"notes": "Two."}},
        ),
        False,
    ),
    "suite-invalid": (
        add_expectation("entities", {"type": "expect_pigs_to_fly", "kwargs": {}, "meta": {"code": "id-pattern"}}),
        False,
    ),
    "suite-unknown-code": (
        edit_suite("events", lambda suite: suite["expectations"][0]["meta"].__setitem__("code", "made-up")),
        False,
    ),
    "suite-missing": (lambda root: (root / "datapackage" / "expectations" / "sanctions.json").unlink(), False),
    "suite-row-condition": (
        both(
            set_kwarg("sanctions", 0, "condition_parser", "pandas"),
            set_kwarg("sanctions", 0, "row_condition", "imposer_type == 'country'"),
        ),
        False,
    ),
    "suite-too-deep": (write_bytes("datapackage/expectations/events.json", b"[" * 10_000 + b"]" * 10_000), False),
    # Changes to what was released (releases/1.0.0/ beside the package)
    "released-seed-changed": (released_then(change_seed), True),
    "released-rule-removed": (released_then(drop_expectation("sanctions", 1)), False),
    "released-rule-weakened": (
        released_then(
            set_kwarg("sanctions", 0, "value_set", ["government", "country", "organization"]),
            set_kwarg("articles", 2, "max_value", "2026-12-31"),
            set_kwarg("quotes", 3, "mostly", 0.9),
        ),
        False,
    ),
    "released-changes-acknowledged": (
        released_then(
            change_seed,
            drop_expectation("sanctions", 1),
            acknowledge(
                f'[[seed]]\nseed = "seeds/{SEED_NAME}"\n'
                f'sha256 = "{hashlib.sha256(CHANGED_SEED.encode()).hexdigest()}"\n'
                'reason = "A correction the outlet published."\n\n'
                '[[rule]]\nrelease = "1.0.0"\nsuite = "sanctions"\nexpectation = 1\nreason = "Replaced."\n'
            ),
        ),
        True,
    ),
    "acknowledgement-stale": (
        released_then(
            acknowledge(
                '[[rule]]\nrelease = "1.0.0"\nsuite = "sanctions"\nexpectation = 0\nreason = "Never changed."\n\n'
                f'[[seed]]\nseed = "seeds/{SEED_NAME}"\nsha256 = "{"0" * 64}"\nreason = "Never changed."\n'
            )
        ),
        False,
    ),
    "acknowledgement-invalid": (
        released_then(
            acknowledge(
                '[[rule]]\nrelease = "1.0.0"\nsuite = "sanctions"\nexpectation = "1"\nreason = "A string index."\n\n'
                '[[rule]]\nrelease = "1.0.0"\nsuite = "sanctions"\nexpectation = 1\nreason = " "\n\n'
                '[[table]]\nname = "articles"\n'
            )
        ),
        False,
    ),
    "release-record-invalid": (
        released_then(
            write_bytes("releases/1.0.0/expectations/sanctions.json", b'{"expectations": [\n'),
            write_bytes(
                "releases/1.0.0/data/articles.csv", f"article_id,seed_file\nart-000,seeds/{SEED_NAME}\n".encode()
            ),
        ),
        False,
    ),
}


def schema_field(table: str, name: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """An edit of one field of one resource's schema in datapackage.json."""

    def apply(descriptor: dict[str, Any]) -> None:
        resource = next(r for r in descriptor["resources"] if r["name"] == table)
        edit(next(f for f in resource["schema"]["fields"] if f["name"] == name))

    return edit_descriptor(apply)


def remove_field(table: str, name: str) -> Callable[[Path], None]:
    def apply(descriptor: dict[str, Any]) -> None:
        resource = next(r for r in descriptor["resources"] if r["name"] == table)
        resource["schema"]["fields"] = [f for f in resource["schema"]["fields"] if f["name"] != name]

    return both(drop_column(table, name), edit_descriptor(apply))


def add_notes_resource(root: Path) -> None:
    write_csv(root / "datapackage" / "data" / "notes.csv", [["note_id", "text"], ["n-1", "A note."]])
    schema = {"fields": [{"name": "note_id", "type": "string"}, {"name": "text", "type": "string"}]}
    resource = {"name": "notes", "path": "data/notes.csv", "schema": {**schema, "primaryKey": ["note_id"]}}
    edit_descriptor(lambda descriptor: descriptor["resources"].append(resource))(root)


# Changed copies of minimal-valid, named after the version bump the change needs (test_release.py).
BUMPS: dict[str, Callable[[Path], None]] = {
    "bump-patch-row-corrected": set_cell("entities", 2, "description", "A large company."),
    "bump-patch-metadata": edit_descriptor(lambda d: d.__setitem__("title", "A retitled fixture")),
    "bump-minor-rows-added": append_row("entities", ["acme-2", "Acme Two", "organization", "", "", "", ""]),
    "bump-minor-resource-added": add_notes_resource,
    "bump-minor-constraint-loosened": schema_field("quotes", "co_speaker_ids", lambda f: f["constraints"].clear()),
    "bump-major-field-removed": remove_field("entities", "country"),
    "bump-major-field-renamed": both(
        lambda root: edit_csv(
            root, "entities", lambda rows: rows[0].__setitem__(rows[0].index("description"), "about")
        ),
        schema_field("entities", "description", lambda f: f.__setitem__("name", "about")),
    ),
    "bump-major-field-retyped": schema_field("quotes", "char_start", lambda f: f.__setitem__("type", "number")),
    "bump-major-constraint-tightened": schema_field(
        "entities", "description", lambda f: f.setdefault("constraints", {}).__setitem__("maxLength", 10)
    ),
}


def main() -> None:
    shutil.rmtree(FIXTURES, ignore_errors=True)
    make_base(FIXTURES / "minimal-valid")
    for name, (edit, consistent) in BROKEN.items():
        root = FIXTURES / name
        shutil.copytree(FIXTURES / "minimal-valid", root)
        edit(root)
        if consistent:
            refresh(root)
    for name, edit in BUMPS.items():
        root = FIXTURES / name
        shutil.copytree(FIXTURES / "minimal-valid", root)
        edit(root)
        refresh_hashes(root)
    print(f"wrote {1 + len(BROKEN) + len(BUMPS)} fixture packages under {FIXTURES}")


if __name__ == "__main__":
    main()
