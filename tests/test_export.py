"""`newsfacts export`: SQLite and Parquet with the schema's types and descriptions, and an exact round trip.

The Datasette metadata written beside the database is served by Datasette itself in tests/test_datasette.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsfacts.atomic import atomic_write_all
from newsfacts.cli import main
from newsfacts.exporters import EXPORTERS
from newsfacts.exporters._base import Exporter, refuse_overwrite
from newsfacts.exporters.parquet import export_parquet
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.loader import Source, load, load_resources
from newsfacts.problems import NewsfactsError

from .conftest import DESCRIPTOR, RESOURCES, ROOT, csv_cells

LOADED = load()


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("parquet") / "tables"
    assert len(export_parquet(directory)) == len(RESOURCES)
    return directory


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def with_schema_types(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A read-back frame cast to load()'s types, independently of the loader's own code."""
    typed = {}
    for field in RESOURCES[table]["schema"]["fields"]:
        column = frame[field["name"]]
        enum = field.get("constraints", {}).get("enum")
        if enum:
            typed[field["name"]] = pd.Categorical(column.astype(object), categories=enum)
        elif field["type"] == "date":
            typed[field["name"]] = pd.to_datetime(column).astype(LOADED[table][field["name"]].dtype)
        elif field["type"] == "integer":
            typed[field["name"]] = column.astype("Int64")
        else:
            typed[field["name"]] = column.astype("string")
    return pd.DataFrame(typed)


@pytest.mark.parametrize("table", list(RESOURCES))
def test_sqlite_round_trip_gives_identical_values(exported_database: Path, table: str) -> None:
    with connect(exported_database) as connection:
        rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
        back = pd.read_sql(f'SELECT * FROM "{table}" ORDER BY rowid', connection)
    # Exactly the CSV's cells, in the CSV's order: dates as ISO 8601 text, missing as NULL.
    assert [[None if value is None else str(value) for value in row] for row in rows] == csv_cells(table)
    pd.testing.assert_frame_equal(with_schema_types(back, table), LOADED[table])


@pytest.mark.parametrize("table", list(RESOURCES))
def test_sqlite_declares_types_and_keys(exported_database: Path, table: str) -> None:
    schema = RESOURCES[table]["schema"]
    declared = {"string": "TEXT", "date": "TEXT", "integer": "INTEGER"}
    with connect(exported_database) as connection:
        columns = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
        foreign_keys = connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
        storage = {
            field["name"]: {
                kind for (kind,) in connection.execute(f'SELECT DISTINCT typeof("{field["name"]}") FROM "{table}"')
            }
            for field in schema["fields"]
        }
    assert [(name, kind) for _, name, kind, *_ in columns] == [
        (field["name"], declared[field["type"]]) for field in schema["fields"]
    ]
    primary_key = [name for _, name, _, _, _, position in sorted(columns, key=lambda c: c[5]) if position]
    assert primary_key == schema["primaryKey"]
    assert sorted((target, source, to) for _, _, target, source, to, *_ in foreign_keys) == sorted(
        (fk["reference"]["resource"] or table, fk["fields"][0], fk["reference"]["fields"][0])
        for fk in schema.get("foreignKeys", [])
    )
    for field in schema["fields"]:
        stored = "integer" if field["type"] == "integer" else "text"
        assert storage[field["name"]] <= {stored, "null"}, field["name"]


def test_sqlite_foreign_keys_hold_and_are_enforced(exported_database: Path) -> None:
    with connect(exported_database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError):
            connection.execute(
                "INSERT INTO quotes VALUES ('q-999-01', 'art-000', 'nobody', NULL, 'x', 'x', 0, 1, 'full', 'u-x')"
            )
        with pytest.raises(sqlite3.IntegrityError):  # enums are CHECKed
            connection.execute(
                "INSERT INTO quotes VALUES ('q-999-01', 'art-000', 'antony-blinken', NULL, 'x', 'x', 0, 1, "
                "'paraphrase', 'u-x')"
            )


def test_sqlite_indexes_every_foreign_key(exported_database: Path) -> None:
    with connect(exported_database) as connection:
        for table, resource in RESOURCES.items():
            leading = {
                connection.execute(f'PRAGMA index_info("{index}")').fetchall()[0][2]
                for _, index, *_ in connection.execute(f'PRAGMA index_list("{table}")')
            }
            for foreign_key in resource["schema"].get("foreignKeys", []):
                assert foreign_key["fields"][0] in leading, (table, foreign_key["fields"])


