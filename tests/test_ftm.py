"""`newsfacts export --to ftm`: FollowTheMoney entities that the followthemoney library reads back
unchanged, one per row of the mapped tables, linked as the CSVs link them, with their sources."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.entity import ValueEntity
from followthemoney.types import registry

from newsfacts.cli import main
from newsfacts.exporters.ftm import SCHEMA_OF_ENTITY_TYPE, dataset_name, export_ftm
from newsfacts.problems import NewsfactsError

from .conftest import RESOURCES, ROOT, csv_cells
from .test_export import rewrite_csv
from .test_sources import release_zip

PACKAGE = ROOT / "datapackage"
DOC = (ROOT / "docs" / "ftm.md").read_text(encoding="utf-8")
# The schema of each entity type, from docs/ftm.md's table: the code must do what the page says.
SCHEMA_OF_TYPE = dict(re.findall(r"^\| `(\w+)` \| (\w+) \|", DOC, re.MULTILINE))


def rows(table: str) -> list[dict[str, str | None]]:
    """A table's CSV rows by column name, read with the csv module, not with newsfacts."""
    names = [field["name"] for field in RESOURCES[table]["schema"]["fields"]]
    return [dict(zip(names, cells, strict=True)) for cells in csv_cells(table)]


def entity_id(kind: str, key: str | None) -> str:
    return f"newsfacts-{kind}-{key}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ftm") / "newsfacts.ftm.json"
    assert export_ftm(path, PACKAGE) == [path]
    return path


@pytest.fixture(scope="module")
def entities(exported: Path) -> dict[str, ValueEntity]:
    """The export read back by followthemoney, every value cleaned again (`cleaned=False`), by id."""
    read = {}
    for line in exported.read_text(encoding="utf-8").splitlines():
        data: dict[str, Any] = json.loads(line)
        entity = ValueEntity.from_dict(data, cleaned=False)
        assert entity.id not in read
        read[str(entity.id)] = entity
    return read


def of_schema(entities: dict[str, ValueEntity], schema: str) -> dict[str, ValueEntity]:
    return {key: entity for key, entity in entities.items() if entity.schema.name == schema}


def test_followthemoney_reads_every_entity_back_unchanged_and_valid(exported: Path) -> None:
    lines = exported.read_text(encoding="utf-8").splitlines()
    for line in lines:
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["id"]
        # from_dict skips a property the schema lacks: none may be there to be skipped
        assert set(data["properties"]) <= set(schema.properties), data["id"]
        # cleans every value as untrusted input (and takes `datasets` out of the dict it is given: a copy)
        again = ValueEntity.from_dict(json.loads(line), cleaned=False)
        assert again.to_dict() == data, data["id"]
        assert [prop for prop in schema.required if not again.has(prop)] == [], data["id"]
        schema.validate(data)  # raises InvalidData
        assert data["datasets"] == ["newsfacts_iran_russia_missiles_2024"]
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(set(ids))


