"""Write one edition's Quarto book project.

The project holds a ``_quarto.yml`` derived from the root one (the edition's title, the chapters
flattened into the project folder), each chapter of ``chapters/*.qmd`` with its cells run and
replaced by their outputs, the figures, and the HTML and Typst templates. Both render engines take
this folder as it is, and ``quarto render`` accepts it.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hi_reports.book.annex import Annex
from hi_reports.errors import TemplateError
from hi_reports.front import Front, logo_problem, read_front
from hi_reports.literate.cells import Document, Markdown, inline_expressions, parse
from hi_reports.shipped import book_folder

#: The book sources shipped with hi_reports: _quarto.yml, chapters/ and templates/ (package data of
#: a wheel, or the top of the checkout; see :mod:`hi_reports.shipped`).
BOOK_SOURCES = book_folder()

#: What a copy of the book sources leaves out: Python's byte code (pip compiles the Word
#: template's make_reference.py in an installed package).
NOT_SOURCES = shutil.ignore_patterns("__pycache__")

ANNEX_COLUMNS = ["chapter", "key", "value", "printed", "unit", "definition", "source"]


@dataclass(frozen=True)
class BookSources:
    """Where the book's sources are: ``_quarto.yml``, ``chapters/`` and ``templates/``."""

    root: Path = BOOK_SOURCES

    @property
    def config(self) -> Path:
        """The root ``_quarto.yml``."""
        return self.root / "_quarto.yml"

    @property
    def chapters(self) -> Path:
        """The chapter sources."""
        return self.root / "chapters"

    @property
    def templates(self) -> Path:
        """Macros, the Typst template and the HTML styling."""
        return self.root / "templates"

    def check(self) -> None:
        """Raise a TemplateError when a part of the book sources is missing."""
        for path in (self.config, self.chapters, self.templates):
            if not path.exists():
                raise TemplateError(
                    f"book sources incomplete: {path} is missing",
                    hint="give a book folder holding _quarto.yml, chapters/ and templates/",
                    path=str(path),
                    option="book",
                )


