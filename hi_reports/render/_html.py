"""Split pandoc's HTML of the whole book into one page per chapter, with navigation.

Pandoc writes the concatenated book as one HTML fragment in which each chapter starts with a
``<!-- hi-chapter: file.qmd -->`` marker (see :mod:`hi_reports.render._filter`). This module cuts it
at the markers, points every in-book link at the page that holds its anchor, builds each page's
table of contents, and fills the page template (Jinja2) from the project's ``html/`` folder.

The same chapters make the single self-contained file of ``html-single`` (:func:`write_single`):
every chapter one after the other, the stylesheet and the images inside it.

On a phone's narrow screen, a table scrolls sideways inside its own focusable box
(:func:`wrap_tables`), and a chart fits the width, linked to its full-size image
(:func:`link_figures`): the whole chart stays in view, the full-size file zooms, and the table
beside each chart gives its numbers as text.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import jinja2
from bs4 import BeautifulSoup, Tag
from markupsafe import Markup

from hi_reports.errors import RenderError
from hi_reports.render._project import BookConfig
from hi_reports.render.base import expected_outputs

MARKER = re.compile(r"<!-- hi-chapter: (.+?) -->\n?")
TEMPLATE_NAME = "page.html.jinja"
STYLESHEET = "style.css"

#: How the pages name each output of the edition they link to (see :func:`downloads`).
DOWNLOAD_LABELS = {
    "pdf": "PDF",
    "brief": "Brief (PDF)",
    "docx": "Word",
    "html-single": "Single HTML file",
    "annex": "Numbers (CSV)",
    "notebook": "Notebook (Jupyter)",
}
#: The edition's annex of numbers, beside the HTML book (written by the build).
ANNEX = "annex.csv"


@dataclass
class Page:
    """One chapter's page."""

    source: str  # chapter file, e.g. "imd.qmd"
    href: str  # output file name, e.g. "imd.html"
    soup: BeautifulSoup
    title: str = ""
    number: str = ""
    appendix: bool = False


def page_name(source: str, first: bool, has_index: bool) -> str:
    """Output file name of a chapter: its file name with ``.html`` (the first page is the index)."""
    if first and not has_index:
        return "index.html"
    return Path(source).with_suffix(".html").name


def split_pages(html: str, config: BookConfig) -> list[Page]:
    """Cut the book's HTML at the chapter markers.

    Parameters
    ----------
    html
        Pandoc's HTML fragment for the whole book.
    config
        The book configuration (chapter order, appendices).

    Returns
    -------
    list of Page
        One page per chapter file, in reading order.
    """
    parts = MARKER.split(html)
    sources = parts[1::2]
    if list(sources) != list(config.files):
        raise RenderError(
            "pandoc's HTML does not have one section per chapter "
            f"(expected {list(config.files)}, found {sources})"
        )
    has_index = any(Path(s).stem == "index" for s in sources)
    pages = []
    for i, (source, body) in enumerate(zip(sources, parts[2::2], strict=True)):
        soup = BeautifulSoup(body, "html.parser")
        page = Page(
            source, page_name(source, i == 0, has_index), soup, appendix=source in config.appendices
        )
        h1 = soup.find("h1")
        if isinstance(h1, Tag):
            number = h1.find("span", class_="header-section-number")
            page.number = number.get_text(strip=True) if isinstance(number, Tag) else ""
            if isinstance(number, Tag):
                number.extract()
                page.title = h1.get_text(" ", strip=True)
                h1.insert(0, number)
            else:
                page.title = h1.get_text(" ", strip=True)
        else:
            page.title = Path(source).stem.replace("_", " ").title()
        pages.append(page)
    _letter_appendices(pages)
    return pages


def _letter_appendices(pages: list[Page]) -> None:
    """Number appendices A, B, ... as the PDF does (pandoc numbers them on from the chapters):
    the page's number and every section number on it (``5.2`` -> ``A.2``)."""
    for index, page in enumerate(p for p in pages if p.appendix and p.number):
        letter, number = chr(ord("A") + index), page.number
        for span in page.soup.find_all("span", class_="header-section-number"):
            span.string = _lettered(span.get_text(strip=True), number, letter)
        for header in page.soup.find_all(True, attrs={"data-number": True}):
            header["data-number"] = _lettered(str(header["data-number"]), number, letter)
        page.number = letter


def _lettered(text: str, number: str, letter: str) -> str:
    """A section number of chapter ``number`` with ``letter`` in its place (``5.2`` -> ``A.2``);
    any other text as it is."""
    return letter + text[len(number) :] if text == number or text.startswith(number + ".") else text


