"""The figures of each chapter for one organisation, as :class:`Measure` objects.

Each ``*_figures`` function takes the :class:`Profiles` of every organisation of a kind (computed
once, with England and the parent ICBs) and returns the figures a chapter reads: frozen dataclasses
(:class:`~hi_reports.indicators.record.Record`), read by attribute (``imd.core20.share``) or, as
the nested dicts they replace, by key (``imd["core20"]["share"]``). Numbers are computed here; the
chapters only format and lay them out.

Every category (:class:`Category`) gives ``residents`` and ``share`` for the organisation,
``england_share``, and ``parent_share`` (the organisation's main parent ICB) for sub-ICBs, local
authorities and trusts.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypedDict

import numpy as np
import pandas as pd

from hi_reports.data import AGE_GROUPS, DOMAINS, Vintage
from hi_reports.geography import ENGLAND_CODE, Organisation, short_name
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import Profiles
from hi_reports.indicators.record import Record


def share_of(part: float, whole: float) -> float:
    """``part / whole``, NaN for an empty whole (a share of no residents)."""
    return float(part) / float(whole) if whole else float("nan")


#: The two-sided 95% standard normal quantile, Φ⁻¹(0.975): a constant here so that an edition
#: without activity data does not import scipy (:func:`hi_reports.stats.wilson` computes the same).
Z95 = 1.959963984540054


def wilson95(part: float, whole: float) -> tuple[float, float]:
    """Wilson score 95% limits of the proportion ``part / whole`` (Wilson 1927), as
    PHEindicatormethods' ``phe_proportion`` and Fingertips compute them; NaN for an empty whole."""
    if not whole:
        return float("nan"), float("nan")
    x, n, z = float(part), float(whole), Z95
    root = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / (2 * (n + z**2)), (2 * x + z**2 + root) / (2 * (n + z**2))


#: How a share compares with England's: England's share below, within or above its 95% limits.
COMPARISONS = ("higher", "similar", "lower")


class _Shares(TypedDict):
    residents: Measure
    share: Measure
    england_share: Measure
    lower: Measure
    upper: Measure
    vs_england: str | None


class CategoryFields(_Shares, total=False):
    """The fields of a :class:`Category`, as :meth:`Subject.shares` gives them for a category with
    labels of its own (``Decile(decile=3, **fields)``)."""

    similar_low: Measure
    similar_high: Measure
    parent_share: Measure


@dataclass(frozen=True, kw_only=True)
class Category(Record):
    """Residents and share of one category (a decile, a class, an age group), with England's.

    Attributes
    ----------
    residents, share
        The organisation's residents in the category, and their share of all its residents.
    england_share
        England's share.
    lower, upper
        The share's Wilson score 95% limits.
    vs_england
        ``higher``, ``similar`` or ``lower``: England's share below, within or above the limits
        (None for England, or with no residents).
    similar_low, similar_high
        The lowest and highest share among the three organisations most alike in deprivation
        (None for England).
    parent_share
        The main parent ICB's share (None for ICBs and England).
    """

    residents: Measure
    share: Measure
    england_share: Measure
    lower: Measure
    upper: Measure
    vs_england: str | None = None
    similar_low: Measure | None = None
    similar_high: Measure | None = None
    parent_share: Measure | None = None


@dataclass(frozen=True, kw_only=True)
class Ranked(Category):
    """A category the organisation is ranked by among its peers (Core20, rural)."""

    rank: Measure


@dataclass(frozen=True, kw_only=True)
class Decile(Category):
    """Residents of one national IMD decile (1 = most deprived)."""

    decile: int


@dataclass(frozen=True, kw_only=True)
class Quintile(Category):
    """Residents of one national IMD quintile (1 = most deprived)."""

    quintile: int


@dataclass(frozen=True, kw_only=True)
class Domain(Category):
    """Residents of the most deprived national quintile of one IoD domain, and its weight."""

    key: str
    title: str
    weight: Measure


@dataclass(frozen=True, kw_only=True)
class RucClass(Category):
    """Residents of LSOAs of one Rural-Urban Classification class."""

    code: str
    name: str
    urban_rural: str


#: The age groups' fields and their keys (the labels of ``AGE_GROUPS``), which are no Python names.
AGE_KEYS = {"aged_0_15": "0-15", "aged_16_64": "16-64", "aged_65_plus": "65+"}


