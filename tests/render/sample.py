"""The sample edition project the render tests build (chapters, figure, templates)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

TITLE = "Health Inequalities Book"
SUBTITLE = "NHS Example Integrated Care Board edition"

CHAPTERS = {
    "index.qmd": """# Preface {.unnumbered}

This edition describes health inequalities for the population of NHS Example Integrated Care Board.
Read the [deprivation chapter](imd.qmd) first if you are new to the Index of Multiple Deprivation.

## How to read this book

Numbers are for residents of the ICB's neighbourhoods, from official open data.

::: {.callout-important}
## Headline numbers
- **23.4%** of residents live in the most deprived fifth of areas in England.
- Emergency admissions are **1.9 times** as high in the most deprived quintile.
:::
""",
    "intro.qmd": """# Introduction {#sec-intro}

Health inequalities are unfair and avoidable differences in health across the population.
This chapter sets out how the book measures them for a local population.

## Who this book is for {#sec-intro-audience}

Analysts in provider trusts and Integrated Care Boards who need a quick reference.
See [the Core20 section](imd.qmd#sec-imd-core20) for the national focus on the most deprived fifth.

::: {.callout-note}
Deprivation is a characteristic of an area, not of every person who lives there.
:::
""",
    "imd.qmd": """# Deprivation {#sec-imd}

The Index of Multiple Deprivation ranks every small area in England from most to least deprived.

## Residents by national quintile {#sec-imd-quintiles}

| Quintile | Residents | Share |
|:---------|----------:|------:|
| 1 (most deprived) | 312,400 | 23.4% |
| 2 | 280,150 | 21.0% |
| 5 (least deprived) | 198,020 | 14.8% |

: Residents of NHS Example ICB by national IMD quintile {#tbl-imd-quintiles}

![Residents by national IMD decile](figures/imd_deciles.png){#fig-imd-deciles \
fig-alt="Bar chart of residents by IMD decile"}

## Core20 {#sec-imd-core20}

Core20 means the residents of the most deprived 20% of areas in England.
Back to the [introduction](intro.qmd).
""",
}


def make_figure(path: Path) -> None:
    """A small bar chart PNG, as the charts stage draws them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.bar(range(1, 11), [31, 29, 27, 24, 22, 20, 18, 16, 15, 13], color="#005EB8")
    ax.set_xlabel("IMD decile (1 = most deprived)")
    ax.set_ylabel("Residents (thousands)")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def write_project(root: Path, chapters: dict[str, str] | None = None) -> Path:
    """Write an edition project folder like the book stage does, and return it."""
    chapters = CHAPTERS if chapters is None else chapters
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "project": {"type": "book", "output-dir": "_book"},
        "book": {
            "title": TITLE,
            "subtitle": SUBTITLE,
            "author": "NHS-R Community",
            "date": "2025-03-12",
            "chapters": list(chapters),
        },
        "lang": "en-GB",
        "format": {
            "html": {"css": "html/style.css", "toc": True},
            "typst": {
                "papersize": "a4",
                "toc": True,
                "section-numbering": "1.1",
                "template-partials": ["typst/typst-template.typ", "typst/typst-show.typ"],
            },
            "docx": {"toc": True},
        },
    }
    (root / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    for name, text in chapters.items():
        (root / name).write_text(text, encoding="utf-8")
    make_figure(root / "figures" / "imd_deciles.png")
    shutil.copytree(REPO / "templates" / "html", root / "html")
    shutil.copytree(REPO / "templates" / "typst", root / "typst")
    return root
