"""Activity rates by deprivation and rurality for every organisation of a kind, and England.

:func:`activity_indicators` takes activity counts by LSOA 2011 and ESP2013 age band
(:class:`hi_reports.data.activity.Activity.counts`), the reference data and the organisations'
LSOA weights (:func:`hi_reports.geography.membership`), and computes for every organisation at once:

- events and residents by national IMD quintile, urban/rural, RUC 2011 class and in total: an
  LSOA's events count toward an organisation with the organisation's weight for that LSOA, the
  same weight its residents get (events of patients living outside the organisation do not count);
- crude rates per 1,000 residents a year with 95% limits (exact Poisson below 10 events, Byars from
  10; :func:`hi_reports.stats.rate`) and rates age-standardised to the 2013 European Standard
  Population (Dobson limits, not computed below 10 events; :func:`hi_reports.stats.dsr`);
- the slope and relative index of inequality across the five quintiles (Monte Carlo limits,
  :func:`hi_reports.stats.sii`, fixed seed), oriented so that a positive SII means higher rates in
  more deprived areas and the RII is the rate at the most deprived end over that at the least; the
  gap between quintiles 1 and 5 (difference and ratio, normal limits on the natural and log scale)
  and the rural/urban ratio; and the excess events: observed events in quintiles 1-4 minus the
  events expected at quintile 5's age-specific rates.

Disclosure control (:mod:`hi_reports.indicators.disclosure`, applied here once so that every
output inherits it): a group's count of 1 to 7 is suppressed (``suppressed`` True, its count, rates
and limits NaN) and other counts are published rounded to the nearest 5 (``count_published``). Every
rate and limit is computed from the published counts: the crude rate from the published count, the
age-standardised rate from the group's age-specific counts scaled to add up to it; the SII, gaps,
ratios and excess events from those rates and scaled counts. The true count stays in ``events`` for
internal checks and is never printed. Age-standardised rates on fewer than 10 (published) events are
not computed. ``disclosure=UNSAFE`` keeps the true counts (internal use only).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hi_reports.data.activity import AGE_BANDS, band_populations
from hi_reports.data.codes import among
from hi_reports.data.reference import Reference
from hi_reports.data.vintage import V2019
from hi_reports.errors import IndicatorError
from hi_reports.formatting import sentence_start
from hi_reports.formatting import slug as _slug
from hi_reports.geography import ENGLAND_CODE
from hi_reports.indicators.disclosure import SAFE, Disclosure
from hi_reports.indicators.measure import Measure, Unit
from hi_reports.indicators.record import Record

__all__ = [
    "DIMENSIONS",
    "MIN_EVENTS_DSR",
    "ROUND_TO",
    "SMALL_COUNT_MAX",
    "ActivityFigures",
    "ActivityGroup",
    "ActivityResults",
    "QualityRow",
    "activity_figures",
    "activity_indicators",
]

#: Disclosure control: positive counts up to this are suppressed in published outputs.
SMALL_COUNT_MAX = SAFE.small_max
#: Disclosure control: other published counts are rounded to a multiple of this.
ROUND_TO = SAFE.round_to
#: Age-standardised rates are not computed on fewer events (as PHEindicatormethods).
MIN_EVENTS_DSR = 10

#: Dimensions of the tidy output and their groups, in order (activity is read on LSOA 2011, the
#: 2019 vintage's geography).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "all": ("All",),
    "imd_quintile": ("1", "2", "3", "4", "5"),
    "urban_rural": ("Urban", "Rural"),
    "ruc_code": tuple(c.code for c in V2019.ruc_classes),
}
#: The two-sided 95% normal quantile, Φ⁻¹(0.975), to the bit as ``hi_reports.stats.z_value(0.95)``
#: gives it (a test checks): ``hi_reports.stats`` brings scipy (0.3-0.6 s), imported only by an
#: edition with activity data.
_Z = 1.959963984540054


@dataclass(frozen=True)
class ActivityResults:
    """Activity indicators of every organisation of a kind and England (org
    :data:`~hi_reports.geography.ENGLAND_CODE`).

    Attributes
    ----------
    groups
        One row per organisation x dimension x group: ``org, dimension, group, events`` (the
        true count, internal), ``population`` (person-years), ``suppressed``, ``count_published``,
        and rates from the published count ``crude, crude_lower, crude_upper, dsr, dsr_lower,
        dsr_upper`` (NaN where suppressed), ``crude_published, dsr_published`` (the same rates).
        Groups with no residents have NaN rates.
    inequality
        One row per organisation (index ``org``): ``basis``, ``sii, sii_lower, sii_upper, rii,
        rii_lower, rii_upper, significant``, ``gap, gap_lower, gap_upper`` (quintile 1 minus 5),
        ``ratio, ratio_lower, ratio_upper`` (quintile 1 over 5), ``rural_ratio, rural_ratio_lower,
        rural_ratio_upper``, ``excess_events, excess_events_per_year``.
    multiplier
        Rates are per this many residents a year (1,000).
    years
        Length of the activity period in years (person-years = residents x years).
    disclosure
        The disclosure rule the published columns and every rate follow.
    """

    groups: pd.DataFrame
    inequality: pd.DataFrame
    multiplier: float
    years: float
    disclosure: Disclosure = SAFE

    def group(self, org: str, dimension: str) -> pd.DataFrame:
        """The rows of one organisation and dimension, indexed by group."""
        rows = self.groups[(self.groups["org"] == org) & (self.groups["dimension"] == dimension)]
        if rows.empty:
            raise IndicatorError(f"no activity results for organisation {org!r}")
        return rows.set_index("group")

    def headline(self, org: str) -> dict[str, float]:
        """Headline figures of one organisation as plain floats (the published count and rates)."""
        total = self.group(org, "all")
        q = self.group(org, "imd_quintile")["dsr"].astype(float)
        out = {
            "events": _cell(total, "All", "count_published"),
            "population": _cell(total, "All", "population"),
            "crude": _cell(total, "All", "crude"),
            "dsr": _cell(total, "All", "dsr"),
            "dsr_q1": float(q["1"]),
            "dsr_q5": float(q["5"]),
        }
        out.update(
            {
                str(column): _cell(self.inequality, org, str(column))
                for column in self.inequality.columns
                if column != "basis"
            }
        )
        return out


@dataclass(frozen=True)
class ActivityGroup(Record):
    """The published events, person-years and rates of one group (all residents, a national IMD
    quintile, urban or rural, an RUC class) of one organisation.

    Attributes
    ----------
    group
        The group, as :data:`DIMENSIONS` names it (``"All"``, ``"1"``, ``"Rural"``, ``"A1"``).
    suppressed
        True where 1 to 7 events are suppressed: the count and the rates are NaN.
    events, population
        The published events and the resident person-years.
    crude, crude_lower, crude_upper
        The crude rate and its 95% limits.
    dsr, dsr_lower, dsr_upper
        The age-standardised rate and its 95% limits (Dobson).
    quintile
        The national IMD quintile, for a quintile's row; None otherwise.
    """

    group: str
    suppressed: bool
    events: Measure
    population: Measure
    crude: Measure
    crude_lower: Measure
    crude_upper: Measure
    dsr: Measure
    dsr_lower: Measure
    dsr_upper: Measure
    quintile: int | None = None


@dataclass(frozen=True)
class ActivityFigures(Record):
    """The activity figures of one organisation (see :func:`activity_figures`).

    Attributes
    ----------
    total, quintiles, urban_rural, ruc_classes
        The groups: all residents, the five national IMD quintiles, urban and rural, the RUC
        classes.
    sii, sii_lower, sii_upper, rii, rii_lower, rii_upper
        The slope and relative indices of inequality and their Monte Carlo 95% limits.
    significant
        The SII's limits exclude zero.
    rii_meaningful
        The RII is positive: the fitted line stays above zero at both ends.
    direction
        ``"rise"`` or ``"fall"``: the way a significant gradient runs with deprivation; None
        where there is none.
    gap, ratio, ratio_lower, ratio_upper
        Quintile 1 minus (over) quintile 5, with the ratio's 95% limits.
    rural_ratio
        The rural rate over the urban rate.
    excess_events_per_year
        The events a year above those expected at the least deprived quintile's rates (rounded
        to 5 under disclosure control).
    excess_abs, excess_word
        The same without its sign, to three significant figures, and the word that goes with the
        sign (``"fewer"``, ``"more"``; None for none).
    """

    total: ActivityGroup
    quintiles: tuple[ActivityGroup, ...]
    urban_rural: tuple[ActivityGroup, ...]
    ruc_classes: tuple[ActivityGroup, ...]
    sii: Measure
    sii_lower: Measure
    sii_upper: Measure
    rii: Measure
    rii_lower: Measure
    rii_upper: Measure
    significant: bool
    rii_meaningful: bool
    direction: str | None
    gap: Measure
    ratio: Measure
    ratio_lower: Measure
    ratio_upper: Measure
    rural_ratio: Measure
    excess_events_per_year: Measure
    excess_abs: Measure
    excess_word: str | None


@dataclass(frozen=True)
class QualityRow(Record):
    """A row of an activity file's data-quality table: rows and events read, used or excluded
    (each published under the measure's disclosure rule)."""

    item: str
    rows: Measure
    events: Measure


def _cell(table: pd.DataFrame, row: str, column: str) -> float:
    """A number of a results table, as a float."""
    return float(table[column].astype(float)[row])


def _weighted_sums(
    events: np.ndarray, population: np.ndarray, weights: pd.DataFrame, keys: np.ndarray
) -> pd.DataFrame:
    """Weighted events and residents by (org, group, band); ``events``/``population`` per LSOA."""
    idx = weights["_i"].to_numpy()
    w = weights["weight"].to_numpy(dtype=float)[:, None]
    n_bands = len(AGE_BANDS)
    frame = pd.DataFrame(
        np.hstack([events[idx] * w, population[idx] * w]),
        columns=[f"e{b}" for b in range(n_bands)] + [f"p{b}" for b in range(n_bands)],
    )
    frame["org"] = weights["org"].to_numpy()
    frame["group"] = keys[idx]
    sums = frame.groupby(["org", "group"], sort=False).sum()
    long = pd.DataFrame(
        {
            "org": np.repeat(sums.index.get_level_values(0).to_numpy(), n_bands),
            "group": np.repeat(sums.index.get_level_values(1).to_numpy(), n_bands),
            "age_band": np.tile(np.arange(n_bands), len(sums)),
            "events": sums.iloc[:, :n_bands].to_numpy().ravel(),
            "population": sums.iloc[:, n_bands:].to_numpy().ravel(),
        }
    )
    return long


#: An estimate for every organisation and its 95% limits: value, lower, upper.
_Estimate = tuple[pd.Series, pd.Series, pd.Series]


def _estimate(table: pd.DataFrame, columns: tuple[str, str, str], group: str | int) -> _Estimate:
    """The estimate of ``group`` from a table with columns (value, lower or upper, group)."""
    value, lower, upper = columns
    return table[(value, group)], table[(lower, group)], table[(upper, group)]


def _normal_limits(first: _Estimate, second: _Estimate, *, ratio: bool) -> _Estimate:
    """Difference (or ratio) of two estimates, with normal limits from their 95% limits (on the
    log scale for a ratio)."""
    a, lo_a, hi_a = first
    b, lo_b, hi_b = second
    if ratio:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = a / b
            se = np.sqrt(
                ((np.log(hi_a) - np.log(lo_a)) / (2 * _Z)) ** 2
                + ((np.log(hi_b) - np.log(lo_b)) / (2 * _Z)) ** 2
            )
            return value, value * np.exp(-_Z * se), value * np.exp(_Z * se)
    value = a - b
    se = np.sqrt(((hi_a - lo_a) / (2 * _Z)) ** 2 + ((hi_b - lo_b) / (2 * _Z)) ** 2)
    return value, value - _Z * se, value + _Z * se


def activity_indicators(
    counts: pd.DataFrame,
    reference: Reference,
    weights: pd.DataFrame,
    *,
    years: float = 1.0,
    multiplier: float = 1000,
    basis: Literal["dsr", "crude"] = "dsr",
    repetitions: int = 100_000,
    seed: int = 1,
    disclosure: Disclosure = SAFE,
) -> ActivityResults:
    """Compute the activity indicators of every organisation in ``weights``, and England.

    Parameters
    ----------
    counts
        ``lsoa_code, age_band, count`` (e.g. ``Activity.counts``); codes must be English LSOA
        2011 codes of ``reference``.
    reference
        The reference data: residents by single year of age, IMD quintile, RUC class.
    weights
        ``org, lsoa_code, weight`` from :func:`hi_reports.geography.membership`.
    years
        Length of the activity period in years (``Period.years``); rates are per year.
    multiplier
        Rates per this many residents (1,000).
    basis
        Quintile rates the SII, gap and ratio use: age-standardised (``"dsr"``) or crude.
    repetitions, seed
        Monte Carlo repetitions and seed of the SII limits (fixed: results are reproducible).
    disclosure
        The disclosure rule: :data:`~hi_reports.indicators.disclosure.SAFE` (1-7 suppressed, others
        rounded to 5; every rate from the published counts) or ``UNSAFE`` (true counts).

    Returns
    -------
    ActivityResults

    Raises
    ------
    IndicatorError
        When counts hold codes that are not English LSOA 2011 codes, unknown age bands or
        negative counts.
    """
    from hi_reports.stats import dsr, rate  # on use: scipy, for editions with activity only

    lsoas = reference.lsoas
    position = pd.Series(np.arange(len(lsoas)), index=lsoas.index)
    missing = counts["lsoa_code"][~among(counts["lsoa_code"], position.index)]
    if len(missing):
        raise IndicatorError(
            f"activity counts hold {missing.nunique()} codes that are not English LSOA 2011 "
            f"codes (first: {', '.join(sorted(missing.unique())[:3])})",
            hint="read the activity with hi_reports.data.read_activity, which maps or excludes "
            "them",
        )
    band = pd.Categorical(counts["age_band"].astype(str), categories=list(AGE_BANDS))
    if np.any(band.codes < 0) or (counts["count"] < 0).any():
        raise IndicatorError("activity counts: unknown age bands or negative counts")
    events = np.zeros((len(lsoas), len(AGE_BANDS)))
    np.add.at(
        events,
        (position[counts["lsoa_code"]].to_numpy(), band.codes),
        counts["count"].to_numpy(dtype=float),
    )
    population = band_populations(reference).loc[lsoas.index].to_numpy(dtype=float)

    parts = [weights[["org", "lsoa_code", "weight"]]]
    if not (weights["org"] == ENGLAND_CODE).any():  # England is always computed, once
        parts.append(pd.DataFrame({"org": ENGLAND_CODE, "lsoa_code": lsoas.index, "weight": 1.0}))
    both = pd.concat(parts, ignore_index=True)
    both = both[both["weight"] > 0]
    both["_i"] = position.reindex(both["lsoa_code"]).to_numpy()
    both = both.dropna(subset=["_i"]).astype({"_i": "int64"})
    org_order = list(dict.fromkeys(both["org"]))

    keys = {
        "all": np.full(len(lsoas), "All", dtype=object),
        "imd_quintile": lsoas["imd_quintile"].astype(int).astype(str).to_numpy(dtype=object),
        "urban_rural": lsoas["urban_rural"].to_numpy(dtype=object),
        "ruc_code": lsoas["ruc_code"].to_numpy(dtype=object),
    }
    long = pd.concat(
        [
            _weighted_sums(events, population, both, key).assign(dimension=dim)
            for dim, key in keys.items()
        ],
        ignore_index=True,
    )
    # Full grid: every organisation x dimension x group, groups without residents included.
    grid = pd.DataFrame(
        [(o, d, g) for o in org_order for d, groups in DIMENSIONS.items() for g in groups],
        columns=["org", "dimension", "group"],
    )
    person_years = long.assign(population=long["population"] * years)
    totals = person_years.groupby(["org", "dimension", "group"], sort=False)[
        ["events", "population"]
    ].sum()
    out = grid.join(totals, on=["org", "dimension", "group"]).fillna(
        {"events": 0.0, "population": 0.0}
    )

    # Disclosure control, once: every rate below rests on the published counts.
    out["suppressed"] = disclosure.suppressed(out["events"].to_numpy())
    out["count_published"] = disclosure.publish(out["events"].to_numpy())
    factor = pd.Series(
        disclosure.scale(out["events"].to_numpy()),
        index=pd.MultiIndex.from_frame(out[["org", "dimension", "group"]]),
    )
    keys3 = pd.MultiIndex.from_frame(person_years[["org", "dimension", "group"]])
    # A hair above the factor, so that a group's scaled counts never add up (in floating point) to
    # less than its published count, which would hide a rate on exactly 10 published events.
    scaled = factor.reindex(keys3).fillna(0.0).to_numpy() * (1 + 1e-12)
    person_years["events"] = person_years["events"].to_numpy() * scaled

    has_pop = (out["population"] > 0) & ~out["suppressed"]
    crude = rate(
        out.loc[has_pop, "count_published"], out.loc[has_pop, "population"], multiplier=multiplier
    )
    for col in ("value", "lower", "upper"):
        out.loc[has_pop, "crude" if col == "value" else f"crude_{col}"] = crude[col].to_numpy()

    # Age-standardised rates: groups whose 19 bands all have residents, on the scaled counts.
    band_ok = (
        person_years.groupby(["org", "dimension", "group"], sort=False)["population"].transform(
            "min"
        )
        > 0
    )
    standard = person_years[band_ok].sort_values(
        ["org", "dimension", "group", "age_band"], kind="stable"
    )
    if len(standard):
        rates = dsr(
            standard,
            count="events",
            population="population",
            by=["org", "dimension", "group"],
            multiplier=multiplier,
        )
        rates = rates.set_index(["org", "dimension", "group"])[["value", "lower", "upper"]]
        rates.columns = ["dsr", "dsr_lower", "dsr_upper"]
        out = out.join(rates, on=["org", "dimension", "group"])
    else:
        out[["dsr", "dsr_lower", "dsr_upper"]] = np.nan
    for col in ("crude", "crude_lower", "crude_upper"):
        if col not in out:
            out[col] = np.nan
    hidden = out["suppressed"] | (out["count_published"] < MIN_EVENTS_DSR)
    out.loc[hidden, ["dsr", "dsr_lower", "dsr_upper"]] = np.nan
    out.loc[out["suppressed"], ["crude", "crude_lower", "crude_upper"]] = np.nan
    out["crude_published"] = out["crude"]
    out["dsr_published"] = out["dsr"]

    inequality = _inequality(
        out, person_years, org_order, basis=basis, repetitions=repetitions, seed=seed, years=years
    )
    return ActivityResults(
        groups=out,
        inequality=inequality,
        multiplier=float(multiplier),
        years=float(years),
        disclosure=disclosure,
    )


def _inequality(
    out: pd.DataFrame,
    person_years: pd.DataFrame,
    orgs: list[str],
    *,
    basis: str,
    repetitions: int,
    seed: int,
    years: float,
) -> pd.DataFrame:
    """SII, RII, quintile gap and ratio, rural ratio and excess events per organisation."""
    from hi_reports.stats import sii  # on use: scipy, for editions with activity only

    columns = value, lower, upper = (basis, f"{basis}_lower", f"{basis}_upper")
    quint = out[out["dimension"] == "imd_quintile"].copy()
    quint["quintile"] = quint["group"].astype(int)
    result = pd.DataFrame(index=pd.Index(orgs, name="org"))
    result["basis"] = basis

    ok = (
        (quint[value] > 0)
        & np.isfinite(quint[lower])
        & np.isfinite(quint[upper])
        & (quint["population"] > 0)
    )
    complete = ok.groupby(quint["org"]).transform("all")
    usable = quint[complete]
    cols = ["sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"]
    if len(usable):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sii(
                usable,
                quantile="quintile",
                population="population",
                value=value,
                lower=lower,
                upper=upper,
                value_type=1,
                by="org",
                multiplier=-1,
                repetitions=repetitions,
                rii=True,
                seed=seed,
            ).set_index("org")
        result = result.join(fit[cols])
    else:
        result[cols] = np.nan
    result["significant"] = (result["sii_lower"] > 0) | (result["sii_upper"] < 0)

    wide = quint.pivot(index="org", columns="quintile", values=[value, lower, upper]).reindex(orgs)
    for name, ratio in (("gap", False), ("ratio", True)):
        v, lo, hi = _normal_limits(
            _estimate(wide, columns, 1), _estimate(wide, columns, 5), ratio=ratio
        )
        result[name], result[f"{name}_lower"], result[f"{name}_upper"] = v, lo, hi
    ur = (
        out[out["dimension"] == "urban_rural"]
        .pivot(index="org", columns="group", values=[value, lower, upper])
        .reindex(orgs)
    )
    v, lo, hi = _normal_limits(
        _estimate(ur, columns, "Rural"), _estimate(ur, columns, "Urban"), ratio=True
    )
    result["rural_ratio"], result["rural_ratio_lower"], result["rural_ratio_upper"] = v, lo, hi

    # Excess events: observed in quintiles 1-4 minus expected at quintile 5's age-specific rates.
    bands = person_years[person_years["dimension"] == "imd_quintile"]
    q5 = bands[bands["group"] == "5"].set_index(["org", "age_band"])
    with np.errstate(divide="ignore", invalid="ignore"):
        q5_rate = q5["events"] / q5["population"]
    rest = bands[bands["group"] != "5"].join(q5_rate.rename("q5_rate"), on=["org", "age_band"])
    rest["expected"] = rest["population"] * rest["q5_rate"]
    bad = rest["population"].gt(0) & ~np.isfinite(rest["q5_rate"])
    excess = (rest["events"] - rest["expected"].fillna(0.0)).groupby(rest["org"]).sum()
    excess[bad.groupby(rest["org"]).any()] = np.nan
    excess[quint.groupby("org")["suppressed"].any().reindex(excess.index, fill_value=False)] = (
        np.nan
    )
    result["excess_events"] = excess.reindex(orgs)
    result["excess_events_per_year"] = result["excess_events"] / years
    return result


def _three_figures(value: float) -> float:
    """``value`` to three significant figures (84,895 -> 84,900): an estimate, not a count."""
    if not np.isfinite(value) or value == 0:
        return value
    return float(round(value, 2 - int(np.floor(np.log10(abs(value))))))


def activity_figures(
    results: ActivityResults,
    org_code: str,
    measure_name: str = "emergency admissions",
    source: str = "Organisation's own activity data",
    key: str | None = None,
) -> ActivityFigures:
    """The activity figures of one organisation as :class:`Measure` objects, for the chapters.

    Counts are the published (suppressed and rounded) ones; rates are NaN where suppressed.

    Parameters
    ----------
    results
        From :func:`activity_indicators`.
    org_code
        The organisation's key in ``membership``, or :data:`~hi_reports.geography.ENGLAND_CODE`
        for England.
    measure_name
        What the events are, in words (plural): ``"emergency admissions"``.
    source
        The activity data's description, appended to the population and IMD sources.
    key
        The prefix of the measures' keys (default ``activity.<measure>``); England's figures beside
        an organisation's take another, so that a key names one number.
    """
    key = key or f"activity.{_slug(measure_name)}"
    per = f"per {results.multiplier:,.0f} residents a year"
    sources = V2019.sources  # activity is read on the 2019 vintage's geography (DIMENSIONS)
    src = f"{source}; {sources.population}; {sources.imd}; {sources.ruc}"

    rule = results.disclosure
    counted = (
        f" (rounded to {rule.round_to}; 1-{rule.small_max} suppressed)"
        if rule.safe
        else f" ({rule.mark}: true count)"
    )
    rounded = " (rounded to whole person-years)" if rule.safe else ""

    def people(value: float) -> float:
        return float(np.floor(value + 0.5)) if rule.safe else float(value)

    def group_figures(
        dimension: str, group: str, words: str, quintile: int | None = None
    ) -> ActivityGroup:
        table = results.group(org_code, dimension)

        def cell(column: str) -> float:
            return _cell(table, group, column)

        sub = f"{key}.{dimension}.{_slug(group)}"
        return ActivityGroup(
            group=group,
            suppressed=bool(table["suppressed"].astype(bool)[group]),
            events=Measure(
                f"{sub}.events",
                cell("count_published"),
                "count",
                f"{sentence_start(measure_name)} {words}{counted}",
                src,
            ),
            population=Measure(
                f"{sub}.population",
                people(cell("population")),
                "count",
                f"Resident person-years {words}{rounded}",
                src,
            ),
            crude=Measure(
                f"{sub}.crude",
                cell("crude_published"),
                "number",
                f"Crude rate of {measure_name} {per} {words}",
                src,
            ),
            crude_lower=Measure(
                f"{sub}.crude_lower",
                cell("crude_lower"),
                "number",
                f"Lower 95% limit of the crude rate {words}",
                src,
            ),
            crude_upper=Measure(
                f"{sub}.crude_upper",
                cell("crude_upper"),
                "number",
                f"Upper 95% limit of the crude rate {words}",
                src,
            ),
            dsr=Measure(
                f"{sub}.dsr",
                cell("dsr_published"),
                "number",
                f"Rate of {measure_name} {per}, age-standardised (2013 European Standard "
                f"Population) {words}",
                src,
            ),
            dsr_lower=Measure(
                f"{sub}.dsr_lower",
                cell("dsr_lower"),
                "number",
                f"Lower 95% limit (Dobson) of the age-standardised rate {words}",
                src,
            ),
            dsr_upper=Measure(
                f"{sub}.dsr_upper",
                cell("dsr_upper"),
                "number",
                f"Upper 95% limit (Dobson) of the age-standardised rate {words}",
                src,
            ),
            quintile=quintile,
        )

    def ineq(name: str) -> float:
        return _cell(results.inequality, org_code, name)

    basis = "age-standardised" if results.inequality.at[org_code, "basis"] == "dsr" else "crude"

    def number(name: str, definition: str, unit: Unit = "number") -> Measure:
        return Measure(f"{key}.{name}", ineq(name), unit, definition, src)

    per_year = ineq("excess_events_per_year")
    excess = Measure(
        f"{key}.excess_events_per_year",
        float(np.floor(per_year / rule.round_to + 0.5) * rule.round_to)
        if np.isfinite(per_year)
        else float("nan"),
        "count",
        f"{sentence_start(measure_name)} a year above (negative: below) those expected if "
        "residents of national IMD quintiles 1-4 had the age-specific rates of quintile 5"
        + (f" (rounded to {rule.round_to})" if rule.safe else f" ({rule.mark})"),
        src,
    )
    significant = bool(ineq("significant"))

    return ActivityFigures(
        total=group_figures("all", "All", "of all residents"),
        quintiles=tuple(
            group_figures("imd_quintile", q, f"in national IMD quintile {q}", quintile=int(q))
            for q in DIMENSIONS["imd_quintile"]
        ),
        urban_rural=tuple(
            group_figures("urban_rural", g, f"in {g.lower()} LSOAs")
            for g in DIMENSIONS["urban_rural"]
        ),
        ruc_classes=tuple(
            group_figures("ruc_code", g, f"in LSOAs of RUC class {g}")
            for g in DIMENSIONS["ruc_code"]
        ),
        sii=number(
            "sii",
            f"Slope index of inequality of {basis} rates of {measure_name} {per} (positive: higher "
            "in more deprived areas)",
        ),
        sii_lower=number("sii_lower", "Lower 95% limit of the SII (Monte Carlo)"),
        sii_upper=number("sii_upper", "Upper 95% limit of the SII (Monte Carlo)"),
        rii=number(
            "rii",
            f"Relative index of inequality of {basis} rates of {measure_name} (most over least "
            "deprived end)",
        ),
        rii_lower=number("rii_lower", "Lower 95% limit of the RII (Monte Carlo)"),
        rii_upper=number("rii_upper", "Upper 95% limit of the RII (Monte Carlo)"),
        significant=significant,
        # Which way a significant gradient runs, so that no sentence says "rise" of a negative SII.
        # A ratio of the fitted ends is meaningless where the fitted line goes below zero at one
        # end.
        rii_meaningful=bool(np.isfinite(ineq("rii")) and ineq("rii") > 0),
        direction=(
            None
            if not significant or not np.isfinite(ineq("sii"))
            else "rise"
            if ineq("sii") > 0
            else "fall"
        ),
        gap=number(
            "gap", f"Difference of {basis} rates {per}, national IMD quintile 1 minus quintile 5"
        ),
        ratio=number("ratio", f"Ratio of {basis} rates, national IMD quintile 1 over quintile 5"),
        ratio_lower=number("ratio_lower", "Lower 95% limit of the quintile 1/5 rate ratio"),
        ratio_upper=number("ratio_upper", "Upper 95% limit of the quintile 1/5 rate ratio"),
        rural_ratio=number("rural_ratio", f"Ratio of {basis} rates, rural over urban LSOAs"),
        excess_events_per_year=excess,
        # The same, unsigned, with the word that goes with its sign: a negative excess is "more"
        # events under the least deprived quintile's rates, never "about -45 fewer".
        excess_abs=Measure(
            f"{key}.excess_events_abs",
            _three_figures(abs(excess.value)),
            "count",
            "The excess events a year, without their sign, to three significant figures",
            src,
        ),
        excess_word=(
            None if excess.missing or excess.value == 0 else "fewer" if excess.value > 0 else "more"
        ),
    )
