"""Make the synthetic reference data of the tests: vintage 2019, in the publishers' layouts.

``python tests/synthetic/make.py [FOLDER]`` writes the files (default: ``data/`` beside this
script). The output is the same byte for byte on every run and platform: the script uses only
the standard library, and its random numbers come from :class:`random.Random` with a fixed seed
(its ``random()`` sequence is stable across Python versions), so the committed copy can be checked
against a fresh run (``tests/test_synthetic.py``).

The made-up country is a grid of 20 x 16 square neighbourhoods (LSOAs) of about 1 km, 2 x 2 of them
to an MSOA, near the Peak District: two ICBs, "NHS Synthetic North Integrated Care Board" (the
north half) and "NHS Synthetic South Integrated Care Board", each with two Sub ICB Locations, and
five local authorities ("Synthetic Metropolitan", ...), and two acute trusts whose catchments cover
every MSOA. Codes have the shape of the real ones (E01, E02, E38, E54, E06/E07/E08); names say
"Synthetic" everywhere. Nothing here describes a real place.

Each file has the name, column titles and quirks of the reference copy the catalogue
(``hi_reports/data/catalogue.py``) reads for vintage 2019: MHCLG's IoD2019 Files 1, 2 and 6 (UTF-8
with a byte-order mark, long titles, quoted thousands separators in File 6), ONS's mid-2020 single
year of age estimates and RUC 2011 (with a few Welsh rows, which the loaders drop), the LSOA to
Sub ICB Location to ICB to LAD lookup, the LSOA to MSOA lookup, OHID's trust catchments, the ODS
trust names and the LSOA boundaries as GeoJSON (EPSG:4326, one MultiPolygon per LSOA). For the
census ethnic groups, which every edition reads on LSOA 2021: ONS's LSOA 2011 to 2021 lookup (its
feature service's titles, LSOA11CD ... CHGIND, with two LSOAs split, two pairs merged and three
redrawn as two: :data:`SPLITS`, :data:`MERGES`, :data:`COMPLEX`) and Nomis's bulk Census 2021 TS021
file on LSOA 2021 (with Welsh rows and two of the detailed categories, which the loaders do not
read), in which ethnic minorities make up more of the residents the more deprived the LSOA.

Deprivation is consistent as in the real indices: each LSOA has seven domain scores; its IMD score
is their weighted sum with MHCLG's weights; ranks run from 1 (most deprived) to the number of
LSOAs; deciles are cut from the ranks in tenths (32 LSOAs each); File 2 repeats File 1's IMD rank
and decile.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20261201
NX, NY = 20, 16
#: The south-west corner of the grid (degrees) and the size of one LSOA square.
LON0, LAT0, DLON, DLAT = -1.9, 53.1, 0.015, 0.009

#: (tidy prefix, title, weight) of the seven IoD2019 domains, as in hi_reports.data.catalogue.
DOMAINS = (
    ("income", "Income", 0.225),
    ("employment", "Employment", 0.225),
    ("education", "Education, Skills and Training", 0.135),
    ("health", "Health Deprivation and Disability", 0.135),
    ("crime", "Crime", 0.093),
    ("barriers", "Barriers to Housing and Services", 0.093),
    ("living_environment", "Living Environment", 0.093),
)

ICBS = {
    "north": ("E54000901", "QZN", "NHS Synthetic North Integrated Care Board"),
    "south": ("E54000902", "QZS", "NHS Synthetic South Integrated Care Board"),
}


@dataclass(frozen=True)
class District:
    """A local authority: its code, name, Sub ICB Location, ICB, columns ``x0 <= x < x1`` and rows
    ``y0 <= y < y1`` of the grid, how deprived it is on the whole and its RUC 2011 classes."""

    code: str
    name: str
    sicbl: tuple[str, str]  # ONS code, ODS code
    icb: str
    x0: int
    x1: int
    y0: int
    y1: int
    deprivation: float
    ruc: tuple[str, ...]


DISTRICTS = (
    District(
        "E08000901",
        "Synthetic Metropolitan",
        ("E38000901", "95A"),
        "north",
        0,
        10,
        8,
        16,
        1.0,
        ("A1",),
    ),
    District(
        "E07000901",
        "Synthetic Dales",
        ("E38000902", "95B"),
        "north",
        10,
        14,
        8,
        16,
        0.35,
        ("C1", "D1", "D1", "E1"),
    ),
    District(
        "E07000902",
        "Synthetic Fells",
        ("E38000902", "95B"),
        "north",
        14,
        20,
        8,
        16,
        0.2,
        ("D1", "D2", "E1", "E2", "C2"),
    ),
    District(
        "E06000901",
        "Synthetic City",
        ("E38000903", "96A"),
        "south",
        0,
        12,
        0,
        8,
        0.65,
        ("C1", "C1", "C1", "B1"),
    ),
    District(
        "E06000902",
        "Synthetic Shire",
        ("E38000904", "96B"),
        "south",
        12,
        20,
        0,
        8,
        0.3,
        ("C1", "D1", "E1", "E1"),
    ),
)

RUC_NAMES = {
    "A1": ("Urban", "Urban conurbation", "Urban major conurbation"),
    "B1": ("Urban", "Urban conurbation", "Urban minor conurbation"),
    "C1": ("Urban", "Urban city and town", "Urban city and town"),
    "C2": ("Urban", "Urban city and town", "Urban city and town in a sparse setting"),
    "D1": ("Rural", "Rural town and fringe", "Rural town and fringe"),
    "D2": ("Rural", "Rural town and fringe", "Rural town and fringe in a sparse setting"),
    "E1": ("Rural", "Rural village", "Rural village"),
    "E2": ("Rural", "Rural village", "Rural village in a sparse setting"),
}

#: The acute trusts: ODS code, name (title-cased as in the ODS-derived copy), and the grid cell
#: (MSOA column and row) of the hospital.
TRUSTS = (
    ("R9N", "Synthetic North Teaching Hospitals NHS Foundation Trust", (2, 6)),
    ("R9S", "Synthetic South And Vale Hospitals NHS Trust", (6, 1)),
)

#: Welsh LSOAs in the population and RUC files (England and Wales in ONS's files): dropped on
#: reading.
WELSH = ("W01009901", "W01009902", "W01009903")

FILES = {
    "imd": "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
    "domains": "File_2_-_IoD2019_Domains_of_Deprivation.csv",
    "denominators": "File_6_-_IoD2019_Population_Denominators.csv",
    "population": "population20_lsoa11_single_year_of_age.csv",
    "ruc": "ruc11_lsoa11.csv",
    "lookup": "lookup_lsoa11_sicbl22_icb22_ltla22.csv",
    "msoa": "lookup_lsoa11_msoa11.csv",
    "catchment": "trust_catchment_msoa11_2019_proportions.csv",
    "trusts": "nhs_trusts_names.csv",
    "boundaries": "lsoa11_bsc_england.geojson",
    "bridge": "lookup_lsoa11_lsoa21_ltla22.csv",
    "ethnicity": "census2021-ts021-lsoa.csv",
}

#: The LSOAs 2011 (by position in the list of :func:`make_lsoas`) redrawn in 2021, each within one
#: MSOA: split in two (S), merged in pairs (M), and three redrawn as two (X: the first two make
#: one LSOA 2021, the last two the other).
SPLITS = (5, 170)
MERGES = ((40, 41), (200, 201))
COMPLEX = (100, 101, 102)

#: The titles of Nomis's bulk Census 2021 TS021 file used here: the five broad groups, with two of
#: the 19 detailed categories (which the loaders do not read) after their group, as Nomis orders
#: them.
TS021_TITLES = (
    "Ethnic group: Asian, Asian British or Asian Welsh",
    "Ethnic group: Asian, Asian British or Asian Welsh: Pakistani",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
    "Ethnic group: Mixed or Multiple ethnic groups",
    "Ethnic group: White",
    "Ethnic group: White: English, Welsh, Scottish, Northern Irish or British",
    "Ethnic group: Other ethnic group",
)


@dataclass
class Lsoa:
    """One synthetic LSOA and everything the files say about it."""

    code: str
    name: str
    x: int
    y: int
    district: District
    msoa: str
    msoa_name: str
    ruc: str = ""
    domain_scores: tuple[float, ...] = ()
    imd_score: float = 0.0
    ages: tuple[int, ...] = ()


def district_of(x: int, y: int) -> District:
    """The district holding a grid cell.

    Parameters
    ----------
    x, y
        Column (0 = west) and row (0 = south) of the cell.

    Returns
    -------
    District
        The district of :data:`DISTRICTS` whose rectangle holds the cell.
    """
    return next(d for d in DISTRICTS if d.x0 <= x < d.x1 and d.y0 <= y < d.y1)


def make_lsoas(rng: random.Random) -> list[Lsoa]:
    """Make the LSOAs with their names, MSOAs, domain and IMD scores and RUC classes.

    Parameters
    ----------
    rng
        The generator every random number comes from (the order of the calls matters).

    Returns
    -------
    list of Lsoa
        Numbered district by district, and MSOA by MSOA from north-west, as ONS numbers them; an
        LSOA's name is its MSOA's name and a letter.
    """
    lsoas: list[Lsoa] = []
    msoa_number = 0
    for district in DISTRICTS:
        number_in_district = 0
        for my in range(district.y1 // 2 - 1, district.y0 // 2 - 1, -1):  # north to south
            for mx in range(district.x0 // 2, district.x1 // 2):
                msoa_number += 1
                number_in_district += 1
                msoa = f"E02{6500 + msoa_number:06d}"
                msoa_name = f"{district.name} {number_in_district:03d}"
                cells = [
                    (2 * mx, 2 * my + 1),
                    (2 * mx + 1, 2 * my + 1),
                    (2 * mx, 2 * my),
                    (2 * mx + 1, 2 * my),
                ]
                for letter, (x, y) in zip("ABCD", cells, strict=True):
                    code = f"E01{32500 + len(lsoas) + 1:06d}"
                    lsoas.append(
                        Lsoa(code, f"{msoa_name}{letter}", x, y, district, msoa, msoa_name)
                    )
    for lsoa in lsoas:
        d = lsoa.district
        # Deprivation is highest at the middle of the metropolitan district and the city.
        centre = math.hypot(lsoa.x - (d.x0 + d.x1) / 2, lsoa.y - (d.y0 + d.y1) / 2)
        base = 50 * d.deprivation * math.exp(-centre / 6) + 8
        lsoa.domain_scores = tuple(
            round(max(0.5, base * (0.6 + 0.8 * rng.random()) + 6 * rng.random()), 3)
            for _ in DOMAINS
        )
        lsoa.imd_score = round(
            sum(w * s for (_, _, w), s in zip(DOMAINS, lsoa.domain_scores, strict=True)), 3
        )
        lsoa.ruc = d.ruc[int(rng.random() * len(d.ruc))]
    return lsoas


def ranks(scores: Sequence[float], codes: Sequence[str]) -> list[int]:
    """Rank scores as MHCLG ranks the indices.

    Parameters
    ----------
    scores
        One score per LSOA; higher is more deprived.
    codes
        The LSOAs' codes, which break ties.

    Returns
    -------
    list of int
        1 for the highest score (most deprived) to ``len(scores)``, in the order of ``scores``.
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], codes[i]))
    result = [0] * len(scores)
    for rank, i in enumerate(order, start=1):
        result[i] = rank
    return result


