"""Charts of an edition, drawn with matplotlib from the chapter figures.

Each chart is drawn from the same :class:`Measure` objects the text prints, so a chart and its
sentence cannot disagree. Charts are titled with their finding, not their variables, and saved as
PNG files at a fixed size and resolution.

The charts use matplotlib's object API on an Agg canvas with a fixed layout, drawn once and written
with Pillow. They were first drawn with plotnine; profiling a batch of editions showed its grammar
costing 0.3 s a chart (building, theming, laying out, then matplotlib drawing), two thirds of an
edition's time. These simple bar charts need none of the grammar, and drawing them directly takes
about 0.1 s each, which is what lets 42 editions build within the batch target.

Each thread keeps one figure per layout (orientation, axis format, height) and clears it for the
next chart, which saves creating the Axes and its ticks and measuring the same tick labels again.
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hi_reports.data.vintage import Vintage
from hi_reports.formatting import decimal, in_sentence, percent, times
from hi_reports.indicators.chapters import Figures
from hi_reports.indicators.measure import Measure

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_GREY = "#768692"
NHS_WARM_YELLOW = "#FFB81C"
GRID = "#E8EDEE"
TEXT = "#231F20"
DPI = 150
WIDTH, HEIGHT = 7.0, 4.0
#: Small numbers as words, for alt text ("each of the eight classes").
_NUMBERS = dict(enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")))
PNG_COMPRESSION = 1  # fast to write; the PNGs are a little larger


@dataclass(frozen=True)
class Chart:
    """A chart written to the project's ``figures/`` folder.

    Attributes
    ----------
    name
        File stem, e.g. ``"imd_deciles"``; the file is ``figures/{name}.png``.
    title
        The finding the chart shows (also its caption).
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
        """Path of the PNG relative to the project folder."""
        return f"figures/{self.name}.png"


@dataclass
class _Series:
    label: str
    values: Sequence[float]
    colour: str
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None


@dataclass
class _Surface:
    """A figure, its Agg canvas and its one Axes, kept and reused for every chart of one layout."""

    figure: Any
    canvas: Any
    ax: Any


_SURFACES = threading.local()


def _surface(horizontal: bool, shares: bool, height: float) -> _Surface:
    """The figure for charts of this orientation, axis format and height, cleared for a new chart.

    A new Figure costs its Axes and every tick (each tick is several artists), and text drawn on a
    new canvas is measured again; together about a quarter of a chart's time. Charts of the same
    layout therefore share one figure per thread: the chart's own artists (bars, lines, markers,
    texts, legend) are removed and the data limits reset, so the next chart is drawn exactly as on
    a new figure (``tests/test_charts.py`` compares the pixels).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    surfaces: dict[tuple[bool, bool, float], _Surface] = _SURFACES.__dict__.setdefault("by_layout", {})
    key = (horizontal, shares, height)
    surface = surfaces.get(key)
    if surface is None:
        figure = Figure(figsize=(WIDTH, height), dpi=DPI)
        canvas = FigureCanvasAgg(figure)
        ax = figure.add_axes((0.1, 0.1, 0.8, 0.8))
        value_axis, category_axis = (ax.xaxis, ax.yaxis) if horizontal else (ax.yaxis, ax.xaxis)
        ax.grid(axis="x" if horizontal else "y", color=GRID, zorder=0)
        if shares:
            value_axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))
        value_axis.set_tick_params(labelsize=8, color=GRID)
        category_axis.set_tick_params(length=0)
        for side in ("top", "right", "left" if not horizontal else "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom" if not horizontal else "left"].set_color(NHS_GREY)
        surface = surfaces[key] = _Surface(figure, canvas, ax)
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
    """Draw every text of ``figure`` as it is written: a title such as "$5 to $10" (a measure
    named by the user) is text, never matplotlib's mathtext."""
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        text.set_parse_math(False)


