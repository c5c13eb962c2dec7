"""`newsfacts export --to parquet`: one Parquet file per table, with the types `load()` gives."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import atomic_write_all
from ..cells import arrow_type
from ..problems import NewsfactsError
from ._base import Exporter, refuse_overwrite

if TYPE_CHECKING:
    import pyarrow as pa

    from ..loader import Resource, Source


def export_parquet(directory: Path, source: Source = None, force: bool = False) -> list[Path]:
    """Write one Parquet file per table into `directory`; return the files changed."""
    from ..loader import load_resources  # imported here: pandas is slow to import, and `--help` reads this module

    if directory.exists() and not directory.is_dir():
        raise NewsfactsError("output-exists", f"{directory} exists and is not a directory")
    outputs = {directory / f"{resource.name}.parquet": parquet_file(resource) for resource in load_resources(source)}
    refuse_overwrite(list(outputs), force)
    return atomic_write_all(outputs, directory)


EXPORTER = Exporter(
    description="one OUTPUT/<table>.parquet per table",
    output="the directory of Parquet files",
    export=export_parquet,
)


def arrow_schema(resource: Resource) -> pa.Schema:
    import pyarrow as pa

    return pa.schema([pa.field(field["name"], arrow_type(field)) for field in resource.schema["fields"]])


def parquet_file(resource: Resource) -> bytes:
    """The bytes of a Parquet file of one table; pandas metadata is kept, so nullable dtypes read back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(resource.frame, schema=arrow_schema(resource), preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
