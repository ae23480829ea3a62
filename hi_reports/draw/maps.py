"""Maps of an edition: where deprivation and rurality lie inside the organisation.

Each map is planned here as :class:`~hi_reports.draw.mapdraw.Layers` (the areas drawn, in
order, with their fill colours, the legend, local-authority borders and names, and the outline)
from the reference data and the shapes of :mod:`hi_reports.geography.boundaries`, then drawn by
:mod:`hi_reports.draw.mapdraw` with matplotlib collections.

Every map has a title stating its finding, a scale bar, ONS's attribution with the boundaries'
year, and alt text written from its data (their words are in :mod:`hi_reports.draw.labels`); its
numbers go to the annex like a chart's.

Palettes are sequential and colour-blind safe: viridis for the ten IMD deciles (decile 1, the most
deprived, darkest), ColorBrewer YlGn for rurality, Blues for shares, YlOrRd for activity rates.
Neighbouring classes of a sequential palette cannot all be 3:1 apart in contrast as WCAG 1.4.11
asks of the parts of a graphic that sit side by side: that is impossible with five or ten classes
between white and the darkest fill. The maps have a legend, every palette runs from a light to a
dark end (far more than 3:1 apart) and stays ordered in lightness under colour blindness, and the
two-class Core20 map is 3:1 and more between its classes (``tests/test_palette.py``).

The maps of ICBs (England's edition) number each ICB from north to south, list the names in a key
under the map, and show London's five ICBs, too small to number on a map of England, in an inset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from hi_reports.data import Reference
from hi_reports.draw import labels
from hi_reports.draw.labels import MapText, Neighbourhoods
from hi_reports.draw.mapdraw import Key, Layers, figure, recolour, save, scale_bar_km
from hi_reports.draw.paths import geometry_rings, lsoa_paths
from hi_reports.geography import Organisation, organisations
from hi_reports.geography.boundaries import AreaShapes, Shapes, area_shapes, union_tiles
from hi_reports.indicators.chapters import CATCHMENT_CORE, Spread, VariationFigures
from hi_reports.indicators.classes import Classes, printed, quantile_breaks
from hi_reports.indicators.disclosure import SAFE, Disclosure, coarse_breaks
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.record import Record

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DECILE_COLOURS",
    "Key",
    "Layers",
    "Map",
    "MappedActivity",
    "Maps",
    "activity_layers",
    "activity_map",
    "attribution",
    "catchment_map",
    "core20_layers",
    "decile_layers",
    "england_maps",
    "figure",
    "icb_key",
    "map_positions",
    "organisation_maps",
    "recolour",
    "rural_layers",
]

#: Ten national IMD deciles, decile 1 (most deprived) first: viridis, darkest first.
DECILE_COLOURS = (
    "#440154",
    "#482878",
    "#3E4989",
    "#31688E",
    "#26828E",
    "#1F9E89",
    "#35B779",
    "#6ECE58",
    "#B5DE2B",
    "#FDE725",
)
CORE20_COLOUR, OTHER_COLOUR = "#003087", "#E8EDEE"
#: Colours of the RUC groups of a vintage (:attr:`Vintage.rural_groups`), least rural first, by
#: the number of groups.
RURAL_COLOURS = {
    4: ("#FFFFCC", "#C2E699", "#78C679", "#238443"),
    3: ("#FFFFCC", "#78C679", "#238443"),
}
BLUES = ("#EFF3FF", "#BDD7E7", "#6BAED6", "#3182BD", "#08519C")
GREENS = ("#FFFFCC", "#C2E699", "#78C679", "#31A354", "#006837")
REDS = ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026")
SUPPRESSED_COLOUR = "#A0A8AD"
#: Classes of a trust's share of a neighbourhood's admitted patients, in percent.
CATCHMENT_BREAKS = (0, 10, 25, 50, 75, 100)


def rural_groups(reference: Reference) -> list[tuple[str, tuple[str, ...], str]]:
    """The vintage's RUC groups with their colours: label, class codes, colour."""
    groups = reference.vintage.rural_groups
    colours = RURAL_COLOURS[len(groups)]
    return [(label, codes, colour) for (label, codes), colour in zip(groups, colours, strict=True)]


