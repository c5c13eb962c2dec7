"""`newsfacts add`: rows from the seed's text, never from offsets, ids or CSV quoting typed by hand."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsfacts.add import Request, add, find_span, read_batch
from newsfacts.build import build
from newsfacts.cli import main
from newsfacts.package import Layout, read_tables
from newsfacts.problems import codes
from newsfacts.validate import validate

from .conftest import ROOT

# The made-up story of CONTRIBUTING's walkthrough (never part of the dataset): names the package
# already holds, a name it does not, quotations, a word inside a longer one ("Iranian") and a
# name printed three times.
WIRE = (ROOT / "docs" / "example" / "wire.txt").read_text(encoding="utf-8")

# The whole article in one batch: every row a contributor writes, and not one offset or quote id.
BATCH = """\
- add: article
  seed: wire.txt
  title: Iran denies missile transfer
  outlet_basis: unknown
  published_date: "2024-09-11"
  published_date_basis: inferred
  published_date_note: "Dateline “Sept 11”; the year from the events reported."
  dateline: TEHRAN
  language: en
- add: entity
  entity_id: nasser-kanaani
  name: Nasser Kanaani
  entity_type: person
  description: Spokesman of Iran's foreign ministry, as the source gives it.
  country: IR
- add: mention
  entity_id: nasser-kanaani
  article_id: art-005
  text: Nasser Kanaani
  mention_type: name
- add: mention
  entity_id: iran
  article_id: art-005
  text: Iran
  mention_type: name
  context: "“Iran has not"
- add: quote
  article_id: art-005
  speaker_id: nasser-kanaani
  speaker_as_printed: ministry spokesman Nasser Kanaani
  text: Iran has not transferred any ballistic missiles,
  quote_type: full
  utterance_id: u-kanaani-not-transferred
- add: non-quote
  article_id: art-005
  text: baseless claims
  reason: term
  note: A phrase the ministry is reported to have used, not a quotation of a statement.
