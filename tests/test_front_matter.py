"""A board paper's front matter (issue 16): the ``front:`` settings of a ``--config`` file or a book
project reach the PDF's cover, every page's header and footer, and the document's metadata.

The edition is built on the committed synthetic data (no ../shared needed) by the installed command,
and the PDF is read back page by page with pdftotext; its page labels are read from the file.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image

from hi_reports.book.project import BookSources, edition_front
from hi_reports.cli.main import main
from hi_reports.front import Front

from .conftest import need_tool
from .test_synthetic import hi_reports

FRONT = {
    "classification": "OFFICIAL-SENSITIVE",
    "version": "1.2 (draft)",
    "author": "Population Health Intelligence team",
    "contact": "phi@example.nhs.uk",
    "purpose": "For information: the board is asked to note the report",
    "logo": "brand/logo.png",
}


def _pages(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed (pdftotext separates pages by form feeds)."""
    text = subprocess.run(
        [need_tool("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def _page_labels(pdf: Path) -> list[str]:
    """The page labels of a PDF as a viewer shows them, one per page (decimal labels only)."""
    data = pdf.read_bytes()
    root = re.search(rb"/PageLabels (\d+) 0 R", data)
    assert root, "the PDF has no page labels"

    def obj(number: bytes) -> bytes:
        found = re.search(rb"\n" + number + rb" 0 obj(.*?)endobj", data, re.S)
        assert found, f"object {number!r} not found"
        return found.group(1)

    pairs = re.findall(
        rb"(\d+) (\d+) 0 R", re.search(rb"/Nums\s*\[(.*?)\]", obj(root.group(1)), re.S).group(1)
    )
    starts = []
    for index, ref in pairs:
        label = obj(ref)
        start = re.search(rb"/St (\d+)", label)
        starts.append(
            (int(index), int(start.group(1)) if start else 1, b"/S/D" in label.replace(b" ", b""))
        )
    pages = int(re.search(rb"/Type\s*/Pages\b.*?/Count (\d+)", data, re.S).group(1))
    labels = []
    for page in range(pages):
        index, start, decimal = max(s for s in starts if s[0] <= page)
        labels.append(str(start + page - index) if decimal else "")
    return labels


@pytest.fixture(scope="module")
def board_pdf(tmp_path_factory: pytest.TempPathFactory, synthetic_dir: Path) -> Path:
    """The north ICB's PDF built with a config file holding the front matter and a logo."""
    cwd = tmp_path_factory.mktemp("front")
    (cwd / "brand").mkdir()
    Image.new("RGB", (240, 120), (0, 94, 184)).save(cwd / "brand" / "logo.png")
    (cwd / "board.yml").write_text(yaml.safe_dump({"front": FRONT}), encoding="utf-8")
    hi_reports(
        cwd,
        "build",
        "--org",
        "QZN",
        "--data-dir",
        str(synthetic_dir),
        "--out",
        "editions",
        "--format",
        "pdf,html,brief",
        "--config",
        "board.yml",
    )
    return cwd / "editions" / "QZN"


@pytest.mark.slow
def test_the_cover_carries_the_front_matter_and_the_data_vintages(board_pdf: Path) -> None:
    cover = _pages(board_pdf / "QZN.pdf")[0]
    assert (
        "Health Inequalities Book" in cover and "NHS Synthetic North Integrated Care Board" in cover
    )
    for key in ("version", "author", "contact", "purpose"):
        assert FRONT[key] in cover, key
    assert "Index of Multiple Deprivation (IMD) 2019" in cover and "residents mid-2020" in cover
    images = subprocess.run(
        [need_tool("pdfimages"), "-list", "-f", "1", "-l", "1", str(board_pdf / "QZN.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    assert [line.split()[3:5] for line in images] == [["240", "120"]]  # the logo, as given


@pytest.mark.slow
def test_the_classification_is_on_every_page(board_pdf: Path) -> None:
    pages = _pages(board_pdf / "QZN.pdf")
    assert len(pages) > 5
    missing = [
        number for number, text in enumerate(pages, start=1) if FRONT["classification"] not in text
    ]
    assert not missing, f"pages without the classification: {missing}"


@pytest.mark.slow
def test_page_labels_match_the_printed_page_numbers(board_pdf: Path) -> None:
    pages = _pages(board_pdf / "QZN.pdf")
    labels = _page_labels(board_pdf / "QZN.pdf")
    assert len(labels) == len(pages)
    for number, (text, label) in enumerate(zip(pages, labels, strict=True), start=1):
        printed = re.search(r"Page (\d+) of (\d+)", text)
        if number == 1:
            assert printed is None and label == ""  # the cover: no number
        else:
            assert printed and printed.group(1) == label, (
                f"PDF page {number}: label {label!r}, printed {text[-40:]!r}"
            )
            assert int(printed.group(2)) == len(pages) - 1


@pytest.mark.slow
def test_the_metadata_names_the_organisation_and_author(board_pdf: Path) -> None:
    info = subprocess.run(
        [need_tool("pdfinfo"), str(board_pdf / "QZN.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert "NHS Synthetic North Integrated Care Board" in fields["Title"]
    assert fields["Author"].strip() == FRONT["author"]


@pytest.mark.slow
def test_the_project_holds_the_logo_and_no_path_of_the_user(board_pdf: Path) -> None:
    config = yaml.safe_load((board_pdf / "project" / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["front"] == {**FRONT, "logo": "logo.png"}
    assert (board_pdf / "project" / "logo.png").is_file()
    assert str(board_pdf.parent.parent) not in (board_pdf / "project" / "_quarto.yml").read_text(
        encoding="utf-8"
    )


def test_the_book_front_matter_is_the_base_and_the_config_file_wins_key_by_key(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book"
    shutil_sources = BookSources()
    config = yaml.safe_load(shutil_sources.config.read_text(encoding="utf-8"))
    config["front"] = {"classification": "OFFICIAL", "version": "1.0", "logo": "logo.svg"}
    book.mkdir()
    (book / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>', encoding="utf-8"
    )
    project = tmp_path / "project"
    project.mkdir()
    front = edition_front(
        config, BookSources(book), Front(version="2.0", contact="a@b.nhs.uk"), project
    )
    assert front == Front(
        classification="OFFICIAL", version="2.0", contact="a@b.nhs.uk", logo="logo.svg"
    )
    assert (project / "logo.svg").read_text(encoding="utf-8").startswith("<svg")


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ({"clasification": "OFFICIAL"}, "`front:` has unknown key(s) clasification"),
        ({"logo": "nowhere.png"}, "`front: logo:` nowhere.png not found"),
        ({"logo": "board.yml"}, "`front: logo:` board.yml must be an image file"),
        ({"purpose": ["a", "b"]}, "`front:`.purpose must be text, not list"),
        ("OFFICIAL", "`front:` must be a mapping"),
        ({"logo": "fake.png"}, "`front: logo:` fake.png is not a readable PNG image"),
        ({"version": 1.10}, "`front:`.version 1.1 was read as a number"),
    ],
)
def test_bad_front_matter_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], front: object, message: str
) -> None:
    config = tmp_path / "board.yml"
    config.write_text(yaml.safe_dump({"front": front}), encoding="utf-8")
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    assert (
        main(
            [
                "build",
                "--org",
                "QZN",
                "--data-dir",
                str(tmp_path / "no-data"),
                "--out",
                str(tmp_path / "e"),
                "--config",
                str(config),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert f"config file {config}: {message}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "Board papers" in err
    assert not (tmp_path / "e").exists()


def test_the_batch_manifest_records_the_logo_by_its_hash_not_its_path(tmp_path: Path) -> None:
    from hi_reports.batch.build import front_digest
    from hi_reports.data.loaders import file_sha256

    logo = tmp_path / "logo.png"
    Image.new("RGB", (4, 2)).save(logo)
    digest = front_digest(Front(classification="OFFICIAL", logo=str(logo)))
    assert digest == {"classification": "OFFICIAL", "logo": file_sha256(logo)}
    assert front_digest(None) is None


def test_a_new_project_shows_where_the_front_matter_goes(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "book")]) == 0
    text = (tmp_path / "book" / "_quarto.yml").read_text(encoding="utf-8")
    assert "# front:\n#   classification: OFFICIAL" in text
    assert "front" not in yaml.safe_load(text)  # commented out: the book builds as it is


@pytest.mark.slow
def test_every_html_page_and_the_brief_carry_the_classification(board_pdf: Path) -> None:
    from bs4 import BeautifulSoup

    pages = sorted((board_pdf / "html").glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        banner = soup.find(class_="book-classification")
        assert banner is not None and banner.get_text(strip=True) == FRONT["classification"], (
            page.name
        )
        assert soup.find("meta", attrs={"name": "description"})["content"] == FRONT["purpose"]
        assert FRONT["contact"] in soup.find("header").get_text(" ")
        links = [a["href"] for a in soup.find("nav", class_="book-downloads").find_all("a")]
        assert (
            links[:2] == ["../QZN.pdf", "../QZN-brief.pdf"]
            and (board_pdf / "QZN-brief.pdf").is_file()
        )
    brief = _pages(board_pdf / "QZN-brief.pdf")
    assert 1 <= len(brief) <= 2 and all(FRONT["classification"] in page for page in brief)
    assert FRONT["purpose"] in brief[0] and FRONT["version"] in brief[0]
    assert "beside this file: QZN.pdf, html/index.html, annex.csv" in " ".join(brief)
