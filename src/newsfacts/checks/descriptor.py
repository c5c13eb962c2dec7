"""The descriptor, checked before anything reads the files it points to.

frictionless 5 follows symlinks out of the package, fetches `file://` and `http(s)://`
paths, and skips `sha1:` hashes silently, so every resource path and hash is vetted here first.
"""

from __future__ import annotations

import re
from typing import Any

from ..package import Layout
from ..paths import resource_path_problem
from ..problems import Problem, problem
from ..tables import read_json, unsafe_path_problem

PROFILES = ("https://datapackage.org/profiles/2.0/datapackage.json",)
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
