from __future__ import annotations

import atexit
import csv
import dataclasses
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import newsfacts.validate
from newsfacts.checks.registry import CHECKS, READING_CODES
from newsfacts.exporters.sqlite import export_sqlite
from newsfacts.package import Layout

from .browser import CHROMIUM_FLAGS, chromium_executable, missing_browser_tools
from .fixtures import BASE, write_fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _generated() -> Path:
    """This test session's folder of fixture packages, removed when the session ends."""
    folder = Path(tempfile.mkdtemp(prefix="newsfacts-fixtures-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def fixture_root(name: str) -> Path:
    """The named fixture (tests/fixtures/specs.py), written on first use: its folder of datapackage/ (with its seeds/).

    Every test of the session reads the same folder, so none may change it; `fixture_copy` gives a copy to change.
    """
    base = None if name == BASE else fixture_root(BASE)
    return write_fixture(name, _generated(), base)


def fixture_layout(name: str) -> Layout:
    return Layout(fixture_root(name) / "datapackage")


def declared_only(run: Callable[..., Any], codes: frozenset[str], name: str) -> Callable[..., Any]:
    """`run`, failing the test that calls it when it reports a code outside `codes`."""

    @functools.wraps(run)
    def held(*args: Any) -> Any:
        found = run(*args)
        problems = found[1] if isinstance(found, tuple) else found
        undeclared = {p.code for p in problems} - codes
        assert not undeclared, f"{name} reported {sorted(undeclared)}, which checks/registry.py does not declare"
        return found

    return held


@pytest.fixture(autouse=True)
def checks_report_declared_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In every test that validates, reading and each check report only the codes declared for them."""
    validate = newsfacts.validate
    monkeypatch.setattr(validate, "read_package", declared_only(validate.read_package, READING_CODES, "reading"))
    held = tuple(dataclasses.replace(c, run=declared_only(c.run, c.codes, c.name)) for c in CHECKS)
    monkeypatch.setattr(validate, "CHECKS", held)


@pytest.fixture
def project_copy(tmp_path: Path) -> Layout:
    """A scratch copy of the real project files that `newsfacts build` reads and writes."""
    for name in ("datapackage", "schema", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("README.md", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path / name)
    return Layout(tmp_path / "datapackage")


@pytest.fixture
def fixture_copy(tmp_path: Path) -> object:
    def copy(name: str) -> Layout:
        shutil.copytree(fixture_root(name), tmp_path / name)
        return Layout(tmp_path / name / "datapackage")

    return copy


@pytest.fixture
def serve_directory() -> Iterator[Callable[[Path], str]]:
    """Serve a directory over HTTP on localhost; returns its base URL (ending in /)."""
    servers: list[ThreadingHTTPServer] = []

    def serve(directory: Path) -> str:
        class Quiet(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(directory), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def write_package(directory: Path, fields: list[dict[str, Any]], csv_text: str, path: str = "data/table.csv") -> Path:
    """A one-table package (a resource named `table`) with no hash, for loader edge cases; returns its descriptor."""
    (directory / "data").mkdir(parents=True, exist_ok=True)
    (directory / "data" / "table.csv").write_text(csv_text, encoding="utf-8")
    descriptor = {
        "name": "tiny",
        "resources": [{"name": "table", "path": path, "format": "csv", "schema": {"fields": fields}}],
    }
    (directory / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return directory / "datapackage.json"


@functools.cache
def r_loader_installed() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = 'quit(status = !all(sapply(c("readr", "jsonlite", "curl"), requireNamespace, quietly = TRUE)))'
    return subprocess.run(["Rscript", "-e", check], capture_output=True, check=False).returncode == 0


def require_r_loader() -> None:
    """Skip unless Rscript, readr, jsonlite and curl are installed; in CI, fail instead of skipping."""
    if r_loader_installed():
        return
    if os.environ.get("CI"):
        pytest.fail("Rscript with readr and jsonlite is required in CI (.ci/run installs them)")
    pytest.skip("Rscript with readr and jsonlite is not installed")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, launched by Playwright once per session (tests/browser.py opens its pages).
    Skipped when Chromium, Playwright or axe-playwright-python is missing; in CI, failed instead."""
    missing = missing_browser_tools()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests need {', '.join(missing)} in CI (.ci/run installs Chromium)")
        pytest.skip(f"the browser tests need {', '.join(missing)}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


DESCRIPTOR = json.loads((ROOT / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES: dict[str, dict[str, Any]] = {resource["name"]: resource for resource in DESCRIPTOR["resources"]}


@pytest.fixture(scope="session")
def exported_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled package as `export --to sqlite` writes it: newsfacts.db and newsfacts.metadata.json.
    Shared by the tests of the session: none may change it."""
    database = tmp_path_factory.mktemp("sqlite") / "newsfacts.db"
    assert export_sqlite(database) == [database, database.with_name("newsfacts.metadata.json")]
    return database


def csv_cells(table: str) -> list[list[str | None]]:
    """The rows of a table's CSV in file order, with an empty cell as None (the package's missing value)."""
    with (ROOT / "datapackage" / RESOURCES[table]["path"]).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return [[cell if cell != "" else None for cell in row] for row in rows[1:]]


def commit_everything(root: Path, *paths: str) -> None:
    """A git repository at ROOT with PATHS (default: everything) committed: the base a change is compared with."""
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", *(paths or ["-A"])], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built as a wheel, once per test session. Build isolation fetches the pinned build
    backend (hatchling) from the package index."""
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("newsfacts-*.whl")
    return wheel


@pytest.fixture(scope="session")
def hf_datasets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The `datasets` library, offline, its caches in a scratch folder (set before it is first imported,
    since it reads them then)."""
    home = tmp_path_factory.mktemp("hf-home")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"HF_HOME": str(home), "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}.items():
            patch.setenv(name, value)
        import datasets

        assert datasets.config.HF_HUB_OFFLINE, "datasets was imported before the test could make it offline"
        datasets.disable_progress_bars()
        yield datasets
