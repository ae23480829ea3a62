"""The builtin engine's A4 board-paper PDF, read back with poppler (pdfinfo, pdftotext)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ..conftest import need_tool
from .sample import SUBTITLE, TITLE

pytestmark = pytest.mark.pdf


def _need(tool: str) -> None:
    need_tool(tool)


def _text(pdf: Path, *args: str) -> str:
    _need("pdftotext")
    cmd = ["pdftotext", *args, str(pdf), "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return proc.stdout


def _pages(pdf: Path) -> list[str]:
    return _text(pdf, "-layout").split("\f")


def test_pdf_is_a4(rendered) -> None:
    _need("pdfinfo")
    cmd = ["pdfinfo", str(rendered.pdf)]
    info = subprocess.run(cmd, capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert size, info.stdout
    assert float(size.group(1)) == pytest.approx(595.28, abs=0.1)
    assert float(size.group(2)) == pytest.approx(841.89, abs=0.1)
    assert re.search(r"Title:\s+" + TITLE, info.stdout)


def test_title_page(rendered) -> None:
    first = _pages(rendered.pdf)[0]
    assert TITLE in first
    assert SUBTITLE in first
    assert "NHS-R Community" in first
    assert "12 March 2025" in first
    assert "Page" not in first  # no footer on the title page


def test_contents_lists_chapters(rendered) -> None:
    contents = _pages(rendered.pdf)[1]
    assert "Contents" in contents
    for entry in ("Preface", "1 Introduction", "2 Deprivation", "2.2 Core20"):
        assert entry in contents
    assert "How to read this book" in contents
    assert "0.1" not in contents  # sections of the unnumbered preface are unnumbered


def test_body_text_tables_figures_and_page_numbers(rendered) -> None:
    text = _text(rendered.pdf)
    flat = " ".join(text.split())
    assert "2 Deprivation" in flat
    assert "unfair and avoidable differences in health across the population" in flat
    assert "312,400" in flat and "5 (least deprived)" in flat
    assert "Table 2.1: Residents of NHS Example ICB by national IMD quintile" in flat
    assert "Figure 2.1" in flat
    assert "Headline numbers" in flat  # callout title
    assert re.search(r"Page 2 of \d+", flat)
    assert "imd.qmd" not in flat


def test_running_header(rendered) -> None:
    pages = _pages(rendered.pdf)
    for page in pages[1:-1]:
        assert TITLE in page.strip().splitlines()[0]


def test_pdf_is_tagged_and_claims_pdf_ua(rendered) -> None:
    _need("pdfinfo")
    info = subprocess.run(
        ["pdfinfo", "-meta", str(rendered.pdf)], capture_output=True, text=True, check=True
    )
    assert "<pdfuaid:part>1</pdfuaid:part>" in info.stdout
    assert "<rdf:li>en-GB</rdf:li>" in info.stdout
    assert "NHS-R Community" in info.stdout


def test_image_without_alt_text_warns_and_still_renders(tmp_path: Path) -> None:
    from hi_reports.errors import HIReportsWarning
    from hi_reports.render import render

    from .sample import CHAPTERS, write_project

    chapters = dict(CHAPTERS)
    chapters["intro.qmd"] += "\n![](figures/imd_deciles.png)\n"
    proj = write_project(tmp_path / "project", chapters)
    with pytest.warns(HIReportsWarning, match=r"not accessible \(PDF/UA-1\) because of intro\.qmd"):
        result = render(proj, tmp_path / "out", formats=("pdf",), engine="builtin")
    assert result.pdf.is_file()


def test_one_pandoc_run_makes_the_html_and_the_typst_of_two_runs(
    project: Path, tmp_path: Path
) -> None:
    """With HTML and PDF, the HTML's pandoc run also writes the Typst body: it must be the body a
    ``--to typst`` run writes (callouts, images with alt text, chapter markers), and the HTML must
    be the HTML of a run without it."""
    from hi_reports.render._filter import write_filter
    from hi_reports.render._project import load_config
    from hi_reports.render.builtin import book_markdown, run_pandoc

    markdown = book_markdown(project, load_config(project))
    lua = write_filter(tmp_path)
    html_args = ["--number-sections", "--wrap=none", "--metadata", "lang=en-GB"]
    side = tmp_path / "body.typ"
    html = run_pandoc(
        markdown,
        "html5",
        cwd=project,
        filter_path=lua,
        what="HTML",
        args=[*html_args, "--metadata", f"hi-typst-output={side}"],
    )
    alone = run_pandoc(markdown, "html5", cwd=project, filter_path=lua, what="HTML", args=html_args)
    typst = run_pandoc(
        markdown, "typst", cwd=project, filter_path=lua, what="PDF", args=["--wrap=preserve"]
    )
    assert html == alone
    assert "hi-typst-output" not in html
    assert side.read_text(encoding="utf-8") == typst
    assert "#board-callout(" in typst and 'alt: "Bar chart of residents by IMD decile"' in typst
    assert "// hi-chapter: index.qmd" in typst and "<!-- hi-chapter: index.qmd -->" in html


def test_the_brief_names_every_file_of_the_full_edition_built_beside_it(project: Path) -> None:
    """The brief's closing line listed the PDF, the HTML book and Word, not the single HTML file
    built beside them."""
    from hi_reports.render import render
    from hi_reports.render._project import load_config
    from hi_reports.render.builtin import full_edition

    formats = ("pdf", "html", "html-single", "docx", "brief")
    line = full_edition(load_config(project), formats, "EX1")
    assert line.endswith(
        "beside this file: EX1.pdf, html/index.html, EX1.html, EX1.docx, annex.csv (every "
        "number, with its definition and source)."
    )
    result = render(project, project.parent / "out", formats=formats, engine="builtin")
    text = " ".join(_text(Path(result.outputs["brief"])).split())
    assert f"{Path(result.outputs['html-single']).name}," in text


def test_a_wide_tables_columns_hold_their_longest_word(tmp_path: Path) -> None:
    """Seven columns on A4: Typst's auto columns hyphenated "Eng-land" and "Birming-ham" in the
    header and broke "59.97%–" from "60.27%"; the filter sizes each column to its text."""
    from hi_reports.render import render

    from .sample import CHAPTERS, write_project

    table = (
        "\n| Indicator | Birmingham and Solihull | 95% limits | England | Against England "
        "| Black Country ICB | Similar acute trusts |\n|:--|--:|--:|--:|:--|--:|--:|\n"
        + "".join(
            f"| Core20 (most deprived 20%) {i} | 60.12% | [59.97%–60.27%]{{.hi-nowrap}} | 20.0% "
            "| ▲ higher | 49.0% | [43.6%–54.2%]{.hi-nowrap} |\n"
            for i in range(5)
        )
        + "\n: Headline indicators {#tbl-wide}\n"
    )
    chapters = {**CHAPTERS, "imd.qmd": CHAPTERS["imd.qmd"] + table}
    result = render(write_project(tmp_path / "p", chapters), tmp_path / "out", formats=("pdf",))
    text = _text(Path(result.pdf), "-layout")
    assert text.count("59.97%–60.27%") == 5 and text.count("43.6%–54.2%") == 5
    assert "Eng-" not in text and "Birming-" not in text and "Coun-" not in text