@dataclass(frozen=True)
class AgeGroups(Record):
    """A category of each age group: ``age.aged_65_plus`` or ``age["65+"]``."""

    KEYS: ClassVar[Mapping[str, str]] = AGE_KEYS
    aged_0_15: Category
    aged_16_64: Category
    aged_65_plus: Category


@dataclass(frozen=True)
class AgeRow(Record):
    """The age structure of one national IMD quintile: its residents and the share of them in each
    age group (``row.aged_65_plus`` or ``row["65+"]``)."""

    KEYS: ClassVar[Mapping[str, str]] = AGE_KEYS
    quintile: int
    residents: Measure
    aged_0_15: Measure
    aged_16_64: Measure
    aged_65_plus: Measure


@dataclass(frozen=True)
class AgeEnds(Record):
    """The share aged 65 or over at the most (``deprived``) and the least (``affluent``) deprived
    quintiles with residents, their quintiles and labels, and which end is ``younger``
    (``"deprived"``, ``"affluent"``, or None when the shares print the same)."""

    deprived: Measure
    deprived_quintile: int
    deprived_label: str
    affluent: Measure
    affluent_quintile: int
    affluent_label: str
    younger: str | None = None


@dataclass(frozen=True)
class FurthestDomain(Record):
    """The domain(s) on which the organisation's share is furthest above England's (tied as
    printed), their ``titles``, and whether any share is ``above`` England's at all."""

    domains: tuple[Domain, ...]
    titles: tuple[str, ...]
    above: bool


@dataclass(frozen=True)
class ShareRange(Record):
    """The lowest and the highest of a set of shares."""

    lowest: Measure
    highest: Measure


@dataclass(frozen=True)
class ImdFigures(Record):
    """The figures of the deprivation chapter.

    Attributes
    ----------
    age_ends
        The 65+ share at the two ends of deprivation (:func:`age_ends`); None with residents in
        one quintile only.
    empty_quintiles
        The national quintiles without residents.
    deciles, quintiles
        Residents by national IMD decile and quintile.
    core20
        Residents of the 20% most deprived LSOAs (quintile 1), with the rank by that share.
    domains
        Residents of the most deprived quintile of each IoD domain.
    furthest_domain
        The domain furthest above England's share (:func:`furthest_above_england`); None for
        England, or when no domain compares.
    domain_range
        The lowest and highest of the domains' shares.
    age_by_quintile
        The age structure of each national quintile.
    age
        Residents of each age group.
    """

    age_ends: AgeEnds | None
    empty_quintiles: tuple[int, ...]
    deciles: tuple[Decile, ...]
    quintiles: tuple[Quintile, ...]
    core20: Ranked
    domains: tuple[Domain, ...]
    furthest_domain: FurthestDomain | None
    domain_range: ShareRange
    age_by_quintile: tuple[AgeRow, ...]
    age: AgeGroups


@dataclass(frozen=True)
class UrbanRuralQuintile(Record):
    """Urban and rural residents of one national IMD quintile, each as a share of all urban (rural)
    residents."""

    quintile: int
    urban: Category
    rural: Category


@dataclass(frozen=True)
class UrbanRuralAge(Record):
    """Urban and rural residents of one age group, each as a share of all urban (rural)
    residents."""

    group: str
    urban: Category
    rural: Category


@dataclass(frozen=True)
class RuralFigures(Record):
    """The figures of the rural chapter: residents by RUC class, urban and rural (ranked by the
    rural share), whether there are any of each, and urban and rural residents by national IMD
    quintile and by age group."""

    classes: tuple[RucClass, ...]
    urban: Category
    rural: Ranked
    has_rural: bool
    has_urban: bool
    by_quintile: tuple[UrbanRuralQuintile, ...]
    age: tuple[UrbanRuralAge, ...]
    #: How many rural LSOAs the residents of :attr:`rural` live in (for a trust, in part).
    rural_lsoas: Measure
    #: How many organisations of the kind have no rural residents, where this one has none and
    #: shares that with others (a rank among them, "joint 217th", reads as mid-table); else None.
    none_alike: Measure | None = None


@dataclass(frozen=True)
class ParentShare(Record):
    """A parent ICB and the share of the organisation's residents who live in it."""

    name: str
    share: Measure


@dataclass(frozen=True)
class OtherParents(Record):
    """The ICBs, other than those named, where residents live: how many, and their share."""

    count: Measure
    share: Measure