@dataclass(frozen=True)
class Map:
    """A map written to the project's ``figures/`` folder.

    Attributes
    ----------
    name
        File stem; the file is ``figures/{name}.png``.
    title
        The finding the map shows.
    note
        The scale and ONS's attribution (printed under the title in the caption, and on the map).
    alt
        Alternative text: what the map shows, with its numbers.
    measures
        The numbers the title and alt text print, for the data annex.
    codes
        The areas drawn (LSOA or ICB codes), in drawing order.
    """

    name: str
    title: str
    note: str
    alt: str
    measures: tuple[Measure, ...] = ()
    codes: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """Path of the PNG relative to the project folder."""
        return f"figures/{self.name}.png"

    @property
    def caption(self) -> str:
        """The caption: the finding, then scale and attribution."""
        return f"{self.title}. {self.note}."


@dataclass(frozen=True)
class Maps(Record):
    """The maps of an edition, by name; None where the edition has no such map.

    Attributes
    ----------
    deciles, core20, rural
        Neighbourhoods by national IMD decile, in Core20 or not, and by RUC group (ICBs by their
        Core20 and rural share for England, which has no map of deciles); None for a specialist
        trust, with no core to its catchment.
    catchment
        A trust's catchment; None for other kinds.
    plus
        The Core20 neighbourhoods by their share of ethnic minority residents (the PLUS
        chapter's, :mod:`hi_reports.draw.plusmap`); None for England and where there is no
        Core20 neighbourhood to draw.
    """

    deciles: Map | None = None
    core20: Map | None = None
    rural: Map | None = None
    catchment: Map | None = None
    plus: Map | None = None


@dataclass(frozen=True)
class MappedActivity:
    """One activity measure, as its map of crude rates draws it.

    Attributes
    ----------
    measure
        The measure's name (``"Emergency admissions"``).
    slug
        Its file-name stem.
    events
        Events by LSOA code over the whole period (all of England).
    years
        Length of the period in years: rates are per 1,000 residents a year.
    rule
        The disclosure rule the counts are published under.
    synthetic
        Demonstration data: the title and caption say so.
    """

    measure: str
    slug: str
    events: pd.Series
    years: float
    rule: Disclosure = SAFE
    synthetic: bool = False


def attribution(shapes: Shapes) -> str:
    """ONS's attribution for the boundaries of ``shapes``."""
    return labels.attribution(shapes.year)


def map_positions(
    reference: Reference, shapes: Shapes, weights: pd.DataFrame, org: Organisation
) -> tuple[np.ndarray, pd.Series]:
    """Positions (in ``shapes``) of the LSOAs an organisation's maps draw, and their weights.

    All the member LSOAs of an ICB, sub-ICB or local authority; for a trust, the LSOAs that send
    at least :data:`CATCHMENT_CORE` of their admitted patients to it.
    """
    key = str(reference.lsoas.index.name)
    mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)]
    if org.kind == "trust":
        mine = mine[mine["weight"] >= CATCHMENT_CORE]
    codes = np.sort(mine[key].to_numpy())
    return shapes.positions(codes), mine.set_index(key)["weight"].reindex(codes)


