"""Maps of an edition: where deprivation and rurality lie inside the organisation.

Each map is planned here as :class:`~hi_reports.draw.mapdraw.Layers` (the areas drawn, in
order, with their fill colours, the legend, local-authority borders and names, and the outline)
from the reference data and the shapes of :mod:`hi_reports.geography.boundaries`, then drawn by
:mod:`hi_reports.draw.mapdraw` with matplotlib collections.

Every map has a title stating its finding, a scale bar, ONS's attribution with the boundaries'
year, and alt text written from its data; its numbers go to the annex like a chart's.

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

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hi_reports.data import Reference
from hi_reports.draw.mapdraw import (
    Key,
    Layers,
    figure,
    geometry_rings,
    recolour,
    save,
    scale_bar_km,
)
from hi_reports.formatting import count, in_sentence, join_words, percent
from hi_reports.geography import Organisation, organisations
from hi_reports.geography.boundaries import AreaShapes, Shapes, area_shapes, union_tiles
from hi_reports.indicators.classes import Classes, printed, quantile_breaks
from hi_reports.indicators.disclosure import Disclosure, coarse_breaks
from hi_reports.indicators.measure import Measure

__all__ = [
    "ATTRIBUTION",
    "CATCHMENT_MIN_SHARE",
    "DECILE_COLOURS",
    "Key",
    "Layers",
    "Map",
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

#: ONS's attribution for its boundaries; ``{year}`` is the boundary release's.
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right {year}"
)
#: Trust maps draw the LSOAs that send at least this share of their admitted patients to the trust.
CATCHMENT_MIN_SHARE = 0.10

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


def rural_groups(reference: Reference) -> list[tuple[str, tuple[str, ...], str]]:
    """The vintage's RUC groups with their colours: label, class codes, colour."""
    groups = reference.vintage.rural_groups
    return [
        (label, codes, colour) for (label, codes), colour in zip(groups, RURAL_COLOURS[len(groups)])
    ]


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


def attribution(shapes: Shapes) -> str:
    """ONS's attribution for the boundaries of ``shapes``."""
    return ATTRIBUTION.format(year=shapes.year)


def map_positions(
    reference: Reference, shapes: Shapes, weights: pd.DataFrame, org: Organisation
) -> tuple[np.ndarray, pd.Series]:
    """Positions (in ``shapes``) of the LSOAs an organisation's maps draw, and their weights.

    All the member LSOAs of an ICB, sub-ICB or local authority; for a trust, the LSOAs that send
    at least :data:`CATCHMENT_MIN_SHARE` of their admitted patients to it.
    """
    key = reference.lsoas.index.name
    mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)]
    if org.kind == "trust":
        mine = mine[mine["weight"] >= CATCHMENT_MIN_SHARE]
    codes = np.sort(mine[key].to_numpy())
    return shapes.positions(codes), mine.set_index(key)["weight"].reindex(codes)


def _area_layers(
    shapes: Shapes,
    area: AreaShapes,
    positions: np.ndarray,
    colours: Sequence[str],
    legend: Sequence[tuple[str, str]],
    legend_title: str,
    **extra: Any,
) -> Layers:
    vertices, kinds = (
        zip(*(shapes.rings(int(p)) for p in positions)) if len(positions) else ((), ())
    )
    return Layers(
        codes=tuple(shapes.codes[positions]),
        vertices=tuple(vertices),
        kinds=tuple(kinds),
        colours=tuple(colours),
        legend=tuple(legend),
        legend_title=legend_title,
        outline=area.outline,
        districts=area.districts,
        extent=_extent(area.outline),
        **extra,
    )


def _extent(outline: Any, pad: float = 0.03) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = outline.bounds
    dx, dy = (xmax - xmin) * pad, (ymax - ymin) * pad
    return xmin - dx, ymin - dy, xmax + dx, ymax + dy


def decile_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """LSOAs coloured by national IMD decile (decile 1 darkest)."""
    deciles = reference.lsoas["imd_decile"].to_numpy()[area.positions]
    return _area_layers(
        shapes,
        area,
        area.positions,
        [DECILE_COLOURS[int(d) - 1] for d in deciles],
        [
            (
                f"{d}{' most deprived' if d == 1 else ' least deprived' if d == 10 else ''}",
                DECILE_COLOURS[d - 1],
            )
            for d in range(1, 11)
        ],
        f"National {reference.vintage.imd} decile\n1 = most deprived 10% in England",
    )


