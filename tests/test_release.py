"""Versioned releases: the bump rules, the release record, reproducible zips and verified downloads."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from newsfacts.archive import zip_bytes
from newsfacts.build import build
from newsfacts.cli import main
from newsfacts.diff import diff_sides
from newsfacts.download import download, pick_entry
from newsfacts.pack import pack, sha256sums_line
from newsfacts.package import Layout
from newsfacts.release import recorded_versions, release

from .conftest import ROOT, fixture_root
from .fixtures import EXPECTED_BUMPS

RELEASE_DAY = datetime.date(2026, 11, 21)


# Each bump-* fixture is a changed copy of minimal-valid; its spec names the bump it needs and the kinds of change.
@pytest.mark.parametrize("fixture", EXPECTED_BUMPS)
def test_each_change_needs_its_bump(fixture: str) -> None:
    result = diff_sides(str(fixture_root("minimal-valid")), str(fixture_root(fixture)), ROOT)
    expected = EXPECTED_BUMPS[fixture]
    assert (result.bump, [change.kind for change in result.changes]) == (expected.level, expected.changes)


def test_identical_packages_need_no_bump() -> None:
    assert diff_sides(str(fixture_root("minimal-valid")), str(fixture_root("minimal-valid")), ROOT).bump is None


def make_project(root: Path) -> Layout:
    """A releasable project: the minimal-valid package plus the files a release writes or ships."""
    shutil.copytree(fixture_root("minimal-valid"), root)
    (root / "CHANGELOG.md").write_text(
        "# Changelog\n\n## Unreleased\n\n### Data\n- First rows.\n\n### Toolkit\n- First tools.\n", encoding="utf-8"
    )
    (root / "CITATION.cff").write_text('cff-version: 1.2.0\ntitle: "Fixture"\nversion: 0.1.0\n', encoding="utf-8")
    shutil.copy(ROOT / "LICENSE-DATA.md", root / "LICENSE-DATA.md")
    layout = Layout(root / "datapackage")
    assert build(layout).problems == []  # fixtures share the project's schema/; a project has its own
    return layout


def add_entity(layout: Layout) -> None:
    """A new entity, and the event row that references it: a valid addition of rows."""
    with layout.csv("entities").open("a", encoding="utf-8") as handle:
        handle.write("acme-2,Acme Two,organization,,Another company.,,\n")
    with layout.csv("event_actors").open("a", encoding="utf-8") as handle:
        handle.write("ev-minister-statement,acme-2,subject\n")


def test_release_records_versions_and_refuses_a_too_small_bump(tmp_path: Path) -> None:
    layout = make_project(tmp_path / "project")
    dist = tmp_path / "dist"
    first = release(layout, None, dist, RELEASE_DAY)
    assert (first.version, first.problems) == ("1.0.0", [])
    assert recorded_versions(layout) == ["1.0.0"]
    changelog = (layout.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Unreleased\n\n### Data\n\n### Toolkit\n\n## 1.0.0 — 2026-11-21\n" in changelog
    assert "- First rows." in changelog and "- First tools." in changelog
    assert 'version = "1.0.0"' in layout.metadata.read_text(encoding="utf-8")
    assert "version: 1.0.0" in (layout.root / "CITATION.cff").read_text(encoding="utf-8")
    assert (dist / "newsfacts-fixture-1.0.0.zip").is_file()
    recorded = layout.releases_dir / "1.0.0" / "expectations"
    assert {p.name: p.read_bytes() for p in recorded.iterdir()} == {
        p.name: p.read_bytes() for p in layout.expectations_dir.iterdir()
    }

    add_entity(layout)
    main(["build", str(layout.package_dir)])
    before = {path: path.read_bytes() for path in layout.root.rglob("*") if path.is_file()}
    refused = release(layout, "patch", dist, RELEASE_DAY)
    assert [p.code for p in refused.problems] == ["bump-too-small"]
    assert "entities: 1 row(s) added; event_actors: 1 row(s) added" in refused.problems[0].message
    assert {path: path.read_bytes() for path in layout.root.rglob("*") if path.is_file()} == before

    second = release(layout, None, dist, RELEASE_DAY)
    assert (second.version, recorded_versions(layout)) == ("1.1.0", ["1.0.0", "1.1.0"])
    assert "entities: 1 row(s) added (minor)." in (layout.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert [p.code for p in release(layout, None, dist, RELEASE_DAY).problems] == ["nothing-to-release"]


def test_the_zip_is_byte_identical_across_two_clones(tmp_path: Path) -> None:
    zips = []
    for clone in ("a", "b"):
        layout = make_project(tmp_path / clone)
        if clone == "b":  # a Finder or editor leftover must not reach the zip
            (layout.seeds_dir / ".DS_Store").write_bytes(b"\0junk")
        for path in layout.root.rglob("*"):  # different file times and modes must not matter
            os.utime(path, (1_000_000, 1_000_000) if clone == "a" else (2_000_000_000, 2_000_000_000))
            if clone == "b" and path.is_file():
                path.chmod(0o600)
        result = pack(layout, tmp_path / clone / "dist")
        assert result.problems == [] and result.zip_path is not None
        zips.append(result.zip_path.read_bytes())
    assert zips[0] == zips[1]
    names = zipfile.ZipFile(tmp_path / "a" / "dist" / "newsfacts-fixture-1.0.0.zip").namelist()
    assert names == sorted(names)
    # The package at the root, as every Data Package client opens a zip; the project's files beside it.
    assert {"CHANGELOG.md", "LICENSE-DATA.md", "CITATION.cff", "datapackage.json", "README.md"} <= set(names)
    assert {"seeds/000_minimal.txt", "data/quotes.csv", "expectations/quotes.json"} <= set(names)
    assert not [name for name in names if name.startswith("datapackage/")]


def test_pack_refuses_a_stale_package_and_writes_nothing(tmp_path: Path) -> None:
    layout = make_project(tmp_path / "project")
    add_entity(layout)
    result = pack(layout, tmp_path / "dist")
    assert "stale-file" in {p.code for p in result.problems}
    assert not (tmp_path / "dist").exists()


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A folder holding a packed release and its SHA256SUMS, as a GitHub release does."""
    layout = make_project(tmp_path / "project")
    pack(layout, tmp_path / "site")
    return tmp_path / "site"


