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
from typing import TYPE_CHECKING, Any

import numpy as np

from hi_reports.data.vintage import Vintage
from hi_reports.draw import labels
from hi_reports.draw.figfile import (
    PRINTED_WIDTH,
    SUFFIX,
    line_height,
    plain_text,
    text_width,
    wrap,
    write_svg,
)
from hi_reports.draw.labels import ENGLAND_NAME, ChartText
from hi_reports.draw.palette import (
    AGE_COLOURS,
    CASING,
    ENGLAND_COLOUR,
    GRID,
    NOTE,
    ORGANISATION,
    RURAL,
    TEXT,
    URBAN,
)
from hi_reports.geography import Organisation
from hi_reports.indicators.activity import ActivityFigures, ActivityGroup
from hi_reports.indicators.chapters import (
    Category,
    ImdFigures,
    RuralFigures,
    UrbanRuralAge,
    UrbanRuralQuintile,
    VariationFigures,
)
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.record import Record

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

#: Width and default height of a chart, inches: the width is the printed width.
WIDTH, HEIGHT = PRINTED_WIDTH, 3.3
#: Font sizes in points, as printed (the figure is drawn at its printed width): none under 8.
TICK_PT, LEGEND_PT, AXIS_PT, NOTE_PT = 8.5, 8.5, 9.0, 8.0


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


@dataclass(frozen=True)
class Charts(Record):
    """The charts of an edition, by name (:func:`draw_charts`); None where the edition has no such
    chart: the urban-rural comparisons need residents of both, the ICBs' shares are England's
    (:func:`draw_variation_charts`), and the PLUS chart needs residents in more than one quintile
    (:func:`hi_reports.draw.pluschart.draw_plus_chart`)."""

    imd_deciles: Chart
    imd_domains: Chart
    imd_age: Chart
    rural_classes: Chart
    rural_quintiles: Chart | None = None
    rural_age: Chart | None = None
    variation_core20: Chart | None = None
    variation_rural: Chart | None = None
    plus_quintiles: Chart | None = None


@dataclass(frozen=True)
class VariationCharts(Record):
    """The England edition's charts of the Core20 and rural shares of every ICB."""

    variation_core20: Chart
    variation_rural: Chart


@dataclass(frozen=True)
class ActivityCharts(Record):
    """The charts of one activity measure: rates by national IMD quintile, and urban and rural."""

    imd: Chart
    rural: Chart


@dataclass(frozen=True)
class _Series:
    """One bar of each category: its legend label, values, colour and 95% limits (if any)."""

    label: str
    values: Sequence[float]
    colour: str
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None


@dataclass(frozen=True)
class _Line:
    """A dashed line across a chart (a reference value), and its legend label."""

    value: float
    colour: str
    label: str


@dataclass(frozen=True)
class _Bars:
    """What a chart draws: grouped bars (one group per category, one bar per series), and the
    marks across them.

    Attributes
    ----------
    markers
        A short horizontal mark on each category (England's value), vertical charts only.
    line
        A dashed line across the chart.
    """

    categories: Sequence[str]
    series: Sequence[_Series]
    markers: Sequence[float] | None = None
    line: _Line | None = None


@dataclass(frozen=True)
class _Layout:
    """How a chart is laid out.

    Attributes
    ----------
    horizontal
        Horizontal bars, the first category at the top.
    shares
        Values are shares, printed as percentages on the axis.
    height
        The figure's height in inches (default: :data:`HEIGHT` for vertical bars; for horizontal
        bars, ``pitch`` inches a category plus the margins).
    pitch
        Inches a category takes on a horizontal chart (default: by the number of series).
    category_size
        The size of the category labels, points.
    """

    horizontal: bool = False
    shares: bool = True
    height: float | None = None
    pitch: float | None = None
    category_size: float = TICK_PT


#: A chart without axis titles or note, and vertical bars of shares: the defaults of :func:`_plot`.
_NO_TEXT, _VERTICAL = ChartText(), _Layout()


@dataclass
class _Surface:
    """A figure and its one Axes, kept and reused for every chart of one layout."""

    figure: Figure
    ax: Axes


_SURFACES = threading.local()


def _surface(horizontal: bool, shares: bool, height: float) -> _Surface:
    """The figure for charts of this orientation, axis format and height, cleared for a new chart.

    A new Figure costs its Axes and every tick (each tick is several artists). Charts of the same
    layout therefore share one figure per thread: the chart's own artists (bars, lines, markers,
    texts, legend) are removed and the data limits reset, so the next chart is drawn exactly as on
    a new figure (``tests/test_charts.py`` compares the files).
    """
    # on use: matplotlib takes a second to import
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