"""


def package_files(layout: Layout) -> dict[str, bytes]:
    """Every file of the project under the package and seeds/, by path: to tell what a command changed."""
    root = layout.root
    return {
        str(path.relative_to(root)): path.read_bytes()
        for folder in (layout.package_dir, layout.seeds_dir)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


SPAN_CASES = [
    ("Iran", None, "“Iran has", (282, 286)),  # told apart by the words around it
    ("Iran", 2, None, (60, 64)),  # in "Iran’s": the apostrophe ends the word; the headline's is the first
    ("Iran", 4, None, "occurrence-out-of-range"),  # 3 of them: "Iranian" is none
    ("Iran", None, None, "span-ambiguous"),
    ("Irania", None, None, "span-inside-word"),  # only inside "Iranian"
    ("Nasser Kanaani", None, None, (351, 365)),
    ("Nasser Kanani", None, None, "span-not-found"),
    ("Iran", None, "Tehran rejected", "context-not-found"),
    ("Kanaani", None, "Iran’s foreign", "context-without-text"),
]


@pytest.mark.parametrize(("text", "occurrence", "context", "expected"), SPAN_CASES)
def test_a_span_is_found_from_its_text(text: str, occurrence: int | None, context: str | None, expected: Any) -> None:
    found = find_span(WIRE, text, occurrence, context)
    if isinstance(expected, tuple):
        assert found == expected
        assert WIRE[expected[0] : expected[1]] == text
    else:
        assert found[0] == expected


def test_iran_is_never_found_inside_iranian() -> None:
    iranian = WIRE.index("Iranian")
    starts = [
        start for start in range(len(WIRE)) if find_span(WIRE, "Iran", None, WIRE[start : start + 12])[0] == start
    ]
    assert iranian not in starts
    assert find_span(WIRE, "Iranian", None, None) == (iranian, iranian + len("Iranian"))


def test_a_new_article_end_to_end_from_one_batch_file(project_copy: Layout, tmp_path: Path) -> None:
    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    (tmp_path / "rows.yaml").write_text(BATCH, encoding="utf-8")
    requests, problems = read_batch(tmp_path / "rows.yaml", project_copy.limits.max_file_bytes)
    assert problems == []
    result = add(project_copy, requests)
    assert result.problems == [] and result.to_do == []
    added = {(row.table, row.cells.get("char_start"), row.cells.get("char_end")) for row in result.added}
    assert ("quotes", "282", "330") in added and ("entity_mentions", "282", "286") in added
    # The seed is stored under the next number with its hash, and the package is exactly as `build` leaves it.
    sha256 = hashlib.sha256(WIRE.encode("utf-8")).hexdigest()
    assert project_copy.seed(f"seeds/005_{sha256[:16]}.txt").read_text(encoding="utf-8") == WIRE
    assert build(project_copy, check=True).problems == []
    assert f"| `art-005` | [`seeds/005_{sha256[:16]}.txt`]" in project_copy.readme.read_text(encoding="utf-8")
    assert validate(project_copy) == []
    tables, _ = read_tables(project_copy)
    quote = tables["quotes"].data.filter(tables["quotes"].data["article_id"] == "art-005").row(0, named=True)
    assert (quote["quote_id"], quote["text"]) == ("q-005-01", WIRE[282:330])


def test_a_batch_with_one_wrong_row_writes_nothing(project_copy: Layout, tmp_path: Path) -> None:
    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    (tmp_path / "rows.yaml").write_text(BATCH.replace("speaker_id: nasser-kanaani", "speaker_id: nasser-kanani"))
    before = package_files(project_copy)
    status = main(["add", "batch", str(tmp_path / "rows.yaml"), "--package", str(project_copy.package_dir)])
    assert status == 1
    assert package_files(project_copy) == before


REFUSALS = [
    (["quote", "--article-id", "art-000", "--text", "Iran"], 1, "span-ambiguous"),
    (["quote", "--article-id", "art-009", "--text", "Iran"], 1, "article-unknown"),
    (["mention", "--article-id", "art-000", "--text", "Irani"], 1, "span-inside-word"),
    (["entity", "--entity-id", "x", "--name", "Bell\x07"], 1, "control-character"),
    (["entity", "--entity-id", "x", "--name", "Not UTF-8 \udcff"], 1, "control-character"),
    (["batch", "no-such-file.yaml"], 2, "input-unreadable"),
    (["article", "no-such-seed.txt", "--outlet-basis", "unknown"], 2, "input-unreadable"),
    (["entity", "--entity-id", "x", "--package", "no-such-folder"], 2, "package-not-found"),
    (["quote", "--article-id", "art-000", "--txt", "Iran"], 2, "usage-error"),  # an option no quote has
    (["quot"], 2, "usage-error"),
]


@pytest.mark.parametrize(("argv", "status", "code"), REFUSALS)
def test_what_add_refuses(
    project_copy: Layout, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, code: str
) -> None:
    """Each refusal: its exit status, one JSON document naming its code, and not a byte written."""
    before = package_files(project_copy)
    package = [] if "--package" in argv else ["--package", str(project_copy.package_dir)]
    try:
        found = main(["add", *argv, *package, "--format", "json"])
    except SystemExit as stopped:  # argparse's usage errors
        found = stopped.code
    document = json.loads(capsys.readouterr().out)
    problems = document["problems"] if isinstance(document, dict) else document
    assert (found, [item["code"] for item in problems]) == (status, [code])
    assert package_files(project_copy) == before


def test_one_row_at_a_time_gets_the_next_quote_id_and_lists_what_it_still_awaits(
    project_copy: Layout, capsys: pytest.CaptureFixture[str]
) -> None:
    package = ["--package", str(project_copy.package_dir)]
    args = ["--article-id", "art-000", "--speaker-id", "antony-blinken", "--speaker-as-printed", "Blinken"]
    args += ["--quote-type", "partial", "--utterance-id", "u-test", "--text", "Iran"]
    assert main(["add", "quote", *args, "--occurrence", "2", *package, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    cells = document["added"][0]["cells"]
    assert (cells["quote_id"], cells["char_start"]) == ("q-000-10", "104")
    event = ["--event-id", "ev-test", "--event-type", "statement", "--status", "occurred", "--date-basis", "unknown"]
    event += ["--description", "A test.", "--plover-uncoded-reason", "commentary"]
    assert main(["add", "event", *event, *package, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [item["code"] for item in document["to_do"]] == ["event-without-actor", "source-missing"]


SEED_CASES = [
    (b"\xef\xbb\xbfText.\n", "bom"),
    (b"Text.\r\nMore.\r\n", "seed-line-ends"),
    (b"Text \x07 bell.\n", "control-character"),
    (b"Caf\xe9.\n", "encoding-error"),
    (b"  \n", "seed-empty"),
]


@pytest.mark.parametrize(("content", "code"), SEED_CASES)
def test_a_seed_must_be_clean_text(project_copy: Layout, tmp_path: Path, content: bytes, code: str) -> None:
    (tmp_path / "seed.txt").write_bytes(content)
    result = add(project_copy, [Request("article", {"outlet_basis": "unknown"}, seed=tmp_path / "seed.txt")])
    assert [item.code for item in result.problems] == [code]


def test_a_seed_already_in_the_package_is_refused(project_copy: Layout) -> None:
    seed = project_copy.seeds_dir / "002_d4a13c5680323aa8.txt"
    result = add(project_copy, [Request("article", {}, seed=seed)])
    assert [(item.code, item.message) for item in result.problems] == [
        ("seed-duplicate", "this text is already in the package, as art-002")
    ]


BATCH_CASES = [
    ("- add: article\n  seed: ../outside.txt\n", 1, "batch-invalid"),  # no file outside the batch's folder
    ("- add: article\n  seed: /etc/hostname\n", 1, "batch-invalid"),
    ("- add: entity\n  occurrence: 2\n", 1, "field-unknown"),  # a key only spans have
    ("- add: quote\n  seed: x.txt\n", 1, "field-unknown"),  # a key only articles have
    ("- add: quote\n  occurrence: ²\n", 1, "batch-invalid"),  # a digit, but no ASCII one
    ("- add: quote\n  text: [a, b]\n", 2, "batch-invalid"),  # a list where text goes
    ("add: quote\n", 1, "batch-invalid"),  # not a list
    ("- &a add: quote\n- *a\n", 1, "batch-invalid"),  # an alias is its anchor's node: the line of that
    ("[" * 5000, None, "batch-invalid"),  # nesting deeper than the parser goes
    ("- add: quotes\n  text: x\n", 1, "kind-unknown"),  # did you mean quote
    ("- add: quote\n  occurrence: two\n", 1, "batch-invalid"),
    ("- add: quote\n  speaker: x\n", 1, "field-unknown"),
    ("- add: quote\n  article_id: art-000\n", 1, "field-required"),  # no text to find
    ("- add: article\n  title: x\n", 1, "seed-required"),
    ("- add: quote\n  text: x\n  text: y\n", 3, "batch-invalid"),
]


@pytest.mark.parametrize(("batch", "line", "code"), BATCH_CASES)
def test_a_hostile_batch_file_is_refused_at_its_line(
    project_copy: Layout, tmp_path: Path, batch: str, line: int | None, code: str
) -> None:
    path = tmp_path / "rows.yaml"
    path.write_text(batch, encoding="utf-8")
    requests, problems = read_batch(path, project_copy.limits.max_file_bytes)
    if not problems:
        problems = add(project_copy, requests).problems
    assert [(item.line, item.code) for item in problems] == [(line, code)]


def test_every_add_code_is_provoked_by_a_test_here() -> None:
    """The codes of the `add` group, each the expected code of a case above (or of a test below)."""
    provoked = {expected for *_, expected in SPAN_CASES + REFUSALS + SEED_CASES + BATCH_CASES}
    provoked |= {"seed-duplicate", "package-changed"}  # their own tests, below
    assert codes("add") - provoked == set()


def test_a_table_changed_while_adding_is_not_overwritten(project_copy: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another `add` (or an editor) writes quotes.csv between this add's read and its write: this add
    writes nothing, so that the other change is not lost."""
    import newsfacts.add as adding

    quotes = project_copy.csv("quotes")
    checked = adding._checked

    def meanwhile(*args: Any) -> Any:
        result = checked(*args)
        quotes.write_bytes(quotes.read_bytes().replace(b"US secretary of state", b"US Secretary of State", 1))
        return result

    monkeypatch.setattr(adding, "_checked", meanwhile)
    request = Request("mention", {"entity_id": "iran", "article_id": "art-000", "text": "Iran", "mention_type": "name"})
    before = package_files(project_copy)
    result = add(project_copy, [replace(request, occurrence=2)])
    assert [(item.code, Path(item.path).name) for item in result.problems] == [("package-changed", "quotes.csv")]
    after = package_files(project_copy)
    # Only the other change is on disk: it stays, and nothing of this add was written.
    assert {path for path in after if after[path] != before.get(path)} == {"datapackage/data/quotes.csv"}


