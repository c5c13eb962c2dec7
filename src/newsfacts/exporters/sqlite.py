"""`newsfacts export --to sqlite`: the package as one SQLite database, ready for Datasette."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write_all
from ..cells import plain_values, read_as
from ..problems import NewsfactsError
from ._base import Exporter, refuse_overwrite

if TYPE_CHECKING:
    from ..loader import Resource, Source

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


def export_sqlite(output: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write the package as one SQLite database; return the files changed.

    One table per resource with declared column types, NOT NULL, enum CHECKs, primary and
    foreign keys; an index on each foreign key not already led by the primary key; and the
    `quotes_full` view. Foreign keys are checked (`PRAGMA foreign_key_check`) before writing.
    """
    from ..loader import load_resources  # imported here: pandas is slow to import, and `--help` reads this module

    refuse_overwrite([output], force)
    return atomic_write_all({output: sqlite_database(load_resources(source))}, output.parent)


EXPORTER = Exporter(
    description="one database (primary and foreign keys, indexes on foreign keys, a quotes_full view; "
    "ready for Datasette)",
    output="the database file",
    export=export_sqlite,
)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_table_sql(resource: Resource) -> str:
    schema = resource.schema
    lines = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        column = f"{quote_identifier(field['name'])} {read_as(field).sqlite}"
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


def sql_rows(resource: Resource) -> list[tuple[Any, ...]]:
    """The rows as Python values SQLite stores natively (see `cells.plain_values`)."""
    columns = [plain_values(resource.frame[field["name"]], field) for field in resource.schema["fields"]]
    return list(zip(*columns, strict=True))


def sqlite_database(resources: Sequence[Resource]) -> bytes:
    """The bytes of a SQLite database holding every resource, or NewsfactsError if a key or constraint fails."""
    connection = sqlite3.connect(":memory:")
    try:
        return _fill(connection, resources)
    except sqlite3.Error as error:  # a schema SQLite cannot take, e.g. two tables of one name
        raise NewsfactsError("sqlite-refused", str(error)) from error
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
            raise NewsfactsError("constraint-violated", f"{resource.name}: {error}") from error
    connection.commit()
    violations = connection.execute("PRAGMA foreign_key_check").fetchall()
    if violations:
        described = "; ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in violations[:5])
        raise NewsfactsError("foreign-key-violated", f"{len(violations)} row(s) refer to missing rows: {described}")
    return connection.serialize()