def rewrite_sums(site: Path, name: str) -> None:
    (site / "SHA256SUMS").write_text(sha256sums_line(name, (site / name).read_bytes()), encoding="utf-8")


def test_download_verifies_unpacks_and_validates(
    published: Path, serve_directory: Callable[[Path], str], tmp_path: Path
) -> None:
    result = download("1.0.0", tmp_path / "got", serve_directory(published))
    assert result.problems == []
    assert result.package_dir == tmp_path / "got" / "datapackage"
    assert (tmp_path / "got" / "datapackage" / "seeds" / "000_minimal.txt").is_file()


def tamper_hash(site: Path) -> None:
    (site / "SHA256SUMS").write_text(f"{'0' * 64}  newsfacts-fixture-1.0.0.zip\n", encoding="utf-8")


def truncate(site: Path) -> None:
    path = site / "newsfacts-fixture-1.0.0.zip"
    path.write_bytes(path.read_bytes()[:-200])
    rewrite_sums(site, path.name)


def add_escaping_entry(site: Path) -> None:
    path = site / "newsfacts-fixture-1.0.0.zip"
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    path.write_bytes(zip_bytes({**files, "../../escaped.txt": b"gotcha"}))
    rewrite_sums(site, path.name)


def break_a_quote(site: Path) -> None:
    """A well-formed zip, with the right hash, of a package that does not validate."""
    path = site / "newsfacts-fixture-1.0.0.zip"
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    quotes = "data/quotes.csv"
    files[quotes] = files[quotes].replace(b"We will act", b"We wall act")
    path.write_bytes(zip_bytes(files))
    rewrite_sums(site, path.name)


def unpublish_sums(site: Path) -> None:
    (site / "SHA256SUMS").unlink()


