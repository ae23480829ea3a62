"""Charts of an edition, drawn with matplotlib from the chapter figures.

Each chart is drawn from the same :class:`Measure` objects the text prints, so a chart and its
sentence cannot disagree. A chart's finding is its caption in the book (:attr:`Chart.title`), not
text in the image, which would repeat it. Charts are drawn at the width the board paper prints
them (:data:`~hi_reports.draw.figfile.PRINTED_WIDTH`), so that every text is 8 pt or more
on paper, in the colours of :mod:`hi_reports.draw.palette`, and written as SVG
(:func:`~hi_reports.draw.figfile.write_svg`).

The charts use matplotlib's object API with a fixed layout, measured in inches from the texts it
holds. They were first drawn with plotnine; profiling a batch of editions showed its grammar
costing 0.3 s a chart (building, theming, laying out, then matplotlib drawing), two thirds of an
edition's time. These simple bar charts need none of the grammar, and drawing them directly takes
about 0.1 s each, which is what lets 42 editions build within the batch target.

Each thread keeps one figure per layout (orientation, axis format, height) and clears it for the
next chart, which saves creating the Axes and its ticks again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hi_reports.data.vintage import Vintage
from hi_reports.draw.figfile import PRINTED_WIDTH, SUFFIX, text_width, wrap, write_svg
from hi_reports.draw.palette import (
    AGE_GROUPS,
    CASING,
    ENGLAND,
    GRID,
    NOTE,
    ORGANISATION,
    RURAL,
    TEXT,
    URBAN,
)
from hi_reports.formatting import decimal, in_sentence, percent, times
from hi_reports.indicators.chapters import Figures
from hi_reports.indicators.measure import Measure

#: Width and default height of a chart, inches: the width is the printed width.
WIDTH, HEIGHT = PRINTED_WIDTH, 3.3
#: Font sizes in points, as printed (the figure is drawn at its printed width): none under 8.
TICK_PT, LEGEND_PT, AXIS_PT, NOTE_PT = 8.5, 8.5, 9.0, 8.0
#: Small numbers as words, for alt text ("each of the eight classes").
_NUMBERS = dict(
    enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))
)


@dataclass(frozen=True)
class Chart:
    """A chart written to the project's ``figures/`` folder.

    Attributes
    ----------
    name
        File stem, e.g. ``"imd_deciles"``; the file is ``figures/{name}.svg``.
    title
        The finding the chart shows: its caption in the book (the image has no title).
    alt
        Alternative text for screen readers: what the chart shows, with the key numbers.
    measures
        The numbers the title and alt text print, for the data annex.
    """

    name: str
    title: str
    alt: str
    measures: tuple[Measure, ...] = ()

    @property
    def path(self) -> str:
        """Path of the SVG relative to the project folder."""
        return f"figures/{self.name}{SUFFIX}"


@dataclass
class _Series:
    label: str
    values: Sequence[float]
    colour: str
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None


@dataclass
class _Surface:
    """A figure and its one Axes, kept and reused for every chart of one layout."""

    figure: Any
    ax: Any


_SURFACES = threading.local()


def _surface(horizontal: bool, shares: bool, height: float) -> _Surface:
    """The figure for charts of this orientation, axis format and height, cleared for a new chart.

    A new Figure costs its Axes and every tick (each tick is several artists). Charts of the same
    layout therefore share one figure per thread: the chart's own artists (bars, lines, markers,
    texts, legend) are removed and the data limits reset, so the next chart is drawn exactly as on
    a new figure (``tests/test_charts.py`` compares the files).
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    surfaces: dict[tuple[bool, bool, float], _Surface] = _SURFACES.__dict__.setdefault(
        "by_layout", {}
    )
    key = (horizontal, shares, height)
    surface = surfaces.get(key)
    if surface is None:
        figure = Figure(figsize=(WIDTH, height))
        ax = figure.add_axes((0.1, 0.1, 0.8, 0.8))
        value_axis, category_axis = (ax.xaxis, ax.yaxis) if horizontal else (ax.yaxis, ax.xaxis)
        ax.grid(axis="x" if horizontal else "y", color=GRID, zorder=0)
        if shares:
            value_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
        value_axis.set_tick_params(labelsize=TICK_PT, color=GRID, labelcolor=TEXT)
        category_axis.set_tick_params(length=0, labelcolor=TEXT)
        for side in ("top", "right", "left" if not horizontal else "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom" if not horizontal else "left"].set_color(NOTE)
        surface = surfaces[key] = _Surface(figure, ax)
        return surface
    figure, ax = surface.figure, surface.ax
    for container in list(ax.containers):
        container.remove()
    for artist in [*ax.patches, *ax.lines, *ax.collections, *figure.texts, *figure.legends]:
        artist.remove()
    ax.relim()  # empty data limits, as on a new Axes
    ax.set_autoscale_on(True)
    return surface


