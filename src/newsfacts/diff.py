"""`newsfacts diff`: what changed between two versions of a package, and the version bump it needs.

The comparison reads only `datapackage.json` and the CSVs it lists, never the current models,
so that any two releases can be compared. Rows are matched by the primary key that the
descriptor declares. Each change carries the bump the Data Package versioning recipe asks for:

- major: a field removed, renamed or retyped, a constraint tightened, a resource removed,
  or a primary key changed;
- minor: rows, fields or resources added, or a constraint loosened;
- patch: rows corrected or removed, and descriptive metadata.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .engine import parse_table
from .limits import Limits
from .paths import URL_SCHEME, resource_path_problem
from .problems import NewsfactsError, Problem, problem
from .source import PACKAGE_FOLDER
from .tables import LINE, read_bytes, read_json

BUMPS = ("patch", "minor", "major")
# Descriptor properties that `build` derives from the data; their changes show up as row changes.
DERIVED_PROPERTIES = {"resources", "sources", "newsfacts:generated", "version"}
# Constraint -> how a new value compares with an old one when the constraint is tightened.
_BOUNDS_TIGHTER_WHEN = {"minimum": "higher", "minLength": "higher", "maximum": "lower", "maxLength": "lower"}


def _unreadable(where: Path | str, detail: str, line: int | None = None) -> NewsfactsError:
    """A side of the comparison cannot be read (side-unreadable): which file, and why."""
    return NewsfactsError.of("side-unreadable", where, line, detail=detail)


def _unreadable_because(cause: Problem) -> NewsfactsError:
    return _unreadable(cause.path, f"{cause.code}: {cause.message}", cause.line)


@dataclass(frozen=True)
class Change:
    bump: str
    kind: str
    resource: str | None
    detail: str


@dataclass
class RowChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class PackageDiff:
    changes: list[Change] = field(default_factory=list)
    rows: dict[str, RowChanges] = field(default_factory=dict)
    # The articles (article_id) of every row added, removed or changed, on either side: what a
    # pull request touched, whose coverage CI shows.
    articles: list[str] = field(default_factory=list)

    @property
    def bump(self) -> str | None:
        """The smallest version bump that honestly describes the changes; None when nothing changed."""
        levels = [BUMPS.index(change.bump) for change in self.changes]
        return BUMPS[max(levels)] if levels else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "bump": self.bump,
            "changes": [asdict(change) for change in self.changes],
            "rows": {name: asdict(rows) for name, rows in self.rows.items()},
            "articles": self.articles,
        }


@dataclass
class Snapshot:
    descriptor: dict[str, Any]
    tables: dict[str, list[dict[str, str]]]


def read_snapshot(package_dir: Path, limits: Limits) -> Snapshot:
    """The descriptor and tables of a package, read as `validate` reads them: nothing outside PACKAGE_DIR."""
    descriptor_path = package_dir / "datapackage.json"
    descriptor, problems = read_json(descriptor_path, package_dir, limits, "descriptor-invalid")
    if problems:
        raise _unreadable_because(problems[0])
    shape = _descriptor_shape_problem(descriptor)
    if shape:
        raise _unreadable(descriptor_path, shape)
    tables = {}
    for resource in descriptor.get("resources", []):
        path = package_dir / resource["path"]
        raw, problems = read_bytes(path, package_dir, limits)
        if raw is None:
            raise _unreadable_because(problems[0])
        header = [field["name"] for field in resource.get("schema", {}).get("fields", [])]
        tables[resource["name"]] = _csv_rows(raw, path, header, limits)
    return Snapshot(descriptor, tables)


def _descriptor_shape_problem(descriptor: Any) -> str | None:
    """Why a descriptor lacks the shape that the comparison reads, or None: it may be hand-edited."""
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        return "not a Data Package descriptor with a resources list"
    for index, resource in enumerate(descriptor.get("resources", [])):
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
            return f"resources[{index}] has no name"
        where = f"resource {resource['name']!r}"
        reason = resource_path_problem(resource.get("path"))
        if reason:
            return f"{where}: {reason}"
        schema = resource.get("schema", {})
        fields = schema.get("fields", []) if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("constraints", {}), dict)
            for f in fields
        ):
            return f"{where}: the schema is not fields with a name and constraints"
        key = schema.get("primaryKey", [])
        if not isinstance(key, str) and not (isinstance(key, list) and all(isinstance(k, str) for k in key)):
            return f"{where}: the primaryKey is neither a field name nor a list of them"
    return None


def _csv_rows(raw: bytes, path: Path, header: list[str], limits: Limits) -> list[dict[str, str]]:
    """The rows of a table, read by the toolkit's one CSV reader (a missing cell as ""); a cell over the
    limit makes the side unreadable, as in `validate`."""
    import polars as pl

    cells, problems = parse_table(raw, path, header)
    if cells is None:
        raise _unreadable_because(problems[0])
    for name in header:
        too_long = cells.filter(pl.col(name).str.len_chars() > limits.max_cell_chars).select(LINE, name).head(1)
        if too_long.height:
            line, cell = too_long.row(0)
            size = len(cell)
            raise _unreadable_because(
                problem("cell-too-large", path, line, name, size=size, limit=limits.max_cell_chars)
            )
    return cells.drop(LINE).with_columns(pl.col(header).fill_null("")).to_dicts()


@contextmanager
def opened_side(spec: str, repo: Path, limits: Limits) -> Iterator[Path]:
    """The package folder that SPEC names: any source `newsfacts.load()` reads (a folder, a datapackage.json,
    a release zip, an http(s) URL of either), or else a git ref of REPO."""
    from .source import locate, opened

    try:
        locate(spec, unbuilt=True)
    except NewsfactsError as error:
        if error.code != "package-not-found" or URL_SCHEME.match(spec):
            raise _unreadable(spec, f"{error.code}: {error.message}") from error
        with tempfile.TemporaryDirectory(prefix="newsfacts-diff-") as scratch:
            _export_git_ref(spec, repo, Path(scratch))
            yield Path(scratch) / PACKAGE_FOLDER
        return
    with ExitStack() as stack:
        try:
            package = stack.enter_context(opened(spec, limits))
        except NewsfactsError as error:
            raise _unreadable(spec, f"{error.code}: {error.message}") from error
        try:
            yield package.layout.package_dir
        except NewsfactsError as error:  # named at the zip or URL the user gave, not its scratch copy
            found = package.relabel([error.problem])[0]
            raise NewsfactsError(found.code, found.message, found.path, found.line, found.field) from error


def _export_git_ref(ref: str, repo: Path, into: Path) -> None:
    if shutil.which("git") is None:
        raise _unreadable(ref, "neither a directory nor a zip, and git is not installed")
    if ref.startswith("-"):  # git would take it as an option (`--output=FILE` writes a file)
        raise _unreadable(ref, "not a directory, a .zip or a git ref")
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", f"{ref}^{{commit}}", "datapackage"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise _unreadable(ref, f"not a directory, a .zip or a git ref of {repo}: {message[-1] if message else ''}")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
    except tarfile.TarError as error:  # e.g. a committed symlink that leads out of the package
        raise _unreadable(ref, f"git archive of {ref}: {error}") from error


def diff_sides(old: str, new: str, repo: Path, limits: Limits | None = None) -> PackageDiff:
    """The changes from OLD to NEW; NewsfactsError side-unreadable when either side cannot be read."""
    limits = limits or Limits()
    try:
        with opened_side(old, repo, limits) as old_dir, opened_side(new, repo, limits) as new_dir:
            return diff_snapshots(read_snapshot(old_dir, limits), read_snapshot(new_dir, limits))
    except OSError as error:  # reads report problems; this is a scratch folder that cannot be made or filled
        raise _unreadable(error.filename or repo, error.strerror or str(error)) from error


def diff_snapshots(old: Snapshot, new: Snapshot) -> PackageDiff:
    result = PackageDiff()
    result.changes += _metadata_changes(old.descriptor, new.descriptor)
    old_resources = {r["name"]: r for r in old.descriptor.get("resources", [])}
    new_resources = {r["name"]: r for r in new.descriptor.get("resources", [])}
    for name in sorted(old_resources.keys() - new_resources.keys()):
        result.changes.append(Change("major", "resource-removed", name, "resource removed"))
    for name in sorted(new_resources.keys() - old_resources.keys()):
        count = len(new.tables.get(name, []))
        result.changes.append(Change("minor", "resource-added", name, f"resource added ({count} rows)"))
    for name in [n for n in new_resources if n in old_resources]:
        old_schema, new_schema = old_resources[name].get("schema", {}), new_resources[name].get("schema", {})
        schema_changes, renamed = _schema_changes(name, old_schema, new_schema)
        result.changes += schema_changes
        key = new_schema.get("primaryKey") or []
        if key and key == old_schema.get("primaryKey"):
            old_names = {f["name"] for f in old_schema.get("fields", [])}
            # Compare the values of fields both versions have, a renamed field under each of its names.
            pairs = [(renamed.get(f["name"], f["name"]), f["name"]) for f in new_schema.get("fields", [])]
            pairs = [(before, after) for before, after in pairs if before in old_names]
            keys = [key] if isinstance(key, str) else key
            rows = _row_changes(old.tables[name], new.tables[name], keys, pairs)
            result.rows[name] = rows
            result.changes += _row_change_summary(name, rows)
    result.articles = _touched_articles(old, new)
    return result


def _touched_articles(old: Snapshot, new: Snapshot) -> list[str]:
    """The article_id of every row that one side has and the other has not, as it is (any change of a cell)."""
    touched: set[str] = set()
    for name in old.tables.keys() | new.tables.keys():
        before = {tuple(sorted(row.items())) for row in old.tables.get(name, [])}
        after = {tuple(sorted(row.items())) for row in new.tables.get(name, [])}
        touched |= {dict(row).get("article_id", "") for row in before ^ after}
    return sorted(touched - {""})


def _metadata_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    if not old:
        return []  # a first release: its metadata is new, not changed
    changed = sorted(key for key in (old.keys() | new.keys()) - DERIVED_PROPERTIES if old.get(key) != new.get(key))
    return [Change("patch", "metadata-changed", None, f"package {key} changed") for key in changed]


def _schema_changes(resource: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[list[Change], dict[str, str]]:
    """The schema's changes, and its renamed fields (new name -> old name)."""
    changes = []
    renamed: dict[str, str] = {}
    if old.get("primaryKey") != new.get("primaryKey"):
        detail = f"primary key {old.get('primaryKey')} → {new.get('primaryKey')}"
        changes.append(Change("major", "primary-key-changed", resource, detail))
    old_fields = {f["name"]: (index, f) for index, f in enumerate(old.get("fields", []))}
    new_fields = {f["name"]: (index, f) for index, f in enumerate(new.get("fields", []))}
    removed = {name: old_fields[name] for name in old_fields.keys() - new_fields.keys()}
    added = {name: new_fields[name] for name in new_fields.keys() - old_fields.keys()}
    # A field that disappears and one that appears in its place with the same type was renamed.
    for old_name, (index, old_field) in sorted(removed.items()):
        twin = next((n for n, (i, f) in added.items() if i == index and f.get("type") == old_field.get("type")), None)
        if twin is not None:
            del added[twin]
            renamed[twin] = old_name
            changes.append(Change("major", "field-renamed", resource, f"field {old_name} renamed to {twin}"))
        else:
            changes.append(Change("major", "field-removed", resource, f"field {old_name} removed"))
    for name in sorted(added):
        changes.append(Change("minor", "field-added", resource, f"field {name} added"))
    for name in [n for n in new_fields if n in old_fields]:
        old_field, new_field = old_fields[name][1], new_fields[name][1]
        if old_field.get("type", "string") != new_field.get("type", "string"):
            detail = f"field {name} retyped {old_field.get('type', 'string')} → {new_field.get('type', 'string')}"
            changes.append(Change("major", "field-retyped", resource, detail))
        for direction, detail in _constraint_changes(
            old_field.get("constraints", {}), new_field.get("constraints", {})
        ):
            bump = "major" if direction == "tightened" else "minor"
            changes.append(Change(bump, f"constraint-{direction}", resource, f"field {name}: {detail}"))
        if {k: v for k, v in old_field.items() if k not in ("type", "constraints")} != {
            k: v for k, v in new_field.items() if k not in ("type", "constraints")
        }:
            changes.append(Change("patch", "field-described", resource, f"field {name}: description changed"))
    return changes, renamed


