"""The words of the charts and maps: titles, alt text, axis and legend labels, notes and sources.

Every text a chart or map of an edition shows or is captioned with is written here, so that a
wording is changed in one place; :mod:`hi_reports.draw.charts` and :mod:`hi_reports.draw.maps`
only choose the numbers and draw them. Names of the reference data (the IMD and RUC releases, the
sources, the dates of the lookup) come from the edition's :class:`~hi_reports.data.vintage.Vintage`
and are never written here.

A chart's or map's *title* states its finding and is its caption in the book (the image has no
title); its *alt text* says what it shows, with its numbers, for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hi_reports.data.vintage import AGE_GROUPS, Vintage
from hi_reports.formatting import count, decimal, in_sentence, join_words, percent, times
from hi_reports.indicators.activity import ActivityFigures
from hi_reports.indicators.chapters import ImdFigures, RuralFigures, Spread
from hi_reports.indicators.classes import Classes
from hi_reports.indicators.disclosure import Disclosure
from hi_reports.indicators.plus import GroupFigures, PlusFigures

# Words several charts and maps share.

#: England, in legends: its share or rate beside the organisation's.
ENGLAND_NAME = "England"
#: The legend labels of urban and rural residents.
URBAN, RURAL = "Urban", "Rural"
#: The legend labels of the broad age groups (their keys in the figures too).
AGE_LABELS = tuple(label for label, _, _ in AGE_GROUPS)
#: The title of a quintile axis.
QUINTILE_AXIS = "National IMD quintile (Q1 = most deprived)"
#: The shares the England edition compares across ICBs, by the key of their figures.
ICB_SHARES = {"core20": "Core20 share", "rural": "rural share"}
#: The legend label of the median line of the ICB charts.
MEDIAN_ICB = "Median ICB"
#: What charts and maps of demonstration data say first.
SYNTHETIC_PREFIX = "SYNTHETIC DATA: "
#: What their notes and alt text add.
SYNTHETIC_NOTE = "Synthetic demonstration data, not real activity."
#: The axis of rates of activity.
RATE_AXIS = "Rate per 1,000 a year"
#: The note under a chart of age-standardised rates.
DSR_NOTE = (
    "Rates age-standardised to the 2013 European Standard Population. "
    "Error bars: 95% confidence limits (Dobson)."
)
#: Small numbers as words, for alt text ("each of the eight classes").
NUMBERS = dict(
    enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"))
)


def quintile(q: int) -> str:
    """A quintile on an axis: ``"Q1"``."""
    return f"Q{q}"


def ruc_class(code: str, name: str) -> str:
    """An RUC class on an axis: ``"A1 Urban major conurbation"``."""
    return f"{code} {name}"


def sources(*names: str) -> str:
    """A note of sources: ``"Sources: A; B."``."""
    return f"Sources: {'; '.join(names)}."


@dataclass(frozen=True)
class ChartText:
    """The words of one chart.

    Attributes
    ----------
    title
        The finding the chart shows: its caption in the book.
    alt
        Alternative text: what the chart shows, with the key numbers.
    axis, categories
        The titles of the value axis and of the category axis (none when empty).
    note
        A note under the chart (sources, methods), in grey.
    """

    title: str = ""
    alt: str = ""
    axis: str = ""
    categories: str = ""
    note: str = ""


# Charts of the IMD and rural chapters.


def imd_deciles(imd: ImdFigures, vintage: Vintage) -> ChartText:
    """The chart of residents by national IMD decile."""
    shares = [row.share.value for row in imd.deciles]
    return ChartText(
        title=f"{percent(imd.core20.share.value)} of residents live in the 20% most "
        "deprived neighbourhoods in England",
        alt="Bar chart of the share of residents in each national IMD decile: "
        + ", ".join(f"decile {d}: {percent(s)}" for d, s in enumerate(shares, start=1))
        + ". England's share is close to 10% in each decile.",
        axis="Share of residents",
        categories=f"National {vintage.imd} decile (1 = most deprived 10% of LSOAs in England)",
        note=sources(vintage.sources.population, vintage.sources.imd),
    )


#: The PLUS chart's legend entries, national IMD quintiles 1 to 5.
QUINTILES = ("1 Core20 (most deprived)", "2", "3", "4", "5 (least deprived)")


def plus_quintiles(
    plus: PlusFigures, rows: Sequence[GroupFigures], vintage: Vintage, source: str
) -> ChartText:
    """The PLUS chapter's chart of each group's residents by national IMD quintile: ``rows``, the
    groups it draws (all residents first), and ``source``, the census table it cites."""
    return ChartText(
        title="Each broad ethnic group's residents by the national IMD quintile of their "
        f"neighbourhood, Census 2021 (groups with fewer than {count(plus.min_residents.value)} "
        "residents not shown)",
        alt="Stacked bars, one for all residents and one for each broad ethnic group shown, split "
        "into the shares of the group's residents living in each national IMD quintile, from 1 "
        "(Core20, the most deprived) to 5. In quintile 1: "
        + "; ".join(f"{g.short} {percent(g.quintiles[0].value)}" for g in rows)
        + ". The table that follows gives every share.",
        axis="Share of the group's residents",
        categories=f"National {vintage.imd} quintile",
        note=sources(source),
    )


def imd_domains(imd: ImdFigures, name: str, compare: bool) -> ChartText:
    """The chart of the share of residents in each domain's most deprived national quintile."""
    furthest = imd.furthest_domain
    if not compare:  # England: each domain's most deprived fifth holds about a fifth by design
        limits = imd.domain_range
        title = (
            "On every domain, England's most deprived fifth of neighbourhoods holds "
            f"{percent(limits.lowest.value)} to {percent(limits.highest.value)} of residents"
        )
    elif furthest is None or not furthest.above:
        title = f"On no domain is {name}'s share in the most deprived fifth above England's"
    else:
        top = furthest.domains[0]
        which = " and ".join(furthest.titles)
        title = f"{name} is furthest above England on the {which} domain" + (
            f" ({percent(top.share.value)} against {percent(top.england_share.value)})"
            if len(furthest.titles) == 1
            else "s"
        )
    return ChartText(
        title=title,
        alt="Bar chart of the share of residents in the most deprived national quintile of each "
        "of the seven domains: "
        + "; ".join(
            f"{d.title} {percent(d.share.value)} (England {percent(d.england_share.value)})"
            for d in imd.domains
        )
        + ".",
        axis="Share of residents in the domain's most deprived national quintile",
    )


