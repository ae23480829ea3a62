"""The builtin engine's HTML book: pages, navigation, links, figures."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from hi_reports.render import render

from .sample import CHAPTERS, TITLE, write_project

PAGES = ["index.html", "intro.html", "imd.html"]


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def html_dir(rendered) -> Path:
    return rendered.html_index.parent


def test_one_page_per_chapter(html_dir: Path, rendered) -> None:
    assert rendered.html_index == html_dir / "index.html"
    assert sorted(p.name for p in html_dir.glob("*.html")) == sorted(PAGES)
    assert (html_dir / "style.css").is_file()
    assert (html_dir / "figures" / "imd_deciles.png").is_file()


@pytest.mark.parametrize("name", PAGES)
def test_page_has_book_chrome(html_dir: Path, name: str) -> None:
    soup = _soup(html_dir / name)
    assert soup.html["lang"] == "en-GB"
    assert TITLE in soup.title.get_text()
    assert soup.find(class_="book-title").get_text(strip=True) == TITLE
    nav = soup.find("nav", class_="book-nav")
    assert [a["href"] for a in nav.find_all("a")] == PAGES
    current = nav.find_all("a", attrs={"aria-current": "page"})
    assert [a["href"] for a in current] == [name]
    assert soup.find("link", rel="stylesheet")["href"] == "style.css"
    assert len(soup.find_all("h1")) == 1


def test_chapter_titles_and_numbers(html_dir: Path) -> None:
    assert _soup(html_dir / "index.html").h1.get_text(" ", strip=True) == "Preface"
    assert _soup(html_dir / "intro.html").h1.get_text(" ", strip=True) == "1 Introduction"
    assert _soup(html_dir / "imd.html").h1.get_text(" ", strip=True) == "2 Deprivation"


def test_previous_and_next_links(html_dir: Path) -> None:
    for i, name in enumerate(PAGES):
        pager = _soup(html_dir / name).find("nav", class_="pager")
        prev = pager.find("a", rel="prev")
        nxt = pager.find("a", rel="next")
        assert (prev["href"] if prev else None) == (PAGES[i - 1] if i > 0 else None)
        assert (nxt["href"] if nxt else None) == (PAGES[i + 1] if i + 1 < len(PAGES) else None)


def test_page_table_of_contents(html_dir: Path) -> None:
    toc = _soup(html_dir / "imd.html").find("nav", class_="page-toc")
    assert [a["href"] for a in toc.find_all("a")] == ["#sec-imd-quintiles", "#sec-imd-core20"]


def test_every_local_link_resolves(html_dir: Path) -> None:
    ids = {name: {t["id"] for t in _soup(html_dir / name).find_all(id=True)} for name in PAGES}
    checked = 0
    for name in PAGES:
        soup = _soup(html_dir / name)
        refs = [a["href"] for a in soup.find_all("a", href=True)]
        refs += [t["href"] for t in soup.find_all("link", href=True)]
        refs += [t["src"] for t in soup.find_all("img", src=True)]
        for ref in refs:
            parts = urlsplit(ref)
            if parts.scheme:
                continue
            assert not parts.path.endswith(".qmd"), f"{name}: {ref} still points at a .qmd file"
            target = name if not parts.path else unquote(parts.path)
            assert (html_dir / target).is_file(), f"{name}: {ref} does not resolve"
            if parts.fragment:
                assert parts.fragment in ids[target], f"{name}: anchor of {ref} does not exist"
            checked += 1
    assert checked > 20


def test_cross_chapter_links_rewritten(html_dir: Path) -> None:
    intro = _soup(html_dir / "intro.html")
    assert intro.find("a", string="the Core20 section")["href"] == "imd.html#sec-imd-core20"
    index = _soup(html_dir / "index.html")
    assert index.find("a", string="deprivation chapter")["href"] == "imd.html#sec-imd"


def test_figure_table_and_callouts(html_dir: Path) -> None:
    imd = _soup(html_dir / "imd.html")
    figure = imd.find("figure", id="fig-imd-deciles")
    assert figure.img["src"] == "figures/imd_deciles.png"
    assert figure.img["alt"].startswith("Bar chart of residents")
    caption = figure.figcaption.get_text(" ", strip=True)
    assert caption == "Figure 2.1: Residents by national IMD decile"
    table = imd.find("table", id="tbl-imd-quintiles")
    assert "312,400" in table.get_text()
    assert table.caption.get_text(" ", strip=True).startswith("Table 2.1: Residents of NHS")
    note = _soup(html_dir / "intro.html").find(class_="callout-note")
    assert note["role"] == "note"
    assert note.find(class_="callout-title").get_text(strip=True) == "Note"
    important = _soup(html_dir / "index.html").find(class_="callout-important")
    assert important.find(class_="callout-title").get_text(strip=True) == "Headline numbers"
    assert important.find("h2") is None  # the callout's title is not a section heading


def test_chapter_text_present(html_dir: Path) -> None:
    text = _soup(html_dir / "intro.html").get_text(" ", strip=True)
    assert "unfair and avoidable differences in health" in text
    assert "imd.qmd" not in (html_dir / "index.html").read_text(encoding="utf-8")
    assert set(CHAPTERS) == {"index.qmd", "intro.qmd", "imd.qmd"}


def test_sections_of_an_unnumbered_chapter_are_unnumbered(html_dir: Path) -> None:
    h2 = _soup(html_dir / "index.html").find("article").find("h2")
    assert h2.get_text(strip=True) == "How to read this book"


# ---- Issue 16: the organisation in every title, links to other outputs, narrow screens, one file

ORG = "NHS Example Integrated Care Board"
CSS_RULE = re.compile(r"\.hi-book \.table-wrap \{[^}]*overflow-x: auto")


@pytest.fixture(scope="module")
def edition_out(tmp_path_factory: pytest.TempPathFactory):
    """The sample project rendered as an edition is: the organisation in its subtitle, the annex
    and the notebook already in the output folder (the build writes them before rendering), the
    HTML pages and the single HTML file (no PDF, no Word)."""
    from hi_reports.render import render

    base = tmp_path_factory.mktemp("edition")
    project = write_project(base / "project")
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    config["book"]["subtitle"] = f"{ORG}: local edition"
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    out = base / "EX1"
    out.mkdir()
    (out / "annex.csv").write_text(
        "organisation,key,value\nEX1,imd.core20.share,0.234\n", encoding="utf-8"
    )
    (out / "reproduce.ipynb").write_text('{"cells": []}', encoding="utf-8")
    return render(project, out, formats=("html", "html-single"), engine="builtin", basename="EX1")


def _downloads(soup: BeautifulSoup) -> list[str]:
    nav = soup.find("nav", class_="book-downloads")
    return [] if nav is None else [a["href"] for a in nav.find_all("a")]


def test_every_title_names_the_organisation(edition_out) -> None:
    html = edition_out.html_index.parent
    titles = {name: _soup(html / name).title.get_text() for name in PAGES}
    assert titles == {
        "index.html": f"Preface · {ORG} · {TITLE}",
        "intro.html": f"1 Introduction · {ORG} · {TITLE}",
        "imd.html": f"2 Deprivation · {ORG} · {TITLE}",
    }
    assert _soup(edition_out.html_single).title.get_text() == f"{ORG} · {TITLE}"


def test_every_page_links_the_outputs_of_its_edition(edition_out, rendered, tmp_path: Path) -> None:
    """The annex and the notebook where the build wrote them, the PDF, Word and single file only
    where they were asked for; relative links, which still resolve in a copy of the folder."""
    html = edition_out.html_index.parent
    for name in PAGES:
        assert _downloads(_soup(html / name)) == [
            "../EX1.html",
            "../annex.csv",
            "../reproduce.ipynb",
        ], name
    copy = tmp_path / "copied" / "EX1"
    shutil.copytree(html.parent, copy)
    for href in _downloads(_soup(copy / "html" / "imd.html")):
        assert (copy / "html" / href).resolve().parent == copy.resolve() and (
            copy / "html" / href
        ).is_file()
    # the sample rendered with PDF and Word but no annex or notebook beside it
    other = rendered.html_index.parent
    assert _downloads(_soup(other / "intro.html")) == ["../edition.pdf", "../edition.docx"]
    # the single file travels alone: it links to no other file
    assert _downloads(_soup(edition_out.html_single)) == []


def test_tables_scroll_in_a_labelled_focusable_box(edition_out) -> None:
    imd = _soup(edition_out.html_index.parent / "imd.html")
    tables = imd.find_all("table")
    assert tables
    for table in tables:
        box = table.parent
        assert box.name == "div" and box["class"] == ["table-wrap"], box.name
        assert box["role"] == "region" and box["tabindex"] == "0"
        label = imd.find(id=box["aria-labelledby"])
        assert label is table.caption
        assert label.get_text(" ", strip=True).startswith("Table 2.1: Residents of NHS")
    css = (edition_out.html_index.parent / "style.css").read_text(encoding="utf-8")
    assert CSS_RULE.search(css), "the table box does not scroll sideways"


def test_charts_link_to_their_full_size_image(edition_out) -> None:
    html = edition_out.html_index.parent
    figure = _soup(html / "imd.html").find("figure", id="fig-imd-deciles")
    link = figure.find("a", class_="figure-full")
    assert link["href"] == "figures/imd_deciles.png" and link.img["src"] == link["href"]
    assert (html / link["href"]).is_file() and link.img["alt"]


def test_single_file_has_the_pages_content_and_needs_no_other_file(edition_out) -> None:
    html = edition_out.html_index.parent
    single_path = edition_out.html_single
    assert single_path == html.parent / "EX1.html"
    single = _soup(single_path)
    assert single.find("link", rel="stylesheet") is None
    assert CSS_RULE.search(single.style.get_text())
    # every chapter's content, in order, as on its own page
    sections = single.find_all("section", class_="book-chapter")
    assert len(sections) == len(PAGES)
    for name, section in zip(PAGES, sections, strict=True):
        page = _soup(html / name).find("article", class_="chapter")
        for a in page.find_all(
            "a", class_="figure-full"
        ):  # the pages' image links, the file's inline images
            a.unwrap()
        assert section.get_text(" ", strip=True) == page.get_text(" ", strip=True), name
    # images inside the file, as the project has them
    images = single.find_all("img")
    assert images
    png = (html / "figures" / "imd_deciles.png").read_bytes()
    for img in images:
        head, _, data = img["src"].partition(",")
        assert head == "data:image/png;base64" and base64.b64decode(data) == png
    # links: to anchors of the file itself, or to the web
    ids = {tag["id"] for tag in single.find_all(id=True)}
    hrefs = [a["href"] for a in single.find_all("a", href=True)]
    assert "#sec-imd-core20" in hrefs and "#sec-intro" in hrefs
    for href in hrefs:
        parts = urlsplit(href)
        assert parts.scheme or (not parts.path and parts.fragment in ids), href
    nav = single.find("nav", class_="book-nav")
    assert [a["href"] for a in nav.find_all("a")] == ["#preface", "#sec-intro", "#sec-imd"]


def test_html_single_alone(project: Path, tmp_path: Path) -> None:
    from hi_reports.cli.main import _formats
    from hi_reports.render import render

    assert _formats("html,html-single") == ("html", "html-single")
    result = render(
        project, tmp_path / "out", formats=("html-single",), engine="builtin", basename="EX1"
    )
    assert result.outputs == {"html-single": tmp_path / "out" / "EX1.html"}
    assert not (tmp_path / "out" / "html").exists()
    text = result.html_single.read_text(encoding="utf-8")
    assert "unfair and avoidable differences in health" in text and "data:image/png;base64," in text


def test_quarto_engine_makes_the_single_file_as_the_builtin_does(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quarto has no single-file book: the quarto engine's html-single is pandoc's, without
    Quarto."""
    from hi_reports.render import render

    which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name, *a, **k: "/nowhere/quarto" if name == "quarto" else which(name, *a, **k),
    )
    result = render(
        project, tmp_path / "out", formats=("html-single",), engine="quarto", basename="EX1"
    )
    assert result.engine == "quarto" and result.html_single == tmp_path / "out" / "EX1.html"
    single = _soup(result.html_single)
    assert len(single.find_all("section", class_="book-chapter")) == len(PAGES)