@dataclass(frozen=True)
class OverviewFigures(Record):
    """The figures of the front matter and introduction (see :func:`overview_figures`)."""

    population: Measure
    england_population: Measure
    share_of_england: Measure
    england_lsoas: Measure
    lsoas: Measure
    local_authorities: Measure
    local_authority_names: tuple[str, ...]
    organisations_of_kind: Measure
    parents: tuple[ParentShare, ...]
    #: The residents in ICBs not named in ``parents``; None when they are all named.
    parents_rest: OtherParents | None
    #: The names of the three organisations most alike in deprivation (none for England).
    similar: tuple[str, ...]
    #: Residents of the main parent ICB (None for ICBs and England).
    parent_population: Measure | None = None
    #: A trust's catchment: the LSOAs sending it :data:`CATCHMENT_CORE` or more of their admitted
    #: patients, and the share of the catchment's residents living in them (None but for trusts).
    core_lsoas: Measure | None = None
    core_share: Measure | None = None
    other_lsoas: Measure | None = None


@dataclass(frozen=True)
class Spread(Record):
    """How a share varies across the peers (see :func:`spread`). ``by_organisation`` holds
    (short name, share) of every peer, lowest first; its key is ``values``, as in the dict it
    replaces."""

    KEYS: ClassVar[Mapping[str, str]] = {"by_organisation": "values"}
    lowest: Measure
    lowest_name: str
    highest: Measure
    highest_name: str
    median: Measure
    middle_low: Measure
    middle_high: Measure
    middle_count: Measure
    by_organisation: tuple[tuple[str, Measure], ...]
    count: Measure


@dataclass(frozen=True)
class VariationFigures(Record):
    """How the Core20 and rural shares vary between ICBs, for the England edition."""

    core20: Spread
    rural: Spread


@dataclass(frozen=True)
class VintageRow(Record):
    """The Core20 share on the data of one vintage."""

    vintage: Vintage
    core20: Measure


@dataclass(frozen=True)
class VintageFigures(Record):
    """The Core20 share in both vintages, oldest first, and the ``note`` on comparing them."""

    rows: tuple[VintageRow, ...]
    note: str | None = None


@dataclass(frozen=True)
class Subject:
    """The organisation an edition is about, its main parent ICB, and the profiles they are in."""

    org: Organisation
    profiles: Profiles
    parent: Organisation | None = None

    @property
    def key(self) -> str:
        return self.org.key

    @functools.cached_property
    def similar(self) -> list[str]:
        """The three organisations of the same kind most alike in deprivation (:func:`similar`)."""
        return similar(self.profiles, self.key)

    def pair(
        self, key: str, part: pd.Series, whole: pd.Series, definition: str, source: str
    ) -> Category:
        """Residents and share of one category, with England's (and the parent's) share.

        Also the share's Wilson 95% limits (``lower``, ``upper``), how it compares with England's
        (``vs_england``: England's share above the limits, ``lower``; below, ``higher``; within,
        ``similar``), and the lowest and highest share among the three most similar organisations
        (``similar_low``, ``similar_high``): the columns of the headline (spine) table.
        """
        return Category(**self.shares(key, part, whole, definition, source))

    def shares(
        self, key: str, part: pd.Series, whole: pd.Series, definition: str, source: str
    ) -> CategoryFields:
        """The fields of :meth:`pair`, for a category with labels of its own:
        ``Decile(decile=3, **subject.shares(...))``."""
        me = self.key
        share, england = (
            share_of(part[me], whole[me]),
            share_of(part[ENGLAND_CODE], whole[ENGLAND_CODE]),
        )
        lower, upper = wilson95(part[me], whole[me])
        figures: CategoryFields = {
            "residents": Measure(
                f"{key}.residents", float(part[me]), "count", f"Residents {definition}", source
            ),
            "share": Measure(
                f"{key}.share", share, "share", f"Share of residents {definition}", source
            ),
            "england_share": Measure(
                f"{key}.england_share",
                england,
                "share",
                f"Share of England's residents {definition}",
                source,
            ),
            "lower": Measure(
                f"{key}.lower",
                lower,
                "share",
                f"Lower 95% limit (Wilson score) of the share of residents {definition}",
                source,
            ),
            "upper": Measure(
                f"{key}.upper",
                upper,
                "share",
                f"Upper 95% limit (Wilson score) of the share of residents {definition}",
                source,
            ),
            "vs_england": None
            if me == ENGLAND_CODE or math.isnan(lower)
            else "lower"
            if england > upper
            else "higher"
            if england < lower
            else "similar",
        }
        if self.similar:
            shares = [share_of(part[k], whole[k]) for k in self.similar]
            kinds = self.org.kind_plural
            figures["similar_low"] = Measure(
                f"{key}.similar_low",
                min(shares),
                "share",
                f"Lowest share of residents {definition} among the three {kinds} most alike "
                "in deprivation",
                source,
            )
            figures["similar_high"] = Measure(
                f"{key}.similar_high",
                max(shares),
                "share",
                f"Highest share of residents {definition} among the three {kinds} most alike "
                "in deprivation",
                source,
            )
        if self.parent is not None:
            figures["parent_share"] = Measure(
                f"{key}.parent_share",
                share_of(part[self.parent.key], whole[self.parent.key]),
                "share",
                f"Share of residents of the parent ICB ({self.parent.name}) {definition}",
                f"{source}; {self.profiles.vintage.sources.lookup}",
            )
        return figures

    def rank(self, values: pd.Series, key: str, what: str, source: str) -> Measure:
        """Rank among the organisations of the same kind by ``values`` (1 = highest)."""
        peers = as_printed(values.reindex(self.profiles.peers))  # equal as printed: a shared rank
        rank = peers.rank(ascending=False, method="min")
        value = float(rank[self.key]) if self.key in rank.index else float("nan")
        tied = int((peers == peers[self.key]).sum()) if self.key in rank.index else 0
        return Measure(
            key,
            value,
            "rank",
            f"Rank among {len(peers)} {self.org.kind_plural} by {what} (1 = highest; "
            "organisations whose shares print the same share the rank)",
            source,
            of=len(peers),
            tied=tied if tied > 1 else None,
        )

    def source(self, *parts: str) -> str:
        """Sources joined, with the catchment data for trusts."""
        extra = (self.profiles.vintage.sources.catchment,) if self.org.kind == "trust" else ()
        return "; ".join(parts + extra)