def fix_links(pages: list[Page], project: Path, single: bool = False) -> set[str]:
    """Point in-book links at the right page and check every local link resolves.

    Parameters
    ----------
    pages
        The book's pages; their soups are changed in place.
    project
        Project folder, where images are looked up.
    single
        The pages go into one file: links stay ``#anchor`` (each is still checked).

    Returns
    -------
    set of str
        Local resources (images) the pages use, relative to the project.

    Raises
    ------
    RenderError
        When a link points at an anchor that no page has, or an image is missing.
    """
    where: dict[str, str] = {}
    for page in pages:
        for tag in page.soup.find_all(id=True):
            where.setdefault(str(tag["id"]), page.href)
    resources: set[str] = set()
    for page in pages:
        for a in page.soup.find_all("a", href=True):
            href = str(a["href"])
            if not href.startswith("#"):
                continue
            anchor = unquote(href[1:])
            target = where.get(anchor)
            if target is None:
                raise RenderError(
                    f"chapter {page.source} links to #{anchor}, which no chapter defines",
                    hint="check the link's anchor against the headings' {#sec-...} identifiers",
                )
            a["href"] = href if single or target == page.href else f"{target}{href}"
        for img in page.soup.find_all(["img", "source"], src=True):
            src = str(img["src"])
            parts = urlsplit(src)
            if parts.scheme or parts.netloc or src.startswith("data:"):
                continue
            rel = unquote(parts.path)
            if not (project / rel).is_file():
                raise RenderError(
                    f"chapter {page.source} shows image {rel}, which does not exist in {project}"
                )
            resources.add(rel)
    return resources


def number_captions(pages: list[Page]) -> None:
    """Label figures and tables ``Figure 2.1:``, ``Table 2.1:`` (per chapter), as Quarto does,
    then word the cross-references to them and to sections (see :func:`_name_references`)."""
    kinds = (("figure", "Figure", "figcaption"), ("table", "Table", "caption"))
    named: dict[str, str] = {}  # identifier -> "Figure 2.1", "Section 3.2", ...
    for page in pages:
        for kind, label, caption_tag in kinds:
            for n, element in enumerate(page.soup.find_all(kind), start=1):
                words = f"{label} {page.number}.{n}" if page.number else f"{label} {n}"
                if element.get("id"):
                    named[str(element["id"])] = words
                caption = element.find(caption_tag)
                if not isinstance(caption, Tag):
                    continue
                span = page.soup.new_tag("span", attrs={"class": "caption-label"})
                span.string = f"{words}:"
                caption.insert(0, " ")
                caption.insert(0, span)
                if caption.get("aria-hidden"):
                    del caption["aria-hidden"]
        for header in page.soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"], id=True):
            number = header.find("span", class_="header-section-number")
            if isinstance(number, Tag):
                kind = "Section"
                if header.name == "h1":
                    kind = "Appendix" if page.appendix else "Chapter"
                named[str(header["id"])] = f"{kind} {number.get_text(strip=True)}"
    _name_references(pages, named)


def _name_references(pages: list[Page], named: dict[str, str]) -> None:
    """Word each cross-reference the filter left (``<a class="hi-xref" data-ref="fig-own">``) as
    its target's caption or heading is numbered (``Figure 2.1``; with ``data-bare``, ``2.1``)."""
    for page in pages:
        for link in page.soup.find_all("a", class_="hi-xref"):
            ref = str(link.get("data-ref", ""))
            words = named.get(ref)
            if words is None:
                raise RenderError(
                    f"chapter {page.source} refers to @{ref}, which has no number",
                    hint="label a figure (fig-), a table (tbl-) or a numbered section (sec-)",
                )
            link.string = words.rsplit(" ", 1)[1] if link.get("data-bare") else words
            for attribute in ("data-ref", "data-bare"):
                if attribute in link.attrs:
                    del link[attribute]


def wrap_tables(page: Page) -> None:
    """Put each table in a box that scrolls sideways when the table is wider than the screen.

    The box is a labelled region (named by the table's caption) that takes keyboard focus, so a
    keyboard can scroll it too (WCAG 2.1.1).
    """
    for n, table in enumerate(page.soup.find_all("table"), start=1):
        parent = table.parent
        if isinstance(parent, Tag) and "table-wrap" in (parent.get("class") or []):
            continue
        box = page.soup.new_tag(
            "div", attrs={"class": "table-wrap", "role": "region", "tabindex": "0"}
        )
        caption = table.find("caption")
        if isinstance(caption, Tag) and caption.get_text(strip=True):
            if not caption.get("id"):
                caption["id"] = (
                    f"{table.get('id') or f'{Path(page.source).stem}-table-{n}'}-caption"
                )
            box["aria-labelledby"] = caption["id"]
        else:
            box["aria-label"] = f"Table {n} of {page.title}"
        table.wrap(box)


