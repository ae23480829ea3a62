"""The ``builtin`` engine: pandoc (from pypandoc-binary) and Typst (the ``typst`` package).

Nothing outside PyPI is needed. The chapters are concatenated into one markdown document (each in a
``hi-chapter`` div) and pandoc runs once per format with the filter of
:mod:`hi_reports.render._filter`:

* HTML: ``--to html5``, cut into one page per chapter and wrapped in ``html/page.html.jinja``;
  ``html-single`` puts the same chapters into one file with the images and CSS inside (one pandoc
  run for both);
* PDF: ``--to typst``, wrapped in the board-paper template ``typst/board.typ`` and compiled to A4
  (with HTML too, the HTML's pandoc run writes the Typst body as well: one parse for both);
* Word: ``--to docx`` with the reference document ``word/reference.docx`` (A4, header and
  footer, styles) and a table of contents, finished by :mod:`hi_reports.render._docx`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import subprocess
import tempfile
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hi_reports.errors import HIReportsWarning, MissingDependencyError, RenderError
from hi_reports.render import _docx
from hi_reports.render._filter import CHAPTER_ERROR, write_filter
from hi_reports.render._project import BookConfig
from hi_reports.render.base import Engine, Format, expected_outputs, register
from hi_reports.render.typst_child import ERROR, NOT_ACCESSIBLE, TYPST
from hi_reports.render.typst_child import first_line as _first_line

FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n(---|\.\.\.)\s*\n", re.DOTALL)
BOARD_TEMPLATE = "typst/board.typ"
FENCE = ":" * 12


def pandoc_path() -> str:
    """Path of the pandoc binary shipped by pypandoc-binary."""
    try:
        import pypandoc  # imported on use: it takes 0.1 s to import
    except ImportError as err:  # pragma: no cover - a hard dependency
        raise MissingDependencyError(
            "pypandoc is not installed", hint='pip install "pypandoc-binary>=1.13"'
        ) from err
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError as err:  # pragma: no cover
        raise MissingDependencyError(
            "pandoc was not found", hint='pip install "pypandoc-binary>=1.13"'
        ) from err


def book_markdown(project: Path, config: BookConfig) -> str:
    """All chapters in one markdown document, each wrapped in a ``hi-chapter`` div.

    Parameters
    ----------
    project
        The project folder.
    config
        Its configuration (chapter order).

    Returns
    -------
    str
        Pandoc markdown.
    """
    parts = []
    for name in config.files:
        text = (project / name).read_text(encoding="utf-8")
        text = FRONT_MATTER.sub("", text.lstrip("\ufeff"), count=1)
        attrs = f'file="{name}"'
        if config.appendices and name == config.appendices[0]:
            attrs += ' appendix="first"'
        elif name in config.appendices:
            attrs += ' appendix="yes"'
        parts.append(f"{FENCE} {{.hi-chapter {attrs}}}\n\n{text.strip()}\n\n{FENCE}\n")
    return "\n".join(parts)


def run_pandoc(
    markdown: str,
    to: str,
    *,
    cwd: Path,
    filter_path: Path,
    what: str,
    args: Sequence[str] = (),
) -> str:
    """Run pandoc on ``markdown`` and return its standard output.

    Parameters
    ----------
    markdown
        Pandoc markdown to convert.
    to
        Pandoc output format.
    cwd
        Working folder (the project, so relative image paths resolve).
    filter_path
        The Lua filter.
    what
        What is being made, for error messages.
    args
        Further pandoc options.

    Returns
    -------
    str
        Pandoc's output.

    Raises
    ------
    RenderError
        When pandoc fails; the message has pandoc's first error line.
    """
    cmd = [
        pandoc_path(),
        "--from",
        "markdown",
        "--to",
        to,
        "--lua-filter",
        str(filter_path),
        "--resource-path",
        str(cwd),
        *args,
    ]
    proc = subprocess.run(
        cmd, input=markdown.encode("utf-8"), cwd=cwd, capture_output=True, check=False
    )
    if proc.returncode != 0:
        line = _first_line(proc.stderr.decode("utf-8", "replace"))
        if line.startswith(CHAPTER_ERROR):  # the filter's: the chapter's markup is at fault
            raise RenderError(
                line.removeprefix(CHAPTER_ERROR),
                hint="a reference names a figure's or table's label (#| label: fig-own) or a "
                "heading's id ({#sec-own}); a link names a chapter of the book",
            )
        raise RenderError(f"pandoc failed making the {what} of {cwd}: {line}")
    return proc.stdout.decode("utf-8")


def _typst_string(value: str) -> str:
    """A Typst string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _front_args(config: BookConfig) -> dict[str, str | None]:
    """The title block and front matter, as the board template's arguments."""
    typst_fmt = _typst_format(config)
    front = config.front
    return {
        "title": config.title,
        "subtitle": config.subtitle,
        "author": front.author or config.author,
        "date": config.display_date,
        "note": config.cover_note,
        "lang": config.lang,
        "paper": str(typst_fmt.get("papersize", "a4")),
        "classification": front.classification,
        "version": front.version,
        "contact": front.contact,
        "purpose": front.purpose,
        "logo": f"/{front.logo}" if front.logo else None,  # from the Typst root, the project
    }


