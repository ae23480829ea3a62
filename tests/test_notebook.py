"""The reproducibility notebook beside each edition's annex; the annex's numbers against the raw
files.

The notebook's code cells are run in this process, in the edition's folder, as Jupyter would run
them in order (no kernel: the tests need no Jupyter). The notebook recomputes the annex with the
package itself (``chapter_context``), so its agreement with the annex cannot show that a number is
wrong. The numbers are therefore also checked here against a recomputation of their own: plain
pandas on the publishers' files in the data folder (IMD 2019 Files 1 and 2, the ONS LSOA 2011 to Sub
ICB Location to ICB to LAD 2022 lookup, the ONS mid-2020 single-year population, RUC 2011, the OHID
trust catchments and the LSOA 2011 to MSOA lookup; for the comparison of vintages the IMD 2025, the
LSOA 2021 to ICB 2024 and LSOA 2011 to 2021 to LAD 2022 lookups and the Census 2021 residents), read
here with nothing of hi_reports' loaders, geography or indicators: an ICB (QHL) with England beside
it, a local authority (Solihull) with its parent ICB, and a trust's catchment (RXK). Each stored
value must agree with it to 1e-9 relative, and each printed number must be a rounding of it at the
precision printed; ranks must match, "joint" included.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

#: Every test builds a whole edition and runs its notebook: `pytest -m "not slow"` leaves them out.
pytestmark = pytest.mark.slow

# The independent recomputation -------------------------------------------------------------------

#: IoD2019 File 2 decile columns of the seven domains, by the annex's domain names.
DOMAINS = {
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "living_environment": "Living Environment",
}
#: The domains' weights in the IMD 2019, as MHCLG publishes them (IoD2019 technical report).
DOMAIN_WEIGHTS = {
    "income": 0.225,
    "employment": 0.225,
    "education": 0.135,
    "health": 0.135,
    "crime": 0.093,
    "barriers": 0.093,
    "living_environment": 0.093,
}
#: RUC 2011 classes of LSOAs in England; D and E are rural. The rural maps group them in pairs.
RUC11 = ("A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2")
RURAL11 = ("D1", "D2", "E1", "E2")
AGES = {"0-15": range(16), "16-64": range(16, 65), "65+": (*range(65, 90), "90+")}


def _csv(data_dir: Path, name: str, **names: str) -> pd.DataFrame:
    """One publisher's file, found by name in the data folder, with columns renamed (``old=new``
    as keyword arguments, or ``columns={...}`` for names that are not identifiers)."""
    columns = names.pop("columns", {})
    frame = pd.read_csv(next(data_dir.rglob(name)), encoding="utf-8-sig")
    return frame.rename(columns={**names, **columns})


@dataclass(frozen=True)
class Raw:
    """The publishers' files, joined per LSOA with plain pandas."""

    #: One row per LSOA 2011 in England: residents (mid-2020) by age band, IMD 2019 and domain
    #: deciles, RUC 2011 class, ICB 2022 (ONS and ODS code), LAD 2022, MSOA 2011.
    lsoa11: pd.DataFrame
    #: One row per LSOA 2021 in England: Census 2021 residents, IMD 2025 decile, ICB 2024, LAD 2022.
    lsoa21: pd.DataFrame
    #: OHID catchments 2019: msoa_code, trust_code, proportion.
    catchment: pd.DataFrame
    #: Census 2021 residents by broad ethnic group (TS021), carried to each LSOA 2011: a 2021
    #: LSOA with one 2011 parent goes to it, one with several is shared by their mid-2020
    #: residents. Columns total, white, mixed, asian, black, other.
    ethnicity11: pd.DataFrame
    #: Census residents of the 2021 LSOAs that had to be shared (several 2011 parents).
    shared: float