def imd_age(imd: ImdFigures) -> ChartText:
    """The chart of the age structure of each national IMD quintile."""
    ends = imd.age_ends
    if ends is None:  # every resident in one quintile
        only = next(r for r in imd.age_by_quintile if r.residents.value > 0)
        title = (
            f"All residents live in national quintile {only.quintile}; "
            f"{percent(only.aged_65_plus.value)} of them are 65 or over"
        )
    else:
        title = (
            f"{percent(ends.deprived.value)} of residents of {ends.deprived_label} are "
            f"65 or over, against {percent(ends.affluent.value)} in {ends.affluent_label}"
        )
    return ChartText(
        title=title,
        alt="Bar chart of the age structure (0-15, 16-64, 65 and over) of residents in each "
        "national IMD quintile.",
        axis="Share of the quintile's residents",
        categories=QUINTILE_AXIS,
    )


def rural_classes(rural: RuralFigures, vintage: Vintage, compare: bool) -> ChartText:
    """The chart of residents by RUC class."""
    classes = rural.classes
    return ChartText(
        title=f"{percent(rural.rural.share.value)} of residents live in rural neighbourhoods"
        + (f" (England {percent(rural.rural.england_share.value)})" if compare else ""),
        alt=f"Bar chart of the share of residents in each of the {NUMBERS[len(classes)]} "
        f"{vintage.ruc} classes: "
        + "; ".join(
            f"{c.code} {percent(c.share.value)} (England {percent(c.england_share.value)})"
            for c in classes
        )
        + ".",
        axis=f"Share of residents ({vintage.ruc_short}, LSOA)",
    )