def decile(rank: int, n: int) -> int:
    """The decile of a rank, as MHCLG cuts them.

    Parameters
    ----------
    rank
        1 (most deprived) to ``n``.
    n
        The number of LSOAs ranked.

    Returns
    -------
    int
        1 for the most deprived tenth of ranks to 10 for the least.
    """
    return (rank - 1) * 10 // n + 1


def make_ages(rng: random.Random, lsoa: Lsoa, deprivation_decile: int) -> tuple[int, ...]:
    """Draw an LSOA's residents by single year of age.

    Parameters
    ----------
    rng
        The generator.
    lsoa
        The LSOA (its RUC class: rural areas are older).
    deprivation_decile
        Its IMD decile (deprived areas are younger).

    Returns
    -------
    tuple of int
        91 counts: ages 0 to 89, then 90 and over.
    """
    size = 1100 + int(1300 * rng.random())
    young = 1 + 0.06 * (10 - deprivation_decile)
    old = 1.5 if RUC_NAMES[lsoa.ruc][0] == "Rural" else 1.0
    weights = []
    for age in range(91):
        w = 1.0 if age < 60 else math.exp(-(age - 60) / 11)
        if age == 90:
            w = 3.5 * math.exp(-30 / 11)  # 90 and over
        w *= young if age < 30 else 1.0
        w *= old if age >= 50 else 1.0
        weights.append(w * (0.8 + 0.4 * rng.random()))
    total = sum(weights)
    return tuple(int(size * w / total + rng.random()) for w in weights)


