"""`newsfacts export --to parquet`: one Parquet file per table, with the types `load()` gives.

Each file describes itself: every field carries its description (Arrow field metadata
`description`), a required field is non-nullable, and the schema's metadata `datapackage`
holds the package's name, version, title, description and licences with the table's own
descriptor (title, description and Table Schema) as JSON, which Parquet readers that do not
read Arrow's field metadata (DuckDB's `parquet_kv_metadata`) also see.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write_all
from ..cells import arrow_type
from ..problems import NewsfactsError
from ._base import Exporter, described, read_package, refuse_overwrite, required_fields, text

if TYPE_CHECKING:
    import pyarrow as pa

    from ..loader import Resource, Source

# The keys of the package descriptor each file repeats: what it is, which version, under what licence.
PACKAGE_KEYS = ("name", "version", "title", "description", "homepage", "licenses")
# The keys of the table's own descriptor each file holds.
RESOURCE_KEYS = ("name", "title", "description", "schema")
DATAPACKAGE_METADATA = b"datapackage"
DESCRIPTION_METADATA = b"description"


def export_parquet(directory: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write one Parquet file per table into `directory`; return the files changed."""
    if directory.exists() and not directory.is_dir():
        raise NewsfactsError("output-exists", f"{directory} exists and is not a directory")
    descriptor, resources = read_package(source)
    outputs = {directory / f"{resource.name}.parquet": parquet_file(descriptor, resource) for resource in resources}
    refuse_overwrite(list(outputs), force)
    return atomic_write_all(outputs, directory)


EXPORTER = Exporter(
    description="one OUTPUT/<table>.parquet per table (field descriptions, package metadata, "
    "required fields non-nullable)",
    output="the directory of Parquet files",
    export=export_parquet,
)


def package_metadata(descriptor: dict[str, Any], resource: Resource) -> dict[str, Any]:
    """What the file's `datapackage` metadata holds: the package's `PACKAGE_KEYS` and the table's descriptor."""
    about = described(descriptor, resource)
    kept = {key: descriptor[key] for key in PACKAGE_KEYS if key in descriptor}
    return {**kept, "resource": {key: about[key] for key in RESOURCE_KEYS if key in about}}


def arrow_schema(descriptor: dict[str, Any], resource: Resource) -> pa.Schema:
    import pyarrow as pa

    required = required_fields(resource.schema)
    fields = []
    for field in resource.schema["fields"]:
        description = text(field.get("description"))
        metadata = None if description is None else {DESCRIPTION_METADATA: description.encode("utf-8")}
        nullable = field["name"] not in required
        fields.append(pa.field(field["name"], arrow_type(field), nullable=nullable, metadata=metadata))
    written = json.dumps(package_metadata(descriptor, resource), ensure_ascii=False, separators=(",", ":"))
    return pa.schema(fields, metadata={DATAPACKAGE_METADATA: written.encode("utf-8")})


def parquet_file(descriptor: dict[str, Any], resource: Resource) -> bytes:
    """The bytes of a Parquet file of one table; pandas metadata is kept, so nullable dtypes read back.

    NewsfactsError("constraint-violated") where a required field is empty: `load()` reads such a
    cell as missing, but a non-nullable column cannot hold it (`validate` reports it as `row-invalid`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    required = required_fields(resource.schema)
    for name in [field["name"] for field in resource.schema["fields"] if field["name"] in required]:
        empty = int(resource.frame[name].isna().sum())
        if empty:
            detail = f"{resource.name}: {empty} row(s) leave the required field {name} empty"
            raise NewsfactsError("constraint-violated", detail)
    table = pa.Table.from_pandas(resource.frame, schema=arrow_schema(descriptor, resource), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