def rural_quintiles(rural: RuralFigures) -> ChartText:
    """The chart of urban and rural residents by national IMD quintile."""
    first = rural.by_quintile[0]
    return ChartText(
        title=f"{_how_many(first.rural.share.value)} rural residents live in the most "
        f"deprived national quintile, against {percent(first.urban.share.value)} of urban "
        "residents",
        alt="Bar chart comparing how urban and rural residents are spread across the five "
        "national IMD quintiles: "
        + "; ".join(
            f"quintile {r.quintile}: rural {percent(r.rural.share.value)}, urban "
            f"{percent(r.urban.share.value)}"
            for r in rural.by_quintile
        )
        + ".",
        axis="Share of urban or rural residents",
        categories=QUINTILE_AXIS,
    )


def _how_many(share: float) -> str:
    """``"12.3% of"`` the residents, or ``"None of the"`` when the share is none at all."""
    return "None of the" if share == 0 else f"{percent(share)} of"


def rural_age(rural: RuralFigures) -> ChartText:
    """The chart of the age structure of urban and rural residents."""
    old = rural.age[2]
    return ChartText(
        title=f"{percent(old.rural.share.value)} of rural residents are 65 or over, "
        f"against {percent(old.urban.share.value)} of urban residents",
        alt="Bar chart of the age structure of urban and of rural residents: "
        + "; ".join(
            f"{r.group}: rural {percent(r.rural.share.value)}, urban {percent(r.urban.share.value)}"
            for r in rural.age
        )
        + ".",
        axis="Share of urban or rural residents",
        categories="Age group",
    )


def icb_shares(figures: Spread, what: str) -> ChartText:
    """The England edition's chart of a share (``what``, e.g. "Core20 share") of every ICB."""
    values = figures.by_organisation
    return ChartText(
        title=f"The {what} of ICBs ranges from {percent(figures.lowest.value)} to "
        f"{percent(figures.highest.value)}",
        alt=f"Bar chart of the {what} of each of the {len(values)} ICBs, from lowest to highest: "
        + "; ".join(f"{icb} {percent(m.value)}" for icb, m in values)
        + ".",
        axis=what.capitalize(),
    )


# Charts of activity.


def _synthetic(synthetic: bool) -> tuple[str, str]:
    """What a title starts with and a note or alt text ends with, for demonstration data."""
    return (SYNTHETIC_PREFIX, f" {SYNTHETIC_NOTE}") if synthetic else ("", "")


def activity_quintiles(
    measure: str, figures: ActivityFigures, england: ActivityFigures, synthetic: bool
) -> ChartText:
    """The chart of age-standardised rates of ``measure`` by national IMD quintile."""
    prefix, note = _synthetic(synthetic)
    ratio = figures.ratio
    return ChartText(
        title=f"{prefix}{measure}: the most deprived quintile's rate is "
        f"{times(ratio.value, 'the least deprived')}"
        if not ratio.missing
        else f"{prefix}{measure} by national IMD quintile",
        alt=f"Bar chart of age-standardised rates of {in_sentence(measure)} by national IMD "
        "quintile with 95% limits: "
        + "; ".join(f"Q{r.quintile} {decimal(r.dsr.value)}" for r in figures.quintiles)
        + f"; England {decimal(england.total.dsr.value)}.",
        axis=RATE_AXIS,
        categories=QUINTILE_AXIS,
        note=DSR_NOTE + note,
    )


def activity_urban_rural(measure: str, figures: ActivityFigures, synthetic: bool) -> ChartText:
    """The chart of age-standardised rates of ``measure`` in urban and rural neighbourhoods."""
    prefix, note = _synthetic(synthetic)
    ratio = figures.rural_ratio
    return ChartText(
        title=f"{prefix}{measure}: the rural rate is {times(ratio.value, 'the urban rate')}"
        if not ratio.missing
        else f"{prefix}{measure} in urban and rural neighbourhoods",
        alt=f"Bar chart of age-standardised rates of {in_sentence(measure)} in urban and rural "
        "neighbourhoods: "
        + "; ".join(f"{r.group} {decimal(r.dsr.value)}" for r in figures.urban_rural)
        + ".",
        axis=RATE_AXIS,
        note=DSR_NOTE + note,
    )


