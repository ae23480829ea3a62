"""The builtin engine's Word document, read back with python-docx: a board paper's cover (logo,
purpose, particulars), page, header and footer, contents, numbered captions, framed callouts, charts
with alternative text, whole numbers, DejaVu Sans throughout."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from PIL import Image

from hi_reports.errors import RenderError
from hi_reports.render import _docx, render

from .sample import CHAPTERS, REPO, TITLE, write_project

docx = pytest.importorskip("docx")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
CLASSIFICATION = "OFFICIAL-SENSITIVE"
SUBTITLE = "NHS Example Integrated Care Board edition"
#: The data vintages (the ``cover-note``), printed as the cover's Data line.
VINTAGES = "ICBs as of July 2022; Index of Multiple Deprivation (IMD) 2019; residents mid-2020"
FRONT = {
    "classification": CLASSIFICATION,
    "version": "1.2",
    "author": "Head of Population Health",
    "contact": "phm@example.nhs.uk",
    "purpose": "For information: the board is asked to note it",
    "logo": "logo.png",
}

#: A chart drawn as SVG (400 x 200 pt), as the charts stage draws them.
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="200pt" viewBox="0 0 400 200">
<rect width="400" height="200" fill="white"/>
<rect x="40" y="120" width="80" height="60" fill="#005EB8"/>
<rect x="160" y="80" width="80" height="100" fill="#005EB8"/>
<rect x="280" y="20" width="80" height="160" fill="#005EB8"/>
</svg>
"""

ACTIVITY = """# Emergency admissions {#sec-activity}

::: {.callout-warning}
## Synthetic data
SYNTHETIC DEMONSTRATION DATA: counts simulated from mid-2020 populations; not real activity
:::

| Neighbourhoods | Events | Person-years | Crude rate | 95% limits \
| Age-standardised rate | 95% limits |
|:--------------------|--------:|------------:|------:|-------------:|------:|-------------:|
| Urban | 237,445 | 1,336,006 | 177.7 | 177.0 to 178.4 | 194.0 | 193.2 to 194.8 |
| Rural | 3,790 | 22,006 | 172.2 | 166.8 to 177.8 | 169.6 | 164.2 to 175.1 |

: Emergency admissions per 1,000 residents a year by urban and rural neighbourhoods {#tbl-activity}

![Admissions rise with deprivation](figures/bars.svg){#fig-bars \
fig-alt="Three bars rising from left to right"}
"""

#: The body rows of the appendix's long table ("Rows read"): more than a short table's 15.
LONG_TABLE_ROWS = 20

METHODS = (
    """# Methods {#sec-methods}

## Sources {#sec-methods-sources}

| Data | Publisher |
|:-----|:----------|
| English Indices of Deprivation 2019 | MHCLG |

: The data of this edition {#tbl-methods-sources}

![How the numbers are made](figures/imd_deciles.png){#fig-methods \
fig-alt="The same bar chart again"}

### What to check

- The organisation code is the right one.
- The data are the vintages named on the cover.
- The numbers match the data annex.

| Step | Rows |
|:-----|-----:|
"""
    + "".join(f"| Step {n} | {n},000 |\n" for n in range(1, LONG_TABLE_ROWS + 1))
    + """
: Rows read {#tbl-methods-rows}
"""
)