#: A trust's core catchment: the LSOAs that send it this share or more of their admitted
#: patients (the LSOAs its maps draw; the others are counted in small parts).
CATCHMENT_CORE = 0.10


def overview_figures(
    subject: Subject, lsoas: pd.DataFrame, weights: pd.DataFrame, names: dict[str, Organisation]
) -> OverviewFigures:
    """Figures of the front matter and introduction: population, LSOAs, local authorities,
    parent ICBs with their shares, and the three most similar organisations of the same kind.

    Parameters
    ----------
    subject
        The organisation and profiles.
    lsoas
        The reference LSOA table.
    weights
        The organisation's weights over LSOAs (``org``, ``lsoa_code``, ``weight``).
    names
        Organisations by key: the peers and the ICBs, to name parents and similar organisations.
    """
    org, profiles, me = subject.org, subject.profiles, subject.key
    v = profiles.vintage
    pop_source, lookup_source = v.sources.population, v.sources.lookup
    mine = weights[(weights["org"] == me) & (weights["weight"] > 0)].join(lsoas, on="lsoa_code")
    mine = mine.assign(people=mine["population"] * mine["weight"])
    councils = (
        mine.groupby(["lad_code", "lad_name"])["people"].sum().reset_index().sort_values("lad_name")
    )
    if org.kind == "trust":  # a catchment touches many councils thinly: name those with 5% or more
        councils = councils[councils["people"] >= 0.05 * councils["people"].sum()]
    by_icb = mine.groupby("icb_code")["people"].sum().sort_values(ascending=False)
    source = subject.source(pop_source, lookup_source)
    parents = tuple(
        ParentShare(
            name=names[code].name if code in names else code,
            share=Measure(
                f"intro.parent.{code}.share",
                share_of(people, by_icb.sum()),
                "share",
                f"Share of residents who live in {names[code].name if code in names else code}",
                source,
            ),
        )
        for code, people in by_icb.items()
        if code in org.parents
    )
    others = by_icb[[code not in org.parents for code in by_icb.index]]
    rest = None  # the residents in ICBs not named, so that the parent sentences add up to all
    if len(others) and others.sum() > 0:
        rest = OtherParents(
            count=Measure(
                "intro.parent.other.count",
                float(len(others)),
                "count",
                "ICBs, other than those named, where residents live",
                source,
            ),
            share=Measure(
                "intro.parent.other.share",
                share_of(others.sum(), by_icb.sum()),
                "share",
                "Share of residents who live in ICBs other than those named",
                source,
            ),
        )
    core_lsoas = core_share = other_lsoas = None
    if org.kind == "trust":
        core = mine["weight"] >= CATCHMENT_CORE
        what = f"LSOAs sending the trust {CATCHMENT_CORE:.0%} or more of their admitted patients"
        core_lsoas = Measure("intro.core_lsoas", float(core.sum()), "count", what, source)
        other_lsoas = Measure(
            "intro.other_lsoas",
            float((~core).sum()),
            "count",
            f"LSOAs sending the trust less than {CATCHMENT_CORE:.0%} of their admitted patients, "
            "counted in part",
            source,
        )
        core_share = Measure(
            "intro.core_share",
            share_of(mine.loc[core, "people"].sum(), mine["people"].sum()),
            "share",
            f"Share of the catchment's residents living in the {what}",
            source,
        )
    parent_population = None
    if subject.parent is not None:
        parent_population = Measure(
            "intro.parent_population",
            float(profiles.population[subject.parent.key]),
            "count",
            f"Residents of {subject.parent.name}, {v.population_when}",
            f"{pop_source}; {lookup_source}",
        )
    return OverviewFigures(
        population=Measure(
            "intro.population",
            float(profiles.population[me]),
            "count",
            f"Residents, {v.population_when}",
            source,
        ),
        england_population=Measure(
            "intro.england_population",
            float(profiles.population[ENGLAND_CODE]),
            "count",
            f"Residents of England, {v.population_when}",
            pop_source,
        ),
        share_of_england=Measure(
            "intro.share_of_england",
            share_of(profiles.population[me], profiles.population[ENGLAND_CODE]),
            "share",
            f"Residents as a share of England's residents, {v.population_when}",
            source,
        ),
        england_lsoas=Measure(
            "intro.england_lsoas",
            float(profiles.lsoas[ENGLAND_CODE]),
            "count",
            f"LSOAs ({v.lsoa_year}) in England",
            pop_source,
        ),
        lsoas=Measure(
            "intro.lsoas",
            float(profiles.lsoas[me]),
            "count",
            f"LSOAs ({v.lsoa_year}) with residents counted in the organisation",
            source,
        ),
        local_authorities=Measure(
            "intro.local_authorities",
            float(len(councils)),
            "count",
            "Local authority districts (2022) holding 5% or more of the catchment's residents"
            if org.kind == "trust"
            else "Local authority districts (2022) with LSOAs in the organisation",
            source,
        ),
        local_authority_names=tuple(short_name(name) for name in councils["lad_name"]),
        organisations_of_kind=Measure(
            "intro.organisations_of_kind",
            float(len(profiles.peers)),
            "count",
            f"{org.kind_plural} in England",
            source,
        ),
        parents=parents,
        parents_rest=rest,
        similar=tuple(names[code].short_name for code in subject.similar),
        parent_population=parent_population,
        core_lsoas=core_lsoas,
        core_share=core_share,
        other_lsoas=other_lsoas,
    )


