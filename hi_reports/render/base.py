"""The rendering engine interface and its registry.

An :class:`Engine` turns an edition project folder (a Quarto book project) into HTML, an A4 PDF and
a Word document. The base class checks the project, calls the subclass's :meth:`Engine._render`,
then checks and collects the outputs, so every engine gives the same layout::

    out/html/index.html, out/html/<chapter>.html, out/html/figures/..., out/html/style.css
    out/<basename>.html    (html-single: the whole book in one file, images and CSS inside)
    out/<basename>-brief.pdf  (brief: the executive summary as a two-page PDF for the board pack)
    out/<basename>.pdf
    out/<basename>.docx

Engines are registered by name (:func:`register`) and looked up with :func:`get_engine`; packages
may add engines through the ``hi_reports.engines`` entry-point group.
"""

from __future__ import annotations

import shutil
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

# the formats are the command line's choices too: they live where `--help` reads them cheaply
from hi_reports.choices import FORMATS as FORMATS
from hi_reports.choices import Format as Format
from hi_reports.errors import HIReportsWarning, MissingDependencyError, RenderError
from hi_reports.render._project import BookConfig, check_chapters, load_config

ENTRY_POINT_GROUP = "hi_reports.engines"


@dataclass(frozen=True)
class RenderResult:
    """Where an engine wrote its outputs.

    Attributes
    ----------
    engine
        Name of the engine that rendered.
    html_index
        ``out/html/index.html``, or ``None`` when HTML was not asked for.
    html_single
        ``out/<basename>.html``, the book in one self-contained file, or ``None``.
    brief
        ``out/<basename>-brief.pdf``, the executive summary on its own, or ``None``.
    pdf
        ``out/<basename>.pdf``, or ``None``.
    docx
        ``out/<basename>.docx``, or ``None``.
    seconds
        Wall-clock seconds spent on each format (and ``"total"``).
    """

    engine: str
    html_index: Path | None = None
    pdf: Path | None = None
    docx: Path | None = None
    html_single: Path | None = None
    brief: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def outputs(self) -> dict[str, Path]:
        """The outputs that were written, by format."""
        found = {
            "html": self.html_index,
            "pdf": self.pdf,
            "docx": self.docx,
            "html-single": self.html_single,
            "brief": self.brief,
        }
        return {fmt: path for fmt, path in found.items() if path is not None}


def expected_outputs(out: Path, formats: Sequence[str], basename: str) -> dict[str, Path]:
    """The file each format must produce under ``out``.

    Parameters
    ----------
    out
        Output folder.
    formats
        Formats asked for.
    basename
        File name (without extension) of the PDF, the Word document and the single HTML file.

    Returns
    -------
    dict
        Format name to path.
    """
    paths = {
        "html": out / "html" / "index.html",
        "pdf": out / f"{basename}.pdf",
        "docx": out / f"{basename}.docx",
        "html-single": out / f"{basename}.html",
        "brief": out / f"{basename}-brief.pdf",
    }
    return {fmt: paths[fmt] for fmt in formats}