def core20_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """Core20 LSOAs (national IMD deciles 1-2) dark, the others light."""
    core20 = reference.lsoas["imd_decile"].to_numpy()[area.positions] <= 2
    return _area_layers(
        shapes,
        area,
        area.positions,
        np.where(core20, CORE20_COLOUR, OTHER_COLOUR),
        [("Core20: national deciles 1-2", CORE20_COLOUR), ("Other neighbourhoods", OTHER_COLOUR)],
        "Core20: England's most\ndeprived 20% of LSOAs",
    )


def rural_layers(reference: Reference, shapes: Shapes, area: AreaShapes) -> Layers:
    """LSOAs coloured by their RUC group, from the most urban (light) to the most rural (dark)."""
    groups = rural_groups(reference)
    group = {code: colour for _, codes, colour in groups for code in codes}
    classes = reference.lsoas["ruc_code"].to_numpy()[area.positions]
    return _area_layers(
        shapes,
        area,
        area.positions,
        [group[c] for c in classes],
        [(label, colour) for label, _, colour in groups],
        reference.vintage.ruc,
    )


def _draw(
    layers: Layers,
    name: str,
    title: str,
    note: str,
    alt: str,
    measures: Sequence[Measure],
    folder: Path,
    fig: Any = None,
) -> tuple[Map, Any]:
    """Draw ``layers`` (on ``fig``, recoloured, when given) and write the PNG; return the map and figure."""
    fig = figure(layers) if fig is None else recolour(fig, layers)
    save(fig, folder, name)
    return Map(name, title, note, alt, tuple(measures), layers.codes), fig


def _note(shapes: Shapes, layers: Layers, what: str) -> str:
    return f"{what} {_scale(layers)} {attribution(shapes)}"


def _scale(layers: Layers) -> str:
    """The scale bars' lengths: "Scale: the bar is 100 km (British National Grid)." and the inset's."""
    km = scale_bar_km(layers.extent[2] - layers.extent[0])
    key = layers.key
    if key is None or not key.inset:
        return f"Scale: the bar is {km} km (British National Grid)."
    xmin, _, xmax, _ = key.inset_outline.bounds
    return (
        f"Scale: the bar is {km} km, in the {key.inset_title} inset {scale_bar_km((xmax - xmin) * 1.08)} km "
        "(British National Grid)."
    )


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
    import shapely

    lsoas = reference.lsoas
    london_share = lsoas["lad_code"].str.startswith("E09").groupby(lsoas["icb_code"]).mean()
    points = {}
    for code in codes:
        shape = shapes.icb[code]
        part = max(shapely.get_parts(shape), key=lambda g: g.area)
        # The pole of inaccessibility: the number sits well inside the ICB, not on a border.
        point = shapely.ops.polylabel(part, tolerance=500.0)
        points[code] = (point.x, point.y)
    order = sorted(codes, key=lambda c: (-round(points[c][1], -3), points[c][0]))
    london = tuple(c for c in order if london_share.get(c, 0.0) == 1.0)
    return Key(
        codes=tuple(order),
        names=tuple(names[c].short_name for c in order),
        points=tuple(points[c] for c in order),
        inset=london,
        inset_title="London",
        inset_outline=union_tiles(np.asarray([shapes.icb[c] for c in london], dtype=object))
        if london
        else None,
    )


def _by_district(reference: Reference, area: AreaShapes, flag: np.ndarray) -> str:
    """'Birmingham 326 of 639, Solihull 18 of 134': flagged LSOAs of each district."""
    lad = reference.lsoas["lad_code"].to_numpy()[area.positions]
    parts = []
    for code, name, _ in sorted(area.districts, key=lambda d: d[1]):
        mine = lad == code
        parts.append(f"{name} {count(flag[mine].sum())} of {count(mine.sum())}")
    return ", ".join(parts)