def test_every_article_re_added_from_its_text_alone_gives_the_curated_rows(
    project_copy: Layout, tmp_path: Path
) -> None:
    """Every article and every row that points into its text, removed, then added back by one batch file
    that holds no offset and no quote id (an `occurrence` where the text is printed more than once): the
    tables come back cell for cell, but for where the seeds are stored."""
    import csv
    import io

    import yaml

    from newsfacts.locate import word_matches
    from newsfacts.models import MODELS, Evidence

    def read(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(project_copy.csv(name).read_text(encoding="utf-8"))))

    curated = {name: read(name) for name in MODELS}
    batch: list[dict[str, str]] = []
    for article in curated["articles"]:
        seed = project_copy.seed(article["seed_file"])
        text = seed.read_text(encoding="utf-8")
        seed.rename(tmp_path / f"{article['article_id']}.txt")
        found = {"article_id", "seed_file", "sha256"}
        batch.append({"add": "article", "seed": f"{article['article_id']}.txt"} | _given(article, found))
        for name, model in MODELS.items():
            for row in curated[name] if issubclass(model, Evidence) else ():
                if row["article_id"] == article["article_id"]:
                    item = {"add": model.row_name} | _given(row, {"char_start", "char_end", "quote_id"})
                    starts = [match.char_start for match in word_matches(text, row["text"])]
                    if len(starts) > 1:
                        item["occurrence"] = str(starts.index(int(row["char_start"])) + 1)
                    batch.append(item)
    for name, model in MODELS.items():
        if name == "articles" or issubclass(model, Evidence):
            project_copy.csv(name).write_text(",".join(model.model_fields) + "\n", encoding="utf-8")
    (tmp_path / "all.yaml").write_text(yaml.safe_dump(batch, allow_unicode=True), encoding="utf-8")
    requests, problems = read_batch(tmp_path / "all.yaml", project_copy.limits.max_file_bytes)
    result = add(project_copy, requests)
    assert (problems, result.problems, len(result.added)) == ([], [], 332)
    for name in MODELS:
        stored = [{**row, "seed_file": ""} if name == "articles" else row for row in read(name)]
        expected = [{**row, "seed_file": ""} if name == "articles" else row for row in curated[name]]
        assert stored == expected, name