def board_project(root: Path, front: dict[str, str] | None, **book: str) -> Path:
    """The sample project with a chapter of synthetic activity (a warning callout, a wide table, an
    SVG chart), an appendix, the data vintages as its ``cover-note`` and, with ``front``, a board
    paper's front matter (with a logo, ``logo.png``: 240 x 120 pixels); ``book`` replaces keys of
    ``book:`` (``subtitle``)."""
    project = write_project(root, {**CHAPTERS, "activity.qmd": ACTIVITY})
    (project / "methods.qmd").write_text(METHODS, encoding="utf-8")
    (project / "figures" / "bars.svg").write_text(SVG, encoding="utf-8")
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    config["book"]["appendices"] = ["methods.qmd"]
    config["book"].update(book)
    config["cover-note"] = VINTAGES
    if front:
        config["front"] = front
        Image.new("RGB", (240, 120), (0, 94, 184)).save(project / "logo.png")
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Word document of a board paper (OFFICIAL-SENSITIVE, version 1.2, a logo, ...)."""
    base = tmp_path_factory.mktemp("board")
    project = board_project(base / "project", FRONT)
    return render(project, base / "out", formats=("docx",), engine="builtin", basename="board").docx


def _document(path: Path):
    return docx.Document(str(path))


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name).decode("utf-8")


def _styled(document, *styles: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name in styles]


def _cover(document) -> list:
    """The cover's paragraphs: the body's paragraphs before the first chapter (those of the table of
    contents, in its content control, are not the body's own)."""
    cover = []
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            break
        cover.append(paragraph)
    return cover


def _logo(paragraph) -> tuple[str, int, bytes]:
    """The alternative text, height (EMU) and image bytes of the picture in ``paragraph``."""
    (picture,) = paragraph._p.iter(f"{WP}inline")
    blip = next(picture.iter(f"{A}blip"))
    image = paragraph.part.related_parts[blip.get(f"{R}embed")].blob
    return (
        picture.find(f"{WP}docPr").get("descr"),
        int(picture.find(f"{WP}extent").get("cy")),
        image,
    )


def test_the_cover_carries_the_logo_purpose_and_particulars(board) -> None:
    """As the PDF's cover: the logo at the top right, the title and subtitle (the organisation, no
    longer followed by the data vintages in brackets), the purpose, then the particulars, labelled
    in grey: Author, Contact, Version, Date, Data (the data vintages) and Classification."""
    cover = _cover(_document(board))
    assert [p.style.name for p in cover] == [
        "Cover Logo",
        "Title",
        "Subtitle",
        "Cover Purpose",
        *["Cover Particulars"] * 6,
    ]
    assert [p.text for p in cover[1:]] == [
        TITLE,
        SUBTITLE,
        "For information: the board is asked to note it",
        "Author\tHead of Population Health",
        "Contact\tphm@example.nhs.uk",
        "Version\t1.2",
        "Date\t12 March 2025",
        f"Data\t{VINTAGES}",
        f"Classification\t{CLASSIFICATION}",
    ]
    assert all(p.runs[0].style.name == "Cover Label" for p in cover[4:])
    alt, height, image = _logo(cover[0])
    assert alt == "Logo"  # the sample's subtitle names no organisation before a colon
    assert abs(height - 792000) < 1000  # 2.2 cm high, as in the PDF
    assert Image.open(io.BytesIO(image)).size == (240, 120)
    assert cover[0].alignment is None and cover[0].style.paragraph_format.alignment == 2  # right
    # the author and date are among the particulars, not under the title as well
    assert not _styled(_document(board), "Author", "Date")


def test_without_front_matter_the_cover_has_the_author_and_date(rendered) -> None:
    """No front matter, no cover-note: the title block, then the book's author and the date."""
    cover = _cover(_document(rendered.docx))
    assert [(p.style.name, p.text) for p in cover] == [
        ("Title", TITLE),
        ("Subtitle", SUBTITLE),
        ("Cover Particulars", "Author\tNHS-R Community"),
        ("Cover Particulars", "Date\t12 March 2025"),
    ]
    assert "<!--" not in _part(rendered.docx, "word/document.xml")  # the cover's markers are gone


def test_the_cover_prints_front_matter_as_written(tmp_path: Path) -> None:
    """Markdown and XML characters in the front matter are text, not markup; the logo's alternative
    text names the organisation of an edition's subtitle ("<organisation>: local edition"); an SVG
    logo is drawn as a PNG, as the SVG charts are."""
    front = {
        "purpose": "For decision: *approve* <the plan> & [budget]_2_",
        "version": "2 # draft",
        "logo": "logo.svg",
    }
    project = board_project(
        tmp_path / "project", front, subtitle="NHS [North] & East ICB: local edition"
    )
    (project / "logo.svg").write_text(SVG, encoding="utf-8")
    document = _document(
        render(project, tmp_path / "out", formats=("docx",), engine="builtin").docx
    )
    cover = _cover(document)
    assert cover[3].text == front["purpose"] and "Version\t2 # draft" in [p.text for p in cover]
    alt, height, image = _logo(cover[0])
    assert alt == "Logo of NHS [North] & East ICB"
    assert Image.open(io.BytesIO(image)).format == "PNG" and abs(height - 792000) < 1000
    assert "Image Caption" not in {p.style.name for p in cover}  # the logo is no figure


def test_a_missing_logo_stops_the_word_document(tmp_path: Path) -> None:
    project = board_project(tmp_path / "project", {**FRONT, "logo": "brand/missing.png"})
    with pytest.raises(RenderError, match=re.escape("front.logo brand/missing.png does not exist")):
        render(project, tmp_path / "out", formats=("docx",), engine="builtin")


def test_every_style_is_in_dejavu_sans(board) -> None:
    """One open sans-serif family, as in the PDF, the HTML and the charts: the default run font,
    the title's, the theme's (which some styles name) and the font table's entry (a sans-serif, for
    Word to substitute where DejaVu Sans is not installed); code in DejaVu Sans Mono; 10 pt body
    text, 9 pt tables."""
    styles = _document(board).styles
    root = styles.element
    default = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    fonts = default.find(f"{W}rFonts")
    assert {fonts.get(f"{W}{k}") for k in ("ascii", "hAnsi", "cs")} == {"DejaVu Sans"}
    assert default.find(f"{W}sz").get(f"{W}val") == "20"
    named = {f.get(f"{W}ascii") for f in root.iter(f"{W}rFonts") if f.get(f"{W}ascii")}
    assert named == {"DejaVu Sans", "DejaVu Sans Mono"}
    assert styles["Title"].font.name == "DejaVu Sans"
    assert styles["Verbatim Char"].font.name == "DejaVu Sans Mono"
    for name in (
        "Normal",
        "Heading 1",
        "Caption",
        "Table Caption",
        "Subtitle",
        "Cover Particulars",
        "Cover Purpose",
        "Header",
    ):
        style = styles[name]
        while style is not None:  # nothing on the way to the default names another font
            assert style.font.name in (None, "DejaVu Sans"), name
            style = style.base_style
    assert styles["Table"].font.size.pt == 9
    theme = _part(board, "word/theme/theme1.xml")
    assert (
        re.findall(r'<a:(?:major|minor)Font>\s*<a:latin typeface="([^"]+)"', theme)
        == ["DejaVu Sans"] * 2
    )
    table = _part(board, "word/fontTable.xml")
    entry = re.search(r'<w:font w:name="DejaVu Sans">(.*?)</w:font>', table, re.DOTALL)
    assert entry and '<w:family w:val="swiss"/>' in entry.group(1)


def test_docx_has_chapters_and_toc(rendered) -> None:
    assert rendered.docx.name == "edition.docx"
    with zipfile.ZipFile(rendered.docx) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert "unfair and avoidable differences in health" in xml
    assert "Health Inequalities Book" in xml
    assert "TOC \\o" in xml  # the table-of-contents field
    assert "312,400" in xml
    assert media, "the figure is embedded"


def test_every_page_is_a4_with_the_classification_and_title_above_and_page_numbers_below(
    board,
) -> None:
    document = _document(board)
    assert len(document.sections) == 1
    for section in document.sections:
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        header = [p.text for p in section.header.paragraphs]
        assert header == [CLASSIFICATION, f"{TITLE} \u2013 {SUBTITLE}"]
        # the classification on the left, as in the PDF; the fields' results as written
        assert [p.text for p in section.footer.paragraphs] == [f"{CLASSIFICATION}\tPage 1 of 1"]
        # the cover, as the PDF's: the classification at its head, no running title, no footer
        assert section.different_first_page_header_footer
        assert [p.text for p in section.first_page_header.paragraphs] == [CLASSIFICATION]
        assert section.first_page_header.paragraphs[0].style.name == "Classification"
        assert "".join(p.text for p in section.first_page_footer.paragraphs) == ""
        assert not _fields(section.first_page_footer._element.xml)
    # Word updates the fields (page numbers, contents) when it opens the document
    assert '<w:updateFields w:val="true"/>' in _part(board, "word/settings.xml")


def _fields(xml: str) -> list[str]:
    """The codes of the outermost complex fields of ``xml`` (a header, footer or body part), in
    order, each with the codes of the fields nested in it in braces: ``= { NUMPAGES } - 1``."""
    fields, stack = [], []
    token = re.compile(
        r'<w:fldChar [^>]*w:fldCharType="(begin|separate|end)"[^>]*/>'
        r"|<w:instrText[^>]*>([^<]*)</w:instrText>"
    )
    for match in token.finditer(xml):
        kind, code = match.groups()
        if kind == "begin":
            stack.append({"code": "", "open": True})
        elif kind == "separate" and stack:
            stack[-1]["open"] = False
        elif kind == "end" and stack:
            done = " ".join(stack.pop()["code"].split())
            if stack:
                stack[-1]["code"] += f" {{ {done} }} "
            else:
                fields.append(done)
        elif code is not None and stack and stack[-1]["open"]:
            stack[-1]["code"] += code
    return fields


def test_the_cover_is_page_0_and_the_total_leaves_it_out(board) -> None:
    """As the PDF: no page number on the cover, "Page 1 of N" on the page after it, N the pages
    after the cover. The section numbers its first page 0 and gives it its own (empty) footer; the
    footer's total is a PAGEREF to a bookmark on the document's last text (the last page's number),
    which Word and LibreOffice both compute (LibreOffice cannot compute ``= NUMPAGES - 1``)."""
    document = _document(board)
    sect = document.sections[0]._sectPr
    assert sect.find(f"{W}titlePg") is not None
    assert sect.find(f"{W}pgNumType").get(f"{W}start") == "0"
    footer = _part(board, "word/footer1.xml")
    assert _fields(footer) == [
        "DOCPROPERTY Classification \\* MERGEFORMAT",
        "PAGE",
        f"PAGEREF {_docx.LAST_PAGE}",
    ]
    assert "NUMPAGES" not in footer
    body = _part(board, "word/document.xml")
    marks = re.findall(
        rf'<w:bookmarkStart w:id="(\d+)" w:name="{_docx.LAST_PAGE}"\s*/>(.*?)'
        r'<w:bookmarkEnd w:id="(\d+)"\s*/>',
        body,
        re.DOTALL,
    )
    assert len(marks) == 1
    start, held, end = marks[0]
    assert start == end
    assert (
        re.findall(r'<w:bookmarkStart [^>]*w:id="(\d+)"', body).count(start) == 1
    )  # its id is its own
    assert re.search(
        r"<w:t[^>]*>[^<]+</w:t>", held
    )  # holds text: LibreOffice finds no empty bookmark
    after = body[body.index(f'<w:bookmarkEnd w:id="{end}"') :]
    assert not re.search(r"<w:t[^>]*>[^<]*\S[^<]*</w:t>", after)  # no text after it: the last page


def test_the_reference_doc_numbers_the_pages_after_its_cover(tmp_path: Path) -> None:
    """The reference document (which stock Quarto uses too) has the cover's page setup and counts
    the pages after the cover with ``{ = { NUMPAGES } - 1 }``, which Word computes; the builtin
    engine makes that the PAGEREF of the test above."""
    reference = REPO / "templates" / "word" / "reference.docx"
    footer, document = _part(reference, "word/footer1.xml"), _part(reference, "word/document.xml")
    assert _fields(footer)[1:] == ["PAGE", "= { NUMPAGES } - 1"]
    sect = re.search(r"<w:sectPr>.*?</w:sectPr>", document, re.DOTALL).group(0)
    assert '<w:pgNumType w:start="0"/><w:titlePg/>' in sect
    assert re.search(r'<w:headerReference w:type="first" r:id="rIdHiFirstHeader"/>', sect)
    assert re.search(r'<w:footerReference w:type="first" r:id="rIdHiFirstFooter"/>', sect)
    assert _fields(_docx.count_pages_after_cover(footer))[1:] == [
        "PAGE",
        f"PAGEREF {_docx.LAST_PAGE}",
    ]
    assert _docx.count_pages_after_cover(footer).startswith(footer[: footer.index("<w:tab/>")])


def test_without_a_classification_the_header_holds_the_title_alone(rendered) -> None:
    document = _document(rendered.docx)
    for section in document.sections:
        assert [p.text for p in section.header.paragraphs] == [f"{TITLE} \u2013 {SUBTITLE}"]
        assert [p.text for p in section.footer.paragraphs] == ["\tPage 1 of 1"]
        # the cover's header is empty (a paragraph, as a header must have)
        assert [p.text for p in section.first_page_header.paragraphs] == [""]
    # no field of a property the document lacks: Word would print "Error! Unknown document
    # property name." in every footer once it updates the fields
    with zipfile.ZipFile(rendered.docx) as docx:
        parts = [n for n in docx.namelist() if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
        assert parts and not [n for n in parts if "DOCPROPERTY" in docx.read(n).decode("utf-8")]


def _keeps_next(paragraph) -> bool:
    """Whether a paragraph is kept with the next (its own property or its style's)."""
    if paragraph.paragraph_format.keep_with_next is not None:
        return paragraph.paragraph_format.keep_with_next
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return style.paragraph_format.keep_with_next
        style = style.base_style
    return False


def _row_props(row) -> set[str]:
    tr_pr = row._tr.find(f"{W}trPr")
    return set() if tr_pr is None else {child.tag.removeprefix(W) for child in tr_pr}


def test_table_rows_never_split_and_headers_repeat(board) -> None:
    """Every row of a data table stays whole on its page (``w:cantSplit``: "Lower Layer Super" /
    "Output Areas" split across pages) and the header row is repeated on each page
    (``w:tblHeader``); a short table (15 body rows or fewer) is kept whole, as in the PDF (its rows'
    paragraphs, but the last row's, keep with the next); a long one keeps two body rows with its
    header and its last two rows together. Callout boxes may split, as the PDF's do."""
    document = _document(board)
    data = [t for t in document.tables if not t.style.name.startswith("Callout")]
    assert len(data) == 4  # 2.1, 3.1, A.1 and A.2
    for table in data:
        rows = table.rows
        assert all("cantSplit" in _row_props(row) for row in rows), table.cell(0, 0).text
        assert "tblHeader" in _row_props(rows[0]) and "tblHeader" not in _row_props(rows[1])
        kept = [all(_keeps_next(p) for cell in row.cells for p in cell.paragraphs) for row in rows]
        if len(rows) - 1 <= _docx.SHORT_TABLE_ROWS:
            assert kept == [True] * (len(rows) - 1) + [False], table.cell(0, 0).text
        else:
            assert table.cell(0, 0).text == "Step" and len(rows) == LONG_TABLE_ROWS + 1
            assert kept == [True, True] + [False] * (len(rows) - 4) + [True, False]
    callouts = [t for t in document.tables if t.style.name.startswith("Callout")]
    assert callouts
    for table in callouts:
        assert all(not _row_props(row) for row in table.rows)


def test_headings_keep_with_what_follows_and_a_short_list_with_its_heading(board) -> None:
    """Every heading style keeps its heading with the next paragraph (the reference document's
    Heading 1 to 3, pandoc's others); a short list under a heading is kept whole with it ("What
    the board might ask" and its three questions)."""
    document = _document(board)
    for level in range(1, 7):
        style = document.styles[f"Heading {level}"]
        assert style.paragraph_format.keep_with_next, style.name
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text.endswith("What to check"))
    assert paragraphs[at].style.name == "Heading 3"
    items = paragraphs[at + 1 : at + 4]
    assert [p._p.pPr.numPr is not None for p in items] == [True] * 3
    assert [_keeps_next(p) for p in paragraphs[at : at + 5]] == [True, True, True, False, True]
    # a list that does not follow a heading is left as it was
    assert not _docx.keep_lists_with_headings("<w:p><w:pPr><w:numPr/></w:pPr></w:p>").count(
        "keepNext"
    )


def test_keep_tables_sets_rows_as_the_pdf_splits_tables() -> None:
    """:func:`_docx.keep_tables` on tables as pandoc and the Lua filter write them: a headerless
    table gets no header row; the rows of a table in a callout box are set, the box's are not;
    a paragraph without properties gets them; what a row or paragraph has is kept once."""

    def row(text: str, props: str = "") -> str:
        return f"<w:tr>{props}<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc></w:tr>"

    look = '<w:tblLook w:firstRow="{}" w:val="0000"/>'
    headerless = (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="Table"/>{look.format(0)}</w:tblPr>'
        f"{row('a')}{row('b')}</w:tbl>"
    )
    out = _docx.keep_tables(headerless)
    assert out.count("<w:cantSplit/>") == 2 and "tblHeader" not in out
    assert out.count("<w:keepNext/>") == 1  # the first row kept with the last
    head = row("h", '<w:trPr><w:tblHeader w:val="on"/></w:trPr>')
    inner = (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="Table"/>{look.format(1)}</w:tblPr>'
        f"{head}{row('x')}</w:tbl>"
    )
    box = (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="CalloutNote"/></w:tblPr><w:tr><w:tc>'
        '<w:p><w:pPr><w:pStyle w:val="CalloutTitle"/></w:pPr><w:r><w:t>Note</w:t></w:r></w:p>'
        f"{inner}<w:p/>"
        "</w:tc></w:tr></w:tbl>"
    )
    out = _docx.keep_tables(box)
    assert out.startswith('<w:tbl><w:tblPr><w:tblStyle w:val="CalloutNote"/></w:tblPr><w:tr><w:tc>')
    assert out.count("<w:cantSplit/>") == 2
    assert '<w:trPr><w:cantSplit/><w:tblHeader w:val="on"/></w:trPr>' in out
    assert out.count("<w:keepNext/>") == 1 and 'CalloutTitle"/><w:keepNext/>' not in out
    assert _docx.keep_tables(out) == out


def test_the_title_and_properties_name_the_organisation_and_front_matter(board) -> None:
    properties = _document(board).core_properties
    assert properties.title == f"{TITLE} \u2013 {SUBTITLE}"
    assert properties.author == "Head of Population Health"
    assert properties.comments == "For information: the board is asked to note it"
    custom = _part(board, "docProps/custom.xml")
    for name, value in (
        ("Classification", CLASSIFICATION),
        ("Version", "1.2"),
        ("Contact", "phm@example.nhs.uk"),
    ):
        assert re.search(rf'name="{name}"><vt:lpwstr>{re.escape(value)}</vt:lpwstr>', custom)


def test_sections_figures_and_tables_are_numbered_with_the_appendix_lettered(board) -> None:
    document = _document(board)
    assert _styled(document, "Heading 1") == [
        "Preface",
        "1\tIntroduction",
        "2\tDeprivation",
        "3\tEmergency admissions",
        "A\tMethods",
    ]
    assert "A.1\tSources" in _styled(document, "Heading 2")
    assert _styled(document, "Table Caption") == [
        "Table 2.1: Residents of NHS Example ICB by national IMD quintile",
        "Table 3.1: Emergency admissions per 1,000 residents a year by urban and rural "
        "neighbourhoods",
        "Table A.1: The data of this edition",
        "Table A.2: Rows read",
    ]
    assert _styled(document, "Image Caption") == [
        "Figure 2.1: Residents by national IMD decile",
        "Figure 3.1: Admissions rise with deprivation",
        "Figure A.1: How the numbers are made",
    ]
    caption = next(p for p in document.paragraphs if p.text.startswith("Figure 3.1"))
    assert caption.runs[0].bold and caption.runs[0].text == "Figure 3.1:"


def test_the_contents_list_the_chapters_and_link_to_them(board) -> None:
    xml = _part(board, "word/document.xml")
    toc = re.search(
        r'<w:sdt>.*?<w:docPartGallery w:val="Table of Contents"\s*/>.*?</w:sdt>', xml, re.DOTALL
    )
    assert toc, "no table of contents"
    entries = re.findall(
        r'<w:hyperlink w:anchor="([^"]+)"[^>]*><w:r><w:t[^>]*>([^<]+)</w:t>', toc.group(0)
    )
    assert [text for _, text in entries] == [
        "Preface",
        "How to read this book",
        "1 Introduction",
        "1.1 Who this book is for",
        "2 Deprivation",
        "2.1 Residents by national quintile",
        "2.2 Core20",
        "3 Emergency admissions",
        "A Methods",
        "A.1 Sources",
    ]
    bookmarks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="([^"]+)"', xml))
    assert {anchor for anchor, _ in entries} <= bookmarks
    assert re.search(r"<w:instrText[^>]*>TOC \\o", toc.group(0)) and "Contents" in toc.group(0)


