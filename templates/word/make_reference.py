"""Write ``reference.docx``, the Word styles of the Health Inequalities Book, from pandoc's own.

Run it from anywhere after changing a style here (pandoc must be the one of pypandoc-binary)::

    python templates/word/make_reference.py            # writes templates/word/reference.docx
    python templates/word/make_reference.py other.docx # writes other.docx

It starts from ``pandoc --print-default-data-file reference.docx`` and changes:

* the page: A4 portrait, 2.5 cm margins (2.8 cm at the top, for the header), as the PDF;
* a header on every page: the classification (a DOCPROPERTY Classification field, in a paragraph of
  its own that the builtin engine removes when the edition has none) above the running title (a
  TITLE field), both filled by the engine for each edition; and a footer with the classification
  on the left and "Page X of Y" in the middle, as in the PDF;
* the cover (the first page: ``w:titlePg``) as the PDF's: the classification at its head, no
  running title, no footer, no page number; the page after it is page 1 (``w:pgNumType
  w:start="0"``: the cover is page 0) and Y leaves the cover out (``{ = { NUMPAGES } - 1 }``; the
  builtin engine makes it a PAGEREF to the last page, which LibreOffice computes too);
* fonts and colours: DejaVu Sans, the open sans-serif family of the whole book (the PDF, the HTML
  and the charts, which matplotlib draws in the copy it ships), 10 pt body text, code in DejaVu Sans
  Mono; the theme's fonts and the font table name it too, the font table with its PANOSE number and
  family (swiss), so that Word on a machine without DejaVu Sans substitutes a sans-serif font of its
  own (Verdana or Arial, say): the text then runs a little differently, which is acceptable;
  headings in NHS dark blue, each chapter (Heading 1) on a new page, a Contents page after the
  cover;
* the cover (title page): Title and Subtitle, then the styles of the board paper's front matter that
  the builtin engine writes under them: Cover Logo (the logo, at the top right, above the title),
  Cover Purpose (the purpose line, bold, ruled in NHS blue on the left) and Cover Particulars (one
  paragraph a particular, "Version<tab>1.2", its label in the Cover Label character style);
* captions (Caption, Image Caption, Table Caption) small and grey, a table caption kept with its
  table;
* tables: the Table style (a header row in pale blue over a blue rule, thin grey rules, 9 pt: the
  Word block of the builtin engine's Lua filter sizes the columns for 9 pt DejaVu Sans);
* callouts: the table styles Callout Note, Tip, Important, Warning and Caution (a framed box with a
  coloured left rule, as ``board-callout`` in the PDF) and the paragraph styles Callout Title and
  Callout inside them;
* the entries of the table of contents (TOC 1, TOC 2).

The output is byte-for-byte the same on every run (fixed zip dates), so it diffs cleanly in git.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "reference.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml"

NHS_BLUE = "005EB8"
NHS_DARK_BLUE = "003087"
NHS_GREY = "425563"
RULE_GREY = "C8D0D3"

#: Callout kinds and their colours (as ``_callout-colours`` in templates/typst/board.typ).
CALLOUT_COLOURS = {
    "Note": NHS_BLUE,
    "Tip": "007F3B",
    "Important": "7C2855",
    "Warning": "ED8B00",
    "Caution": "DA291C",
}

#: Text width of the page in twentieths of a point: A4 (11906) less two 2.5 cm margins.
TEXT_WIDTH = 11906 - 2 * 1418

#: The book's font: DejaVu Sans (as in templates/typst/board.typ and the charts). Word on a machine
#: without it substitutes a font, guided by the font table's PANOSE number and family (swiss, a
#: sans-serif); that is acceptable: the document is the same, its lines break a little differently.
FONT = "DejaVu Sans"
#: Code (the Verbatim Char style), as ``raw`` text in the PDF.
MONO_FONT = "DejaVu Sans Mono"
#: PANOSE numbers (the OS/2 table of the fonts matplotlib ships), for the theme and the font table.
PANOSE = {FONT: "020B0603030804020204", MONO_FONT: "020B0609030804020204"}

#: Where the value of a cover particular starts ("Classification" at 11 pt DejaVu Sans is 73 pt).
PARTICULARS_TAB = 1900


def pandoc_default() -> bytes:
    """pandoc's default reference.docx."""
    import pypandoc

    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=True,
    ).stdout