def _lsoa_rings(
    shapes: Shapes, positions: np.ndarray
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The path vertices and codes of the LSOAs at ``positions``."""
    paths = lsoa_paths(shapes)
    rings = [paths.rings(int(p)) for p in positions]
    return tuple(v for v, _ in rings), tuple(k for _, k in rings)


def area_layers(
    shapes: Shapes,
    area: AreaShapes,
    positions: np.ndarray,
    *,
    colours: Sequence[str],
    legend: Sequence[tuple[str, str]],
    legend_title: str,
) -> Layers:
    """The layers of a map of the LSOAs at ``positions`` (in ``shapes``), filled with
    ``colours`` (one per LSOA), in the frame, outline and districts of ``area``, with a legend of
    ``(label, colour)`` rows under ``legend_title``."""
    vertices, kinds = _lsoa_rings(shapes, positions)
    return Layers(
        codes=tuple(shapes.codes[positions]),
        vertices=vertices,
        kinds=kinds,
        colours=tuple(colours),
        legend=tuple(legend),
        legend_title=legend_title,
        outline=area.outline,
        districts=area.districts,
        extent=_extent(area.outline),
    )


def _extent(outline: Any, pad: float = 0.03) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = outline.bounds
    dx, dy = (xmax - xmin) * pad, (ymax - ymin) * pad
    return xmin - dx, ymin - dy, xmax + dx, ymax + dy


def decile_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """LSOAs coloured by national IMD decile (decile 1 darkest)."""
    deciles = reference.lsoas["imd_decile"].to_numpy()[area.positions]
    title, rows = labels.decile_legend(reference.vintage)
    return area_layers(
        shapes,
        area,
        area.positions,
        colours=[DECILE_COLOURS[int(d) - 1] for d in deciles],
        legend=list(zip(rows, DECILE_COLOURS, strict=True)),
        legend_title=title,
    )


def core20_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """Core20 LSOAs (national IMD deciles 1-2) dark, the others light."""
    core20 = reference.lsoas["imd_decile"].to_numpy()[area.positions] <= 2
    return area_layers(
        shapes,
        area,
        area.positions,
        colours=[CORE20_COLOUR if core else OTHER_COLOUR for core in core20],
        legend=list(zip(labels.CORE20_LEGEND, (CORE20_COLOUR, OTHER_COLOUR), strict=True)),
        legend_title=labels.CORE20_LEGEND_TITLE,
    )


def rural_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """LSOAs coloured by their RUC group, from the most urban (light) to the most rural (dark)."""
    groups = rural_groups(reference)
    group = {code: colour for _, codes, colour in groups for code in codes}
    classes = reference.lsoas["ruc_code"].to_numpy()[area.positions]
    return area_layers(
        shapes,
        area,
        area.positions,
        colours=[group[c] for c in classes],
        legend=[(label, colour) for label, _, colour in groups],
        legend_title=reference.vintage.ruc,
    )


def draw_map(
    name: str,
    layers: Layers,
    text: MapText,
    measures: Sequence[Measure],
    *,
    shapes: Shapes,
    folder: Path,
    fig: Figure | None = None,
) -> tuple[Map, Figure]:
    """Draw ``layers`` (on ``fig``, recoloured, when given) and write ``folder/name.png``; return
    the map, captioned with ``text``, and the figure."""
    fig = figure(layers) if fig is None else recolour(fig, layers)
    save(fig, folder, name)
    note = labels.map_note(text.about, _scale(layers), shapes.year)
    return Map(name, text.title, note, text.alt, tuple(measures), layers.codes), fig


def _scale(layers: Layers) -> str:
    """The scale bars' lengths, the map's and its inset's (:func:`labels.scale_note`)."""
    km = scale_bar_km(layers.extent[2] - layers.extent[0])
    key = layers.key
    if key is None or not key.inset:
        return labels.scale_note(km)
    xmin, _, xmax, _ = key.inset_outline.bounds
    return labels.scale_note(km, (key.inset_title, scale_bar_km((xmax - xmin) * 1.08)))


def icb_key(
    reference: Reference, shapes: Shapes, codes: Sequence[str], names: dict[str, Organisation]
) -> Key:
    """The ICBs numbered from north to south (by the point where the number goes), with London's,
    the ICBs made only of London boroughs, in an inset.

    Parameters
    ----------
    codes
        The ICBs' codes (keys of ``shapes.icb`` and of ``names``).
    names
        The ICBs by code: the key lists their short names.
    """
    lsoas = reference.lsoas
    london_share = lsoas["lad_code"].str.startswith("E09").groupby(lsoas["icb_code"]).mean()
    points = {}
    for code in codes:
        shape = shapes.icb[code]
        part = max(shapely.get_parts(shape), key=lambda g: g.area)
        # The pole of inaccessibility: the number sits well inside the ICB, not on a border.
        point = polylabel(part, tolerance=500.0)
        points[code] = (point.x, point.y)
    order = sorted(codes, key=lambda c: (-round(points[c][1], -3), points[c][0]))
    london = tuple(c for c in order if london_share.get(c, 0.0) == 1.0)
    return Key(
        codes=tuple(order),
        names=tuple(names[c].short_name for c in order),
        points=tuple(points[c] for c in order),
        inset=london,
        inset_title=labels.LONDON,
        inset_outline=union_tiles(np.asarray([shapes.icb[c] for c in london], dtype=object))
        if london
        else None,
    )


def _by_district(reference: Reference, area: AreaShapes, flag: np.ndarray) -> str:
    """'Birmingham 326 of 639, Solihull 18 of 134': flagged LSOAs of each district."""
    lad = reference.lsoas["lad_code"].to_numpy()[area.positions]
    counts = []
    for code, name, _ in sorted(area.districts, key=lambda d: d[1]):
        mine = lad == code
        counts.append((name, int(flag[mine].sum()), int(mine.sum())))
    return labels.by_district(counts)


def organisation_maps(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    folder: Path,
) -> Maps:
    """Draw the IMD decile, Core20 and rural maps of a local edition (and a trust's catchment).

    Parameters
    ----------
    org
        The organisation (not England: see :func:`england_maps`).
    reference, shapes
        The reference data and its LSOA shapes.
    weights
        The weights of the organisations of ``org.kind`` (:func:`hi_reports.geography.membership`).
    folder
        The project's ``figures/`` folder.

    Returns
    -------
    Maps
        ``deciles``, ``core20``, ``rural`` and ``catchment`` (None but for trusts).
    """
    positions, _ = map_positions(reference, shapes, weights, org)
    trust = org.kind == "trust"
    if not len(positions):
        # A specialist trust: no neighbourhood sends it 10% of its admitted patients, so there is no
        # core to map by deprivation or rurality; the catchment map shows where its patients live.
        return Maps(
            catchment=catchment_map(
                org, reference, shapes, weights=weights, core=None, folder=folder
            )
            if trust
            else None
        )
    area = area_shapes(shapes, positions)
    lsoas = reference.lsoas
    n = len(positions)
    drawn = Neighbourhoods(org.short_name, n, trust, CATCHMENT_CORE)
    v = reference.vintage
    src = f"{v.sources.imd}; {v.sources.lookup}"
    ruc_src = f"{v.sources.ruc}; {v.sources.lookup}"

    def lsoa_count(key: str, value: float, definition: str, source: str = src) -> Measure:
        return Measure(f"maps.{key}", float(value), "count", drawn.definition(definition), source)

    total = lsoa_count("lsoas", n, labels.MAP_LSOAS)
    deciles = lsoas["imd_decile"].to_numpy()[positions].astype(int)
    per_decile = np.bincount(deciles, minlength=11)[1:]
    by_decile = [
        lsoa_count(f"decile_{d}_lsoas", c, labels.decile_lsoas(d))
        for d, c in enumerate(per_decile, start=1)
    ]
    deciles_map, fig = draw_map(
        "map_imd_deciles",
        decile_layers(reference, shapes, area),
        labels.decile_map(
            drawn,
            v,
            [int(c) for c in per_decile],
            int(deciles.min()),
            _by_district(reference, area, deciles <= 2),
        ),
        (total, *by_decile),
        shapes=shapes,
        folder=folder,
    )

    core20 = deciles <= 2
    core = lsoa_count("core20_lsoas", core20.sum(), labels.CORE20_LSOAS)
    core_share = Measure(
        "maps.core20_lsoa_share",
        float(core20.mean()),
        "share",
        labels.CORE20_LSOA_SHARE,
        src,
    )
    core20_map, fig = draw_map(
        "map_imd_core20",
        core20_layers(reference, shapes, area),
        labels.core20_map(
            drawn, v, int(core20.sum()), core_share.value, _by_district(reference, area, core20)
        ),
        (total, core, core_share),
        shapes=shapes,
        folder=folder,
        fig=fig,
    )

    classes = lsoas["ruc_code"].to_numpy()[positions]
    rural = lsoas["urban_rural"].to_numpy()[positions] == "Rural"
    rural_n = lsoa_count(
        "rural_lsoas",
        rural.sum(),
        labels.rural_lsoas(v),
        ruc_src,
    )
    group_counts = [
        lsoa_count(
            f"ruc_group_{i}_lsoas",
            np.isin(classes, codes).sum(),
            labels.ruc_group_lsoas(v, codes),
            ruc_src,
        )
        for i, (_, codes, _) in enumerate(rural_groups(reference), start=1)
    ]
    rural_map, fig = draw_map(
        "map_rural",
        rural_layers(reference, shapes, area),
        labels.rural_map(
            drawn,
            v,
            int(rural.sum()),
            [int(m.value) for m in group_counts],
            _by_district(reference, area, rural),
        ),
        (total, rural_n, *group_counts),
        shapes=shapes,
        folder=folder,
        fig=fig,
    )
    return Maps(
        deciles=deciles_map,
        core20=core20_map,
        rural=rural_map,
        catchment=catchment_map(org, reference, shapes, weights=weights, core=area, folder=folder)
        if trust
        else None,
    )


def catchment_map(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    *,
    weights: pd.DataFrame,
    core: AreaShapes | None,
    folder: Path,
) -> Map:
    """A trust's catchment: every LSOA shaded by the trust's share of its admitted patients.

    ``core`` is the outline of the neighbourhoods sending the trust 10% or more, which the map is
    framed on; None when there are none (a specialist trust), and the map then frames them all.
    The shares are classed exactly (no neighbourhood's share is printed) by
    :data:`CATCHMENT_BREAKS`, and the title's counts are those of the classes.
    """
    key = str(reference.lsoas.index.name)
    mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)].sort_values(key)
    positions = shapes.positions(mine[key].to_numpy())
    share = mine["weight"].to_numpy(dtype=float)
    framed = core is not None
    if core is None:
        core = area_shapes(shapes, positions)
    classes = Classes.of(share * 100, CATCHMENT_BREAKS, digits=0, suffix="%")
    legend = classes.legend(BLUES)
    layers = area_layers(
        shapes,
        core,
        positions,
        colours=classes.colours(BLUES, OTHER_COLOUR),
        legend=legend,
        legend_title=labels.CATCHMENT_LEGEND_TITLE,
    )
    source = reference.vintage.sources.catchment

    def from_share(least: float) -> float:
        return float(
            sum(
                n
                for lower, n in zip(classes.breaks, classes.counts, strict=False)
                if lower >= least
            )
        )

    half = Measure(
        "maps.catchment.half_lsoas",
        from_share(50),
        "count",
        "LSOAs sending half or more of their admitted patients to the trust",
        source,
    )
    tenth = Measure(
        "maps.catchment.core_lsoas",
        from_share(CATCHMENT_CORE * 100),
        "count",
        "LSOAs sending 10% or more of their admitted patients to the trust",
        source,
    )
    text = labels.catchment_map(
        org.name,
        classes.labels,
        classes.counts,
        (int(tenth.value), int(half.value)) if framed else None,
        CATCHMENT_CORE,
    )
    return draw_map("map_catchment", layers, text, (tenth, half), shapes=shapes, folder=folder)[0]