def similar(profiles: Profiles, key: str, n: int = 3) -> list[str]:
    """The ``n`` organisations of the same kind whose IMD decile profile is closest to ``key``'s.

    The profile is the vector of the shares of residents in the ten national IMD deciles; the
    distance is Euclidean. Returns their keys, closest first (none for England).
    """
    peers = [p for p in profiles.peers if p != key]
    if key == ENGLAND_CODE or not peers:
        return []
    shares = profiles.imd_decile.div(profiles.population, axis=0)
    distance = np.sqrt(((shares.loc[peers] - shares.loc[key]) ** 2).sum(axis=1))
    return [str(code) for code in distance.sort_values(kind="stable").head(n).index]


def furthest_above_england(domains: Sequence[Domain]) -> FurthestDomain | None:
    """The domain(s) on which the organisation's share in the most deprived national fifth is
    furthest above England's, as a ratio of printed shares.

    Each domain ranks neighbourhoods on its own, so shares of different domains are not on one
    scale; each is compared with England's share on the same domain. Returns None when no domain
    can be compared; ``above`` is False when no domain's share is above England's.

    Returns
    -------
    FurthestDomain or None
        ``domains`` (tied as printed, in the order given), ``titles`` and ``above``.
    """

    def ratio(domain: Domain) -> float:
        return round(domain.share.value * 1000) / round(domain.england_share.value * 1000)

    comparable = [
        d for d in domains if not d.share.missing and round(d.england_share.value * 1000) > 0
    ]
    if not comparable:
        return None
    best = max(ratio(d) for d in comparable)
    tied = tuple(d for d in comparable if ratio(d) == best)
    return FurthestDomain(domains=tied, titles=tuple(d.title for d in tied), above=best > 1)


def _quintile_label(q: int, end: str) -> str:
    if q == (1 if end == "most" else 5):
        return f"the {end} deprived national quintile"
    return f"national quintile {q} (the {end} deprived quintile in which anyone here lives)"