def _plot(
    folder: Path,
    name: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[_Series],
    *,
    horizontal: bool = False,
    axis_label: str = "",
    category_label: str = "",
    caption: str = "",
    shares: bool = True,
    height: float = HEIGHT,
    reference: tuple[float, str, str] | None = None,
    markers: Sequence[float] | None = None,
    category_size: float = 8.5,
) -> None:
    """Draw grouped bars (one group per category, one bar per series) and write the PNG.

    Parameters
    ----------
    reference
        A dashed line across the chart: (value, colour, label for the legend).
    markers
        A short horizontal mark on each category (England's value), vertical charts only.
    """
    from matplotlib.lines import Line2D
    from PIL import Image

    wrapped = textwrap.wrap(title, 68)
    legend = len(series) > 1 or reference is not None or markers is not None
    top = 1 - (0.18 + 0.2 * len(wrapped)) / height
    bottom_in = 0.35 + (0.3 if category_label or not horizontal else 0) + (0.3 if legend else 0)
    caption_lines = textwrap.wrap(caption, 125)
    bottom_in += 0.05 + 0.14 * len(caption_lines) if caption else 0
    bottom_in += 0.25 if horizontal and axis_label else 0
    longest = max(len(c) for c in categories)
    left = (0.1 + longest * 0.065 * category_size / 8.5) / WIDTH if horizontal else 0.1
    surface = _surface(horizontal, shares, height)
    figure, canvas, ax = surface.figure, surface.canvas, surface.ax
    ax.set_position((left, bottom_in / height, 0.975 - left, top - bottom_in / height))
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
        bars = draw(where, np.nan_to_num(values), width * 0.92, color=item.colour, label=item.label, zorder=2)
        handles.append(bars)
        if item.lower is not None and item.upper is not None:
            lower = np.asarray(item.lower, dtype=float)
            upper = np.asarray(item.upper, dtype=float)
            ok = np.isfinite(values) & np.isfinite(lower) & np.isfinite(upper)
            ax.errorbar(
                where[ok], values[ok], yerr=[values[ok] - lower[ok], upper[ok] - values[ok]],
                fmt="none", ecolor=NHS_DARK_BLUE, elinewidth=1.2, capsize=4, zorder=3,
            )
    if markers is not None:
        ax.scatter(positions, markers, marker="_", s=520, linewidths=3, color=NHS_WARM_YELLOW, zorder=4)
        handles.append(Line2D([], [], color=NHS_WARM_YELLOW, linewidth=3, label="England"))
    if reference is not None:
        value, colour, label = reference
        line = ax.axvline if horizontal else ax.axhline
        line(value, color=colour, linestyle="--", linewidth=1.4, zorder=3)
        handles.append(Line2D([], [], color=colour, linestyle="--", linewidth=1.4, label=label))
    if horizontal:
        ax.set_yticks(positions, categories, fontsize=category_size)
        ax.set_xlabel(axis_label, fontsize=9)
        ax.set_ylabel(category_label, fontsize=9)
        ax.set_ylim(-0.6, len(categories) - 0.4)
    else:
        ax.set_xticks(positions, categories, fontsize=category_size)
        ax.set_ylabel(axis_label, fontsize=9)
        ax.set_xlabel(category_label, fontsize=9)
    figure.text(0.015, 1 - 0.1 / height, "\n".join(wrapped), ha="left", va="top", fontsize=11,
                fontweight="bold", color=TEXT, linespacing=1.3)
    if legend:
        figure.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8.5,
                      bbox_to_anchor=(0.5, (0.08 + 0.14 * len(caption_lines) if caption else 0.02) / height))
    if caption:
        figure.text(0.015, 0.05 / height, "\n".join(caption_lines), ha="left", va="bottom", fontsize=7,
                    color=NHS_GREY)
    _plain_text(figure)
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    folder.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(folder / f"{name}.png", format="png", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)


