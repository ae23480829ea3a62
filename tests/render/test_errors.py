"""Errors of the render stage: what, where, how to fix."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from hi_reports.errors import MissingDependencyError, RenderError
from hi_reports.render import get_engine, render

from .sample import CHAPTERS, write_project


def test_missing_chapter_file_is_named(project: Path, tmp_path: Path) -> None:
    (project / "imd.qmd").unlink()
    with pytest.raises(RenderError, match=r"do not exist: imd\.qmd"):
        render(project, tmp_path / "out", formats=("html",), engine="builtin")


def test_missing_config(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"_quarto\.yml is missing"):
        render(tmp_path, tmp_path / "out", engine="builtin")


def test_unknown_format(project: Path, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"unknown output format.*'epub'.*html, pdf, docx"):
        render(project, tmp_path / "out", formats=("epub",), engine="builtin")  # type: ignore


def test_broken_typst_template(project: Path, tmp_path: Path) -> None:
    board = project / "typst" / "board.typ"
    board.write_text(board.read_text(encoding="utf-8") + "\n#let broken = (\n", encoding="utf-8")
    expected = r"typst failed on typst/board\.typ, line \d+ .*unclosed delimiter"
    with pytest.raises(RenderError, match=expected) as info:
        render(project, tmp_path / "out", formats=("pdf",), engine="builtin")
    assert "\n" not in info.value.message


def test_missing_typst_template(project: Path, tmp_path: Path) -> None:
    (project / "typst" / "board.typ").unlink()
    with pytest.raises(RenderError, match=r"board\.typ is missing") as info:
        render(project, tmp_path / "out", formats=("pdf",), engine="builtin")
    assert "templates/typst" in info.value.hint


def test_typst_error_names_the_chapter(tmp_path: Path) -> None:
    chapters = dict(CHAPTERS)
    chapters["imd.qmd"] += "\n```{=typst}\n#undefined-function()\n```\n"
    proj = write_project(tmp_path / "project", chapters)
    with pytest.raises(RenderError, match=r"typst failed on imd\.qmd .*unknown variable"):
        render(proj, tmp_path / "out", formats=("pdf",), engine="builtin")


def test_link_to_a_file_outside_the_book(tmp_path: Path) -> None:
    chapters = dict(CHAPTERS)
    chapters["intro.qmd"] += "\nSee [rurality](rural.qmd).\n"
    proj = write_project(tmp_path / "project", chapters)
    with pytest.raises(RenderError, match=r"intro\.qmd links to rural\.qmd.*not a chapter"):
        render(proj, tmp_path / "out", formats=("html",), engine="builtin")


def test_link_to_a_missing_anchor(tmp_path: Path) -> None:
    chapters = dict(CHAPTERS)
    chapters["intro.qmd"] += "\nSee [the gap](imd.qmd#sec-imd-gap).\n"
    proj = write_project(tmp_path / "project", chapters)
    with pytest.raises(RenderError, match=r"intro\.qmd links to #sec-imd-gap"):
        render(proj, tmp_path / "out", formats=("html",), engine="builtin")


def test_missing_image(project: Path, tmp_path: Path) -> None:
    (project / "figures" / "imd_deciles.png").unlink()
    with pytest.raises(RenderError, match=r"imd\.qmd shows image figures/imd_deciles\.png"):
        render(project, tmp_path / "out", formats=("html",), engine="builtin")


def test_missing_html_template(project: Path, tmp_path: Path) -> None:
    (project / "html" / "page.html.jinja").unlink()
    with pytest.raises(RenderError, match=r"page\.html\.jinja is missing"):
        render(project, tmp_path / "out", formats=("html",), engine="builtin")


def test_bad_yaml(project: Path, tmp_path: Path) -> None:
    (project / "_quarto.yml").write_text("book: [unclosed\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"not valid YAML"):
        render(project, tmp_path / "out", engine="builtin")


def test_no_chapters(project: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    config["book"]["chapters"] = []
    (project / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(RenderError, match=r"lists no chapters"):
        render(project, tmp_path / "out", engine="builtin")


def test_unknown_engine_lists_valid_ones() -> None:
    with pytest.raises(RenderError, match=r"unknown rendering engine 'latex'") as info:
        get_engine("latex")
    assert "builtin" in info.value.hint and "quarto" in info.value.hint


def test_quarto_not_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError) as info:
        get_engine("quarto")
    text = str(info.value)
    assert "builtin engine" in text
    assert 'pip install "hi-reports[quarto]"' in text
    assert "quarto.org" in text


def test_errors_pickle() -> None:
    err = RenderError("typst failed on imd.qmd", hint="check the chapter")
    back = pickle.loads(pickle.dumps(err))
    assert (back.message, back.hint) == (err.message, err.hint)