def _lighten(colour: str, amount: float) -> str:
    """``colour`` (RRGGBB) mixed with white (Typst's ``lighten(92%)`` is ``amount=0.92``)."""
    channels = [int(colour[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in channels)


def _font(size_pt: float, colour: str | None = None, bold: bool | None = None) -> str:
    """Run properties: bold (or not), colour and size, in the schema's order."""
    runs = (
        "" if bold is None else ("<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
    )
    runs += f'<w:color w:val="{colour}"/>' if colour else ""
    half = round(size_pt * 2)
    return f'{runs}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def _fonts(name: str) -> str:
    """Run fonts: ``name`` for every script but East Asian."""
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:cs="{name}"/>'


def _spacing(before: int, after: int) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}"/>'


def _border(side: str, colour: str, eighths: int, space: int = 0) -> str:
    """A rule of ``eighths`` eighths of a point, ``space`` points from the text."""
    return f'<w:{side} w:val="single" w:sz="{eighths}" w:space="{space}" w:color="{colour}"/>'


def _right_tab(leader: str | None = None) -> str:
    dots = f' w:leader="{leader}"' if leader else ""
    return f'<w:tabs><w:tab w:val="right"{dots} w:pos="{TEXT_WIDTH}"/></w:tabs>'


def _style(
    kind: str,
    style_id: str,
    name: str,
    body: str,
    based_on: str | None = None,
    custom: bool = True,
    next_style: str | None = None,
    link: str | None = None,
    priority: int | None = None,
) -> str:
    """A ``w:style`` element; ``body`` holds its pPr, rPr, tblPr, tcPr... in the schema's order."""
    flag = ' w:customStyle="1"' if custom else ""
    head = f'<w:style w:type="{kind}"{flag} w:styleId="{style_id}"><w:name w:val="{name}"/>'
    head += f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    head += f'<w:next w:val="{next_style}"/>' if next_style else ""
    head += f'<w:link w:val="{link}"/>' if link else ""
    head += f'<w:uiPriority w:val="{priority}"/>' if priority is not None else ""
    return head + "<w:qFormat/>" + body + "</w:style>"


def _paragraph(
    style_id: str,
    name: str,
    based_on: str | None,
    ppr: str = "",
    rpr: str = "",
    builtin: bool = False,
    **options: str,
) -> str:
    """A paragraph style (``builtin``: one of Word's own, such as Title or heading 1)."""
    body = (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
    return _style("paragraph", style_id, name, body, based_on, custom=not builtin, **options)


def _replace_style(styles: str, style_id: str, new: str) -> str:
    """``styles`` with the style ``style_id`` replaced by ``new`` (or ``new`` added)."""
    pattern = re.compile(rf'<w:style\b[^>]*w:styleId="{style_id}"[^>]*>.*?</w:style>', re.DOTALL)
    styles, count = pattern.subn(lambda _: new, styles)
    return styles if count else styles.replace("</w:styles>", new + "</w:styles>")


def _callout_style(style_id: str, name: str, colour: str, based_on: str | None) -> str:
    """A callout box's table style: a thick left rule in ``colour``, thin grey rules, a pale
    fill."""
    borders = "".join(_border(side, RULE_GREY, 4) for side in ("top", "bottom", "right"))
    margins = (
        '<w:top w:w="120" w:type="dxa"/><w:left w:w="200" w:type="dxa"/>'
        '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="160" w:type="dxa"/>'
    )
    fill = _lighten(colour, 0.92)
    return _style(
        "table",
        style_id,
        name,
        f"<w:tblPr><w:tblBorders>{borders}{_border('left', colour, 24)}</w:tblBorders>"
        f"<w:tblCellMar>{margins}</w:tblCellMar></w:tblPr>"
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:tcPr>',
        based_on,
    )


def _table_style() -> str:
    """The data tables: a header row in pale blue over a blue rule, grey rules between rows,
    9 pt."""
    borders = (
        _border("top", NHS_BLUE, 8)
        + _border("bottom", RULE_GREY, 4)
        + _border("insideH", RULE_GREY, 4)
    )
    margins = (
        '<w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
    )
    header = (
        f"<w:tcBorders>{_border('bottom', NHS_BLUE, 8)}</w:tcBorders>"
        f'<w:shd w:val="clear" w:color="auto" w:fill="{_lighten(NHS_BLUE, 0.9)}"/>'
        '<w:vAlign w:val="bottom"/>'
    )
    return _style(
        "table",
        "Table",
        "Table",
        f"<w:rPr>{_font(9)}</w:rPr>"
        f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar>{margins}</w:tblCellMar></w:tblPr>"
        f'<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr>{header}</w:tcPr>'
        "</w:tblStylePr>",
        None,
        custom=False,
        priority=59,
    )


def styles_xml(styles: str) -> str:
    """pandoc's styles with the book's."""
    styles = re.sub(
        r"<w:rPrDefault>.*?</w:rPrDefault>",
        f'<w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" '
        'w:eastAsiaTheme="minorEastAsia"/><w:sz w:val="20"/><w:szCs w:val="20"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>',
        styles,
        flags=re.DOTALL,
    )
    styles = re.sub(
        r"<w:pPrDefault>.*?</w:pPrDefault>",
        '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
        "</w:pPr></w:pPrDefault>",
        styles,
        flags=re.DOTALL,
    )
    # pandoc's Verbatim Char (inline code): DejaVu Sans Mono, 9 pt.
    styles = re.sub(
        r'(<w:style\b[^>]*w:styleId="VerbatimChar".*?<w:rPr>).*?(</w:rPr>)',
        lambda m: m.group(1) + _fonts(MONO_FONT) + _font(9) + m.group(2),
        styles,
        count=1,
        flags=re.DOTALL,
    )
    keep = "<w:keepNext/><w:keepLines/>"
    new = [
        _paragraph(
            "BodyText", "Body Text", "Normal", _spacing(0, 140), builtin=True, link="BodyTextChar"
        ),
        _paragraph("Compact", "Compact", "BodyText", _spacing(20, 20)),
        # The cover: title, subtitle (the organisation), left-aligned as in the PDF; Author and Date
        # are for Quarto (the builtin engine prints them among the particulars, below).
        _paragraph(
            "Title",
            "Title",
            "Normal",
            _spacing(2400, 120),
            _fonts(FONT) + _font(28, NHS_DARK_BLUE, True),
            builtin=True,
            next_style="Subtitle",
        ),
        _paragraph(
            "Subtitle",
            "Subtitle",
            "Normal",
            f"<w:pBdr>{_border('bottom', NHS_BLUE, 16)}</w:pBdr>{_spacing(0, 480)}",
            _font(17, NHS_BLUE, False),
            builtin=True,
        ),
        _paragraph(
            "Author", "Author", "Normal", '<w:keepNext/><w:spacing w:after="60"/>', _font(12)
        ),
        _paragraph(
            "Date",
            "Date",
            "Normal",
            '<w:keepNext/><w:spacing w:after="60"/>',
            _font(12, NHS_GREY),
            builtin=True,
        ),
        # The board paper's front matter on the cover, as ``board`` in templates/typst/board.typ:
        # the logo at the top right, the purpose line ruled in blue, the particulars in two columns.
        _paragraph(
            "CoverLogo", "Cover Logo", "Normal", '<w:spacing w:after="0"/><w:jc w:val="right"/>'
        ),
        _paragraph(
            "CoverPurpose",
            "Cover Purpose",
            "Normal",
            f"<w:keepNext/><w:pBdr>{_border('left', NHS_BLUE, 24, 8)}</w:pBdr>"
            f'{_spacing(0, 280)}<w:ind w:left="220"/>',
            _font(12, None, True),
        ),
        _paragraph(
            "CoverParticulars",
            "Cover Particulars",
            "Normal",
            f'<w:keepNext/><w:tabs><w:tab w:val="left" w:pos="{PARTICULARS_TAB}"/></w:tabs>'
            f'{_spacing(0, 130)}<w:ind w:left="{PARTICULARS_TAB}" w:hanging="{PARTICULARS_TAB}"/>',
            _font(11),
        ),
        _style(
            "character",
            "CoverLabel",
            "Cover Label",
            f'<w:rPr><w:color w:val="{NHS_GREY}"/></w:rPr>',
            "DefaultParagraphFont",
        ),
        # Headings: each chapter on a new page, under a blue rule, as in the PDF.
        _paragraph(
            "Heading1",
            "heading 1",
            "Normal",
            f"{keep}<w:pageBreakBefore/><w:pBdr>{_border('bottom', NHS_BLUE, 12)}</w:pBdr>"
            f'{_spacing(240, 240)}<w:outlineLvl w:val="0"/>',
            _font(20, NHS_DARK_BLUE, True),
            builtin=True,
            next_style="FirstParagraph",
        ),
        _paragraph(
            "Heading2",
            "heading 2",
            "Normal",
            f'{keep}{_spacing(320, 120)}<w:outlineLvl w:val="1"/>',
            _font(14, NHS_DARK_BLUE, True),
            builtin=True,
            next_style="FirstParagraph",
        ),
        _paragraph(
            "Heading3",
            "heading 3",
            "Normal",
            f'{keep}{_spacing(240, 80)}<w:outlineLvl w:val="2"/>',
            _font(12, NHS_DARK_BLUE, True),
            builtin=True,
            next_style="FirstParagraph",
        ),
        _style(
            "character",
            "SectionNumber",
            "Section Number",
            f'<w:rPr><w:color w:val="{NHS_BLUE}"/></w:rPr>',
            "DefaultParagraphFont",
        ),
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            f'<w:rPr><w:color w:val="{NHS_BLUE}"/><w:u w:val="single"/></w:rPr>',
            "DefaultParagraphFont",
            custom=False,
        ),
        # Captions: "Figure 2.1: ..." under a chart, "Table 2.1: ..." above a table.
        _paragraph(
            "Caption", "caption", "Normal", _spacing(60, 240), _font(9, NHS_GREY), builtin=True
        ),
        _paragraph("TableCaption", "Table Caption", "Caption", f"<w:keepNext/>{_spacing(240, 80)}"),
        _paragraph("ImageCaption", "Image Caption", "Caption"),
        _paragraph(
            "CaptionedFigure", "Captioned Figure", "Figure", f"<w:keepNext/>{_spacing(240, 0)}"
        ),
        # The contents page.
        _paragraph(
            "TOCHeading",
            "TOC Heading",
            "Heading1",
            '<w:pageBreakBefore/><w:outlineLvl w:val="9"/>',
            builtin=True,
            next_style="BodyText",
        ),
        _paragraph(
            "TOC1",
            "toc 1",
            "Normal",
            _right_tab("dot") + _spacing(160, 40),
            "<w:b/><w:bCs/>",
            builtin=True,
            next_style="Normal",
        ),
        _paragraph(
            "TOC2",
            "toc 2",
            "Normal",
            _right_tab("dot") + _spacing(0, 40) + '<w:ind w:left="440"/>',
            builtin=True,
            next_style="Normal",
        ),
        # The running header and footer of every page.
        _paragraph(
            "Header",
            "header",
            "Normal",
            _right_tab() + '<w:spacing w:after="0"/>',
            _font(8.5, NHS_GREY),
            builtin=True,
        ),
        _paragraph(
            "Footer",
            "footer",
            "Normal",
            f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/></w:tabs>'
            '<w:spacing w:after="0"/>',
            _font(8.5, NHS_GREY),
            builtin=True,
        ),
        _paragraph(
            "Classification",
            "Classification",
            "Header",
            '<w:spacing w:after="60"/><w:jc w:val="center"/>',
            "<w:b/><w:bCs/><w:caps/>" + _font(10, "000000"),
        ),
        _table_style(),
        # Callouts: a one-cell table in a Callout <Kind> style, holding Callout Title and Callout
        # paragraphs.
        _paragraph(
            "CalloutTitle",
            "Callout Title",
            "Normal",
            f"<w:keepNext/>{_spacing(0, 60)}",
            _font(11, NHS_DARK_BLUE, True),
            next_style="Callout",
        ),
        _paragraph("Callout", "Callout", "Normal", _spacing(0, 80)),
        _callout_style("CalloutBox", "Callout Box", NHS_BLUE, None),
    ]
    # Each kind's style is whole (not only its colours over Callout Box): LibreOffice does not
    # follow one table style's basedOn to another's borders.
    new += [
        _callout_style(f"Callout{kind}", f"Callout {kind}", colour, "CalloutBox")
        for kind, colour in CALLOUT_COLOURS.items()
    ]
    for item in new:
        style_id = re.search(r'w:styleId="([^"]+)"', item).group(1)
        styles = _replace_style(styles, style_id, item)
    return styles


def _field(code: str, shown: str, rpr: str = "") -> str:
    """A complex field showing ``shown`` (in runs with the properties ``rpr``) until Word updates
    it."""
    # rpr on every run: LibreOffice reads the first
    run = f"<w:r><w:rPr>{rpr}</w:rPr>" if rpr else "<w:r>"
    return (
        f'{run}<w:fldChar w:fldCharType="begin"/></w:r>{run}<w:instrText xml:space="preserve"> '
        f'{code} </w:instrText></w:r>{run}<w:fldChar w:fldCharType="separate"/></w:r>'
        f'{run}<w:t xml:space="preserve">{shown}</w:t></w:r>'
        f'{run}<w:fldChar w:fldCharType="end"/></w:r>'
    )


#: The classification: a DOCPROPERTY field, showing the document's custom property Classification.
CLASSIFICATION_FIELD = "DOCPROPERTY Classification \\* MERGEFORMAT"

#: The running header, as in the PDF: the classification (in a paragraph of the Classification
#: style), then the title (a TITLE field: the document's title). The builtin engine writes the
#: fields' results for each edition and removes the Classification paragraph when it has none; Word
#: updates them when it updates fields, and stock Quarto (which does not fill them) shows the
#: book's title.
HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Classification"/></w:pPr>'
    + _field(CLASSIFICATION_FIELD, "")
    + "</w:p>"
    '<w:p><w:pPr><w:pStyle w:val="Header"/>'
    f"<w:pBdr>{_border('bottom', RULE_GREY, 4)}</w:pBdr></w:pPr>"
    + _field("TITLE \\* MERGEFORMAT", "Health Inequalities Book")
    + "</w:p></w:hdr>"
)

#: The number of pages after the cover: ``{ = { NUMPAGES } - 1 }``, a formula field holding a
#: NUMPAGES field. The formula has no shown result until Word computes it (LibreOffice, which
#: cannot, then shows the NUMPAGES field's, all pages); the builtin engine replaces it with a
#: PAGEREF field (``hi_reports.render._docx.count_pages_after_cover``), which both compute.
PAGES_AFTER_COVER = (
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> = </w:instrText></w:r>'
    + _field("NUMPAGES", "1")
    + '<w:r><w:instrText xml:space="preserve"> - 1 </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
)

#: The footer, as in the PDF: the classification in bold capitals on the left (empty without one),
#: "Page X of Y" in the middle: a PAGE field, and the pages after the cover.
FOOTER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
    + _field(CLASSIFICATION_FIELD, "", "<w:b/><w:bCs/><w:caps/>")
    + '<w:r><w:tab/><w:t xml:space="preserve">Page </w:t></w:r>'
    + _field("PAGE", "1")
    + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    + PAGES_AFTER_COVER
    + "</w:p></w:ftr>"
)

