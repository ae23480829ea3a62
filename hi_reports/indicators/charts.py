"""Charts of an edition, drawn with plotnine from the chapter figures.

Each chart is drawn from the same :class:`Measure` objects the text prints, so a chart and its
sentence cannot disagree. Charts are titled with their finding, not their variables, and saved as
PNG files at a fixed size and resolution.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hi_reports.formatting import percent
from hi_reports.indicators.chapters import Figures
from hi_reports.indicators.measure import Measure

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_GREY = "#768692"
NHS_WARM_YELLOW = "#FFB81C"
DPI = 150
WIDTH, HEIGHT = 7.0, 4.0


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


#: zlib level of the PNG files: 3 writes them several times faster than the default 6, a few
#: per cent larger, with the same pixels.
PNG_COMPRESSION = 3


@functools.lru_cache(maxsize=1)
def _base_theme():
    import plotnine as p9

    return p9.theme_minimal(base_size=10) + p9.theme(
        plot_title=p9.element_text(size=11, weight="bold", ha="left"),
        plot_title_position="plot",
        plot_caption=p9.element_text(size=7, ha="left", color=NHS_GREY),
        plot_caption_position="plot",
        legend_position="bottom",
        legend_title=p9.element_blank(),
        panel_grid_minor=p9.element_blank(),
        figure_size=(WIDTH, HEIGHT),
        dpi=DPI,
    )


def _theme():
    """The charts' theme: built once per process, a fresh copy per chart (drawing changes it)."""
    return copy.deepcopy(_base_theme())


