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
trust names and the LSOA boundaries as GeoJSON (EPSG:4326, one MultiPolygon per LSOA).

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
}


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