def test_quotes_full_view_joins_speakers_and_articles(exported_database: Path) -> None:
    with connect(exported_database) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM quotes_full ORDER BY quote_id").fetchall()
    entities = LOADED["entities"].set_index("entity_id")
    articles = LOADED["articles"].set_index("article_id")
    assert len(rows) == len(LOADED["quotes"])
    for row in rows:
        assert row["speaker_name"] == entities.loc[row["speaker_id"], "name"]
        assert row["speaker_type"] == entities.loc[row["speaker_id"], "entity_type"]
        title = articles.loc[row["article_id"], "title"]
        assert row["article_title"] == (None if pd.isna(title) else title)


@pytest.mark.parametrize("table", list(RESOURCES))
def test_parquet_round_trip_gives_identical_values_and_types(parquet_dir: Path, table: str) -> None:
    path = parquet_dir / f"{table}.parquet"
    schema = pq.read_schema(path)
    for field in RESOURCES[table]["schema"]["fields"]:
        enum = field.get("constraints", {}).get("enum")
        expected = {"string": pa.string(), "integer": pa.int64(), "date": pa.date32()}[field["type"]]
        assert schema.field(field["name"]).type == (pa.dictionary(pa.int32(), pa.string()) if enum else expected)

    back = pd.read_parquet(path)
    # pandas reads back Int64, string and the categories in the schema's order by itself;
    # only dates (Parquet date32) arrive as datetime.date objects.
    dates = [field["name"] for field in RESOURCES[table]["schema"]["fields"] if field["type"] == "date"]
    for name in dates:
        back[name] = pd.to_datetime(back[name]).astype(LOADED[table][name].dtype)
    pd.testing.assert_frame_equal(back, LOADED[table])


def required(table: str) -> set[str]:
    """The fields of a table that may not be empty: marked required, or in the primary key."""
    schema = RESOURCES[table]["schema"]
    marked = {field["name"] for field in schema["fields"] if field.get("constraints", {}).get("required")}
    return marked | set(schema["primaryKey"])


@pytest.mark.parametrize("table", list(RESOURCES))
def test_parquet_fields_carry_descriptions_and_required_ones_are_not_null(parquet_dir: Path, table: str) -> None:
    schema = pq.read_schema(parquet_dir / f"{table}.parquet")
    fields = RESOURCES[table]["schema"]["fields"]
    assert schema.names == [field["name"] for field in fields]
    assert [(field.name, field.nullable) for field in schema] == [
        (field["name"], field["name"] not in required(table)) for field in fields
    ]
    assert [field.metadata[b"description"].decode("utf-8") for field in schema] == [
        field["description"] for field in fields
    ]
    assert required(table)  # every table has a primary key


@pytest.mark.parametrize("table", list(RESOURCES))
def test_parquet_schema_metadata_names_the_package_and_describes_the_table(parquet_dir: Path, table: str) -> None:
    written = json.loads(pq.read_schema(parquet_dir / f"{table}.parquet").metadata[b"datapackage"])
    assert {key: written[key] for key in ("name", "version", "title", "licenses")} == {
        key: DESCRIPTOR[key] for key in ("name", "version", "title", "licenses")
    }
    resource = RESOURCES[table]
    assert written["resource"] == {key: resource[key] for key in ("name", "title", "description", "schema")}


@pytest.mark.parametrize("table", list(RESOURCES))
def test_duckdb_reads_the_parquet_files_as_load_does(parquet_dir: Path, table: str) -> None:
    path = str(parquet_dir / f"{table}.parquet")
    with duckdb.connect() as connection:
        count, first = (
            connection.execute("SELECT count(*) FROM read_parquet($path)", {"path": path}).fetchone(),
            connection.execute("SELECT * FROM read_parquet($path) LIMIT 1", {"path": path}).fetchone(),
        )
        metadata = dict(
            connection.execute(
                "SELECT decode(key), decode(value) FROM parquet_kv_metadata($path)", {"path": path}
            ).fetchall()
        )
    frame = LOADED[table]
    assert count == (len(frame),)
    # The first row, each value as load() gives it: a date as a date, a missing value as None.
    expected = tuple(
        None if pd.isna(value) else value.date() if isinstance(value, pd.Timestamp) else value
        for value in frame.iloc[0]
    )
    assert first == expected
    # The package's metadata reaches readers that do not read Arrow's field metadata.
    assert json.loads(metadata["datapackage"])["resource"]["schema"] == RESOURCES[table]["schema"]


