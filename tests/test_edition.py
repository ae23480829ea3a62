"""A whole edition (Birmingham and Solihull ICB, QHL) built from the real data and read back."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from .conftest import need_tool

#: Every test reads the whole edition built once: `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

CHAPTERS = ["index", "intro", "imd", "rural", "plus", "summary", "methods"]
NAME = "NHS Birmingham and Solihull Integrated Care Board"


@pytest.fixture(scope="module")
def core20_sentence(data_dir: Path) -> str:
    """The Core20 sentence of QHL, computed here from the raw files."""
    imd = pd.read_csv(
        next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
        encoding="utf-8-sig",
    )
    pop = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    table = lookup[lookup["icb22_code_h"] == "QHL"].merge(
        imd, left_on="lsoa11_code", right_on="LSOA code (2011)"
    )
    table = table.merge(pop, on="lsoa11_code")
    core = table.loc[
        table["Index of Multiple Deprivation (IMD) Decile"] <= 2, "total_population"
    ].sum()
    share = core / table["total_population"].sum()
    return (
        f"{share * 100:.1f}% of residents ({core:,} people) live in the 20% most deprived "
        "neighbourhoods in England."
    )


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


def test_layout(edition) -> None:
    folder = edition.folder
    assert folder.name == "QHL"
    for path in ["QHL.pdf", "QHL.docx", "annex.csv", "html/index.html", "project/_quarto.yml"]:
        assert (folder / path).is_file(), path
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")], (
        "staging folder left behind"
    )


def test_project_is_a_quarto_book(edition) -> None:
    project = edition.project
    config = yaml.safe_load((project / "_quarto.yml").read_text())
    assert config["project"]["type"] == "book"
    assert config["book"]["chapters"] == [f"{c}.qmd" for c in CHAPTERS[:-1]]
    assert config["book"]["appendices"] == ["methods.qmd"]
    assert config["book"]["subtitle"] == f"{NAME}: local edition"
    assert config["format"]["typst"]["papersize"] == "a4"
    for chapter in CHAPTERS:
        text = (project / f"{chapter}.qmd").read_text()
        assert "{{" not in text and "{%" not in text, chapter
    images = re.findall(r"\]\((figures/[^)]+)\)", (project / "imd.qmd").read_text())
    assert images and all((project / image).is_file() for image in images)
    assert (project / "typst" / "board.typ").is_file()


def test_pdf_is_a4_and_says_the_core20_sentence(edition, core20_sentence: str) -> None:
    pdfinfo = need_tool("pdfinfo")
    info = subprocess.run(
        [pdfinfo, str(edition.outputs["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 8
    pdftotext = need_tool("pdftotext")
    text = subprocess.run(
        [pdftotext, str(edition.outputs["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = _words(text)
    assert NAME in flat
    assert core20_sentence in flat
    assert "Contents" in flat and "Deprivation" in flat and "Rurality" in flat


def test_html_book_pages_and_links(edition, core20_sentence: str) -> None:
    html = edition.outputs["html"].parent
    pages = {p.stem for p in html.glob("*.html")}
    assert pages == set(CHAPTERS)
    anchors: dict[str, set[str]] = {}
    soups = {}
    for page in CHAPTERS:
        soup = BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        soups[page] = soup
        anchors[page] = {tag["id"] for tag in soup.find_all(id=True)}
    for page, soup in soups.items():
        links = [a["href"] for a in soup.find_all("a", href=True)]
        chapter_links = {urlsplit(h).path for h in links if urlsplit(h).path.endswith(".html")}
        assert {f"{c}.html" for c in CHAPTERS} <= chapter_links | {f"{page}.html"}, page
        for href in (
            links
            + [i["src"] for i in soup.find_all("img")]
            + [link["href"] for link in soup.find_all("link", href=True)]
        ):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("mailto:"):
                continue
            target = html / unquote(parts.path) if parts.path else html / f"{page}.html"
            assert target.is_file(), f"{page}.html links to missing {href}"
            assert ".qmd" not in href
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in anchors[target.stem], f"{page}.html: no anchor for {href}"
    assert core20_sentence in _words(soups["imd"].get_text(" "))
    assert NAME in soups["index"].get_text(" ")


def test_annex_holds_every_number_printed(edition) -> None:
    annex = pd.read_csv(edition.annex)
    assert list(annex.columns) == [
        "organisation",
        "chapter",
        "key",
        "value",
        "printed",
        "unit",
        "definition",
        "source",
    ]
    assert (annex["organisation"] == "QHL").all()
    assert annex["definition"].notna().all() and annex["source"].notna().all()
    core20 = annex[(annex["chapter"] == "imd") & (annex["key"] == "imd.core20.share")].iloc[0]
    assert core20["printed"] == f"{core20['value'] * 100:.1f}%"
    for chapter in CHAPTERS:
        text = (edition.project / f"{chapter}.qmd").read_text()
        printed = set(annex.loc[annex["chapter"] == chapter, "printed"])
        percentages = set(re.findall(r"(?<![\d.])\d{1,3}\.\d%", text))
        assert percentages <= printed, (
            f"{chapter}: printed but not in the annex: {percentages - printed}"
        )
        for number in printed:
            assert number in text, (
                f"{chapter}: annex has {number} but the chapter does not print it"
            )


def test_docx(edition) -> None:
    with zipfile.ZipFile(edition.outputs["docx"]) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert "Birmingham and Solihull" in xml
    assert "Core20" in xml


def test_the_pdf_has_no_blank_page_and_letters_its_appendix(edition) -> None:
    """Board papers (issue 16): no page carries only its running header and footer (a table too
    tall for the rest of a page used to leave one blank before the appendix); the appendix's
    tables are lettered (Table A.1), never a second "Table 1.1"; each data file's sha256 is printed
    whole on one line, within the page."""
    pdftotext = need_tool("pdftotext")
    pages = subprocess.run(
        [pdftotext, "-layout", str(edition.outputs["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\f")
    running = re.compile(r"Health Inequalities Book|local edition|Page \d+ of \d+")
    for number, page in enumerate(pages[1:-1], start=2):  # the cover has no running header
        body = [line for line in page.splitlines() if line.strip() and not running.search(line)]
        assert body, f"page {number} is blank"
    text = "\f".join(pages)
    assert text.count("Table 1.1:") == 1 and "Table A.1: The data of this edition" in text
    hashes = re.findall(r"sha256 ([0-9a-f]+)\s*$", text, flags=re.M)
    assert len(hashes) >= 6 and all(len(h) == 64 for h in hashes)
    bbox = subprocess.run(
        [pdftotext, "-bbox", str(edition.outputs["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"[^>]*>[0-9a-f]{64}<', bbox)]
    assert right and max(right) < 595.28 - 40  # inside A4's width, short of the right margin


def test_the_html_letters_its_appendix(edition) -> None:
    page = (edition.folder / "html" / "methods.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title.get_text().startswith("A Methods")
    numbers = [
        s.get_text(strip=True) for s in soup.find_all("span", class_="header-section-number")
    ]
    assert numbers[:2] == ["A", "A.1"] and not any(n.startswith("5") for n in numbers)
    assert "Table A.1:" in soup.get_text(" ")


def test_no_page_is_under_a_quarter_full_but_the_last_of_a_chapter(edition, tmp_path: Path) -> None:
    """Board papers (issue 16): figures and tables used to be pushed whole to the next page,
    leaving pages 40-65% white. Each page is rasterised and the lowest ink of its body (between the
    running header and footer) measured; a page ending under a quarter of the way down must be the
    last of its chapter (the next page opens one: a 20 pt chapter heading)."""
    from PIL import Image

    pdf = edition.outputs["pdf"]
    subprocess.run(
        [need_tool("pdftoppm"), "-r", "20", "-gray", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    bbox = subprocess.run(
        [need_tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    opens_chapter = [
        any(
            float(y1) - float(y0) > 18
            for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)
        )
        for page in bbox.split("<page ")[1:]
    ]
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == len(opens_chapter) > 10
    sparse = []
    for number, image in enumerate(images, start=1):
        ink = np.asarray(Image.open(image).convert("L")) < 200
        top, bottom = (
            round(ink.shape[0] * 2.8 / 29.7) + 1,
            ink.shape[0] - round(ink.shape[0] * 2.5 / 29.7) - 1,
        )
        rows = np.flatnonzero(ink[top:bottom].any(axis=1))
        fill = (rows.max() + 1) / (bottom - top) if len(rows) else 0.0
        last_of_chapter = number == len(images) or opens_chapter[number]  # the next page opens one
        if number > 1 and fill < 0.25 and not last_of_chapter:
            sparse.append((number, round(fill, 2)))
    assert not sparse, f"pages under a quarter full inside a chapter (page, fill): {sparse}"


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        [need_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def test_the_brief_is_the_executive_summary_on_two_pages(edition) -> None:
    """`--format brief`: the executive summary alone, for the board pack, naming the full
    edition."""
    pages = _pdf_pages(edition.folder / "QHL-brief.pdf")
    assert len(pages) <= 2
    text = _words(" ".join(pages))
    first = _words(pages[0])
    assert (
        first.index("Health Inequalities Book")
        < first.index(NAME)
        < first.index("Executive summary")
    )
    for heading in ("Key messages", "Headline indicators", "What the board might ask"):
        assert heading in text
    assert "How to read this book" not in text and "Contents" not in text
    book = _words(" ".join(_pdf_pages(edition.outputs["pdf"])))
    table = re.search(
        r"Core20 \(most deprived 20%\) ([\d.]+%) ([\d.]+%)–([\d.]+%) ([\d.]+%) ▲ higher", text
    )
    assert table and table.group(0) in book  # the same headline table as the book's
    assert "full edition" in text and "QHL.pdf" in text and "annex.csv" in text


@pytest.mark.parametrize("code", ["england", "RXK"])
def test_the_brief_fits_two_pages_for_every_kind(code: str, reference, tmp_path: Path) -> None:
    """England's and a trust's briefs, the trust's with activity (a longer summary); the ICB's is
    the shared edition's, above, and a local authority's summary is an ICB's in length."""
    from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

    activity = (ActivitySpec("Emergency admissions", demo=True),) if code == "RXK" else ()
    built = build_edition(
        EditionRequest(code, tmp_path, formats=("brief",), engine="builtin", activity=activity),
        reference=reference,
    )
    pages = _pdf_pages(built.outputs["brief"])
    assert len(pages) <= 2 and "Headline indicators" in " ".join(pages)


