"""`newsfacts export --to sqlite`: the package as one SQLite database, with its Datasette metadata beside it."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write_all
from ..cells import ENUM, plain_values, read_as
from ..problems import NewsfactsError
from ..tables import LABEL_FIELD, json_bytes
from ._base import Exporter, described, read_package, refuse_overwrite, required_fields, text, web_url

if TYPE_CHECKING:
    from ..loader import Resource, Source

QUOTES_FULL = "quotes_full"
QUOTES_FULL_DESCRIPTION = "One row per quote with who said it and where: the join most analyses start from."
QUOTES_FULL_VIEW = f"""
CREATE VIEW {QUOTES_FULL} AS
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
    """Write the package as one SQLite database, and its Datasette metadata beside it; return the files changed.

    One table per resource with declared column types, NOT NULL, enum CHECKs, primary and
    foreign keys; an index on each foreign key not already led by the primary key; and the
    `quotes_full` view. Foreign keys are checked (`PRAGMA foreign_key_check`) before writing.
    Both files are written together, or neither (`atomic_write_all`).
    """
    metadata = metadata_path(output)
    refuse_overwrite([output, metadata], force)
    descriptor, resources = read_package(source)
    outputs = {
        output: sqlite_database(resources),
        metadata: json_bytes(datasette_metadata(descriptor, resources, output)),
    }
    return atomic_write_all(outputs, output.parent)


EXPORTER = Exporter(
    description="one database (primary and foreign keys, indexes on foreign keys, a quotes_full view; "
    "ready for Datasette) and, beside it, its Datasette metadata: <name>.metadata.json",
    output="the database file",
    export=export_sqlite,
)


def metadata_path(database: Path) -> Path:
    """Where the Datasette metadata of a database goes: `newsfacts.db` has `newsfacts.metadata.json`.

    Named after the database, as Datasette names the database itself (`newsfacts`), so that two
    exports into one folder keep their own metadata; `datasette newsfacts.db -m newsfacts.metadata.json`
    serves them together.
    """
    return database.with_name(f"{database.stem}.metadata.json")


def datasette_metadata(descriptor: dict[str, Any], resources: Sequence[Resource], database: Path) -> dict[str, Any]:
    """Datasette's metadata for the database file `database`, from the package's descriptor.

    The package's title, description, licence and sources; per table, its title, description,
    column descriptions, a facet for each enum field (its values are few and fixed), and the
    model's label field as the label column (what Datasette shows beside a key that refers to a
    row). See https://docs.datasette.io/en/0.65.x/metadata.html.
    """
    metadata: dict[str, Any] = {}
    _put(metadata, "title", text(descriptor.get("title")))
    _put(metadata, "description", text(descriptor.get("description")))
    _put(metadata, "license", *_attribution(descriptor.get("licenses")))
    _put(metadata, "source", *_attribution(descriptor.get("sources")))
    homepage = web_url(descriptor.get("homepage"))
    _put(metadata, "about", homepage, homepage)
    tables = {resource.name: _table_metadata(descriptor, resource) for resource in resources}
    tables[QUOTES_FULL] = {"description": QUOTES_FULL_DESCRIPTION}
    metadata["databases"] = {database.stem: {"tables": tables}}
    metadata["newsfacts:generated"] = (
        f"The Datasette metadata of {database.name}, generated with it from the package's datapackage.json by "
        f"`newsfacts export --to sqlite {database.name}`; export again to regenerate both."
    )
    return metadata


def _table_metadata(descriptor: dict[str, Any], resource: Resource) -> dict[str, Any]:
    about = described(descriptor, resource)
    fields = resource.schema["fields"]
    table: dict[str, Any] = {}
    _put(table, "title", text(about.get("title")))
    _put(table, "description", text(about.get("description")))
    columns = {field["name"]: description for field in fields if (description := text(field.get("description")))}
    if columns:
        table["columns"] = columns
    facets = [field["name"] for field in fields if read_as(field) is ENUM]
    if facets:
        table["facets"] = facets
    # The loader has checked that it names a field.
    _put(table, "label_column", text(resource.schema.get(LABEL_FIELD)))
    return table


def _attribution(entries: Any) -> tuple[str | None, str | None]:
    """What Datasette shows for the descriptor's licences or sources: their titles (else names), and a
    link only where there is one entry and its `path` is a web address; nothing is made up."""
    listed = [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    names = [name for entry in listed if (name := text(entry.get("title")) or text(entry.get("name")))]
    url = web_url(listed[0].get("path")) if len(listed) == 1 else None
    return "; ".join(names) or None, url


def _put(metadata: dict[str, Any], key: str, value: str | None, url: str | None = None) -> None:
    """Set Datasette's `key` (and `<key>_url`), where there is a value to show."""
    if value is None:
        return
    metadata[key] = value
    if url is not None:
        metadata[f"{key}_url"] = url


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_table_sql(resource: Resource) -> str:
    schema = resource.schema
    required = required_fields(schema)
    lines = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        column = f"{quote_identifier(field['name'])} {read_as(field).sqlite}"
        if field["name"] in required:
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
