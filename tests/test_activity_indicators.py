"""Activity indicators against an independent computation, and the demo's known gradient recovered.

The independent computation reads the raw population, IMD and ICB lookup CSVs with plain pandas and
applies the published formulas (exact Poisson / Byars limits, Dobson limits) with numpy and scipy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hi_reports.data.demo import demo_activity
from hi_reports.geography import ENGLAND_CODE, membership, resolve
from hi_reports.indicators.activity import SMALL_COUNT_MAX, activity_figures, activity_indicators
from hi_reports.indicators.disclosure import SAFE, UNSAFE

ESP = np.array([5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
                7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000], dtype=float)  # fmt: skip
BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]
Z = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def raw_qhl(data_dir: Path) -> pd.DataFrame:
    """QHL's LSOAs from the raw files: IMD quintile and residents by ESP band (columns BANDS)."""
    lookup = pd.read_csv(next(data_dir.rglob("lookup_lsoa11_sicbl22_icb22_ltla22.csv")))
    lsoas = lookup.loc[lookup["icb22_code_h"] == "QHL", "lsoa11_code"]
    imd = pd.read_csv(
        next(data_dir.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")),
        encoding="utf-8-sig",
    )
    imd = imd.rename(
        columns={
            "LSOA code (2011)": "lsoa11_code",
            "Index of Multiple Deprivation (IMD) Decile": "decile",
        }
    )
    pop = pd.read_csv(next(data_dir.rglob("population20_lsoa11_single_year_of_age.csv")))
    for i, band in enumerate(BANDS):
        pop[band] = pop[[str(a) for a in range(5 * i, 5 * i + 5)] if i < 18 else ["90+"]].sum(
            axis=1
        )
    table = pop[["lsoa11_code", *BANDS]].merge(imd[["lsoa11_code", "decile"]], on="lsoa11_code")
    table = table[table["lsoa11_code"].isin(lsoas)].copy()
    table["quintile"] = (table["decile"] + 1) // 2
    return table


def _byars(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lower = x * (1 - 1 / (9 * x) - Z / (3 * np.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + Z / (3 * np.sqrt(x + 1))) ** 3
    return lower, upper


def _limits(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits below 10 events, Byars from 10."""
    exact_lo = np.where(x > 0, stats.chi2.ppf(0.025, 2 * x) / 2, 0.0)
    exact_hi = stats.chi2.ppf(0.975, 2 * x + 2) / 2
    by_lo, by_hi = _byars(np.maximum(x, 1))
    return np.where(x < 10, exact_lo, by_lo), np.where(x < 10, exact_hi, by_hi)


def _published(total: float) -> float:
    """NHS England's HES rule, written out again: 1 to 7 suppressed (NaN), others to the nearest
    5."""
    if 1 <= total <= 7:
        return np.nan
    return float(np.floor(total / 5 + 0.5) * 5)


def _independent(raw: pd.DataFrame, counts: pd.DataFrame, safe: bool = True) -> pd.DataFrame:
    """Crude and age-standardised rates per 1,000 by quintile, from first principles.

    With ``safe``, from the published counts: the crude rate on the rounded count, the
    age-standardised rate on age-specific counts scaled to add up to it, NaN where suppressed.
    """
    events = counts.pivot_table(
        index="lsoa_code", columns="age_band", values="count", aggfunc="sum", observed=True
    )
    events = events.reindex(index=raw["lsoa11_code"], columns=BANDS).fillna(0).to_numpy()
    rows = []
    for q in range(1, 6):
        mask = (raw["quintile"] == q).to_numpy()
        x = events[mask].sum(axis=0)
        n = raw.loc[mask, BANDS].to_numpy(dtype=float).sum(axis=0)
        true_x, total_n = x.sum(), n.sum()
        total_x = _published(true_x) if safe else true_x
        if safe and true_x > 0:
            x = x * total_x / true_x
        lo, hi = _limits(np.array([total_x]))
        row = {
            "quintile": str(q),
            "events": true_x,
            "population": total_n,
            "crude": total_x / total_n * 1000,
            "crude_lower": lo[0] / total_n * 1000,
            "crude_upper": hi[0] / total_n * 1000,
        }
        value = (ESP * x / n).sum() / ESP.sum() * 1000
        var = (ESP**2 * x / n**2).sum() / ESP.sum() ** 2
        b_lo, b_hi = _byars(np.array([total_x]))
        spread = np.sqrt(var / total_x) * 1000
        row.update(
            dsr=value,
            dsr_lower=value + spread * (b_lo[0] - total_x),
            dsr_upper=value + spread * (b_hi[0] - total_x),
        )
        if not total_x >= 10:  # fewer than 10 published events, or suppressed
            row.update(dsr=np.nan, dsr_lower=np.nan, dsr_upper=np.nan)
        if np.isnan(total_x):
            row.update(crude=np.nan, crude_lower=np.nan, crude_upper=np.nan)
        rows.append(row)
    return pd.DataFrame(rows).set_index("quintile")


@pytest.fixture(scope="module")
def weights(reference) -> pd.DataFrame:
    return membership(reference, "icb")


@pytest.mark.parametrize(
    "safe", [True, pytest.param(False, marks=pytest.mark.slow)], ids=["published", "unsafe"]
)
@pytest.mark.parametrize(
    "base_rate",
    [80.0, pytest.param(0.02, marks=pytest.mark.slow)],
    ids=["many-events", "few-events"],
)
def test_qhl_rates_match_independent_computation(
    reference, weights, raw_qhl, base_rate: float, safe: bool
) -> None:
    counts = demo_activity(reference, seed=11, base_rate_per_1000=base_rate)
    results = activity_indicators(
        counts, reference, weights, repetitions=1000, disclosure=SAFE if safe else UNSAFE
    )
    org = resolve(reference, "QHL").ons_code
    got = results.group(org, "imd_quintile")
    expected = _independent(raw_qhl, counts, safe)
    columns = [
        "events",
        "population",
        "crude",
        "crude_lower",
        "crude_upper",
        "dsr",
        "dsr_lower",
        "dsr_upper",
    ]
    pd.testing.assert_frame_equal(
        got.loc[expected.index, columns],
        expected[columns].astype(float),
        rtol=1e-9,
        check_names=False,
    )
    if base_rate < 1 and safe:  # the small-number rules are exercised
        assert (expected["events"] < 10).any()
        small = got["events"].between(1, SMALL_COUNT_MAX)
        assert small.any()
        assert got.loc[small, "suppressed"].all() and got.loc[small, "count_published"].isna().all()
        assert got.loc[small, "crude_published"].isna().all()
        assert (got.loc[~small, "count_published"] % 5 == 0).all()


@pytest.mark.slow
def test_demo_deprivation_gradient_recovered(reference, weights) -> None:
    counts = demo_activity(reference, rate_ratio_deprivation=1.8, rate_ratio_rural=1.0)
    results = activity_indicators(counts, reference, weights, repetitions=10_000)
    for org in (ENGLAND_CODE, resolve(reference, "QHL").ons_code):
        row = results.inequality.loc[org]
        assert row["ratio_lower"] < 1.8 < row["ratio_upper"], org
        assert row["significant"] and row["sii_lower"] > 0
        assert row["rii_lower"] > 1
        assert row["excess_events"] > 0
        q = results.group(org, "imd_quintile")["dsr"].to_numpy()
        assert np.all(np.diff(q) < 0)  # falls from most to least deprived


@pytest.mark.slow
def test_demo_rural_ratio_recovered(reference, weights) -> None:
    counts = demo_activity(reference, rate_ratio_deprivation=1.0, rate_ratio_rural=1.2)
    results = activity_indicators(counts, reference, weights, repetitions=1000)
    england = results.inequality.loc[ENGLAND_CODE]
    assert england["rural_ratio_lower"] < 1.2 < england["rural_ratio_upper"]
    # No deprivation effect, yet quintile 5 looks worse: it is more rural (confounding).
    assert england["ratio_upper"] < 1.0


@pytest.mark.slow
def test_every_org_at_once_and_england(reference, weights) -> None:
    counts = demo_activity(reference, seed=3)
    results = activity_indicators(counts, reference, weights, repetitions=1000)
    orgs = results.inequality.index
    assert len(orgs) == 43 and ENGLAND_CODE in orgs
    totals = results.groups[results.groups["dimension"] == "all"].set_index("org")
    # ICBs partition England: their events and residents add up to England's.
    assert (
        totals.drop(ENGLAND_CODE)["events"].sum()
        == totals.loc[ENGLAND_CODE, "events"]
        == counts["count"].sum()
    )
    assert totals.drop(ENGLAND_CODE)["population"].sum() == pytest.approx(
        totals.loc[ENGLAND_CODE, "population"]
    )
    for dim in ("imd_quintile", "urban_rural", "ruc_code"):
        by = results.groups[results.groups["dimension"] == dim].groupby("org")["events"].sum()
        assert (by == totals["events"].reindex(by.index)).all()


@pytest.mark.slow
def test_activity_figures_measures(reference, weights) -> None:
    counts = demo_activity(reference, seed=3)
    results = activity_indicators(counts, reference, weights, repetitions=1000, years=2.0)
    org = resolve(reference, "QHL").ons_code
    figures = activity_figures(results, org, "emergency admissions")
    q1 = figures["quintiles"][0]
    assert q1["quintile"] == 1 and q1["dsr"].unit == "number" and q1["events"].unit == "count"
    assert figures.total.quintile is None and "quintile" not in figures.total
    assert q1["dsr"].key == "activity.emergency_admissions.imd_quintile.1.dsr"
    assert q1["crude"].value == pytest.approx(
        q1["events"].value / q1["population"].value * 1000, rel=1e-3
    )
    assert figures["sii"].value == pytest.approx(results.inequality.loc[org, "sii"])
    assert figures["excess_events_per_year"].value % 5 == 0
    assert isinstance(figures["significant"], bool)
    # Rates are per year: two years of the same counts halve them.
    once = activity_indicators(counts, reference, weights, repetitions=1000)
    assert results.headline(org)["dsr"] == pytest.approx(once.headline(org)["dsr"] / 2)


def test_a_rate_on_exactly_ten_published_events_is_shown(reference, weights) -> None:
    """12 events spread over many age bands round to 10; their scaled counts must add up to 10."""
    qhl = reference.lsoas.index[reference.lsoas["icb_ods"] == "QHL"][:12]
    bands = [
        "0-4",
        "5-9",
        "10-14",
        "15-19",
        "20-24",
        "25-29",
        "30-34",
        "35-39",
        "40-44",
        "45-49",
        "50-54",
        "55-59",
    ]
    counts = pd.DataFrame({"lsoa_code": qhl, "age_band": bands, "count": 1})
    results = activity_indicators(counts, reference, weights, repetitions=100)
    total = results.group(resolve(reference, "QHL").ons_code, "all").loc["All"]
    assert total["events"] == 12 and total["count_published"] == 10
    assert np.isfinite(total["dsr"]) and total["crude"] * total[
        "population"
    ] / 1000 == pytest.approx(10)


def test_the_95_percent_quantile_is_the_stats_one_to_the_bit() -> None:
    """The activity indicators hold Φ⁻¹(0.975) as a constant, so that an edition without activity
    never imports scipy; it is the statistics' own value."""
    from hi_reports.indicators.activity import _Z
    from hi_reports.stats import z_value

    assert z_value(0.95) == _Z
