"""The Word document of the builtin engine: its reference document, SVG charts and last touches.

pandoc writes the ``.docx`` with a *reference document* (``templates/word/reference.docx``, made by
``templates/word/make_reference.py``): its page (A4), header and footer, and styles are the
document's. This module

* picks the reference document (:func:`reference_doc`) and fills its header for the edition
  (:func:`personalise_reference`): the classification of the front matter, when there is one, above
  the title with the organisation, on every page but the cover, which has the classification alone
  (the reference's headers have them as Word fields, ``DOCPROPERTY Classification`` and ``TITLE``,
  whose shown text is written here);
* writes the board paper's cover (:func:`cover_markdown`), put before the chapters: the logo, the
  purpose line and the particulars (Author, Contact, Version, Date, Data, Classification), as the
  PDF's cover (``board`` in templates/typst/board.typ) has them;
* gives pandoc PNG copies of the SVG charts (:func:`rasterise_svgs`): pandoc embeds an SVG without
  the PNG that Word 2013 and older need to show it;
* finishes pandoc's file (:func:`finish`): the cover's parts are moved to the cover
  (:func:`place_cover`: pandoc writes the title block and the contents before the body), the
  table of contents is filled with the chapters and sections (pandoc leaves it empty until Word
  updates it), tables and a short list under a heading are kept from splitting badly across pages
  (:func:`keep_tables`, :func:`keep_lists_with_headings`), the footer's total counts the pages
  after the cover in a way LibreOffice computes too (:func:`bookmark_last_page`,
  :func:`count_pages_after_cover`; the reference document makes the cover page 0, with no page
  number), Word is asked to update its fields on opening (the contents then get page numbers),
  the document's title carries the organisation (the subtitle), its author is the paper's, and
  missing callout and cover styles are added.

The numbers (sections, ``Figure 2.1``, ``Table A.1``), callout boxes and table widths come from the
Word block of the Lua filter (:mod:`hi_reports.render._filter`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from hi_reports.errors import RenderError
from hi_reports.render._project import BookConfig
from hi_reports.render.typst_child import OK, TYPST
from hi_reports.shipped import book_folder

#: The reference document in a project (the book stage copies templates/word/ to word/).
PROJECT_REFERENCE = "word/reference.docx"

#: Resolution of the PNG copies of SVG charts.
PNG_PPI = 300

#: Height of the logo on the cover, as in the PDF.
LOGO_HEIGHT = "2.2cm"

#: XML comments around the cover in the body pandoc writes (raw OpenXML blocks of
#: :func:`cover_markdown`): the logo is between the first two, the purpose and particulars between
#: the last two. :func:`place_cover` moves them and drops the comments.
COVER = re.compile(
    r"<!--hi-cover-logo-->(.*?)<!--hi-cover-particulars-->(.*?)<!--/hi-cover-->", re.DOTALL
)

#: pandoc's table of contents (a content control), which follows the title block.
TOC_BLOCK = re.compile(
    r'<w:sdt>\s*<w:sdtPr>\s*<w:docPartObj>\s*<w:docPartGallery w:val="Table of Contents"'
)

#: Characters that XML 1.0 does not allow.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

SVG_LINK = re.compile(r"(\]\(\s*<?)([^()<>\s]+?\.svg)(?=>?[\s)])", re.IGNORECASE)


def shipped_reference() -> Path:
    """``templates/word/reference.docx`` of the book sources shipped with hi_reports
    (:func:`hi_reports.shipped.book_folder`)."""
    return book_folder() / "templates" / "word" / "reference.docx"


def reference_doc(project: Path, docx_format: Mapping[str, Any]) -> Path:
    """The reference document of a project's Word output.

    Parameters
    ----------
    project
        The project folder.
    docx_format
        The project's ``format.docx`` options.

    Returns
    -------
    Path
        ``format.docx.reference-doc`` when the project names one, else the project's
        ``word/reference.docx``, else the one shipped with hi_reports.

    Raises
    ------
    RenderError
        When the named reference document does not exist, or none is found.
    """
    named = docx_format.get("reference-doc")
    if named:
        path = project / str(named)
        if not path.is_file():
            raise RenderError(f"format.docx.reference-doc {named} does not exist in {project}")
        return path
    for path in (project / PROJECT_REFERENCE, shipped_reference()):
        if path.is_file():
            return path
    raise RenderError(
        f"{project / PROJECT_REFERENCE} is missing: the Word document needs the reference document",
        hint="the book stage copies templates/word/ into the project's word/ folder",
    )


def running_title(config: BookConfig) -> str:
    """The document's title with the organisation: ``Title – Subtitle`` (or the title alone)."""
    return f"{config.title} \u2013 {config.subtitle}" if config.subtitle else config.title