def _ends(values: dict[str, float], highest: bool, n: int = 3) -> list[str]:
    """The ``n`` codes with the highest (or lowest) values, and any others tied with the last of
    them, so that a list of "the highest" never leaves out an equal."""
    ordered = sorted(values, key=lambda c: -values[c] if highest else values[c])
    if len(ordered) <= n:
        return ordered
    last = values[ordered[n - 1]]
    return ordered[:n] + [c for c in ordered[n:] if values[c] == last]


def england_maps(
    reference: Reference,
    shapes: Shapes,
    variation: VariationFigures,
    names: dict[str, Organisation],
    folder: Path,
) -> Maps:
    """The England edition's maps: Core20 share and rural share of each ICB (not 32,844 LSOAs)."""
    codes = sorted(shapes.icb)
    geometries = [shapes.icb[c] for c in codes]
    vertices, kinds = geometry_rings(geometries)
    outline = union_tiles(np.asarray(geometries, dtype=object))
    maps: dict[str, Map] = {}
    numbered = icb_key(reference, shapes, codes, names)
    fig = None
    for key, palette, spread in (
        ("core20", BLUES, variation.core20),
        ("rural", GREENS, variation.rural),
    ):
        what = labels.ICB_SHARES[key]
        by_code = dict(_values_by_code(spread, codes))
        # Classed as printed (percent to one decimal), from the lowest share to the highest.
        values = printed(np.array([by_code[c].value for c in codes]) * 100, 1)
        breaks = quantile_breaks(values)
        classes = Classes.of(values, breaks, digits=1, suffix="%").without_empty()
        layers = Layers(
            codes=tuple(codes),
            vertices=tuple(vertices),
            kinds=tuple(kinds),
            colours=classes.colours(palette, OTHER_COLOUR),
            legend=classes.legend(palette),
            legend_title=labels.icb_legend_title(what, classes.size),
            outline=outline,
            extent=_extent(outline),
            names=False,
            edge=0.5,
            key=numbered,
        )
        shares = {c: float(v) for c, v in zip(codes, values, strict=True)}  # as printed: ties tie
        top, bottom = _ends(shares, highest=True), _ends(shares, highest=False)
        text = labels.icb_map(
            what,
            reference.vintage,
            classes,
            [(names[c].short_name, by_code[c].value) for c in top],
            [(names[c].short_name, by_code[c].value) for c in bottom],
        )
        maps[key], fig = draw_map(
            f"map_icb_{key}",
            layers,
            text,
            [by_code[c] for c in top + bottom],
            shapes=shapes,
            folder=folder,
            fig=fig,
        )
    return Maps(core20=maps["core20"], rural=maps["rural"])


