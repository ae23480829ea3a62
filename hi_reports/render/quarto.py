"""The ``quarto`` engine: ``quarto render`` where Quarto is installed.

Quarto renders the book project into its output folder (``project.output-dir``, ``_book`` by
default); this engine then moves the outputs into the layout every engine shares
(``out/html/...``, ``out/<basename>.pdf``, ``out/<basename>.docx``). The PDF comes from Quarto's
``typst`` format, whose ``typst-template.typ`` and ``typst-show.typ`` partials (from
``templates/typst``) apply the same board-paper template as the builtin engine.

Quarto has no single-file output for a book (``embed-resources`` still writes one file per
chapter), so ``html-single`` comes from the builtin engine's pandoc, from the same chapters; so does
the two-page ``brief``, which is the builtin engine's.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from hi_reports.errors import RenderError
from hi_reports.render._project import BookConfig
from hi_reports.render.base import Engine, Format, register
from hi_reports.render.builtin import BuiltinEngine
from hi_reports.render.typst_child import font_folder

#: Quarto's ``--to`` for each of our formats.
QUARTO_FORMATS: dict[str, str] = {"html": "html", "pdf": "typst", "docx": "docx"}
STDERR_LINES = 15


def _tail(text: str, lines: int = STDERR_LINES) -> str:
    kept = [ln for ln in text.strip().splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


@register
class QuartoEngine(Engine):
    """Render with the Quarto command-line program (``quarto render``)."""

    name = "quarto"
    install_hint = (
        "install Quarto from https://quarto.org/docs/get-started/ or "
        'pip install "hi-reports[quarto]" '
        "(both need internet access), or use the builtin engine, which needs nothing outside "
        "PyPI"
    )

    @classmethod
    def available(cls) -> bool:
        """Whether ``quarto`` is on the PATH."""
        return shutil.which("quarto") is not None

    def _render(
        self,
        project: Path,
        config: BookConfig,
        out: Path,
        formats: Sequence[Format],
        basename: str,
    ) -> dict[str, float]:
        quarto = shutil.which("quarto")
        if quarto is None:  # pragma: no cover - checked by Engine.render
            raise RenderError("quarto is not on the PATH", hint=self.install_hint)
        book = project / config.output_dir
        seconds: dict[str, float] = {}
        for fmt in formats:
            start = time.perf_counter()
            if fmt in ("html-single", "brief"):
                seconds.update(BuiltinEngine()._render(project, config, out, (fmt,), basename))
                continue
            cmd = [quarto, "render", str(project), "--to", QUARTO_FORMATS[fmt]]
            if fmt == "pdf" and (fonts := font_folder()):  # the PDF's DejaVu Sans, as builtin's
                cmd += ["--metadata", f"font-paths:{fonts}"]
            proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RenderError(
                    f"quarto render --to {QUARTO_FORMATS[fmt]} failed on {project} "
                    f"(exit status {proc.returncode}):\n{_tail(proc.stderr or proc.stdout)}",
                    hint="run the same quarto command in the project folder to see the whole log, "
                    "or try the builtin engine",
                )
            if not book.is_dir():
                raise RenderError(
                    f"quarto render finished but wrote no {book}",
                    hint="check project.output-dir in _quarto.yml",
                )
            if fmt == "html":
                self._collect_html(book, out / "html")
            else:
                ext = "pdf" if fmt == "pdf" else "docx"
                self._collect_file(book, ext, out / f"{basename}.{ext}")
            seconds[fmt] = time.perf_counter() - start
        return seconds

    @staticmethod
    def _collect_file(book: Path, ext: str, target: Path) -> None:
        """Move Quarto's single ``.pdf``/``.docx`` (named after the book title) to ``target``."""
        found = sorted(book.rglob(f"*.{ext}"), key=lambda p: p.stat().st_mtime, reverse=True)
        found = [p for p in found if "site_libs" not in p.parts]
        if not found:
            raise RenderError(f"quarto render finished but wrote no .{ext} file in {book}")
        shutil.move(str(found[0]), target)

    @staticmethod
    def _collect_html(book: Path, dest: Path) -> None:
        """Move Quarto's HTML book (pages, figures, site_libs, css) into ``dest``."""
        if not (book / "index.html").is_file():
            raise RenderError(f"quarto render finished but wrote no {book / 'index.html'}")
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for item in book.iterdir():
            if item.suffix in {".pdf", ".docx", ".typ"}:
                continue
            shutil.move(str(item), dest / item.name)