def test_styles_for_captions_and_framed_callouts(board) -> None:
    styles = _document(board).styles
    names = {style.name for style in styles}
    assert {"Caption", "Image Caption", "Table Caption", "Callout Title", "Callout"} <= names
    for kind, colour in (("Note", "005EB8"), ("Warning", "ED8B00"), ("Important", "7C2855")):
        style = styles[f"Callout {kind}"]
        left = style.element.find(f"{W}tblPr/{W}tblBorders/{W}left")
        assert (
            left is not None and left.get(f"{W}val") == "single" and left.get(f"{W}color") == colour
        )
        assert int(left.get(f"{W}sz")) >= 16
        assert style.element.find(f"{W}tcPr/{W}shd") is not None


def test_callouts_are_framed_boxes_holding_their_lists(board) -> None:
    document = _document(board)
    boxes = {
        table.style.name: table
        for table in document.tables
        if table.style.name.startswith("Callout")
    }
    assert set(boxes) == {"Callout Important", "Callout Note", "Callout Warning"}
    warning = boxes["Callout Warning"].cell(0, 0).paragraphs
    assert [p.style.name for p in warning] == ["Callout Title", "Callout"]
    assert warning[0].text == "Synthetic data" and warning[1].text.startswith(
        "SYNTHETIC DEMONSTRATION DATA"
    )
    important = boxes["Callout Important"].cell(0, 0).text
    assert (
        "Headline numbers" in important and "1.9 times" in important
    )  # the list is inside the frame