def _given(row: dict[str, str], found: set[str]) -> dict[str, str]:
    """The cells a contributor types: those not empty, less those `add` finds itself."""
    return {name: value for name, value in row.items() if value and name not in found}


def test_links_in_the_package_never_lead_a_write_out_of_it(project_copy: Layout, tmp_path: Path) -> None:
    """A checkout may hold links (a pull request can add them): the scratch copy `add` checks in copies
    no link, so that neither --dry-run nor a refused add writes through one."""
    outside = tmp_path / "outside.txt"
    outside.write_text("untouched", encoding="utf-8")
    json_table = project_copy.json("articles")
    json_table.unlink()
    json_table.symlink_to(outside)
    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    request = Request(
        "article",
        {"outlet_basis": "unknown", "published_date_basis": "unknown", "language": "en"},
        seed=tmp_path / "wire.txt",
    )
    add(project_copy, [request], dry_run=True)
    add(project_copy, [request])
    assert outside.read_text(encoding="utf-8") == "untouched"


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        # A suite's rule: two entities of one name.
        (
            Request(
                "entity",
                {"entity_id": "a-blinken", "name": "Antony Blinken", "entity_type": "person", "description": "Again."},
            ),
            ("entities.csv", None, "duplicate-name"),
        ),
        # A new quote that gives an existing utterance another speaker: the curation rule that compares rows.
        (
            Request(
                "quote",
                {
                    "article_id": "art-000",
                    "speaker_id": "david-lammy",
                    "speaker_as_printed": "Lammy",
                    "text": "Noah Keate contributed reporting.",
                    "quote_type": "partial",
                    "utterance_id": "u-blinken-further-sanctions",
                },
            ),
            ("quotes.csv", None, "utterance-speaker-conflict"),
        ),
    ],
)
def test_what_a_new_row_breaks_anywhere_is_refused_where_it_shows(
    project_copy: Layout, request_: Request, expected: tuple[str, int | None, str]
) -> None:
    before = package_files(project_copy)
    result = add(project_copy, [request_])
    found = [(Path(item.path).name, item.line, item.code) for item in result.problems]
    assert expected in found
    assert package_files(project_copy) == before


def test_an_unchecked_seed_file_is_never_read(project_copy: Layout) -> None:
    """An articles row whose seed_file points outside seeds/ (an edit no `build` has vetted): `add` reads
    nothing there, so no message can show what such a file holds."""
    from .fixtures.edits import edit_rows

    edit_rows("articles", lambda rows: rows[1].__setitem__(1, "../README.md"))(project_copy.root)
    request = Request(
        "mention", {"entity_id": "iran", "article_id": "art-000", "text": "newsfacts", "mention_type": "name"}
    )
    assert [item.code for item in add(project_copy, [request]).problems] == ["seed-unreadable"]