def read_raw(data_dir: Path) -> Raw:
    """Read and join the raw files (about a second)."""
    code11 = {"LSOA code (2011)": "lsoa"}
    imd = _csv(
        data_dir,
        "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
        columns=code11 | {"Index of Multiple Deprivation (IMD) Decile": "decile"},
    )
    domains = _csv(
        data_dir,
        "File_2_-_IoD2019_Domains_of_Deprivation.csv",
        columns=code11
        | {
            f"{title} Decile (where 1 is most deprived 10% of LSOAs)": f"domain_{key}"
            for key, title in DOMAINS.items()
        },
    )
    pop = _csv(data_dir, "population20_lsoa11_single_year_of_age.csv", lsoa11_code="lsoa")
    pop = pop[pop["lsoa"].str.startswith("E")]  # the file holds England and Wales
    assert (pop[[str(a) for a in range(90)] + ["90+"]].sum(axis=1) == pop["total_population"]).all()
    ages = pd.DataFrame(
        {band: pop[[str(a) for a in years]].sum(axis=1) for band, years in AGES.items()}
    )
    ages["lsoa"], ages["population"] = pop["lsoa"], pop["total_population"]
    ruc = _csv(data_dir, "ruc11_lsoa11.csv", lsoa11_code="lsoa", ruc11_code="ruc11")
    lookup = _csv(
        data_dir,
        "lookup_lsoa11_sicbl22_icb22_ltla22.csv",
        lsoa11_code="lsoa",
        icb22_code="icb",
        icb22_code_h="icb_ods",
        ltla22_code="lad",
    )
    msoa = _csv(data_dir, "lookup_lsoa11_msoa11.csv", lsoa11_code="lsoa", msoa11_code="msoa")
    lsoa11 = (
        imd[["lsoa", "decile"]]
        .merge(domains[["lsoa", *(f"domain_{k}" for k in DOMAINS)]], on="lsoa", validate="1:1")
        .merge(ages, on="lsoa", validate="1:1")
        .merge(ruc[["lsoa", "ruc11"]], on="lsoa", validate="1:1")
        .merge(lookup[["lsoa", "icb", "icb_ods", "lad"]], on="lsoa", validate="1:1")
        .merge(msoa[["lsoa", "msoa"]], on="lsoa", validate="1:1")
        .set_index("lsoa")
    )
    assert len(lsoa11) == len(imd) == 32_844

    imd25 = _csv(data_dir, "imd2025_england_lsoa21.csv", lsoa21_code="lsoa", IMD_decile="decile")
    census = _csv(
        data_dir,
        "census21_usual_residents_lsoa21_age6.csv",
        lsoa21_code="lsoa",
        total_usual_residents="population",
    )
    icb24 = _csv(data_dir, "lookup_lsoa21_sicbl24_icb24.csv", lsoa21_code="lsoa", icb24_code="icb")
    lad21 = _csv(data_dir, "lookup_lsoa11_lsoa21_ltla22.csv", lsoa21_code="lsoa", ltla22_code="lad")
    lad21 = lad21[["lsoa", "lad"]].drop_duplicates()  # many LSOA 2011 to one LSOA 2021, one LAD
    lsoa21 = (
        imd25[["lsoa", "decile"]]
        .merge(census[["lsoa", "population"]], on="lsoa", validate="1:1")
        .merge(icb24[["lsoa", "icb"]], on="lsoa", validate="1:1")
        .merge(lad21, on="lsoa", validate="1:1")
        .set_index("lsoa")
    )
    assert len(lsoa21) == len(imd25) == 33_755

    ethnic = _csv(
        data_dir,
        "ethnicity_lsoa21.csv",
        lsoa21_code="lsoa",
        total_usual_residents="total",
        mixed_or_multiple_ethnic_groups="mixed",
        asian_asian_british_or_asian_welsh="asian",
        black_black_british_black_welsh_caribbean_or_african="black",
        other_ethnic_group="other",
    ).set_index("lsoa")[list(ETHNIC)]
    bridge = _csv(data_dir, "lookup_lsoa11_lsoa21_ltla22.csv")
    bridge = bridge[bridge["lsoa21_code"].str.startswith("E01")]
    people = bridge["lsoa11_code"].map(lsoa11["population"]).astype(float)
    part = people / people.groupby(bridge["lsoa21_code"]).transform("sum")
    carried = ethnic.loc[bridge["lsoa21_code"]].to_numpy() * part.to_numpy()[:, None]
    ethnicity11 = (
        pd.DataFrame(carried, columns=list(ETHNIC)).groupby(bridge["lsoa11_code"].to_numpy()).sum()
    )
    parents = bridge.groupby("lsoa21_code")["lsoa11_code"].size()
    shared = float(ethnic.loc[parents.index[parents > 1], "total"].sum())
    return Raw(
        lsoa11,
        lsoa21,
        _csv(data_dir, "trust_catchment_msoa11_2019_proportions.csv"),
        ethnicity11.reindex(lsoa11.index),
        shared,
    )