def focusable_code(page: Page) -> None:
    """Let the keyboard reach each code block, which scrolls sideways when its lines are wider
    than the screen (a command to run, a chapter's code)."""
    for pre in page.soup.find_all("pre"):
        pre["tabindex"] = "0"


def link_figures(page: Page) -> None:
    """Make each figure's image a link to the image file itself, to open it full size (a phone
    shows the page's chart at the screen's width, too small to read its labels)."""
    for img in page.soup.find_all("img", src=True):  # find_all: CSS selectors cost 0.5 s to set up
        if img.find_parent("figure") is None:
            continue
        if img.find_parent("a") is not None or str(img["src"]).startswith("data:"):
            continue
        img.wrap(page.soup.new_tag("a", attrs={"class": "figure-full", "href": str(img["src"])}))


def embed_images(page: Page, project: Path) -> None:
    """Put every local image of the page inside it, as a ``data:`` URI."""
    for img in page.soup.find_all(["img", "source"], src=True):
        src = str(img["src"])
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            continue
        path = project / unquote(parts.path)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        img["src"] = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def organisation_name(config: BookConfig) -> str | None:
    """The organisation an edition is for: its subtitle up to the first colon
    (``"NHS Birmingham and Solihull Integrated Care Board: local edition"``), else the whole
    subtitle; None without one.

    Examples
    --------
    >>> from hi_reports.render._project import BookConfig
    >>> config = BookConfig(
    ...     "Book", "NHS Example ICB: local edition", None, None, ("a.qmd",), (), "en-GB",
    ...     "_book", {}
    ... )
    >>> organisation_name(config)
    'NHS Example ICB'
    """
    if not config.subtitle:
        return None
    return config.subtitle.partition(": ")[0].strip() or None


def downloads(out: Path, formats: Sequence[str], basename: str) -> list[dict[str, str]]:
    """The edition's other outputs, for a link from every page: the PDF, the brief, the Word
    document and the single HTML file where asked for (``formats``), and the annex and the notebook
    where the build has written them into ``out``.

    Parameters
    ----------
    out
        The edition's folder; the HTML book goes into ``out/html``.
    formats
        The formats being rendered.
    basename
        File name, without extension, of the PDF, the Word document and the single HTML file.

    Returns
    -------
    list of dict
        ``href`` (relative to ``out/html``, so the links work wherever the edition folder is
        copied) and ``label``, in a fixed order.
    """
    files: list[tuple[str, str]] = []
    wanted = [fmt for fmt in ("pdf", "brief", "docx", "html-single") if fmt in formats]
    files += [(fmt, path.name) for fmt, path in expected_outputs(out, wanted, basename).items()]
    if (out / ANNEX).is_file():
        files.append(("annex", ANNEX))
    files += [("notebook", p.name) for p in sorted(out.glob("*.ipynb"))]
    return [{"href": f"../{quote(name)}", "label": DOWNLOAD_LABELS[kind]} for kind, name in files]


def page_toc(page: Page) -> str:
    """The page's own table of contents (level-2 and level-3 headings) as HTML."""
    items: list[tuple[int, str, str]] = []
    for h in page.soup.find_all(["h2", "h3"]):
        if h.get("id") and not h.find_parent(class_="callout"):
            items.append((int(h.name[1]), str(h["id"]), h.get_text(" ", strip=True)))
    if not items:
        return ""
    soup = BeautifulSoup("<ul></ul>", "html.parser")
    root = soup.ul
    assert root is not None
    last_li: Tag | None = None
    for level, ident, text in items:
        parent = root
        if level == 3 and last_li is not None:
            sub = last_li.find("ul")
            if sub is None:
                sub = soup.new_tag("ul")
                last_li.append(sub)
            parent = sub
        li = soup.new_tag("li")
        a = soup.new_tag("a", href=f"#{ident}")
        a.string = text
        li.append(a)
        parent.append(li)
        if level == 2:
            last_li = li
    return str(soup)


