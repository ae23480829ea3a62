"""The builtin engine's HTML book: pages, navigation, links, figures."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from .sample import CHAPTERS, TITLE

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