def age_ends(rows: Sequence[AgeRow]) -> AgeEnds | None:
    """The share aged 65 or over at the two ends of deprivation the organisation has residents at,
    with which end is younger as printed; None when its residents live in one quintile only.

    Returns
    -------
    AgeEnds or None
        ``deprived`` and ``affluent`` (the 65+ share Measures), their quintiles and labels, and
        ``younger``: ``"deprived"``, ``"affluent"`` or ``None`` when the shares print the same.
    """
    populated = [row for row in rows if row.residents.value > 0]
    if len(populated) < 2:
        return None
    first, last = populated[0], populated[-1]
    a, b = (round(row.aged_65_plus.value * 1000) for row in (first, last))
    return AgeEnds(
        deprived=first.aged_65_plus,
        deprived_quintile=first.quintile,
        deprived_label=_quintile_label(first.quintile, "most"),
        affluent=last.aged_65_plus,
        affluent_quintile=last.quintile,
        affluent_label=_quintile_label(last.quintile, "least"),
        younger="deprived" if a < b else "affluent" if a > b else None,
    )


def as_printed(shares: pd.Series) -> pd.Series:
    """Shares rounded as the book prints them (to 0.1 percentage points), so that two shares
    that print the same compare equal: ties, ranks and extremes are those a reader sees."""
    return shares.map(lambda v: float(f"{v * 100:.1f}") if v == v else v)


def _who(codes: Sequence[str], names: dict[str, Organisation], plural: str) -> str:
    """The organisations at an extreme: their names, or how many when more than three tie."""
    if len(codes) == 1:
        return names[codes[0]].name
    if len(codes) <= 3:
        listed = [names[c].name for c in codes]
        return ", ".join(listed[:-1]) + " and " + listed[-1]
    return f"{len(codes)} {plural}"


def spread(
    profiles: Profiles,
    *,
    shares: pd.Series,
    key: str,
    what: str,
    names: dict[str, Organisation],
    source: str,
    plural: str = "ICBs",
) -> Spread:
    """Range and distribution of a share across the peers (for the England edition).

    ``lowest_name`` and ``highest_name`` name every organisation whose share prints as the lowest
    (highest), or count them when more than three tie. ``middle_low`` and ``middle_high`` bound
    the middle half: the organisations left when the lowest and the highest quarter (rounded
    down) are set aside, ``middle_count`` of them, so a sentence about them is true as printed.

    Parameters
    ----------
    profiles
        The profiles of the peers.
    shares
        The share of every organisation, by key.
    key
        The prefix of the measures' keys (``variation.core20``).
    what
        What the share is, in words (``Core20 share among ICBs``).
    names
        The organisations by key.
    source
        The sources of the shares.
    plural
        What the peers are, in the plural (``ICBs``), to count a tie of more than three.
    """
    peers = shares.reindex(profiles.peers).sort_values(kind="stable")
    printed = as_printed(peers)
    quarter = len(peers) // 4
    middle = peers.iloc[quarter : len(peers) - quarter]

    def measure(name: str, value: float, text: str) -> Measure:
        return Measure(f"{key}.{name}", float(value), "share", f"{text} {what}", source)

    return Spread(
        lowest=measure("lowest", peers.iloc[0], "Lowest"),
        lowest_name=_who(list(printed.index[printed == printed.iloc[0]]), names, plural),
        highest=measure("highest", peers.iloc[-1], "Highest"),
        highest_name=_who(list(printed.index[printed == printed.iloc[-1]]), names, plural),
        median=measure("median", peers.median(), "Median"),
        middle_low=measure(
            "middle_low", middle.iloc[0], "Lowest of the middle half of organisations by"
        ),
        middle_high=measure(
            "middle_high", middle.iloc[-1], "Highest of the middle half of organisations by"
        ),
        middle_count=Measure(
            f"{key}.middle_count",
            float(len(middle)),
            "count",
            f"Organisations in the middle half by {what}",
            source,
        ),
        by_organisation=tuple(
            (names[str(code)].short_name, measure(str(code), value, f"{names[str(code)].name}:"))
            for code, value in peers.items()
        ),
        count=Measure(
            f"{key}.count", float(len(peers)), "count", f"Organisations compared by {what}", source
        ),
    )


