"""Which edits of a released rule count as removing or weakening it (checks/released.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from newsfacts.checks.released import rule_changes
from newsfacts.package import Layout

Edit = Callable[[list[dict[str, Any]]], None]


def kwarg(index: int, key: str, value: Any) -> Edit:
    return lambda rules: rules[index]["kwargs"].__setitem__(key, value)


def without(index: int, key: str) -> Edit:
    return lambda rules: rules[index]["kwargs"].pop(key)


# Edits of the sanctions suite: 0 is imposer_type in {government, country}, 1 is announced_date
# between 2022-01-01 and 2025-12-31. -> (location in the released suite, code) of each change.
CASES: list[tuple[str, Edit, list[tuple[str, str]]]] = [
    ("min later", kwarg(1, "min_value", "2023-01-01"), []),
    ("strict added", kwarg(1, "strict_min", True), []),
    ("mostly 1 kept", kwarg(1, "mostly", 1), []),
    ("value_set narrowed", kwarg(0, "value_set", ["government"]), []),
    ("notes changed", lambda rules: rules[0]["meta"].__setitem__("notes", "Reworded."), []),
    ("rules reordered", lambda rules: rules.reverse(), []),
    ("min earlier", kwarg(1, "min_value", "2021-01-01"), [("expectations[1]", "released-rule-weakened")]),
    ("min dropped", without(1, "min_value"), [("expectations[1]", "released-rule-weakened")]),
    ("min retyped", kwarg(1, "min_value", 0), [("expectations[1]", "released-rule-weakened")]),
    ("max later", kwarg(1, "max_value", "2026-01-01"), [("expectations[1]", "released-rule-weakened")]),
    ("mostly lowered", kwarg(1, "mostly", 0.99), [("expectations[1]", "released-rule-weakened")]),
    ("value_set widened", kwarg(0, "value_set", ["person"]), [("expectations[0]", "released-rule-weakened")]),
    ("column changed", kwarg(0, "column", "imposer_id"), [("expectations[0]", "released-rule-removed")]),
    ("type changed", lambda rules: rules[1].__setitem__("type", "x"), [("expectations[1]", "released-rule-removed")]),
    ("rule dropped", lambda rules: rules.__delitem__(0), [("expectations[0]", "released-rule-removed")]),
    ("suite emptied", lambda rules: rules.clear(), [(f"expectations[{i}]", "released-rule-removed") for i in (0, 1)]),
]


@pytest.mark.parametrize(("name", "edit", "expected"), CASES, ids=[case[0] for case in CASES])
def test_released_rule_changes(fixture_copy: Callable[[str], Layout], name: str, edit: Edit, expected: Any) -> None:
    layout = fixture_copy("minimal-valid")
    shutil.copytree(layout.expectations_dir, layout.releases_dir / "1.0.0" / "expectations")
    path = layout.expectations("sanctions")
    suite = json.loads(path.read_text(encoding="utf-8"))
    edit(suite["expectations"])
    path.write_text(json.dumps(suite), encoding="utf-8")
    changes, problems = rule_changes(layout, "1.0.0")
    assert problems == []
    assert [(change.problem.field, change.problem.code) for change in changes] == expected