def _constraint_changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(tightened|loosened, what) for each constraint that differs."""
    found = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        what = f"{name} {before!r} → {after!r}"
        if before is None or before is False:
            found.append(("tightened", what))  # a new constraint rejects values that passed before
        elif after is None or after is False:
            found.append(("loosened", what))
        else:
            found.append(("loosened" if _accepts_more(name, before, after) else "tightened", what))
    return found


def _accepts_more(name: str, before: Any, after: Any) -> bool:
    """Whether constraint NAME provably accepts more values with AFTER than with BEFORE."""
    try:
        if name == "enum":
            return set(before) < set(after)
        if name in _BOUNDS_TIGHTER_WHEN:
            return bool(after < before if _BOUNDS_TIGHTER_WHEN[name] == "higher" else after > before)
    except TypeError:  # values of a hand-edited descriptor that do not compare: nothing is proved
        return False
    return False  # e.g. a new pattern: no way to prove it accepts more


def _row_changes(
    old: list[dict[str, str]], new: list[dict[str, str]], key: list[str], fields: list[tuple[str, str]]
) -> RowChanges:
    """Rows added, removed and changed, matched by KEY; FIELDS pairs each old column with its new name."""

    def keyed(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
        return {"|".join(row.get(name, "") for name in key): row for row in rows}

    old_rows, new_rows = keyed(old), keyed(new)
    changes = RowChanges(
        added=sorted(new_rows.keys() - old_rows.keys()),
        removed=sorted(old_rows.keys() - new_rows.keys()),
    )
    for row_key in sorted(old_rows.keys() & new_rows.keys()):
        before, after = old_rows[row_key], new_rows[row_key]
        differing = sorted(new_name for old_name, new_name in fields if before.get(old_name) != after.get(new_name))
        if differing:
            changes.changed[row_key] = differing
    return changes


def _row_change_summary(resource: str, rows: RowChanges) -> list[Change]:
    changes = []
    if rows.added:
        changes.append(Change("minor", "rows-added", resource, f"{len(rows.added)} row(s) added"))
    if rows.removed:
        changes.append(Change("patch", "rows-removed", resource, f"{len(rows.removed)} row(s) removed"))
    if rows.changed:
        changes.append(Change("patch", "rows-changed", resource, f"{len(rows.changed)} row(s) corrected"))
    return changes