def imd_figures(subject: Subject) -> ImdFigures:
    """Figures of the IMD chapter: deciles, Core20, quintiles, domains, age by quintile, rank."""
    profiles = subject.profiles
    total = profiles.population
    sources = profiles.vintage.sources
    source = subject.source(sources.imd, sources.population)
    deciles = tuple(
        Decile(
            decile=d,
            **subject.shares(
                f"imd.decile_{d}",
                profiles.imd_decile[d],
                total,
                f"in national IMD decile {d}",
                source,
            ),
        )
        for d in range(1, 11)
    )
    quintiles = tuple(
        Quintile(
            quintile=q,
            **subject.shares(
                f"imd.quintile_{q}",
                profiles.imd_quintile[q],
                total,
                f"in national IMD quintile {q}",
                source,
            ),
        )
        for q in range(1, 6)
    )
    core20 = Ranked(
        **subject.shares(
            "imd.core20",
            profiles.imd_quintile[1],
            total,
            "in the 20% most deprived LSOAs in England (Core20: national IMD deciles 1-2)",
            source,
        ),
        rank=subject.rank(
            profiles.imd_quintile[1] / total,
            "imd.core20.rank",
            "Core20 share",
            f"{source}; {sources.lookup}",
        ),
    )
    domains = tuple(
        Domain(
            key=key,
            title=title,
            weight=Measure(
                f"imd.domain.{key}.weight",
                weight,
                "share",
                f"Weight of the {title} domain in the IMD",
                f"MHCLG {profiles.vintage.iod} technical report",
            ),
            **subject.shares(
                f"imd.domain.{key}",
                profiles.domain_q1[key],
                total,
                f"in the most deprived national quintile of the {title} domain",
                subject.source(sources.domains, sources.population),
            ),
        )
        for key, title, weight in DOMAINS
    )
    furthest = furthest_above_england(domains) if subject.key != ENGLAND_CODE else None
    age_by_quintile = []
    for q in range(1, 6):
        people = profiles.age_by_quintile.loc[:, [q]].droplevel(0, axis=1)
        row_total = people.sum(axis=1)
        shares = {
            label: Measure(
                f"imd.age.q{q}.{label}",
                share_of(people[label][subject.key], row_total[subject.key]),
                "share",
                f"Share of residents of national IMD quintile {q} aged {label}",
                source,
            )
            for label, _, _ in AGE_GROUPS
        }
        age_by_quintile.append(
            AgeRow(
                quintile=q,
                residents=Measure(
                    f"imd.age.q{q}.residents",
                    float(row_total[subject.key]),
                    "count",
                    f"Residents of national IMD quintile {q}",
                    source,
                ),
                aged_0_15=shares["0-15"],
                aged_16_64=shares["16-64"],
                aged_65_plus=shares["65+"],
            )
        )
    age = {
        label: subject.pair(
            f"imd.age.{label}",
            profiles.age[label],
            total,
            f"aged {label}",
            subject.source(sources.population),
        )
        for label, _, _ in AGE_GROUPS
    }
    return ImdFigures(
        age_ends=age_ends(age_by_quintile),
        empty_quintiles=tuple(
            row.quintile for row in age_by_quintile if not row.residents.value > 0
        ),
        deciles=deciles,
        quintiles=quintiles,
        core20=core20,
        domains=domains,
        furthest_domain=furthest,
        domain_range=ShareRange(
            lowest=min(domains, key=lambda d: d.share.value).share,
            highest=max(domains, key=lambda d: d.share.value).share,
        ),
        age_by_quintile=tuple(age_by_quintile),
        age=AgeGroups(aged_0_15=age["0-15"], aged_16_64=age["16-64"], aged_65_plus=age["65+"]),
    )