def _cased_line(draw: Any, value: float, colour: str) -> None:
    """A dashed reference line with a white casing, which gives it contrast over any bar."""
    draw(value, color=CASING, linewidth=3.4, zorder=3)
    draw(value, color=colour, linestyle="--", linewidth=1.4, zorder=3.1)


def _error_bars(
    ax: Axes,
    where: np.ndarray,
    lower: Sequence[float],
    upper: Sequence[float],
    cap: float,
    horizontal: bool,
) -> None:
    """Error bars from ``lower`` to ``upper`` at ``where``, with caps ``cap`` wide each side: dark
    lines on a white casing, visible on the page and on any bar. Two line collections, which
    matplotlib draws far quicker than its ``errorbar``."""
    from matplotlib.collections import LineCollection  # on use: matplotlib is slow to import

    low, high = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    segments = []
    for at, a, b in zip(where[ok], low[ok], high[ok], strict=True):
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
    bars: _Bars,
    *,
    text: ChartText = _NO_TEXT,
    layout: _Layout = _VERTICAL,
) -> None:
    """Draw ``bars`` with the axis titles and note of ``text`` and write ``folder/name.svg``.

    The layout is measured in inches: the category labels' width sets a horizontal chart's left
    margin, and the legend and the note under the chart take the lines they need.
    """
    from matplotlib.lines import Line2D  # on use: matplotlib takes a second to import

    series, categories, horizontal = bars.series, bars.categories, layout.horizontal
    handles_text = (
        [s.label for s in series]
        if len(series) > 1 or bars.line is not None or bars.markers is not None
        else []
    )
    if bars.markers is not None:
        handles_text.append(ENGLAND_NAME)
    if bars.line is not None:
        handles_text.append(bars.line.label)
    # The legend in one row when it fits the width, else one entry a row.
    entry = (2.0 + 0.8 + 2.0) * LEGEND_PT / 72  # handle, its padding and the column spacing
    one_row = sum(text_width(t, LEGEND_PT) + entry for t in handles_text) <= WIDTH - 0.2
    legend_rows = (1 if one_row else len(handles_text)) if handles_text else 0
    note = wrap(text.note, WIDTH - 0.15, NOTE_PT) if text.note else []
    if horizontal:
        left = max(text_width(c, layout.category_size) for c in categories) + 0.12
        left += line_height(AXIS_PT) + 0.08 if text.categories else 0.0
        right, top = 0.22, 0.08
    else:
        left = (
            text_width("100%" if layout.shares else "0000", TICK_PT)
            + 0.12
            + (line_height(AXIS_PT) + 0.06 if text.axis else 0.0)
        )
        right, top = 0.1, 0.12
    # The title of the axis under the bars, on as many lines as the axes' width needs.
    under_axis = wrap(
        text.categories if not horizontal else text.axis, WIDTH - left - right, AXIS_PT
    )
    # From the bottom up: note, legend, axis title, tick labels.
    note_h = line_height(NOTE_PT, len(note)) + 0.06 if note else 0.0
    legend_h = legend_rows * LEGEND_PT * 1.55 / 72 + 0.06 if legend_rows else 0.0
    bottom = (
        0.05
        + note_h
        + legend_h
        + (line_height(AXIS_PT, len(under_axis)) + 0.08 if under_axis else 0.0)
    )
    bottom += line_height(layout.category_size if not horizontal else TICK_PT) + 0.1
    if horizontal:
        pitch = layout.pitch if layout.pitch is not None else 0.12 + 0.13 * len(series)
        height = (
            layout.height
            if layout.height is not None
            else round(top + len(categories) * pitch + bottom, 2)
        )
    else:
        height = layout.height if layout.height is not None else HEIGHT
    surface = _surface(horizontal, layout.shares, height)
    figure, ax = surface.figure, surface.ax
    ax.set_position(
        (left / WIDTH, bottom / height, 1 - (left + right) / WIDTH, 1 - (top + bottom) / height)
    )
    positions = np.arange(len(categories), dtype=float)
    if horizontal:
        positions = positions[::-1]  # the first category at the top
    width = 0.8 / len(series)
    handles: list[BarContainer | Line2D] = []
    for i, item in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        values = np.asarray(item.values, dtype=float)
        where = positions - offset if horizontal else positions + offset
        draw = ax.barh if horizontal else ax.bar
        drawn = draw(
            where,
            np.nan_to_num(values),
            width * 0.92,
            color=item.colour,
            label=item.label,
            zorder=2,
        )
        handles.append(drawn)
        if item.lower is not None and item.upper is not None:
            _error_bars(ax, where, item.lower, item.upper, width * 0.1, horizontal)
    if bars.markers is not None:
        bar_pt = (1 - (left + right) / WIDTH) * WIDTH * 72 / len(categories) * width * 0.92
        ax.scatter(
            positions,
            bars.markers,
            marker="_",
            s=(bar_pt * 1.15) ** 2,
            linewidths=3,
            color=ENGLAND_COLOUR,
            zorder=4,
        )
        handles.append(Line2D([], [], color=ENGLAND_COLOUR, linewidth=3, label=ENGLAND_NAME))
    if bars.line is not None:
        line = bars.line
        _cased_line(ax.axvline if horizontal else ax.axhline, line.value, line.colour)
        handles.append(
            Line2D([], [], color=line.colour, linestyle="--", linewidth=1.4, label=line.label)
        )
    if horizontal:
        ax.set_yticks(positions, categories, fontsize=layout.category_size)
        ax.set_xlabel("\n".join(under_axis), fontsize=AXIS_PT, color=TEXT)
        ax.set_ylabel(text.categories, fontsize=AXIS_PT, color=TEXT)
        ax.set_ylim(-0.6, len(categories) - 0.4)
    else:
        ax.set_xticks(positions, categories, fontsize=layout.category_size)
        ax.set_ylabel(text.axis, fontsize=AXIS_PT, color=TEXT)
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
    plain_text(figure)
    write_svg(figure, folder, name)


