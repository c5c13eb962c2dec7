"""Export the tables to SQLite and Parquet, typed as their Table Schemas declare.

Both exports start from `loader.read_resources`, so they hold exactly what `newsfacts.load()`
returns. Output is built in memory and written through `atomic.atomic_write_all`: an export
that fails leaves no partial file behind, and an existing file is only replaced on request.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .atomic import atomic_write_all
from .loader import Resource, Source, open_package, read_resources

SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "date": "TEXT"}
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
}
# Categories keep the schema's order because the dictionary is written whole, used or not.
ARROW_ENUM = pa.dictionary(pa.int32(), pa.string())

# One row per quote with who said it and where: the join most analyses start from.
QUOTES_FULL_VIEW = """
CREATE VIEW quotes_full AS
SELECT
    quotes.*,
    speaker.name AS speaker_name,
    speaker.entity_type AS speaker_type,
    articles.title AS article_title,
    articles.published_date AS article_published_date,
    outlet.name AS outlet_name
FROM quotes
JOIN entities AS speaker ON speaker.entity_id = quotes.speaker_id
JOIN articles ON articles.article_id = quotes.article_id
LEFT JOIN entities AS outlet ON outlet.entity_id = articles.outlet_id
"""


class ExportError(Exception):
    """An export that was refused or failed. `code` is stable; nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def export_sqlite(output: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write the package as one SQLite database; return the files changed.

    One table per resource with declared column types, NOT NULL, enum CHECKs, primary and
    foreign keys; an index on each foreign key not already led by the primary key; and the
    `quotes_full` view. Foreign keys are checked (`PRAGMA foreign_key_check`) before writing.
    """
    _refuse_overwrite([output], force)
    with open_package(source) as package:
        resources = read_resources(package)
    return atomic_write_all({output: sqlite_database(resources)}, output.parent)


def export_parquet(directory: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write one Parquet file per table into `directory`; return the files changed."""
    if directory.exists() and not directory.is_dir():
        raise ExportError("output-exists", f"{directory} exists and is not a directory")
    with open_package(source) as package:
        resources = read_resources(package)
    outputs = {directory / f"{resource.name}.parquet": parquet_file(resource) for resource in resources}
    _refuse_overwrite(list(outputs), force)
    return atomic_write_all(outputs, directory)


def _refuse_overwrite(paths: Sequence[Path], force: bool) -> None:
    for path in paths:
        if path.is_dir():
            raise ExportError("output-exists", f"{path} is a directory")
        if path.exists() and not force:
            raise ExportError("output-exists", f"{path} exists; pass --force to replace it")


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_table_sql(resource: Resource) -> str:
    schema = resource.schema
    lines = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        column = f"{quote_identifier(field['name'])} {_sqlite_type(resource.name, field)}"
        if constraints.get("required"):
            column += " NOT NULL"
        if constraints.get("unique") and [field["name"]] != schema.get("primaryKey"):
            column += " UNIQUE"
        if "enum" in constraints:
            allowed = ", ".join(quote_literal(str(value)) for value in constraints["enum"])
            column += f" CHECK ({quote_identifier(field['name'])} IN ({allowed}))"
        lines.append(column)
    if schema.get("primaryKey"):
        lines.append(f"PRIMARY KEY ({_column_list(schema['primaryKey'])})")
    for foreign_key in schema.get("foreignKeys", []):
        reference = foreign_key["reference"]
        # An empty resource name is how Table Schema spells a reference to the same table.
        target = reference["resource"] or resource.name
        lines.append(
            f"FOREIGN KEY ({_column_list(foreign_key['fields'])}) "
            f"REFERENCES {quote_identifier(target)} ({_column_list(reference['fields'])})"
        )
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {quote_identifier(resource.name)} (\n    {body}\n)"


def create_index_sql(resource: Resource) -> list[str]:
    """An index per foreign key, skipping those the primary key's own index already leads with."""
    primary_key = list(resource.schema.get("primaryKey", []))
    statements = []
    for foreign_key in resource.schema.get("foreignKeys", []):
        columns = list(foreign_key["fields"])
        if primary_key[: len(columns)] == columns:
            continue
        index_name = quote_identifier(f"{resource.name}_{'_'.join(columns)}_idx")
        statements.append(f"CREATE INDEX {index_name} ON {quote_identifier(resource.name)} ({_column_list(columns)})")
    return statements


def _column_list(names: Sequence[str]) -> str:
    return ", ".join(quote_identifier(name) for name in names)


def _sqlite_type(table: str, field: dict[str, Any]) -> str:
    kind = field.get("type", "string")
    if kind not in SQLITE_TYPES:
        raise ExportError("type-unsupported", f"{table}.{field['name']}: type {kind!r}")
    return SQLITE_TYPES[kind]


def sql_rows(resource: Resource) -> list[tuple[Any, ...]]:
    """The rows as Python values SQLite stores natively; dates as ISO 8601 text, missing as NULL."""
    columns = []
    for field in resource.schema["fields"]:
        column = resource.frame[field["name"]]
        if field.get("type") == "date":
            column = column.dt.strftime("%Y-%m-%d")
        columns.append([None if pd.isna(value) else value for value in column.tolist()])
    return list(zip(*columns, strict=True))


def sqlite_database(resources: Sequence[Resource]) -> bytes:
    """The bytes of a SQLite database holding every resource, or ExportError if a key or constraint fails."""
    connection = sqlite3.connect(":memory:")
    try:
        return _fill(connection, resources)
    except sqlite3.Error as error:  # a schema SQLite cannot take, e.g. two tables of one name
        raise ExportError("sqlite-refused", str(error)) from error
    finally:
        connection.close()


def _fill(connection: sqlite3.Connection, resources: Sequence[Resource]) -> bytes:
    """The tables, indexes, view and rows of every resource, checked, as the database's bytes."""
    for resource in resources:
        connection.execute(create_table_sql(resource))
        for statement in create_index_sql(resource):
            connection.execute(statement)
    connection.execute(QUOTES_FULL_VIEW)
    # Foreign keys stay off while loading, so rows can arrive in any order (entities refer
    # to entities); `foreign_key_check` below then reports every violation at once.
    for resource in resources:
        placeholders = ", ".join("?" for _ in resource.schema["fields"])
        try:
            connection.executemany(
                f"INSERT INTO {quote_identifier(resource.name)} VALUES ({placeholders})", sql_rows(resource)
            )
        except sqlite3.IntegrityError as error:
            raise ExportError("constraint-violated", f"{resource.name}: {error}") from error
    connection.commit()
    violations = connection.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        described = "; ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in violations[:5])
        raise ExportError("foreign-key-violated", f"{len(violations)} row(s) refer to missing rows: {described}")
    return connection.serialize()


def arrow_schema(resource: Resource) -> pa.Schema:
    fields = []
    for field in resource.schema["fields"]:
        kind = field.get("type", "string")
        if kind == "string" and "enum" in field.get("constraints", {}):
            fields.append(pa.field(field["name"], ARROW_ENUM))
        elif kind in ARROW_TYPES:
            fields.append(pa.field(field["name"], ARROW_TYPES[kind]))
        else:
            raise ExportError("type-unsupported", f"{resource.name}.{field['name']}: type {kind!r}")
    return pa.schema(fields)


def parquet_file(resource: Resource) -> bytes:
    """The bytes of a Parquet file of one table; pandas metadata is kept, so nullable dtypes read back."""
    table = pa.Table.from_pandas(resource.frame, schema=arrow_schema(resource), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
