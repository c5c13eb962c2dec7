from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsfacts.package import Layout

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_layout(name: str) -> Layout:
    return Layout(FIXTURES / name / "datapackage")


@pytest.fixture
def project_copy(tmp_path: Path) -> Layout:
    """A scratch copy of the real project files that `newsfacts build` reads and writes."""
    for name in ("datapackage", "seeds", "schema"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return Layout(tmp_path / "datapackage")


@pytest.fixture
def fixture_copy(tmp_path: Path) -> object:
    def copy(name: str) -> Layout:
        shutil.copytree(FIXTURES / name, tmp_path / name)
        return Layout(tmp_path / name / "datapackage")

    return copy