#: The census's five broad ethnic groups and the total, as the tidy columns name them.
ETHNIC = ("total", "white", "mixed", "asian", "black", "other")
MINORITY = ("mixed", "asian", "black", "other")


def plus_figures(raw: Raw, w: pd.Series) -> dict[str, dict[str, float]]:
    """The PLUS chapter's figures of each group (and ``minority``, the four but White): census
    residents, share of all, share in each national IMD 2019 quintile and in Core20, and the
    ratio of the Core20 share to all residents'."""
    t, census = raw.lsoa11, raw.ethnicity11
    w = w.reindex(t.index, fill_value=0.0).astype(float)
    people = census.mul(w, axis=0)
    people["minority"] = people[list(MINORITY)].sum(axis=1)
    quintile = (t["decile"] + 1) // 2
    by_q = people.groupby(quintile).sum().reindex(range(1, 6), fill_value=0.0)
    out = {}
    for group in people.columns:
        residents = by_q[group].sum()
        shares = by_q[group] / residents if residents else by_q[group] * np.nan
        out[group] = {
            "residents": residents,
            "share_of_residents": residents / by_q["total"].sum(),
            "core20": shares[1],
            **{f"quintile_{q}": shares[q] for q in range(1, 6)},
        }
    for group in out:
        out[group]["ratio"] = out[group]["core20"] / out["total"]["core20"]
    out["total"]["core20_minority"] = by_q.loc[1, "minority"] / by_q.loc[1, "total"]
    return out


def plus_expected(raw: Raw, org: Org, parent: pd.Series | None) -> dict[str, float]:
    """Every number of the PLUS chapter and its map that the raw files give, keyed as the annex
    keys them: the organisation's, England's and the parent ICB's (``parent``: its weights)."""
    mine = plus_figures(raw, org.weights)
    england = plus_figures(raw, pd.Series(1.0, index=raw.lsoa11.index))
    out = {f"plus.{g}.{k}": v for g, values in mine.items() for k, v in values.items()}
    out |= {f"plus.{g}.england_core20": england[g]["core20"] for g in england}
    out |= {f"plus.{g}.england_ratio": england[g]["ratio"] for g in england}
    if parent is not None:
        theirs = plus_figures(raw, parent)
        out |= {f"plus.{g}.parent_core20": theirs[g]["core20"] for g in theirs}
        out |= {f"plus.{g}.parent_ratio": theirs[g]["ratio"] for g in theirs}
    out["plus.core20_minority"] = out.pop("plus.total.core20_minority")
    out["plus.shared_residents"] = raw.shared
    out["plus.min_residents"] = 1000.0
    # the map: the Core20 LSOAs drawn, and those where half or more are of the four groups
    drawn = org.weights >= 0.10 if org.kind == "trust" else org.weights > 0
    core = drawn & (raw.lsoa11["decile"] <= 2)
    census = raw.ethnicity11
    half = census[list(MINORITY)].sum(axis=1) / census["total"] >= 0.5
    out["maps.plus.core20_lsoas"] = float(core.sum())
    out["maps.plus.majority_lsoas"] = float((core & half).sum())
    return out