def load_template(project: Path) -> jinja2.Template:
    """The page template ``html/page.html.jinja`` of the project (copied from templates/html)."""
    folder = project / "html"
    try:
        text = (folder / TEMPLATE_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RenderError(
            f"{folder / TEMPLATE_NAME} is missing: the builtin engine needs the HTML templates",
            hint="the book stage copies templates/html/ into the project's html/ folder",
        ) from None
    try:
        return _compiled(text)
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(f"{folder / TEMPLATE_NAME}, line {err.lineno}: {err.message}") from err


@functools.lru_cache(maxsize=8)
def _compiled(text: str) -> jinja2.Template:
    """The page template compiled once a process for each text (every edition has the same)."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(text)


def _link(page: Page | None) -> dict[str, str] | None:
    return None if page is None else {"href": page.href, "title": page.title, "number": page.number}


def _book(config: BookConfig) -> dict[str, str | None]:
    return {
        "title": config.title,
        "subtitle": config.subtitle,
        "organisation": organisation_name(config),
        "author": config.front.author or config.author,
        "date": config.display_date,
        "note": config.cover_note,
        "classification": config.front.classification,
        "version": config.front.version,
        "contact": config.front.contact,
        "purpose": config.front.purpose,
    }


def write_pages(
    pages: list[Page],
    project: Path,
    config: BookConfig,
    dest: Path,
    files: Sequence[dict[str, str]] = (),
) -> None:
    """Write every page, the stylesheet and the images into ``dest`` (``out/html``).

    Parameters
    ----------
    pages
        The book's pages.
    project
        Project folder.
    config
        Book configuration.
    dest
        Output folder of the HTML book.
    files
        The edition's other outputs to link from every page (see :func:`downloads`).
    """
    resources = fix_links(pages, project)
    number_captions(pages)
    for page in pages:
        wrap_tables(page)
        focusable_code(page)
        link_figures(page)
    template = load_template(project)
    dest.mkdir(parents=True, exist_ok=True)
    nav = [
        {"href": p.href, "title": p.title, "number": p.number, "appendix": p.appendix}
        for p in pages
    ]
    for i, page in enumerate(pages):
        prev_page = pages[i - 1] if i > 0 else None
        next_page = pages[i + 1] if i + 1 < len(pages) else None
        try:
            html = template.render(
                book=_book(config),
                lang=config.lang,
                page={"href": page.href, "title": page.title, "number": page.number},
                home=pages[0].href,
                chapters=nav,
                prev=_link(prev_page),
                next=_link(next_page),
                toc=Markup(page_toc(page)),
                body=Markup(str(page.soup)),
                downloads=list(files),
                single=False,
                css="",
            )
        except jinja2.TemplateError as err:
            raise RenderError(f"{project / 'html' / TEMPLATE_NAME}: {err}") from err
        (dest / page.href).write_text(html, encoding="utf-8")
    for rel in sorted(resources):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / rel, target)
    for item in (project / "html").iterdir():
        if item.name == TEMPLATE_NAME or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, dirs_exist_ok=True)
        else:
            shutil.copy2(item, dest / item.name)


def write_single(pages: list[Page], project: Path, config: BookConfig, dest: Path) -> None:
    """Write the whole book as one self-contained HTML file ``dest`` (``html-single``).

    The chapters follow one another under one table of contents, with the same page template,
    captions and table boxes as the HTML book; the stylesheet is in a ``<style>`` element and
    every image a ``data:`` URI, so the file can be sent on its own (by email). It links to no
    other file of the edition: it travels without them.

    Parameters
    ----------
    pages
        The book's pages (fresh from :func:`split_pages`: their soups are changed).
    project
        Project folder (images, ``html/page.html.jinja`` and ``html/style.css``).
    config
        Book configuration.
    dest
        The file to write.
    """
    fix_links(pages, project, single=True)
    ids = {str(tag["id"]) for page in pages for tag in page.soup.find_all(id=True)}
    chapters, bodies = [], []
    number_captions(pages)
    for page in pages:
        wrap_tables(page)
        focusable_code(page)
        embed_images(page, project)
        h1 = page.soup.find("h1")
        anchor = str(h1["id"]) if isinstance(h1, Tag) and h1.get("id") else ""
        if isinstance(h1, Tag) and not anchor:
            anchor = f"chapter-{Path(page.source).stem}"
            while anchor in ids:
                anchor += "-"
            ids.add(anchor)
            h1["id"] = anchor
        chapters.append(
            {
                "href": f"#{anchor}" if anchor else "#content",
                "title": page.title,
                "number": page.number,
                "appendix": page.appendix,
            }
        )
        bodies.append(f'<section class="book-chapter">\n{page.soup}\n</section>')
    template = load_template(project)
    css_path = project / "html" / STYLESHEET
    css = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    try:
        html = template.render(
            book=_book(config),
            lang=config.lang,
            page={"href": "", "title": "", "number": ""},
            home="",
            chapters=chapters,
            prev=None,
            next=None,
            toc="",
            body=Markup("\n".join(bodies)),
            downloads=[],
            single=True,
            css=Markup(css.replace("</", "<\\/")),
        )
    except jinja2.TemplateError as err:
        raise RenderError(f"{project / 'html' / TEMPLATE_NAME}: {err}") from err
    if css and "<style>" not in html:
        raise RenderError(
            f"{project / 'html' / TEMPLATE_NAME} does not put the stylesheet inside the page "
            "(it has no `single` branch), so the single HTML file would need style.css beside it",
            hint="copy templates/html/page.html.jinja of this version into the project's html/ "
            "folder",
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(html, encoding="utf-8")