def _field_result(code: str) -> re.Pattern[str]:
    """The text shown by a field (``TITLE``, ``DOCPROPERTY Classification``) as Word writes it: the
    first ``w:t`` between the field's separator and its end (groups: before, text, after)."""
    return re.compile(
        rf"(<w:instrText[^>]*>\s*{code}\b[^<]*</w:instrText>"
        r'.*?<w:fldChar w:fldCharType="separate"\s*/>'
        r'(?:(?!w:fldCharType="end").)*?<w:t(?:\s[^>]*)?>)'
        r"([^<]*)(</w:t>)",
        re.DOTALL,
    )


def _paragraphs_with(pattern: str) -> re.Pattern[str]:
    """Whole ``w:p`` elements that hold ``pattern`` (a regular expression)."""
    return re.compile(rf"<w:p[\s>](?:(?!<w:p[\s>]).)*?{pattern}.*?</w:p>", re.DOTALL)


#: What marks a paragraph that holds the classification alone, removed when there is none.
CLASSIFICATION_PARAGRAPH = r'(?:\{\{classification\}\}|<w:pStyle w:val="Classification"\s*/>)'


#: A whole ``DOCPROPERTY Classification`` field: its runs from the field's start to its end.
_CLASSIFICATION_FIELD = re.compile(
    r'<w:r>(?:(?!<w:r>).)*?<w:fldChar w:fldCharType="begin"\s*/></w:r>'
    r"(?:(?!<w:r>).)*?<w:r>(?:(?!<w:r>).)*?<w:instrText[^>]*>\s*DOCPROPERTY\s+Classification\b"
    r'.*?<w:fldChar w:fldCharType="end"\s*/></w:r>',
    re.DOTALL,
)


def _show_in_field(part: str, code: str, text: str) -> str:
    """``part`` with the field ``code`` showing ``text`` (XML-escaped) (:func:`_field_result`)."""
    shown = escape(text)
    return _field_result(code).sub(lambda m: m.group(1) + shown + m.group(3), part)


def fill_header(part: str, title: str, classification: str | None) -> str:
    """A header or footer part with the edition's title and classification.

    The results of its ``TITLE`` and ``DOCPROPERTY Classification`` fields, and the placeholders
    ``{{title}}`` and ``{{classification}}``, become ``title`` and ``classification``; without a
    classification, the paragraphs of the Classification style or with the placeholder are removed,
    and so is the field elsewhere (beside the footer's page numbers): a document without the
    property would show Word's "Error! Unknown document property name." once its fields are
    updated; a part left with no paragraph (the cover's header) gets an empty one, as Word needs.
    """
    if not classification:
        part = _paragraphs_with(CLASSIFICATION_PARAGRAPH).sub("", part)
        part = _CLASSIFICATION_FIELD.sub("", part)
    for code, value in (("TITLE", title), (r"DOCPROPERTY\s+Classification", classification or "")):
        part = _show_in_field(part, code, value)
    part = part.replace("{{title}}", escape(title))
    part = part.replace("{{classification}}", escape(classification or ""))
    if not re.search(r"<w:p[\s>/]", part):  # the cover's header, without a classification
        part = re.sub(r"(</w:(?:hdr|ftr)>)", r"<w:p/>\1", part, count=1)
    return part


