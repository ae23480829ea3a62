"""Book: write one Quarto book project per edition from the chapter sources and their values."""

from hi_reports.book.environment import Annex, escape_markdown, make_environment, render_chapter
from hi_reports.book.project import BookSources, edition_config, write_project

__all__ = [
    "Annex",
    "BookSources",
    "edition_config",
    "escape_markdown",
    "make_environment",
    "render_chapter",
    "write_project",
]
