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
from hi_reports.draw import labels
from hi_reports.draw.labels import Neighbourhoods
from hi_reports.draw.maps import Map, area_layers, draw_map, map_positions
from hi_reports.geography import Organisation
from hi_reports.geography.boundaries import Shapes, area_shapes
from hi_reports.indicators.chapters import CATCHMENT_CORE
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
        legend=(*classes.legend(COLOURS), (labels.NOT_CORE20, NOT_CORE20)),
        legend_title=labels.PLUS_LEGEND_TITLE,
    )
    trust = org.kind == "trust"
    drawn = Neighbourhoods(org.short_name, len(positions), trust, CATCHMENT_CORE)
    n_core = int(core20.sum())
    majority = int((core20 & (share >= 50)).sum())
    measures = (
        Measure(
            "maps.plus.core20_lsoas",
            float(n_core),
            "count",
            drawn.definition(labels.PLUS_CORE20_LSOAS),
            source,
        ),
        Measure(
            "maps.plus.majority_lsoas",
            float(majority),
            "count",
            drawn.definition(labels.PLUS_MAJORITY_LSOAS),
            source,
        ),
    )
    text = labels.plus_map(drawn, n_core, majority, classes)
    return draw_map("map_plus", layers, text, measures, shapes=shapes, folder=folder)[0]