def figures(t: pd.DataFrame, w: pd.Series, drawn: float = 0.0) -> dict[str, float]:
    """An organisation's figures, keyed as the annex keys them, from LSOA weights ``w`` (1 for a
    member LSOA, the catchment share for a trust, 0 or absent outside); the maps draw the LSOAs
    whose weight is above 0, or at least ``drawn`` when it is given (a trust's core catchment)."""
    w = w.reindex(t.index, fill_value=0.0).astype(float)
    member = w > 0
    shown = w >= drawn if drawn else member
    people = t["population"] * w
    quintile = (t["decile"] + 1) // 2
    rural = t["ruc11"].isin(RURAL11)
    total = people.sum()
    out: dict[str, float] = {
        "population": total,
        "lsoas": float(member.sum()),
        "local_authorities": float(t.loc[member, "lad"].nunique()),
    }

    def share(part: float, whole: float) -> float:
        return part / whole if whole else np.nan

    def group(key: str, where: pd.Series, of: pd.Series | None = None) -> None:
        """Residents in ``where`` (of those in ``of``), and their share."""
        base = people if of is None else people[of]
        out[f"{key}.residents"] = base[where if of is None else where[of]].sum()
        out[f"{key}.share"] = share(out[f"{key}.residents"], base.sum())

    group("imd.core20", t["decile"] <= 2)
    for d in range(1, 11):
        group(f"imd.decile_{d}", t["decile"] == d)
        out[f"maps.decile_{d}_lsoas"] = float((shown & (t["decile"] == d)).sum())
    for q in range(1, 6):
        group(f"imd.quintile_{q}", quintile == q)
        group(f"rural.rural_q{q}", quintile == q, of=rural)
        group(f"rural.urban_q{q}", quintile == q, of=~rural)
        in_q = people[quintile == q].sum()
        out[f"imd.age.q{q}.residents"] = in_q
        for band in AGES:
            out[f"imd.age.q{q}.{band}"] = share((t[band] * w)[quintile == q].sum(), in_q)
    for key in DOMAINS:
        group(f"imd.domain.{key}", t[f"domain_{key}"] <= 2)
        out[f"imd.domain.{key}.weight"] = DOMAIN_WEIGHTS[key]
    for band in AGES:
        out[f"imd.age.{band}.share"] = (t[band] * w).sum() / total
        for name, where in (("rural", rural), ("urban", ~rural)):
            residents = (t[band] * w)[where].sum()
            out[f"rural.age.{name}.{band}.residents"] = residents
            out[f"rural.age.{name}.{band}.share"] = share(residents, people[where].sum())
    group("rural.rural", rural)
    group("rural.urban", ~rural)
    for ruc in RUC11:
        group(f"rural.ruc_{ruc}", t["ruc11"] == ruc)
    out["maps.lsoas"] = float(shown.sum())
    out["maps.core20_lsoas"] = float((shown & (t["decile"] <= 2)).sum())
    out["maps.core20_lsoa_share"] = out["maps.core20_lsoas"] / out["maps.lsoas"]
    out["maps.rural_lsoas"] = float((shown & rural).sum())
    for i, pair in enumerate((RUC11[0:2], RUC11[2:4], RUC11[4:6], RUC11[6:8]), start=1):
        out[f"maps.ruc_group_{i}_lsoas"] = float((shown & t["ruc11"].isin(pair)).sum())
    return out


def core20_2025(raw: Raw, w21: pd.Series) -> float:
    """Core20 share on the IMD 2025, LSOA 2021 and Census 2021 residents."""
    people = raw.lsoa21["population"] * w21.reindex(raw.lsoa21.index, fill_value=0.0)
    return people[raw.lsoa21["decile"] <= 2].sum() / people.sum()


def printed_rank(shares: pd.Series, code: str, digits: int) -> tuple[int, bool]:
    """Rank of ``code`` by share, 1 = highest, organisations whose shares print the same (to
    ``digits`` decimals of a percentage) sharing it; and whether it is shared."""
    shown = shares.map(lambda v: round(v * 100, digits))
    return int((shown > shown[code]).sum()) + 1, bool((shown == shown[code]).sum() > 1)


@dataclass(frozen=True)
class Org:
    """An organisation as the raw files define it: its LSOA weights and those of the kind."""

    code: str  # as in the annex
    kind: str
    weights: pd.Series  # over LSOA 2011
    weights21: pd.Series | None  # over LSOA 2021, for the comparison of vintages
    #: Every organisation of its kind: the column of ``lsoa11`` naming it (None: not ranked here).
    kind_column: str | None