def _values_by_code(figures: Spread, codes: Sequence[str]) -> Iterator[tuple[str, Measure]]:
    """(ICB code, Measure) pairs from the England edition's variation figures (their keys end in
    the code)."""
    for _, measure in figures.by_organisation:
        code = measure.key.rsplit(".", 1)[-1]
        if code in codes:
            yield code, measure


def _unit(org: Organisation) -> str:
    """What the areas of a map of rates are: ICBs on England's, else neighbourhoods."""
    return "ICB" if org.kind == "england" else "neighbourhood"


def activity_layers(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    activity: MappedActivity,
) -> Layers:
    """Areas coloured by the crude rate of an activity measure (LSOAs; ICBs for England).

    Rates are per 1,000 residents a year, computed from each area's published count (under
    ``activity.rule``) and classed as printed, to one decimal, in up to five classes of about
    equal numbers of areas (:func:`~hi_reports.indicators.classes.quantile_breaks`). An area with a
    suppressed count has no rate: it is grey and in no class. Under a safe rule the breaks are put
    on a coarse grid (:func:`~hi_reports.indicators.disclosure.coarse_breaks`), so no break is one
    area's exact rate; a class left empty by that is merged into its neighbour. The layers'
    ``classes`` (:class:`~hi_reports.indicators.classes.Classes`) give the fills, the legend, the
    caption and the alt text.
    """
    return _rate_layers(org, reference, shapes, weights, activity)[0]