def _typst_format(config: BookConfig) -> dict[str, Any]:
    typst_fmt = (config.raw.get("format") or {}).get("typst") or {}
    return typst_fmt if isinstance(typst_fmt, dict) else {}


def _arguments(args: dict[str, str | None]) -> list[str]:
    return [f"  {k}: {_typst_string(v)}," for k, v in args.items() if v is not None]


def typst_wrapper(config: BookConfig, body: str) -> str:
    """The Typst document: the board template applied to pandoc's Typst body.

    Parameters
    ----------
    config
        Book configuration (title block, front matter, paper size, contents, numbering).
    body
        Pandoc's Typst output (no template).

    Returns
    -------
    str
        A complete Typst source, compiled with the project folder as root.
    """
    typst_fmt = _typst_format(config)
    lines = _arguments(_front_args(config))
    lines.append(f"  toc: {'true' if typst_fmt.get('toc', True) else 'false'},")
    if typst_fmt.get("toc-depth"):
        lines.append(f"  toc-depth: {int(typst_fmt['toc-depth'])},")
    numbering = typst_fmt.get("section-numbering", "1.1")
    lines.append(f"  sectionnumbering: {_typst_string(str(numbering)) if numbering else 'none'},")
    return (
        "// Written by hi_reports (builtin engine): the board template around pandoc's body.\n"
        f'#import "/{BOARD_TEMPLATE}": board, board-callout, board-appendix, horizontalrule\n'
        "#show: board.with(\n" + "\n".join(lines) + "\n)\n\n" + body
    )


def brief_wrapper(config: BookConfig, body: str, full: str) -> str:
    """The Typst document of the two-page brief: ``board-brief`` around the first chapter's body,
    ending with ``full``, which says where the full edition is."""
    lines = _arguments({**_front_args(config), "full": full})
    return (
        "// Written by hi_reports (builtin engine): the brief, the executive summary on its own.\n"
        f'#import "/{BOARD_TEMPLATE}": board-brief, board-callout, horizontalrule\n'
        "#show: board-brief.with(\n" + "\n".join(lines) + "\n)\n\n" + body
    )


def full_edition(config: BookConfig, formats: Sequence[str], basename: str) -> str:
    """The brief's closing line: the full edition's files beside it (those being rendered)."""
    full = [fmt for fmt in ("pdf", "html", "html-single", "docx") if fmt in formats]
    if not full:
        return (
            f"This brief is the executive summary of the full edition ({config.title}: "
            f"{config.subtitle}), which has every chapter in full, the methods and the "
            "sources: build its PDF or HTML beside this brief. Every number is in "
            "annex.csv, with its definition and source."
        )
    out = Path(".")
    files = [
        path.relative_to(out).as_posix() for path in expected_outputs(out, full, basename).values()
    ]
    named = ", ".join([*files, "annex.csv (every number, with its definition and source)"])
    return (
        f"This brief is the executive summary of the full edition ({config.title}: "
        f"{config.subtitle}), which has every chapter in full, the methods and the sources, "
        f"beside this file: {named}."
    )


def compile_typst(source: str, project: Path, pdf: Path) -> None:
    """Compile a Typst source (root = the project folder) to an accessible ``pdf``.

    The PDF is made PDF/UA-1 (tagged, with alternative text); when Typst finds the document cannot
    be (an image without alternative text), a :class:`HIReportsWarning` says why and the PDF is
    written without the claim.

    Typst runs in a child process (:mod:`hi_reports.render.typst_child`).

    Raises
    ------
    RenderError
        When the board template is missing or Typst reports an error; the message names the
        chapter or template file and has Typst's first error line.
    """
    report_typst(*typst_pdf(source, project, pdf))