def test_every_image_has_alternative_text_and_svg_charts_are_png_at_300_dpi(board) -> None:
    xml = _part(board, "word/document.xml")
    pictures = re.findall(r"<wp:docPr [^>]*>", xml)
    assert len(pictures) == 4  # the logo and three charts
    for picture in pictures:
        assert re.search(r'descr="[^"]+"', picture), picture
    assert 'descr="Three bars rising from left to right"' in xml
    with zipfile.ZipFile(board) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert media and all(n.endswith(".png") for n in media)
        sizes = {Image.open(io.BytesIO(archive.read(n))).size for n in media}
    assert (round(400 / 72 * 300), round(200 / 72 * 300)) in sizes  # the SVG drawn at 300 dpi
    # pandoc sizes it from its resolution: 400 pt wide, as the SVG (12,700 EMU a point)
    assert re.search(r'<wp:extent cx="50[78]\d{4}" cy="25[34]\d{4}"\s*/>', xml)
    assert "/tmp" not in xml and "hi_reports_docx" not in xml  # no temporary path named


def test_numbers_are_whole_in_their_table_cells(board) -> None:
    """A wide table's columns are sized to their text: the column of 1,336,006 is wider than the
    number (at 9 pt, with the cell's margins), so Word and LibreOffice cannot break it."""
    document = _document(board)
    table = next(t for t in document.tables if t.cell(0, 0).text == "Neighbourhoods")
    assert table.cell(1, 2).text == "1,336,006"  # the text itself is untouched: no joiners
    tbl = table._tbl
    grid = [int(col.get(f"{W}w")) for col in tbl.find(f"{W}tblGrid")]
    width = tbl.find(f"{W}tblPr/{W}tblW")
    assert width.get(f"{W}type") == "pct"
    line_pt = (21.0 - 2 * 2.5) / 2.54 * 72  # the text width of the reference document
    share = int(width.get(f"{W}w")) / 5000
    column_pt = grid[2] / sum(grid) * share * line_pt
    digits_pt = 9 * (7 * 0.636 + 2 * 0.318) + 2 * 85 / 20  # DejaVu Sans digits, commas; margins
    assert column_pt > digits_pt
    assert share <= 1


