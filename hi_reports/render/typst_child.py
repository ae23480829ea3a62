"""Typst for the builtin engine, in a child process of its own: one document per request.

Reads one JSON object a line on stdin (``source``, ``project``, ``pdf``) and answers each with one
JSON line ``[outcome, message]`` (see :func:`typst_outcome`); exits at the end of its input. Run as
``python -m hi_reports.render.typst_child`` by :mod:`hi_reports.render.builtin`. It sits outside
``hi_reports.render`` and imports nothing of the project but this, so that a child starts in the
time it takes to import typst (0.1 s, against 0.3 s for the render package).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def font_folder() -> str | None:
    """The folder of the DejaVu fonts matplotlib ships (the sans-serif family of the charts, the PDF,
    the HTML and Word), found without importing matplotlib; None if it is not there."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if (folder / "DejaVuSans.ttf").is_file():
            return str(folder)
    return None


#: The PDF claims PDF/UA-1 (tagged, accessible) when Typst can check it; public-sector bodies
#: must publish accessible documents.
PDF_STANDARDS: tuple[str, ...] = ("ua-1",)


def first_line(text: str) -> str:
    """The first informative line of a tool's error output."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return "(no error message)"
    if len(lines) > 1 and lines[0].startswith("Error running filter"):
        return lines[1]  # the filter's own message; the temporary filter path says nothing
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _typst_error_place(err: Exception, source: str, project: Path) -> str:
    """Name the chapter (or template file and line) where a Typst error happened."""
    diagnostic = str(getattr(err, "diagnostic", "") or "")
    match = re.search(r"┌─ (\S+?):(\d+):\d+", diagnostic)
    if not match:
        return "the book"
    file, line = match.group(1), int(match.group(2))
    if not file.endswith("__typst_py_bytes__.typ"):
        try:
            file = Path(file).resolve().relative_to(project).as_posix()
        except ValueError:
            pass
        return f"{file}, line {line}"
    chapter = "the title block"
    for text in source.splitlines()[:line]:
        if text.startswith("// hi-chapter: "):
            chapter = text.removeprefix("// hi-chapter: ").strip()
    return chapter


def typst_outcome(source: str, project: Path, pdf: Path) -> tuple[str, str]:
    """Run Typst; return ``("ok", "")``, ``("not accessible", warning)`` or ``("error", message)``."""
    import typst

    def run(standards: list[str]) -> None:
        folder = font_folder()
        typst.compile(
            source.encode("utf-8"),
            output=str(pdf),
            root=str(project),
            ignore_system_fonts=True,
            font_paths=[folder] if folder else [],
            format="pdf",
            pdf_standards=standards,
        )

    try:
        try:
            run(list(PDF_STANDARDS))
            return "ok", ""
        except Exception as err:
            message = str(getattr(err, "message", "") or err)
            if not message.startswith("PDF/UA"):
                raise
            run([])
            return "not accessible", (
                f"the PDF of {project} is not accessible (PDF/UA-1) because of "
                f"{_typst_error_place(err, source, project)}: {first_line(message)}; "
                "it was written without the PDF/UA-1 claim"
            )
    except Exception as err:  # typst.TypstError, and RuntimeError from older versions
        message = str(getattr(err, "message", "") or err)
        place = _typst_error_place(err, source, project)
        return "error", f"typst failed on {place} ({project}): {first_line(message)}"


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        result = typst_outcome(request["source"], Path(request["project"]), Path(request["pdf"]))
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
