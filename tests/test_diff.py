"""`newsfacts diff` reads a side as `validate` does, and says `side-unreadable` (exit 2) for any side it cannot read."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsfacts import NewsfactsError
from newsfacts.cli import main
from newsfacts.diff import diff_sides
from newsfacts.limits import Limits

from .conftest import ROOT, fixture_root

SECRET = "password=hunter2"
CSV = "data/entities.csv"
DESCRIPTOR = "datapackage.json"


def edit_descriptor(package: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    descriptor = json.loads((package / DESCRIPTOR).read_text(encoding="utf-8"))
    edit(descriptor)
    (package / DESCRIPTOR).write_text(json.dumps(descriptor), encoding="utf-8")


def link_out(package: Path, name: str) -> None:
    secret = package.parent.parent / "secret.txt"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    (package / name).unlink()
    (package / name).symlink_to(secret)


def long_cell(package: Path, size: int) -> None:
    with (package / CSV).open("a", encoding="utf-8") as handle:
        handle.write(f"acme-2,Acme Two,organization,,{'x' * size},,\n")


def csv_linked_out(package: Path) -> None:
    link_out(package, CSV)


def descriptor_linked_out(package: Path) -> None:
    link_out(package, DESCRIPTOR)


def cell_past_the_csv_modules_own_limit(package: Path) -> None:
    long_cell(package, 200_000)


def cell_past_max_cell_chars(package: Path) -> None:
    long_cell(package, Limits().max_cell_chars + 1)


def csv_not_utf8(package: Path) -> None:
    (package / CSV).write_bytes(b"\xff\xfe")


def csv_is_a_folder(package: Path) -> None:
    (package / CSV).unlink()
    (package / CSV).mkdir()


def descriptor_nested_deeply(package: Path) -> None:
    (package / DESCRIPTOR).write_text("[" * 100_000, encoding="utf-8")


def descriptor_a_list(package: Path) -> None:
    (package / DESCRIPTOR).write_text("[]", encoding="utf-8")


def resources_not_a_list(package: Path) -> None:
    edit_descriptor(package, lambda descriptor: descriptor.update(resources={}))


def resource_without_a_name(package: Path) -> None:
    edit_descriptor(package, lambda descriptor: descriptor["resources"][0].pop("name"))


def fields_not_a_list(package: Path) -> None:
    edit_descriptor(package, lambda descriptor: descriptor["resources"][0]["schema"].update(fields={}))


def primary_key_an_object(package: Path) -> None:
    edit_descriptor(package, lambda descriptor: descriptor["resources"][0]["schema"].update(primaryKey={}))


# spoiled NEW side -> (the file named as the location, the catalogued problem that stopped the read, if any)
UNREADABLE: list[tuple[Callable[[Path], None], str, str | None]] = [
    (csv_linked_out, CSV, "unsafe-path"),
    (descriptor_linked_out, DESCRIPTOR, "unsafe-path"),
    (cell_past_the_csv_modules_own_limit, CSV, "cell-too-large"),
    (cell_past_max_cell_chars, CSV, "cell-too-large"),
    (csv_not_utf8, CSV, "encoding-error"),
    (csv_is_a_folder, CSV, "file-missing"),
    (descriptor_nested_deeply, DESCRIPTOR, "descriptor-invalid"),
    (descriptor_a_list, DESCRIPTOR, None),
    (resources_not_a_list, DESCRIPTOR, None),
    (resource_without_a_name, DESCRIPTOR, None),
    (fields_not_a_list, DESCRIPTOR, None),
    (primary_key_an_object, DESCRIPTOR, None),
]


@pytest.mark.parametrize(("spoil", "location", "cause"), UNREADABLE)
def test_an_unreadable_side_is_side_unreadable_with_exit_2(
    spoil: Callable[[Path], None],
    location: str,
    cause: str | None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    new = tmp_path / "new"
    shutil.copytree(fixture_root("minimal-valid"), new)
    spoil(new / "datapackage")
    with pytest.raises(NewsfactsError) as refused:
        diff_sides(str(fixture_root("minimal-valid")), str(new), ROOT)
    found = refused.value.problem
    assert (found.code, found.path) == ("side-unreadable", str(new / "datapackage" / location))
    assert cause is None or f"{cause}:" in found.message
    assert main(["diff", str(fixture_root("minimal-valid")), str(new)]) == 2
    output = capsys.readouterr()
    assert (output.out, output.err.splitlines()) == ("", [found.format(), f"hint: side-unreadable: {found.hint}"])
    assert SECRET not in output.err


def entities_fields(descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entities = next(resource for resource in descriptor["resources"] if resource["name"] == "entities")
    return {field["name"]: field for field in entities["schema"]["fields"]}


def test_constraints_that_do_not_compare_count_as_tightened(tmp_path: Path) -> None:
    """A hand-edited descriptor may give a bound as text: the comparison says tightened, since nothing is proved."""
    new = tmp_path / "new"
    shutil.copytree(fixture_root("minimal-valid"), new)

    def incomparable(descriptor: dict[str, Any]) -> None:
        fields = entities_fields(descriptor)
        fields["name"]["constraints"]["minLength"] = "one"
        fields["entity_type"]["constraints"]["enum"] = [{"not": "hashable"}]

    edit_descriptor(new / "datapackage", incomparable)
    changes = diff_sides(str(fixture_root("minimal-valid")), str(new), ROOT).changes
    assert [(change.kind, change.detail.split(":")[0]) for change in changes] == [
        ("constraint-tightened", "field name"),
        ("constraint-tightened", "field entity_type"),
    ]
    assert main(["diff", str(fixture_root("minimal-valid")), str(new)]) == 1


def test_diff_names_the_articles_whose_rows_changed(project_copy: Any) -> None:
    from .fixtures.edits import edit_rows

    root = project_copy.root
    # A speaker_as_printed corrected in art-002, and the mentions of art-004 removed.
    edit_rows("quotes", lambda rows: rows[[r[0] for r in rows].index("q-002-01")].__setitem__(4, "Peskov"))(root)
    edit_rows("entity_mentions", lambda rows: rows.__setitem__(slice(None), [r for r in rows if r[1] != "art-004"]))(
        root
    )
    result = diff_sides(str(ROOT), str(root), ROOT)
    assert result.articles == ["art-002", "art-004"]
    assert diff_sides(str(ROOT), str(ROOT), ROOT).articles == []