#: The cover's header, as the PDF's: the classification alone (the builtin engine leaves an empty
#: paragraph when the edition has none).
FIRST_HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Classification"/></w:pPr>'
    + _field(CLASSIFICATION_FIELD, "")
    + "</w:p></w:hdr>"
)

#: The cover's footer: empty (no page number on the cover, as in the PDF).
FIRST_FOOTER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p></w:ftr>'
)

#: The page, header and footer: the first page (the cover) has its own (``w:titlePg``) and is page 0
#: (``w:pgNumType w:start="0"``), so that the page after it is page 1, as in the PDF.
SECTION = (
    '<w:sectPr><w:headerReference w:type="default" r:id="rIdHiHeader"/>'
    '<w:footerReference w:type="default" r:id="rIdHiFooter"/>'
    '<w:headerReference w:type="first" r:id="rIdHiFirstHeader"/>'
    '<w:footerReference w:type="first" r:id="rIdHiFirstFooter"/>'
    '<w:footnotePr><w:numRestart w:val="eachSect"/></w:footnotePr>'
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1588" w:right="1418" w:bottom="1418" w:left="1418" w:header="709" '
    'w:footer="567" w:gutter="0"/><w:pgNumType w:start="0"/><w:titlePg/></w:sectPr>'
)

#: The header and footer parts: (relationship id, part name, kind, XML).
PARTS = (
    ("rIdHiHeader", "header1.xml", "header", HEADER),
    ("rIdHiFooter", "footer1.xml", "footer", FOOTER),
    ("rIdHiFirstHeader", "header2.xml", "header", FIRST_HEADER),
    ("rIdHiFirstFooter", "footer2.xml", "footer", FIRST_FOOTER),
)