# Maps: their legends, scale and attribution.

#: ONS's attribution for its boundaries; ``{year}`` is the boundary release's.
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right {year}"
)
#: The inset of the ICB maps.
LONDON = "London"
CORE20_LEGEND_TITLE = "Core20: England's most\ndeprived 20% of LSOAs"
#: The two classes of the Core20 map.
CORE20_LEGEND = ("Core20: national deciles 1-2", "Other neighbourhoods")
CATCHMENT_LEGEND_TITLE = "Share of the neighbourhood's\nadmitted patients who go\nto the trust"
RATE_LEGEND_TITLE = "Crude rate per 1,000\nresidents a year"


def attribution(year: int) -> str:
    """ONS's attribution for boundaries released in ``year``."""
    return ATTRIBUTION.format(year=year)


def decile_legend(vintage: Vintage) -> tuple[str, tuple[str, ...]]:
    """The title and the ten labels of the legend of IMD deciles."""
    return (
        f"National {vintage.imd} decile\n1 = most deprived 10% in England",
        tuple(
            f"{d}{' most deprived' if d == 1 else ' least deprived' if d == 10 else ''}"
            for d in range(1, 11)
        ),
    )


def icb_legend_title(what: str, classes: int) -> str:
    """The legend title of an ICB map of a share (``what``, e.g. "Core20 share")."""
    return f"{what.capitalize()} of residents\n({classes} classes of ICBs)"


def suppressed_row(small_max: int) -> str:
    """The legend row of areas whose count is suppressed."""
    return f"1 to {small_max} events: suppressed"


def scale_bar(km: int) -> str:
    """The label of a scale bar."""
    return f"{km} km"


def scale_note(km: int, inset: tuple[str, int] | None = None) -> str:
    """The scale bars' lengths: the map's, and (``(title, km)``) its inset's."""
    if inset is None:
        return f"Scale: the bar is {km} km (British National Grid)."
    title, inset_km = inset
    return f"Scale: the bar is {km} km, in the {title} inset {inset_km} km (British National Grid)."


def map_note(about: str, scale: str, year: int) -> str:
    """A map's note: what it shows (``about``), its scale and ONS's attribution."""
    return f"{about} {scale} {attribution(year)}"


@dataclass(frozen=True)
class MapText:
    """The words of one map.

    Attributes
    ----------
    title
        The finding the map shows: its caption in the book.
    about
        What the map shows and how, which opens its note (:func:`map_note`).
    alt
        Alternative text: what the map shows, with its numbers.
    """

    title: str
    about: str
    alt: str


# Maps of an organisation's neighbourhoods.


def _group_name(label: str) -> str:
    """A rural group as a sentence names it: "Urban: conurbation (A1, B1)" -> "urban:
    conurbation"."""
    return label.split(" (")[0].lower()


@dataclass(frozen=True)
class Neighbourhoods:
    """How the maps of one organisation name the neighbourhoods they draw.

    Attributes
    ----------
    name
        The organisation's short name.
    n
        The number of neighbourhoods (LSOAs) drawn.
    trust
        A trust: its maps draw the neighbourhoods that send it at least ``least`` of their
        admitted patients, and say so.
    least
        That share.
    """

    name: str
    n: int
    trust: bool = False
    least: float = 0.10

    @property
    def where(self) -> str:
        """What a trust's map notes add: which neighbourhoods it draws (nothing for others)."""
        if not self.trust:
            return ""
        return (
            f" Neighbourhoods (LSOAs) sending at least {percent(self.least, 0)} of their admitted "
            "patients to the trust."
        )

    @property
    def scope(self) -> str:
        """The neighbourhoods drawn, in a count: "neighbourhoods" (a trust's maps show the core
        of its catchment, not all of it: they say so in every count)."""
        if not self.trust:
            return "neighbourhoods"
        return (
            f"neighbourhoods that send the trust {percent(self.least, 0)} or more of their "
            "admitted patients"
        )

    @property
    def phrase(self) -> str:
        """What the alt text says the map shows: "the 773 neighbourhoods (LSOAs) of NAME", or for
        a trust "the 375 neighbourhoods (LSOAs) that send NAME 10% or more of their admitted
        patients"."""
        lsoas = "LSOAs" if self.n != 1 else "LSOA"
        which = "the one neighbourhood" if self.n == 1 else f"the {count(self.n)} neighbourhoods"
        if not self.trust:
            return f"{which} ({lsoas}) of {self.name}"
        sends = "send" if self.n != 1 else "sends"
        return (
            f"{which} ({lsoas}) that {sends} {self.name} {percent(self.least, 0)} or more of "
            "their admitted patients"
        )

    def definition(self, text: str) -> str:
        """The definition of a count of the LSOAs drawn, for the data annex."""
        if not self.trust:
            return text
        return f"{text} (catchment LSOAs with a share of {percent(self.least, 0)} or more)"