def typst_pdf(source: str, project: Path, pdf: Path) -> tuple[str, str]:
    """:func:`compile_typst`'s work without its report: the outcome and message of the Typst
    child (safe to call from another thread: it waits on the child's answer, holding no GIL)."""
    if importlib.util.find_spec("typst") is None:  # pragma: no cover - a hard dependency
        raise MissingDependencyError(
            "the typst package is not installed", hint='pip install "typst>=0.11"'
        )
    if not (project / BOARD_TEMPLATE).is_file():
        raise RenderError(
            f"{project / BOARD_TEMPLATE} is missing: the PDF needs the board-paper template",
            hint="the book stage copies templates/typst/ into the project's typst/ folder",
        )
    return TYPST.pdf(source, project, pdf)


def report_typst(outcome: str, message: str) -> None:
    """Raise a :class:`RenderError` for a Typst error, warn for a PDF written without its
    PDF/UA-1 claim (see :func:`compile_typst`)."""
    if outcome == ERROR:
        raise RenderError(message, hint=f"check the chapter's markup and {BOARD_TEMPLATE}")
    if outcome == NOT_ACCESSIBLE:
        warnings.warn(message, HIReportsWarning, stacklevel=4)


@register
class BuiltinEngine(Engine):
    """Render with pandoc and Typst from PyPI (no Quarto needed)."""

    name = "builtin"
    install_hint = 'pip install "pypandoc-binary>=1.13" "typst>=0.11"'

    @classmethod
    def available(cls) -> bool:
        """Whether pypandoc-binary and typst are installed."""
        return all(importlib.util.find_spec(name) is not None for name in ("pypandoc", "typst"))

    def _render(
        self,
        project: Path,
        config: BookConfig,
        out: Path,
        formats: Sequence[Format],
        basename: str,
    ) -> dict[str, float]:
        # imported on use, as in _html_single: BeautifulSoup takes 0.2 s to import, and a batch
        # with nothing to build looks the engine up without rendering anything
        from hi_reports.render._html import downloads, split_pages, write_pages

        seconds: dict[str, float] = {}
        markdown = book_markdown(project, config)
        with (
            tempfile.TemporaryDirectory(prefix="hi_reports_") as tmp,
            ThreadPoolExecutor(1, thread_name_prefix="hi-reports-pdf") as background,
        ):
            filter_path = write_filter(Path(tmp))
            # With HTML (either kind) and PDF, the HTML's pandoc run writes the Typst body too (one
            # parse of the markdown instead of two); html and html-single share that one run.
            html_too = any(f in ("html", "html-single") for f in formats)
            typst_body = Path(tmp) / "body.typ" if html_too and "pdf" in formats else None
            book_html = ""
            if html_too:
                start = time.perf_counter()
                book_html = self._book_html(project, config, markdown, filter_path, typst_body)
                seconds["pandoc"] = time.perf_counter() - start
            # The PDF compiles in the Typst child while this thread writes the other formats: a
            # thread that only waits for the child's answer.
            pdf: Future[tuple[str, str]] | None = None
            pdf_started = time.perf_counter()
            if "pdf" in formats:
                source = self._pdf_source(config, project, markdown, filter_path, typst_body)
                pdf = background.submit(typst_pdf, source, project, out / f"{basename}.pdf")
            for fmt in formats:
                start = time.perf_counter()
                if fmt == "html":
                    write_pages(
                        split_pages(book_html, config),
                        project,
                        config,
                        out / "html",
                        downloads(out, formats, basename),
                    )
                elif fmt == "html-single":
                    self._html_single(project, config, out / f"{basename}.html", book_html)
                elif fmt == "brief":
                    self._brief(
                        project,
                        config,
                        out / f"{basename}-brief.pdf",
                        filter_path,
                        full_edition(config, formats, basename),
                    )
                elif fmt == "docx":
                    self._docx(project, config, out / f"{basename}.docx", markdown, filter_path)
                else:
                    continue
                seconds[fmt] = time.perf_counter() - start
            if pdf is not None:
                report_typst(*pdf.result())
                seconds["pdf"] = time.perf_counter() - pdf_started
        return seconds

    @staticmethod
    def _book_html(
        project: Path,
        config: BookConfig,
        markdown: str,
        filter_path: Path,
        typst_body: Path | None = None,
    ) -> str:
        """Pandoc's HTML of the whole book; with ``typst_body``, it writes the Typst body there
        too."""
        args = ["--number-sections", "--wrap=none", "--metadata", f"lang={config.lang}"]
        what = "HTML"
        if typst_body is not None:
            args += ["--metadata", f"hi-typst-output={typst_body}"]
            what = "HTML and PDF (Typst)"
        return run_pandoc(
            markdown, "html5", cwd=project, filter_path=filter_path, what=what, args=args
        )

    @staticmethod
    def _html_single(project: Path, config: BookConfig, dest: Path, book_html: str) -> None:
        """Write the book as one self-contained HTML file from pandoc's HTML of the book."""
        from hi_reports.render._html import split_pages, write_single

        write_single(split_pages(book_html, config), project, config, dest)

    @staticmethod
    def _pdf_source(
        config: BookConfig,
        project: Path,
        markdown: str,
        filter_path: Path,
        typst_body: Path | None = None,
    ) -> str:
        """The PDF's Typst source: the board template around ``typst_body`` (written by the HTML's
        pandoc run) or around a pandoc run of its own."""
        if typst_body is not None:
            body = typst_body.read_text(encoding="utf-8")
        else:
            body = run_pandoc(
                markdown,
                "typst",
                cwd=project,
                filter_path=filter_path,
                what="PDF (Typst)",
                args=["--wrap=preserve"],
            )
        return typst_wrapper(config, body)

    @staticmethod
    def _brief(project: Path, config: BookConfig, pdf: Path, filter_path: Path, full: str) -> None:
        """The two-page brief: the book's first chapter (the executive summary) on its own, its
        links to other chapters as plain text and its ``.hi-book-only`` sections left out."""
        first = dataclasses.replace(config, chapters=config.files[:1], appendices=())
        body = run_pandoc(
            book_markdown(project, first),
            "typst",
            cwd=project,
            filter_path=filter_path,
            what="brief (Typst)",
            args=["--wrap=preserve", "--metadata", "hi-brief=true"],
        )
        compile_typst(brief_wrapper(config, body, full), project, pdf)

    @staticmethod
    def _docx(
        project: Path, config: BookConfig, docx: Path, markdown: str, filter_path: Path
    ) -> None:
        """Write the Word document: the cover (:func:`hi_reports.render._docx.cover_markdown`) and
        the chapters through pandoc with the reference document (A4, header and footer, styles:
        templates/word), then :func:`hi_reports.render._docx.finish`."""
        docx_fmt = (config.raw.get("format") or {}).get("docx") or {}
        docx_fmt = docx_fmt if isinstance(docx_fmt, dict) else {}
        reference = _docx.reference_doc(project, docx_fmt)
        args = [
            "--output",
            str(docx),
            "--metadata",
            f"title={config.title}",
            "--metadata",
            f"lang={config.lang}",
            "--metadata",
            "toc-title=Contents",
        ]
        if docx_fmt.get("toc", True):
            args += ["--toc", f"--toc-depth={int(docx_fmt.get('toc-depth') or 2)}"]
        # pandoc's title block is the title and subtitle; the author, date and data vintages are
        # among the particulars of the cover, under it, with the front matter (the logo above it).
        if config.subtitle:
            args += ["--metadata", f"subtitle={config.subtitle}"]
        args += _docx.metadata_args(config)
        # Sections are numbered unless the project says not (as in Quarto books and the PDF).
        if docx_fmt.get("number-sections", True):
            args.append("--number-sections")
        markdown = _docx.cover_markdown(config, project) + markdown
        with tempfile.TemporaryDirectory(prefix="hi_reports_docx_") as tmp:
            personal = _docx.personalise_reference(reference, config, Path(tmp) / "reference.docx")
            args += ["--reference-doc", str(personal)]
            # Word gets PNG copies of SVG charts (an SVG logo too); pandoc finds them before the
            # project's files.
            markdown = _docx.rasterise_svgs(markdown, project, Path(tmp) / "png")
            args += ["--resource-path", f"{Path(tmp) / 'png'}{os.pathsep}{project}"]
            run_pandoc(
                markdown,
                "docx",
                cwd=project,
                filter_path=filter_path,
                what="Word document",
                args=args,
            )
        _docx.finish(docx, config)