def read_config(sources: BookSources) -> dict[str, Any]:
    """Read the root ``_quarto.yml``."""
    try:
        config: object = yaml.safe_load(sources.config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(
            f"{sources.config}: cannot be read ({error})", path=str(sources.config)
        ) from None
    if not isinstance(config, dict) or not isinstance(config.get("book", {}).get("chapters"), list):
        raise TemplateError(
            f"{sources.config}: no book.chapters list",
            hint="the root _quarto.yml must be a Quarto book with its chapters listed",
            path=str(sources.config),
        )
    return config


def edition_config(
    config: dict[str, Any],
    *,
    title: str,
    subtitle: str,
    date: str,
    cover_note: str | None = None,
    front: Front | None = None,
) -> dict[str, Any]:
    """Derive an edition's ``_quarto.yml`` from the root one.

    The chapters become file names in the project folder (``chapters/imd.qmd`` -> ``imd.qmd``);
    the title block is the edition's, with ``cover_note`` (the top-level ``cover-note`` key) for
    the title page and ``front`` (the top-level ``front:`` mapping) for the board paper's front
    matter; a format's ``templates/...`` files (``css``, ``template-partials``) are named as
    the project holds them (``html/style.css``); everything else is kept.
    """
    derived = copy.deepcopy(config)
    book = derived["book"]
    book.update(title=title, subtitle=subtitle, date=date)
    if cover_note:
        derived["cover-note"] = cover_note
    derived.pop("front", None)
    if front is not None and any(vars(front).values()):
        derived["front"] = {k: v for k, v in vars(front).items() if v is not None}
    for key in ("chapters", "appendices"):
        if key in config["book"]:
            book[key] = _in_project(config["book"][key] or [])
    for options in (derived.get("format") or {}).values():
        if isinstance(options, dict):  # templates/html/style.css -> html/style.css, as copied
            for key in ("css", "template-partials", "reference-doc", "template"):
                if key in options:
                    options[key] = _templates_in_project(options[key])
    derived.setdefault("project", {})["type"] = "book"
    return derived


def edition_front(
    config: dict[str, Any], sources: BookSources, given: Front | None, folder: Path
) -> Front:
    """The edition's front matter: the book's ``front:`` with the non-empty fields of ``given``
    over it, its logo copied into ``folder`` (``logo.png``, ...) and named relative to it.

    Raises
    ------
    TemplateError
        When the book's ``front:`` is malformed or its logo is missing or not an image.
    """
    where = f"{sources.config}: front"
    book = read_front(config.get("front"), where)
    logo = (sources.root / book.logo) if book.logo else None
    problem = logo_problem(logo) if logo is not None else None
    if problem:
        raise TemplateError(
            f"{where}.logo {book.logo} {problem}",
            hint="paths are relative to the book's folder",
            path=str(sources.config),
        )
    fields = {**vars(book), **{k: v for k, v in vars(given or Front()).items() if v is not None}}
    if given is not None and given.logo:
        logo = Path(given.logo)
    if logo is not None:
        target = folder / f"logo{logo.suffix.lower()}"
        shutil.copyfile(logo, target)
        fields["logo"] = target.name
    return Front(**fields)


def _templates_in_project(value: Any) -> Any:
    """A path under ``templates/`` of the book sources as the edition project holds it (the
    project has ``html/`` and ``typst/`` at its top); other paths as they are."""
    if isinstance(value, list):
        return [_templates_in_project(item) for item in value]
    if isinstance(value, str) and value.startswith("templates/"):
        return value.removeprefix("templates/")
    return value


def _is_file(entry: Any) -> bool:
    return isinstance(entry, str) and entry.endswith((".qmd", ".md", ".ipynb"))


def _in_project(entries: list[Any]) -> list[Any]:
    """``book.chapters`` with each file named as in the project folder, parts kept as parts."""
    out: list[Any] = []
    for entry in entries:
        if isinstance(entry, dict):
            part = dict(entry)
            if _is_file(part.get("part")):
                part["part"] = Path(part["part"]).name
            part["chapters"] = _in_project(part.get("chapters") or [])
            out.append(part)
        else:
            out.append(Path(entry).name)
    return out


def book_files(config: dict[str, Any], path: Path) -> list[str]:
    """The chapter files of a Quarto book in reading order: ``book.chapters`` then
    ``book.appendices``, with Quarto's parts (``{part: TITLE or FILE, chapters: [...]}``)
    flattened and a part's own file before its chapters.

    Raises
    ------
    TemplateError
        When an entry is neither a file nor a part (naming ``path`` and the entry).
    """

    def flatten(entries: Any, key: str) -> list[str]:
        if entries is None:
            return []
        if not isinstance(entries, list):
            raise TemplateError(
                f"{path}: book.{key} must be a list of chapter files",
                hint="see Quarto's book structure: files, or parts with chapters",
                path=str(path),
            )
        files: list[str] = []
        for entry in entries:
            if isinstance(entry, str):
                files.append(entry)
            elif isinstance(entry, dict) and ("part" in entry or "chapters" in entry):
                if _is_file(entry.get("part")):
                    files.append(entry["part"])
                files.extend(flatten(entry.get("chapters"), key))
            else:
                raise TemplateError(
                    f"{path}: book.{key} has an entry that is neither a chapter file nor a "
                    f"part: {entry!r}",
                    hint="write a file name, or `- part: TITLE` with `chapters:` under it",
                    path=str(path),
                )
        return files

    book = config["book"]
    return flatten(book.get("chapters"), "chapters") + flatten(book.get("appendices"), "appendices")


#: A cross-reference id given in markdown: ``{#sec-imd}``, ``{#fig-x fig-alt="..."}``.
_ID = re.compile(r"\{#((?:sec|fig|tbl|eq)-[\w-]+)")
_FENCED = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$", re.M | re.S)


def check_ids(text: str, chapter: str, seen: dict[str, str]) -> None:
    """Refuse a cross-reference id (section, figure, table) that the book has given before, in
    this chapter or another: a link to it would go to one of them at random. ``seen`` maps the
    ids of the chapters written so far to their chapter."""
    ids = _ID.findall(_FENCED.sub("", text))
    for id_ in ids:
        if id_ in seen or ids.count(id_) > 1:
            other = seen.get(id_, chapter)
            raise TemplateError(
                f"{chapter}: the id #{id_} is also given in {other}",
                hint="give each section, figure and table an id of its own in the whole book",
                path=chapter,
            )
    seen.update(dict.fromkeys(ids, chapter))


#: Jinja2 syntax, which the chapters no longer use (``{{<`` opens a Quarto shortcode, not Jinja).
_JINJA = re.compile(r"\{%|\{\{(?!<)")


def check_not_jinja(document: Document) -> None:
    """Refuse a chapter whose prose holds Jinja2 syntax (the chapters of hi-reports before they
    became literate): it would print its braces. Code cells may hold braces (f-strings)."""
    for part in document.parts:
        found = _JINJA.search(part.text) if isinstance(part, Markdown) else None
        if found is None or not isinstance(part, Markdown):
            continue
        line = part.line + part.text.count("\n", 0, found.start())
        raise TemplateError(
            f"{document.path}, line {line}: Jinja2 syntax ({found.group()}), which chapters no "
            "longer use",
            hint="write the chapter as Quarto markdown with Python cells and `{python} "
            "ed.pct(...)` inline expressions (README: Write a chapter; hi-reports init writes an "
            "example)",
            path=document.path,
            line=line,
        )


def is_literate(document: Document) -> bool:
    """True when the chapter has a ```` ```{python} ```` cell or an inline `` `{python} x` ``."""
    return bool(document.cells) or any(
        inline_expressions(part.text) for part in document.parts if isinstance(part, Markdown)
    )


def write_project(
    folder: Path,
    *,
    title: str,
    subtitle: str,
    date: str,
    sources: BookSources | None = None,
    cover_note: str | None = None,
    weave: Callable[[Path, Annex], str] | None = None,
    front: Front | None = None,
) -> pd.DataFrame:
    """Write the edition's Quarto project into ``folder`` and return its data annex.

    A chapter with Python cells or inline expressions is literate: ``weave(source, annex)`` runs it
    and returns its markdown (the edition supplies it; see :mod:`hi_reports.literate`). Any other
    chapter is plain markdown, copied as it is; one whose prose holds Jinja2 syntax (as
    the chapters of earlier versions did) is refused with a hint.

    Parameters
    ----------
    folder
        The project folder; created if needed. Figures are expected in ``folder/figures``.
    title, subtitle, date, cover_note
        The edition's title block; ``cover_note`` is a line for the title page.
    sources
        The book sources; the ones shipped with hi_reports by default.
    weave
        Runs a literate chapter, recording its numbers in the annex it is given.
    front
        The board paper's front matter, over the book's own ``front:`` key by key (its logo an
        absolute path); the logo is copied into the project as ``logo.<ext>``.

    Returns
    -------
    DataFrame
        The annex: every number the chapters printed, with chapter, definition and source.
    """
    sources = sources or BookSources()
    sources.check()
    config = read_config(sources)
    folder.mkdir(parents=True, exist_ok=True)
    annex = Annex()
    ids: dict[str, str] = {}
    for entry in book_files(config, sources.config):
        source = sources.root / entry
        if not source.is_file():
            raise TemplateError(
                f"{sources.config}: chapter {entry} is listed but {source} does not exist",
                hint="add the chapter file or remove it from book.chapters",
                path=str(sources.config),
            )
        annex.chapter = source.stem
        text = source.read_text(encoding="utf-8")
        document = parse(text, str(source))
        check_not_jinja(document)
        if is_literate(document):
            if weave is None:
                raise TemplateError(
                    f"{source}: a literate chapter (Python cells), and this build cannot run it",
                    hint="build the edition with hi-reports build",
                    path=str(source),
                )
            text = weave(source, annex)
        check_ids(text, str(source), ids)
        (folder / source.name).write_text(text, encoding="utf-8")
    front = edition_front(config, sources, front, folder)
    derived = edition_config(
        config, title=title, subtitle=subtitle, date=date, cover_note=cover_note, front=front
    )
    (folder / "_quarto.yml").write_text(
        "# Written by hi-reports from the root _quarto.yml; edit that one, not this.\n"
        + yaml.safe_dump(derived, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    for sub in ("html", "typst", "word"):
        if (sources.templates / sub).is_dir():
            shutil.copytree(
                sources.templates / sub, folder / sub, dirs_exist_ok=True, ignore=NOT_SOURCES
            )
    return pd.DataFrame(list(annex.rows.values()), columns=ANNEX_COLUMNS)
