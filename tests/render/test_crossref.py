"""Quarto cross-references (``@fig-own``, ``@tbl-own``, ``@sec-own``) in the builtin engine: each
format words and numbers them as its own captions and headings are numbered, read back from the
HTML, the PDF (pdftotext) and the Word document (python-docx)."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from hi_reports.errors import RenderError
from hi_reports.render import render

from ..conftest import need_tool
from .sample import CHAPTERS, write_project

#: The intro (chapter 1) refers forward to the IMD chapter (chapter 2): its table and figure, a
#: section, the chapter, a number alone, a section of the unnumbered preface; an address and code
#: holding "@" are not references.
REFERENCES = (
    "\nAs @fig-imd-deciles shows [from @tbl-imd-quintiles], and [see @sec-imd-core20] of "
    "@sec-imd, with -@fig-imd-deciles alone; read @sec-read first. Write to "
    "england.data@nhs.net, or run `print('@fig-x')`.\n"
)
#: What each reference reads, in every format.
READS = (
    "As Figure 2.1 shows from Table 2.1, and see Section 2.2 of Chapter 2, with 2.1 alone; "
    "read How to read this book first. Write to england.data@nhs.net, or run print('@fig-x')."
)


def _chapters(**extra: str) -> dict[str, str]:
    chapters = dict(CHAPTERS)
    chapters["index.qmd"] = chapters["index.qmd"].replace(
        "## How to read this book", "## How to read this book {#sec-read}"
    )
    for name, text in extra.items():
        chapters[name] += text
    return chapters


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def referred(tmp_path_factory: pytest.TempPathFactory):
    """The sample book with the references, rendered in every format."""
    base = tmp_path_factory.mktemp("xref")
    project = write_project(base / "project", _chapters(**{"intro.qmd": REFERENCES}))
    formats = ("html", "pdf", "docx", "html-single")
    return render(project, base / "out", formats=formats, engine="builtin")


def test_html_links_each_reference_to_its_target_worded_as_its_caption(referred) -> None:
    html = Path(referred.outputs["html"]).parent
    intro = BeautifulSoup((html / "intro.html").read_text(encoding="utf-8"), "html.parser")
    paragraph = next(p for p in intro.find_all("p") if p.get_text().startswith("As "))
    assert _flat(paragraph.get_text()) == READS
    links = {a.get_text(): a["href"] for a in paragraph.find_all("a")}
    assert links == {
        "Figure 2.1": "imd.html#fig-imd-deciles",
        "Table 2.1": "imd.html#tbl-imd-quintiles",
        "Section 2.2": "imd.html#sec-imd-core20",
        "Chapter 2": "imd.html#sec-imd",
        "2.1": "imd.html#fig-imd-deciles",
        "How to read this book": "index.html#sec-read",
    }
    imd = BeautifulSoup((html / "imd.html").read_text(encoding="utf-8"), "html.parser")
    assert imd.select_one("#fig-imd-deciles .caption-label").get_text() == "Figure 2.1:"
    assert imd.select_one("#tbl-imd-quintiles .caption-label").get_text() == "Table 2.1:"
    assert imd.select_one("#sec-imd-core20 .header-section-number").get_text() == "2.2"
    assert not intro.select("[data-ref]")  # the engine's marks are gone


def test_html_single_links_within_the_page(referred) -> None:
    page = BeautifulSoup(
        Path(referred.outputs["html-single"]).read_text(encoding="utf-8"), "html.parser"
    )
    paragraph = next(p for p in page.find_all("p") if p.get_text().startswith("As "))
    assert _flat(paragraph.get_text()) == READS
    assert {a["href"] for a in paragraph.find_all("a")} >= {"#fig-imd-deciles", "#sec-imd"}


def test_pdf_numbers_each_reference_as_its_caption(referred) -> None:
    need_tool("pdftotext")
    text = subprocess.run(
        ["pdftotext", str(referred.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert READS in _flat(text)
    assert "Figure 2.1: Residents by national IMD decile" in _flat(text)
    assert "Table 2.1: Residents of NHS Example ICB" in _flat(text)


def test_word_numbers_each_reference_as_its_caption(referred) -> None:
    import docx

    document = docx.Document(str(referred.outputs["docx"]))
    paragraphs = [_flat(p.text) for p in document.paragraphs]
    assert READS in paragraphs
    assert any(p.startswith("Figure 2.1: ") for p in paragraphs)
    captions = [_flat(c.text) for t in document.tables for c in [t.cell(0, 0)]]
    assert any(p.startswith("Table 2.1: ") for p in paragraphs + captions)
    # each reference is a link to a bookmark that Word has
    xml = zipfile.ZipFile(referred.outputs["docx"]).read("word/document.xml").decode("utf-8")
    anchors = set(re.findall(r'w:anchor="([^"]+)"', xml))
    assert {"fig-imd-deciles", "tbl-imd-quintiles", "sec-imd-core20", "sec-read"} <= anchors
    assert anchors <= set(re.findall(r'w:bookmarkStart[^>]*w:name="([^"]+)"', xml))


@pytest.mark.parametrize("formats", [("html",), ("pdf",), ("docx",)])
def test_a_reference_to_a_label_nothing_carries_names_the_chapter(
    tmp_path: Path, formats: tuple[str, ...]
) -> None:
    """The chapter's error, not pandoc's: the chapter, the label, the nearest label of its kind
    (a section's is nearer, but is not a figure's), and nothing written."""
    project = write_project(
        tmp_path / "project",
        _chapters(**{"imd.qmd": "\nAs @fig-imd-decile shows, and @tbl-nowhere.\n"}),
    )
    with pytest.raises(RenderError) as info:
        render(project, tmp_path / "out", formats=formats, engine="builtin")
    assert info.value.message == (
        "chapter imd.qmd refers to @fig-imd-decile, but no figure of the book has the label "
        "fig-imd-decile: did you mean @fig-imd-deciles?"
    )
    assert "#| label: fig-own" in (info.value.hint or "")
    assert not any((tmp_path / "out").glob("*.*"))

    project = write_project(
        tmp_path / "other", _chapters(**{"imd.qmd": "\nAs @tbl-nowhere shows.\n"})
    )
    with pytest.raises(RenderError) as info:
        render(project, tmp_path / "out2", formats=formats, engine="builtin")
    assert info.value.message == (
        "chapter imd.qmd refers to @tbl-nowhere, but no table of the book has the label tbl-nowhere"
    )


def test_the_brief_words_a_reference_to_what_it_leaves_out(tmp_path: Path) -> None:
    """The brief is the first chapter alone: a reference to its own section links, one to another
    chapter's figure says where that is."""
    need_tool("pdftotext")
    project = write_project(
        tmp_path / "project",
        _chapters(**{"index.qmd": "\nSee @fig-imd-deciles, after @sec-read.\n"}),
    )
    result = render(project, tmp_path / "out", formats=("brief",), engine="builtin")
    brief = Path(result.outputs["brief"])
    text = subprocess.run(
        ["pdftotext", str(brief), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "See a figure of the full edition, after How to read this book." in _flat(text)