def rural_figures(subject: Subject) -> RuralFigures:
    """Figures of the rural chapter: RUC classes, urban/rural, rural by IMD quintile, age, rank."""
    profiles, me = subject.profiles, subject.key
    total = profiles.population
    v = profiles.vintage
    sources = v.sources
    source = subject.source(sources.ruc, sources.population)
    classes = tuple(
        RucClass(
            code=c.code,
            name=c.name,
            urban_rural=c.urban_rural,
            **subject.shares(
                f"rural.ruc_{c.code}",
                profiles.ruc_class[c.code],
                total,
                f"in LSOAs of {v.ruc_short} class {c.code} ({c.name})",
                source,
            ),
        )
        for c in v.ruc_classes
    )
    urban = subject.pair(
        "rural.urban",
        profiles.urban_rural["Urban"],
        total,
        f"in urban LSOAs ({v.ruc_short} {v.codes('Urban')})",
        source,
    )
    rural = Ranked(
        **subject.shares(
            "rural.rural",
            profiles.urban_rural["Rural"],
            total,
            f"in rural LSOAs ({v.ruc_short} {v.codes('Rural')})",
            source,
        ),
        rank=subject.rank(
            profiles.urban_rural["Rural"] / total,
            "rural.rank",
            "rural share",
            f"{source}; {sources.lookup}",
        ),
    )
    by_quintile = []
    for q in range(1, 6):
        by_area = {
            area: subject.pair(
                f"rural.{area.lower()}_q{q}",
                profiles.rural_by_quintile[(area, q)],
                profiles.urban_rural[area],
                f"of {area.lower()} LSOAs who live in national IMD quintile {q}",
                subject.source(sources.ruc, sources.imd, sources.population),
            )
            for area in ("Urban", "Rural")
        }
        by_quintile.append(
            UrbanRuralQuintile(quintile=q, urban=by_area["Urban"], rural=by_area["Rural"])
        )
    age = []
    for label, _, _ in AGE_GROUPS:
        by_area = {
            area: subject.pair(
                f"rural.age.{area.lower()}.{label}",
                profiles.age_by_urban_rural[area][label],
                profiles.urban_rural[area],
                f"of {area.lower()} LSOAs aged {label}",
                source,
            )
            for area in ("Urban", "Rural")
        }
        age.append(UrbanRuralAge(group=label, urban=by_area["Urban"], rural=by_area["Rural"]))
    has_rural = bool(profiles.urban_rural["Rural"][me] > 0)
    none_alike = None
    if not has_rural and rural.rank.tied and rural.rank.tied > 1:
        none_alike = Measure(
            "rural.none_alike",
            float(rural.rank.tied),
            "count",
            f"{subject.org.kind_plural.capitalize()} with no rural residents",
            rural.rank.source,
        )
    return RuralFigures(
        classes=classes,
        urban=urban,
        rural=rural,
        has_rural=has_rural,
        has_urban=bool(profiles.urban_rural["Urban"][me] > 0),
        by_quintile=tuple(by_quintile),
        age=tuple(age),
        rural_lsoas=Measure(
            "rural.rural.lsoas",
            float(profiles.rural_lsoas[me]),
            "count",
            f"Rural LSOAs ({v.ruc_short} {v.codes('Rural')}) with residents of the organisation"
            + (" (in part, by its catchment)" if subject.org.kind == "trust" else ""),
            f"{source}; {sources.lookup}",
        ),
        none_alike=none_alike,
    )


def variation_figures(icb_profiles: Profiles, names: dict[str, Organisation]) -> VariationFigures:
    """How Core20 and rural shares vary between ICBs, for the England edition."""
    total = icb_profiles.population
    s = icb_profiles.vintage.sources
    return VariationFigures(
        core20=spread(
            icb_profiles,
            shares=icb_profiles.imd_quintile[1] / total,
            key="variation.core20",
            what="Core20 share among ICBs",
            names=names,
            source=f"{s.imd}; {s.population}; {s.lookup}",
        ),
        rural=spread(
            icb_profiles,
            shares=icb_profiles.urban_rural["Rural"] / total,
            key="variation.rural",
            what="rural share among ICBs",
            names=names,
            source=f"{s.ruc}; {s.population}; {s.lookup}",
        ),
    )


def vintage_figures(
    subject: Subject, other: Vintage, other_core20: float, note: str | None = None
) -> VintageFigures:
    """The Core20 share in both vintages, oldest first, for the note that compares them.

    Parameters
    ----------
    subject
        The organisation in this edition's vintage.
    other
        The other vintage.
    other_core20
        The organisation's Core20 share on the other vintage's data (see
        :func:`hi_reports.indicators.profiles.core20_share`).
    note
        What the reader should know when comparing them.
    """
    profiles, key = subject.profiles, subject.key
    own = share_of(profiles.imd_quintile[1][key], profiles.population[key])
    rows = tuple(
        VintageRow(
            vintage=v,
            core20=Measure(
                f"imd.vintage_{v.name}.core20",
                float(value),
                "share",
                f"Share of residents in the 20% most deprived LSOAs in England by the {v.imd} "
                f"({v.lsoa_label}, residents {v.population_when})",
                subject.source(v.sources.imd, v.sources.population, v.sources.lookup),
            ),
        )
        for v, value in sorted(
            ((profiles.vintage, own), (other, other_core20)), key=lambda pair: pair[0].name
        )
    )
    return VintageFigures(rows=rows, note=note)