def draw_charts(name: str, imd: Figures, rural: Figures, folder: Path, *, vintage: Vintage) -> dict[str, Chart]:
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
        mine = _Series(name, [get(r)["share"].value for r in rows], NHS_BLUE)
        theirs = _Series("England", [get(r)["england_share"].value for r in rows], NHS_GREY)
        return [mine, theirs] if compare else [mine]

    # IMD deciles with England's share per decile as the reference.
    core20 = imd["core20"]["share"]
    title = f"{percent(core20.value)} of residents live in the 20% most deprived neighbourhoods in England"
    shares = [row["share"].value for row in imd["deciles"]]
    _plot(
        folder, "imd_deciles", title, [str(d) for d in range(1, 11)], [_Series(name, shares, NHS_BLUE)],
        markers=[row["england_share"].value for row in imd["deciles"]] if compare else None,
        category_label=f"National {vintage.imd} decile (1 = most deprived 10% of LSOAs in England)",
        axis_label="Share of residents", caption=f"Sources: {vintage.sources.population}; {vintage.sources.imd}.",
    )
    charts["imd_deciles"] = Chart(
        "imd_deciles", title,
        "Bar chart of the share of residents in each national IMD decile: "
        + ", ".join(f"decile {d}: {percent(s)}" for d, s in zip(range(1, 11), shares))
        + ". England's share is close to 10% in each decile.",
        (core20, *[row["share"] for row in imd["deciles"]]),
    )

    # Domains: share in each domain's most deprived quintile, against England (largest first).
    domains = sorted(imd["domains"], key=lambda d: -1.0 if d["share"].missing else d["share"].value, reverse=True)
    furthest = imd["furthest_domain"]
    if not compare:  # England: each domain's most deprived fifth holds about a fifth by construction
        spread_ = imd["domain_range"]
        title = (f"On every domain, England's most deprived fifth of neighbourhoods holds "
                 f"{percent(spread_['lowest'].value)} to {percent(spread_['highest'].value)} of residents")
    elif furthest is None or not furthest["above"]:
        title = f"On no domain is {name}'s share in the most deprived fifth above England's"
    else:
        top = furthest["domains"][0]
        which = " and ".join(furthest["titles"])
        title = (f"{name} is furthest above England on the {which} domain"
                 + (f" ({percent(top['share'].value)} against {percent(top['england_share'].value)})"
                    if len(furthest["titles"]) == 1 else "s"))
    _plot(
        folder, "imd_domains", title, [d["title"] for d in domains], against(domains, lambda d: d),
        horizontal=True, axis_label="Share of residents in the domain's most deprived national quintile",
    )
    charts["imd_domains"] = Chart(
        "imd_domains", title,
        "Bar chart of the share of residents in the most deprived national quintile of each of the seven domains: "
        + "; ".join(f"{d['title']} {percent(d['share'].value)} (England {percent(d['england_share'].value)})"
                    for d in imd["domains"]) + ".",
        tuple(m for d in imd["domains"] for m in (d["share"], d["england_share"])),
    )

    # Age structure by IMD quintile.
    groups = ("0-15", "16-64", "65+")
    colours = (NHS_WARM_YELLOW, NHS_BLUE, NHS_DARK_BLUE)
    rows = imd["age_by_quintile"]
    ends = imd["age_ends"]
    if ends is None:  # every resident in one quintile
        only = next(r for r in rows if r["residents"].value > 0)
        q1_old = q5_old = only["65+"]
        title = (f"All residents live in national quintile {only['quintile']}; "
                 f"{percent(q1_old.value)} of them are 65 or over")
    else:
        q1_old, q5_old = ends["deprived"], ends["affluent"]
        title = (f"{percent(q1_old.value)} of residents of {ends['deprived_label']} are "
                 f"65 or over, against {percent(q5_old.value)} in {ends['affluent_label']}")
    _plot(
        folder, "imd_age", title, [f"Q{r['quintile']}" for r in rows],
        [_Series(g, [r[g].value for r in rows], c) for g, c in zip(groups, colours)],
        category_label="National IMD quintile (Q1 = most deprived)", axis_label="Share of the quintile's residents",
    )
    charts["imd_age"] = Chart(
        "imd_age", title,
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
        folder, "rural_classes", title, [f"{c['code']} {c['name']}" for c in classes],
        against(classes, lambda c: c), horizontal=True, axis_label=f"Share of residents ({vintage.ruc_short}, LSOA)",
        category_size=8,
    )
    charts["rural_classes"] = Chart(
        "rural_classes", title,
        f"Bar chart of the share of residents in each of the {_NUMBERS[len(classes)]} {vintage.ruc} classes: "
        + "; ".join(f"{c['code']} {percent(c['share'].value)} (England {percent(c['england_share'].value)})"
                    for c in classes) + ".",
        (rural_share, rural["rural"]["england_share"], *[m for c in classes for m in (c["share"], c["england_share"])]),
    )

    if not (rural["has_rural"] and rural["has_urban"]):
        return charts  # the two comparisons below need both urban and rural residents

    # Urban and rural residents by IMD quintile.
    rows = rural["by_quintile"]
    rural_q1, urban_q1 = rows[0]["rural"]["share"], rows[0]["urban"]["share"]
    title = (f"{percent(rural_q1.value)} of rural residents live in the most deprived national quintile, "
             f"against {percent(urban_q1.value)} of urban residents")
    _plot(
        folder, "rural_quintiles", title, [f"Q{r['quintile']}" for r in rows],
        [_Series("Urban", [r["urban"]["share"].value for r in rows], NHS_BLUE),
         _Series("Rural", [r["rural"]["share"].value for r in rows], NHS_WARM_YELLOW)],
        category_label="National IMD quintile (Q1 = most deprived)", axis_label="Share of urban or rural residents",
    )
    charts["rural_quintiles"] = Chart(
        "rural_quintiles", title,
        "Bar chart comparing how urban and rural residents are spread across the five national IMD quintiles.",
        (rural_q1, urban_q1),
    )

    # Age structure urban against rural.
    rows = rural["age"]
    rural_old, urban_old = rows[2]["rural"]["share"], rows[2]["urban"]["share"]
    title = (f"{percent(rural_old.value)} of rural residents are 65 or over, "
             f"against {percent(urban_old.value)} of urban residents")
    _plot(
        folder, "rural_age", title, [r["group"] for r in rows],
        [_Series("Urban", [r["urban"]["share"].value for r in rows], NHS_BLUE),
         _Series("Rural", [r["rural"]["share"].value for r in rows], NHS_WARM_YELLOW)],
        category_label="Age group", axis_label="Share of urban or rural residents",
    )
    charts["rural_age"] = Chart(
        "rural_age", title, "Bar chart of the age structure of urban and of rural residents.", (rural_old, urban_old),
    )
    return charts