def _plain_text(figure: Any) -> None:
    """Draw every text of ``figure`` as it is written: a label such as "$5 to $10" (a measure
    named by the user) is text, never matplotlib's mathtext."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        text.set_parse_math(False)


def _line_height(size: float, lines: int = 1) -> float:
    """Height in inches of ``lines`` lines of text at ``size`` points (matplotlib's spacing, 1.2)."""
    return lines * size * 1.2 / 72


def _cased_line(draw: Any, value: float, colour: str) -> None:
    """A dashed reference line with a white casing, which gives it contrast over any bar."""
    draw(value, color=CASING, linewidth=3.4, zorder=3)
    draw(value, color=colour, linestyle="--", linewidth=1.4, zorder=3.1)


def _error_bars(
    ax: Any,
    where: np.ndarray,
    lower: Sequence[float],
    upper: Sequence[float],
    cap: float,
    horizontal: bool,
) -> None:
    """Error bars from ``lower`` to ``upper`` at ``where``, with caps ``cap`` wide each side: dark
    lines on a white casing, visible on the page and on any bar. Two line collections, which
    matplotlib draws far quicker than its ``errorbar``."""
    from matplotlib.collections import LineCollection

    low, high = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    segments = []
    for at, a, b in zip(where[ok], low[ok], high[ok]):
        segments += [
            [(at, a), (at, b)],
            [(at - cap, a), (at + cap, a)],
            [(at - cap, b), (at + cap, b)],
        ]
    if horizontal:
        segments = [[(y, x) for x, y in segment] for segment in segments]
    for colour, line, z, style in ((CASING, 3.2, 3, "projecting"), (TEXT, 1.2, 3.1, "butt")):
        ax.add_collection(
            LineCollection(segments, colors=colour, linewidths=line, zorder=z, capstyle=style)
        )


def _plot(
    folder: Path,
    name: str,
    categories: Sequence[str],
    series: Sequence[_Series],
    *,
    horizontal: bool = False,
    axis_label: str = "",
    category_label: str = "",
    caption: str = "",
    shares: bool = True,
    height: float | None = None,
    pitch: float | None = None,
    reference: tuple[float, str, str] | None = None,
    markers: Sequence[float] | None = None,
    category_size: float = TICK_PT,
) -> None:
    """Draw grouped bars (one group per category, one bar per series) and write the SVG.

    The layout is measured in inches: the category labels' width sets a horizontal chart's left
    margin, and the legend and the note under the chart take the lines they need.

    Parameters
    ----------
    caption
        A note under the chart (sources, methods), in grey.
    height
        The figure's height in inches (default: :data:`HEIGHT` for vertical bars; for horizontal
        bars, ``pitch`` inches a category plus the margins).
    pitch
        Inches a category takes on a horizontal chart (default: by the number of series).
    reference
        A dashed line across the chart: (value, colour, label for the legend).
    markers
        A short horizontal mark on each category (England's value), vertical charts only.
    """
    from matplotlib.lines import Line2D

    handles_text = (
        [s.label for s in series] if len(series) > 1 or reference or markers is not None else []
    )
    if markers is not None:
        handles_text.append("England")
    if reference is not None:
        handles_text.append(reference[2])
    # The legend in one row when it fits the width, else one entry a row.
    entry = (2.0 + 0.8 + 2.0) * LEGEND_PT / 72  # handle, its padding and the column spacing
    one_row = sum(text_width(t, LEGEND_PT) + entry for t in handles_text) <= WIDTH - 0.2
    legend_rows = (1 if one_row else len(handles_text)) if handles_text else 0
    note = wrap(caption, WIDTH - 0.15, NOTE_PT) if caption else []
    if horizontal:
        left = max(text_width(c, category_size) for c in categories) + 0.12
        left += _line_height(AXIS_PT) + 0.08 if category_label else 0.0
        right, top = 0.22, 0.08
    else:
        left = (
            text_width("100%" if shares else "0000", TICK_PT)
            + 0.12
            + (_line_height(AXIS_PT) + 0.06 if axis_label else 0.0)
        )
        right, top = 0.1, 0.12
    # The title of the axis under the bars, on as many lines as the axes' width needs.
    under_axis = wrap(
        category_label if not horizontal else axis_label, WIDTH - left - right, AXIS_PT
    )
    # From the bottom up: note, legend, axis title, tick labels.
    note_h = _line_height(NOTE_PT, len(note)) + 0.06 if note else 0.0
    legend_h = legend_rows * LEGEND_PT * 1.55 / 72 + 0.06 if legend_rows else 0.0
    bottom = (
        0.05
        + note_h
        + legend_h
        + (_line_height(AXIS_PT, len(under_axis)) + 0.08 if under_axis else 0.0)
    )
    bottom += _line_height(category_size if not horizontal else TICK_PT) + 0.1
    if horizontal:
        pitch = pitch if pitch is not None else 0.12 + 0.13 * len(series)
        height = height if height is not None else round(top + len(categories) * pitch + bottom, 2)
    else:
        height = height if height is not None else HEIGHT
    surface = _surface(horizontal, shares, height)
    figure, ax = surface.figure, surface.ax
    ax.set_position(
        (left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, 1 - (top + bottom) / height)
    )
    positions = np.arange(len(categories), dtype=float)
    if horizontal:
        positions = positions[::-1]  # the first category at the top
    width = 0.8 / len(series)
    handles = []
    for i, item in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        values = np.asarray(item.values, dtype=float)
        where = positions - offset if horizontal else positions + offset
        draw = ax.barh if horizontal else ax.bar
        bars = draw(
            where,
            np.nan_to_num(values),
            width * 0.92,
            color=item.colour,
            label=item.label,
            zorder=2,
        )
        handles.append(bars)
        if item.lower is not None and item.upper is not None:
            _error_bars(ax, where, item.lower, item.upper, width * 0.1, horizontal)
    if markers is not None:
        bar_pt = (1 - (left + right) / WIDTH) * WIDTH * 72 / len(categories) * width * 0.92
        ax.scatter(
            positions,
            markers,
            marker="_",
            s=(bar_pt * 1.15) ** 2,
            linewidths=3,
            color=ENGLAND,
            zorder=4,
        )
        handles.append(Line2D([], [], color=ENGLAND, linewidth=3, label="England"))
    if reference is not None:
        value, colour, label = reference
        _cased_line(ax.axvline if horizontal else ax.axhline, value, colour)
        handles.append(Line2D([], [], color=colour, linestyle="--", linewidth=1.4, label=label))
    if horizontal:
        ax.set_yticks(positions, categories, fontsize=category_size)
        ax.set_xlabel("\n".join(under_axis), fontsize=AXIS_PT, color=TEXT)
        ax.set_ylabel(category_label, fontsize=AXIS_PT, color=TEXT)
        ax.set_ylim(-0.6, len(categories) - 0.4)
    else:
        ax.set_xticks(positions, categories, fontsize=category_size)
        ax.set_ylabel(axis_label, fontsize=AXIS_PT, color=TEXT)
        ax.set_xlabel("\n".join(under_axis), fontsize=AXIS_PT, color=TEXT)
    if handles_text:
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=len(handles) if one_row else 1,
            frameon=False,
            fontsize=LEGEND_PT,
            labelcolor=TEXT,
            borderaxespad=0,
            borderpad=0,
            bbox_to_anchor=(0.5, (0.05 + note_h) / height),
        )
    if note:
        figure.text(
            0.05 / WIDTH,
            0.05 / height,
            "\n".join(note),
            ha="left",
            va="bottom",
            fontsize=NOTE_PT,
            color=NOTE,
        )
    _plain_text(figure)
    write_svg(figure, folder, name)


