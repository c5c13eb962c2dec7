"""The catalogue: every code that newsfacts names is in it once, with a group and a hint; one exception carries it."""

from __future__ import annotations

import pickle
import re

import pytest

from newsfacts.problems import CATALOGUE, GROUPS, NewsfactsError, codes, problem

from .conftest import ROOT

# A code where a problem is made or an error raised: problem("code", …), NewsfactsError("code", …),
# NewsfactsError.of("code", …), and the code that read_json reports for a file that is not JSON.
NAMED = re.compile(r'(?:problem|NewsfactsError(?:\.of)?)\(\s*"([a-z0-9-]+)"|read_json\([^()]*"([a-z0-9-]+)"\)')
# How a hint used to trail a message; it belongs in the hint now.
TRAILING_HINT = re.compile(r"; (run|choose|remove|copy|free|save|rephrase|pass) |\(see --")


def test_every_code_named_in_the_source_is_catalogued() -> None:
    named = {
        match[1] or match[2]
        for path in (ROOT / "src" / "newsfacts").rglob("*.py")
        for match in NAMED.finditer(path.read_text(encoding="utf-8"))
    }
    assert len(named) > 60  # the pattern still finds them
    assert sorted(named - set(CATALOGUE)) == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_entry_has_a_group_and_a_one_line_hint_not_repeated_in_its_message(code: str) -> None:
    entry = CATALOGUE[code]
    assert entry.group in GROUPS
    assert entry.hint and "\n" not in entry.hint
    assert entry.hint not in entry.template
    assert TRAILING_HINT.search(entry.template) is None, entry.template


def test_every_group_has_codes_and_unknown_groups_are_refused() -> None:
    assert all(codes(group) for group in GROUPS)
    with pytest.raises(ValueError, match="unknown group"):
        codes("structural")


def test_an_uncatalogued_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        NewsfactsError("no-such-code", "anything")
    with pytest.raises(KeyError):
        problem("no-such-code", "anywhere")


def test_an_error_is_the_problem_validate_would_report() -> None:
    error = NewsfactsError.of("type-error", "data/quotes.csv", 3, "char_start", detail="'7_7' is not an integer")
    expected = problem("type-error", "data/quotes.csv", 3, "char_start", detail="'7_7' is not an integer")
    assert error.problem == expected
    assert str(error) == expected.format() == "data/quotes.csv:3:char_start: type-error: '7_7' is not an integer"
    assert (error.code, error.message) == ("type-error", "'7_7' is not an integer")
    assert pickle.loads(pickle.dumps(error)).problem == expected  # across processes, as in tests/fuzz


def test_an_error_without_a_place_says_its_code() -> None:
    error = NewsfactsError("output-exists", "out.db exists; pass --force to replace it")
    assert str(error) == "output-exists: out.db exists; pass --force to replace it"
    assert error.problem.hint == CATALOGUE["output-exists"].hint


def test_json_problems_carry_their_hint() -> None:
    found = problem("stale-file", "data/quotes.json")
    assert found.to_dict() == {
        "path": "data/quotes.json",
        "line": None,
        "field": None,
        "code": "stale-file",
        "message": found.message,
        "hint": CATALOGUE["stale-file"].hint,
    }