@dataclass(frozen=True)
class Lsoa21:
    """One synthetic LSOA 2021: its code, name, local authority and the LSOAs 2011 it comes
    from, with the share of each one's residents it takes, and its change code."""

    code: str
    name: str
    district: District
    parents: tuple[tuple[Lsoa, float], ...]
    change: str


def make_lsoas21(lsoas: Sequence[Lsoa]) -> list[Lsoa21]:
    """Redraw the LSOAs 2011 as LSOAs 2021: most unchanged, those of :data:`SPLITS`,
    :data:`MERGES` and :data:`COMPLEX` as those say.

    Parameters
    ----------
    lsoas
        The LSOAs 2011 of :func:`make_lsoas`.

    Returns
    -------
    list of Lsoa21
        In the order of the LSOAs 2011 they come from. An unchanged LSOA keeps its code and name;
        a new one gets a code above the 2011 ones (E01034501, ...) and its MSOA's name with a
        letter after A to D.
    """
    new_codes = iter(f"E01{34500 + k:06d}" for k in range(1, 100))
    merged = dict(MERGES)
    skip = {second for _, second in MERGES} | set(COMPLEX[1:])
    result: list[Lsoa21] = []
    for i, lsoa in enumerate(lsoas):
        if i in skip:
            continue
        if i in SPLITS:
            result += [
                Lsoa21(
                    next(new_codes),
                    f"{lsoa.msoa_name}{letter}",
                    lsoa.district,
                    ((lsoa, part),),
                    "S",
                )
                for letter, part in (("E", 0.45), ("F", 0.55))
            ]
        elif i in merged:
            parents = ((lsoa, 1.0), (lsoas[merged[i]], 1.0))
            result.append(
                Lsoa21(next(new_codes), f"{lsoa.msoa_name}E", lsoa.district, parents, "M")
            )
        elif i == COMPLEX[0]:
            a, b, c = (lsoas[j] for j in COMPLEX)
            result += [
                Lsoa21(next(new_codes), f"{a.msoa_name}E", a.district, ((a, 1.0), (b, 0.3)), "X"),
                Lsoa21(next(new_codes), f"{a.msoa_name}F", a.district, ((b, 0.7), (c, 1.0)), "X"),
            ]
        else:
            result.append(Lsoa21(lsoa.code, lsoa.name, lsoa.district, ((lsoa, 1.0),), "U"))
    return result