def icb(raw: Raw, ods: str) -> Org:
    """An ICB by its ODS code: its LSOAs 2011 (July 2022) and 2021 (April 2024, same ONS code)."""
    ons = raw.lsoa11.loc[raw.lsoa11["icb_ods"] == ods, "icb"].iloc[0]
    weights, weights21 = (raw.lsoa11["icb_ods"] == ods), (raw.lsoa21["icb"] == ons)
    return Org(ods, "icb", weights.astype(float), weights21.astype(float), "icb")


def la(raw: Raw, code: str) -> Org:
    """A local authority district (2022) by its ONS code."""
    weights, weights21 = (raw.lsoa11["lad"] == code), (raw.lsoa21["lad"] == code)
    return Org(code, "la", weights.astype(float), weights21.astype(float), "lad")


def trust(raw: Raw, code: str) -> Org:
    """An acute trust: each LSOA weighted by its MSOA's share of admitted patients (OHID, 2019)."""
    share = raw.catchment[raw.catchment["trust_code"] == code].set_index("msoa_code")["proportion"]
    return Org(code, "trust", raw.lsoa11["msoa"].map(share).fillna(0.0), None, None)


def beside(other: dict[str, float], column: str) -> dict[str, float]:
    """The shares of a comparison column (England, the parent ICB): ``X.share`` as ``X.column``."""
    return {k.removesuffix("share") + column: v for k, v in other.items() if k.endswith(".share")}


def expected(raw: Raw, org: Org) -> dict[str, float]:
    """Every number of ``org``'s annex that the raw files give, keyed as the annex keys them."""
    t = raw.lsoa11
    core = 0.10 if org.kind == "trust" else 0.0  # a trust's maps: LSOAs sending it 10% or more
    mine, england = figures(t, org.weights, drawn=core), figures(t, pd.Series(1.0, index=t.index))
    out = {k: v for k, v in mine.items() if k not in ("population", "lsoas", "local_authorities")}
    out |= {
        "intro.population": mine["population"],
        "intro.lsoas": mine["lsoas"],
        "intro.local_authorities": mine["local_authorities"],
        "intro.share_of_england": mine["population"] / england["population"],
        "intro.england_population": england["population"],
        "intro.england_lsoas": float(len(t)),
        "imd.vintage_2019.core20": mine["imd.core20.share"],
    }
    out |= beside(england, "england_share")
    # the parent ICB: the ICB holding most of the organisation's residents
    parent_weights = None
    if org.kind != "icb":
        by_icb = (t["population"] * org.weights).groupby(t["icb_ods"]).sum()
        parent_weights = (t["icb_ods"] == by_icb.idxmax()).astype(float)
        parent = figures(t, parent_weights)
        out["intro.parent_population"] = parent["population"]
        out |= beside(parent, "parent_share")
    out |= plus_expected(raw, org, parent_weights)
    if org.kind == "trust":  # the ICBs holding 10% or more of the catchment's residents are named
        in_icb = by_icb[by_icb > 0] / by_icb.sum()
        named = in_icb[in_icb >= 0.10]
        ons = t.groupby("icb_ods")["icb"].first()
        out |= {f"intro.parent.{ons[code]}.share": share for code, share in named.items()}
        out["intro.parent.other.count"] = float(len(in_icb) - len(named))
        out["intro.parent.other.share"] = 1.0 - named.sum()
        out["maps.catchment.core_lsoas"] = float((org.weights >= 0.10).sum())
        out["maps.catchment.half_lsoas"] = float((org.weights >= 0.50).sum())
    if org.weights21 is not None:
        out["imd.vintage_2025.core20"] = core20_2025(raw, org.weights21)
    if org.kind_column is not None:
        out["intro.organisations_of_kind"] = float(t[org.kind_column].nunique())
    out |= headline_columns(t, org, mine)
    return out


#: The shares of the executive summary's headline table, each of all residents.
HEADLINE = ("imd.core20", "imd.quintile_5", "rural.rural", "imd.age.0-15", "imd.age.65+")