def decile_map(
    drawn: Neighbourhoods,
    vintage: Vintage,
    per_decile: Sequence[int],
    lowest: int,
    by_district: str,
) -> MapText:
    """The map of neighbourhoods by national IMD decile.

    Parameters
    ----------
    per_decile
        The neighbourhoods in each decile, decile 1 first.
    lowest
        The most deprived decile of any neighbourhood drawn.
    by_district
        The neighbourhoods in deciles 1 and 2 by local authority (:func:`by_district`).
    """
    if drawn.n == 1:
        title = f"The area's one neighbourhood is in national IMD decile {lowest}"
    elif per_decile[0]:
        title = (
            f"{count(per_decile[0])} of the {count(drawn.n)} {drawn.scope} are among the 10% most "
            "deprived in England"
        )
    else:
        title = (
            f"None of the {count(drawn.n)} {drawn.scope} is among the 10% most deprived in "
            f"England; the most deprived are in decile {lowest}"
        )
    return MapText(
        title=title,
        about=f"National {vintage.imd} decile of each neighbourhood.{drawn.where}",
        alt=f"Map of {drawn.phrase}, each coloured by its national {vintage.imd} decile, from "
        "decile 1 (most deprived, darkest) to decile 10, with local-authority borders. "
        "Neighbourhoods per decile: "
        + "; ".join(f"decile {d}: {count(c)}" for d, c in enumerate(per_decile, start=1))
        + ". In deciles 1 and 2, by local authority: "
        + by_district
        + ".",
    )


def core20_map(
    drawn: Neighbourhoods, vintage: Vintage, core: int, share: float, by_district: str
) -> MapText:
    """The map of Core20 neighbourhoods: ``core`` of them, ``share`` of those drawn."""
    title = (
        f"{count(core)} of the {count(drawn.n)} {drawn.scope} ({percent(share)}) are Core20, "
        "England's most deprived 20%"
    )
    if drawn.n > 1 and not core:
        title = (
            f"None of the {count(drawn.n)} {drawn.scope} is Core20, among England's most "
            "deprived 20%"
        )
    if drawn.n == 1:
        title = (
            f"The area's one neighbourhood is {'' if core else 'not '}in England's most deprived "
            "20% (Core20)"
        )
    return MapText(
        title=title,
        about=f"Core20 neighbourhoods: national {vintage.imd} deciles 1 and 2.{drawn.where}",
        alt=f"Map of {drawn.phrase}, with {count(core)} Core20 "
        f"neighbourhood{'s' if core != 1 else ''} (national IMD deciles 1 and 2) shaded dark blue "
        "and the others light grey. Core20 neighbourhoods by local authority: " + by_district + ".",
    )


def rural_map(
    drawn: Neighbourhoods, vintage: Vintage, rural: int, per_group: Sequence[int], by_district: str
) -> MapText:
    """The map of neighbourhoods by RUC group: ``rural`` of them rural, ``per_group`` in each of
    the vintage's :attr:`~hi_reports.data.vintage.Vintage.rural_groups`."""
    groups = [label for label, _ in vintage.rural_groups]
    title = (
        f"{count(rural)} of the {count(drawn.n)} {drawn.scope} are rural"
        if rural
        else f"All {count(drawn.n)} {drawn.scope} are urban"
    )
    if drawn.n == 1:
        title = f"The area's one neighbourhood is {'rural' if rural else 'urban'}"
    counts = "; ".join(
        f"{_group_name(label)}: {count(n)}" for label, n in zip(groups, per_group, strict=True)
    )
    return MapText(
        title=title,
        about=f"{vintage.ruc} of each neighbourhood, its classes in {len(groups)} groups."
        f"{drawn.where}",
        alt=f"Map of {drawn.phrase}, each coloured by its {vintage.ruc} group, from "
        f"{_group_name(groups[0])} (lightest) to {_group_name(groups[-1])} (darkest): {counts}. "
        "Rural neighbourhoods by local authority: " + by_district + ".",
    )