def test_single_file_refuses_a_template_that_links_its_stylesheet(
    project: Path, tmp_path: Path
) -> None:
    """A project's page template from before html-single links style.css: the file would not
    stand alone."""
    from hi_reports.errors import RenderError
    from hi_reports.render import render

    (project / "html" / "page.html.jinja").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="style.css"></head>'
        "<body>{{ body }}</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(RenderError, match="does not put the stylesheet inside the page"):
        render(
            project, tmp_path / "out", formats=("html-single",), engine="builtin", basename="EX1"
        )


def test_the_contents_letter_an_appendix_as_its_page_does(tmp_path: Path) -> None:
    """The sidebar gave chapters their numbers and the appendix none, where its page and the PDF
    say "A Methods"."""
    chapters = {**CHAPTERS, "methods.qmd": "# Methods {#sec-methods}\n\n## Sources\n\nText.\n"}
    project = write_project(tmp_path / "project", chapters)
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    config["book"]["chapters"].remove("methods.qmd")
    config["book"]["appendices"] = ["methods.qmd"]
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = render(project, tmp_path / "out", formats=("html",), engine="builtin")
    html = result.html_index.parent
    contents = [
        a.get_text(" ", strip=True)
        for a in _soup(html / "intro.html").select("nav .chapter-list li a")
    ]
    assert contents == ["Preface", "1 Introduction", "2 Deprivation", "A Methods"]
    assert _soup(html / "methods.html").title.get_text().startswith("A Methods")