def make_ethnicity(
    rng: random.Random, lsoas21: Sequence[Lsoa21], low: float, high: float
) -> list[list[int]]:
    """Draw the census residents of each LSOA 2021 by broad ethnic group.

    Parameters
    ----------
    rng
        The generator (one of its own, so the other files do not change with this one).
    lsoas21
        The LSOAs 2021.
    low, high
        The lowest and highest IMD scores of the LSOAs 2011.

    Returns
    -------
    list of list of int
        For each LSOA 2021, the counts of :data:`TS021_TITLES` after the total: the total is its
        parents' shares of their mid-2020 residents, a little changed; ethnic minorities make up
        more of it the more deprived its parents (from about 3% in the least deprived to about
        60% in the most), Asian most of them, then Black, Mixed and Other.
    """
    rows = []
    for lsoa in lsoas21:
        people = sum(share * sum(parent.ages) for parent, share in lsoa.parents)
        total = round(people * (0.98 + 0.04 * rng.random()))
        weight = sum(share for _, share in lsoa.parents)
        score = sum(share * parent.imd_score for parent, share in lsoa.parents) / weight
        deprivation = min(1.0, max(0.0, (score - low) / (high - low)))
        minority = 0.03 + 0.5 * deprivation**1.5 + 0.06 * rng.random()
        asian = round(total * minority * (0.45 + 0.1 * rng.random()))
        black = round(total * minority * (0.18 + 0.06 * rng.random()))
        mixed = round(total * minority * (0.15 + 0.04 * rng.random()))
        other = round(total * minority * (0.1 + 0.04 * rng.random()))
        white = total - asian - black - mixed - other
        pakistani = round(asian * (0.3 + 0.2 * rng.random()))
        british = round(white * (0.85 + 0.1 * rng.random()))
        rows.append([total, asian, pakistani, black, mixed, white, british, other])
    return rows


