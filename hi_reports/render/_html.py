"""Split pandoc's HTML of the whole book into one page per chapter, with navigation.

Pandoc writes the concatenated book as one HTML fragment in which each chapter starts with a
``<!-- hi-chapter: file.qmd -->`` marker (see :mod:`hi_reports.render._filter`). This module cuts it
at the markers, points every in-book link at the page that holds its anchor, builds each page's
table of contents, and fills the page template (Jinja2) from the project's ``html/`` folder.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from bs4 import BeautifulSoup, Tag
from markupsafe import Markup

from hi_reports.errors import RenderError
from hi_reports.render._project import BookConfig

MARKER = re.compile(r"<!-- hi-chapter: (.+?) -->\n?")
TEMPLATE_NAME = "page.html.jinja"


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
    for i, (source, body) in enumerate(zip(sources, parts[2::2])):
        soup = BeautifulSoup(body, "html.parser")
        page = Page(source, page_name(source, i == 0, has_index), soup,
                    appendix=source in config.appendices)
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
        for header in page.soup.find_all(attrs={"data-number": True}):
            header["data-number"] = _lettered(str(header["data-number"]), number, letter)
        page.number = letter


def _lettered(text: str, number: str, letter: str) -> str:
    """A section number of chapter ``number`` with ``letter`` in its place (``5.2`` -> ``A.2``);
    any other text as it is."""
    return letter + text[len(number):] if text == number or text.startswith(number + ".") else text


def fix_links(pages: list[Page], project: Path) -> set[str]:
    """Point in-book links at the right page and check every local link resolves.

    Parameters
    ----------
    pages
        The book's pages; their soups are changed in place.
    project
        Project folder, where images are looked up.

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
            a["href"] = href if target == page.href else f"{target}{href}"
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


def number_captions(page: Page) -> None:
    """Label figures and tables ``Figure 2.1:``, ``Table 2.1:`` (per chapter), as Quarto does."""
    kinds = (("figure", "Figure", "figcaption"), ("table", "Table", "caption"))
    for kind, label, caption_tag in kinds:
        for n, element in enumerate(page.soup.find_all(kind), start=1):
            caption = element.find(caption_tag)
            if not isinstance(caption, Tag):
                continue
            span = page.soup.new_tag("span", attrs={"class": "caption-label"})
            span.string = f"{label} {page.number}.{n}:" if page.number else f"{label} {n}:"
            caption.insert(0, " ")
            caption.insert(0, span)
            if caption.get("aria-hidden"):
                del caption["aria-hidden"]


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
    if not (folder / TEMPLATE_NAME).is_file():
        raise RenderError(
            f"{folder / TEMPLATE_NAME} is missing: the builtin engine needs the HTML templates",
            hint="the book stage copies templates/html/ into the project's html/ folder",
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    try:
        return env.get_template(TEMPLATE_NAME)
    except jinja2.TemplateSyntaxError as err:
        raise RenderError(f"{folder / TEMPLATE_NAME}, line {err.lineno}: {err.message}") from err


def _link(page: Page | None) -> dict[str, str] | None:
    return None if page is None else {"href": page.href, "title": page.title, "number": page.number}


def write_pages(pages: list[Page], project: Path, config: BookConfig, dest: Path) -> None:
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
    """
    resources = fix_links(pages, project)
    for page in pages:
        number_captions(page)
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
                book={
                    "title": config.title,
                    "subtitle": config.subtitle,
                    "author": config.author,
                    "date": config.display_date,
                    "note": config.cover_note,
                },
                lang=config.lang,
                page={"href": page.href, "title": page.title, "number": page.number},
                chapters=nav,
                prev=_link(prev_page),
                next=_link(next_page),
                toc=Markup(page_toc(page)),
                body=Markup(str(page.soup)),
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