def organisation_maps(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    folder: Path,
) -> dict[str, Map | None]:
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
    dict
        ``deciles``, ``core20``, ``rural`` and ``catchment`` (None but for trusts).
    """
    positions, _ = map_positions(reference, shapes, weights, org)
    if not len(positions):
        # A specialist trust: no neighbourhood sends it 10% of its admitted patients, so there is no
        # core to map by deprivation or rurality; the catchment map shows where its patients live.
        empty: dict[str, Map | None] = {
            "deciles": None,
            "core20": None,
            "rural": None,
            "catchment": None,
        }
        if org.kind == "trust":
            empty["catchment"] = catchment_map(org, reference, shapes, weights, None, folder)
        return empty
    area = area_shapes(shapes, positions)
    lsoas = reference.lsoas
    n = len(positions)
    name = org.short_name
    trust = org.kind == "trust"
    where = (
        (
            f" Neighbourhoods (LSOAs) sending at least {percent(CATCHMENT_MIN_SHARE, 0)} of their admitted "
            "patients to the trust."
        )
        if trust
        else ""
    )
    # A trust's maps show the core of its catchment, not all of it: say so in every count.
    core = (
        f" that send the trust {percent(CATCHMENT_MIN_SHARE, 0)} or more of their admitted patients"
    )
    scope = f"neighbourhoods{core}" if trust else "neighbourhoods"
    # what the alt text says the map shows: "the 773 neighbourhoods (LSOAs) of NAME", or for a
    # trust "the 375 neighbourhoods (LSOAs) that send NAME 10% or more of their admitted patients"
    lsoas_word = "LSOAs" if n != 1 else "LSOA"
    if trust:
        sends = "send" if n != 1 else "sends"
        of_area = (
            f"{'the one neighbourhood' if n == 1 else f'the {count(n)} neighbourhoods'} ({lsoas_word}) "
            f"that {sends} {name} {percent(CATCHMENT_MIN_SHARE, 0)} or more of their admitted patients"
        )
    else:
        of_area = f"{'the one neighbourhood' if n == 1 else f'the {count(n)} neighbourhoods'} ({lsoas_word}) of {name}"
    v = reference.vintage
    src = f"{v.sources.imd}; {v.sources.lookup}"
    ruc_src = f"{v.sources.ruc}; {v.sources.lookup}"

    def lsoa_count(key: str, value: float, definition: str, source: str = src) -> Measure:
        return Measure(
            f"maps.{key}",
            float(value),
            "count",
            definition + (where and " (catchment LSOAs with a share of 10% or more)"),
            source,
        )

    total = lsoa_count("lsoas", n, "LSOAs drawn on the maps")
    deciles = lsoas["imd_decile"].to_numpy()[positions].astype(int)
    per_decile = np.bincount(deciles, minlength=11)[1:]
    by_decile = [
        lsoa_count(f"decile_{d}_lsoas", c, f"LSOAs in national IMD decile {d}")
        for d, c in enumerate(per_decile, start=1)
    ]
    first = by_decile[0]
    maps: dict[str, Map | None] = {"catchment": None}

    layers = decile_layers(reference, shapes, area)
    if n == 1:
        title = f"The area's one neighbourhood is in national IMD decile {deciles[0]}"
    elif per_decile[0]:
        title = f"{count(first.value)} of the {count(n)} {scope} are among the 10% most deprived in England"
    else:
        title = (
            f"None of the {count(n)} {scope} is among the 10% most deprived in England; "
            f"the most deprived are in decile {deciles.min()}"
        )
    alt = (
        f"Map of {of_area}, each coloured by its national {v.imd} decile, "
        "from decile 1 (most deprived, darkest) to decile 10, with local-authority borders. Neighbourhoods "
        "per decile: "
        + "; ".join(f"decile {d}: {count(c)}" for d, c in enumerate(per_decile, start=1))
        + ". In deciles 1 and 2, by local authority: "
        + _by_district(reference, area, deciles <= 2)
        + "."
    )
    maps["deciles"], fig = _draw(
        layers,
        "map_imd_deciles",
        title,
        _note(shapes, layers, f"National {v.imd} decile of each neighbourhood.{where}"),
        alt,
        (total, *by_decile),
        folder,
    )

    core20 = deciles <= 2
    core = lsoa_count("core20_lsoas", core20.sum(), "LSOAs in national IMD deciles 1-2 (Core20)")
    layers = core20_layers(reference, shapes, area)
    core_share = Measure(
        "maps.core20_lsoa_share",
        float(core20.mean()) if n else float("nan"),
        "share",
        "Share of the LSOAs drawn that are in national IMD deciles 1-2 (Core20)",
        src,
    )
    title = (
        f"{count(core.value)} of the {count(n)} {scope} ({percent(core_share.value)}) are Core20, "
        "England's most deprived 20%"
    )
    if n > 1 and not core.value:
        title = f"None of the {count(n)} {scope} is Core20, among England's most deprived 20%"
    if n == 1:
        title = f"The area's one neighbourhood is {'' if core20[0] else 'not '}in England's most deprived 20% (Core20)"
    alt = (
        f"Map of {of_area}, with {count(core.value)} Core20 neighbourhood{'s' if core.value != 1 else ''} "
        "(national IMD deciles 1 and 2) shaded dark blue and the others light grey. Core20 neighbourhoods "
        "by local authority: " + _by_district(reference, area, core20) + "."
    )
    maps["core20"], fig = _draw(
        layers,
        "map_imd_core20",
        title,
        _note(shapes, layers, f"Core20 neighbourhoods: national {v.imd} deciles 1 and 2.{where}"),
        alt,
        (total, core, core_share),
        folder,
        fig,
    )

    classes = lsoas["ruc_code"].to_numpy()[positions]
    rural = lsoas["urban_rural"].to_numpy()[positions] == "Rural"
    rural_n = lsoa_count(
        "rural_lsoas",
        rural.sum(),
        f"LSOAs classed as rural ({v.ruc_short} {v.codes('Rural')})",
        ruc_src,
    )
    groups_of = rural_groups(reference)
    layers = rural_layers(reference, shapes, area)
    title = (
        f"{count(rural_n.value)} of the {count(n)} {scope} are rural"
        if rural.any()
        else f"All {count(n)} {scope} are urban"
    )
    if n == 1:
        title = f"The area's one neighbourhood is {'rural' if rural[0] else 'urban'}"
    group_counts = [
        lsoa_count(
            f"ruc_group_{i}_lsoas",
            np.isin(classes, codes).sum(),
            f"LSOAs of {v.ruc_short} classes {', '.join(codes)}",
            ruc_src,
        )
        for i, (_, codes, _) in enumerate(groups_of, start=1)
    ]
    groups = "; ".join(
        f"{label.split(' (')[0].lower()}: {count(m.value)}"
        for (label, _, _), m in zip(groups_of, group_counts)
    )
    alt = (
        f"Map of {of_area}, each coloured by its {v.ruc} group, "
        f"from {groups_of[0][0].split(' (')[0].lower()} (lightest) to {groups_of[-1][0].split(' (')[0].lower()} "
        f"(darkest): {groups}. Rural "
        "neighbourhoods by local authority: " + _by_district(reference, area, rural) + "."
    )
    maps["rural"], fig = _draw(
        layers,
        "map_rural",
        title,
        _note(
            shapes,
            layers,
            f"{v.ruc} of each neighbourhood, its classes in {len(groups_of)} groups.{where}",
        ),
        alt,
        (total, rural_n, *group_counts),
        folder,
        fig,
    )
    if trust:
        maps["catchment"] = catchment_map(org, reference, shapes, weights, area, folder)
    return maps


#: Classes of a trust's share of a neighbourhood's admitted patients, in percent.
CATCHMENT_BREAKS = (0, 10, 25, 50, 75, 100)


def catchment_map(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
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
    key = reference.lsoas.index.name
    mine = weights[(weights["org"] == org.key) & (weights["weight"] > 0)].sort_values(key)
    positions = shapes.positions(mine[key].to_numpy())
    share = mine["weight"].to_numpy(dtype=float)
    framed = core is not None
    if core is None:
        core = area_shapes(shapes, positions)
    classes = Classes.of(share * 100, CATCHMENT_BREAKS, digits=0, suffix="%")
    legend = classes.legend(BLUES)
    layers = _area_layers(
        shapes,
        core,
        positions,
        classes.colours(BLUES, OTHER_COLOUR),
        legend,
        "Share of the neighbourhood's\nadmitted patients who go\nto the trust",
    )
    source = reference.vintage.sources.catchment

    def from_share(least: float) -> float:
        return float(sum(n for lower, n in zip(classes.breaks, classes.counts) if lower >= least))

    half = Measure(
        "maps.catchment.half_lsoas",
        from_share(50),
        "count",
        "LSOAs sending half or more of their admitted patients to the trust",
        source,
    )
    tenth = Measure(
        "maps.catchment.core_lsoas",
        from_share(CATCHMENT_MIN_SHARE * 100),
        "count",
        "LSOAs sending 10% or more of their admitted patients to the trust",
        source,
    )
    if framed:
        title = (
            f"{count(tenth.value)} neighbourhood{'s' if tenth.value != 1 else ''} send at least 10% of "
            f"their admitted patients to the trust"
            + (f", {count(half.value)} at least half" if half.value else ", none as much as half")
        )
        outline = "with the outline of the neighbourhoods sending 10% or more"
        where = "The map shows the neighbourhoods around the outline; a few far-off ones are off the map."
    else:
        title = (
            f"No neighbourhood sends 10% of its admitted patients to the trust: its "
            f"{count(len(share))} neighbourhoods each send it a small share"
        )
        outline = "framed on all of them, as no neighbourhood sends 10% or more"
        where = "The map frames every neighbourhood with patients admitted to the trust."
    alt = (
        f"Map of the catchment of {org.name}: each of the {count(len(share))} neighbourhoods (LSOAs) with "
        f"patients admitted to the trust shaded by the trust's share of them, darker for larger shares, {outline}. "
        "Neighbourhoods per class: "
        + "; ".join(f"{label}: {count(n)}" for (label, _), n in zip(legend, classes.counts))
        + "."
    )
    return _draw(
        layers,
        "map_catchment",
        title,
        _note(
            shapes,
            layers,
            f"Catchment year 2019, all admissions; an LSOA takes its MSOA's share. {where}",
        ),
        alt,
        (tenth, half),
        folder,
    )[0]


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
    variation: dict[str, Any],
    names: dict[str, Organisation],
    folder: Path,
) -> dict[str, Map | None]:
    """The England edition's maps: Core20 share and rural share of each ICB (not 32,844 LSOAs)."""
    codes = sorted(shapes.icb)
    geometries = [shapes.icb[c] for c in codes]
    vertices, kinds = geometry_rings(geometries)
    outline = union_tiles(np.asarray(geometries, dtype=object))
    area = AreaShapes(positions=np.array([], dtype=np.int64), outline=outline, districts=())
    maps: dict[str, Map | None] = {"deciles": None, "catchment": None}
    numbered = icb_key(reference, shapes, codes, names)
    fig = None
    for key, what, palette in (("core20", "Core20 share", BLUES), ("rural", "rural share", GREENS)):
        figures = variation[key]
        by_code = dict(_values_by_code(figures, names, codes))
        # Classed as printed (percent to one decimal), from the lowest share to the highest.
        values = printed(np.array([by_code[c].value for c in codes]) * 100, 1)
        breaks = quantile_breaks(values)
        classes = Classes.of(values, breaks, digits=1, suffix="%").without_empty()
        legend = classes.legend(palette)
        layers = Layers(
            codes=tuple(codes),
            vertices=tuple(vertices),
            kinds=tuple(kinds),
            colours=classes.colours(palette, OTHER_COLOUR),
            legend=tuple(legend),
            legend_title=f"{what.capitalize()} of residents\n({classes.size} classes of ICBs)",
            outline=outline,
            districts=area.districts,
            extent=_extent(outline),
            names=False,
            edge=0.5,
            key=numbered,
        )
        shares = {c: float(v) for c, v in zip(codes, values)}  # as printed: ties are ties
        top, bottom = _ends(shares, highest=True), _ends(shares, highest=False)
        title = (
            f"The {what}s are highest in "
            + join_words([names[c].short_name for c in top])
            + " ICBs"
        )
        if len(top) > 3:
            title = f"{len(top)} ICBs share the highest {what}s"

        def listed(chosen: list[str]) -> str:
            return ", ".join(f"{names[c].short_name} {percent(by_code[c].value)}" for c in chosen)

        alt = (
            f"Map of England's {len(codes)} Integrated Care Boards shaded by {what}, darker for higher "
            f"shares, in {classes.size} classes: "
            + "; ".join(
                f"{label}: {n} ICB{'s' if n != 1 else ''}"
                for label, n in zip(classes.labels, classes.counts)
            )
            + f". Highest: {listed(top)}. Lowest: {listed(bottom)}."
        )
        note = (
            f"ICB outlines dissolved from the LSOAs through the ONS lookup ({reference.vintage.organisations_when}). "
            f"{_scale(layers)} {attribution(shapes)}"
        )
        maps[key], fig = _draw(
            layers,
            f"map_icb_{key}",
            title,
            note,
            alt,
            tuple(by_code[c] for c in top + bottom),
            folder,
            fig,
        )
    return maps


