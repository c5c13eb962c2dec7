"""`export --to sqlite` writes Datasette metadata, and Datasette serves it: a real server on 127.0.0.1.

The metadata (exporters/sqlite.py, `datasette_metadata`) is read back from Datasette's own pages:
the package's title and licence, each table's description and column descriptions, a facet per
enum field, and the label Datasette shows beside a key.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from newsfacts.exporters.sqlite import QUOTES_FULL, QUOTES_FULL_DESCRIPTION, export_sqlite, metadata_path
from newsfacts.loader import load

from .conftest import DESCRIPTOR, RESOURCES, ROOT

LOADED = load()
STARTUP_SECONDS = 60
# Never through a proxy: the server is on this machine.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def enum_fields(table: str) -> list[str]:
    return [field["name"] for field in RESOURCES[table]["schema"]["fields"] if "enum" in field.get("constraints", {})]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch(url: str) -> bytes:
    with OPENER.open(url, timeout=30) as response:
        body: bytes = response.read()
        return body


def fetch_json(url: str) -> Any:
    return json.loads(fetch(url))


@pytest.fixture(scope="module")
def served(exported_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `datasette serve newsfacts.db -m newsfacts.metadata.json`, stopped after the tests."""
    port = free_port()
    database, metadata = str(exported_database), str(metadata_path(exported_database))
    command = ["serve", database, "-m", metadata, "-h", "127.0.0.1", "-p", str(port)]
    log_path = tmp_path_factory.mktemp("datasette-log") / "datasette.log"
    with log_path.open("wb") as log:  # a file, not a pipe: a pipe nobody reads would block the server
        server = subprocess.Popen([sys.executable, "-m", "datasette", *command], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"datasette exited with {server.returncode}: {log_path.read_text(errors='replace')}")
            try:
                fetch(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"datasette did not answer on port {port} within {STARTUP_SECONDS} s")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