def draw_charts(
    org: Organisation, imd: ImdFigures, rural: RuralFigures, folder: Path, *, vintage: Vintage
) -> Charts:
    """Draw every chart of an edition into ``folder`` and return them by name.

    Parameters
    ----------
    org
        The organisation: its short name labels its series, set beside England's (none in the
        England edition, which has nothing to compare itself with).
    imd, rural
        The figures of the IMD and rural chapters.
    folder
        The project's ``figures/`` folder (created if needed).
    vintage
        The reference data's vintage: the charts' labels, sources and class counts are its own.
    """
    charts: dict[str, Chart] = {}
    name, compare = org.short_name, org.kind != "england"

    def draw(
        key: str,
        bars: _Bars,
        text: ChartText,
        measures: Sequence[Measure],
        layout: _Layout = _VERTICAL,
    ) -> None:
        _plot(folder, key, bars, text=text, layout=layout)
        charts[key] = Chart(key, text.title, text.alt, tuple(measures))

    def against(rows: Sequence[Category]) -> list[_Series]:
        mine = _Series(name, [r.share.value for r in rows], ORGANISATION)
        theirs = _Series(ENGLAND_NAME, [r.england_share.value for r in rows], ENGLAND_COLOUR)
        return [mine, theirs] if compare else [mine]

    # IMD deciles with England's share per decile as the reference.
    deciles = imd.deciles
    draw(
        "imd_deciles",
        _Bars(
            [str(d) for d in range(1, 11)],
            [_Series(name, [row.share.value for row in deciles], ORGANISATION)],
            markers=[row.england_share.value for row in deciles] if compare else None,
        ),
        labels.imd_deciles(imd, vintage),
        (imd.core20.share, *[row.share for row in deciles]),
    )

    # Domains: share in each domain's most deprived quintile, against England (largest first).
    domains = sorted(
        imd.domains, key=lambda d: -1.0 if d.share.missing else d.share.value, reverse=True
    )
    draw(
        "imd_domains",
        _Bars([d.title for d in domains], against(domains)),
        labels.imd_domains(imd, name, compare),
        [m for d in imd.domains for m in (d.share, d.england_share)],
        _Layout(horizontal=True),
    )

    # Age structure by IMD quintile.
    rows = imd.age_by_quintile
    ends = imd.age_ends
    if ends is None:  # every resident in one quintile
        only = next(r for r in rows if r.residents.value > 0)
        old = (only.aged_65_plus, only.aged_65_plus)
    else:
        old = (ends.deprived, ends.affluent)
    draw(
        "imd_age",
        _Bars(
            [labels.quintile(r.quintile) for r in rows],
            [
                _Series(group, [r[group].value for r in rows], colour)
                for group, colour in zip(labels.AGE_LABELS, AGE_COLOURS, strict=True)
            ],
        ),
        labels.imd_age(imd),
        old,
    )

    # RUC classes against England.
    classes = rural.classes
    draw(
        "rural_classes",
        _Bars([labels.ruc_class(c.code, c.name) for c in classes], against(classes)),
        labels.rural_classes(rural, vintage, compare),
        (
            rural.rural.share,
            rural.rural.england_share,
            *[m for c in classes for m in (c.share, c.england_share)],
        ),
        _Layout(horizontal=True, category_size=8.0),
    )

    if rural.has_rural and rural.has_urban:  # the two comparisons need urban and rural residents

        def urban_and_rural(rows: Sequence[UrbanRuralQuintile | UrbanRuralAge]) -> list[_Series]:
            return [
                _Series(labels.URBAN, [r.urban.share.value for r in rows], URBAN),
                _Series(labels.RURAL, [r.rural.share.value for r in rows], RURAL),
            ]

        # Urban and rural residents by IMD quintile.
        by_quintile = rural.by_quintile
        draw(
            "rural_quintiles",
            _Bars([labels.quintile(r.quintile) for r in by_quintile], urban_and_rural(by_quintile)),
            labels.rural_quintiles(rural),
            tuple(m for r in by_quintile for m in (r.rural.share, r.urban.share)),
        )

        # Age structure urban against rural.
        by_age = rural.age
        draw(
            "rural_age",
            _Bars([r.group for r in by_age], urban_and_rural(by_age)),
            labels.rural_age(rural),
            tuple(m for r in by_age for m in (r.rural.share, r.urban.share)),
        )
    return Charts(
        imd_deciles=charts["imd_deciles"],
        imd_domains=charts["imd_domains"],
        imd_age=charts["imd_age"],
        rural_classes=charts["rural_classes"],
        rural_quintiles=charts.get("rural_quintiles"),
        rural_age=charts.get("rural_age"),
    )


