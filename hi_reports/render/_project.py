"""Read an edition project folder: its ``_quarto.yml`` and the list of chapter files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hi_reports.errors import RenderError
from hi_reports.front import Front, read_front

CONFIG_NAME = "_quarto.yml"


@dataclass(frozen=True)
class BookConfig:
    """What the engines need from a project's ``_quarto.yml``.

    Attributes
    ----------
    title, subtitle, author, date
        The book's title block (``book:`` keys; ``date`` as written, usually an ISO date).
    chapters
        Chapter files, relative to the project, in reading order (``book.chapters``).
    appendices
        Appendix files (``book.appendices``), after the chapters.
    lang
        Document language (``lang``), ``en-GB`` by default.
    output_dir
        Quarto's output folder (``project.output-dir``), ``_book`` by default.
    raw
        The whole parsed file.
    cover_note
        A line for the title page (the top-level ``cover-note`` key: document metadata that
        Quarto passes to the Typst template, and the built-in engine prints the same way).
    front
        The board paper's front matter (the top-level ``front:`` key).
    """

    title: str
    subtitle: str | None
    author: str | None
    date: str | None
    chapters: tuple[str, ...]
    appendices: tuple[str, ...]
    lang: str
    output_dir: str
    raw: dict[str, Any]
    cover_note: str | None = None
    front: Front = field(default_factory=Front)

    @property
    def files(self) -> tuple[str, ...]:
        """Chapters then appendices."""
        return self.chapters + self.appendices

    @property
    def display_date(self) -> str | None:
        """The date written the British way (``12 March 2025``) when it is an ISO date."""
        return format_date(self.date)


def format_date(value: str | None) -> str | None:
    """Write an ISO date as ``12 March 2025``; leave anything else unchanged.

    Parameters
    ----------
    value
        A date string, or ``None``.

    Returns
    -------
    str or None
        The formatted date.

    Examples
    --------
    >>> format_date("2025-03-02")
    '2 March 2025'
    >>> format_date("spring 2025")
    'spring 2025'
    """
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def _files(entries: Any, key: str, path: Path) -> tuple[str, ...]:
    """Flatten ``book.chapters`` (strings, or ``{part:, chapters:}`` mappings) to file names."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise RenderError(f"{path}: book.{key} must be a list of chapter files")
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and ("part" in entry or "chapters" in entry):
            if str(entry.get("part", "")).endswith(
                ".qmd"
            ):  # a part's own page, before its chapters
                out.append(str(entry["part"]))
            out.extend(_files(entry.get("chapters"), key, path))
        else:
            raise RenderError(f"{path}: book.{key} has an entry that is not a file: {entry!r}")
    return tuple(out)


def _author(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        names = [_author(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, dict):
            name = name.get("literal") or " ".join(
                str(name[k]) for k in ("given", "family") if k in name
            )
        return None if name is None else str(name)
    return str(value)


def load_config(project: Path) -> BookConfig:
    """Read and check ``project/_quarto.yml``.

    Parameters
    ----------
    project
        The edition project folder.

    Returns
    -------
    BookConfig
        The parsed configuration.

    Raises
    ------
    RenderError
        When the file is missing, is not YAML, is not a book, or lists no chapters.
    """
    path = project / CONFIG_NAME
    if not path.is_file():
        raise RenderError(
            f"{project} is not a Quarto book project: {CONFIG_NAME} is missing",
            hint="build the edition first (hi-reports build) and render its project folder",
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        first = str(err).strip().splitlines()[0]
        raise RenderError(f"{path} is not valid YAML: {first}") from err
    if not isinstance(raw, dict):
        raise RenderError(f"{path} must be a YAML mapping")
    book = raw.get("book") or {}
    if not isinstance(book, dict):
        raise RenderError(f"{path}: `book:` must be a mapping")
    chapters = _files(book.get("chapters"), "chapters", path)
    if not chapters:
        raise RenderError(f"{path}: book.chapters lists no chapters")
    project_cfg = raw.get("project") or {}
    date = book.get("date")
    return BookConfig(
        title=str(book.get("title") or "Untitled"),
        subtitle=None if book.get("subtitle") is None else str(book["subtitle"]),
        author=_author(book.get("author")),
        date=None if date is None else str(date),
        chapters=chapters,
        appendices=_files(book.get("appendices"), "appendices", path),
        lang=str(raw.get("lang") or "en-GB"),
        output_dir=str(project_cfg.get("output-dir") or "_book"),
        raw=raw,
        cover_note=None if raw.get("cover-note") is None else str(raw["cover-note"]),
        front=read_front(raw.get("front"), f"{path}: front"),
    )


def check_chapters(project: Path, config: BookConfig) -> None:
    """Raise :class:`RenderError` naming every chapter file that is listed but missing.

    Parameters
    ----------
    project
        The edition project folder.
    config
        Its configuration.
    """
    missing = [name for name in config.files if not (project / name).is_file()]
    if missing:
        raise RenderError(
            f"{project / CONFIG_NAME} lists chapter file(s) that do not exist: "
            + ", ".join(missing),
            hint="rebuild the edition, or remove the chapter from book.chapters",
        )