def _rate_layers(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    activity: MappedActivity,
) -> tuple[Layers, Classes]:
    """:func:`activity_layers`, and the classes of their areas."""
    rule = activity.rule
    lsoas = reference.lsoas
    all_events = activity.events.reindex(lsoas.index, fill_value=0).to_numpy(dtype=float)
    population = lsoas["population"].to_numpy(dtype=float)
    key: Key | None = None
    districts: tuple[tuple[str, str, Any], ...] = ()
    if org.kind == "england":
        codes = sorted(shapes.icb)
        groups = lsoas["icb_code"].to_numpy()
        area_events = pd.Series(all_events).groupby(groups).sum().reindex(codes).to_numpy()
        area_people = pd.Series(population).groupby(groups).sum().reindex(codes).to_numpy()
        geometries = np.asarray([shapes.icb[c] for c in codes], dtype=object)
        outline = union_tiles(geometries)
        vertex_list, kind_list = geometry_rings(geometries)
        vertices, kinds = tuple(vertex_list), tuple(kind_list)
        icbs = {o.key: o for o in organisations(reference, "icb")}
        key = icb_key(reference, shapes, codes, icbs)
    else:
        positions, _ = map_positions(reference, shapes, weights, org)
        area = area_shapes(shapes, positions)
        codes = [str(c) for c in shapes.codes[positions]]
        area_events, area_people = all_events[positions], population[positions]
        outline, districts = area.outline, area.districts
        vertices, kinds = _lsoa_rings(shapes, positions)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = printed(rule.publish(area_events) / (area_people * activity.years) * 1000, 1)
    breaks = quantile_breaks(rates)
    if rule.safe and breaks:
        breaks = coarse_breaks(breaks)
    classes = Classes.of(rates, breaks, digits=1).without_empty()
    legend = classes.legend(REDS)
    if rule.small_max:
        legend = (*legend, (labels.suppressed_row(rule.small_max), SUPPRESSED_COLOUR))
    layers = Layers(
        codes=tuple(codes),
        vertices=vertices,
        kinds=kinds,
        colours=classes.colours(REDS, SUPPRESSED_COLOUR),
        legend=legend,
        legend_title=labels.RATE_LEGEND_TITLE,
        outline=outline,
        districts=districts,
        extent=_extent(outline),
        names=org.kind != "england",
        edge=0.5 if org.kind == "england" else 0.15,
        key=key,
        classes=classes,
    )
    return layers, classes