def by_district(counts: Sequence[tuple[str, int, int]]) -> str:
    """'Birmingham 326 of 639, Solihull 18 of 134': of each district (name, flagged, drawn)."""
    return ", ".join(
        f"{name} {count(flagged)} of {count(drawn)}" for name, flagged, drawn in counts
    )


def catchment_map(
    name: str,
    legend: Sequence[str],
    classes: Sequence[int],
    core: tuple[int, int] | None,
    least: float = 0.10,
) -> MapText:
    """The map of a trust's catchment.

    Parameters
    ----------
    name
        The trust's name.
    legend, classes
        The labels of the classes of the trust's share and their numbers of neighbourhoods.
    core
        The neighbourhoods sending the trust ``least`` or more of their admitted patients and
        half or more, when the map is framed on them; None when none sends ``least``.
    """
    total = sum(classes)
    share = percent(least, 0)
    if core is not None:
        tenth, half = core
        title = (
            f"{count(tenth)} neighbourhood{'s' if tenth != 1 else ''} send at least {share} of "
            "their admitted patients to the trust"
            + (f", {count(half)} at least half" if half else ", none as much as half")
        )
        outline = f"with the outline of the neighbourhoods sending {share} or more"
        where = (
            "The map shows the neighbourhoods around the outline; a few far-off ones are off the "
            "map."
        )
    else:
        title = (
            f"No neighbourhood sends {share} of its admitted patients to the trust: its "
            f"{count(total)} neighbourhoods each send it a small share"
        )
        outline = f"framed on all of them, as no neighbourhood sends {share} or more"
        where = "The map frames every neighbourhood with patients admitted to the trust."
    return MapText(
        title=title,
        about=f"Catchment year 2019, all admissions; an LSOA takes its MSOA's share. {where}",
        alt=f"Map of the catchment of {name}: each of the {count(total)} neighbourhoods (LSOAs) "
        "with patients admitted to the trust shaded by the trust's share of them, darker for "
        f"larger shares, {outline}. Neighbourhoods per class: "
        + "; ".join(f"{label}: {count(n)}" for label, n in zip(legend, classes, strict=True))
        + ".",
    )


# What the maps count, as the data annex defines it.

#: Every neighbourhood a map draws.
MAP_LSOAS = "LSOAs drawn on the maps"
#: Those in Core20, and their share of the neighbourhoods drawn.
CORE20_LSOAS = "LSOAs in national IMD deciles 1-2 (Core20)"
CORE20_LSOA_SHARE = "Share of the LSOAs drawn that are in national IMD deciles 1-2 (Core20)"


def decile_lsoas(decile: int) -> str:
    """The neighbourhoods of the decile map in national IMD decile ``decile``."""
    return f"LSOAs in national IMD decile {decile}"


def rural_lsoas(vintage: Vintage) -> str:
    """The neighbourhoods of the rural map classed as rural."""
    return f"LSOAs classed as rural ({vintage.ruc_short} {vintage.codes('Rural')})"


def ruc_group_lsoas(vintage: Vintage, codes: Sequence[str]) -> str:
    """The neighbourhoods of the rural map in one group of RUC classes."""
    return f"LSOAs of {vintage.ruc_short} classes {', '.join(codes)}"


def activity_source(measure: str, synthetic: bool) -> str:
    """Where a map's activity counts come from."""
    return "Synthetic demonstration data" if synthetic else f"{measure}: activity data"


def suppressed_areas(unit: str, small_max: int) -> str:
    """The areas a rate map leaves unshaded for their small counts."""
    return f"{unit.capitalize()}s with 1 to {small_max} events, not shown"


