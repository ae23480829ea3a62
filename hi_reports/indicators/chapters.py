"""The figures of each chapter for one organisation, as :class:`Measure` objects.

Each ``*_figures`` function takes the :class:`Profiles` of every organisation of a kind (computed
once) and returns the nested mapping a chapter template reads. Numbers are computed here; the
chapter templates only format and lay them out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hi_reports.data import AGE_GROUPS, DOMAINS, RUC11_CLASSES
from hi_reports.geography import Organisation
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import ENGLAND, Profiles

POPULATION = "ONS mid-2020 LSOA population estimates (SAPE23DT2)"
IMD = "MHCLG English Indices of Deprivation 2019, File 1"
DOMAIN_SOURCE = "MHCLG English Indices of Deprivation 2019, File 2"
RUC = "ONS/Defra Rural Urban Classification 2011 (LSOA)"
LOOKUP = "ONS LSOA (2011) to Sub ICB Location to ICB to LAD (July 2022) lookup"

Figures = dict[str, Any]


def _share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else float("nan")


def _pair(
    key: str, part: pd.Series | pd.DataFrame, whole: pd.Series, org: str, definition: str, source: str
) -> dict[str, Measure]:
    """Residents, share, and England's share of one category."""
    return {
        "residents": Measure(f"{key}.residents", float(part[org]), "count", f"Residents {definition}", source),
        "share": Measure(
            f"{key}.share", _share(part[org], whole[org]), "share", f"Share of residents {definition}", source
        ),
        "england_share": Measure(
            f"{key}.england_share",
            _share(part[ENGLAND], whole[ENGLAND]),
            "share",
            f"Share of England's residents {definition}",
            source,
        ),
    }


def _rank(values: pd.Series, org: str, key: str, definition: str, source: str) -> Measure:
    """Rank of ``org`` among the organisations in ``values`` (1 = highest value)."""
    others = values.drop(ENGLAND, errors="ignore")
    rank = others.rank(ascending=False, method="min")
    return Measure(key, float(rank[org]), "rank", definition, source, of=len(others))


def overview_figures(org: Organisation, profiles: Profiles, lsoas: pd.DataFrame) -> Figures:
    """Figures of the front matter and introduction: population, LSOAs, local authorities."""
    code = org.ons_code
    members = lsoas[lsoas["icb_code"] == code]
    councils = (
        members.groupby(["lad_code", "lad_name"]).size().reset_index(name="n").sort_values("lad_name")
    )
    return {
        "population": Measure(
            "intro.population", float(profiles.population[code]), "count", "Residents, mid-2020", POPULATION
        ),
        "england_population": Measure(
            "intro.england_population",
            float(profiles.population[ENGLAND]),
            "count",
            "Residents of England, mid-2020",
            POPULATION,
        ),
        "share_of_england": Measure(
            "intro.share_of_england",
            _share(profiles.population[code], profiles.population[ENGLAND]),
            "share",
            "Residents as a share of England's residents, mid-2020",
            POPULATION,
        ),
        "lsoas": Measure(
            "intro.lsoas", float(profiles.lsoas[code]), "count", "LSOAs (2011) in the organisation", LOOKUP
        ),
        "local_authorities": Measure(
            "intro.local_authorities",
            float(len(councils)),
            "count",
            "Local authority districts (2022) with LSOAs in the organisation",
            LOOKUP,
        ),
        "local_authority_names": councils["lad_name"].tolist(),
        "organisations_of_kind": Measure(
            "intro.organisations_of_kind",
            float(len(profiles.organisations)),
            "count",
            f"{org.kind_plural} in England",
            LOOKUP,
        ),
    }