def test_the_pdf_is_set_in_one_open_sans_family(edition) -> None:
    """Board papers (issue 16): DejaVu Sans (shipped with matplotlib, which draws the charts in it)
    for the text, DejaVu Sans Mono for code, embedded, so the PDF is the same on every machine."""
    listing = subprocess.run(
        [need_tool("pdffonts"), str(edition.outputs["pdf"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[-1] for line in listing}
    embedded = {line.split()[-5] for line in listing}
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts and all(
        f.startswith("DejaVuSans") for f in fonts
    ), fonts
    assert embedded == {"yes"}


def test_every_figure_has_a_caption_and_alt_text_in_every_format(edition) -> None:
    """Board papers (issue 16): each chart and map of the edition has its alternative text and its
    numbered caption in the HTML, the PDF (tagged: pdftotext reads the captions) and Word."""
    html = edition.outputs["html"].parent
    figures = []
    for page in CHAPTERS:
        soup = BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        for figure in soup.find_all("figure"):
            image = figure.find("img")
            if image is None:
                continue  # a table's figure
            caption = figure.find("figcaption")
            assert image.get("alt", "").strip(), (
                f"{page}.html: {image['src']} has no alternative text"
            )
            assert caption is not None and caption.get_text(strip=True), (
                f"{page}.html: {image['src']} has no caption"
            )
            figures.append(caption.get_text(" ", strip=True))
    assert len(figures) >= 8
    pdf = _words(
        subprocess.run(
            [need_tool("pdftotext"), str(edition.outputs["pdf"]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    numbered = re.findall(r"Figure (?:\d+|[A-Z])\.\d+:", pdf)
    assert len(numbered) == len(figures), (numbered, len(figures))
    with zipfile.ZipFile(edition.outputs["docx"]) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    alts = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(alts) == len(figures) and all(a.strip() for a in alts)
    text = re.sub(r"<[^>]+>", "", xml)
    assert len(re.findall(r"Figure (?:\d+|[A-Z])\.\d+:", text)) == len(figures)