def list_other_version(site: Path) -> None:
    (site / "SHA256SUMS").write_text(f"{'0' * 64}  newsfacts-fixture-0.9.0.zip\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "codes"),
    [
        (tamper_hash, ["checksum-mismatch"]),
        (truncate, ["zip-corrupt"]),
        (add_escaping_entry, ["zip-slip"]),
        (unpublish_sums, ["download-failed"]),
        (list_other_version, ["checksum-missing"]),
        (break_a_quote, ["download-invalid"]),
    ],
)
def test_a_bad_download_leaves_nothing_behind(
    published: Path,
    serve_directory: Callable[[Path], str],
    tmp_path: Path,
    spoil: Callable[[Path], None],
    codes: list[str],
) -> None:
    spoil(published)
    landing = tmp_path / "landing"
    landing.mkdir()
    result = download("1.0.0", landing / "got", serve_directory(published))
    # A package that fails validation is reported in full, after the one line that says so.
    assert [p.code for p in result.problems][: len(codes)] == codes
    assert list(landing.iterdir()) == []
    assert not list(tmp_path.rglob("escaped.txt"))


def test_download_refuses_a_non_empty_target(
    published: Path, serve_directory: Callable[[Path], str], tmp_path: Path
) -> None:
    (tmp_path / "got").mkdir()
    (tmp_path / "got" / "mine.txt").write_text("keep")
    result = download("1.0.0", tmp_path / "got", serve_directory(published))
    assert [p.code for p in result.problems] == ["target-exists"]
    assert [p.name for p in (tmp_path / "got").iterdir()] == ["mine.txt"]


def test_pick_entry_reads_sha256sum_lines() -> None:
    sums = f"{'a' * 64}  pkg-1.0.0.zip\n{'b' * 64} *pkg-1.1.0.zip\n"
    assert pick_entry(sums, "1.1.0") == ("b" * 64, "pkg-1.1.0.zip")
    assert pick_entry(sums, None) is None  # two zips: the version must be named
    assert pick_entry(sums, "2.0.0") is None


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, "-C", str(repo), *args], check=True, capture_output=True)


def test_diff_between_two_git_refs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    layout = make_project(repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first")
    add_entity(layout)
    git(repo, "commit", "-qam", "second")
    result = diff_sides("HEAD~1", "HEAD", repo)
    assert (result.bump, result.rows["entities"].added) == ("minor", ["acme-2"])

    assert main(["diff", "HEAD~1", "HEAD", "--repo", str(repo), "--format", "json"]) == 1
    assert '"bump": "minor"' in capsys.readouterr().out
    assert main(["diff", "no-such-ref", "HEAD", "--repo", str(repo)]) == 2
    assert "side-unreadable" in capsys.readouterr().err


def test_every_recorded_release_is_complete() -> None:
    """releases/<version>/ is what `newsfacts diff` and `release` compare against in a fresh clone."""
    versions = recorded_versions(Layout(ROOT / "datapackage"))
    assert versions
    for version in versions:
        record = ROOT / "releases" / version
        descriptor = json.loads((record / "datapackage.json").read_text(encoding="utf-8"))
        assert descriptor["version"] == version
        for resource in descriptor["resources"]:
            data = (record / resource["path"]).read_bytes()
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        # The suites of the tables that release had (a table added since has none there).
        released_tables = sorted(resource["name"] for resource in descriptor["resources"])
        assert sorted(path.stem for path in (record / "expectations").glob("*.json")) == released_tables
        digest, name = (record / "SHA256SUMS").read_text(encoding="utf-8").split()
        assert (len(digest), name) == (64, f"{descriptor['name']}-{version}.zip")


def test_pack_ships_no_file_that_links_out_of_the_project(
    project_copy: Layout, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # No table refers to the seed, so validate passes; the link must still never reach the zip.
    for name in ("CHANGELOG.md", "LICENSE-DATA.md"):
        shutil.copy(ROOT / name, project_copy.root / name)
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    outside.write_text("a CI secret\n", encoding="utf-8")
    os.symlink(outside, project_copy.seeds_dir / "999_link.txt")
    dist = project_copy.root / "dist"
    result = pack(project_copy, dist)
    assert [(Path(p.path).name, p.code) for p in result.problems] == [("999_link.txt", "unsafe-path")]
    assert not dist.exists() or not any(dist.iterdir())
