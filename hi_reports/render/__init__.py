"""Render an edition project folder (a Quarto book project) to HTML, an A4 PDF and Word.

Two engines share one interface: ``quarto`` (``quarto render``, where Quarto is installed) and
``builtin`` (pandoc from pypandoc-binary and the ``typst`` package; nothing outside PyPI). Both
write the same layout::

    out/html/index.html, out/html/<chapter>.html, ...
    out/<basename>.pdf
    out/<basename>.docx

Examples
--------
>>> from hi_reports.render import render
>>> result = render("build/QHL/project", "build/QHL/out", formats=("html", "pdf"))  # doctest: +SKIP
>>> result.pdf  # doctest: +SKIP
PosixPath('build/QHL/out/edition.pdf')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hi_reports.render.base import Engine, Format, RenderResult, engine_names, get_engine, register
from hi_reports.render.builtin import BuiltinEngine
from hi_reports.render.quarto import QuartoEngine

__all__ = [
    "BuiltinEngine",
    "Engine",
    "Format",
    "QuartoEngine",
    "RenderResult",
    "engine_names",
    "get_engine",
    "register",
    "render",
]


def render(
    project: Path | str,
    out: Path | str,
    formats: Sequence[Format] = ("html", "pdf"),
    engine: str | None = None,
    basename: str = "edition",
) -> RenderResult:
    """Render a project folder with the chosen engine.

    Parameters
    ----------
    project
        The edition project folder (``_quarto.yml``, chapters, ``figures/``, ``html/``, ``typst/``).
    out
        Output folder.
    formats
        Any of ``"html"``, ``"pdf"``, ``"docx"``.
    engine
        ``"builtin"``, ``"quarto"``, or ``None``/``"auto"`` (Quarto when installed).
    basename
        File name, without extension, of the PDF and Word document.

    Returns
    -------
    RenderResult
        The paths written and the time each format took.

    Raises
    ------
    RenderError
        When the project is incomplete or a tool fails.
    MissingDependencyError
        When the engine asked for is not installed.
    """
    return get_engine(engine).render(project, out, formats=formats, basename=basename)
