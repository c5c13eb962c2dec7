"""The JSON-table check: the canonical-bytes fast path renders what `build` writes, and finds what
the exact path finds on every fixture package, the real package and hand-edited synthetic ones."""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from newsfacts import render
from newsfacts.cells import read_as
from newsfacts.checks.generated import _exact_problems, _stale_problems, _unchanged, check_json_tables
from newsfacts.limits import Limits
from newsfacts.models import MODELS, TABLES
from newsfacts.models import Row as Model
from newsfacts.package import Layout, TypedTable
from newsfacts.problems import Problem, display_path
from newsfacts.render import Unrenderable, render_json
from newsfacts.schemas import table_fields, table_schema
from newsfacts.synth import synthesize
from newsfacts.tables import LINE, json_bytes
from newsfacts.validate import check_rows_and_spans, validate

from .conftest import ROOT, fixture_layout, fixture_root
from .fixtures import EXPECTED_PROBLEMS

TRICKY = [
    'say "no"',
    "back\\slash \\n",
    "two\nlines\r\nand a CR",
    "tab\there",
    "\u201ccurly\u201d \u2018quotes\u2019 \u2013 dash",
    "é, 中文, Ωμέγα",
    "line\u2028separator\u2029",
    "emoji 😀🇺🇦",
    "",
    " ",
    "/slash/ <tag> &amp;",
    "controls \x00\x01\b\f\x1f and DEL \x7f",
]


def records_frame(model: type[Model], records: list[dict[str, Any]]) -> pl.DataFrame:
    """Records of JSON values (a date as its text), as a frame of the model's columns."""
    schema = {}
    for field in table_fields(model):
        kind = read_as(field)
        schema[field["name"]] = pl.String if kind.json_type == "string" else getattr(pl, kind.polars)
    return pl.DataFrame(records, schema=schema)


def valid_tables(layout: Layout) -> dict[str, TypedTable]:
    """The valid rows of each table, as `validate` hands them to the table-level checks."""
    return check_rows_and_spans(layout)[0]


def frame(model_name: str, records: list[dict[str, Any]]) -> TypedTable:
    """A table of the given records (all valid), typed as the engine types them."""
    model = MODELS[model_name]
    kinds = {field["name"]: field["type"] for field in table_schema(model)["fields"]}
    types = {"integer": pl.Int64, "date": pl.Date}
    schema = {name: types.get(kind, pl.String) for name, kind in kinds.items()} | {LINE: pl.Int64}
    rows = [record | {LINE: index + 2} for index, record in enumerate(records)]
    data = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return TypedTable(model, Path("unused.csv"), data, len(records))


def as_json(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {name: value.isoformat() if isinstance(value, datetime.date) else value for name, value in record.items()}
        for record in records
    ]


def mention(index: int, text: str | None) -> dict[str, Any]:
    return {
        "entity_id": TRICKY[index % len(TRICKY)],
        "article_id": "art-001",
        "text": text,
        "char_start": -index,
        "char_end": 10**12 + index,
        "mention_type": "metonym" if index % 2 else "name",
    }


def event(index: int, text: str) -> dict[str, Any]:
    return {
        "event_id": f"ev-{index}",
        "event_type": "other",
        "status": "occurred",
        "start_date": datetime.date(2024, 2, 29) + datetime.timedelta(days=index),
        "end_date": None if index % 2 else datetime.date(1, 1, 1),
        "date_precision": None,
        "date_basis": "stated",
        "date_note": text if index % 3 else None,
        "description": text,
        "location": "" if index % 2 else None,
        "plover_category": "SANCTION" if index % 2 else None,
        "plover_mode": "discontinue" if index % 4 == 1 else None,
        "plover_uncoded_reason": None if index % 2 else "commentary",
    }


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 5, 1000])
def test_rendered_bytes_are_what_build_writes(batch_rows: int) -> None:
    mentions = [mention(index, text) for index, text in enumerate(TRICKY)] + [mention(99, None)]
    events = [event(index, text) for index, text in enumerate(TRICKY)]
    for name, records in (("entity_mentions", mentions), ("events", events)):
        table = frame(name, records)
        rendered = b"".join(render_json(table.frame.select(list(table.model.model_fields)), batch_rows))
        assert rendered == json_bytes(as_json(records))
        # `build` renders the records it made with the row models.
        assert b"".join(render_json(records_frame(table.model, as_json(records)), batch_rows)) == rendered