def imd_figures(org: Organisation, profiles: Profiles) -> Figures:
    """Figures of the IMD chapter: deciles, Core20, quintiles, domains, age by quintile, rank."""
    code = org.ons_code
    total = profiles.population
    deciles = [
        {"decile": d, **_pair(f"imd.decile_{d}", profiles.imd_decile[d], total, code, f"in national IMD decile {d}", f"{IMD}; {POPULATION}")}
        for d in range(1, 11)
    ]
    quintiles = [
        {"quintile": q, **_pair(f"imd.quintile_{q}", profiles.imd_quintile[q], total, code, f"in national IMD quintile {q}", f"{IMD}; {POPULATION}")}
        for q in range(1, 6)
    ]
    core20_share = profiles.imd_quintile[1] / total
    core20 = {
        **_pair("imd.core20", profiles.imd_quintile[1], total, code, "in the 20% most deprived LSOAs in England (Core20: national IMD deciles 1-2)", f"{IMD}; {POPULATION}"),
        "rank": _rank(core20_share, code, "imd.core20.rank", f"Rank among {org.kind_plural} by Core20 share (1 = highest share)", f"{IMD}; {POPULATION}; {LOOKUP}"),
    }
    domains = []
    for key, title, weight in DOMAINS:
        domains.append(
            {
                "key": key,
                "title": title,
                "weight": Measure(f"imd.domain.{key}.weight", weight, "share", f"Weight of the {title} domain in the IMD", "MHCLG IoD2019 technical report"),
                **_pair(f"imd.domain.{key}", profiles.domain_q1[key], total, code, f"in the most deprived national quintile of the {title} domain", f"{DOMAIN_SOURCE}; {POPULATION}"),
            }
        )
    most = max(domains, key=lambda d: -1.0 if d["share"].missing else d["share"].value)
    age_by_quintile = []
    for q in range(1, 6):
        people = profiles.age_by_quintile[q]
        row_total = people.sum(axis=1)
        row = {"quintile": q, "residents": Measure(f"imd.age.q{q}.residents", float(row_total[code]), "count", f"Residents of national IMD quintile {q}", f"{IMD}; {POPULATION}")}
        for label, _, _ in AGE_GROUPS:
            row[label] = Measure(
                f"imd.age.q{q}.{label}",
                _share(people[label][code], row_total[code]),
                "share",
                f"Share of residents of national IMD quintile {q} aged {label}",
                f"{IMD}; {POPULATION}",
            )
        age_by_quintile.append(row)
    age_total = {
        label: _pair(f"imd.age.{label}", profiles.age[label], total, code, f"aged {label}", POPULATION)
        for label, _, _ in AGE_GROUPS
    }
    return {
        "deciles": deciles,
        "quintiles": quintiles,
        "core20": core20,
        "domains": domains,
        "most_deprived_domain": most,
        "age_by_quintile": age_by_quintile,
        "age": age_total,
    }


def rural_figures(org: Organisation, profiles: Profiles) -> Figures:
    """Figures of the rural chapter: RUC classes, urban/rural, rural by IMD quintile, age, rank."""
    code = org.ons_code
    total = profiles.population
    source = f"{RUC}; {POPULATION}"
    classes = [
        {"code": c, "name": name, "urban_rural": ur, **_pair(f"rural.ruc_{c}", profiles.ruc_class[c], total, code, f"in LSOAs of RUC class {c} ({name})", source)}
        for c, name, ur in RUC11_CLASSES
    ]
    urban = _pair("rural.urban", profiles.urban_rural["Urban"], total, code, "in urban LSOAs (RUC A1-C2)", source)
    rural = _pair("rural.rural", profiles.urban_rural["Rural"], total, code, "in rural LSOAs (RUC D1-E2)", source)
    rural["rank"] = _rank(
        profiles.urban_rural["Rural"] / total, code, "rural.rank", f"Rank among {org.kind_plural} by rural share (1 = most rural)", f"{source}; {LOOKUP}"
    )
    by_quintile = []
    for q in range(1, 6):
        row: dict[str, Any] = {"quintile": q}
        for area in ("Urban", "Rural"):
            lower = area.lower()
            row[lower] = _pair(
                f"rural.{lower}_q{q}",
                profiles.rural_by_quintile[(area, q)],
                profiles.urban_rural[area],
                code,
                f"of {lower} LSOAs who live in national IMD quintile {q}",
                f"{source}; {IMD}",
            )
        by_quintile.append(row)
    ages = {}
    for area in ("Urban", "Rural"):
        people = profiles.age_by_urban_rural[area]
        for label, _, _ in AGE_GROUPS:
            ages[(area.lower(), label)] = _pair(
                f"rural.age.{area.lower()}.{label}",
                people[label],
                profiles.urban_rural[area],
                code,
                f"of {area.lower()} LSOAs aged {label}",
                source,
            )
    age = [
        {"group": label, "urban": ages[("urban", label)], "rural": ages[("rural", label)]}
        for label, _, _ in AGE_GROUPS
    ]
    return {
        "classes": classes,
        "urban": urban,
        "rural": rural,
        "has_rural": bool(profiles.urban_rural["Rural"][code] > 0),
        "has_urban": bool(profiles.urban_rural["Urban"][code] > 0),
        "by_quintile": by_quintile,
        "age": age,
    }