class Engine(ABC):
    """Base class of rendering engines.

    Subclasses set :attr:`name`, implement :meth:`available` and :meth:`_render`.

    Attributes
    ----------
    name
        Registry name (``"builtin"``, ``"quarto"``).
    install_hint
        How to make the engine available, used in :class:`MissingDependencyError`.
    """

    name: str = ""
    install_hint: str = ""

    @classmethod
    def available(cls) -> bool:
        """Whether everything the engine needs is installed."""
        return True

    def render(
        self,
        project: Path | str,
        out: Path | str,
        formats: Sequence[Format] = ("html", "pdf"),
        basename: str = "edition",
    ) -> RenderResult:
        """Render a project folder into ``out``.

        Parameters
        ----------
        project
            The edition project folder (``_quarto.yml`` and the chapter files).
        out
            Output folder; created if needed. Outputs already there are replaced.
        formats
            Any of ``"html"``, ``"pdf"``, ``"docx"``, ``"html-single"`` (the book in one HTML
            file with its images and CSS inside, e.g. to send by email).
        basename
            File name, without extension, of the PDF, the Word document and the single HTML file.

        Returns
        -------
        RenderResult
            The paths written.

        Raises
        ------
        RenderError
            When the project is incomplete, a format is unknown, a tool fails, or an expected
            output was not written.
        MissingDependencyError
            When the engine is not installed.
        """
        project, out = Path(project).resolve(), Path(out).resolve()
        wanted = tuple(dict.fromkeys(formats))
        unknown = [f for f in wanted if f not in FORMATS]
        if unknown:
            raise RenderError(
                f"unknown output format(s) {', '.join(map(repr, unknown))}",
                hint=f"choose from {', '.join(FORMATS)}",
            )
        if not wanted:
            raise RenderError(
                "no output format asked for", hint=f"choose from {', '.join(FORMATS)}"
            )
        if not basename or "/" in basename or "\\" in basename:
            raise RenderError(f"bad output basename {basename!r}: it must be a plain file name")
        if not self.available():
            raise MissingDependencyError(
                f"the {self.name} engine is not available", self.install_hint
            )
        config = load_config(project)
        check_chapters(project, config)
        out.mkdir(parents=True, exist_ok=True)
        targets = expected_outputs(out, wanted, basename)
        for fmt, path in targets.items():
            if fmt == "html":
                shutil.rmtree(path.parent, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        start = time.perf_counter()
        seconds = dict(self._render(project, config, out, wanted, basename))
        seconds["total"] = time.perf_counter() - start
        missing = [f"{fmt} ({path})" for fmt, path in targets.items() if not path.is_file()]
        if missing:
            raise RenderError(
                f"the {self.name} engine finished but did not write: {', '.join(missing)}"
            )
        return RenderResult(
            engine=self.name,
            html_index=targets.get("html"),
            pdf=targets.get("pdf"),
            docx=targets.get("docx"),
            html_single=targets.get("html-single"),
            brief=targets.get("brief"),
            seconds=seconds,
        )

    @abstractmethod
    def _render(
        self,
        project: Path,
        config: BookConfig,
        out: Path,
        formats: Sequence[Format],
        basename: str,
    ) -> dict[str, float]:
        """Write the outputs of ``formats`` into ``out``, in the layout of :func:`expected_outputs`.

        Parameters
        ----------
        project
            The checked project folder (absolute).
        config
            Its parsed ``_quarto.yml``.
        out
            Output folder (exists).
        formats
            Formats to write, without duplicates.
        basename
            File name of the PDF and Word document.

        Returns
        -------
        dict
            Seconds spent per format.
        """


_ENGINES: dict[str, type[Engine]] = {}
#: Engine plug-ins that failed to load: name to what went wrong (see :func:`_load_entry_points`).
_BROKEN: dict[str, str] = {}
_entry_points_loaded = False


def register(engine_cls: type[Engine]) -> type[Engine]:
    """Register an engine class under its ``name`` (usable as a class decorator).

    Parameters
    ----------
    engine_cls
        A subclass of :class:`Engine` with a non-empty ``name``.

    Returns
    -------
    type
        ``engine_cls``, unchanged.
    """
    if not (isinstance(engine_cls, type) and issubclass(engine_cls, Engine)) or not engine_cls.name:
        raise TypeError(f"{engine_cls!r} is not an Engine subclass with a name")
    _ENGINES[engine_cls.name] = engine_cls
    return engine_cls


def _load_entry_points() -> None:
    """Register engines advertised by installed packages (group ``hi_reports.engines``).

    A plug-in that fails to load (its module raises on import, its object is not an engine with a
    name) does not stop the others: a :class:`HIReportsWarning` names it and its error, and asking
    for it by name (:func:`get_engine`) is a :class:`RenderError` saying the same.
    """
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _ENGINES:
            continue
        try:
            register(ep.load())
        except Exception as error:  # noqa: BLE001 - a plug-in's import may raise anything
            _BROKEN[ep.name] = (
                f"the rendering engine plug-in {ep.name!r} ({ep.value}) failed to load: "
                f"{type(error).__name__}: {error}"
            )
            warnings.warn(f"{_BROKEN[ep.name]}; it is left out", HIReportsWarning, stacklevel=3)


def engine_names() -> list[str]:
    """Names of the registered engines, sorted."""
    _load_entry_points()
    return sorted(_ENGINES)


def get_engine(name: str | None = None) -> Engine:
    """Return an engine instance by name.

    Parameters
    ----------
    name
        ``"builtin"``, ``"quarto"``, another registered name, or ``None``/``"auto"`` for
        ``quarto`` when the ``quarto`` program is on the PATH and ``builtin`` otherwise.

    Returns
    -------
    Engine
        A new instance of the engine.

    Raises
    ------
    RenderError
        When the name is unknown (the hint lists the valid names), or its plug-in failed to load
        (the message names the plug-in and its error).
    MissingDependencyError
        When the named engine is not installed.

    Examples
    --------
    >>> get_engine("builtin").name
    'builtin'
    """
    _load_entry_points()
    if name is None or name == "auto":
        name = "quarto" if shutil.which("quarto") and "quarto" in _ENGINES else "builtin"
    engine_cls = _ENGINES.get(name)
    if engine_cls is None and name in _BROKEN:
        raise RenderError(
            _BROKEN[name],
            hint=f"fix or uninstall the package that provides it; other engines: "
            f"{', '.join(['auto', *engine_names()])}",
            option="engine",
        )
    if engine_cls is None:
        raise RenderError(
            f"unknown rendering engine {name!r}",
            hint=f"valid engines: {', '.join(['auto', *engine_names()])}",
            option="engine",
        )
    if not engine_cls.available():
        raise MissingDependencyError(
            f"the {name!r} rendering engine is not available on this machine",
            engine_cls.install_hint,
        )
    return engine_cls()