def test_a_project_reference_doc_still_wins(tmp_path: Path) -> None:
    """format.docx.reference-doc names the project's own: pandoc's default here (US Letter, no
    header); the callout styles it lacks are added."""
    import pypandoc

    project = board_project(tmp_path / "project", None)
    own = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout
    (project / "own.docx").write_bytes(own)
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    config["format"]["docx"]["reference-doc"] = "own.docx"
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = render(project, tmp_path / "out", formats=("docx",), engine="builtin")
    document = _document(result.docx)
    assert document.sections[0].page_width is None  # pandoc's default names no page size
    assert {"Callout Warning", "Cover Particulars", "Cover Label"} <= {
        style.name for style in document.styles
    }
    assert "Cover Particulars" in {p.style.name for p in _cover(document)}

    config["format"]["docx"]["reference-doc"] = "missing.docx"
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with pytest.raises(RenderError, match=re.escape("reference-doc missing.docx does not exist")):
        render(project, tmp_path / "out2", formats=("docx",), engine="builtin")


def test_markdown_without_svg_images_is_left_alone(tmp_path: Path) -> None:
    markdown = "![a chart](figures/x.png){#fig-x}\n\nAn .svg file named in text.\n"
    assert _docx.svg_images(markdown) == []
    assert _docx.rasterise_svgs(markdown, tmp_path, tmp_path / "png") is markdown
    assert _docx.svg_images("![a](figures/a.svg){#fig-a} ![b](<figures/b.SVG>)") == [
        "figures/a.svg",
        "figures/b.SVG",
    ]