@pytest.mark.parametrize("step", range(0, 30, 3))
def test_an_add_stopped_at_any_step_is_finished_or_undone_by_the_next_command(
    project_copy: Layout, tmp_path: Path, step: int
) -> None:
    """`add` killed (as by a power cut) before a step of its writes: the next `build` leaves either the
    package as it was or the package with every new row, and valid either way."""
    import os
    import subprocess
    import sys

    (tmp_path / "wire.txt").write_text(WIRE, encoding="utf-8")
    (tmp_path / "rows.yaml").write_text(BATCH, encoding="utf-8")
    newsfacts = str(Path(sys.executable).parent / "newsfacts")
    env = {**os.environ, "NEWSFACTS_KILL_AT_STEP": str(step)}
    argv = [newsfacts, "add", "batch", str(tmp_path / "rows.yaml"), "--package", str(project_copy.package_dir)]
    subprocess.run(argv, env=env, capture_output=True, check=False)
    assert build(project_copy).problems == []
    quotes = project_copy.csv("quotes").read_text(encoding="utf-8")
    assert "q-005-01" in quotes or "art-005" not in project_copy.csv("articles").read_text(encoding="utf-8")
    rows = sum(
        project_copy.csv(name).read_text(encoding="utf-8").count("art-005")
        for name in ("quotes", "entity_mentions", "non_quotes")
    )
    assert rows in (0, 4)
    assert validate(project_copy) == []


def test_a_seed_linked_inside_seeds_is_read_as_validate_reads_it(project_copy: Layout) -> None:
    """A seed kept elsewhere in seeds/ behind a link: validate reads it, and so does add's check."""
    seed = project_copy.seeds_dir / "003_35f4b887c231993b.txt"
    (project_copy.seeds_dir / "store").mkdir()
    seed.rename(project_copy.seeds_dir / "store" / seed.name)
    seed.symlink_to(Path("store") / seed.name)
    assert validate(project_copy) == []
    cells = {"entity_id": "antony-blinken", "article_id": "art-001", "text": "Blinken", "mention_type": "alias"}
    result = add(project_copy, [Request("mention", cells, occurrence=3)], dry_run=True)
    assert (result.problems, len(result.added)) == ([], 1)


def test_a_batch_seed_cannot_reach_outside_its_folder_through_a_link(project_copy: Layout, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("Outside text.\n", encoding="utf-8")
    (tmp_path / "contrib").mkdir()
    (tmp_path / "contrib" / "s.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "contrib" / "b.yaml").write_text("- add: article\n  seed: s.txt\n", encoding="utf-8")
    requests, problems = read_batch(tmp_path / "contrib" / "b.yaml", project_copy.limits.max_file_bytes)
    assert (requests, [(item.line, item.code) for item in problems]) == ([], [(1, "batch-invalid")])


def test_a_problem_the_package_has_does_not_excuse_the_same_one_at_a_new_row(project_copy: Layout) -> None:
    """The package already has a sanction dated out of the window; a new one of the same date is refused."""
    from .fixtures.edits import edit_rows

    edit_rows("sanctions", lambda rows: rows[1].__setitem__(rows[0].index("announced_date"), "2030-01-01"))(
        project_copy.root
    )
    assert build(project_copy).problems == []
    known = [item.code for item in validate(project_copy)]
    assert "date-window" in known
    with open(project_copy.csv("sanctions"), encoding="utf-8") as handle:
        header, first = handle.readline().rstrip("\n").split(","), handle.readline()
    import csv

    row = dict(zip(header, next(csv.reader([first])), strict=True))
    cells = {name: value for name, value in row.items() if value} | {"sanction_id": "sn-test-again"}
    result = add(project_copy, [Request("sanction", cells)], dry_run=True)
    assert "date-window" in [item.code for item in result.problems]


def test_a_hostile_batch_key_is_never_printed_raw(project_copy: Layout, tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text('- add: entity\n  "ent\\e[31mity": x\n', encoding="utf-8")
    requests, _ = read_batch(tmp_path / "b.yaml", project_copy.limits.max_file_bytes)
    (found,) = add(project_copy, requests).problems
    assert (found.code, found.field) == ("field-unknown", None)
    assert "\x1b" not in found.format()