def test_an_empty_table_renders_as_an_empty_list() -> None:
    assert b"".join(render_json(records_frame(MODELS["events"], []))) == json_bytes([]) == b"[]\n"


def test_numbers_and_booleans_render_as_json_dumps_writes_them() -> None:
    shares = [0.5, None, 1e16, 1e-5, -0.0, 3.0, float("nan"), float("inf"), float("-inf"), 0.1 + 0.2]
    flags = [True, False, None, *[True] * (len(shares) - 3)]
    table = pl.DataFrame({"share": shares, "flag": flags}, schema={"share": pl.Float64, "flag": pl.Boolean})
    for batch_rows in (1, 3, 1000):
        assert b"".join(render_json(table, batch_rows)) == json_bytes(table.to_dicts())


def test_a_column_of_another_type_is_not_rendered() -> None:
    with pytest.raises(Unrenderable):
        b"".join(render_json(pl.DataFrame({"ids": [["a", "b"]]})))


def test_a_del_is_left_to_the_exact_path(tmp_path: Path) -> None:
    # json.dumps writes DEL as it is, and read_text then refuses the file: the same bytes settle nothing.
    layout = Layout(tmp_path / "datapackage")
    (layout.package_dir / "data").mkdir(parents=True)
    records = [event(0, "fine"), event(1, "not\x7ffine")]
    layout.json("events").write_bytes(json_bytes(as_json(records)))
    table = frame("events", records)
    assert not _unchanged(layout, "events", table)
    # The lines of the file where the second record's date_note and description hold it.
    assert [(p.line, p.code) for p in check_json_tables(layout, {"events": table})] == [
        (25, "control-character"),
        (26, "control-character"),
    ]


def same_as_exact(layout: Layout) -> list[str]:
    """Check that the fast path changes nothing on each table; the names of the tables it settled."""
    settled = []
    for name, table in valid_tables(layout).items():
        if not table.complete:
            # Rows in error: build will rewrite the JSON file once they are fixed; nothing to check.
            assert check_json_tables(layout, {name: table}) == []
            continue
        exact = _exact_problems(layout, name, table)
        assert check_json_tables(layout, {name: table}) == exact, (layout.package_dir, name)
        if _unchanged(layout, name, table):
            assert exact == []
            settled.append(name)
    return settled


@pytest.mark.parametrize("name", EXPECTED_PROBLEMS)
def test_fast_path_finds_what_the_exact_path_finds_in_fixtures(name: str) -> None:
    same_as_exact(fixture_layout(name))


def test_the_real_package_takes_the_fast_path() -> None:
    assert sorted(same_as_exact(Layout(ROOT / "datapackage"))) == sorted(model.resource_name for model in TABLES)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "clean"
    synthesize(out, quotes=300)
    return out


Row = tuple[int | None, str | None, str]


def edit_records(table: str, change: Callable[[list[dict[str, Any]]], object]) -> Callable[[Path], None]:
    """An edit of a JSON table, written back as `build` writes it."""

    def edit(data: Path) -> None:
        path = data / f"{table}.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        change(records)
        path.write_bytes(json_bytes(records))

    return edit