def headline_columns(t: pd.DataFrame, org: Org, mine: dict[str, float]) -> dict[str, float]:
    """The headline table's other columns: each share's Wilson score 95% limits (Wilson 1927, with
    z = Φ⁻¹(0.975)), and the lowest and highest share among the three organisations of the kind
    whose residents are spread most alike over the ten national IMD deciles (Euclidean distance)."""
    from scipy.stats import norm

    z, n = norm.ppf(0.975), mine["population"]
    out = {}
    for key in HEADLINE:
        x = mine[f"{key}.share"] * n
        root = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        out[f"{key}.lower"] = (2 * x + z**2 - root) / (2 * (n + z**2))
        out[f"{key}.upper"] = (2 * x + z**2 + root) / (2 * (n + z**2))
    if org.kind_column is None:
        return out
    me = t.loc[org.weights > 0, org.kind_column].iloc[0]
    deciles = t.pivot_table(
        index=org.kind_column, columns="decile", values="population", aggfunc="sum", fill_value=0
    )
    profile = deciles.div(deciles.sum(axis=1), axis=0)
    distance = np.sqrt(((profile.drop(me) - profile.loc[me]) ** 2).sum(axis=1))
    closest = distance.sort_values(kind="stable").index[:3]
    others = [figures(t, (t[org.kind_column] == code).astype(float)) for code in closest]
    for key in HEADLINE:
        shares = [other[f"{key}.share"] for other in others]
        out[f"{key}.similar_low"], out[f"{key}.similar_high"] = min(shares), max(shares)
    return out


def ranks(
    raw: Raw, org: Org, core20_digits: int, rural_digits: int
) -> dict[str, tuple[int, bool, int]]:
    """Core20 and rural ranks among the organisations of the kind: rank, shared, of how many."""
    t = raw.lsoa11
    key = t[org.kind_column]
    code = t.loc[org.weights > 0, org.kind_column].iloc[0]
    everyone = t["population"].groupby(key).sum()
    core20 = t["population"].where(t["decile"] <= 2, 0).groupby(key).sum() / everyone
    rural = t["population"].where(t["ruc11"].isin(RURAL11), 0).groupby(key).sum() / everyone
    return {
        "imd.core20.rank": (*printed_rank(core20, code, core20_digits), len(core20)),
        "rural.rank": (*printed_rank(rural, code, rural_digits), len(rural)),
    }


