"""The editions index: ``editions/index.html`` links every edition with its headline numbers.

The numbers are read back from each edition's ``annex.csv`` (the numbers the book printed), so the
index and the books cannot disagree. The page uses the editions' stylesheet and a few lines of
vanilla JavaScript to sort the table by any column; without JavaScript it is a plain table.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import jinja2

from hi_reports import __version__
from hi_reports.batch.manifest import INDEX_TEMPLATE, MANIFEST_NAME, read_manifest
from hi_reports.pipeline import BookSources

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


class IndexRow(TypedDict):
    """One edition's row of the index."""

    code: str
    name: str
    kind: str
    #: The edition's files, relative to the editions folder; None where not built.
    html: str | None
    pdf: str | None
    docx: str | None
    #: The numbers of :data:`HEADLINES`, in order; None where the annex lacks one.
    numbers: list[Headline | None]
    #: The day the edition was built (``YYYY-MM-DD``).
    built: str
    #: The batch that wrote the index failed to rebuild the edition: this is an older one.
    failed: bool


def _template(sources: BookSources) -> Path:
    """The book's own index template, else the shipped one."""
    own = sources.templates / INDEX_TEMPLATE
    return own if own.is_file() else BookSources().templates / INDEX_TEMPLATE


def _rows(out: Path, failed: Collection[str]) -> list[IndexRow]:
    rows: list[IndexRow] = []
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
                "failed": manifest.code in failed,
            }
        )
    rows.sort(key=lambda row: row["name"].lower())
    return rows


def write_index(
    out: Path, sources: BookSources | None = None, failed: Collection[str] = ()
) -> Path:
    """Write ``out/index.html`` listing every edition under ``out`` that has a manifest.

    Parameters
    ----------
    out
        The editions folder.
    sources
        The book sources whose ``templates/editions-index.html.jinja`` and
        ``templates/html/style.css`` are used; the shipped ones when None or when the template is
        missing there.
    failed
        The codes whose edition the batch failed to build: an older edition of one of them, still
        in ``out``, is listed as such.

    Returns
    -------
    Path
        The index page.
    """
    out = Path(out)
    template_path = _template(sources or BookSources())
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_path.parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    rows = _rows(out, set(failed))
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
