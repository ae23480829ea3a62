"""A local book project: ``hi-reports init DIR`` writes one, and ``hi-reports build`` reads its
options from the ``hi-reports:`` section of its ``_quarto.yml``.

The project is the shipped book sources (``_quarto.yml``, ``chapters/``, ``templates/``) with an
example chapter of the analyst's own, ``chapters/local.qmd``, which reads a CSV of local data (or
makes a labelled synthetic one when there is none yet) and draws a plotnine chart by IMD quintile.
Quarto ignores the ``hi-reports:`` section; stock Quarto renders the same project with
``quarto render -P org:QHL``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from hi_reports.book.project import BOOK_SOURCES, NOT_SOURCES, BookSources
from hi_reports.errors import TemplateError
from hi_reports.folders import OutputError

#: The keys of the ``hi-reports:`` section, with what each holds.
OPTIONS = {
    "org": "the organisation code (or codes, comma-separated) to build",
    "kind": "icb, sub-icb, la, trust or england",
    "vintage": "2019 or 2025",
    "formats": "a list of html, pdf, docx",
    "activity": "activity measures: a list of {file, measure, columns, period}",
    "unsafe_counts": "true for true counts (internal use only)",
    "audience": "board (no code) or analyst (code and 'do this with your own data' boxes)",
}

LOCAL_CHAPTER = """# Our own data {#sec-local}

This chapter is an example of a chapter of your own: Quarto markdown with Python cells. It reads
`local.csv` beside it in `chapters/` (one row per event, with the column `lsoa_code`) and shows the
events by national IMD quintile of the neighbourhood where the person lives. The one file serves
every organisation the book is built for: each edition counts the rows of its own neighbourhoods
and says how many it left out.

```{python}
#| tags: [parameters]
org = "QHL"
```

```{python}
from pathlib import Path

import numpy as np
import pandas as pd
from plotnine import aes, geom_col, ggplot, labs, theme_minimal

import hi_reports

ed = hi_reports.edition(org)
path = Path("local.csv")
if path.exists():
    events = pd.read_csv(path, usecols=["lsoa_code"])
    what, source = "events in local.csv", "the chapter's own data (local.csv)"
else:  # no data of our own yet: a synthetic example, labelled as such in the text and the annex
    rng = np.random.default_rng(1)
    weights = ed.lsoas["residents"] / ed.lsoas["residents"].sum()
    events = pd.DataFrame({"lsoa_code": rng.choice(ed.lsoas["lsoa_code"], 5000, p=weights)})
    what = "synthetic example events (put your own in local.csv)"
    source = "SYNTHETIC example events made by the chapter (no local.csv yet)"
matched = events.merge(ed.lsoas, on="lsoa_code")
# rows of other organisations, or not LSOA codes: counted, not lost
outside = len(events) - len(matched)
counts = matched.groupby("imd_quintile").size()
table = pd.DataFrame({"quintile": range(1, 6)})
table["events"] = table["quintile"].map(counts).fillna(0)
residents = ed.lsoas.groupby("imd_quintile")["residents"].sum()
table["residents"] = table["quintile"].map(residents).fillna(0)
# Disclosure control as the rest of the book: counts rounded to 5, 1 to 7 suppressed.
table["events"] = np.where(table["events"].between(1, 7), np.nan, (table["events"] / 5).round() * 5)
table["rate"] = 1000 * table["events"] / table["residents"]
q1 = table.loc[table["quintile"] == 1, "rate"].iloc[0]
if not path.exists():
    left_out = ""  # the synthetic events are all of the organisation's own neighbourhoods
elif outside == 0:
    left_out = "; none of the file's rows lie outside the organisation"
elif not len(matched):  # no events here, or codes of another vintage or in another column
    left_out = (
        "; none of the file's rows is of one of the organisation's neighbourhoods (if it should "
        "have some, check that its column lsoa_code holds LSOA codes of the edition's vintage)"
    )
elif outside <= 7:
    left_out = "; fewer than 8 of the file's rows lie outside the organisation and are left out"
else:
    rows = ed.num(
        5 * round(outside / 5),
        key="local.outside",
        definition="Rows of the chapter's file outside the organisation, rounded to 5",
        source=source,
    )
    left_out = f"; {rows} of the file's rows lie outside the organisation and are left out"
rate_q1 = ed.dec(
    q1,
    key="local.rate_q1",
    definition="Events per 1,000 residents in national IMD quintile 1",
    source=source,
)
```

