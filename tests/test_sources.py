"""One way in: every command that reads a package takes what `newsfacts.load()` takes, and exits 2 when it cannot.

The sources are real: release zips written into tmp_path, served with their unpacked folders by an
`http.server` on 127.0.0.1 (conftest's `serve_directory`), and a wheel built from this checkout,
run from a folder that is no checkout.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from newsfacts.archive import zip_bytes
from newsfacts.cli import main
from newsfacts.pack import in_release_layout
from newsfacts.source import locate

from .conftest import fixture_root


def release_zip(project: Path, target: Path) -> Path:
    """PROJECT's package, seeds included, as a release zip lays it out (what `newsfacts pack` writes,
    without the CHANGELOG and license a fixture does not have)."""
    package = project / "datapackage"
    files = {
        path.relative_to(package).as_posix(): path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and in_release_layout(path.relative_to(package).as_posix())
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(zip_bytes(files))
    return target


@pytest.fixture
def sources(tmp_path: Path, serve_directory: Callable[[Path], str]) -> dict[str, str]:
    """Each kind of source, for a valid package (`ok-…`) and one with a span that does not match (`bad-…`)."""
    named: dict[str, str] = {}
    site = tmp_path / "site"
    for label, fixture in (("ok", "minimal-valid"), ("bad", "quotes-invalid")):
        project = fixture_root(fixture)
        archive = release_zip(project, site / f"{label}.zip")
        with zipfile.ZipFile(archive) as unpacked:
            unpacked.extractall(site / label)
        named |= {
            f"{label}-root": str(project),
            f"{label}-folder": str(project / "datapackage"),
            f"{label}-descriptor": str(project / "datapackage" / "datapackage.json"),
            f"{label}-zip": str(archive),
        }
    base = serve_directory(site)
    for label in ("ok", "bad"):
        named[f"{label}-url"] = f"{base}{label}/datapackage.json"
        named[f"{label}-zip-url"] = f"{base}{label}.zip"
    named["missing"] = str(tmp_path / "nowhere")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    named["broken-zip"] = str(tmp_path / "broken.zip")
    named["missing-url"] = f"{base}nowhere/datapackage.json"
    with socket.socket() as closed:  # a port nothing listens on once the socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    named["unreachable"] = f"http://127.0.0.1:{port}/datapackage.json"
    named["ftp"] = "ftp://127.0.0.1/datapackage.json"
    return named


KINDS = ("root", "folder", "descriptor", "zip", "url", "zip-url")

# (argv with {source}, exit status, a code the output must name, or None)
CASES: list[tuple[list[str], int, str | None]] = [
    *((["validate", f"{{ok-{kind}}}"], 0, None) for kind in KINDS),
    *((["validate", "--rows-only", f"{{bad-{kind}}}"], 1, "span-mismatch") for kind in KINDS),
    (["validate", "{missing}"], 2, "package-not-found"),
    (["validate", "{broken-zip}"], 2, "zip-corrupt"),
    (["validate", "{missing-url}"], 2, "fetch-failed"),
    (["validate", "{unreachable}"], 2, "fetch-failed"),
    (["validate", "{ftp}"], 2, "source-unsupported"),
    (["coverage", "--package", "{ok-zip-url}"], 0, None),
    (["coverage", "--package", "{missing}"], 2, "package-not-found"),
    (["diff", "{ok-url}", "{ok-folder}"], 0, None),
    (["diff", "{ok-zip}", "{bad-zip-url}"], 1, None),
    (["report", "{ok-zip}", "--out", "{out}/data-docs"], 0, None),
    (["build", "--check", "{ok-zip}"], 2, "source-local-only"),
    (["pack", "{ok-url}"], 2, "source-local-only"),
    (["release", "{missing}"], 2, "package-not-found"),
    (["export", "--to", "sqlite", "{out}/x.db", "--source", "{ok-zip-url}"], 0, None),
    (["export", "--to", "sqlite", "{out}/x.db", "--source", "{unreachable}"], 2, "fetch-failed"),
]


def filled(argv: list[str], sources: dict[str, str], out: Path) -> list[str]:
    return [arg.format(out=out, **sources) for arg in argv]


@pytest.mark.parametrize(("argv", "status", "code"), CASES, ids=[" ".join(argv) for argv, _, _ in CASES])
def test_every_source_of_every_command(
    argv: list[str],
    status: int,
    code: str | None,
    sources: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = filled(argv, sources, tmp_path)
    assert main(args) == status
    text = capsys.readouterr()
    assert code is None or f": {code}: " in text.out + text.err

    # The same as one JSON document on stdout, failures too.
    (tmp_path / "x.db").unlink(missing_ok=True)
    (tmp_path / "x.metadata.json").unlink(missing_ok=True)  # the Datasette metadata written beside it
    assert main([*args, "--format", "json"]) == status
    document = json.loads(capsys.readouterr().out)
    if code is not None:
        problems = document if isinstance(document, list) else document["problems"] + document["refusals"]
        assert code in {p["code"] for p in problems}


@pytest.mark.parametrize("kind", ["zip", "url", "zip-url"])
def test_problems_are_named_at_the_source_given_not_its_scratch_copy(
    kind: str, sources: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source = sources[f"bad-{kind}"]
    assert main(["validate", "--rows-only", "--format", "json", source]) == 1
    paths = {p["path"] for p in json.loads(capsys.readouterr().out)}
    where = {
        "zip": f"{source}:data/quotes.csv",
        "url": source.replace("datapackage.json", "data/quotes.csv"),
        "zip-url": f"{source}:data/quotes.csv",
    }[kind]
    assert paths == {where}


def test_a_file_the_server_lacks_is_reported_missing_at_its_url(
    tmp_path: Path, serve_directory: Callable[[Path], str], capsys: pytest.CaptureFixture[str]
) -> None:
    release = release_zip(fixture_root("minimal-valid"), tmp_path / "release.zip")
    with zipfile.ZipFile(release) as unpacked:
        unpacked.extractall(tmp_path / "site")
    (tmp_path / "site" / "data" / "events.json").unlink()
    url = serve_directory(tmp_path / "site") + "datapackage.json"
    assert main(["validate", "--format", "json", url]) == 1
    found = json.loads(capsys.readouterr().out)
    missing = url.replace("datapackage.json", "data/events.json")
    assert [(p["path"], p["code"]) for p in found] == [(missing, "file-missing")]
    assert "newsfacts-source-" not in found[0]["message"]  # no scratch path, in the place or the message


def test_scratch_folders_are_removed(sources: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("newsfacts-source-*"))
    for kind in ("zip", "url", "zip-url"):
        main(["validate", "--rows-only", sources[f"bad-{kind}"]])
    assert main(["validate", sources["broken-zip"]]) == 2
    capsys.readouterr()
    assert set(Path(tempfile.gettempdir()).glob("newsfacts-source-*")) == before


def test_load_and_the_commands_tell_sources_apart_the_same_way(sources: dict[str, str]) -> None:
    root = fixture_root("minimal-valid")
    assert locate(sources["ok-root"]).where == root / "datapackage"
    assert locate(sources["ok-folder"]).where == root / "datapackage"
    assert [locate(sources[f"ok-{kind}"]).kind for kind in KINDS] == [
        "directory",
        "directory",
        "descriptor",
        "zip",
        "url",
        "zip-url",
    ]


@pytest.fixture(scope="module")
def installed_wheel(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's wheel unpacked as an installation would lay it out; returns its site folder."""
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(built_wheel) as archive:
        archive.extractall(site)
    return site


@pytest.mark.parametrize(
    ("argv", "status", "shown"),
    [
        (["validate"], 0, "valid"),
        (["validate", "--format", "json"], 0, "[]"),
        (["coverage"], 0, "nothing listed"),
        (["validate", "datapackage"], 2, "package-not-found"),
    ],
)
def test_an_installed_wheel_reads_its_bundled_package_outside_a_checkout(
    argv: list[str], status: int, shown: str, installed_wheel: Path, tmp_path: Path
) -> None:
    # The unpacked wheel comes first on the path and the folder holds no datapackage/, as after `pip install`.
    program = "import sys; from newsfacts.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [sys.executable, "-c", program, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed_wheel), "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == status, result.stdout + result.stderr
    assert shown in result.stdout + result.stderr
    if argv == ["validate"]:
        # It read the wheel's copy, not this checkout's.
        check = "import newsfacts.source as s; print(s.bundled_descriptor())"
        where = subprocess.run(
            [sys.executable, "-c", check],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(installed_wheel)},
            check=True,
        ).stdout.strip()
        assert Path(where).is_relative_to(installed_wheel / "newsfacts" / "_bundled")
