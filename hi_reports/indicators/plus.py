"""PLUS groups: who lives in the most deprived neighbourhoods, by broad ethnic group.

NHS England's Core20PLUS5 looks at the most deprived 20% of neighbourhoods (Core20: national IMD
deciles 1 and 2, quintile 1) and at PLUS groups chosen locally, ethnic minority communities first
among them. This module gives, for each of the five broad ethnic groups of Census 2021 (table
TS021), the organisation's residents of the group, the share of them living in each national IMD
quintile, and the ratio of their Core20 share to that of all the organisation's residents; with
the same for England and the parent ICB.

Every number here is from the census counts (21 March 2021), weighted by the organisation's
weights over LSOAs as the other chapters' residents are (a trust's catchment shares). The Core20
share of all residents is therefore the census one, which differs a little from the IMD chapter's
(mid-year estimates): a ratio compares like with like.

The residents of every organisation of a kind by group and quintile are computed together, with
its other profiles (:func:`hi_reports.indicators.profiles.ethnic_profiles`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hi_reports.geography import ENGLAND_CODE, Organisation
from hi_reports.indicators.chapters import share_of
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import QUINTILES, TOTAL
from hi_reports.indicators.record import Record

#: Fewer residents of a group than this in an organisation, and its shares are not printed: they
#: live in a handful of neighbourhoods, where ONS's perturbation of small census counts and a few
#: households moving shift a share by several points.
MIN_RESIDENTS = 1000

#: Short names of the groups, for a chart's labels.
SHORT_NAMES = {
    "total": "All residents",
    "white": "White",
    "mixed": "Mixed or Multiple",
    "asian": "Asian",
    "black": "Black",
    "other": "Other",
    "minority": "Mixed, Asian, Black or Other",
}


@dataclass(frozen=True)
class GroupFigures(Record):
    """One ethnic group (or all residents) in an organisation.

    Attributes
    ----------
    key, name, short
        The group's key (``asian``; ``total`` for all residents), its census name and a short
        name for a chart's labels (``Asian``).
    residents
        Census residents of the group (weighted for a trust's catchment).
    share_of_residents
        The group's share of all residents.
    stable
        Whether the group has :data:`MIN_RESIDENTS` or more residents, so its shares are printed.
    quintiles
        The share of the group's residents in each national IMD quintile, 1 (most deprived) to 5.
    core20
        The share in Core20 neighbourhoods (quintile 1).
    ratio
        ``core20`` divided by the Core20 share of all residents (1 for all residents).
    england_core20, england_ratio, parent_core20, parent_ratio
        The same in England and in the parent ICB (None in an ICB or England edition).
    """

    key: str
    name: str
    short: str
    residents: Measure
    share_of_residents: Measure
    stable: bool
    quintiles: tuple[Measure, ...]
    core20: Measure
    ratio: Measure
    england_core20: Measure
    england_ratio: Measure
    parent_core20: Measure | None = None
    parent_ratio: Measure | None = None


@dataclass(frozen=True)
class PlusFigures(Record):
    """The PLUS chapter's figures for one organisation.

    Attributes
    ----------
    all
        All residents (the census total): residents, quintile shares, Core20 share.
    groups
        The five broad ethnic groups, in the census order (White first).
    minority
        The four groups other than White, together.
    core20_minority
        The share of the residents of Core20 neighbourhoods who are of the four groups other than
        White (to set beside ``minority.share_of_residents``).
    has_core20
        Whether any resident lives in a Core20 neighbourhood.
    unstable
        The names of the groups with fewer than :data:`MIN_RESIDENTS` residents.
    single_quintile
        The national IMD quintile of every resident, when all live in one (a small area): then
        every group lives wholly there, however small, and the chapter says so.
    min_residents
        :data:`MIN_RESIDENTS`, as the chapter prints it.
    shared
        Census residents whose LSOAs 2021 were shared between LSOAs 2011 (vintage 2019), in
        England.
    """

    all: GroupFigures
    groups: tuple[GroupFigures, ...]
    minority: GroupFigures
    core20_minority: Measure
    has_core20: bool
    unstable: tuple[str, ...]
    single_quintile: int | None
    shared: Measure
    min_residents: Measure


def plus_figures(
    org: Organisation,
    table: pd.DataFrame,
    *,
    groups: Sequence[tuple[str, str]],
    parent: Organisation | None,
    source: str,
    shared: float,
    shared_source: str,
) -> PlusFigures:
    """The PLUS chapter's figures for ``org`` from its kind's ethnic profiles ``table``
    (:attr:`Profiles.ethnicity <hi_reports.indicators.profiles.Profiles.ethnicity>`).

    Parameters
    ----------
    org
        The organisation (a row of ``table``, as are England and ``parent``).
    table
        Residents by (group, quintile) of the organisation, England and the parent.
    groups
        The census groups: key and name, in the census order.
    parent
        The organisation's main parent ICB, or None.
    source
        The sources the numbers come from (the census table, the IMD, a trust's catchments).
    shared
        Census residents of England whose LSOAs were shared between LSOAs 2011 (0 on LSOA 2021).
    shared_source
        The sources of ``shared``.
    """
    me = org.key
    keys = list(dict.fromkeys(str(k) for k in table.columns.get_level_values(0)))
    cube = table.to_numpy(dtype=float).reshape(len(table), len(keys), len(QUINTILES))
    rows = {str(code): i for i, code in enumerate(table.index)}

    def by_quintile(key: str, row: str) -> np.ndarray:
        """Residents of group ``key`` in organisation ``row``, by quintile 1-5."""
        return np.asarray(cube[rows[row], keys.index(key)], dtype=float)

    def core20_share(key: str, row: str) -> float:
        values = by_quintile(key, row)
        return share_of(values[0], values.sum())

    def figures(key: str, name: str) -> GroupFigures:
        prefix = f"plus.{key}"
        # "all residents", "residents of the White group" or "of the Other ethnic group", in a
        # definition (ONS's titles of two groups end in the word already)
        group = "" if name.endswith(("group", "groups")) else " group"
        of = "all residents" if key == TOTAL else f"residents of the {name}{group}"
        mine = by_quintile(key, me)
        residents = float(mine.sum())
        total = float(by_quintile(TOTAL, me).sum())
        core20 = share_of(mine[0], residents)
        all_core20 = core20_share(TOTAL, me)
        england = core20_share(key, ENGLAND_CODE)
        england_all = core20_share(TOTAL, ENGLAND_CODE)

        def share(name_: str, value: float, text: str, src: str = source) -> Measure:
            return Measure(f"{prefix}.{name_}", value, "share", text, src)

        def ratio(name_: str, value: float, text: str, src: str = source) -> Measure:
            return Measure(f"{prefix}.{name_}", value, "number", text, src)

        parent_core20 = parent_ratio = None
        if parent is not None:
            parent_of = f"{of} of {parent.name}"
            p_share = core20_share(key, parent.key)
            p_all = core20_share(TOTAL, parent.key)
            parent_core20 = share(
                "parent_core20",
                p_share,
                f"Share of {parent_of} (the parent ICB) living in Core20 "
                "neighbourhoods (national IMD quintile 1), Census 2021",
            )
            parent_ratio = ratio(
                "parent_ratio",
                share_of(p_share, p_all),
                f"Core20 share of {parent_of} (the parent ICB) divided by the Core20 "
                "share of all its residents, Census 2021",
            )
        return GroupFigures(
            key=key,
            name=name,
            short=SHORT_NAMES.get(key, name),
            residents=Measure(
                f"{prefix}.residents", residents, "count", f"Census 2021 {of}", source
            ),
            share_of_residents=share(
                "share_of_residents",
                share_of(residents, total),
                f"{of[0].upper()}{of[1:]} as a share of all residents, Census 2021",
            ),
            stable=residents >= MIN_RESIDENTS,
            quintiles=tuple(
                share(
                    f"quintile_{q}",
                    share_of(mine[q - 1], residents),
                    f"Share of {of} living in national IMD quintile {q}, Census 2021",
                )
                for q in QUINTILES
            ),
            core20=share(
                "core20",
                core20,
                f"Share of {of} living in Core20 neighbourhoods (national IMD quintile 1), "
                "Census 2021",
            ),
            ratio=ratio(
                "ratio",
                share_of(core20, all_core20),
                f"Core20 share of {of} divided by the Core20 share of all residents, Census 2021",
            ),
            england_core20=share(
                "england_core20",
                england,
                f"Share of {of} of England living in Core20 neighbourhoods, Census 2021",
            ),
            england_ratio=ratio(
                "england_ratio",
                share_of(england, england_all),
                f"Core20 share of {of} of England divided by the Core20 share of all England's "
                "residents, Census 2021",
            ),
            parent_core20=parent_core20,
            parent_ratio=parent_ratio,
        )

    everyone = figures(TOTAL, "All residents")
    each = tuple(figures(key, name) for key, name in groups)
    minority_figures = figures("minority", "Mixed, Asian, Black and Other")
    everyone_q = by_quintile(TOTAL, me)
    core20_all = everyone_q[0]
    return PlusFigures(
        all=everyone,
        groups=each,
        minority=minority_figures,
        core20_minority=Measure(
            "plus.core20_minority",
            share_of(by_quintile("minority", me)[0], core20_all),
            "share",
            "Share of the residents of Core20 neighbourhoods who are of the Mixed, Asian, Black "
            "or Other ethnic groups, Census 2021",
            source,
        ),
        has_core20=bool(core20_all > 0),
        unstable=tuple(g.name for g in each if not g.stable),
        single_quintile=int(np.flatnonzero(everyone_q)[0]) + 1
        if np.count_nonzero(everyone_q) == 1
        else None,
        shared=Measure(
            "plus.shared_residents",
            float(shared),
            "count",
            "Census 2021 residents of England whose LSOAs 2021 were shared between LSOAs 2011 "
            "by their mid-2020 residents",
            shared_source,
        ),
        min_residents=Measure(
            "plus.min_residents",
            float(MIN_RESIDENTS),
            "count",
            "Fewest residents of a group whose shares the chapter prints",
            "hi_reports",
        ),
    )