def _callout_sample(kind: str) -> str:
    """A sample callout, for whoever restyles the reference document in Word."""
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="Callout{kind}"/><w:tblW w:w="5000" w:type="pct"/>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{TEXT_WIDTH}"/></w:tblGrid>'
        '<w:tr><w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/></w:tcPr>'
        '<w:p><w:pPr><w:pStyle w:val="CalloutTitle"/></w:pPr>'
        f"<w:r><w:t>Callout {kind}</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="Callout"/></w:pPr><w:r><w:t>Callout text.</w:t></w:r></w:p>'
        "</w:tc></w:tr></w:tbl><w:p/>"
    )


def document_xml(document: str) -> str:
    """pandoc's sample document with the book's page and header, and sample callouts."""
    document = (
        document.replace("<w:document ", f'<w:document xmlns:r="{R_NS}" ', 1)
        if "xmlns:r=" not in document
        else document
    )
    samples = "".join(_callout_sample(kind) for kind in CALLOUT_COLOURS)
    return re.sub(
        r"<w:sectPr>.*?</w:sectPr>", lambda _: samples + SECTION, document, flags=re.DOTALL
    )


def rels_xml(rels: str) -> str:
    links = "".join(
        f'<Relationship Type="{REL_TYPE}/{kind}" Id="{rid}" Target="{name}" />'
        for rid, name, kind, _ in PARTS
    )
    return rels.replace("</Relationships>", links + "</Relationships>")