def draw_variation_charts(variation: VariationFigures, folder: Path) -> VariationCharts:
    """Charts of the England edition: Core20 and rural shares of every ICB, sorted."""
    charts: dict[str, Chart] = {}
    for key, colour, figures in (
        ("core20", ORGANISATION, variation.core20),
        ("rural", RURAL, variation.rural),
    ):
        what = labels.ICB_SHARES[key]
        values = figures.by_organisation[::-1]  # the highest at the top
        text = labels.icb_shares(figures, what)
        _plot(
            folder,
            f"variation_{key}",
            _Bars(
                [icb for icb, _ in values],
                [_Series(what.capitalize(), [m.value for _, m in values], colour)],
                line=_Line(figures.median.value, TEXT, labels.MEDIAN_ICB),
            ),
            text=text,
            layout=_Layout(horizontal=True, pitch=0.165, category_size=8.0),
        )
        charts[key] = Chart(
            f"variation_{key}",
            text.title,
            text.alt,
            (figures.lowest, figures.highest, *[m for _, m in figures.by_organisation]),
        )
    return VariationCharts(variation_core20=charts["core20"], variation_rural=charts["rural"])


def draw_activity_charts(
    org: Organisation,
    *,
    slug: str,
    measure: str,
    figures: ActivityFigures,
    england: ActivityFigures,
    synthetic: bool,
    folder: Path,
) -> ActivityCharts:
    """Charts of one activity measure: age-standardised rates with 95% limits by national IMD
    quintile and by urban/rural, with England's rate for reference.

    Parameters
    ----------
    org
        The organisation: its short name labels its series, set beside England's rate (none in
        the England edition).
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

    def series(label: str, rows: Sequence[ActivityGroup], colour: str) -> _Series:
        return _Series(
            label,
            [r.dsr.value for r in rows],
            colour,
            [r.dsr_lower.value for r in rows],
            [r.dsr_upper.value for r in rows],
        )

    name, compare = org.short_name, org.kind != "england"
    no_shares = _Layout(shares=False)
    rows = figures.quintiles
    england_rate = england.total.dsr
    text = labels.activity_quintiles(measure, figures, england, synthetic)
    _plot(
        folder,
        f"activity_{slug}_imd",
        _Bars(
            [labels.quintile(int(r.group)) for r in rows],
            [series(name, rows, ORGANISATION)],
            line=_Line(england_rate.value, ENGLAND_COLOUR, ENGLAND_NAME) if compare else None,
        ),
        text=text,
        layout=no_shares,
    )
    imd = Chart(
        f"activity_{slug}_imd",
        text.title,
        text.alt,
        (figures.ratio, england_rate, *[r.dsr for r in rows]),
    )

    rows = figures.urban_rural
    parts = [series(name, rows, ORGANISATION)]
    if compare:
        parts.append(series(ENGLAND_NAME, england.urban_rural, ENGLAND_COLOUR))
    text = labels.activity_urban_rural(measure, figures, synthetic)
    _plot(
        folder,
        f"activity_{slug}_rural",
        _Bars([r.group for r in rows], parts),
        text=text,
        layout=no_shares,
    )
    rural = Chart(
        f"activity_{slug}_rural",
        text.title,
        text.alt,
        (figures.rural_ratio, *[r.dsr for r in rows]),
    )
    return ActivityCharts(imd=imd, rural=rural)
