"""Where the book sources shipped with hi_reports are: ``_quarto.yml``, ``chapters/`` and
``templates/``.

In the repository they sit at its top, where contributors edit them. A wheel ships them as the
package data ``hi_reports/_book/`` (``pyproject.toml`` maps that package to the top of the
repository); an editable install, or a checkout on the path, reads the checkout's own files. Either
way they are found from the package's own folder, as :mod:`importlib.resources` gives it, never
from the installation's prefix (which a ``pip install --user`` or some virtual environments do not
use). This module imports nothing heavy: the render stage asks it for the Word reference document.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The book sources' folder in an installed package (a wheel's package data).
PACKAGE_DATA = "_book"


def _package_folder() -> Path:
    """The folder of the ``hi_reports`` package, as :mod:`importlib.resources` finds it."""
    folder = resources.files("hi_reports")
    return folder if isinstance(folder, Path) else Path(str(folder))


def _holds_book(folder: Path) -> bool:
    return (folder / "_quarto.yml").is_file() and (folder / "chapters").is_dir()


def book_folder(package: Path | None = None) -> Path:
    """The folder of the book sources shipped with hi_reports.

    Parameters
    ----------
    package
        The folder of the ``hi_reports`` package; by default this one.

    Returns
    -------
    Path
        ``package/_book`` (an installed wheel) when it holds the book, else the folder holding
        ``package`` when that holds it (the checkout of an editable install), else ``package/_book``
        (missing: :meth:`hi_reports.book.project.BookSources.check` says so).

    Examples
    --------
    >>> (book_folder() / "_quarto.yml").is_file()
    True
    """
    package = _package_folder() if package is None else package
    installed = package / PACKAGE_DATA
    for folder in (installed, package.parent):
        if _holds_book(folder):
            return folder
    return installed


__all__ = ["PACKAGE_DATA", "book_folder"]
