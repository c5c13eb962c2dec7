"""What an expectation suite may say: a fixed allow-list, checked before GX sees the suite.

Suites arrive through pull requests. GX hands some kwargs to evaluators (a `row_condition`,
even in its structured form, becomes a `DataFrame.query` string, which can call Python), so a
suite is data only once every key and value in it is one this module knows: the expectation
types in `EXPECTATIONS`, their kwargs, each checked by the kind in `KWARGS`, and the suite's
and each expectation's `meta` keys. Anything else makes the suite `suite-invalid`.

The checks are flat (no recursion), so a suite nested absurdly deep is refused, not walked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ..cells import CellError, parse_date
from ..models import MODELS
from ..problems import codes

MAX_TEXT = 2000  # characters of any string in a suite; the longest notes today are ~200
MAX_ITEMS = 1000  # values of a value_set, columns of a column_list
COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# Expectation type -> (required kwargs, optional kwargs): the types the shipped suites use, plus
# row counts (the `expectation-failed` fixture, tests/fixtures/specs.py) and not-null checks, which evaluate nothing. No
# regex type: GX matches with Python's backtracking `re`, where a short pattern can run for hours;
# a pattern belongs on the model, where the engine checks it in linear time.
EXPECTATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "expect_column_pair_values_a_to_be_greater_than_b": (("column_A", "column_B"), ("or_equal", "mostly")),
    "expect_column_pair_values_to_be_equal": (("column_A", "column_B"), ("mostly",)),
    "expect_column_values_to_be_between": (
        ("column",),
        ("min_value", "max_value", "strict_min", "strict_max", "mostly"),
    ),
    "expect_column_values_to_be_in_set": (("column", "value_set"), ("mostly",)),
    "expect_column_values_to_be_unique": (("column",), ("mostly",)),
    "expect_column_values_to_not_be_null": (("column",), ("mostly",)),
    "expect_compound_columns_to_be_unique": (("column_list",), ("mostly",)),
    "expect_table_row_count_to_be_between": ((), ("min_value", "max_value", "strict_min", "strict_max")),
}
SUITE_KEYS = {"name", "meta", "expectations"}
SUITE_META_KEYS = {"table"}
EXPECTATION_KEYS = {"type", "kwargs", "meta"}
EXPECTATION_META_KEYS = {"code", "field", "notes"}
# The codes a failing rule may report: the catalogue's rule group, worded "{rule} ({detail})".
# Any other code would be filled in with values it does not have, or claim another kind of failure.
RULE_CODES = codes("rule")


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected a string"
    return None if len(value) <= MAX_TEXT else f"longer than {MAX_TEXT} characters"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool) or _number(value) or _text(value) is None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _fraction(value: Any) -> str | None:
    return None if _number(value) and 0 <= value <= 1 else "expected a number from 0 to 1"


def _bound(value: Any) -> str | None:
    if _number(value) or (isinstance(value, str) and _is_date(value)):
        return None
    return "expected a number or a date written YYYY-MM-DD"


def _is_date(text: str) -> bool:
    try:
        parse_date(text)
    except CellError:
        return False
    return True


def _value_set(value: Any) -> str | None:
    if isinstance(value, list) and len(value) <= MAX_ITEMS and all(_scalar(item) for item in value):
        return None
    return f"expected a list of at most {MAX_ITEMS} strings, numbers, booleans or nulls"


def _column(value: Any) -> str | None:
    return None if isinstance(value, str) and COLUMN_NAME.match(value) else "expected a column name"


def _column_list(value: Any) -> str | None:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_ITEMS:
        return f"expected a list of 1 to {MAX_ITEMS} column names"
    return next((reason for item in value if (reason := _column(item))), None)


# kwarg -> its check: None for an acceptable value, else why not. A kwarg means the same in every
# type that allows it.
KWARGS: dict[str, Callable[[Any], str | None]] = {
    "column": _column,
    "column_A": _column,
    "column_B": _column,
    "column_list": _column_list,
    "value_set": _value_set,
    "min_value": _bound,
    "max_value": _bound,
    "strict_min": _flag,
    "strict_max": _flag,
    "or_equal": _flag,
    "mostly": _fraction,
}


COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


def named_columns(kwargs: dict[str, Any]) -> tuple[str, ...]:
    """The columns an expectation's kwargs name, in order (any kwargs: released suites are not vetted)."""
    names = [kwargs.get(key) for key in COLUMN_KWARGS]
    listed = names.pop()
    names += listed if isinstance(listed, list) else []
    return tuple(name for name in names if isinstance(name, str))


