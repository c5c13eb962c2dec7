"""What was released stays visible: a released seed keeps its bytes, a released rule its strength.

`releases/<version>/` records each release: its `data/articles.csv` lists every seed with its
sha256, and its `expectations/` holds the suites it was checked with (recorded since 1.0.0).
A change to either is a problem until `releases/ACKNOWLEDGED.toml` lists it with a reason;
an acknowledgement that matches no change is stale. A release zip has no `releases/` folder,
so a downloaded package skips these checks.

A released rule is one expectation of a released suite. Its *identity* is its type and its
kwargs other than the bounds in `BOUNDS`. It is *removed* when no expectation of the current
suite has its identity, and *weakened* when every one that has it admits more: a lower `mostly`
(absent is 1), a lower `min_value` or a higher `max_value` (absent is no bound; a bound of
another type counts as lower or higher), `strict_min`/`strict_max` no longer true, `or_equal`
now true, or a `value_set` with a value the released one lacked.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from ..engine import parse_table
from ..package import Layout, TypedTable
from ..paths import resource_path_problem
from ..problems import Problem, codes, problem
from ..tables import LINE, parse_toml, read_bytes, read_json, read_text
from . import FILE_CODES, check
from .allowlist import named_columns

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
ACKNOWLEDGED = "ACKNOWLEDGED.toml"
BOUNDS = {"mostly", "value_set", "min_value", "max_value", "strict_min", "strict_max", "or_equal"}
# Entry kind -> its keys and their types. The keys but `reason`, in this order, name the change.
ACKNOWLEDGEMENT_KEYS: dict[str, dict[str, type]] = {
    "rule": {"release": str, "suite": str, "expectation": int, "reason": str},
    "seed": {"seed": str, "sha256": str, "reason": str},
}

Key = tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """A departure from a release: the key an acknowledgement names, and the problem without one."""

    key: Key
    problem: Problem


def recorded_versions(layout: Layout) -> list[str]:
    """Released versions, oldest first."""
    folder = layout.releases_dir
    names = [p.name for p in folder.iterdir() if p.is_dir() and VERSION.match(p.name)] if folder.is_dir() else []
    return sorted(names, key=lambda name: tuple(int(part) for part in name.split(".")))


@check("releases", "tables", FILE_CODES | codes("released"))
def check_releases(layout: Layout, tables: dict[str, TypedTable]) -> list[Problem]:
    """Every unacknowledged change to a released seed or rule, and every stale acknowledgement."""
    if not layout.releases_dir.is_dir():
        return []
    acknowledged, problems = read_acknowledgements(layout)
    hashes: dict[str, str] = {}
    changes: list[Change] = []
    for version in recorded_versions(layout):
        for found, found_problems in (seed_changes(layout, version, hashes), rule_changes(layout, version)):
            changes += found
            problems += found_problems
    keys = {change.key for change in changes}
    problems += [change.problem for change in changes if change.key not in acknowledged]
    path = layout.releases_dir / ACKNOWLEDGED
    problems += [
        problem("acknowledgement-stale", path, None, where, detail=_shown_key(key))
        for key, where in acknowledged.items()
        if key not in keys
    ]
    return problems


def read_acknowledgements(layout: Layout) -> tuple[dict[Key, str], list[Problem]]:
    """Each acknowledged change's key, with where its entry is (e.g. `rule[0]`)."""
    path = layout.releases_dir / ACKNOWLEDGED
    if not path.is_file():
        return {}, []
    text, problems = read_text(path, layout.releases_dir, layout.limits)
    if text is None:
        return {}, problems
    try:
        entries = parse_toml(text)
    except ValueError as error:
        return {}, [problem("acknowledgement-invalid", path, detail=str(error))]
    acknowledged: dict[Key, str] = {}
    for kind, items in entries.items():
        keys = ACKNOWLEDGEMENT_KEYS.get(kind)
        if keys is None or not isinstance(items, list):
            problems.append(
                problem(
                    "acknowledgement-invalid",
                    path,
                    None,
                    kind,
                    detail=f"expected [[{'/'.join(ACKNOWLEDGEMENT_KEYS)}]] tables",
                )
            )
            continue
        for index, entry in enumerate(items):
            where = f"{kind}[{index}]"
            wrong = _entry_problem(entry, keys)
            if wrong:
                problems.append(problem("acknowledgement-invalid", path, None, where, detail=wrong))
            else:
                acknowledged[(kind, *(str(entry[key]) for key in keys if key != "reason"))] = where
    return acknowledged, problems