def draw_charts(
    name: str, imd: Figures, rural: Figures, folder: Path, *, vintage: Vintage
) -> dict[str, Chart]:
    """Draw every chart of an edition into ``folder`` and return them by name.

    Parameters
    ----------
    name
        The organisation's short name, used in legends.
    imd, rural
        The figures of the IMD and rural chapters.
    folder
        The project's ``figures/`` folder (created if needed).
    vintage
        The reference data's vintage: the charts' labels, sources and class counts are its own.
    """
    charts: dict[str, Chart] = {}
    compare = name != "England"  # the England edition has nothing to compare itself with

    def against(rows: Sequence[Any], get: Any) -> list[_Series]:
        mine = _Series(name, [get(r)["share"].value for r in rows], ORGANISATION)
        theirs = _Series("England", [get(r)["england_share"].value for r in rows], ENGLAND)
        return [mine, theirs] if compare else [mine]

    # IMD deciles with England's share per decile as the reference.
    core20 = imd["core20"]["share"]
    title = f"{percent(core20.value)} of residents live in the 20% most deprived neighbourhoods in England"
    shares = [row["share"].value for row in imd["deciles"]]
    _plot(
        folder,
        "imd_deciles",
        [str(d) for d in range(1, 11)],
        [_Series(name, shares, ORGANISATION)],
        markers=[row["england_share"].value for row in imd["deciles"]] if compare else None,
        category_label=f"National {vintage.imd} decile (1 = most deprived 10% of LSOAs in England)",
        axis_label="Share of residents",
        caption=f"Sources: {vintage.sources.population}; {vintage.sources.imd}.",
    )
    charts["imd_deciles"] = Chart(
        "imd_deciles",
        title,
        "Bar chart of the share of residents in each national IMD decile: "
        + ", ".join(f"decile {d}: {percent(s)}" for d, s in zip(range(1, 11), shares))
        + ". England's share is close to 10% in each decile.",
        (core20, *[row["share"] for row in imd["deciles"]]),
    )

    # Domains: share in each domain's most deprived quintile, against England (largest first).
    domains = sorted(
        imd["domains"], key=lambda d: -1.0 if d["share"].missing else d["share"].value, reverse=True
    )
    furthest = imd["furthest_domain"]
    if (
        not compare
    ):  # England: each domain's most deprived fifth holds about a fifth by construction
        spread_ = imd["domain_range"]
        title = (
            f"On every domain, England's most deprived fifth of neighbourhoods holds "
            f"{percent(spread_['lowest'].value)} to {percent(spread_['highest'].value)} of residents"
        )
    elif furthest is None or not furthest["above"]:
        title = f"On no domain is {name}'s share in the most deprived fifth above England's"
    else:
        top = furthest["domains"][0]
        which = " and ".join(furthest["titles"])
        title = f"{name} is furthest above England on the {which} domain" + (
            f" ({percent(top['share'].value)} against {percent(top['england_share'].value)})"
            if len(furthest["titles"]) == 1
            else "s"
        )
    _plot(
        folder,
        "imd_domains",
        [d["title"] for d in domains],
        against(domains, lambda d: d),
        horizontal=True,
        axis_label="Share of residents in the domain's most deprived national quintile",
    )
    charts["imd_domains"] = Chart(
        "imd_domains",
        title,
        "Bar chart of the share of residents in the most deprived national quintile of each of the seven domains: "
        + "; ".join(
            f"{d['title']} {percent(d['share'].value)} (England {percent(d['england_share'].value)})"
            for d in imd["domains"]
        )
        + ".",
        tuple(m for d in imd["domains"] for m in (d["share"], d["england_share"])),
    )

    # Age structure by IMD quintile.
    groups = ("0-15", "16-64", "65+")
    colours = AGE_GROUPS
    rows = imd["age_by_quintile"]
    ends = imd["age_ends"]
    if ends is None:  # every resident in one quintile
        only = next(r for r in rows if r["residents"].value > 0)
        q1_old = q5_old = only["65+"]
        title = (
            f"All residents live in national quintile {only['quintile']}; "
            f"{percent(q1_old.value)} of them are 65 or over"
        )
    else:
        q1_old, q5_old = ends["deprived"], ends["affluent"]
        title = (
            f"{percent(q1_old.value)} of residents of {ends['deprived_label']} are "
            f"65 or over, against {percent(q5_old.value)} in {ends['affluent_label']}"
        )
    _plot(
        folder,
        "imd_age",
        [f"Q{r['quintile']}" for r in rows],
        [_Series(g, [r[g].value for r in rows], c) for g, c in zip(groups, colours)],
        category_label="National IMD quintile (Q1 = most deprived)",
        axis_label="Share of the quintile's residents",
    )
    charts["imd_age"] = Chart(
        "imd_age",
        title,
        "Bar chart of the age structure (0-15, 16-64, 65 and over) of residents in each national IMD quintile.",
        (q1_old, q5_old),
    )

    # RUC classes against England.
    rural_share = rural["rural"]["share"]
    title = f"{percent(rural_share.value)} of residents live in rural neighbourhoods" + (
        f" (England {percent(rural['rural']['england_share'].value)})" if compare else ""
    )
    classes = rural["classes"]
    _plot(
        folder,
        "rural_classes",
        [f"{c['code']} {c['name']}" for c in classes],
        against(classes, lambda c: c),
        horizontal=True,
        axis_label=f"Share of residents ({vintage.ruc_short}, LSOA)",
        category_size=8.0,
    )
    charts["rural_classes"] = Chart(
        "rural_classes",
        title,
        f"Bar chart of the share of residents in each of the {_NUMBERS[len(classes)]} {vintage.ruc} classes: "
        + "; ".join(
            f"{c['code']} {percent(c['share'].value)} (England {percent(c['england_share'].value)})"
            for c in classes
        )
        + ".",
        (
            rural_share,
            rural["rural"]["england_share"],
            *[m for c in classes for m in (c["share"], c["england_share"])],
        ),
    )

    if not (rural["has_rural"] and rural["has_urban"]):
        return charts  # the two comparisons below need both urban and rural residents

    # Urban and rural residents by IMD quintile.
    rows = rural["by_quintile"]
    rural_q1, urban_q1 = rows[0]["rural"]["share"], rows[0]["urban"]["share"]
    title = (
        f"{percent(rural_q1.value)} of rural residents live in the most deprived national quintile, "
        f"against {percent(urban_q1.value)} of urban residents"
    )
    _plot(
        folder,
        "rural_quintiles",
        [f"Q{r['quintile']}" for r in rows],
        [
            _Series("Urban", [r["urban"]["share"].value for r in rows], URBAN),
            _Series("Rural", [r["rural"]["share"].value for r in rows], RURAL),
        ],
        category_label="National IMD quintile (Q1 = most deprived)",
        axis_label="Share of urban or rural residents",
    )
    charts["rural_quintiles"] = Chart(
        "rural_quintiles",
        title,
        "Bar chart comparing how urban and rural residents are spread across the five national IMD quintiles.",
        (rural_q1, urban_q1),
    )

    # Age structure urban against rural.
    rows = rural["age"]
    rural_old, urban_old = rows[2]["rural"]["share"], rows[2]["urban"]["share"]
    title = (
        f"{percent(rural_old.value)} of rural residents are 65 or over, "
        f"against {percent(urban_old.value)} of urban residents"
    )
    _plot(
        folder,
        "rural_age",
        [r["group"] for r in rows],
        [
            _Series("Urban", [r["urban"]["share"].value for r in rows], URBAN),
            _Series("Rural", [r["rural"]["share"].value for r in rows], RURAL),
        ],
        category_label="Age group",
        axis_label="Share of urban or rural residents",
    )
    charts["rural_age"] = Chart(
        "rural_age",
        title,
        "Bar chart of the age structure of urban and of rural residents.",
        (rural_old, urban_old),
    )
    return charts