def _unknown_keys(value: Any, allowed: set[str], where: str) -> list[tuple[str, str]]:
    """Each key of the object `value` outside `allowed`, located below `where`."""
    if not isinstance(value, dict):
        return [(where, "expected an object")]
    return [
        (f"{where}.{key}" if where else key, "key not in the allow-list (checks/allowlist.py)")
        for key in value
        if key not in allowed
    ]


def _meta_problems(meta: Any, allowed: set[str], where: str) -> list[tuple[str, str]]:
    found = _unknown_keys(meta, allowed, where)
    if isinstance(meta, dict):
        found += [(f"{where}.{key}", reason) for key, value in meta.items() if (reason := _text(value))]
    return found


def suite_problems(suite: Any, table: str, columns: set[str]) -> list[tuple[str, str]]:
    """(location, reason) for everything in `suite` outside the allow-list; none for a usable suite.

    `columns` are those the suite may name: the table's and its derived columns. A location is
    a path into the JSON, such as `expectations[2].kwargs.row_condition`, or "" for the whole.
    """
    if not isinstance(suite, dict):
        return [("", "expected an object with name, meta and expectations")]
    found = _unknown_keys(suite, SUITE_KEYS, "")
    if suite.get("name") != table:
        found.append(("name", f"expected {table!r}"))
    found += _meta_problems(suite.get("meta", {}), SUITE_META_KEYS, "meta")
    expectations = suite.get("expectations")
    if not isinstance(expectations, list):
        return [*found, ("expectations", "expected a list")]
    for index, expectation in enumerate(expectations):
        found += _expectation_problems(expectation, f"expectations[{index}]", table, columns)
    return found


def _expectation_problems(expectation: Any, where: str, table: str, columns: set[str]) -> list[tuple[str, str]]:
    found = _unknown_keys(expectation, EXPECTATION_KEYS, where)
    if not isinstance(expectation, dict):
        return found
    kind = expectation.get("type")
    if kind not in EXPECTATIONS:
        return [*found, (f"{where}.type", "not an allowed expectation type (see checks/allowlist.py)")]
    required, optional = EXPECTATIONS[kind]
    kwargs = expectation.get("kwargs", {})
    found += _unknown_keys(kwargs, {*required, *optional}, f"{where}.kwargs")
    if isinstance(kwargs, dict):
        found += [(f"{where}.kwargs.{key}", "missing") for key in required if key not in kwargs]
        checked = {key: reason for key, value in kwargs.items() if key in KWARGS and (reason := KWARGS[key](value))}
        found += [(f"{where}.kwargs.{key}", reason) for key, reason in checked.items()]
        found += [
            (f"{where}.kwargs.{key}", f"{name!r} is not a column of {table} or a derived column")
            for key in COLUMN_KWARGS
            if key in kwargs and key not in checked
            for name in named_columns({key: kwargs[key]})
            if name not in columns
        ]
    meta = expectation.get("meta", {})
    found += _meta_problems(meta, EXPECTATION_META_KEYS, f"{where}.meta")
    if isinstance(meta, dict):
        if isinstance(meta.get("code"), str) and meta["code"] not in RULE_CODES:
            found.append((f"{where}.meta.code", f"{meta['code']!r} is not a rule's code in the error catalogue"))
        if isinstance(meta.get("field"), str) and meta["field"] not in MODELS[table].model_fields:
            found.append((f"{where}.meta.field", f"{meta['field']!r} is not a column of {table}"))
    return found