def test_the_reference_doc_is_the_one_its_script_makes(tmp_path: Path) -> None:
    """templates/word/reference.docx is what templates/word/make_reference.py writes (rerun the
    script after changing it, or after a pandoc update changes pandoc's default styles)."""
    folder = REPO / "templates" / "word"
    made = tmp_path / "reference.docx"
    subprocess.run(
        [sys.executable, "-B", str(folder / "make_reference.py"), str(made)],
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(made) as new, zipfile.ZipFile(folder / "reference.docx") as shipped:
        assert new.namelist() == shipped.namelist()
        for name in new.namelist():
            assert new.read(name) == shipped.read(name), (
                f"{name} differs: run {folder / 'make_reference.py'}"
            )


@pytest.mark.slow
def test_a_real_edition(edition) -> None:
    """The QHL edition (built once per session by tests/conftest.py)."""
    path = edition.outputs["docx"]
    document = _document(path)
    for section in document.sections:
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        assert "Birmingham and Solihull" in " ".join(p.text for p in section.header.paragraphs)
    assert "Birmingham and Solihull" in document.core_properties.title
    captions = _styled(document, "Image Caption", "Table Caption")
    # numbered in their chapter (Figure 2.1), lettered in the appendix, plain in the preface
    # (Table 1)
    assert captions and all(re.match(r"(Figure|Table) ((\d+|A)\.)?\d+: ", c) for c in captions)
    assert "Table A.1: The data of this edition" in captions
    assert not any(
        re.match(r"(Figure|Table) [6-9]\.", c) for c in captions
    )  # no appendix numbered as a chapter (there are five)
    xml = _part(path, "word/document.xml")
    assert all(re.search(r'descr="[^"]+"', p) for p in re.findall(r"<wp:docPr [^>]*>", xml))
    assert any(t.style.name.startswith("Callout") for t in document.tables)
    # the cover: no front matter, but the author, the date and the data vintages (cover-note)
    config = yaml.safe_load((edition.project / "_quarto.yml").read_text(encoding="utf-8"))
    assert [(p.style.name, p.text) for p in _cover(document)] == [
        ("Title", "Health Inequalities Book"),
        ("Subtitle", config["book"]["subtitle"]),
        ("Cover Particulars", f"Author\t{config['book']['author']}"),
        ("Cover Particulars", "Date\t25 November 2026"),
        ("Cover Particulars", f"Data\t{config['cover-note']}"),
    ]
    assert "Index of Multiple Deprivation (IMD) 2019" in config["cover-note"]
    # the board paper's pages, as the PDF's: the cover unnumbered, the total the pages after it;
    # every data table's rows whole; "What the board might ask" with all its questions
    assert document.sections[0].different_first_page_header_footer
    assert _fields(_part(path, "word/footer1.xml"))[-1] == f"PAGEREF {_docx.LAST_PAGE}"
    data = [t for t in document.tables if not t.style.name.startswith("Callout")]
    assert len(data) >= 8 and all("cantSplit" in _row_props(r) for t in data for r in t.rows)
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "What the board might ask")
    questions = []
    for paragraph in paragraphs[at + 1 :]:
        if paragraph._p.pPr is None or paragraph._p.pPr.numPr is None:
            break
        questions.append(paragraph)
    assert len(questions) >= 2
    assert [_keeps_next(p) for p in questions] == [True] * (len(questions) - 1) + [False]
