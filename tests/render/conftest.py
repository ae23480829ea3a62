"""Fixtures of the render tests: a small, realistic edition project folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from .sample import write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh sample project folder."""
    return write_project(tmp_path / "project")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The sample project rendered once by the builtin engine, in all three formats."""
    from hi_reports.render import render

    base = tmp_path_factory.mktemp("rendered")
    proj = write_project(base / "project")
    result = render(proj, base / "out", formats=("html", "pdf", "docx"), engine="builtin")
    return result