def _values_by_code(figures: dict[str, Any], names: dict[str, Organisation], codes: Sequence[str]):
    """(ICB code, Measure) pairs from the England edition's variation figures (keys end in the code)."""
    for _, measure in figures["values"]:
        code = measure.key.rsplit(".", 1)[-1]
        if code in codes:
            yield code, measure


def activity_layers(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    events: pd.Series,
    years: float,
    small: int | Disclosure,
) -> Layers:
    """Areas coloured by the crude rate of an activity measure (LSOAs; ICBs for England).

    Rates are per 1,000 residents a year, computed from each area's published count (``small`` is
    the disclosure rule, or for compatibility the largest suppressed count with the default
    rounding) and classed as printed, to one decimal, in up to five classes of about equal numbers
    of areas (:func:`~hi_reports.indicators.classes.quantile_breaks`). An area with a suppressed
    count has no rate: it is grey and in no class. Under a safe rule the breaks are put on a
    coarse grid (:func:`~hi_reports.indicators.disclosure.coarse_breaks`), so no break is one
    area's exact rate; a class left empty by that is merged into its neighbour. ``extra`` holds
    ``classes`` (:class:`~hi_reports.indicators.classes.Classes`, from which the fills, the legend,
    the caption and the alt text all come), ``unit`` (``neighbourhood`` or ``ICB``) and ``rule``.
    """
    rule = small if isinstance(small, Disclosure) else Disclosure(small_max=small)
    lsoas = reference.lsoas
    all_events = events.reindex(lsoas.index, fill_value=0).to_numpy(dtype=float)
    population = lsoas["population"].to_numpy(dtype=float)
    if org.kind == "england":
        codes = sorted(shapes.icb)
        groups = lsoas["icb_code"]
        area_events = (
            pd.Series(all_events, index=lsoas.index)
            .groupby(groups.to_numpy())
            .sum()
            .reindex(codes)
            .to_numpy()
        )
        area_people = (
            pd.Series(population, index=lsoas.index)
            .groupby(groups.to_numpy())
            .sum()
            .reindex(codes)
            .to_numpy()
        )
        geometries = np.asarray([shapes.icb[c] for c in codes], dtype=object)
        outline = union_tiles(geometries)
        vertex_list, kind_list = geometry_rings(geometries)
        districts: tuple = ()
        unit = "ICB"
        key: Key | None = icb_key(
            reference, shapes, codes, {o.key: o for o in organisations(reference, "icb")}
        )
    else:
        positions, _ = map_positions(reference, shapes, weights, org)
        area = area_shapes(shapes, positions)
        codes = list(shapes.codes[positions])
        area_events, area_people = all_events[positions], population[positions]
        outline, districts = area.outline, area.districts
        vertex_list, kind_list = zip(*(shapes.rings(int(p)) for p in positions))
        unit = "neighbourhood"
        key = None
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = printed(rule.publish(area_events) / (area_people * years) * 1000, 1)
    breaks = quantile_breaks(rates)
    if rule.safe and breaks:
        breaks = coarse_breaks(breaks)
    classes = Classes.of(rates, breaks, digits=1).without_empty()
    legend = classes.legend(REDS)
    if rule.small_max:
        legend = (*legend, (f"1 to {rule.small_max} events: suppressed", SUPPRESSED_COLOUR))
    return Layers(
        codes=tuple(codes),
        vertices=tuple(vertex_list),
        kinds=tuple(kind_list),
        colours=classes.colours(REDS, SUPPRESSED_COLOUR),
        legend=legend,
        legend_title="Crude rate per 1,000\nresidents a year",
        outline=outline,
        districts=districts,
        extent=_extent(outline),
        names=org.kind != "england",
        edge=0.5 if org.kind == "england" else 0.15,
        key=key,
        extra={"classes": classes, "unit": unit, "rule": rule},
    )


