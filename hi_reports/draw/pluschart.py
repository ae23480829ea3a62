"""The chart of the PLUS chapter: each broad ethnic group's residents by the national IMD quintile
of their neighbourhood, one stacked bar a group (all residents first), each part labelled with its
share where it is wide enough to hold it.

Drawn with matplotlib's object API, as the other charts of an edition: the same chart drawn with
plotnine inside the chapter took 0.75 s of CPU an edition (0.45 s to build and draw, 0.3 s to write
a 300 dpi PNG), this one 0.16 s as SVG (QHL, timed by hand in a warm process). The quintiles take
the colours of the decile map's deciles 1, 3, 5, 7 and 10, quintile 1 darkest.
"""

from __future__ import annotations

from pathlib import Path

from hi_reports.data.vintage import Vintage
from hi_reports.draw import labels
from hi_reports.draw.charts import AXIS_PT, LEGEND_PT, NOTE_PT, TICK_PT, Chart
from hi_reports.draw.figfile import (
    PRINTED_WIDTH,
    line_height,
    plain_text,
    text_width,
    wrap,
    write_svg,
)
from hi_reports.draw.maps import DECILE_COLOURS
from hi_reports.draw.palette import NOTE, TEXT
from hi_reports.indicators.plus import PlusFigures

#: The colour of each national IMD quintile, 1 (most deprived) to 5.
QUINTILE_COLOURS = tuple(DECILE_COLOURS[d] for d in (0, 2, 4, 6, 9))
#: Quintiles up to this one are dark enough for white labels; the others take the text colour.
LAST_DARK = 3
#: The narrowest part that is labelled with its share.
LABEL_MIN = 0.06
#: Inches a bar takes, and the margins above (the legend) and below (the axis).
PITCH, TOP, BOTTOM = 0.3, 0.62, 0.5
#: The chart's file stem: ``figures/plus_quintiles.svg``, cross-referenced ``fig-plus-quintiles``.
NAME = "plus_quintiles"


def draw_plus_chart(
    plus: PlusFigures, folder: Path, *, vintage: Vintage, source: str
) -> Chart | None:
    """Draw the chart into ``folder`` and return it; None where every resident lives in one
    quintile (the chapter's sentences then say it all).

    Parameters
    ----------
    plus
        The PLUS chapter's figures: all residents and the groups with a stable share are drawn.
    folder
        The project's ``figures/`` folder.
    vintage
        The reference data's vintage: the legend's IMD release.
    source
        The census table (and lookup) the chart's note cites.
    """
    if plus.single_quintile is not None:
        return None
    # on use: matplotlib takes a second to import
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    rows = [plus.all, *(g for g in plus.groups if g.stable)]
    text = labels.plus_quintiles(plus, rows, vintage, source)
    note = wrap(text.note, PRINTED_WIDTH - 0.15, NOTE_PT)
    note_height = line_height(NOTE_PT, len(note))
    height = TOP + PITCH * len(rows) + BOTTOM + note_height + 0.1
    left = max(text_width(g.short, TICK_PT) for g in rows) + 0.15
    figure = Figure(figsize=(PRINTED_WIDTH, height))
    ax = figure.add_axes(
        (
            left / PRINTED_WIDTH,
            (BOTTOM + note_height + 0.1) / height,
            (PRINTED_WIDTH - left - 0.2) / PRINTED_WIDTH,
            PITCH * len(rows) / height,
        )
    )
    positions = list(range(len(rows)))[::-1]  # all residents at the top
    starts = [0.0] * len(rows)
    for quintile, colour in enumerate(QUINTILE_COLOURS, start=1):
        shares = [g.quintiles[quintile - 1].value for g in rows]
        ax.barh(
            positions, shares, left=starts, height=0.75, color=colour, edgecolor="white", lw=0.4
        )
        label_colour = "white" if quintile <= LAST_DARK else TEXT
        for at, start, share in zip(positions, starts, shares, strict=True):
            if share >= LABEL_MIN:
                ax.text(
                    start + share / 2,
                    at,
                    f"{share:.0%}",
                    ha="center",
                    va="center",
                    fontsize=NOTE_PT,
                    color=label_colour,
                )
        starts = [start + share for start, share in zip(starts, shares, strict=True)]
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.set_yticks(positions, [g.short for g in rows])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
    ax.tick_params(labelsize=TICK_PT, labelcolor=TEXT, length=0)
    ax.set_xlabel(text.axis, fontsize=AXIS_PT, color=TEXT)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    figure.legend(
        [Patch(color=c) for c in QUINTILE_COLOURS],
        labels.QUINTILES,
        loc="upper left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=len(QUINTILE_COLOURS),
        frameon=False,
        fontsize=LEGEND_PT,
        title=text.categories,
        title_fontsize=LEGEND_PT,
        alignment="left",
        handlelength=1.2,
        columnspacing=1.0,
    )
    figure.text(0.01, 0.02, "\n".join(note), fontsize=NOTE_PT, color=NOTE, va="bottom")
    plain_text(figure)
    write_svg(figure, folder, NAME)
    measures = tuple(g.quintiles[0] for g in rows)
    return Chart(NAME, text.title, text.alt, measures)