_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_WORDS = {
    "no": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_RANK = re.compile(r"^(joint )?(\d+)(?:st|nd|rd|th) of (\d+)$")


def disagreements(
    annex: pd.DataFrame, want: dict[str, float], ranked: dict | None = None, column: str = "value"
) -> list[str]:
    """Rows of ``annex`` whose stored value (``column``) or printed text disagrees with ``want``;
    keys ``want`` lacks are not checked here. A printed number must be a rounding of the raw value
    at the precision printed (either way on a tie)."""
    problems = []
    for row in annex.itertuples():
        where = f"{row.organisation} {row.key} (chapter {row.chapter})"
        got = float(getattr(row, column))
        if row.key in (ranked or {}):
            rank, shared, of = ranked[row.key]
            text = f"{'joint ' if shared else ''}rank {rank} of {of}"
            match = _RANK.match(str(row.printed))
            read = match and (bool(match[1]), int(match[2]), int(match[3]))
            if got != rank or read != (shared, rank, of):
                problems.append(f"{where}: annex {got!r} printed {row.printed!r}, raw files {text}")
            continue
        if row.key not in want:
            continue
        value = float(want[row.key])
        if not np.isclose(got, value, rtol=1e-9, atol=1e-12, equal_nan=True):
            problems.append(f"{where}: annex {got!r}, raw files {value!r}")
            continue
        if column != "value" or row.unit not in ("share", "count"):
            continue
        if np.isnan(value):
            if row.printed != "n/a":
                problems.append(f"{where}: printed {row.printed!r}, raw files n/a")
            continue
        text = str(row.printed)
        found = _NUMBER.search(text)
        if found:
            shown, digits = float(found[0].replace(",", "")), len(found[0].partition(".")[2])
        elif text.split(" ", 1)[0] in _WORDS:
            shown, digits = float(_WORDS[text.split(" ", 1)[0]]), 0
        else:
            problems.append(f"{where}: printed {text!r} holds no number")
            continue
        scaled = value * 100 if row.unit == "share" else value
        if abs(shown - scaled) > 0.5 * 10.0**-digits + 1e-9:
            problems.append(f"{where}: printed {text!r}, raw files {scaled!r}")
    return problems


#: Keys every ICB and local authority annex must hold (so that a renamed key cannot pass unchecked).
REQUIRED = (
    "intro.population",
    "intro.lsoas",
    "intro.share_of_england",
    "intro.local_authorities",
    "intro.england_population",
    "intro.england_lsoas",
    "intro.organisations_of_kind",
    *(f"imd.decile_{d}.{s}" for d in range(1, 11) for s in ("residents", "share", "england_share")),
    *(
        f"imd.quintile_{q}.{s}"
        for q in range(1, 6)
        for s in ("residents", "share", "england_share")
    ),
    "imd.core20.share",
    "imd.core20.residents",
    "imd.core20.england_share",
    "imd.core20.rank",
    *(
        f"imd.domain.{k}.{s}"
        for k in DOMAINS
        for s in ("residents", "share", "england_share", "weight")
    ),
    "imd.age.65+.share",
    "imd.age.65+.england_share",
    "imd.age.0-15.share",
    "rural.rural.share",
    "rural.rural.residents",
    "rural.rural.england_share",
    "rural.rank",
    "imd.vintage_2019.core20",
    "imd.vintage_2025.core20",
    "maps.lsoas",
    "maps.core20_lsoas",
)


@pytest.fixture(scope="module")
def raw(data_dir: Path) -> Raw:
    """The raw files, read once with plain pandas."""
    return read_raw(data_dir)


@pytest.fixture(scope="module")
def la_edition(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    """Solihull's edition (E08000029, in QHL), HTML only."""
    out = tmp_path_factory.mktemp("la")
    request = EditionRequest("E08000029", out, kind="la", formats=("html",), engine="builtin")
    return build_edition(request, data_dir=data_dir)


def check_annex(annex: pd.DataFrame, raw: Raw, org: Org, column: str = "value") -> list[str]:
    """The disagreements of an annex (or the notebook's recomputation of it) with the raw files."""

    def digits(key: str) -> int:  # the precision at which the ranked share is printed
        shares = annex.loc[annex["key"] == key, "printed"]
        return len(_NUMBER.search(shares.iloc[0])[0].partition(".")[2]) if len(shares) else 1

    ranked = None
    if org.kind_column:
        ranked = ranks(raw, org, digits("imd.core20.share"), digits("rural.rural.share"))
    return disagreements(annex, expected(raw, org), ranked, column)


# The tests ---------------------------------------------------------------------------------------


def run_notebook(
    folder: Path, data_dir: Path | None = None, activity_dir: Path | None = None
) -> tuple[dict, str]:
    """Run the code cells of ``folder/reproduce.ipynb`` in ``folder``; return their names and
    output.

    The notebook holds no path: the data folder and the activity files' folder are given as a user
    gives them, in ``$HI_REPORTS_DATA`` and ``$HI_REPORTS_ACTIVITY_DIR``.
    """
    from .conftest import DATA_DIR

    book = nbformat.read(str(folder / "reproduce.ipynb"), as_version=4)
    nbformat.validate(book)
    namespace: dict = {}
    printed = io.StringIO()
    cwd = os.getcwd()
    saved = {k: os.environ.get(k) for k in ("HI_REPORTS_DATA", "HI_REPORTS_ACTIVITY_DIR")}
    os.environ["HI_REPORTS_DATA"] = str(data_dir or DATA_DIR)
    if activity_dir is not None:
        os.environ["HI_REPORTS_ACTIVITY_DIR"] = str(activity_dir)
    os.chdir(folder)
    try:
        with redirect_stdout(printed):
            for cell in book.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, "reproduce.ipynb", "exec"), namespace)
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return namespace, printed.getvalue()