def activity_map(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    activity: MappedActivity,
    folder: Path,
) -> Map | None:
    """Draw the map of crude rates of an activity measure (see :func:`activity_layers`).

    Its legend, title and alt text are written from the map's one classification: the alt text
    counts the areas of each class, the title states the lower limit of the highest class as
    printed ("151.4 or more"; a class of one value, that value), and says how many areas are
    suppressed.

    A specialist trust, to which no neighbourhood sends :data:`CATCHMENT_CORE` of its
    admitted patients, has no map: as for its maps of deprivation (:func:`organisation_maps`),
    there is no core of the catchment to draw.

    Parameters
    ----------
    org
        The organisation mapped (England: its ICBs).
    reference, shapes
        The reference data and its LSOA shapes.
    weights
        The weights of the organisations of ``org.kind`` (:func:`hi_reports.geography.membership`).
    activity
        The measure, its events by LSOA and the disclosure rule.
    folder
        The project's ``figures/`` folder.

    Returns
    -------
    Map or None
        The map written to ``folder``; None for a trust with no core to its catchment.
    """
    if org.kind != "england" and not len(map_positions(reference, shapes, weights, org)[0]):
        return None
    layers, classes = _rate_layers(org, reference, shapes, weights, activity)
    unit, rule, slug = _unit(org), activity.rule, activity.slug
    source = labels.activity_source(activity.measure, activity.synthetic)
    sources = f"{source}; {reference.vintage.sources.population}"
    hidden = Measure(
        f"maps.activity.{slug}.suppressed",
        float(len(layers.codes) - classes.classed),
        "count",
        labels.suppressed_areas(unit, rule.small_max),
        source,
    )
    measures = [hidden]
    if classes.size:
        measures = [
            Measure(
                f"maps.activity.{slug}.top_class",
                classes.breaks[-2],
                "number",
                labels.top_class(activity.measure, unit),
                sources,
            ),
            hidden,
            Measure(
                f"maps.activity.{slug}.top_class_areas",
                float(classes.counts[-1]),
                "count",
                labels.top_class_areas(unit),
                sources,
            ),
        ]
    text = labels.rate_map(
        activity.measure,
        place=org.short_name,
        unit=unit,
        classes=classes,
        legend=layers.legend,
        rule=rule,
        synthetic=activity.synthetic,
    )
    return draw_map(f"map_activity_{slug}", layers, text, measures, shapes=shapes, folder=folder)[0]