class TablePage(HTMLParser):
    """What a Datasette table page shows of the metadata: the table's description, its list of column
    descriptions, and the description each column heading carries (Datasette gives a single-column
    primary key's heading none)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.description = ""
        self.listed: list[tuple[str, str]] = []
        self.headings: dict[str, str] = {}
        self._open: list[str] = []  # the element whose text is being read: div (the description), dt or dd
        self._depth = 0  # of divs inside the description
        self._in_list = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "th" and attributes.get("data-column") and attributes.get("data-column-description"):
            self.headings[str(attributes["data-column"])] = str(attributes["data-column-description"])
        if self._depth:
            self._depth += tag == "div"
        elif tag == "div" and attributes.get("class") == "metadata-description":
            self._depth = 1
        if tag == "dl":
            self._in_list = attributes.get("class") == "column-descriptions"
        elif self._in_list and tag == "dt":
            self.listed.append(("", ""))
            self._open = ["dt"]
        elif self._in_list and tag == "dd":
            self._open = ["dd"]

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth -= 1
        if tag in ("dt", "dd", "dl"):
            self._open = []
        if tag == "dl":
            self._in_list = False

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.description += data
        if self._open:
            name, description = self.listed[-1]
            self.listed[-1] = (name + data, description) if self._open == ["dt"] else (name, description + data)


def test_datasette_serves_the_package_title_licence_and_source(served: str, exported_database: Path) -> None:
    metadata = fetch_json(f"{served}/-/metadata.json")
    assert metadata == json.loads(metadata_path(exported_database).read_text(encoding="utf-8"))
    (licence,) = DESCRIPTOR["licenses"]
    assert (metadata["title"], metadata["description"]) == (DESCRIPTOR["title"], DESCRIPTOR["description"])
    assert (metadata["license"], metadata["license_url"]) == (licence["title"], licence["path"])
    assert metadata["source"] == "; ".join(source["title"] for source in DESCRIPTOR["sources"])
    # Every table page repeats them.
    quotes = fetch_json(f"{served}/newsfacts/quotes.json?_size=1")
    assert (quotes["license"], quotes["license_url"], quotes["source"]) == (
        licence["title"],
        licence["path"],
        metadata["source"],
    )


@pytest.mark.parametrize("table", list(RESOURCES))
def test_datasette_shows_each_table_and_column_description(served: str, table: str) -> None:
    page = TablePage(fetch(f"{served}/newsfacts/{table}").decode("utf-8"))
    fields = RESOURCES[table]["schema"]["fields"]
    assert " ".join(page.description.split()) == RESOURCES[table]["description"]
    assert page.listed == [(field["name"], field["description"]) for field in fields]
    primary_key = RESOURCES[table]["schema"]["primaryKey"]
    assert page.headings == {field["name"]: field["description"] for field in fields if [field["name"]] != primary_key}


def test_datasette_describes_the_quotes_full_view(served: str) -> None:
    page = TablePage(fetch(f"{served}/newsfacts/{QUOTES_FULL}").decode("utf-8"))
    assert " ".join(page.description.split()) == QUOTES_FULL_DESCRIPTION


@pytest.mark.parametrize("table", list(RESOURCES))
def test_datasette_facets_each_enum_field_with_its_counts(served: str, table: str) -> None:
    served_table = fetch_json(f"{served}/newsfacts/{table}.json?_size=0")
    facets = served_table["facet_results"]
    assert list(facets) == enum_fields(table)
    for name, facet in facets.items():
        assert facet["hideable"] is False  # configured in the metadata, not picked by the user
        counts = LOADED[table][name].value_counts()
        assert {result["value"]: result["count"] for result in facet["results"]} == {
            value: count for value, count in counts.items() if count
        }


def test_datasette_labels_keys_with_the_models_label_fields(served: str) -> None:
    tables = fetch_json(f"{served}/-/metadata.json")["databases"]["newsfacts"]["tables"]
    labels = {table: tables[table].get("label_column") for table in RESOURCES}
    assert labels == {table: resource["schema"].get("newsfacts:labelField") for table, resource in RESOURCES.items()}
    assert labels == {table: {"entities": "name", "articles": "title"}.get(table) for table in RESOURCES}
    quotes = fetch_json(f"{served}/newsfacts/quotes.json?_labels=on&_shape=objects&_size=max")
    names = LOADED["entities"].set_index("entity_id")["name"]
    titles = LOADED["articles"].set_index("article_id")["title"]
    assert len(quotes["rows"]) == len(LOADED["quotes"])
    for row in quotes["rows"]:
        assert row["speaker_id"]["label"] == names[row["speaker_id"]["value"]]
        title = titles[row["article_id"]["value"]]
        assert row["article_id"]["label"] == (None if pd.isna(title) else title)  # an untitled article has none


def test_datasette_inspect_counts_the_rows_of_every_table(exported_database: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(exported_database), "--inspect-file", "-"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)["newsfacts"]["tables"]
    assert {name: tables[name]["count"] for name in LOADED} == {name: len(frame) for name, frame in LOADED.items()}


# Package-level values of a descriptor (the loader checks only its resources), and what Datasette is told.
HOMEPAGE = "https://example.org/newsfacts"
ATTRIBUTION_CASES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (
        "sources without a web address get no link",
        {"sources": [{"title": "A", "path": "seeds/a.txt"}, {"title": "B"}], "homepage": None},
        {"source": "A; B"},
    ),
    (
        "the one source with a web address is linked",
        {"sources": [{"title": "A", "path": "https://example.org/a"}]},
        {"source": "A", "source_url": "https://example.org/a"},
    ),
    (
        "two sources are not linked, whatever their paths",
        {"sources": [{"title": "A", "path": "https://example.org/a"}, {"title": "B", "path": "https://example.org/b"}]},
        {"source": "A; B"},
    ),
    ("a homepage is the about link", {"sources": [], "homepage": HOMEPAGE}, {"about": HOMEPAGE, "about_url": HOMEPAGE}),
    ("a homepage that is no web address is left out", {"sources": [], "homepage": "javascript:alert(1)"}, {}),
    (
        "a licence named only by its name, without a link",
        {"sources": [], "licenses": [{"name": "CC0-1.0"}]},
        {"license": "CC0-1.0"},
    ),
    (
        "values of the wrong type are left out",
        {"title": 7, "description": ["x"], "licenses": "CC-BY-4.0", "sources": {"title": "A"}, "homepage": 1},
        {},
    ),
]
ATTRIBUTION_KEYS = ("title", "description", "license", "license_url", "source", "source_url", "about", "about_url")


@pytest.mark.parametrize(("case", "changes", "expected"), ATTRIBUTION_CASES, ids=[c[0] for c in ATTRIBUTION_CASES])
def test_datasette_is_told_only_what_the_descriptor_gives(
    case: str, changes: dict[str, Any], expected: dict[str, str], tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    descriptor_path = tmp_path / "datapackage" / "datapackage.json"
    descriptor = {**json.loads(descriptor_path.read_text(encoding="utf-8")), **changes}
    # None removes a key; the tables are untouched, so the package still loads.
    descriptor_path.write_text(json.dumps({k: v for k, v in descriptor.items() if v is not None}), encoding="utf-8")
    output = tmp_path / "out.db"
    export_sqlite(output, tmp_path)
    metadata = json.loads(metadata_path(output).read_text(encoding="utf-8"))
    kept = {key: DESCRIPTOR[key] for key in ("title", "description") if key not in changes}
    if "licenses" not in changes:
        kept |= {"license": DESCRIPTOR["licenses"][0]["title"], "license_url": DESCRIPTOR["licenses"][0]["path"]}
    if "homepage" not in changes:
        kept |= {"about": DESCRIPTOR["homepage"], "about_url": DESCRIPTOR["homepage"]}
    assert {key: metadata[key] for key in ATTRIBUTION_KEYS if key in metadata} == kept | expected
    assert list(metadata["databases"]) == ["out"]