def test_an_empty_required_cell_is_refused_and_no_parquet_is_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    rewrite_csv(tmp_path / "datapackage", "quotes", ",antony-blinken,", ",,")
    assert LOADED["quotes"]["speaker_id"].notna().all()
    assert load(tmp_path)["quotes"]["speaker_id"].isna().sum() == 1  # load() reads it as missing
    with pytest.raises(NewsfactsError) as caught:
        export_parquet(tmp_path / "out", tmp_path)
    assert (caught.value.code, caught.value.message) == (
        "constraint-violated",
        "quotes: 1 row(s) leave the required field speaker_id empty",
    )
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_existing_output_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "newsfacts.db"
    output.write_bytes(b"precious")
    with pytest.raises(NewsfactsError) as caught:
        export_sqlite(output)
    assert caught.value.code == "output-exists"
    assert main(["export", "--to", "sqlite", str(output)]) == 1
    assert "--force" in capsys.readouterr().err
    assert output.read_bytes() == b"precious"

    assert main(["export", "--to", "sqlite", "--force", str(output)]) == 0
    assert "wrote" in capsys.readouterr().out
    with connect(output) as connection:
        assert connection.execute("SELECT count(*) FROM quotes").fetchone() == (len(LOADED["quotes"]),)

    (tmp_path / "parquet").mkdir()
    (tmp_path / "parquet" / "quotes.parquet").write_bytes(b"precious")
    assert main(["export", "--to", "parquet", str(tmp_path / "parquet")]) == 1
    assert (tmp_path / "parquet" / "quotes.parquet").read_bytes() == b"precious"
    assert list((tmp_path / "parquet").iterdir()) == [tmp_path / "parquet" / "quotes.parquet"]


def rewrite_csv(package_dir: Path, table: str, old: str, new: str) -> None:
    """Edit a CSV of a package copy and record its new hash, as `newsfacts build` would."""
    csv_path = package_dir / "data" / f"{table}.csv"
    data = csv_path.read_text(encoding="utf-8").replace(old, new, 1).encode("utf-8")
    csv_path.write_bytes(data)
    descriptor_path = package_dir / "datapackage.json"
    descriptor: dict[str, Any] = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
            resource["bytes"] = len(data)
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")


def test_a_broken_foreign_key_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    rewrite_csv(tmp_path / "datapackage", "quotes", ",antony-blinken,", ",nobody,")
    output = tmp_path / "out" / "newsfacts.db"
    with pytest.raises(NewsfactsError) as caught:
        export_sqlite(output, tmp_path)
    assert caught.value.code == "foreign-key-violated"
    assert "quotes" in str(caught.value)
    assert not output.parent.exists() or list(output.parent.iterdir()) == []


def test_cli_exports_another_source_and_reports_load_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["export", "--to", "parquet", str(tmp_path / "out"), "--source", str(ROOT / "datapackage")])
    assert status == 0
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(f"{t}.parquet" for t in RESOURCES)
    capsys.readouterr()

    assert main(["export", "--to", "sqlite", str(tmp_path / "x.db"), "--source", str(tmp_path / "nowhere")]) == 2
    assert "package-not-found" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def export_json_lines(output: Path, source: Source = None, force: bool = False) -> list[Path]:
    """A format of this test's own: one JSON object per row, naming its table, with ISO 8601 dates."""
    refuse_overwrite([output], force)
    lines = []
    for resource in load_resources(source):
        records = resource.frame.assign(table=resource.name).to_json(orient="records", lines=True, date_format="iso")
        lines += records.splitlines()
    return atomic_write_all({output: "".join(f"{line}\n" for line in lines).encode("utf-8")}, output.parent)


def test_a_format_is_one_module_and_one_registry_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The module is `export_json_lines` above; the registry line is this one.
    monkeypatch.setitem(EXPORTERS, "jsonl", Exporter("one JSON Lines file", "the JSON Lines file", export_json_lines))

    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "--to jsonl OUTPUT` writes one JSON Lines file." in " ".join(capsys.readouterr().out.split())
    output = tmp_path / "newsfacts.jsonl"
    assert main(["export", "--to", "jsonl", str(output)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert {table: sum(record["table"] == table for record in records) for table in LOADED} == {
        table: len(frame) for table, frame in LOADED.items()
    }
    assert main(["export", "--to", "jsonl", str(output)]) == 1
    assert "output-exists" in capsys.readouterr().err
