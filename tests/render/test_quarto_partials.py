"""Quarto's Typst template partials (typst/typst-template.typ, typst/typst-show.typ).

Quarto is not installed here, so this reproduces what it does with them: its ``template.typ``
includes the two partials as pandoc template partials around the body, and Typst compiles the result
with the project folder as root. The stand-in template below has the same shape as Quarto's
(definitions, typst-template, typst-show, body), with pandoc's own definitions.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypandoc
import typst
import yaml

from ..conftest import need_tool
from .sample import SUBTITLE, TITLE

QUARTO_LIKE_TEMPLATE = """\
#let horizontalrule = line(start: (25%,0%), end: (75%,0%))

$typst-template.typ()$

$typst-show.typ()$

$body$
"""


def test_partials_apply_the_board_template(project: Path, tmp_path: Path) -> None:
    templates = tmp_path / "quarto-template"
    templates.mkdir()
    (templates / "template.typ").write_text(QUARTO_LIKE_TEMPLATE, encoding="utf-8")
    for name in ("typst-template.typ", "typst-show.typ"):
        shutil.copy(project / "typst" / name, templates / name)
    meta = {
        "title": TITLE,
        "subtitle": SUBTITLE,
        "by-author": [{"name": {"literal": "NHS-R Community"}}],
        "date": "12 March 2025",
        "lang": "en-GB",
        "papersize": "a4",
        "section-numbering": "1.1",
        "toc": True,
        "toc-depth": 2,
    }
    (tmp_path / "meta.yml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    body = (project / "intro.qmd").read_text(encoding="utf-8")
    proc = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--from",
            "markdown",
            "--to",
            "typst",
            "--standalone",
            "--template",
            str(templates / "template.typ"),
            "--metadata-file",
            str(tmp_path / "meta.yml"),
        ],
        input=body,
        capture_output=True,
        text=True,
        check=True,
    )
    source = proc.stdout
    assert '#import "/typst/board.typ": board' in source
    assert "#show: doc => board(" in source
    pdf = tmp_path / "quarto.pdf"
    typst.compile(source.encode(), output=str(pdf), root=str(project), ignore_system_fonts=True)
    out = subprocess.run(
        [need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(out.split())
    assert TITLE in text and SUBTITLE in text and "NHS-R Community" in text
    assert "Contents" in text and "1 Introduction" in text


def test_the_show_partial_passes_the_front_matter(project: Path, tmp_path: Path) -> None:
    """Stock Quarto passes a top-level ``front:`` mapping to the partial as ``front.*`` metadata:
    the classification heads every page and the other particulars are on the cover."""
    templates = tmp_path / "quarto-template"
    templates.mkdir()
    (templates / "template.typ").write_text(QUARTO_LIKE_TEMPLATE, encoding="utf-8")
    for name in ("typst-template.typ", "typst-show.typ"):
        shutil.copy(project / "typst" / name, templates / name)
    front = {
        "classification": "OFFICIAL",
        "version": "3",
        "author": "The analysts",
        "contact": "team@example.nhs.uk",
        "purpose": "For decision",
    }
    meta = {
        "title": TITLE,
        "subtitle": SUBTITLE,
        "lang": "en-GB",
        "toc": True,
        "front": front,
        "by-author": [{"name": {"literal": "NHS-R Community"}}],
    }
    (tmp_path / "meta.yml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    body = (project / "intro.qmd").read_text(encoding="utf-8")
    source = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "--from",
            "markdown",
            "--to",
            "typst",
            "--standalone",
            "--template",
            str(templates / "template.typ"),
            "--metadata-file",
            str(tmp_path / "meta.yml"),
        ],
        input=body,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pdf = tmp_path / "quarto.pdf"
    typst.compile(source.encode(), output=str(pdf), root=str(project), ignore_system_fonts=True)
    out = subprocess.run(
        [need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in out.split("\f")[:-1]]
    assert len(pages) >= 3 and all("OFFICIAL" in page for page in pages)
    for key in ("version", "author", "contact", "purpose"):
        assert front[key] in pages[0], key
    assert "NHS-R Community" not in pages[0]  # the front matter's author is the paper's