def content_types_xml(types: str) -> str:
    overrides = "".join(
        f'<Override PartName="/word/{name}" ContentType="{CONTENT_TYPE}.{kind}+xml"/>'
        for _, name, kind, _ in PARTS
    )
    return types.replace("</Types>", overrides + "</Types>")


def theme_xml(theme: str) -> str:
    """The theme's fonts (which some of pandoc's styles name) set to DejaVu Sans."""
    return re.sub(
        r'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*"( panose=")[^"]*"',
        lambda m: f'{m.group(1)}{FONT}"{m.group(2)}{PANOSE[FONT]}"',
        theme,
    )


def font_table_xml(fonts: str) -> str:
    """The font table with DejaVu Sans and DejaVu Sans Mono: their PANOSE numbers and families tell
    Word what to substitute where they are not installed (a sans-serif; a fixed-pitch font)."""
    entries = "".join(
        f'<w:font w:name="{name}"><w:panose1 w:val="{PANOSE[name]}"/><w:charset w:val="00"/>'
        f'<w:family w:val="{"modern" if name == MONO_FONT else "swiss"}"/>'
        f'<w:pitch w:val="{"fixed" if name == MONO_FONT else "variable"}"/></w:font>'
        for name in (FONT, MONO_FONT)
    )
    return fonts.replace("</w:fonts>", entries + "</w:fonts>", 1)


def core_xml(core: str) -> str:
    """Neutral document properties: pandoc writes each edition's own."""
    core = re.sub(
        r"<dc:title>.*?</dc:title>", "<dc:title>Health Inequalities Book</dc:title>", core
    )
    return re.sub(r"<dc:creator>.*?</dc:creator>", "<dc:creator>NHS-R Community</dc:creator>", core)


def build(default: bytes, output: Path) -> None:
    """Write the reference document made from pandoc's ``default`` one to ``output``."""
    import io

    edits = {
        "word/styles.xml": styles_xml,
        "word/document.xml": document_xml,
        "word/_rels/document.xml.rels": rels_xml,
        "[Content_Types].xml": content_types_xml,
        "word/theme/theme1.xml": theme_xml,
        "word/fontTable.xml": font_table_xml,
        "docProps/core.xml": core_xml,
    }
    with (
        zipfile.ZipFile(io.BytesIO(default)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):

        def write(name: str, data: bytes) -> None:
            target.writestr(
                zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )

        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            write(info.filename, data)
        for _, name, _, xml in PARTS:
            write(f"word/{name}", xml.encode("utf-8"))


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    build(pandoc_default(), target)
    print(f"wrote {target}")
