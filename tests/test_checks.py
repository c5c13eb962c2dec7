"""The registry of checks (checks/registry.py): what each check may report, and in which stage it runs.

conftest.py holds every check to its declared codes in every test that validates.
"""

from __future__ import annotations

import dataclasses

import pytest

import newsfacts.validate
from newsfacts.checks import Check
from newsfacts.checks.registry import CHECKS, READING_CODES
from newsfacts.problems import CATALOGUE, Problem
from newsfacts.validate import validate

from .conftest import declared_only, fixture_layout


def test_declared_codes_are_in_the_catalogue() -> None:
    assert READING_CODES - CATALOGUE.keys() == set()
    assert {check.name: check.codes - CATALOGUE.keys() for check in CHECKS} == {check.name: set() for check in CHECKS}


def test_check_names_are_unique() -> None:
    names = [check.name for check in CHECKS]
    assert len(names) == len(set(names))


def test_a_code_a_check_does_not_declare_fails_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    undeclared = [
        dataclasses.replace(check, run=declared_only(check.run, frozenset(), check.name))
        if check.name == "sources-present"
        else check
        for check in CHECKS
    ]
    monkeypatch.setattr(newsfacts.validate, "CHECKS", tuple(undeclared))
    with pytest.raises(AssertionError, match="sources-present reported \\['source-missing'\\]"):
        validate(fixture_layout("source-missing"))


@pytest.mark.parametrize(("rows_only", "stages"), [(True, {"files", "rows"}), (False, {"files", "rows", "tables"})])
def test_validate_runs_the_checks_of_its_stages(
    monkeypatch: pytest.MonkeyPatch, rows_only: bool, stages: set[str]
) -> None:
    ran: list[str] = []

    def recorded(check: Check) -> Check:
        def run(*_: object) -> list[Problem]:
            ran.append(check.name)
            return []

        return dataclasses.replace(check, run=run)

    monkeypatch.setattr(newsfacts.validate, "CHECKS", tuple(recorded(check) for check in CHECKS))
    validate(fixture_layout("minimal-valid"), rows_only=rows_only)
    assert sorted(ran) == sorted(check.name for check in CHECKS if check.stage in stages)