@pytest.mark.parametrize(
    ("fixture", "make"),
    [("edition", lambda raw: icb(raw, "QHL")), ("la_edition", lambda raw: la(raw, "E08000029"))],
    ids=["QHL", "E08000029"],
)
def test_the_annex_agrees_with_the_raw_files(
    fixture: str, make, raw: Raw, request: pytest.FixtureRequest
) -> None:
    """Every number of the annex that the raw files give, stored and printed, for the ICB (with
    England beside it) and for a local authority (with its parent ICB and England)."""
    built = request.getfixturevalue(fixture)
    annex = pd.read_csv(built.annex)
    org = make(raw)
    assert set(annex["organisation"]) == {org.code}
    absent = [k for k in REQUIRED if k not in set(annex["key"])]
    assert not absent, f"the annex lacks {absent}"
    if org.kind == "la":
        parent = {"intro.parent_population", "imd.core20.parent_share", "rural.rural.parent_share"}
        assert parent <= set(annex["key"])
    problems = check_annex(annex, raw, org)
    assert not problems, "\n".join(problems)
    # and most of the annex is checked (the rest: rates of activity, if any)
    checked = annex["key"].isin(expected(raw, org).keys() | {"imd.core20.rank", "rural.rank"})
    assert checked.mean() > 0.95, sorted(set(annex.loc[~checked, "key"]))


def test_the_notebook_reproduces_every_number_of_the_annex(edition, raw: Raw) -> None:
    namespace, out = run_notebook(edition.folder)
    annex = pd.read_csv(edition.annex)
    assert f"{len(annex)} of {len(annex)} numbers of the annex reproduced" in out
    assert "NHS Birmingham and Solihull Integrated Care Board | vintage 2019" in out
    want = expected(raw, icb(raw, "QHL"))
    population, lsoas = want["intro.population"], want["intro.lsoas"]
    assert f"{population:,.0f} residents in {lsoas:,.0f} LSOAs" in out
    core20, rural = want["imd.core20.share"], want["rural.rural.share"]
    assert f"Core20 share {core20:.1%}, rural share {rural:.1%}: as the annex has them" in out
    assert namespace["core20"] == pytest.approx(core20, rel=1e-12)
    assert namespace["rural"] == pytest.approx(rural, rel=1e-12)
    # what the notebook recomputed with the package, against the raw files
    check = namespace["check"]
    assert check["recomputed"].notna().all()
    problems = check_annex(check, raw, icb(raw, "QHL"), column="recomputed")
    assert not problems, "\n".join(problems)


def test_the_notebook_fails_on_an_annex_that_was_changed(edition, tmp_path: Path) -> None:
    folder = tmp_path / "QHL"
    shutil.copytree(
        edition.folder, folder, ignore=shutil.ignore_patterns("html", "project", "*.pdf", "*.docx")
    )
    annex = pd.read_csv(folder / "annex.csv")
    row = annex.index[annex["key"] == "rural.rank"][0]
    annex.loc[row, "value"] += 1
    annex.to_csv(folder / "annex.csv", index=False)
    with pytest.raises(AssertionError, match=re.escape("rural.rank")):
        run_notebook(folder)


@pytest.mark.parametrize(
    ("code", "kind", "activity"),
    [("RXK", "trust", ()), ("QHL", "icb", (ActivitySpec("Emergency admissions", demo=True),))],
)
def test_the_notebook_of_a_trust_and_of_an_edition_with_activity(
    code: str, kind: str, activity: tuple, data_dir: Path, raw: Raw, tmp_path: Path
) -> None:
    built = build_edition(
        EditionRequest(code, tmp_path, kind=kind, formats=("html",), activity=activity),
        data_dir=data_dir,
    )
    source = (built.folder / "reproduce.ipynb").read_text(encoding="utf-8")
    assert ("demo" in source) == bool(activity)
    _, out = run_notebook(built.folder)
    annex = pd.read_csv(built.annex)
    assert f"{len(annex)} of {len(annex)} numbers of the annex reproduced" in out
    # the residents' figures of the trust's catchment (weighted LSOAs), and those the activity
    # leaves as they were, against the raw files
    org = trust(raw, code) if kind == "trust" else icb(raw, code)
    problems = check_annex(annex, raw, org)
    assert not problems, "\n".join(problems)
    assert {"intro.population", "imd.core20.share", "rural.rural.share"} <= set(annex["key"])