def set_value(index: int, field: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        records[index][field] = value

    return change


def set_cell(table: str, line: int, field: str, value: str) -> Callable[[Path], None]:
    """The same change to a CSV cell and to its JSON record: both files stay in step."""

    def edit(data: Path) -> None:
        path = data / f"{table}.csv"
        header, *lines = path.read_text(encoding="utf-8").split("\n")
        column = header.split(",").index(field)
        cells = lines[line - 2].split(",")
        cells[column] = value
        lines[line - 2] = ",".join(cells)
        path.write_text("\n".join([header, *lines]), encoding="utf-8")
        edit_records(table, set_value(line - 2, field, value))(data)

    return edit


def replace_bytes(table: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def edit(data: Path) -> None:
        path = data / f"{table}.json"
        path.write_bytes(change(path.read_bytes()))

    return edit


# Quote n (from 0) is on line n + 2 of quotes.csv and is record n of quotes.json.
EDITS: dict[str, tuple[Callable[[Path], None], list[Row]]] = {
    "value-changed": (
        edit_records("quotes", set_value(3, "speaker_as_printed", "someone")),
        [(5, "speaker_as_printed", "json-stale")],
    ),
    "record-removed": (edit_records("quotes", lambda records: records.pop(5)), [(7, None, "json-stale")]),
    "key-added": (edit_records("quotes", set_value(7, "extra", 1)), [(9, None, "json-schema")]),
    "wrong-type": (
        edit_records("quotes", set_value(9, "char_start", "12")),
        [(11, "char_start", "json-schema"), (11, "char_start", "json-stale")],
    ),
    "record-added": (
        edit_records("quotes", lambda records: records.append(records[0] | {"quote_id": "q-999-99"})),
        [(None, None, "json-stale")],
    ),
    # Both files say `fr`, so the bytes match; but the JSON Schema wants `en`, which the Table Schema cannot say.
    "language-in-both": (set_cell("articles", 2, "language", "fr"), [(2, "language", "json-schema")]),
    "reindented": (
        replace_bytes("quotes", lambda raw: json.dumps(json.loads(raw)).encode("utf-8")),
        [],
    ),
    "no-final-newline": (replace_bytes("quotes", lambda raw: raw[:-1]), []),
    "bom": (replace_bytes("quotes", lambda raw: b"\xef\xbb\xbf" + raw), [(1, None, "bom")]),
    "raw-control-character": (
        replace_bytes("quotes", lambda raw: b"[\x01" + raw[1:]),
        [(1, None, "control-character")],
    ),
    "missing": (lambda data: (data / "quotes.json").unlink(), [(None, None, "file-missing")]),
}


def located(problems: list[Problem], json_file: Path) -> list[Row]:
    assert {problem.path for problem in problems} <= {display_path(json_file)}
    return sorted(((p.line, p.field, p.code) for p in problems), key=lambda row: (row[0] or 0, row[1] or "", row[2]))


def test_a_synthetic_package_takes_the_fast_path(synthetic: Path) -> None:
    assert sorted(same_as_exact(Layout(synthetic / "datapackage"))) == sorted(m.resource_name for m in TABLES)


@pytest.mark.parametrize("edit", list(EDITS))
def test_hand_edited_json(edit: str, synthetic: Path, tmp_path: Path) -> None:
    change, expected = EDITS[edit]
    shutil.copytree(synthetic, tmp_path / "package")
    layout = Layout(tmp_path / "package" / "datapackage")
    change(layout.package_dir / "data")
    table = "articles" if edit == "language-in-both" else "quotes"
    settled = same_as_exact(layout)
    assert table not in settled
    problems = check_json_tables(layout, valid_tables(layout))
    assert located(problems, layout.json(table)) == expected


def test_a_file_over_the_size_limit_is_reported(synthetic: Path) -> None:
    package_dir = synthetic / "datapackage"
    limit = (package_dir / "data" / "quotes.json").stat().st_size - 1
    tables = valid_tables(Layout(package_dir))
    problems = check_json_tables(Layout(package_dir, Limits(max_file_bytes=limit)), tables)
    too_large = {name for name in tables if (package_dir / "data" / f"{name}.json").stat().st_size > limit}
    assert "quotes" in too_large
    assert sorted((Path(p.path).stem, p.code) for p in problems) == sorted(
        (name, "file-too-large") for name in too_large
    )


def test_a_descriptor_that_retypes_a_field_is_reported_and_not_used(tmp_path: Path) -> None:
    # The descriptor types descriptions as integers. The rows are still read as the model says
    # (every description kept), and the descriptor is reported: `load()` would read it otherwise.
    shutil.copytree(fixture_root("minimal-valid"), tmp_path / "package")
    layout = Layout(tmp_path / "package" / "datapackage")
    descriptor = json.loads(layout.descriptor.read_text(encoding="utf-8"))
    resource = next(resource for resource in descriptor["resources"] if resource["name"] == "entities")
    next(field for field in resource["schema"]["fields"] if field["name"] == "description")["type"] = "integer"
    layout.descriptor.write_bytes(json_bytes(descriptor))
    entities = valid_tables(layout)["entities"]
    assert entities.complete and entities.frame.get_column("description").null_count() == 0
    assert [(p.field, p.code) for p in validate(layout)] == [
        ("resources[0].schema.fields[4].type", "descriptor-mismatch")
    ]


def append_csv_row(table: str, change: Callable[[list[str]], None]) -> Callable[[Path], None]:
    """A row added to a CSV table (a copy of its first, changed), without `build`: the JSON is stale."""

    def edit(data: Path) -> None:
        path = data / f"{table}.csv"
        header, first, *_ = path.read_text(encoding="utf-8").split("\n")
        cells = dict(zip(header.split(","), first.split(","), strict=True))
        values = list(cells.values())
        change(values)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(",".join(values) + "\n")

    return edit


# Stale JSON files that build wrote for other rows: read with polars, compared by key.
STALE_EDITS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "csv-row-added": ("quotes", append_csv_row("quotes", lambda cells: cells.__setitem__(0, "q-999-01"))),
    "value-changed": ("quotes", EDITS["value-changed"][0]),
    "value-escaped": ("quotes", edit_records("quotes", set_value(3, "speaker_as_printed", 'say "no" \\ \u2019'))),
    "value-set": ("quotes", edit_records("quotes", set_value(4, "co_speaker_ids", "person-000001"))),
    "value-nulled": ("events", edit_records("events", set_value(1, "end_date", None))),
    "record-removed": ("quotes", EDITS["record-removed"][0]),
    "record-added": ("quotes", EDITS["record-added"][0]),
    "records-added": (
        "quotes",
        edit_records(
            "quotes",
            lambda records: records.extend(records[0] | {"quote_id": f"q-999-{n:02}"} for n in (3, 1, 4, 1, 5, 9)),
        ),
    ),
    # Of two records with one key, the last counts.
    "record-repeated": (
        "quotes",
        edit_records("quotes", lambda records: records.append(records[2] | {"speaker_as_printed": "someone"})),
    ),
    "date-changed": ("events", edit_records("events", set_value(0, "start_date", "2020-02-29"))),
    "integer-changed": ("quotes", edit_records("quotes", set_value(0, "char_end", 10**15))),
}


@pytest.mark.parametrize("piece_bytes", [64, render.PIECE_BYTES])
@pytest.mark.parametrize("edit", list(STALE_EDITS))
def test_a_stale_file_is_compared_in_polars(
    edit: str, piece_bytes: int, synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "PIECE_BYTES", piece_bytes)
    name, change = STALE_EDITS[edit]
    shutil.copytree(synthetic, tmp_path / "package")
    layout = Layout(tmp_path / "package" / "datapackage")
    change(layout.package_dir / "data")
    table = valid_tables(layout)[name]
    exact = _exact_problems(layout, name, table)
    assert exact and {problem.code for problem in exact} == {"json-stale"}
    assert _stale_problems(layout, name, table) == exact


@pytest.mark.parametrize("edit", ["reindented", "no-final-newline", "wrong-type", "key-added", "language-in-both"])
def test_a_file_build_did_not_write_is_left_to_the_exact_path(edit: str, synthetic: Path, tmp_path: Path) -> None:
    shutil.copytree(synthetic, tmp_path / "package")
    layout = Layout(tmp_path / "package" / "datapackage")
    EDITS[edit][0](layout.package_dir / "data")
    name = "articles" if edit == "language-in-both" else "quotes"
    assert _stale_problems(layout, name, valid_tables(layout)[name]) is None
