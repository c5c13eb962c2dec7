"""The descriptor, checked before anything reads the files it points to.

frictionless 5 follows symlinks out of the package, fetches `file://` and `http(s)://`
paths, and skips `sha1:` hashes silently, so every resource path and hash is vetted here first.

Then the descriptor must be the one `newsfacts build` writes: `load()`, the R loader and
frictionless read the tables as the descriptor says (which file, which types, which missing
values), while `validate` checks them as the models say. Requiring the two to be equal is what
makes a package that `validate` passes read the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Any

from ..models.metadata import DESCRIPTIVE_KEYS
from ..package import Layout, descriptive_problems
from ..paths import resource_path_problem
from ..problems import Problem, problem
from ..tables import read_json, unsafe_path_problem

PROFILES = ("https://datapackage.org/profiles/2.0/datapackage.json",)
# Values `validate` compares with the files themselves (`byte-count`, `hash-mismatch`), not with `build`.
FILE_FACTS = ("bytes", "hash")
MAX_DIFFERENCES = 20
# In a release, the words of a resource, its schema and its fields, and the project's namespaced keys
# (`newsfacts:labelField`), are as the release's toolkit wrote them: none changes a value a client reads.
RELEASE_PROSE_KEYS = frozenset({"title", "description"})
PROJECT_NAMESPACE = "newsfacts:"
SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")


def load_descriptor(layout: Layout) -> tuple[dict[str, Any] | None, list[Problem]]:
    descriptor, problems = read_json(layout.descriptor, layout.package_dir, layout.limits, "descriptor-invalid")
    if problems:
        return None, problems
    if not isinstance(descriptor, dict):
        return None, [problem("descriptor-invalid", layout.descriptor, 1, detail="the top level is not an object")]
    return descriptor, []


def _path_problem(layout: Layout, path: Any) -> str | None:
    """Why a resource path is unsafe, or None."""
    reason = resource_path_problem(path)
    if reason:
        return reason
    if unsafe_path_problem(layout.package_dir / path, layout.package_dir):
        return f"{path} resolves outside the package (a symlink?)"
    return None


def check_descriptor(layout: Layout) -> list[Problem]:
    descriptor, problems = load_descriptor(layout)
    if descriptor is None:
        return problems
    profile = descriptor.get("$schema")
    if profile not in PROFILES:
        problems.append(
            problem("unknown-profile", layout.descriptor, None, "$schema", detail=profile, expected=PROFILES[0])
        )
    problems += descriptive_problems(descriptor, layout.descriptor)
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        return [
            *problems,
            problem("descriptor-invalid", layout.descriptor, None, "resources", detail="resources must be a list"),
        ]
    for index, resource in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(resource, dict):
            problems.append(problem("descriptor-invalid", layout.descriptor, None, where, detail="not an object"))
            continue
        reason = _path_problem(layout, resource.get("path"))
        if reason:
            problems.append(problem("unsafe-path", layout.descriptor, None, f"{where}.path", detail=reason))
        for key in ("schema", "dialect"):
            if isinstance(resource.get(key), str):  # frictionless would fetch or read it
                problems.append(
                    problem("unsafe-path", layout.descriptor, None, f"{where}.{key}", detail=f"{key} must be inline")
                )
        hash_value = resource.get("hash")
        if hash_value is not None and not (isinstance(hash_value, str) and SHA256.match(hash_value)):
            problems.append(
                problem("unsupported-hash", layout.descriptor, None, f"{where}.hash", detail=repr(hash_value))
            )
    return problems


def build_problems(
    layout: Layout, descriptor: Any, expected: dict[str, Any], complete: bool, unchecked: AbstractSet[str] = frozenset()
) -> list[Problem]:
    """Where the descriptor differs from `expected`, what `build` writes for these files.

    `complete` says whether `expected` holds the package metadata (from metadata.toml). Where it
    does not (a package unpacked from a release), the descriptor may hold the descriptive keys of
    `DESCRIPTIVE_KEYS` as it likes, and nothing else: a key such as `profile` changes how clients
    read or fetch. The values of `bytes` and `hash` are compared with the files by the row
    checks; here they must be present. The `unchecked` keys may hold anything: `build` derives them
    from rows that are not valid yet. In a release, the words of the resources (`RELEASE_PROSE_KEYS`)
    and the project's own keys are not compared either: a later toolkit may word them otherwise.
    """
    differences = _differences(descriptor, expected, "", free=not complete)
    if isinstance(descriptor, dict):
        allowed = expected.keys() | (set() if complete else DESCRIPTIVE_KEYS) | unchecked
        differences += [(key, "not written by `newsfacts build`") for key in descriptor if key not in allowed]
    return [
        problem("descriptor-mismatch", layout.descriptor, None, where or None, detail=detail)
        for where, detail in differences[:MAX_DIFFERENCES]
    ]


def _differences(found: Any, expected: Any, where: str, free: bool = False) -> list[tuple[str, str]]:
    """Where FOUND differs from EXPECTED; with FREE (a release), not in the words of the resources."""
    if isinstance(expected, dict):
        if not isinstance(found, dict):
            return [(where, f"expected an object, found {_shown(found)}")]
        differences = []
        for key, value in expected.items():
            inner = f"{where}.{key}" if where else key
            if free and where.startswith("resources[") and _release_prose(key, value):
                continue
            if key not in found:
                differences.append((inner, f"missing; expected {_shown(value)}"))
            elif key in FILE_FACTS and where.startswith("resources["):
                continue
            else:
                differences += _differences(found[key], value, inner, free)
        # Any key under resources may change how a client reads the tables (`groupChar`, `trueValues`).
        if where.startswith("resources"):
            differences += [
                (f"{where}.{key}", "not written by `newsfacts build`")
                for key in found
                if key not in expected and not (free and _release_prose(key, found[key]))
            ]
        return differences
    if isinstance(expected, list):
        if not isinstance(found, list):
            return [(where, f"expected a list, found {_shown(found)}")]
        if len(found) != len(expected):
            return [(where, f"{len(found)} item(s), expected {len(expected)}")]
        return [
            d
            for index, (a, b) in enumerate(zip(found, expected, strict=True))
            for d in _differences(a, b, f"{where}[{index}]", free)
        ]
    # 1 == 1.0 == True in Python; JSON readers tell them apart.
    if type(found) is not type(expected) or found != expected:
        return [(where, f"found {_shown(found)}, expected {_shown(expected)}")]
    return []


def _release_prose(key: str, value: Any) -> bool:
    """Whether a resource's KEY is words or the project's own key, which a release may hold as it was written."""
    return (key in RELEASE_PROSE_KEYS and isinstance(value, str)) or key.startswith(PROJECT_NAMESPACE)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