def draw_variation_charts(variation: Figures, folder: Path) -> dict[str, Chart]:
    """Charts of the England edition: Core20 and rural shares of every ICB, sorted."""
    charts: dict[str, Chart] = {}
    for name, what, colour in (
        ("core20", "Core20 share", ORGANISATION),
        ("rural", "rural share", RURAL),
    ):
        figures = variation[name]
        values = figures["values"][::-1]  # the highest at the top
        title = (
            f"The {what} of ICBs ranges from {percent(figures['lowest'].value)} to "
            f"{percent(figures['highest'].value)}"
        )
        _plot(
            folder,
            f"variation_{name}",
            [icb for icb, _ in values],
            [_Series(what.capitalize(), [m.value for _, m in values], colour)],
            horizontal=True,
            axis_label=what.capitalize(),
            pitch=0.165,
            category_size=8.0,
            reference=(figures["median"].value, TEXT, "Median ICB"),
        )
        charts[f"variation_{name}"] = Chart(
            f"variation_{name}",
            title,
            f"Bar chart of the {what} of each of the {len(values)} ICBs, from lowest to highest: "
            + "; ".join(f"{icb} {percent(m.value)}" for icb, m in figures["values"])
            + ".",
            (figures["lowest"], figures["highest"], *[m for _, m in figures["values"]]),
        )
    return charts