def top_class(measure: str, unit: str) -> str:
    """The lower limit of a rate map's highest class."""
    return (
        f"Lower limit of the highest class of crude rates of {in_sentence(measure)} per 1,000 "
        f"residents a year on the map, as printed: every {unit} of the class has this rate or more"
    )


def top_class_areas(unit: str) -> str:
    """The areas in a rate map's highest class."""
    return f"{unit.capitalize()}s in the highest class of crude rates on the map"


# The PLUS chapter's map.

#: The PLUS map's legend: its title, and the label of the neighbourhoods it leaves unshaded.
PLUS_LEGEND_TITLE = (
    "Core20 neighbourhoods: share of residents of the Mixed, Asian, Black or Other groups"
)
NOT_CORE20 = "Not Core20"
#: What the PLUS map counts, for the annex.
PLUS_CORE20_LSOAS = "Core20 LSOAs drawn on the PLUS map"
PLUS_MAJORITY_LSOAS = (
    "Core20 LSOAs where half or more of the census residents are of the Mixed, Asian, Black or "
    "Other ethnic groups"
)


def plus_map(drawn: Neighbourhoods, core: int, majority: int, classes: Classes) -> MapText:
    """The title, note and alt text of the PLUS map: ``core`` Core20 neighbourhoods drawn, in
    ``majority`` of them half or more of the residents of the groups other than White."""
    which = "neighbourhood" if core == 1 else "neighbourhoods"
    # a trust's map draws the neighbourhoods sending it 10% or more: the title says so
    scope = f"Core20 {drawn.scope}" if core != 1 else "Core20 neighbourhood"
    groups = "the Mixed, Asian, Black or Other ethnic groups"
    if core == 1:
        title = (
            f"In the one {scope}, {'half or more' if majority else 'fewer than half'} of the "
            f"residents are of {groups}"
        )
    elif majority == 0:
        title = (
            f"In none of the {count(core)} {scope} are half or more of the residents of {groups}"
        )
    else:
        title = (
            f"In {count(majority)} of the {count(core)} {scope}, half or more of the residents are "
            f"of {groups}"
        )
    per_class = "; ".join(
        f"{label}: {count(n)}" for label, n in zip(classes.labels, classes.counts, strict=True)
    )
    return MapText(
        title=title,
        about=(
            "Core20 neighbourhoods (national IMD quintile 1) shaded by the share of their Census "
            f"2021 residents of the Mixed, Asian, Black or Other ethnic groups; the other "
            f"neighbourhoods unshaded.{drawn.where}"
        ),
        alt=(
            f"Map of {drawn.phrase}, with the {count(core)} Core20 {which} shaded from light to "
            "dark blue by the share of their residents of the Mixed, Asian, Black or Other ethnic "
            f"groups, and the others unshaded. Core20 neighbourhoods by that share: {per_class}. "
            f"In {count(majority)}, the share is {percent(0.5, 0)} or more."
        ),
    )


# The England edition's maps of ICBs.


def icb_map(
    what: str,
    vintage: Vintage,
    classes: Classes,
    top: Sequence[tuple[str, float]],
    bottom: Sequence[tuple[str, float]],
) -> MapText:
    """The map of a share (``what``) of every ICB, with the ICBs of the highest and the lowest
    shares (short name, share)."""

    def listed(chosen: Sequence[tuple[str, float]]) -> str:
        return ", ".join(f"{name} {percent(value)}" for name, value in chosen)

    title = f"The {what}s are highest in " + join_words([name for name, _ in top]) + " ICBs"
    if len(top) > 3:
        title = f"{len(top)} ICBs share the highest {what}s"
    return MapText(
        title=title,
        about="ICB outlines dissolved from the LSOAs through the ONS lookup "
        f"({vintage.organisations_when}).",
        alt=f"Map of England's {len(classes.values)} Integrated Care Boards shaded by {what}, "
        f"darker for higher shares, in {classes.size} classes: "
        + "; ".join(
            f"{label}: {n} ICB{'s' if n != 1 else ''}"
            for label, n in zip(classes.labels, classes.counts, strict=True)
        )
        + f". Highest: {listed(top)}. Lowest: {listed(bottom)}.",
    )