def test_the_export_is_byte_reproducible(exported: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    export_ftm(again, PACKAGE)
    assert again.read_bytes() == exported.read_bytes()


def test_every_reference_resolves_to_an_entity_in_the_propertys_range(entities: dict[str, ValueEntity]) -> None:
    references = 0
    for entity in entities.values():
        for prop, value in entity.itervalues():
            if prop.type is registry.entity:
                references += 1
                assert value in entities, (entity.id, prop.name, value)
                assert prop.range is None or entities[value].schema.is_a(prop.range), (entity.id, prop.name)
    assert references > 500


def test_one_entity_per_row_of_each_mapped_table(entities: dict[str, ValueEntity]) -> None:
    schemata = Counter(entity.schema.name for entity in entities.values())
    links = Counter(key.rsplit("-", 1)[0] for key in of_schema(entities, "UnknownLink"))
    types = {row["entity_id"]: str(row["entity_type"]) for row in rows("entities")}
    # the actors that are no LegalEntity (the weapon system): an Event cannot name them as parties
    thing_actors = [
        row
        for row in rows("event_actors")
        if not model.get(SCHEMA_OF_TYPE[types[str(row["entity_id"])]]).is_a("LegalEntity")
    ]
    assert (schemata["Article"], schemata["Event"], schemata["Sanction"], schemata["Documentation"]) == (
        len(rows("articles")),
        len(rows("events")),
        len(rows("sanctions")),
        len(rows("entity_mentions")),
    )
    assert links == {
        "newsfacts-event-relation": len(rows("event_relations")),
        "newsfacts-event-actor": len(thing_actors),
    }
    assert {row["entity_id"] for row in thing_actors} == {"fath-360"} and len(thing_actors) == 8
    assert schemata["Membership"] == sum(row["parent_id"] is not None for row in rows("entities"))
    assert (schemata["Article"], schemata["Sanction"], schemata["Documentation"]) == (5, 5, 122)


def test_each_entity_type_has_its_documented_schema(entities: dict[str, ValueEntity]) -> None:
    enum = next(f for f in RESOURCES["entities"]["schema"]["fields"] if f["name"] == "entity_type")
    assert sorted(SCHEMA_OF_TYPE) == sorted(enum["constraints"]["enum"])
    assert SCHEMA_OF_ENTITY_TYPE == SCHEMA_OF_TYPE
    for row in rows("entities"):
        entity = entities[entity_id("entity", row["entity_id"])]
        assert entity.schema.name == SCHEMA_OF_TYPE[str(row["entity_type"])]
        assert entity.get("name") == [row["name"]]
        assert entity.get("alias") == (str(row["aliases"]).split(";") if row["aliases"] else [])
        assert entity.get("country") == ([str(row["country"]).lower()] if row["country"] else [])
        assert entity.get("keywords") == [row["entity_type"]]
    countries = [row["entity_id"] for row in rows("entities") if row["entity_type"] == "country"]
    assert {entity_id("entity", key): entities[entity_id("entity", key)].get("topics") for key in countries} == {
        entity_id("entity", key): ["gov.national"] for key in countries
    }


def test_sanctions_name_their_target_authority_and_sources(entities: dict[str, ValueEntity]) -> None:
    names = {row["entity_id"]: row["name"] for row in rows("entities")}
    sources = rows("sanction_sources")
    for row in rows("sanctions"):
        sanction = entities[entity_id("sanction", row["sanction_id"])]
        assert sanction.get("entity") == [entity_id("entity", row["target_id"])]
        assert sanction.get("authority") == [names[row["imposer_id"]]]
        assert sanction.get("status") == [row["status"]]
        assert sanction.get("date") == ([row["announced_date"]] if row["announced_date"] else [])
        assert sanction.get("provisions") == ([row["measures"]] if row["measures"] else [])
        expected = sorted(
            {entity_id("article", s["article_id"]) for s in sources if s["sanction_id"] == row["sanction_id"]}
        )
        assert sanction.get("proof") == expected != []
    by_target = Counter(entities[s].first("entity") for s in of_schema(entities, "Sanction"))
    assert by_target == {"newsfacts-entity-iran": 4, "newsfacts-entity-iran-air": 1}
    assert entities["newsfacts-sanction-sn-us-iran-air-measures"].get("country") == ["us"]


def test_articles_hold_their_seed_text_and_what_the_table_gives(entities: dict[str, ValueEntity]) -> None:
    for row in rows("articles"):
        article = entities[entity_id("article", row["article_id"])]
        seed = (PACKAGE / str(row["seed_file"])).read_text(encoding="utf-8")
        assert article.get("bodyText") == [seed.strip()]  # FtM's text type trims the ends
        assert article.get("title") == ([row["title"]] if row["title"] else [])
        assert article.get("author") == (str(row["authors"]).split(";") if row["authors"] else [])
        assert article.get("publishedAt") == ([row["published_date"]] if row["published_date"] else [])
        assert article.get("sourceUrl") == ([row["url"]] if row["url"] else [])
    assert entities["newsfacts-article-art-004"].get("author") == ["Trevor Hunnicutt", "Michelle Nichols"]
    assert entities["newsfacts-article-art-004"].get("publisher") == ["Reuters"]
    assert entities["newsfacts-article-art-000"].get("publisher") == []  # no outlet is named: none is made up


def test_event_actors_are_involved_organisers_or_linked_things(entities: dict[str, ValueEntity]) -> None:
    placed: set[tuple[str, str, str]] = set()  # (event, property or role, entity), as the export has them
    for event in of_schema(entities, "Event").values():
        for prop in ("involved", "organizer"):
            placed |= {(str(event.id), prop, actor) for actor in event.get(prop)}
    for link in of_schema(entities, "UnknownLink").values():
        if str(link.id).startswith("newsfacts-event-actor-"):
            placed.add((link.first("subject") or "", f"role {link.first('role')}", link.first("object") or ""))
    expected = set()
    for row in rows("event_actors"):
        event, actor = entity_id("event", row["event_id"]), entity_id("entity", row["entity_id"])
        if entities[actor].schema.is_a("LegalEntity"):
            expected.add((event, "organizer" if row["role"] == "host" else "involved", actor))
        else:
            expected.add((event, f"role {row['role']}", actor))
    assert placed == expected
    hosts = [row for row in rows("event_actors") if row["role"] == "host"]
    assert len(hosts) == 10


def test_events_carry_dates_at_their_precision_and_their_sources(entities: dict[str, ValueEntity]) -> None:
    sources = rows("event_sources")
    for row in rows("events"):
        event = entities[entity_id("event", row["event_id"])]
        assert event.get("name") == [row["description"]]
        assert event.get("keywords") == [row["event_type"], row["status"]]
        expected = sorted({entity_id("article", s["article_id"]) for s in sources if s["event_id"] == row["event_id"]})
        assert event.get("proof") == expected != []
    report = entities["newsfacts-event-ev-reuters-report-august-2024"]  # precision month
    assert (report.get("startDate"), report.get("endDate")) == (["2024-08"], ["2024-08"])
    post = entities["newsfacts-event-ev-yermak-telegram-post"]  # precision week: its first and last days
    assert (post.get("startDate"), post.get("endDate")) == (["2024-09-08"], ["2024-09-10"])


def test_every_mention_and_relation_points_at_its_article(entities: dict[str, ValueEntity]) -> None:
    mentions = of_schema(entities, "Documentation")
    got = sorted(
        (str(m.first("entity")), str(m.first("document")), str(m.first("summary")), str(m.first("role")))
        for m in mentions.values()
    )
    expected = sorted(
        (
            entity_id("entity", r["entity_id"]),
            entity_id("article", r["article_id"]),
            str(r["text"]),
            str(r["mention_type"]),
        )
        for r in rows("entity_mentions")
    )
    assert got == expected
    # the hashed id hides the key; the record id keeps it, offsets included
    assert sorted(str(m.first("recordId")) for m in mentions.values()) == sorted(
        f"{r['entity_id']}/{r['article_id']}/{r['char_start']}" for r in rows("entity_mentions")
    )
    relations = {r["event_id"] + r["related_event_id"]: r for r in rows("event_relations")}
    for link in of_schema(entities, "UnknownLink").values():
        if str(link.id).startswith("newsfacts-event-relation-"):
            subject, related = (str(link.first(p)).removeprefix("newsfacts-event-") for p in ("subject", "object"))
            assert link.get("proof") == [entity_id("article", relations[subject + related]["article_id"])]


def test_every_entity_but_a_parent_link_names_its_source_articles(entities: dict[str, ValueEntity]) -> None:
    unsourced = [
        key
        for key, entity in entities.items()
        if entity.schema.name not in ("Article", "Membership") and not (entity.get("proof") or entity.get("document"))
    ]
    assert unsourced == []
    parents = of_schema(entities, "Membership")
    assert entities["newsfacts-parent-fcdo"].get("organization") == ["newsfacts-entity-united-kingdom"]
    assert all(link.get("proof") == [] for link in parents.values())  # newsfacts records no source for parent_id


def test_a_release_zip_and_a_url_export_the_same_entities(
    exported: Path, tmp_path: Path, serve_directory: Callable[[Path], str]
) -> None:
    site = tmp_path / "site"
    archive = release_zip(ROOT, site / "release.zip")
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(site / "release")
    base = serve_directory(site)
    for source in (str(archive), f"{base}release/datapackage.json", f"{base}release.zip"):
        output = tmp_path / "from-source.json"
        export_ftm(output, source, force=True)
        assert output.read_bytes() == exported.read_bytes(), source


def test_cli_writes_once_and_keeps_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "newsfacts.ftm.json"
    assert main(["export", "--to", "ftm", str(output), "--source", str(PACKAGE)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    output.write_bytes(b"precious")
    assert main(["export", "--to", "ftm", str(output), "--source", str(PACKAGE)]) == 1
    assert "output-exists" in capsys.readouterr().err
    assert output.read_bytes() == b"precious"


# (table, text, replacement, code, words the message holds): a valid package that FtM cannot take,
# and one whose references break.
REFUSALS = [
    ("entities", ",GB,united-kingdom", ",XX,united-kingdom", "ftm-refused", "'XX' as the country"),
    ("sanctions", ",iran-air,", ",nobody,", "foreign-key-violated", "sn-us-iran-air-measures"),
]


@pytest.mark.parametrize(("table", "old", "new", "code", "words"), REFUSALS)
def test_a_value_ftm_refuses_stops_the_export_and_nothing_is_written(
    tmp_path: Path, table: str, old: str, new: str, code: str, words: str
) -> None:
    shutil.copytree(PACKAGE, tmp_path / "datapackage")
    rewrite_csv(tmp_path / "datapackage", table, old, new)
    output = tmp_path / "out" / "newsfacts.ftm.json"
    with pytest.raises(NewsfactsError) as caught:
        export_ftm(output, tmp_path / "datapackage")
    assert (caught.value.code, words in caught.value.message) == (code, True)
    assert not output.exists()
    assert main(["export", "--to", "ftm", str(output), "--source", str(tmp_path / "datapackage")]) == 1


def test_a_seed_that_differs_from_its_hash_is_refused(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "datapackage")
    seed = tmp_path / "datapackage" / str(rows("articles")[0]["seed_file"])
    seed.write_text(seed.read_text(encoding="utf-8") + "An added line.\n", encoding="utf-8")
    with pytest.raises(NewsfactsError) as caught:
        export_ftm(tmp_path / "out.json", tmp_path / "datapackage")
    assert (caught.value.code, caught.value.path) == ("hash-mismatch", str(seed))


# The package's name -> its FtM dataset name, or None where the export refuses it: nothing is made up.
DATASET_NAMES: list[tuple[Any, str | None]] = [
    ("newsfacts-iran", "newsfacts_iran"),
    ("", None),
    ("   ", None),
    (None, None),
    (5, None),
    (["a"], None),
]


@pytest.mark.parametrize(("name", "dataset"), DATASET_NAMES)
def test_the_dataset_is_the_package_name_or_the_export_is_refused(name: Any, dataset: str | None) -> None:
    if dataset is not None:
        assert dataset_name({"name": name}, "datapackage.json") == dataset
        return
    with pytest.raises(NewsfactsError) as caught:
        dataset_name({"name": name}, "datapackage.json")
    assert (caught.value.code, caught.value.path) == ("ftm-refused", "datapackage.json")


def test_without_followthemoney_the_export_says_what_to_install_and_exits_2(tmp_path: Path) -> None:
    # Python's own way to make a module unimportable: None in sys.modules, set before newsfacts starts.
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['followthemoney'] = None\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(blocker), "NO_COLOR": "1"}
    newsfacts = str(Path(sys.executable).parent / "newsfacts")
    output = tmp_path / "newsfacts.ftm.json"
    result = subprocess.run(
        [newsfacts, "export", "--to", "ftm", str(output), "--source", str(PACKAGE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "ftm-missing" in result.stderr and "pip install 'newsfacts[ftm]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()
    listed = subprocess.run([newsfacts, "export", "--help"], capture_output=True, text=True, env=env, check=False)
    assert listed.returncode == 0 and "--to ftm OUTPUT" in " ".join(listed.stdout.split())