def _thousands(value: int) -> str:
    return f"{value:,}"


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = False
) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _iod_prefix(lsoa: Lsoa) -> list[str]:
    return [lsoa.code, lsoa.name, lsoa.district.code, lsoa.district.name]


IOD_TITLES = [
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
]


def write_all(folder: Path) -> list[Path]:
    """Write every file of the synthetic data set.

    Parameters
    ----------
    folder
        Where to write them (created if need be); files of the same names are replaced.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FILES`.
    """
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    lsoas = make_lsoas(rng)
    codes = [lsoa.code for lsoa in lsoas]
    n = len(lsoas)
    imd_rank = ranks([lsoa.imd_score for lsoa in lsoas], codes)
    domain_rank = [
        ranks([lsoa.domain_scores[i] for lsoa in lsoas], codes) for i in range(len(DOMAINS))
    ]
    for lsoa, rank in zip(lsoas, imd_rank, strict=True):
        lsoa.ages = make_ages(rng, lsoa, decile(rank, n))
    welsh_ages = [
        make_ages(rng, Lsoa(code, "", 0, 0, DISTRICTS[4], "", "", ruc="D2"), 6) for code in WELSH
    ]
    paths = {key: folder / name for key, name in FILES.items()}

    _write_csv(
        paths["imd"],
        [
            *IOD_TITLES,
            "Index of Multiple Deprivation (IMD) Rank",
            "Index of Multiple Deprivation (IMD) Decile",
        ],
        (
            [*_iod_prefix(lsoa), _thousands(r), decile(r, n)]
            for lsoa, r in zip(lsoas, imd_rank, strict=True)
        ),
        bom=True,
    )
    titles = [
        *IOD_TITLES,
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    ]
    for _, title, _ in DOMAINS:
        titles += [
            f"{title} Rank (where 1 is most deprived)",
            f"{title} Decile (where 1 is most deprived 10% of LSOAs)",
        ]
    rows = []
    for i, lsoa in enumerate(lsoas):
        row: list[object] = [*_iod_prefix(lsoa), imd_rank[i], decile(imd_rank[i], n)]
        for d in range(len(DOMAINS)):
            row += [domain_rank[d][i], decile(domain_rank[d][i], n)]
        rows.append(row)
    _write_csv(paths["domains"], titles, rows, bom=True)

    rows = []
    for lsoa in lsoas:  # mid-2015, excluding prisoners: a little under mid-2020
        children = round(0.97 * sum(lsoa.ages[0:16]))
        middle = round(0.97 * sum(lsoa.ages[16:60]))
        older = round(0.97 * sum(lsoa.ages[60:]))
        working = round(0.97 * sum(lsoa.ages[18:64]))
        rows.append(
            [
                *_iod_prefix(lsoa),
                _thousands(children + middle + older),
                children,
                middle,
                older,
                working,
            ]
        )
    _write_csv(
        paths["denominators"],
        [
            *IOD_TITLES,
            "Total population: mid 2015 (excluding prisoners)",
            "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
            "Population aged 16-59: mid 2015 (excluding prisoners)",
            "Older population aged 60 and over: mid 2015 (excluding prisoners)",
            "Working age population 18-59/64: for use with Employment Deprivation Domain "
            "(excluding prisoners)",
        ],
        rows,
        bom=True,
    )

    people = [(lsoa.name, lsoa.code, lsoa.ages) for lsoa in lsoas]
    people += [
        (f"Synthetic Cymru 001{'ABC'[i]}", code, ages)
        for i, (code, ages) in enumerate(zip(WELSH, welsh_ages, strict=True))
    ]
    _write_csv(
        paths["population"],
        ["lsoa11_name", "lsoa11_code", "total_population", *map(str, range(90)), "90+"],
        ([name, code, sum(ages), *ages] for name, code, ages in people),
    )

    ruc_rows = [(lsoa.code, lsoa.ruc) for lsoa in lsoas] + [(code, "D2") for code in WELSH]
    _write_csv(
        paths["ruc"],
        ["lsoa11_code", "ruc11_code", "ruc", "classification", "ruc11_name"],
        ([code, ruc, *RUC_NAMES[ruc]] for code, ruc in sorted(ruc_rows)),
    )

    rows = []
    for lsoa in lsoas:
        d = lsoa.district
        icb_code, icb_ods, icb_name = ICBS[d.icb]
        sicbl_name = f"{icb_name.removesuffix(' Integrated Care Board')} ICB - {d.sicbl[1]}"
        rows.append(
            [
                lsoa.name,
                lsoa.code,
                sicbl_name,
                d.sicbl[0],
                d.sicbl[1],
                icb_name,
                icb_code,
                icb_ods,
                d.name,
                d.code,
            ]
        )
    _write_csv(
        paths["lookup"],
        [
            "lsoa11_name",
            "lsoa11_code",
            "sicbl22_name",
            "sicbl22_code",
            "sicbl22_code_h",
            "icb22_name",
            "icb22_code",
            "icb22_code_h",
            "ltla22_name",
            "ltla22_code",
        ],
        rows,
    )

    _write_csv(
        paths["msoa"],
        ["lsoa11_code", "msoa11_code", "lsoa11_name", "msoa11_name"],
        ([lsoa.code, lsoa.msoa, lsoa.name, lsoa.msoa_name] for lsoa in lsoas),
    )

    rows = []
    msoas = {lsoa.msoa: (lsoa.x // 2, lsoa.y // 2) for lsoa in lsoas}
    for msoa, (mx, my) in msoas.items():
        attributed = 0.8 + 0.18 * rng.random()  # some admissions go to no acute trust
        pull = [math.exp(-math.hypot(mx - hx, my - hy) / 2.5) for _, _, (hx, hy) in TRUSTS]
        for (trust, _, _), p in zip(TRUSTS, pull, strict=True):
            share = round(attributed * p / sum(pull), 6)
            if share >= 0.005:
                rows.append([msoa, trust, repr(share)])
    _write_csv(paths["catchment"], ["msoa_code", "trust_code", "proportion"], rows)

    _write_csv(
        paths["trusts"],
        [
            "trust_code",
            "trust_name",
            "status",
            "nhs_region21_code_nhs",
            "nhs_region21_code",
            "nhs_region21_name",
        ],
        (
            [code, name, "open", "Y63", "E40000009", "North East and Yorkshire"]
            for code, name, _ in TRUSTS
        ),
    )

    features = []
    for lsoa in sorted(lsoas, key=lambda item: item.code):
        corners = [
            (lsoa.x, lsoa.y),
            (lsoa.x + 1, lsoa.y),
            (lsoa.x + 1, lsoa.y + 1),
            (lsoa.x, lsoa.y + 1),
            (lsoa.x, lsoa.y),
        ]  # counter-clockwise, closed
        ring = [[round(LON0 + cx * DLON, 5), round(LAT0 + cy * DLAT, 5)] for cx, cy in corners]
        features.append(
            '{ "type": "Feature", "properties": '
            + json.dumps({"lsoa11_code": lsoa.code, "lsoa11_name": lsoa.name})
            + ', "geometry": '
            + json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]})
            + " }"
        )
    paths["boundaries"].write_text(
        '{\n"type": "FeatureCollection",\n"features": [\n' + ",\n".join(features) + "\n]\n}\n",
        encoding="utf-8",
    )

    # Census 2021 on LSOA 2021, and ONS's LSOA 2011 to 2021 lookup that carries it back; these
    # draw from a generator of their own, so the files above stay as they were.
    census_rng = random.Random(SEED + 2021)
    lsoas21 = make_lsoas21(lsoas)
    rows = []
    for lsoa in lsoas21:
        d = lsoa.district
        for parent, _ in lsoa.parents:
            rows.append(
                [parent.code, parent.name, lsoa.code, lsoa.name, lsoa.change, d.code, d.name, ""]
            )
    rows += [
        [
            code,
            f"Synthetic Cymru 001{'ABC'[i]}",
            code,
            f"Synthetic Cymru 001{'ABC'[i]}",
            "U",
            "W06000901",
            "Synthetic Cymru",
            "Cymru Synthetig",
        ]
        for i, code in enumerate(WELSH)
    ]
    _write_csv(
        paths["bridge"],
        [
            "LSOA11CD",
            "LSOA11NM",
            "LSOA21CD",
            "LSOA21NM",
            "CHGIND",
            "LAD22CD",
            "LAD22NM",
            "LAD22NMW",
            "ObjectId",
        ],
        ([*row, number] for number, row in enumerate(rows, start=1)),
    )
    scores = [lsoa.imd_score for lsoa in lsoas]
    counts = make_ethnicity(census_rng, lsoas21, min(scores), max(scores))
    census = [(lsoa.code, lsoa.name, row) for lsoa, row in zip(lsoas21, counts, strict=True)]
    welsh = [
        Lsoa21(
            code,
            f"Synthetic Cymru 001{'ABC'[i]}",
            DISTRICTS[4],
            ((Lsoa(code, "", 0, 0, DISTRICTS[4], "", "", ages=ages), 1.0),),
            "U",
        )
        for i, (code, ages) in enumerate(zip(WELSH, welsh_ages, strict=True))
    ]
    census += [
        (lsoa.code, lsoa.name, row)
        for lsoa, row in zip(
            welsh, make_ethnicity(census_rng, welsh, min(scores), max(scores)), strict=True
        )
    ]
    _write_csv(
        paths["ethnicity"],
        [
            "date",
            "geography",
            "geography code",
            "Ethnic group: Total: All usual residents",
            *TS021_TITLES,
        ],
        ([2021, name, code, *row] for code, name, row in sorted(census)),
    )
    return list(paths.values())


def main(argv: Sequence[str] | None = None) -> int:
    """Write the data set and list the files with their sizes.

    Parameters
    ----------
    argv
        The command's arguments (default: ``sys.argv[1:]``): the folder to write to, else
        ``data/`` beside this script.

    Returns
    -------
    int
        The exit status, 0.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else Path(__file__).resolve().parent / "data"
    for path in write_all(folder):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