# Maps of crude rates of activity.


def rate_map_title(classes: Classes, unit: str, lower: str, small_max: int) -> str:
    """What a map of rates shows, from its classes: the highest class, and what is not shown.

    Never "more than" a limit (every area of the highest class has at least its lower limit as
    printed), and no range of rates when no rate, or only rates of 0.0, can be shown.
    """
    total, shown = len(classes.values), classes.classed
    hidden = total - shown
    units = f"{unit}s" + (" shown" if hidden else "")
    per = " per 1,000 residents a year"
    if not shown:
        return (
            f"no {unit}'s crude rate can be shown: "
            + (f"the one {unit} has" if total == 1 else f"all {count(total)} have")
            + f" 1 to {small_max} events, too few to publish"
        )
    the = (
        f"the one {unit}"
        if total == 1
        else f"the one {unit} shown"
        if shown == 1
        else f"the {count(shown)} {units}"
    )
    if classes.size == 1 and np.nanmax(classes.values) == 0:
        text = f"{the} had no {lower}" if shown == 1 else f"none of {the} had any {lower}"
    elif classes.size == 1:
        limits = (
            f"of {classes.text(classes.breaks[0])}"
            if classes.single(0)
            else f"from {classes.text(classes.breaks[0])} to {classes.text(classes.breaks[1])}"
        )
        everyone = the if shown == 1 or hidden else f"all {count(shown)} {units}"
        text = f"{everyone} {'has' if shown == 1 else 'have'} a crude rate {limits}{per}"
    elif classes.counts[-1] == 1:
        text = (
            f"the {unit}{' shown' if hidden else ''} with the highest crude rate has "
            f"{classes.at_least}{per}"
        )
    else:
        text = (
            f"the {count(classes.counts[-1])} {units} with the highest crude rates have "
            f"{classes.at_least}{per}"
        )
    if hidden:
        text += (
            f"; {count(hidden)} of the {count(total)} {unit}s, with 1 to {small_max} events, "
            f"{'is' if hidden == 1 else 'are'} not shown"
        )
    return text


def rate_map(
    measure: str,
    *,
    place: str,
    unit: str,
    classes: Classes,
    legend: Sequence[tuple[str, str]],
    rule: Disclosure,
    synthetic: bool,
) -> MapText:
    """The map of crude rates of ``measure`` in the areas (``unit``: "neighbourhood" or "ICB") of
    ``place``, classed by ``classes`` and shown with ``legend`` under the disclosure ``rule``."""
    areas = len(classes.values)
    hidden = areas - classes.classed
    prefix = (SYNTHETIC_PREFIX if synthetic else "") + (f"{rule.mark}: " if not rule.safe else "")
    title = (
        f"{prefix}{measure}: {rate_map_title(classes, unit, in_sentence(measure), rule.small_max)}"
    )
    counts = [*classes.counts, hidden][: len(legend)]
    how = (
        "in no class"
        if not classes.size
        else "in one class"
        if classes.size == 1
        else f"in {classes.size} classes, fifths of the {unit}s shown where ties and rounding allow"
    )
    drawn = f"the one {unit}" if areas == 1 else f"the {count(areas)} {unit}s"
    control = (
        f"Crude rates from counts rounded to {rule.round_to}; {unit}s with 1 to {rule.small_max} "
        "events are suppressed (shown grey), and class limits are put on a grid of round numbers "
        "(lower limits rounded down, the highest up)."
        if rule.safe
        else f"Crude rates from true counts: {rule.mark}."
    )
    return MapText(
        title=title,
        about=control + (" Synthetic demonstration data." if synthetic else ""),
        alt=f"Map of crude rates of {in_sentence(measure)} per 1,000 residents a year in {drawn} "
        f"of {place}, darker for higher rates, {how}: "
        + "; ".join(f"{label}: {count(n)}" for (label, _), n in zip(legend, counts, strict=True))
        + "."
        + (f" {SYNTHETIC_NOTE}" if synthetic else ""),
    )