def draw_activity_charts(
    name: str,
    slug: str,
    measure: str,
    figures: Figures,
    england: Figures,
    synthetic: bool,
    folder: Path,
) -> dict[str, Chart]:
    """Charts of one activity measure: age-standardised rates with 95% limits by national IMD
    quintile and by urban/rural, with England's rate for reference.

    Parameters
    ----------
    name
        The organisation's short name.
    slug
        The measure's file-name stem.
    measure
        The measure in words (``"Emergency admissions"``).
    figures, england
        The measure's figures for the organisation and for England
        (:func:`hi_reports.indicators.activity.activity_figures`).
    synthetic
        Demonstration data: every chart says so in its title and caption.
    folder
        The project's ``figures/`` folder.
    """
    prefix = "SYNTHETIC DATA: " if synthetic else ""
    note = " Synthetic demonstration data, not real activity." if synthetic else ""
    axis = "Rate per 1,000 a year"
    charts: dict[str, Chart] = {}

    def series(label: str, rows: Sequence[Any], colour: str) -> _Series:
        return _Series(
            label,
            [r["dsr"].value for r in rows],
            colour,
            [r["dsr_lower"].value for r in rows],
            [r["dsr_upper"].value for r in rows],
        )

    rows = figures["quintiles"]
    ratio = figures["ratio"]
    england_rate = england["total"]["dsr"]
    title = (
        f"{prefix}{measure}: the most deprived quintile's rate is {times(ratio.value, 'the least deprived')}"
        if not ratio.missing
        else f"{prefix}{measure} by national IMD quintile"
    )
    _plot(
        folder,
        f"activity_{slug}_imd",
        [f"Q{r['quintile']}" for r in rows],
        [series(name, rows, ORGANISATION)],
        shares=False,
        axis_label=axis,
        category_label="National IMD quintile (Q1 = most deprived)",
        reference=(england_rate.value, ENGLAND, "England") if name != "England" else None,
        caption="Rates age-standardised to the 2013 European Standard Population. "
        "Error bars: 95% confidence limits (Dobson)." + note,
    )
    charts["imd"] = Chart(
        f"activity_{slug}_imd",
        title,
        f"Bar chart of age-standardised rates of {in_sentence(measure)} by national IMD quintile with 95% limits: "
        + "; ".join(f"Q{r['quintile']} {decimal(r['dsr'].value)}" for r in rows)
        + f"; England {decimal(england_rate.value)}.",
        (ratio, england_rate, *[r["dsr"] for r in rows]),
    )

    rows = figures["urban_rural"]
    rural_ratio = figures["rural_ratio"]
    title = (
        f"{prefix}{measure}: the rural rate is {times(rural_ratio.value, 'the urban rate')}"
        if not rural_ratio.missing
        else f"{prefix}{measure} in urban and rural neighbourhoods"
    )
    parts = [series(name, rows, ORGANISATION)]
    if name != "England":
        parts.append(series("England", england["urban_rural"], ENGLAND))
    _plot(
        folder,
        f"activity_{slug}_rural",
        [r["group"] for r in rows],
        parts,
        shares=False,
        axis_label=axis,
        caption="Rates age-standardised to the 2013 European Standard Population. "
        "Error bars: 95% confidence limits (Dobson)." + note,
    )
    charts["rural"] = Chart(
        f"activity_{slug}_rural",
        title,
        f"Bar chart of age-standardised rates of {in_sentence(measure)} in urban and rural neighbourhoods: "
        + "; ".join(f"{r['group']} {decimal(r['dsr'].value)}" for r in rows)
        + ".",
        (rural_ratio, *[r["dsr"] for r in rows]),
    )
    return charts