def personalise_reference(reference: Path, config: BookConfig, dest: Path) -> Path:
    """Copy ``reference`` to ``dest`` with its header and footer filled for the edition
    (:func:`fill_header` with :func:`running_title` and the front matter's classification).

    Returns
    -------
    Path
        ``dest``.
    """
    title, classification = running_title(config), config.front.classification
    with (
        zipfile.ZipFile(reference) as source,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if re.fullmatch(r"word/(header|footer)\d*\.xml", info.filename):
                data = fill_header(data.decode("utf-8"), title, classification).encode("utf-8")
            out.writestr(info, data)
    return dest


def particulars(config: BookConfig) -> list[tuple[str, str]]:
    """The cover's particulars, as ``_particulars`` in templates/typst/board.typ: (label, value) for
    Author (the front matter's, else the book's), Contact, Version, Date, Data (the data vintages,
    ``cover-note``) and Classification, those that have a value, in that order."""
    front = config.front
    rows = [
        ("Author", front.author or config.author),
        ("Contact", front.contact),
        ("Version", front.version),
        ("Date", config.display_date),
        ("Data", config.cover_note),
        ("Classification", front.classification),
    ]
    return [(label, value) for label, value in rows if value]


def logo_alt(config: BookConfig) -> str:
    """The logo's alternative text: "Logo of <organisation>", the organisation being the subtitle
    up to its first colon (an edition's subtitle is "<organisation>: local edition"), else
    "Logo"."""
    subtitle = config.subtitle or ""
    organisation = subtitle.split(": ", 1)[0].strip() if ": " in subtitle else ""
    return f"Logo of {organisation}" if organisation else "Logo"


def _markdown_text(text: str) -> str:
    """``text`` as literal pandoc markdown: every ASCII punctuation character backslash-escaped."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(text.split()))


def _run(text: str, style: str | None = None) -> str:
    """A run of ``text`` (XML-escaped), in the character style ``style``."""
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    text = escape(XML_INVALID.sub("", " ".join(text.split())))
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def cover_markdown(config: BookConfig, project: Path) -> str:
    """The board paper's cover in pandoc markdown, for the start of the Word document's body.

    Parameters
    ----------
    config
        The book's configuration: its front matter (``front:``), author, date and ``cover-note``.
    project
        The project folder, where the logo's path starts.

    Returns
    -------
    str
        Raw OpenXML blocks between the comments :data:`COVER` finds: the logo (a markdown image,
        so that pandoc embeds it, :data:`LOGO_HEIGHT` high, its alternative text
        :func:`logo_alt`), the purpose (a Cover Purpose paragraph) and the particulars (Cover
        Particulars paragraphs: "Version", a tab, "1.2"). pandoc puts them after the table of
        contents; :func:`place_cover` moves them onto the cover.

    Raises
    ------
    RenderError
        When the front matter names a logo that is not in the project.
    """
    blocks = ["```{=openxml}\n<!--hi-cover-logo-->\n```"]
    logo = config.front.logo
    if logo:
        if not (project / logo).is_file():
            raise RenderError(
                f"front.logo {logo} does not exist in {project}",
                hint="the logo's path is relative to the project folder",
            )
        # the raw run after the image keeps it from being alone in its paragraph, which would make
        # it a figure with a caption
        blocks.append(
            f"![{_markdown_text(logo_alt(config))}](<{logo}>){{height={LOGO_HEIGHT}}}"
            "`<w:r/>`{=openxml}"
        )
    paragraphs = []
    if config.front.purpose:
        paragraphs.append(
            '<w:p><w:pPr><w:pStyle w:val="CoverPurpose"/></w:pPr>'
            f"{_run(config.front.purpose)}</w:p>"
        )
    for label, value in particulars(config):
        paragraphs.append(
            '<w:p><w:pPr><w:pStyle w:val="CoverParticulars"/></w:pPr>'
            f"{_run(label, 'CoverLabel')}<w:r><w:tab/></w:r>{_run(value)}</w:p>"
        )
    blocks.append(
        "```{=openxml}\n<!--hi-cover-particulars-->\n"
        + "\n".join(paragraphs)
        + "\n<!--/hi-cover-->\n```"
    )
    return "\n\n".join(blocks) + "\n\n"


def place_cover(document: str) -> str:
    """The cover's parts of pandoc's ``document.xml`` (:func:`cover_markdown`) in their places: the
    logo's paragraph (in the Cover Logo style: at the right) first, above the title; the purpose and
    particulars under the title block, before the table of contents. Unchanged without them."""
    match = COVER.search(document)
    if not match:
        return document
    logo = re.sub(
        r'<w:pStyle w:val="[^"]*"\s*/>',
        '<w:pStyle w:val="CoverLogo"/>',
        match.group(1).strip(),
        count=1,
    )
    rest = match.group(2).strip()
    document = document[: match.start()] + document[match.end() :]
    toc = TOC_BLOCK.search(document)
    at = toc.start() if toc else match.start()
    document = document[:at] + rest + document[at:]
    body = re.search(r"<w:body>", document)
    return document[: body.end()] + logo + document[body.end() :] if body and logo else document


def svg_images(markdown: str) -> list[str]:
    """The ``.svg`` files that the markdown's images link to (``![...](figures/x.svg)``), once
    each."""
    return list(dict.fromkeys(m.group(2) for m in SVG_LINK.finditer(markdown)))


def rasterise_svgs(markdown: str, project: Path, folder: Path) -> str:
    """Point the markdown's SVG images at PNG copies (:data:`PNG_PPI` dpi) written in ``folder``.

    Parameters
    ----------
    markdown
        The book's markdown.
    project
        The project folder, where the image paths start.
    folder
        Where to write the PNG copies (a temporary folder), at the SVG files' paths with ``.png``
        (``figures/x.svg`` -> ``folder/figures/x.png``): pandoc is to look for images in ``folder``
        before ``project`` (``--resource-path``), and the document names the image
        ``figures/x.png``, not a temporary path.

    Returns
    -------
    str
        The markdown with each link to an SVG file of the project changed to ``.png``; unchanged
        when there is none.

    Raises
    ------
    RenderError
        When Typst cannot draw an SVG file.
    """
    root = project.resolve()
    found = {}
    for name in svg_images(markdown):
        svg = (project / name).resolve()
        if svg.is_file() and svg.is_relative_to(root) and not Path(name).is_absolute():
            found[name] = name[: -len(".svg")] + ".png"
    if not found:
        return markdown
    images = []
    for name, png in found.items():
        (folder / png).parent.mkdir(parents=True, exist_ok=True)
        images.append(((project / name).resolve(), folder / png))
    # Typst draws them in its child process: it keeps every image it has drawn in memory until
    # the process ends (see hi_reports.render.typst_child).
    outcome, message = TYPST.png(root, images, PNG_PPI)
    if outcome != OK:
        raise RenderError(f"could not draw the SVG charts of {project} for Word: {message}")
    return SVG_LINK.sub(lambda m: m.group(1) + found.get(m.group(2), m.group(2)), markdown)


def _text(element: ElementTree.Element) -> str:
    """A paragraph's text, a tab as a space (the tab after a section number)."""
    parts = []
    for node in element.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append(" ")
    return " ".join("".join(parts).split())


def headings(document: str, depth: int) -> list[tuple[int, str, str]]:
    """The document's headings down to ``depth``: (level, bookmark, text), in order.

    Only the headings of the body's own paragraphs count (not those in tables); the bookmark is the
    one pandoc opens just before the heading (the heading's identifier).
    """
    body = ElementTree.fromstring(document.encode("utf-8")).find(f"{W}body")
    found: list[tuple[int, str, str]] = []
    bookmark = ""
    for child in [] if body is None else list(body):
        if child.tag == f"{W}bookmarkStart":
            bookmark = child.get(f"{W}name", "")
            continue
        if child.tag == f"{W}p":
            style = child.find(f"{W}pPr/{W}pStyle")
            match = re.fullmatch(r"Heading(\d)", "" if style is None else style.get(f"{W}val", ""))
            if match and int(match.group(1)) <= depth:
                found.append((int(match.group(1)), bookmark, _text(child)))
        bookmark = ""
    return found


def _toc_entries(entries: list[tuple[int, str, str]], field: str) -> str:
    """Paragraphs holding the table of contents field (``field``: its opening runs) and, as its
    result, one entry a heading, linked to it."""
    paragraphs = []
    for index, (level, bookmark, text) in enumerate(entries):
        runs = field if index == 0 else ""
        entry = f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
        if bookmark:
            anchor = escape(bookmark, {'"': "&quot;"})
            entry = f'<w:hyperlink w:anchor="{anchor}" w:history="1">{entry}</w:hyperlink>'
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if index == len(entries) - 1 else ""
        paragraphs.append(
            f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>{runs}{entry}{end}</w:p>'
        )
    return "".join(paragraphs)


TOC_FIELD = re.compile(
    r'<w:p><w:r>(<w:fldChar w:fldCharType="begin"[^>]*/>)'
    r"(<w:instrText[^>]*>TOC [^<]*</w:instrText>)"
    r'<w:fldChar w:fldCharType="separate"\s*/><w:fldChar w:fldCharType="end"\s*/></w:r></w:p>'
)


def fill_contents(document: str) -> str:
    """pandoc's empty table of contents field filled with the headings it lists (no page numbers:
    Word adds them when it updates the field)."""
    match = TOC_FIELD.search(document)
    if not match:
        return document
    depth = re.search(r'\\o &quot;1-(\d)&quot;|\\o "1-(\d)"', match.group(2))
    levels = int(next(g for g in depth.groups() if g)) if depth else 3
    entries = headings(document, levels)
    if not entries:
        return document
    field = (
        f"<w:r>{match.group(1)}</w:r><w:r>{match.group(2)}</w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )
    return document[: match.start()] + _toc_entries(entries, field) + document[match.end() :]


#: Elements of w:settings that come after w:updateFields, in the schema's order.
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def update_fields_on_open(settings: str) -> str:
    """Word settings asking Word to update the fields (contents, page numbers) on opening."""
    if "<w:updateFields" in settings:
        return settings
    element = '<w:updateFields w:val="true"/>'
    places = [settings.find(f"<{tag}") for tag in _AFTER_UPDATE_FIELDS]
    places = [p for p in places if p >= 0]
    at = min(places) if places else settings.rfind("</w:settings>")
    return settings[:at] + element + settings[at:]


def add_missing_styles(styles: str, shipped: str) -> str:
    """``styles`` with the callout and cover styles of the shipped reference it lacks (a project's
    own reference document may have none)."""
    missing = []
    for match in re.finditer(
        r'<w:style\b[^>]*w:styleId="((?:Callout|Cover)\w*)"[^>]*>.*?</w:style>',
        shipped,
        flags=re.DOTALL,
    ):
        if f'w:styleId="{match.group(1)}"' not in styles:
            missing.append(match.group(0))
    return styles.replace("</w:styles>", "".join(missing) + "</w:styles>") if missing else styles


def _core_properties(core: str, title: str, author: str | None) -> str:
    """pandoc's ``docProps/core.xml`` with ``title`` and ``author`` (both XML-escaped)."""
    core = re.sub(
        r"<dc:title>.*?</dc:title>|<dc:title\s*/>",
        lambda _: f"<dc:title>{title}</dc:title>",
        core,
        count=1,
        flags=re.DOTALL,
    )
    if author:
        core = re.sub(
            r"<dc:creator>.*?</dc:creator>|<dc:creator\s*/>",
            lambda _: f"<dc:creator>{escape(author)}</dc:creator>",
            core,
            count=1,
            flags=re.DOTALL,
        )
    return core


#: The PDF's short tables, which never split (``keep_short_table`` in the Lua filter): at most this
#: many body rows and characters.
SHORT_TABLE_ROWS, SHORT_TABLE_CHARS = 15, 1000

#: The fewest rows of a long table's body kept together at the top and at the foot of the table:
#: a page break never leaves the header with one row, nor one row alone on the next page.
TABLE_END_ROWS = 2

#: A list kept with the heading it follows (all of it on the heading's page): at most this many
#: items and characters.
SHORT_LIST_ITEMS, SHORT_LIST_CHARS = 6, 800


def _spans(xml: str, tag: str) -> list[tuple[int, int]]:
    """Where the outermost ``w:<tag>`` elements of ``xml`` start and end (those nested in them, as
    the rows of a table in a cell of a row, are in their spans)."""
    spans, depth, start = [], 0, 0
    for match in re.finditer(rf"<(/?)w:{tag}(?:\s[^>]*)?(/?)>", xml):
        if match.group(2):
            continue
        if match.group(1):
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
        else:
            if depth == 0:
                start = match.start()
            depth += 1
    return spans


def _plain(xml: str) -> str:
    """The text of the ``w:t`` elements of ``xml``."""
    return "".join(re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))


def keep_next(paragraphs: str) -> str:
    """The ``w:p`` elements of ``paragraphs`` kept with the paragraph that follows each
    (``w:keepNext``, after ``w:pStyle`` as the schema orders a paragraph's properties)."""

    def keep(match: re.Match[str]) -> str:
        paragraph = match.group(0)
        if "<w:keepNext" in paragraph.split("</w:pPr>", 1)[0]:
            return paragraph
        if "<w:pPr>" not in paragraph.split("<w:r", 1)[0]:
            return re.sub(
                r"<w:p(\s[^>]*)?>", r"<w:p\1><w:pPr><w:keepNext/></w:pPr>", paragraph, count=1
            )
        style = re.search(r"<w:pPr>\s*<w:pStyle [^>]*/>", paragraph)
        at = style.end() if style else paragraph.index("<w:pPr>") + len("<w:pPr>")
        return paragraph[:at] + "<w:keepNext/>" + paragraph[at:]

    return re.sub(r"<w:p(?:\s[^>]*)?>.*?</w:p>", keep, paragraphs, flags=re.DOTALL)


#: A table row's start and its own properties (group 1), if it has them.
_ROW_START = re.compile(
    r"<w:tr(?:\s[^>]*)?>\s*(?:<w:tblPrEx>.*?</w:tblPrEx>\s*)?(<w:trPr>.*?</w:trPr>)?", re.DOTALL
)


def _row_has(row: str, prop: str) -> bool:
    """Whether a table row's own properties (not a row's of a table in its cells) hold ``prop``."""
    start = _ROW_START.match(row)
    own = start.group(1) if start else None
    return bool(re.search(rf"<w:{prop}[\s/>]", own or ""))


def _row_properties(row: str, *properties: str) -> str:
    """A table row (``w:tr``) with ``properties`` (``cantSplit``, ``tblHeader``) it lacks."""
    add = "".join(f"<w:{p}/>" for p in properties if not _row_has(row, p))
    start = _ROW_START.match(row)
    if not add or start is None:
        return row
    if start.group(1):
        at = start.start(1) + len("<w:trPr>")
        return row[:at] + add + row[at:]
    return row[: start.end()] + f"<w:trPr>{add}</w:trPr>" + row[start.end() :]


def _keep_table(table: str) -> str:
    """One table (``w:tbl``) set as :func:`keep_tables` says, its nested tables too."""
    style = re.search(r'<w:tblStyle w:val="([^"]*)"', table)  # the table's own: its tblPr is first
    rows = _spans(table, "tr")
    if not rows:
        return table
    callout = style is not None and style.group(1).startswith("Callout")
    header = bool(re.search(r'<w:tblLook [^>]*w:firstRow="1"', table.split("<w:tr", 1)[0]))
    texts = [table[start:end] for start, end in rows]
    heads = 0
    if not callout:
        for text in texts:
            if not _row_has(text, "tblHeader"):
                break
            heads += 1
        heads = max(heads, 1 if header else 0)
    body = len(texts) - heads
    short = body <= SHORT_TABLE_ROWS and len(_plain(table)) <= SHORT_TABLE_CHARS
    out = []
    for index, text in enumerate(texts):
        text = keep_tables(text)  # a table in a cell
        if not callout:
            text = _row_properties(text, "cantSplit", *(["tblHeader"] if index < heads else []))
            last = index == len(texts) - 1
            top = index < heads + TABLE_END_ROWS - 1
            foot = index >= len(texts) - TABLE_END_ROWS
            if not last and (short or top or foot):
                text = keep_next(text)
        out.append(text)
    pieces, at = [], 0
    for (start, end), text in zip(rows, out, strict=True):
        pieces += [table[at:start], text]
        at = end
    return "".join(pieces) + table[at:]


def keep_tables(document: str) -> str:
    """Tables that split across pages as the PDF's do, or better.

    A data table's rows never split across pages (``w:cantSplit``: "Lower Layer Super" on one page,
    "Output Areas" on the next); its header rows, the first when it has one, are repeated on each
    page (``w:tblHeader``); a short table (:data:`SHORT_TABLE_ROWS` body rows or fewer, and
    :data:`SHORT_TABLE_CHARS` characters) never splits, as in the PDF, and a long one keeps
    :data:`TABLE_END_ROWS` body rows with its header and together at its foot (the paragraphs of
    those rows but the last are kept with the next: ``w:keepNext``, how Word keeps rows together).

    Callout boxes (one-cell tables in a Callout style) are left to split, as the PDF's do: a box
    kept whole could leave most of a page empty; the tables in them are set as others.
    """
    pieces, at = [], 0
    for start, end in _spans(document, "tbl"):
        pieces += [document[at:start], _keep_table(document[start:end])]
        at = end
    return "".join(pieces) + document[at:]


#: A heading paragraph, then the list paragraphs (``w:numPr``) that follow it.
_HEADING_LIST = re.compile(
    r'(<w:p>(?:(?!</w:p>).)*?<w:pStyle w:val="Heading\d"\s*/>.*?</w:p>\s*)'
    r"((?:<w:p>(?:(?!</w:p>).)*?<w:numPr>.*?</w:p>\s*)+)",
    re.DOTALL,
)


def keep_lists_with_headings(document: str) -> str:
    """A short list (:data:`SHORT_LIST_ITEMS` items and :data:`SHORT_LIST_CHARS` characters or
    fewer) right under a heading kept whole, on the heading's page: each item but the last is kept
    with the next (the heading styles keep a heading with its first item only, which left "What the
    board might ask" and one question at the foot of a page, the other questions on the next)."""

    def keep(match: re.Match[str]) -> str:
        items: list[str] = re.findall(r"<w:p>.*?</w:p>\s*", match.group(2), flags=re.DOTALL)
        if len(items) > SHORT_LIST_ITEMS or len(_plain(match.group(2))) > SHORT_LIST_CHARS:
            return match.group(0)
        return match.group(1) + keep_next("".join(items[:-1])) + items[-1]

    return _HEADING_LIST.sub(keep, document)


#: The bookmark on the document's last text, whose page number is the number of pages after the
#: cover (the cover being page 0).
LAST_PAGE = "_HiLastPage"

#: The footer's ``{ = { NUMPAGES } - 1 }`` (PAGES_AFTER_COVER in templates/word/make_reference.py):
#: from the formula's begin to its end (the end after its `` - 1``; NUMPAGES's own comes before).
_PAGES_AFTER_COVER = re.compile(
    r'<w:r>(?:<w:rPr>(?:(?!</w:r>).)*?</w:rPr>)?<w:fldChar w:fldCharType="begin"\s*/></w:r>\s*'
    r"<w:r>(?:<w:rPr>(?:(?!</w:r>).)*?</w:rPr>)?<w:instrText[^>]*>\s*=\s*</w:instrText></w:r>"
    r"(?:(?!<w:instrText).)*?<w:instrText[^>]*>\s*NUMPAGES\b[^<]*</w:instrText>"
    r"(?:(?!<w:instrText).)*?<w:instrText[^>]*>\s*-\s*1\s*</w:instrText></w:r>"
    r'(?:(?!w:fldCharType="end").)*?<w:fldChar w:fldCharType="end"\s*/></w:r>',
    re.DOTALL,
)

#: A run with text.
_TEXT_RUN = re.compile(
    r"<w:r(?:\s[^>]*)?>(?:(?!</w:r>).)*?<w:t[\s>](?:(?!</w:r>).)*?</w:r>", re.DOTALL
)


def bookmark_last_page(document: str) -> str:
    """The document with its last run of text in the bookmark :data:`LAST_PAGE` (unchanged when it
    has no text). The bookmark holds text: LibreOffice finds no empty one."""
    end = document.rfind("<w:sectPr", 0, document.rfind("</w:body>"))
    runs = list(_TEXT_RUN.finditer(document, 0, end if end >= 0 else len(document)))
    if not runs:
        return document
    last = runs[-1]
    ids = [int(i) for i in re.findall(r'<w:bookmarkStart [^>]*w:id="(\d+)"', document)]
    mark = max(ids, default=0) + 1
    return (
        document[: last.start()]
        + f'<w:bookmarkStart w:id="{mark}" w:name="{LAST_PAGE}"/>'
        + last.group(0)
        + f'<w:bookmarkEnd w:id="{mark}"/>'
        + document[last.end() :]
    )


def count_pages_after_cover(footer: str) -> str:
    """A footer whose ``{ = { NUMPAGES } - 1 }`` (the pages after the cover) is a PAGEREF field to
    the bookmark :data:`LAST_PAGE` (:func:`bookmark_last_page`): the last page's number, the cover
    being page 0. Word computes both, LibreOffice only the PAGEREF (it shows the formula as all the
    pages, the cover too). Its shown result is 1 until they compute it, as the page number's."""
    field = (
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
        f'PAGEREF {LAST_PAGE} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t xml:space="preserve">1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    return _PAGES_AFTER_COVER.sub(lambda _: field, footer)


def finish(docx: Path, config: BookConfig) -> None:
    """Finish pandoc's Word document in place: cover, contents, tables and lists kept together
    (:func:`keep_tables`, :func:`keep_lists_with_headings`), the number of pages after the cover
    (:func:`count_pages_after_cover`), field updates, title and author, callout and cover styles.

    Parameters
    ----------
    docx
        The document pandoc wrote.
    config
        The book's configuration (title and subtitle, author).
    """
    shipped = shipped_reference()
    shipped_styles = ""
    if shipped.is_file():
        with zipfile.ZipFile(shipped) as ref:
            shipped_styles = ref.read("word/styles.xml").decode("utf-8")
    title = escape(running_title(config))
    # pandoc is not given the author (it would print it under the title: the particulars have it)
    author = config.front.author or config.author
    edits: dict[str, Callable[[str], str]] = {
        "word/document.xml": lambda text: bookmark_last_page(
            keep_lists_with_headings(keep_tables(fill_contents(place_cover(text))))
        ),
        "word/settings.xml": update_fields_on_open,
        "word/styles.xml": lambda text: add_missing_styles(text, shipped_styles),
        "docProps/core.xml": lambda text: _core_properties(text, title, author),
    }
    with zipfile.ZipFile(docx) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    parts = {info.filename: data.decode("utf-8") for info, data in items if info.filename in edits}
    parts = {name: edits[name](text) for name, text in parts.items()}
    if f'w:name="{LAST_PAGE}"' in parts.get("word/document.xml", ""):
        edits.update(
            {
                info.filename: count_pages_after_cover
                for info, _ in items
                if re.fullmatch(r"word/footer\d*\.xml", info.filename)
            }
        )
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename in parts:
                data = parts[info.filename].encode("utf-8")
            elif info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)


def metadata_args(config: BookConfig) -> list[str]:
    """pandoc ``--metadata`` options for the document's properties: description (the purpose), and
    Classification, Version and Contact as custom properties (:func:`finish` writes the author)."""
    front = config.front
    values = {
        "description": front.purpose,
        "Classification": front.classification,
        "Version": front.version,
        "Contact": front.contact,
    }
    args: list[str] = []
    for key, value in values.items():
        if value:
            args += ["--metadata", f"{key}={value}"]
    return args
