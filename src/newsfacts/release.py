"""`newsfacts release`: choose the version from the data diff, record it, and pack the artefact.

Each release is recorded in `releases/<version>/` (its datapackage.json, CSV tables,
expectation suites and SHA256SUMS), so the diff against the last release works in any clone,
tags or not, and `checks.released` sees a released seed or rule change.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_all
from .build import build
from .checks.released import recorded_versions
from .diff import BUMPS, PackageDiff, Snapshot, diff_snapshots, read_snapshot
from .pack import PackResult, pack
from .package import Layout
from .problems import Problem, problem
from .tables import read_bytes
from .validate import validate

FIRST_VERSION = "1.0.0"
UNRELEASED = "## Unreleased"


@dataclass
class ReleaseResult:
    version: str | None = None
    diff: PackageDiff | None = None
    packed: PackResult | None = None
    problems: list[Problem] = field(default_factory=list)


def bumped(version: str, bump: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def plan(layout: Layout, bump: str | None) -> tuple[str | None, str | None, PackageDiff, list[Problem]]:
    """(previous version, new version, diff, problems) without changing anything."""
    versions = recorded_versions(layout)
    previous = versions[-1] if versions else None
    old = read_snapshot(layout.releases_dir / previous, layout.limits) if previous else Snapshot({}, {})
    changes = diff_snapshots(old, read_snapshot(layout.package_dir, layout.limits))
    if previous is None:
        return None, FIRST_VERSION, changes, []
    required = changes.bump
    if required is None:
        return previous, None, changes, [problem("nothing-to-release", layout.descriptor, version=previous)]
    if bump is not None and BUMPS.index(bump) < BUMPS.index(required):
        reasons = "; ".join(f"{c.resource or 'package'}: {c.detail}" for c in changes.changes if c.bump == required)
        return (
            previous,
            None,
            changes,
            [problem("bump-too-small", layout.descriptor, bump=bump, required=required, reasons=reasons)],
        )
    return previous, bumped(previous, bump or required), changes, []


def changelog_section(
    version: str, date: datetime.date, previous: str | None, changes: PackageDiff, notes: dict[str, list[str]]
) -> str:
    """The CHANGELOG section of VERSION: the diff's findings, then the maintainers' notes."""
    since = f"since {previous}" if previous else "in this first release"
    found = [f"- {c.resource + ': ' if c.resource else ''}{c.detail} ({c.bump})." for c in changes.changes]
    lines = [
        f"## {version} — {date.isoformat()}",
        "",
        "### Data",
        "",
        f"Changes found by `newsfacts diff` {since}:",
        "",
    ]
    lines += found or ["- None."]
    if notes["Data"]:
        lines += ["", *notes["Data"]]
    lines += ["", "### Toolkit", "", *(notes["Toolkit"] or ["- No toolkit changes."]), ""]
    return "\n".join(lines)


def split_unreleased(changelog: str) -> tuple[str, dict[str, list[str]], str]:
    """(text before the Unreleased section, its Data and Toolkit lines, text after it)."""
    start = changelog.find(UNRELEASED)
    if start < 0:
        return changelog.rstrip("\n") + "\n\n", {"Data": [], "Toolkit": []}, ""
    end = changelog.find("\n## ", start + len(UNRELEASED))
    end = len(changelog) if end < 0 else end + 1
    notes: dict[str, list[str]] = {"Data": [], "Toolkit": []}
    current = None
    for line in changelog[start:end].splitlines()[1:]:
        if line.startswith("### "):
            current = line[4:].strip() if line[4:].strip() in notes else None
        elif current and line.strip():
            notes[current].append(line)
    return changelog[:start], notes, changelog[end:]


def _set_version(text: str, pattern: str, version: str) -> str:
    updated, count = re.subn(pattern, lambda m: m.group(1) + version + m.group(2), text, count=1, flags=re.M)
    if count != 1:
        raise ValueError(f"no version line matching {pattern!r}")
    return updated


def release(layout: Layout, bump: str | None, out_dir: Path, today: datetime.date | None = None) -> ReleaseResult:
    problems = validate(layout)
    if problems:
        return ReleaseResult(problems=problems)
    previous, version, changes, problems = plan(layout, bump)
    if version is None:
        return ReleaseResult(diff=changes, problems=problems)
    date = today or datetime.date.today()
    root = layout.root
    head, notes, tail = split_unreleased((root / "CHANGELOG.md").read_text(encoding="utf-8"))
    fresh_unreleased = f"{UNRELEASED}\n\n### Data\n\n### Toolkit\n\n"
    changelog = head + fresh_unreleased + changelog_section(version, date, previous, changes, notes) + "\n" + tail
    citation = layout.citation.read_text(encoding="utf-8")
    citation = _set_version(citation, r"^(version: )[^\n]*?($)", version)
    if re.search(r"^date-released:", citation, flags=re.M):
        citation = _set_version(citation, r'^(date-released: ")[^"]*(")', date.isoformat())
    else:
        citation += f'date-released: "{date.isoformat()}"\n'
    metadata = _set_version(layout.metadata.read_text(encoding="utf-8"), r'^(version = ")[^"]*(")', version)
    _, problems = write_all(
        {
            root / "CHANGELOG.md": changelog.encode("utf-8"),
            layout.citation: citation.encode("utf-8"),
            layout.metadata: metadata.encode("utf-8"),
        },
        root,
    )
    if problems:
        return ReleaseResult(diff=changes, problems=problems)
    built = build(layout)
    if built.problems:
        return ReleaseResult(version=version, diff=changes, problems=built.problems)
    packed = pack(layout, out_dir)
    if packed.problems or packed.sums_path is None:
        return ReleaseResult(version=version, diff=changes, problems=packed.problems)
    record = layout.releases_dir / version
    sources = {record / "SHA256SUMS": packed.sums_path, record / "datapackage.json": layout.descriptor}
    sources |= {record / "data" / p.name: p for p in sorted((layout.package_dir / "data").glob("*.csv"))}
    sources |= {record / "expectations" / p.name: p for p in sorted(layout.expectations_dir.glob("*.json"))}
    files: dict[Path, bytes] = {}
    for target, source in sources.items():
        # As `validate` reads files: a link out of the project never reaches the record.
        data, unreadable = read_bytes(source, source.parent if source == packed.sums_path else root, layout.limits)
        if data is None:
            return ReleaseResult(version=version, diff=changes, packed=packed, problems=unreadable)
        files[target] = data
    _, problems = write_all(files, root)
    return ReleaseResult(version=version, diff=changes, packed=packed, problems=problems)
