"""The editions index: ``editions/index.html`` links every edition with its headline numbers.

The numbers are read back from each edition's ``annex.csv`` (the numbers the book printed), so the
index and the books cannot disagree. The page uses the editions' stylesheet and a few lines of
vanilla JavaScript to sort the table by any column; without JavaScript it is a plain table.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hi_reports.batch.manifest import INDEX_TEMPLATE, MANIFEST_NAME, read_manifest

#: Headline numbers of the index: (annex key, preferred chapter, column title).
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("intro.population", "index", "Residents"),
    ("imd.core20.share", "imd", "Core20 share"),
    ("rural.rural.share", "rural", "Rural share"),
)


@dataclass(frozen=True)
class Headline:
    """One number of an edition as its book printed it."""

    value: float | None
    printed: str


def headline_numbers(folder: Path) -> dict[str, Headline]:
    """Read the headline numbers of the edition in ``folder`` from its ``annex.csv``.

    For each key of :data:`HEADLINES` the row of the preferred chapter is used (``imd`` for the
    Core20 share, ``rural`` for the rural share), else the first row with that key.

    Returns
    -------
    dict
        ``{annex key: Headline}``; a key the annex lacks is absent.
    """
    wanted = {key: chapter for key, chapter, _ in HEADLINES}
    found: dict[str, tuple[bool, Headline]] = {}
    try:
        with open(Path(folder) / "annex.csv", newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = row.get("key", "")
                if key not in wanted:
                    continue
                preferred = row.get("chapter") == wanted[key]
                if key in found and (found[key][0] or not preferred):
                    continue
                try:
                    value: float | None = float(row.get("value", ""))
                except ValueError:
                    value = None
                found[key] = (preferred, Headline(value, row.get("printed", "")))
    except OSError:
        return {}
    return {key: headline for key, (_, headline) in found.items()}


def _template(templates: Path) -> Path:
    own = Path(templates) / INDEX_TEMPLATE
    if own.is_file():
        return own
    from hi_reports.book.project import BOOK_SOURCES

    return BOOK_SOURCES / "templates" / INDEX_TEMPLATE


def _rows(out: Path) -> list[dict[str, Any]]:
    rows = []
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (folder / MANIFEST_NAME).is_file():
            continue
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        numbers = headline_numbers(folder)
        outputs = manifest.outputs
        rows.append(
            {
                "code": manifest.code,
                "name": manifest.name,
                "kind": manifest.kind,
                "html": f"{folder.name}/{outputs['html']}" if "html" in outputs else None,
                "pdf": f"{folder.name}/{outputs['pdf']}" if "pdf" in outputs else None,
                "docx": f"{folder.name}/{outputs['docx']}" if "docx" in outputs else None,
                "numbers": [numbers.get(key) for key, _, _ in HEADLINES],
                "built": manifest.built_at[:10],
            }
        )
    rows.sort(key=lambda row: row["name"].lower())
    return rows


def write_index(out: Path, sources: Any | None = None) -> Path:
    """Write ``out/index.html`` listing every edition under ``out`` that has a manifest.

    Parameters
    ----------
    out
        The editions folder.
    sources
        The book sources (:class:`hi_reports.book.project.BookSources`) whose
        ``templates/editions-index.html.jinja`` and ``templates/html/style.css`` are used; the shipped ones
        when None or when the template is missing there.

    Returns
    -------
    Path
        The index page.
    """
    import datetime as dt

    import jinja2

    from hi_reports import __version__
    from hi_reports.book.project import BookSources

    out = Path(out)
    sources = sources or BookSources()
    template_path = _template(sources.templates)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_path.parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    rows = _rows(out)
    html = env.get_template(template_path.name).render(
        rows=rows,
        headlines=[title for _, _, title in HEADLINES],
        kinds=sorted({row["kind"] for row in rows}),
        version=__version__,
        generated=dt.date.today().isoformat(),
    )
    style = template_path.parent / "html" / "style.css"
    if style.is_file():
        shutil.copyfile(style, out / "style.css")
    index = out / "index.html"
    temporary = out / ".index.html.tmp"
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(index)
    return index
