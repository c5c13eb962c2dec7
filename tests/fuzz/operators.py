"""Mutation operators: each breaks a scratch project in one small, named way.

An operator takes the case's `random.Random` and the `Project`, changes files on disk and
returns a short note of what it did, so that a crash report says which operator found it.
Operators use nothing but that generator, so a (seed, case) pair always makes the same package.

Stages: "data" operators edit the tables, seeds and suites and may be followed by
`newsfacts build`, which refreshes the hashes and JSON tables so that the edit reaches the deeper
checks; "final" operators run after that build (descriptor, bytes, filesystem), so their edit
survives; "zip" operators write a release zip and its SHA256SUMS beside the project.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import random
import shutil
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ZIP_NAME = "newsfacts-fuzz.zip"
# A lone surrogate becomes the bytes ED B3 BF, which no UTF-8 decoder accepts.
LONE_SURROGATE = "\udcff"
LONG_CELL = "x" * 200_000

INTEGER_EDGES = [
    " 83",
    "83 ",
    "8_3",
    "83.0",
    "+83",
    "-0",
    "0083",
    "-1",
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "1e3",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: a digit to Python's int(), not to [0-9]
    "\uff18\uff13",  # fullwidth 83
    "0x53",
    "83\n",
]
DATE_EDGES = [
    "2024-9-1",
    "2024-02-30",
    "0000-01-01",
    " 2024-09-01",
    "2024-09-01 ",
    "2024-09-01T00:00:00",
    "20240901",
    "2024-13-01",
    "2023-02-29",
    "2024-02-29",
    "9999-12-31",
    "\u0662\u0660\u0662\u0664-\u0660\u0669-\u0660\u0661",
    "+2024-09-01",
]
TEXT_EDGES = [
    LONG_CELL,
    "a\x00b",
    "a\rb",
    "a\r\nb",
    "\ufeffx",
    f"a{LONE_SURROGATE}b",
    "=1+1",
    "+1",
    "@SUM(A1)",
    "\tx",
    "-1+1",
    "\u202eevil",
    "NA",
    " ",
    '"',
    "a,b",
    "\n",
    "art-000 ",
    "ART-000",
]
WEIRD_JSON_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**64,
    10**400,
    1e308,
    float("nan"),  # json.dumps writes NaN, which JSON does not have
    float("inf"),
    "",
    "x" * 10_000,
    "\x00",
    LONE_SURROGATE,
    [],
    {},
    [[]],
    {"": None},
    ["data/quotes.csv"],
]
HOSTILE_PATHS: list[Any] = [
    "data/quotes.csv\x00.txt",
    "/etc/passwd",
    "../datapackage/data/quotes.csv",
    "data/../data/quotes.csv",
    "data/" + "a" * 5_000 + ".csv",
    "a/" * 2_000 + "x.csv",
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.csv",
    "data\\quotes.csv",
    "",
    ["data/quotes.csv"],
    ".hidden/x.csv",
    "data/./quotes.csv",
    "data//quotes.csv",
    "DATA/quotes.csv",
    "data/quotes.csv/",
    "data",
    "C:/data/quotes.csv",
    5,
    None,
]
INTERESTING_BYTES = [b"\x00", b"\r", b"\n", b",", b'"', b"\xff", b"\xed\xb3\xbf", b"\xef\xbb\xbf", b"\x1b", b"{"]


@dataclass(frozen=True)
class Project:
    """A scratch copy of the project: datapackage/ (with its seeds/), schema/ and README.md under `root`."""

    root: Path

    @property
    def package(self) -> Path:
        return self.root / "datapackage"

    @property
    def descriptor(self) -> Path:
        return self.package / "datapackage.json"

    @property
    def zip_path(self) -> Path:
        return self.root / ZIP_NAME

    def files(self) -> list[Path]:
        """Regular files an operator may break, in a stable order."""
        found = [self.root / "README.md"]
        for folder in ("datapackage", "schema"):
            found += [p for p in sorted((self.root / folder).rglob("*")) if p.is_file() and not p.is_symlink()]
        return found

    def csvs(self) -> list[Path]:
        return sorted((self.package / "data").glob("*.csv"))

    def json_files(self) -> list[Path]:
        return [p for p in self.files() if p.suffix == ".json"]

    def suites(self) -> list[Path]:
        return sorted((self.package / "expectations").glob("*.json"))


@dataclass(frozen=True)
class Operator:
    name: str
    stage: str  # "data", "final" or "zip"; see the module docstring
    mutate: Callable[[random.Random, Project], str]
    weight: int


REGISTRY: list[Operator] = []


def operator(stage: str, weight: int = 2) -> Callable[[Callable[[random.Random, Project], str]], Any]:
    def register(function: Callable[[random.Random, Project], str]) -> Callable[[random.Random, Project], str]:
        REGISTRY.append(Operator(function.__name__, stage, function, weight))
        return function

    return register


def by_name(name: str) -> Operator:
    return next(op for op in REGISTRY if op.name == name)


# --- helpers -------------------------------------------------------------------------------------


def read_csv_rows(path: Path) -> list[list[str]]:
    # surrogateescape: an earlier operator may have left bytes that are not UTF-8; they survive the round trip.
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_csv_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    # surrogatepass writes a lone surrogate as its (invalid) three UTF-8 bytes; escaped bytes go back as they came.
    text = buffer.getvalue()
    path.write_bytes(b"".join(_encode_char(char) for char in text) if _has_surrogates(text) else text.encode())


def _has_surrogates(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _encode_char(char: str) -> bytes:
    if "\udc80" <= char <= "\udcff" and char != LONE_SURROGATE:
        return char.encode("utf-8", errors="surrogateescape")
    return char.encode("utf-8", errors="surrogatepass")


def read_json(path: Path) -> Any:
    return json.loads(path.read_bytes())


def write_json(path: Path, value: Any) -> None:
    path.write_bytes(json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8", errors="surrogatepass"))


def field_types(project: Project) -> dict[str, dict[str, str]]:
    """Table -> field -> type, from the (still pristine) descriptor, to pick edge values by column type."""
    descriptor = read_json(project.descriptor)
    return {
        resource["name"]: {field["name"]: field.get("type", "string") for field in resource["schema"]["fields"]}
        for resource in descriptor["resources"]
    }


def walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node's path (keys and indexes) in a JSON value, the root included."""
    paths = [path]
    if isinstance(value, dict):
        for key in value:
            paths += walk(value[key], (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += walk(item, (*path, index))
    return paths


def replace_at(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return root


def deep_nesting(depth: int) -> str:
    return "[" * depth + "]" * depth


def edit_resource(rng: random.Random, project: Project, edit: Callable[[dict[str, Any]], str]) -> str:
    descriptor = read_json(project.descriptor)
    resource = rng.choice(descriptor["resources"])
    note = edit(resource)
    write_json(project.descriptor, descriptor)
    return f"{resource['name']}: {note}"


def pick_file(rng: random.Random, project: Project) -> Path:
    # Half the time a table or the descriptor, which most code reads; otherwise any file.
    if rng.random() < 0.5:
        return rng.choice([*project.csvs(), project.descriptor])
    return rng.choice(project.files())


def relative(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix()


# --- CSV tables (stage "data") ---------------------------------------------------------------------


@operator("data", weight=8)
def csv_cell_edge(rng: random.Random, project: Project) -> str:
    path = rng.choice(project.csvs())
    rows = read_csv_rows(path)
    types = field_types(project).get(path.stem, {})
    row, column = rng.randrange(1, len(rows)), rng.randrange(len(rows[0]))
    kind = types.get(rows[0][column], "string")
    pool = {"integer": INTEGER_EDGES, "date": DATE_EDGES}.get(kind, TEXT_EDGES)
    value = rng.choice(pool if rng.random() < 0.8 else INTEGER_EDGES + DATE_EDGES + TEXT_EDGES)
    rows[row][column] = value
    write_csv_rows(path, rows)
    return f"{relative(project, path)} line {row + 1} {rows[0][column]}={value[:40]!r}"


def edit_random_row(rng: random.Random, project: Project, edit: Callable[[list[list[str]], int], str]) -> str:
    """Apply `edit(rows, row)` to a random data row of a random table; describe it by its file and line."""
    path = rng.choice(project.csvs())
    rows = read_csv_rows(path)
    row = rng.randrange(1, len(rows))
    done = edit(rows, row)
    write_csv_rows(path, rows)
    return f"{relative(project, path)} line {row + 1} {done}"


@operator("data", weight=2)
def csv_row_duplicate(rng: random.Random, project: Project) -> str:
    def repeat(rows: list[list[str]], row: int) -> str:
        rows.insert(rng.randrange(1, len(rows) + 1), list(rows[row]))
        return "repeated"

    return edit_random_row(rng, project, repeat)


@operator("data", weight=2)
def csv_row_delete(rng: random.Random, project: Project) -> str:
    def delete(rows: list[list[str]], row: int) -> str:
        del rows[row]
        return "deleted"

    return edit_random_row(rng, project, delete)


@operator("data", weight=3)
def csv_header_edit(rng: random.Random, project: Project) -> str:
    path = rng.choice(project.csvs())
    rows = read_csv_rows(path)
    header = rows[0]
    column = rng.randrange(len(header))
    edit = rng.choice(["upper", "swap", "duplicate", "drop", "extra", "bom", "space", "empty", "no-header"])
    if edit == "upper":
        header[column] = header[column].upper()
    elif edit == "swap":
        other = rng.randrange(len(header))
        header[column], header[other] = header[other], header[column]
    elif edit == "duplicate":
        header[column] = header[(column + 1) % len(header)]
    elif edit == "drop":
        for row in rows:
            del row[column : column + 1]
    elif edit == "extra":
        for row in rows:
            row.append("extra" if row is header else "")
    elif edit == "bom":
        header[0] = "\ufeff" + header[0]
    elif edit == "space":
        header[column] += " "
    elif edit == "empty":
        header[column] = ""
    else:
        del rows[0]
    write_csv_rows(path, rows)
    return f"{relative(project, path)} header {edit} column {column}"


# --- JSON tables and suites (stage "data") -------------------------------------------------------------


@operator("data", weight=2)
def json_table_edit(rng: random.Random, project: Project) -> str:
    path = rng.choice(sorted((project.package / "data").glob("*.json")))
    records = read_json(path)
    index = rng.randrange(len(records))
    edit = rng.choice(["value", "drop", "repeat", "extra-key"])
    if edit == "value":
        key = rng.choice(sorted(records[index]))
        records[index][key] = rng.choice([83.0, "83", True, None, 2**63, -0.0, "", *WEIRD_JSON_VALUES])
        edit = f"{key}={str(records[index][key])[:30]!r}"
    elif edit == "drop":
        del records[index]
    elif edit == "repeat":
        records.append(copy.deepcopy(records[index]))
    else:
        records[index]["extra"] = 1
    write_json(path, records)
    return f"{relative(project, path)} record {index} {edit}"


@operator("data", weight=3)
def suite_edit(rng: random.Random, project: Project) -> str:
    path = rng.choice(project.suites())
    suite = read_json(path)
    expectations = suite["expectations"]
    index = rng.randrange(len(expectations))
    edit = rng.choice(
        [
            "deep-1000",
            "deep-100000",
            "not-a-list",
            "unknown-type",
            "kwargs-list",
            "unknown-code",
            "meta-list",
            "no-such-column",
            "bad-regex",
            "empty-suite",
            "suite-is-list",
            "type-int",
            "mostly-string",
        ]
    )
    if edit.startswith("deep-"):
        placeholder = "__DEEP__"
        expectations[index]["kwargs"] = placeholder
        text = json.dumps(suite).replace(json.dumps(placeholder), deep_nesting(int(edit.split("-")[1])))
        path.write_text(text, encoding="utf-8")
        return f"{relative(project, path)} expectation {index} {edit}"
    if edit == "not-a-list":
        suite["expectations"] = {"0": expectations[0]}
    elif edit == "unknown-type":
        expectations[index]["type"] = "expect_the_unexpected"
    elif edit == "kwargs-list":
        expectations[index]["kwargs"] = [1, 2]
    elif edit == "unknown-code":
        expectations[index]["meta"] = {"code": "no-such-code"}
    elif edit == "meta-list":
        expectations[index]["meta"] = ["code"]
    elif edit == "no-such-column":
        expectations[index]["kwargs"] = {"column": "no_such_column"}
    elif edit == "bad-regex":
        expectations[index] = {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "x", "regex": "("}}
    elif edit == "empty-suite":
        suite["expectations"] = []
    elif edit == "suite-is-list":
        suite = expectations
    elif edit == "type-int":
        expectations[index]["type"] = 5
    else:
        expectations[index].setdefault("kwargs", {})["mostly"] = "half"
    write_json(path, suite)
    return f"{relative(project, path)} expectation {index} {edit}"


# --- descriptor (stage "final") ------------------------------------------------------------------------


@operator("final", weight=2)
def descriptor_deep_nesting(rng: random.Random, project: Project) -> str:
    descriptor = read_json(project.descriptor)
    depth = rng.choice([1_000, 100_000])
    placeholder = "__DEEP__"
    where = rng.choice(["top", "schema", "fields", "dialect"])
    resource = rng.choice(descriptor["resources"])
    if where == "top":
        descriptor["deep"] = placeholder
    elif where == "schema":
        resource["schema"]["deep"] = placeholder
    elif where == "fields":
        resource["schema"]["fields"][0]["constraints"] = placeholder
    else:
        resource["dialect"] = placeholder
    text = json.dumps(descriptor).replace(json.dumps(placeholder), deep_nesting(depth))
    project.descriptor.write_text(text, encoding="utf-8")
    return f"{where} nested {depth} deep"


@operator("final")
def descriptor_primary_key(rng: random.Random, project: Project) -> str:
    value = rng.choice([True, "", [], ["no_such_field"], [["entity_id"]], 5, {"fields": "x"}, ["entity_id"] * 2])

    def edit(resource: dict[str, Any]) -> str:
        resource["schema"]["primaryKey"] = value
        return f"primaryKey={value!r}"

    return edit_resource(rng, project, edit)


@operator("final")
def descriptor_fields_shape(rng: random.Random, project: Project) -> str:
    value = rng.choice([{}, [], None, "fields", [{}], [{"name": 5}], [{"name": "x", "type": "string"}]])

    def edit(resource: dict[str, Any]) -> str:
        resource["schema"]["fields"] = copy.deepcopy(value)
        return f"fields={value!r}"

    return edit_resource(rng, project, edit)


@operator("final")
def descriptor_resource_twice(rng: random.Random, project: Project) -> str:
    descriptor = read_json(project.descriptor)
    resource = rng.choice(descriptor["resources"])
    descriptor["resources"].insert(rng.randrange(len(descriptor["resources"]) + 1), copy.deepcopy(resource))
    write_json(project.descriptor, descriptor)
    return f"{resource['name']} listed twice"


@operator("final", weight=3)
def descriptor_path_swap(rng: random.Random, project: Project) -> str:
    descriptor = read_json(project.descriptor)
    resource, other = rng.sample(descriptor["resources"], 2)
    keep_integrity = rng.random() < 0.3
    resource["path"] = other["path"]
    if keep_integrity:
        resource["hash"], resource["bytes"] = other.get("hash"), other.get("bytes")
    else:
        resource.pop("hash", None)
        resource.pop("bytes", None)
    write_json(project.descriptor, descriptor)
    return f"{resource['name']} path -> {other['path']} ({'its hash' if keep_integrity else 'hash/bytes removed'})"


@operator("final", weight=3)
def descriptor_path_hostile(rng: random.Random, project: Project) -> str:
    value = rng.choice([*HOSTILE_PATHS, "absolute-into-package"])
    drop_hash = rng.random() < 0.5

    def edit(resource: dict[str, Any]) -> str:
        # An absolute path to the very file the resource names: only the path rule can refuse it.
        resource["path"] = str(project.package / resource["path"]) if value == "absolute-into-package" else value
        if drop_hash:
            resource.pop("hash", None)
            resource.pop("bytes", None)
        return f"path={str(resource['path'])[:60]!r}{' without hash' if drop_hash else ''}"

    return edit_resource(rng, project, edit)


@operator("final", weight=3)
def descriptor_field_type(rng: random.Random, project: Project) -> str:
    new_type = rng.choice(
        ["integer", "number", "boolean", "date", "datetime", "year", "any", "object", "geopoint", 5, None, "String"]
    )
    with_format = rng.random() < 0.3

    def edit(resource: dict[str, Any]) -> str:
        field = rng.choice(resource["schema"]["fields"])
        field["type"] = new_type
        if with_format:
            field["format"] = rng.choice(["%d/%m/%Y", "any", "email", 5])
        return f"field {field['name']} type={new_type!r}{' format ' + repr(field['format']) if with_format else ''}"

    return edit_resource(rng, project, edit)


@operator("final", weight=2)
def descriptor_constraints(rng: random.Random, project: Project) -> str:
    value = rng.choice(
        [[], None, "required", {"enum": "partial"}, {"enum": []}, {"pattern": "("}, {"minimum": "a"}, {"required": 1}]
    )

    def edit(resource: dict[str, Any]) -> str:
        field = rng.choice(resource["schema"]["fields"])
        field["constraints"] = copy.deepcopy(value)
        return f"field {field['name']} constraints={value!r}"

    return edit_resource(rng, project, edit)


@operator("final", weight=2)
def descriptor_missing_values(rng: random.Random, project: Project) -> str:
    value = rng.choice([["", "NA"], ["-"], [], "", None, ["", ""], [1], ["0"], ["art-000"], [" "], "NA"])

    def edit(resource: dict[str, Any]) -> str:
        resource["schema"]["missingValues"] = copy.deepcopy(value)
        return f"missingValues={value!r}"

    return edit_resource(rng, project, edit)


@operator("final", weight=2)
def descriptor_dialect(rng: random.Random, project: Project) -> str:
    value = rng.choice(
        [
            {"delimiter": ";"},
            {"quoteChar": "'"},
            {"delimiter": ""},
            {"delimiter": ",,"},
            {"delimiter": None},
            {"doubleQuote": False},
            {"skipInitialSpace": True},
            {"header": False},
            {"quoteChar": ""},
            {"delimiter": "\n"},
            "dialect.json",
            [],
            None,
        ]
    )

    def edit(resource: dict[str, Any]) -> str:
        if isinstance(value, dict) and isinstance(resource.get("dialect"), dict):
            resource["dialect"].update(value)
        else:
            resource["dialect"] = value
        return f"dialect {value!r}"

    return edit_resource(rng, project, edit)


@operator("final", weight=3)
def descriptor_scalar_types(rng: random.Random, project: Project) -> str:
    descriptor = read_json(project.descriptor)
    resource = rng.choice(descriptor["resources"])
    edit = rng.choice(
        [
            "bytes-string",
            "hash-list",
            "bytes-huge",
            "bytes-float",
            "hash-upper",
            "hash-md5",
            "hash-bare",
            "unicode-key",
            "name-int",
            "name-missing",
            "resource-string",
            "resources-object",
            "schema-string",
            "format-tsv",
            "encoding",
            "profile",
            "top-list",
        ]
    )
    if edit == "bytes-string":
        resource["bytes"] = str(resource.get("bytes"))
    elif edit == "hash-list":
        resource["hash"] = [resource.get("hash")]
    elif edit == "bytes-huge":
        resource["bytes"] = 10**400
    elif edit == "bytes-float":
        resource["bytes"] = float(resource.get("bytes", 0)) + 0.5
    elif edit == "hash-upper":
        resource["hash"] = str(resource.get("hash")).upper()
    elif edit == "hash-md5":
        resource["hash"] = "md5:" + "0" * 32
    elif edit == "hash-bare":
        resource["hash"] = str(resource.get("hash")).removeprefix("sha256:")
    elif edit == "unicode-key":
        resource["\u043a\u043b\u044e\u0447\x00"] = LONE_SURROGATE
    elif edit == "name-int":
        resource["name"] = 5
    elif edit == "name-missing":
        del resource["name"]
    elif edit == "resource-string":
        descriptor["resources"][descriptor["resources"].index(resource)] = "data/quotes.csv"
    elif edit == "resources-object":
        descriptor["resources"] = {"quotes": resource}
    elif edit == "schema-string":
        resource["schema"] = "schema/quotes.tableschema.json"
    elif edit == "format-tsv":
        resource["format"] = rng.choice(["tsv", None, 5, "CSV"])
    elif edit == "encoding":
        resource["encoding"] = rng.choice(["latin-1", "utf-16", "no-such-codec", 5, "utf-8-sig"])
    elif edit == "profile":
        descriptor["$schema"] = rng.choice([None, 5, "https://datapackage.org/profiles/1.0/datapackage.json"])
    else:
        descriptor = [descriptor]
    write_json(project.descriptor, descriptor)
    return edit


@operator("data", weight=1)
def metadata_toml_edit(rng: random.Random, project: Project) -> str:
    path = project.package / "metadata.toml"
    edit = rng.choice(["no-package", "deep", "huge-int", "garbage", "empty"])
    text = {
        "no-package": 'name = "x"\n',
        "deep": "x = " + "[" * 20_000 + "]" * 20_000 + "\n",
        "huge-int": path.read_text(encoding="utf-8") + "\n[extra]\nn = " + "9" * 5000 + "\n",
        "garbage": "[package\n",
        "empty": "",
    }[edit]
    path.write_text(text, encoding="utf-8")
    return edit


@operator("final", weight=4)
def json_random_edit(rng: random.Random, project: Project) -> str:
    path = rng.choice([project.descriptor, project.descriptor, *project.json_files()])
    value = read_json(path)
    node = rng.choice(walk(value))
    new = copy.deepcopy(rng.choice(WEIRD_JSON_VALUES))
    write_json(path, replace_at(value, node, new))
    return f"{relative(project, path)} at {list(node)[-4:]} = {str(new)[:30]!r}"


# --- bytes and the filesystem (stage "final") -----------------------------------------------------------


@operator("final", weight=3)
def byte_flip(rng: random.Random, project: Project) -> str:
    path = pick_file(rng, project)
    data = bytearray(path.read_bytes())
    if not data:
        return f"{relative(project, path)} empty, unchanged"
    offset = rng.randrange(len(data))
    data[offset] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return f"{relative(project, path)} bit flipped at byte {offset}"


@operator("final", weight=3)
def byte_insert(rng: random.Random, project: Project) -> str:
    path = pick_file(rng, project)
    data = path.read_bytes()
    offset = rng.randrange(len(data) + 1)
    inserted = rng.choice(INTERESTING_BYTES)
    path.write_bytes(data[:offset] + inserted + data[offset:])
    return f"{relative(project, path)} {inserted!r} inserted at byte {offset}"


@operator("final", weight=2)
def byte_delete(rng: random.Random, project: Project) -> str:
    path = pick_file(rng, project)
    data = path.read_bytes()
    offset = rng.randrange(len(data) + 1)
    length = rng.choice([1, 1, 2, 16, len(data)])
    path.write_bytes(data[:offset] + data[offset + length :])
    return f"{relative(project, path)} {length} byte(s) deleted at {offset}"


@operator("final", weight=3)
def csv_bytes_rehashed(rng: random.Random, project: Project) -> str:
    """Bytes a CSV writer would never write (a stray or unclosed quote, a CR), with the descriptor's
    hash and bytes set to match, as a hostile contributor would: the edit then meets the readers."""
    path = rng.choice(project.csvs())
    data = path.read_bytes()
    offset = rng.randrange(len(data) + 1)
    inserted = rng.choice([b'"', b'"', b'""', b"\r", b"\r\n", b",", b'\n"', b'"x"y'])
    data = data[:offset] + inserted + data[offset:]
    path.write_bytes(data)
    descriptor = read_json(project.descriptor)
    for resource in descriptor["resources"]:
        if resource.get("path") == f"data/{path.name}":
            resource.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())
    write_json(project.descriptor, descriptor)
    return f"{relative(project, path)} {inserted!r} inserted at byte {offset}, hash refreshed"


# Keys that change how some client reads a package, where the toolkit's readers ignore them.
INTERPRETED_KEYS: list[tuple[str, str, Any]] = [
    ("package", "profile", "https://127.0.0.1:9/profile.json"),
    ("package", "profile", "tabular-data-package"),
    ("package", "resources-extra", True),
    ("resource", "sources", [{"path": "../secret"}]),
    ("resource", "scheme", "file"),
    ("schema", "missingValues", ["", "NA"]),
    ("field", "groupChar", ","),
    ("field", "bareNumber", False),
    ("field", "missingValues", ["0"]),
    ("field", "trueValues", 5),
    ("dialect", "commentChar", "#"),
    ("dialect", "skipInitialSpace", True),
]


@operator("final", weight=2)
def descriptor_interpreted_key(rng: random.Random, project: Project) -> str:
    descriptor = read_json(project.descriptor)
    where, key, value = rng.choice(INTERPRETED_KEYS)
    resource = rng.choice(descriptor["resources"])
    target = {
        "package": descriptor,
        "resource": resource,
        "schema": resource["schema"],
        "field": rng.choice(resource["schema"]["fields"]),
        "dialect": resource.setdefault("dialect", {}),
    }[where]
    target[key] = value
    write_json(project.descriptor, descriptor)
    return f"{where} {key} = {value!r}"


@operator("final", weight=2)
def descriptor_repeated_key(rng: random.Random, project: Project) -> str:
    """A key twice in one object: Python keeps the last value, R's jsonlite the first."""
    text = project.descriptor.read_text(encoding="utf-8")
    csvs = [p.name for p in project.csvs()]
    first, other = rng.sample(csvs, 2)
    old = f'"path": "data/{first}"'
    new = f'"path": "data/{other}", {old}' if rng.random() < 0.5 else f'{old}, "path": "data/{other}"'
    project.descriptor.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"path of {first} given twice, once as {other}"


def _fs_target(rng: random.Random, project: Project) -> Path:
    candidates = [
        project.descriptor,
        *project.csvs(),
        *project.suites(),
        *sorted((project.root / "datapackage" / "seeds").glob("*")),
    ]
    return rng.choice(candidates)


@operator("final")
def fs_symlink_loop(rng: random.Random, project: Project) -> str:
    path = _fs_target(rng, project)
    partner = path.with_name(path.name + ".loop")
    path.unlink()
    path.symlink_to(partner.name)
    partner.symlink_to(path.name)
    return f"{relative(project, path)} is a symlink loop"


@operator("final", weight=3)
def fs_symlink_out(rng: random.Random, project: Project) -> str:
    # The file moves out of its folder unchanged, so a reader that follows the link sees valid data:
    # only the path check can tell.
    path = _fs_target(rng, project)
    outside = project.root / "outside" / path.name
    outside.parent.mkdir(exist_ok=True)
    shutil.move(path, outside)
    absolute = rng.random() < 0.5
    path.symlink_to(outside if absolute else os.path.relpath(outside, path.parent))
    return f"{relative(project, path)} -> {'absolute' if absolute else 'relative'} link to outside/{path.name}"


@operator("final")
def fs_directory_for_file(rng: random.Random, project: Project) -> str:
    path = _fs_target(rng, project)
    path.unlink()
    path.mkdir()
    (path / "inner.csv").write_text("a\n1\n", encoding="utf-8")
    return f"{relative(project, path)} is a directory"


@operator("final", weight=1)
def fs_fifo(rng: random.Random, project: Project) -> str:
    # Opening a FIFO for reading blocks until a writer comes: a reader that does not check the
    # file type hangs, which the watchdog reports.
    path = _fs_target(rng, project)
    path.unlink()
    os.mkfifo(path)
    return f"{relative(project, path)} is a FIFO"


@operator("final")
def fs_remove_or_empty(rng: random.Random, project: Project) -> str:
    path = _fs_target(rng, project)
    if rng.random() < 0.5:
        path.unlink()
        return f"{relative(project, path)} removed"
    path.write_bytes(b"")
    return f"{relative(project, path)} emptied"


# --- release zips (stage "zip") ------------------------------------------------------------------------
# Each starts from the release layout of the pristine project (`release_files`, as `newsfacts pack`
# lays it out), writes the zip beside the project and a SHA256SUMS that matches it, so that
# `download` gets past the checksum to the zip's contents.


def zip_of(files: dict[str, bytes], extra: Sequence[tuple[zipfile.ZipInfo, bytes]] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), files[name], zipfile.ZIP_DEFLATED)
        for info, data in extra:
            archive.writestr(info, data)
    return buffer.getvalue()


def release_files(project: Project) -> dict[str, bytes]:
    """Archive name -> bytes of the project's regular files as they are now, laid out as in a release."""
    return {relative(project, path): path.read_bytes() for path in project.files()}


def central_entries(data: bytes) -> list[tuple[int, int]]:
    """(central directory offset, local header offset) of each entry, in archive order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        start = archive.start_dir  # type: ignore[attr-defined]
    entries = []
    offset = start
    for info in infos:
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        entries.append((offset, info.header_offset))
        offset += 46 + name_length + extra_length + comment_length
    return entries


def patch_entry(data: bytes, index: int, central_at: int, local_at: int, fmt: str, value: int) -> bytes:
    """Write VALUE at the same field of entry INDEX's central and local headers."""
    patched = bytearray(data)
    central, local = central_entries(data)[index]
    struct.pack_into(fmt, patched, central + central_at, value)
    struct.pack_into(fmt, patched, local + local_at, value)
    return bytes(patched)


def write_release(project: Project, data: bytes, sums: str | None = None) -> None:
    project.zip_path.write_bytes(data)
    if sums is None:
        sums = f"{hashlib.sha256(data).hexdigest()}  {ZIP_NAME}\n"
    (project.root / "SHA256SUMS").write_text(sums, encoding="utf-8")


def _pick_entry(rng: random.Random, data: bytes) -> tuple[int, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    preferred = [i for i, name in enumerate(names) if name.endswith((".csv", "datapackage.json"))]
    index = rng.choice(preferred if rng.random() < 0.7 else range(len(names)))
    return index, names[index]


@operator("zip", weight=2)
def zip_duplicate_entry(rng: random.Random, project: Project) -> str:
    files = release_files(project)
    name = rng.choice([n for n in files if n.endswith((".csv", ".json"))])
    second = rng.choice([b"", files[name] + b"\n", files[name].replace(b",", b";", 1)])
    write_release(project, zip_of(files, [(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), second)]))
    return f"{name} twice"


@operator("zip")
def zip_encrypted_flag(rng: random.Random, project: Project) -> str:
    data = zip_of(release_files(project))
    index, name = _pick_entry(rng, data)
    # General purpose flag: central +8, local +6; bit 0 says "encrypted".
    write_release(project, patch_entry(data, index, 8, 6, "<H", 0x0001))
    return f"{name} flagged encrypted"


@operator("zip")
def zip_compression_99(rng: random.Random, project: Project) -> str:
    data = zip_of(release_files(project))
    index, name = _pick_entry(rng, data)
    method = rng.choice([99, 12, 14, 93])  # AES, bzip2, lzma, zstd: all but 99 known to some readers
    write_release(project, patch_entry(data, index, 10, 8, "<H", method))
    return f"{name} compression method {method}"


@operator("zip", weight=2)
def zip_corrupt_deflate(rng: random.Random, project: Project) -> str:
    data = bytearray(zip_of(release_files(project)))
    index, name = _pick_entry(rng, bytes(data))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.infolist()[index]
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    for _ in range(rng.choice([1, 4, 32])):
        data[start + rng.randrange(max(info.compress_size, 1))] ^= 0xFF
    write_release(project, bytes(data))
    return f"{name} deflate stream corrupted"


@operator("zip", weight=2)
def zip_entry_outside_layout(rng: random.Random, project: Project) -> str:
    files = release_files(project)
    descriptor = files["datapackage/datapackage.json"]
    placed = rng.choice(
        [
            ("evil.csv", b"a\n1\n"),
            ("datapackage.json", descriptor),  # a shallower package than datapackage/: which one is read?
            ("other/datapackage.json", descriptor),
            ("datapackage/data/../../escape.txt", b"x"),
            ("/absolute.txt", b"x"),
            ("C:/drive.txt", b"x"),
            ("datapackage\\data\\quotes.csv", files["datapackage/data/quotes.csv"]),
            ("datapackage/", b""),
            ("datapackage/data/quotes.csv/", b""),
            ("datapackage/" + "d/" * 300 + "deep.txt", b"x"),
        ]
    )
    files[placed[0]] = placed[1]
    write_release(project, zip_of(files))
    return f"entry {placed[0][:60]!r} added"


@operator("zip")
def zip_huge_declared_size(rng: random.Random, project: Project) -> str:
    data = zip_of(release_files(project))
    index, name = _pick_entry(rng, data)
    size = rng.choice([0xFFFFFFFE, 0, 1, 2**31])
    # Uncompressed size: central +24, local +22.
    write_release(project, patch_entry(data, index, 24, 22, "<I", size))
    return f"{name} declares {size} bytes"


@operator("zip")
def zip_symlink_entry(rng: random.Random, project: Project) -> str:
    files = release_files(project)
    name = rng.choice([n for n in files if n.endswith(".csv")])
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o120777 << 16  # a symbolic link whose target is the entry's data
    del files[name]
    write_release(project, zip_of(files, [(info, b"/etc/passwd")]))
    return f"{name} is a symlink entry"


@operator("zip", weight=2)
def zip_damaged_bytes(rng: random.Random, project: Project) -> str:
    data = bytearray(zip_of(release_files(project)))
    if rng.random() < 0.4:
        cut = rng.randrange(len(data))
        write_release(project, bytes(data[:cut]))
        return f"truncated at {cut} of {len(data)} bytes"
    offsets = [rng.randrange(len(data)) for _ in range(rng.choice([1, 3, 10]))]
    for offset in offsets:
        data[offset] ^= 1 << rng.randrange(8)
    write_release(project, bytes(data))
    return f"bits flipped at {offsets}"


@operator("zip", weight=2)
def zip_sums_edit(rng: random.Random, project: Project) -> str:
    data = zip_of(release_files(project))
    digest = hashlib.sha256(data).hexdigest()
    sums = rng.choice(
        [
            "",
            f"{digest.upper()}  {ZIP_NAME}\n",
            f"{digest} *{ZIP_NAME}\n",
            f"{digest}  {ZIP_NAME}\n{digest}  other.zip\n",
            f"{digest}  ../{ZIP_NAME}\n",
            f"{digest}  ..\\{ZIP_NAME}\n",
            f"{'0' * 64}  {ZIP_NAME}\n",
            f"{digest}  {ZIP_NAME}\x00.zip\n",
            "\xff\xfe garbage\n",
            f"{digest}  %2e%2e%2f{ZIP_NAME}\n",
        ]
    )
    write_release(project, data, sums)
    return f"SHA256SUMS {sums[:50]!r}"


@operator("zip", weight=4)
def zip_of_mutated_package(rng: random.Random, project: Project) -> str:
    # A well-formed zip of a broken package: what download validates and load(zip) reads must agree.
    inner = rng.choice([op for op in REGISTRY if op.stage in ("data", "final") and not op.name.startswith("fs_")])
    note = inner.mutate(rng, project)
    write_release(project, zip_of(release_files(project)))
    return f"zip of [{inner.name}: {note}]"
