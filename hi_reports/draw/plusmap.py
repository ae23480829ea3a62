"""The map of the PLUS chapter: the Core20 neighbourhoods shaded by their share of ethnic
minority residents (the Mixed, Asian, Black and Other groups of Census 2021).

It draws the same neighbourhoods as the organisation's other maps (a trust's: those that send it
10% or more of their admitted patients), with the other neighbourhoods unshaded, so that a reader
sees which Core20 neighbourhoods have the most residents of the groups other than White. A share
is of the neighbourhood's census residents (no catchment weight: it describes the place). Classes
are fixed (:data:`BREAKS`), and no neighbourhood's share is printed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hi_reports.data import Reference
from hi_reports.draw.labels import MapText, Neighbourhoods
from hi_reports.draw.maps import CATCHMENT_MIN_SHARE, Map, area_layers, draw_map, map_positions
from hi_reports.formatting import count, percent
from hi_reports.geography import Organisation
from hi_reports.geography.boundaries import Shapes, area_shapes
from hi_reports.indicators.classes import Classes
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import MINORITY, TOTAL

#: Classes of a neighbourhood's share of residents of the Mixed, Asian, Black or Other groups, in
#: percent: three, with a strong break at half, which the title counts.
BREAKS = (0, 25, 50, 100)
#: Light, mid and dark blue (ColorBrewer Blues): even the lightest stands apart from the unshaded
#: neighbourhoods that are not Core20 (the other maps' light grey would be mistaken for it).
COLOURS = ("#C6DBEF", "#4292C6", "#08306B")
NOT_CORE20 = "#FFFFFF"
LEGEND_TITLE = (
    "Core20 neighbourhoods: share of residents of the Mixed, Asian, Black or Other groups"
)


def plus_map(
    org: Organisation,
    reference: Reference,
    shapes: Shapes,
    *,
    residents: pd.DataFrame,
    weights: pd.DataFrame,
    folder: Path,
    source: str,
) -> Map | None:
    """Draw the map of Core20 neighbourhoods by their share of ethnic minority residents.

    Parameters
    ----------
    org
        The organisation (not England, whose neighbourhoods are too small to map).
    reference, shapes
        The reference data and its LSOA shapes.
    residents
        Census residents by LSOA and ethnic group, indexed like ``reference.lsoas``, with
        :data:`~hi_reports.indicators.plus.TOTAL`.
    weights
        The weights of the organisations of ``org.kind``.
    folder
        The project's ``figures/`` folder.
    source
        The sources of the map's numbers, for the annex.

    Returns
    -------
    Map or None
        None when there is nothing to map: no neighbourhood drawn (a specialist trust) or no
        Core20 neighbourhood among them.
    """
    positions, _ = map_positions(reference, shapes, weights, org)
    if not len(positions):
        return None
    codes = shapes.codes[positions]
    core20 = reference.lsoas["imd_quintile"].reindex(codes).to_numpy() == 1
    if not core20.any():
        return None
    people = residents.reindex(codes)
    total = people[TOTAL].to_numpy(dtype=float)
    minority = people[list(MINORITY)].sum(axis=1).to_numpy(dtype=float)
    share = np.divide(minority, total, out=np.zeros_like(total), where=total > 0) * 100
    classes = Classes.of(np.where(core20, share, np.nan), BREAKS, digits=0, suffix="%")
    area = area_shapes(shapes, positions)
    layers = area_layers(
        shapes,
        area,
        positions,
        colours=classes.colours(COLOURS, NOT_CORE20),
        legend=(*classes.legend(COLOURS), ("Not Core20", NOT_CORE20)),
        legend_title=LEGEND_TITLE,
    )
    trust = org.kind == "trust"
    drawn = Neighbourhoods(org.short_name, len(positions), trust, CATCHMENT_MIN_SHARE)
    n_core = int(core20.sum())
    majority = int((core20 & (share >= 50)).sum())
    measures = (
        Measure(
            "maps.plus.core20_lsoas",
            float(n_core),
            "count",
            drawn.definition("Core20 LSOAs drawn on the PLUS map"),
            source,
        ),
        Measure(
            "maps.plus.majority_lsoas",
            float(majority),
            "count",
            drawn.definition(
                "Core20 LSOAs where half or more of the census residents are of the Mixed, Asian, "
                "Black or Other ethnic groups"
            ),
            source,
        ),
    )
    text = _words(drawn, n_core, majority, classes)
    return draw_map("map_plus", layers, text, measures, shapes=shapes, folder=folder)[0]


def _words(drawn: Neighbourhoods, core: int, majority: int, classes: Classes) -> MapText:
    """The title, note and alt text of the map."""
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