def _activity_title(classes: Classes, unit: str, lower: str, small_max: int) -> str:
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
        text = f"the {unit}{' shown' if hidden else ''} with the highest crude rate has {classes.at_least}{per}"
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


def activity_map(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    weights: pd.DataFrame,
    events: pd.Series,
    years: float,
    slug: str,
    measure: str,
    synthetic: bool,
    folder: Path,
    small: int | Disclosure,
) -> Map:
    """Draw the map of crude rates of an activity measure (see :func:`activity_layers`).

    Its legend, title and alt text are written from the map's one classification: the alt text
    counts the areas of each class, the title states the lower limit of the highest class as
    printed ("151.4 or more"; a class of one value, that value), and says how many areas are
    suppressed.

    Parameters
    ----------
    events
        Events by LSOA code over the whole period (all of England).
    years
        Length of the period in years: rates are per 1,000 residents a year.
    slug, measure
        The measure's file-name stem and name.
    synthetic
        Demonstration data: the title and caption say so.
    small
        The disclosure rule (or the largest suppressed count): see :func:`activity_layers`.
    """
    layers = activity_layers(org, reference, shapes, weights, events, years, small)
    classes: Classes = layers.extra["classes"]
    unit: str = layers.extra["unit"]
    rule: Disclosure = layers.extra["rule"]
    codes = layers.codes
    hidden_n = len(codes) - classes.classed
    prefix = ("SYNTHETIC DATA: " if synthetic else "") + (f"{rule.mark}: " if not rule.safe else "")
    source = "Synthetic demonstration data" if synthetic else f"{measure}: activity data"
    sources = f"{source}; {reference.vintage.sources.population}"
    hidden = Measure(
        f"maps.activity.{slug}.suppressed",
        float(hidden_n),
        "count",
        f"{unit.capitalize()}s with 1 to {rule.small_max} events, not shown",
        source,
    )
    measures = [hidden]
    if classes.size:
        measures = [
            Measure(
                f"maps.activity.{slug}.top_class",
                classes.breaks[-2],
                "number",
                f"Lower limit of the highest class of crude rates of {in_sentence(measure)} per 1,000 residents "
                f"a year on the map, as printed: every {unit} of the class has this rate or more",
                sources,
            ),
            hidden,
            Measure(
                f"maps.activity.{slug}.top_class_areas",
                float(classes.counts[-1]),
                "count",
                f"{unit.capitalize()}s in the highest class of crude rates on the map",
                sources,
            ),
        ]
    title = (
        prefix
        + measure
        + ": "
        + _activity_title(classes, unit, in_sentence(measure), rule.small_max)
    )
    counts = [*classes.counts, hidden_n][: len(layers.legend)]
    how = (
        "in no class"
        if not classes.size
        else "in one class"
        if classes.size == 1
        else f"in {classes.size} classes, fifths of the {unit}s shown where ties and rounding allow"
    )
    areas = f"the one {unit}" if len(codes) == 1 else f"the {count(len(codes))} {unit}s"
    alt = (
        f"Map of crude rates of {in_sentence(measure)} per 1,000 residents a year in {areas} "
        f"of {org.short_name}, darker for higher rates, {how}: "
        + "; ".join(f"{label}: {count(n)}" for (label, _), n in zip(layers.legend, counts))
        + "."
        + (" Synthetic demonstration data, not real activity." if synthetic else "")
    )
    control = (
        f"Crude rates from counts rounded to {rule.round_to}; {unit}s with 1 to {rule.small_max} events are "
        "suppressed (shown grey), and class limits are put on a grid of round numbers (lower limits rounded "
        "down, the highest up)."
        if rule.safe
        else f"Crude rates from true counts: {rule.mark}."
    )
    note = (
        control
        + (" Synthetic demonstration data." if synthetic else "")
        + f" {_scale(layers)} "
        + attribution(shapes)
    )
    return _draw(layers, f"map_activity_{slug}", title, note, alt, tuple(measures), folder)[0]
