"""Book: write one Quarto book project per edition from the chapter sources."""

from hi_reports.book.annex import Annex
from hi_reports.book.project import BookSources, edition_config, write_project

__all__ = ["Annex", "BookSources", "edition_config", "write_project"]