def _shown_key(key: Key) -> str:
    """A key as the entry that names it, e.g. `[[seed]] seed = seeds/001_a.txt, sha256 = 9f…`."""
    kind, *values = key
    names = [name for name in ACKNOWLEDGEMENT_KEYS[kind] if name != "reason"]
    return f"[[{kind}]] " + ", ".join(f"{name} = {value}" for name, value in zip(names, values, strict=True))


def _entry_problem(entry: Any, keys: dict[str, type]) -> str | None:
    expected = ", ".join(f"{key} ({kind.__name__})" for key, kind in keys.items())
    if not isinstance(entry, dict) or set(entry) != set(keys):
        return f"expected exactly the keys {expected}"
    if any(type(entry[key]) is not kind for key, kind in keys.items()) or not entry["reason"].strip():
        return f"expected {expected}, and a reason that is not empty"
    return None


def seed_changes(layout: Layout, version: str, hashes: dict[str, str]) -> tuple[list[Change], list[Problem]]:
    """Seeds of VERSION whose bytes differ from the sha256 it recorded; `hashes` caches each seed's."""
    import polars as pl

    path = layout.releases_dir / version / "data" / "articles.csv"
    raw, problems = read_bytes(path, layout.releases_dir, layout.limits)
    # The record's own header: a release's articles may have had other columns than the model's today.
    header = raw.partition(b"\n")[0].decode("utf-8", errors="replace").split(",") if raw is not None else []
    rows, problems = parse_table(raw, path, header) if raw is not None else (None, problems)
    if rows is None:
        return [], [problem("release-record-invalid", path, p.line, detail=f"{p.code}: {p.message}") for p in problems]
    if not {"seed_file", "sha256"} <= set(header):
        return [], [problem("release-record-invalid", path, 1, detail="expected the columns seed_file and sha256")]
    changes: list[Change] = []
    for row in rows.select(pl.col("seed_file", "sha256").fill_null(""), pl.col(LINE)).to_dicts():
        line = row[LINE]
        seed, recorded = row["seed_file"], row["sha256"]
        unsafe = resource_path_problem(seed) or (None if seed.startswith("seeds/") else f"{seed} is not in seeds/")
        if unsafe:
            problems.append(problem("release-record-invalid", path, line, "seed_file", detail=unsafe))
        else:
            if seed not in hashes:
                hashes[seed] = _sha256(layout, seed)
            if hashes[seed] != recorded:
                changes.append(
                    Change(
                        ("seed", seed, hashes[seed]),
                        problem(
                            "released-seed-changed",
                            path,
                            line,
                            "sha256",
                            seed=seed,
                            version=version,
                            expected=recorded,
                            actual=hashes[seed],
                        ),
                    )
                )
    return changes, problems


def _sha256(layout: Layout, seed: str) -> str:
    """The seed's sha256 now, or `missing` when it cannot be read from seeds/."""
    path = layout.seed(seed)
    raw, _ = read_bytes(path, layout.seeds_dir, layout.limits)
    return "missing" if raw is None else hashlib.sha256(raw).hexdigest()


