"""The contributor-facing CI configuration runs the commands it promises, from the lock."""

from __future__ import annotations

import yaml

from .conftest import ROOT


def test_validate_workflow_installs_from_lock_and_runs_every_gate() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    commands = "\n".join(step.get("run", "") for step in workflow["jobs"]["validate"]["steps"])
    for expected in (
        "pip install -r requirements.lock",
        "newsfacts build --check",
        "newsfacts validate --format github",
        ".venv/bin/pytest",
    ):
        assert expected in commands


def test_pre_commit_runs_validate_on_package_files() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["newsfacts-validate"]["entry"].endswith("newsfacts validate")
    assert "datapackage/" in hooks["newsfacts-validate"]["files"]