def _save(plot, folder: Path, name: str) -> None:
    """Draw ``plot`` once and write it as ``folder/{name}.png`` at :data:`DPI`.

    ``ggplot.save`` would deep-copy the plot and let matplotlib's ``savefig`` lay the figure out
    twice (a layout pass without drawing, then the drawing); drawing once on an Agg canvas and
    writing the pixels with Pillow gives the same image (same pixels, same DPI metadata) in less
    time. The figure size and DPI come from the theme.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure = plot.draw()
    try:
        with mpl.rc_context(plot.theme.rcParams):
            canvas = FigureCanvasAgg(figure)
            canvas.draw()
            width, height = canvas.get_width_height(physical=True)
            image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            dpi = figure.dpi
            image.save(folder / f"{name}.png", format="png", dpi=(dpi, dpi), compress_level=PNG_COMPRESSION)
    finally:
        plt.close(figure)


def _wrap(text: str, width: int = 70) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def draw_charts(name: str, imd: Figures, rural: Figures, folder: Path) -> dict[str, Chart]:
    """Draw every chart of an edition into ``folder`` and return them by name.

    Parameters
    ----------
    name
        The organisation's short name, used in legends.
    imd, rural
        The figures of the IMD and rural chapters.
    folder
        The project's ``figures/`` folder (created if needed).
    """
    import plotnine as p9

    folder.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Chart] = {}
    compare = name != "England"  # the England edition has nothing to compare itself with
    pct_labels = lambda values: [f"{v * 100:.0f}%" for v in values]  # noqa: E731

    # IMD deciles with England's share per decile as the reference.
    deciles = pd.DataFrame(
        {
            "decile": [str(row["decile"]) for row in imd["deciles"]],
            "share": [row["share"].value for row in imd["deciles"]],
            "england": [row["england_share"].value for row in imd["deciles"]],
        }
    )
    deciles["decile"] = pd.Categorical(deciles["decile"], categories=[str(d) for d in range(1, 11)])
    core20 = imd["core20"]["share"].value
    title = (
        f"{percent(core20)} of residents live in the 20% most deprived neighbourhoods in England"
    )
    plot = (
        p9.ggplot(deciles, p9.aes("decile", "share"))
        + p9.geom_col(fill=NHS_BLUE, width=0.75)
        + p9.geom_point(p9.aes(y="england"), shape="_", size=14, color=NHS_WARM_YELLOW, stroke=2)
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(
            title=_wrap(title),
            x="National IMD 2019 decile (1 = most deprived 10% of LSOAs in England)",
            y="Share of residents",
            caption="Yellow marks: England's share in each decile. Sources: ONS mid-2020, MHCLG IoD2019.",
        )
        + _theme()
    )
    _save(plot, folder, "imd_deciles")
    charts["imd_deciles"] = Chart(
        "imd_deciles",
        title,
        "Bar chart of the share of residents in each national IMD decile: "
        + ", ".join(f"decile {d}: {percent(s)}" for d, s in zip(range(1, 11), deciles["share"]))
        + ". England's share is close to 10% in each decile.",
        (imd["core20"]["share"], *[row["share"] for row in imd["deciles"]]),
    )

    # Domains: share in each domain's most deprived quintile, against England.
    rows = []
    for domain in imd["domains"]:
        rows.append({"domain": domain["title"], "who": name, "share": domain["share"].value})
        if compare:
            rows.append({"domain": domain["title"], "who": "England", "share": domain["england_share"].value})
    domains = pd.DataFrame(rows)
    order = [d["title"] for d in sorted(imd["domains"], key=lambda d: d["share"].value)]
    domains["domain"] = pd.Categorical(domains["domain"], categories=order)
    domains["who"] = pd.Categorical(domains["who"], categories=["England", name] if compare else [name])
    top = imd["most_deprived_domain"]
    title = f"The {top['title']} domain puts the most residents in England's most deprived fifth ({percent(top['share'].value)})"
    plot = (
        p9.ggplot(domains, p9.aes("domain", "share", fill="who"))
        + p9.geom_col(position=p9.position_dodge(width=0.8), width=0.75)
        + p9.coord_flip()
        + p9.scale_fill_manual(values={name: NHS_BLUE, "England": NHS_GREY})
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(title=_wrap(title), x="", y="Share of residents in the domain's most deprived national quintile")
        + _theme()
    )
    _save(plot, folder, "imd_domains")
    charts["imd_domains"] = Chart(
        "imd_domains",
        title,
        "Bar chart of the share of residents in the most deprived national quintile of each of the seven domains: "
        + "; ".join(f"{d['title']} {percent(d['share'].value)} (England {percent(d['england_share'].value)})" for d in imd["domains"])
        + ".",
        tuple(m for d in imd["domains"] for m in (d["share"], d["england_share"])),
    )

    # Age structure by IMD quintile.
    rows = []
    for row in imd["age_by_quintile"]:
        for group in ("0-15", "16-64", "65+"):
            rows.append({"quintile": f"Q{row['quintile']}", "group": group, "share": row[group].value})
    ages = pd.DataFrame(rows).dropna()
    ages["group"] = pd.Categorical(ages["group"], categories=["0-15", "16-64", "65+"])
    q1_old = imd["age_by_quintile"][0]["65+"].value
    q5_old = imd["age_by_quintile"][4]["65+"].value
    title = (
        f"{percent(q1_old)} of residents of the most deprived quintile are 65 or over, "
        f"against {percent(q5_old)} in the least deprived"
    )
    plot = (
        p9.ggplot(ages, p9.aes("quintile", "share", fill="group"))
        + p9.geom_col(position=p9.position_dodge(width=0.8), width=0.75)
        + p9.scale_fill_manual(values=[NHS_WARM_YELLOW, NHS_BLUE, NHS_DARK_BLUE])
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(title=_wrap(title), x="National IMD quintile (Q1 = most deprived)", y="Share of the quintile's residents")
        + _theme()
    )
    _save(plot, folder, "imd_age")
    charts["imd_age"] = Chart(
        "imd_age",
        title,
        "Bar chart of the age structure (0-15, 16-64, 65 and over) of residents in each national IMD quintile.",
        (imd["age_by_quintile"][0]["65+"], imd["age_by_quintile"][4]["65+"]),
    )

    # RUC classes against England.
    rows = []
    for c in rural["classes"]:
        label = f"{c['code']} {c['name']}"
        rows.append({"class": label, "who": name, "share": c["share"].value})
        if compare:
            rows.append({"class": label, "who": "England", "share": c["england_share"].value})
    classes = pd.DataFrame(rows)
    classes["class"] = pd.Categorical(classes["class"], categories=[r for r in dict.fromkeys(classes["class"])][::-1])
    classes["who"] = pd.Categorical(classes["who"], categories=["England", name] if compare else [name])
    rural_share = rural["rural"]["share"].value
    title = f"{percent(rural_share)} of residents live in rural neighbourhoods" + (
        f" (England {percent(rural['rural']['england_share'].value)})" if compare else ""
    )
    plot = (
        p9.ggplot(classes, p9.aes("class", "share", fill="who"))
        + p9.geom_col(position=p9.position_dodge(width=0.8), width=0.75)
        + p9.coord_flip()
        + p9.scale_fill_manual(values={name: NHS_BLUE, "England": NHS_GREY})
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(title=_wrap(title), x="", y="Share of residents (RUC 2011, LSOA)")
        + _theme()
    )
    _save(plot, folder, "rural_classes")
    charts["rural_classes"] = Chart(
        "rural_classes",
        title,
        "Bar chart of the share of residents in each of the eight Rural-Urban Classification classes: "
        + "; ".join(f"{c['code']} {percent(c['share'].value)} (England {percent(c['england_share'].value)})" for c in rural["classes"])
        + ".",
        (rural["rural"]["share"], rural["rural"]["england_share"],
         *[m for c in rural["classes"] for m in (c["share"], c["england_share"])]),
    )

    if not (rural["has_rural"] and rural["has_urban"]):
        return charts  # the two comparisons below need both urban and rural residents

    # Urban and rural residents by IMD quintile.
    rows = []
    for row in rural["by_quintile"]:
        for area in ("urban", "rural"):
            rows.append({"quintile": f"Q{row['quintile']}", "area": area.capitalize(), "share": row[area]["share"].value})
    quint = pd.DataFrame(rows).dropna()
    quint["area"] = pd.Categorical(quint["area"], categories=["Urban", "Rural"])
    rural_q1 = rural["by_quintile"][0]["rural"]["share"].value
    urban_q1 = rural["by_quintile"][0]["urban"]["share"].value
    title = (
        f"{percent(rural_q1)} of rural residents live in the most deprived national quintile, "
        f"against {percent(urban_q1)} of urban residents"
    )
    plot = (
        p9.ggplot(quint, p9.aes("quintile", "share", fill="area"))
        + p9.geom_col(position=p9.position_dodge(width=0.8), width=0.75)
        + p9.scale_fill_manual(values={"Urban": NHS_BLUE, "Rural": NHS_WARM_YELLOW})
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(title=_wrap(title), x="National IMD quintile (Q1 = most deprived)", y="Share of urban or rural residents")
        + _theme()
    )
    _save(plot, folder, "rural_quintiles")
    charts["rural_quintiles"] = Chart(
        "rural_quintiles",
        title,
        "Bar chart comparing how urban and rural residents are spread across the five national IMD quintiles.",
        (rural["by_quintile"][0]["rural"]["share"], rural["by_quintile"][0]["urban"]["share"]),
    )

    # Age structure urban against rural.
    rows = []
    for row in rural["age"]:
        for area in ("urban", "rural"):
            rows.append({"group": row["group"], "area": area.capitalize(), "share": row[area]["share"].value})
    age = pd.DataFrame(rows).dropna()
    age["area"] = pd.Categorical(age["area"], categories=["Urban", "Rural"])
    age["group"] = pd.Categorical(age["group"], categories=["0-15", "16-64", "65+"])
    rural_old = rural["age"][2]["rural"]["share"].value
    urban_old = rural["age"][2]["urban"]["share"].value
    title = f"{percent(rural_old)} of rural residents are 65 or over, against {percent(urban_old)} of urban residents"
    plot = (
        p9.ggplot(age, p9.aes("group", "share", fill="area"))
        + p9.geom_col(position=p9.position_dodge(width=0.8), width=0.75)
        + p9.scale_fill_manual(values={"Urban": NHS_BLUE, "Rural": NHS_WARM_YELLOW})
        + p9.scale_y_continuous(labels=pct_labels)
        + p9.labs(title=_wrap(title), x="Age group", y="Share of urban or rural residents")
        + _theme()
    )
    _save(plot, folder, "rural_age")
    charts["rural_age"] = Chart(
        "rural_age",
        title,
        "Bar chart of the age structure of urban and of rural residents.",
        (rural["age"][2]["rural"]["share"], rural["age"][2]["urban"]["share"]),
    )
    return charts


def draw_variation_charts(variation: Figures, folder: Path) -> dict[str, Chart]:
    """Charts of the England edition: Core20 and rural shares of every ICB, sorted."""
    import plotnine as p9

    folder.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Chart] = {}
    for name, what, colour in (("core20", "Core20 share", NHS_BLUE), ("rural", "rural share", NHS_WARM_YELLOW)):
        figures = variation[name]
        frame = pd.DataFrame([(icb, m.value) for icb, m in figures["values"]], columns=["icb", "share"])
        frame["icb"] = pd.Categorical(frame["icb"], categories=frame["icb"].tolist())
        title = (
            f"The {what} of ICBs ranges from {percent(figures['lowest'].value)} to "
            f"{percent(figures['highest'].value)}"
        )
        plot = (
            p9.ggplot(frame, p9.aes("icb", "share"))
            + p9.geom_col(fill=colour, width=0.75)
            + p9.geom_hline(yintercept=figures["median"].value, linetype="dashed", color=NHS_DARK_BLUE)
            + p9.coord_flip()
            + p9.scale_y_continuous(labels=lambda values: [f"{v * 100:.0f}%" for v in values])
            + p9.labs(title=_wrap(title), x="", y=f"{what.capitalize()} (dashed line: median ICB)")
            + _theme()
            + p9.theme(figure_size=(WIDTH, 8.0), axis_text_y=p9.element_text(size=6.5))
        )
        _save(plot, folder, f"variation_{name}")
        charts[f"variation_{name}"] = Chart(
            f"variation_{name}",
            title,
            f"Bar chart of the {what} of each of the {len(frame)} ICBs, from lowest to highest: "
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
        Demonstration data: every chart says so in its title.
    folder
        The project's ``figures/`` folder.
    """
    import plotnine as p9

    from hi_reports.formatting import decimal

    folder.mkdir(parents=True, exist_ok=True)
    prefix = "SYNTHETIC DATA: " if synthetic else ""
    per = "per 1,000 a year"
    charts: dict[str, Chart] = {}

    def frame(rows: list, label) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"group": label(row), "rate": row["dsr"].value, "lower": row["dsr_lower"].value,
                 "upper": row["dsr_upper"].value}
                for row in rows
            ]
        )

    quint = frame(figures["quintiles"], lambda r: f"Q{r['quintile']}")
    quint["group"] = pd.Categorical(quint["group"], categories=[f"Q{q}" for q in range(1, 6)])
    ratio = figures["ratio"]
    title = f"{prefix}{measure}: the most deprived quintile's rate is {decimal(ratio.value)} times the least deprived's"
    plot = (
        p9.ggplot(quint.dropna(subset=["rate"]), p9.aes("group", "rate"))
        + p9.geom_col(fill=NHS_BLUE, width=0.7)
        + p9.geom_errorbar(p9.aes(ymin="lower", ymax="upper"), width=0.25, color=NHS_DARK_BLUE)
        + p9.geom_hline(yintercept=england["total"]["dsr"].value, linetype="dashed", color=NHS_WARM_YELLOW, size=1)
        + p9.labs(
            title=_wrap(title), x="National IMD quintile (Q1 = most deprived)", y=f"Age-standardised rate {per}",
            caption="Error bars: 95% confidence limits (Dobson). Dashed line: England."
            + (" Synthetic demonstration data, not real activity." if synthetic else ""),
        )
        + _theme()
    )
    _save(plot, folder, f"activity_{slug}_imd")
    charts["imd"] = Chart(
        f"activity_{slug}_imd",
        title,
        f"Bar chart of age-standardised rates of {measure.lower()} by national IMD quintile with 95% limits: "
        + "; ".join(f"Q{r['quintile']} {decimal(r['dsr'].value)}" for r in figures["quintiles"])
        + f"; England {decimal(england['total']['dsr'].value)}.",
        (ratio, england["total"]["dsr"], *[r["dsr"] for r in figures["quintiles"]]),
    )

    areas = frame(figures["urban_rural"], lambda r: r["group"])
    areas["who"] = name
    if name != "England":
        other = frame(england["urban_rural"], lambda r: r["group"])
        other["who"] = "England"
        areas = pd.concat([areas, other], ignore_index=True)
    areas["who"] = pd.Categorical(areas["who"], categories=list(dict.fromkeys(areas["who"])))
    rural_ratio = figures["rural_ratio"]
    title = f"{prefix}{measure}: the rural rate is {decimal(rural_ratio.value)} times the urban rate"
    dodge = p9.position_dodge(width=0.8)
    plot = (
        p9.ggplot(areas.dropna(subset=["rate"]), p9.aes("group", "rate", fill="who"))
        + p9.geom_col(position=dodge, width=0.75)
        + p9.geom_errorbar(p9.aes(ymin="lower", ymax="upper"), position=dodge, width=0.25, color=NHS_DARK_BLUE)
        + p9.scale_fill_manual(values=[NHS_BLUE, NHS_GREY])
        + p9.labs(
            title=_wrap(title), x="", y=f"Age-standardised rate {per}",
            caption="Error bars: 95% confidence limits (Dobson)."
            + (" Synthetic demonstration data, not real activity." if synthetic else ""),
        )
        + _theme()
    )
    _save(plot, folder, f"activity_{slug}_rural")
    charts["rural"] = Chart(
        f"activity_{slug}_rural",
        title,
        f"Bar chart of age-standardised rates of {measure.lower()} in urban and rural neighbourhoods: "
        + "; ".join(f"{r['group']} {decimal(r['dsr'].value)}" for r in figures["urban_rural"])
        + ".",
        (rural_ratio, *[r["dsr"] for r in figures["urban_rural"]]),
    )
    return charts