def rule_changes(layout: Layout, version: str) -> tuple[list[Change], list[Problem]]:
    """Rules of VERSION's suites that the current suites removed or weakened."""
    folder = layout.releases_dir / version / "expectations"
    changes: list[Change] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        table = path.stem
        released, read_problems = read_json(path, layout.releases_dir, layout.limits, "release-record-invalid")
        released_rules = _rules(released)
        if read_problems or released_rules is None:
            problems += read_problems or [problem("release-record-invalid", path, detail="expected a suite")]
            continue
        current_rules = _current_rules(layout, table)
        if current_rules is None:
            continue
        for index, rule in enumerate(released_rules):
            where = f"expectations[{index}]"
            if _identity(rule) is None:
                problems.append(problem("release-record-invalid", path, None, where, detail="expected an expectation"))
                continue
            compared = _compared(rule, current_rules)
            if compared is not None:
                code, details = compared
                values = {"version": version, "table": table, "index": index, "rule": _described(rule)}
                found = problem(code, path, None, where, detail="; ".join(details), **values)
                changes.append(Change(("rule", version, table, str(index)), found))
    return changes, problems


def _current_rules(layout: Layout, table: str) -> list[Any] | None:
    """The current suite's expectations (none without a suite), or None when it cannot be read.

    An unreadable suite is reported as `suite-invalid` already; its rules are compared once it reads.
    """
    path = layout.expectations(table)
    if not path.is_file():
        return []
    current, problems = read_json(path, layout.package_dir, layout.limits, "suite-invalid")
    return None if problems else _rules(current)


def _compared(rule: dict[str, Any], current_rules: list[Any]) -> tuple[str, list[str]] | None:
    """(code, how it is weaker) when the current rules removed or weakened the released `rule`."""
    same = [other for other in current_rules if _identity(other) == _identity(rule)]
    if not same:
        return "released-rule-removed", []
    weaker = [_weakenings(rule.get("kwargs", {}), other.get("kwargs", {})) for other in same]
    return ("released-rule-weakened", weaker[0]) if all(weaker) else None


def _rules(suite: Any) -> list[Any] | None:
    expectations = suite.get("expectations") if isinstance(suite, dict) else None
    return expectations if isinstance(expectations, list) else None


def _identity(rule: Any) -> str | None:
    """The rule's type and its kwargs but the bounds, as canonical JSON; None for a malformed rule."""
    if not isinstance(rule, dict) or not isinstance(rule.get("kwargs", {}), dict):
        return None
    kwargs = {key: value for key, value in rule.get("kwargs", {}).items() if key not in BOUNDS}
    return json.dumps([rule.get("type"), kwargs], sort_keys=True)


def _described(rule: dict[str, Any]) -> str:
    columns = named_columns(rule.get("kwargs", {}))
    return f"{rule.get('type')}" + (f" on {', '.join(columns)}" if columns else "")


def _weakenings(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """How the kwargs `new` admit more than `old`, in words; empty when they admit no more."""
    found = []
    for key, default, looser in (("mostly", 1, -1), ("min_value", None, -1), ("max_value", None, 1)):
        if _loosened(old.get(key, default), new.get(key, default), looser):
            found.append(f"{key} {_shown(old.get(key, default))} -> {_shown(new.get(key, default))}")
    found += [
        f"{key} no longer true"
        for key in ("strict_min", "strict_max")
        if old.get(key) is True and new.get(key) is not True
    ]
    if new.get("or_equal") is True and old.get("or_equal") is not True:
        found.append("or_equal now true")
    old_set, new_set = old.get("value_set"), new.get("value_set")
    if isinstance(old_set, list) and isinstance(new_set, list):
        added = [value for value in new_set if value not in old_set]
        if added:
            found.append(f"value_set adds {_shown(added)}")
    elif old_set != new_set and old_set is not None:
        found.append(f"value_set {_shown(old_set)} -> {_shown(new_set)}")
    return found


def _loosened(old: Any, new: Any, looser: int) -> bool:
    """Whether bound `new` admits more than `old`: lower when `looser` is -1, higher when 1."""
    if old is None or old == new:
        return False
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    if not numbers and not all(isinstance(v, str) for v in (old, new)):
        return True  # no bound, or bounds that do not compare: nothing says the rule is as strict
    return bool(new < old) if looser < 0 else bool(new > old)


def _shown(value: Any) -> str:
    return "none" if value is None else json.dumps(value, ensure_ascii=False)