def draw_variation_charts(variation: Figures, folder: Path) -> dict[str, Chart]:
    """Charts of the England edition: Core20 and rural shares of every ICB, sorted."""
    charts: dict[str, Chart] = {}
    for name, what, colour in (("core20", "Core20 share", NHS_BLUE), ("rural", "rural share", NHS_WARM_YELLOW)):
        figures = variation[name]
        values = figures["values"][::-1]  # the highest at the top
        title = (f"The {what} of ICBs ranges from {percent(figures['lowest'].value)} to "
                 f"{percent(figures['highest'].value)}")
        _plot(
            folder, f"variation_{name}", title, [icb for icb, _ in values],
            [_Series(what.capitalize(), [m.value for _, m in values], colour)], horizontal=True,
            axis_label=what.capitalize(), height=8.0, category_size=6.5,
            reference=(figures["median"].value, NHS_DARK_BLUE, "Median ICB"),
        )
        charts[f"variation_{name}"] = Chart(
            f"variation_{name}", title,
            f"Bar chart of the {what} of each of the {len(values)} ICBs, from lowest to highest: "
            + "; ".join(f"{icb} {percent(m.value)}" for icb, m in figures["values"]) + ".",
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
        return _Series(label, [r["dsr"].value for r in rows], colour,
                       [r["dsr_lower"].value for r in rows], [r["dsr_upper"].value for r in rows])

    rows = figures["quintiles"]
    ratio = figures["ratio"]
    england_rate = england["total"]["dsr"]
    title = (f"{prefix}{measure}: the most deprived quintile's rate is {times(ratio.value, 'the least deprived')}"
             if not ratio.missing else f"{prefix}{measure} by national IMD quintile")
    _plot(
        folder, f"activity_{slug}_imd", title, [f"Q{r['quintile']}" for r in rows],
        [series(name, rows, NHS_BLUE)], shares=False, axis_label=axis,
        category_label="National IMD quintile (Q1 = most deprived)",
        reference=(england_rate.value, NHS_WARM_YELLOW, "England"),
        caption="Rates age-standardised to the 2013 European Standard Population. "
        "Error bars: 95% confidence limits (Dobson)." + note,
    )
    charts["imd"] = Chart(
        f"activity_{slug}_imd", title,
        f"Bar chart of age-standardised rates of {in_sentence(measure)} by national IMD quintile with 95% limits: "
        + "; ".join(f"Q{r['quintile']} {decimal(r['dsr'].value)}" for r in rows)
        + f"; England {decimal(england_rate.value)}.",
        (ratio, england_rate, *[r["dsr"] for r in rows]),
    )

    rows = figures["urban_rural"]
    rural_ratio = figures["rural_ratio"]
    title = (f"{prefix}{measure}: the rural rate is {times(rural_ratio.value, 'the urban rate')}"
             if not rural_ratio.missing else f"{prefix}{measure} in urban and rural neighbourhoods")
    parts = [series(name, rows, NHS_BLUE)]
    if name != "England":
        parts.append(series("England", england["urban_rural"], NHS_GREY))
    _plot(
        folder, f"activity_{slug}_rural", title, [r["group"] for r in rows], parts, shares=False,
        axis_label=axis,
        caption="Rates age-standardised to the 2013 European Standard Population. "
        "Error bars: 95% confidence limits (Dobson)." + note,
    )
    charts["rural"] = Chart(
        f"activity_{slug}_rural", title,
        f"Bar chart of age-standardised rates of {in_sentence(measure)} in urban and rural neighbourhoods: "
        + "; ".join(f"{r['group']} {decimal(r['dsr'].value)}" for r in rows) + ".",
        (rural_ratio, *[r["dsr"] for r in rows]),
    )
    return charts