@fig-local-rates shows `{python} what`, per 1,000 residents, by national IMD
quintile`{python} left_out`. In the most deprived quintile the rate is `{python} rate_q1` per
1,000 residents.

```{python}
#| label: fig-local-rates
#| fig-cap: "Events per 1,000 residents by national IMD quintile (1 = most deprived)"
#| fig-alt: "Bars of the rate of events per 1,000 residents in each national IMD quintile."
(ggplot(table.dropna(), aes("factor(quintile)", "rate")) + geom_col(fill="#005EB8")
 + labs(x="National IMD quintile", y="Per 1,000 residents") + theme_minimal())
```
"""


#: The commented example of a board paper's front matter at the end of a new project's _quarto.yml.
FRONT_EXAMPLE = """
# A board paper's front matter, on the PDF's cover and every page (each key optional; a --config
# file's front: overrides it key by key):
# front:
#   classification: OFFICIAL
#   version: "1.0"
#   author: Population Health Intelligence team
#   contact: phi@example.nhs.uk
#   purpose: "For information: the board is asked to note the report"
#   logo: logo.png
"""


def project_options(book: Path) -> dict[str, Any]:
    """The ``hi-reports:`` section of ``book/_quarto.yml`` (empty when there is none).

    Raises
    ------
    TemplateError
        When the section is not a mapping or has a key hi-reports does not know.
    """
    config = BookSources(book).config
    try:
        quarto = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}  # the book stage reports an unreadable _quarto.yml with its own message
    section = quarto.get("hi-reports") if isinstance(quarto, dict) else None
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TemplateError(
            f"{config}: the `hi-reports:` section must be a mapping of options",
            hint=f"its keys: {', '.join(OPTIONS)}",
            path=str(config),
        )
    unknown = [str(k) for k in section if k not in OPTIONS]
    if unknown:
        raise TemplateError(
            f"{config}: the `hi-reports:` section has unknown keys {', '.join(unknown)}",
            hint=f"its keys: {', '.join(OPTIONS)}",
            path=str(config),
        )
    return section


def init_project(folder: Path, org: str = "QHL", kind: str = "icb") -> Path:
    """Write a starter book project into ``folder`` (absent or empty) and return its
    ``_quarto.yml``.

    Raises
    ------
    OutputError
        When ``folder`` holds anything already (nothing is written over).
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(
            f"{folder} is not an empty folder; nothing was written",
            hint="give a new folder: hi-reports init DIR",
        )
    sources = BookSources(BOOK_SOURCES)
    sources.check()
    staging = folder.with_name(f".{folder.name}-init")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        shutil.copytree(sources.chapters, staging / "chapters", ignore=NOT_SOURCES)
        shutil.copytree(sources.templates, staging / "templates", ignore=NOT_SOURCES)
        (staging / "chapters" / "local.qmd").write_text(
            LOCAL_CHAPTER.replace('org = "QHL"', f"org = {org.upper()!r}", 1), encoding="utf-8"
        )
        quarto = yaml.safe_load(sources.config.read_text(encoding="utf-8"))
        chapters = quarto["book"]["chapters"]
        summary = next(
            (i for i, c in enumerate(chapters) if str(c).endswith("summary.qmd")), len(chapters)
        )
        chapters.insert(summary, "chapters/local.qmd")
        if "subtitle" in quarto["book"]:  # the shipped book's is the public edition's
            quarto["book"]["subtitle"] = "Local edition"
        quarto["hi-reports"] = {
            "org": org,
            "kind": kind,
            "vintage": "2019",
            "formats": ["html", "pdf"],
        }
        text = (
            "# A book project of hi-reports: `hi-reports build` here builds it; Quarto reads the "
            "same\n# file (it ignores the hi-reports: section). Edit the chapters in chapters/.\n"
            + yaml.safe_dump(quarto, sort_keys=False, allow_unicode=True)
            + FRONT_EXAMPLE
        )
        (staging / "_quarto.yml").write_text(text, encoding="utf-8")
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder / "_quarto.yml"


__all__ = ["LOCAL_CHAPTER", "OPTIONS", "init_project", "project_options"]
