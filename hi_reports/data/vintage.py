"""Vintages: the sets of reference data that share one small-area geography.

An edition never mixes geographies. The 2019 vintage is the English Indices of Deprivation 2019 on
2011 LSOAs, with the ONS mid-2020 population by single year of age, the Rural-Urban Classification
2011 and the ICB boundaries of July 2022. The 2025 vintage is the Indices of Deprivation 2025 on
2021 LSOAs, with Census 2021 residents in six age bands, the Rural-Urban Classification 2021 and the
ICB boundaries of April 2024. Both read the Census 2021 ethnic groups, which are on 2021 LSOAs (the
2019 vintage carries them to 2011 LSOAs with the ONS lookup, :data:`BRIDGE`). Chapters read their
class names, notes and sources from here, so the same chapter sources serve both.
"""

from __future__ import annotations

from dataclasses import dataclass

# The vintage editions use unless told otherwise, set where the command line reads it.
from hi_reports.choices import DEFAULT_VINTAGE as DEFAULT_VINTAGE
from hi_reports.errors import DataError

#: The catalogue name of the ONS LSOA 2011 to 2021 lookup, which carries data between the two
#: geographies.
BRIDGE = "lsoa11_lsoa21_lookup"


@dataclass(frozen=True)
class RucClass:
    """One class of a Rural-Urban Classification."""

    code: str
    name: str
    urban_rural: str


@dataclass(frozen=True)
class Sources:
    """How the chapters cite each reference dataset of a vintage."""

    imd: str
    domains: str
    population: str
    ruc: str
    lookup: str
    #: The trust catchments, as this vintage uses them.
    catchment: str


@dataclass(frozen=True)
class Vintage:
    """One coherent set of reference data and the words the chapters use for it.

    Attributes
    ----------
    name
        ``"2019"`` or ``"2025"``: the IoD release.
    lsoa_year
        The census year of the LSOA boundaries (2011 or 2021).
    datasets
        Catalogue names of the datasets every edition of this vintage reads, by role: ``imd``,
        ``domains``, ``population``, ``ruc``, ``lookup`` and optionally ``lad_lookup`` (LSOA to
        local authority where the ICB lookup lacks it).
    ruc_classes
        The classes of the Rural-Urban Classification, urban first.
    single_year_ages
        Whether the population comes by single year of age (0..90+), which age-standardised activity
        rates need; otherwise only the broad bands of :data:`AGE_GROUPS`.
    boundaries
        Catalogue name of the LSOA boundaries the maps draw.
    rural_groups
        The RUC classes in groups of rising rurality, as the rural map colours them: label, codes.
    ethnicity
        Catalogue name of the Census 2021 ethnic groups on LSOA 2021, which every edition reads
        (on LSOA 2011 carried over by the :data:`BRIDGE` lookup: :attr:`ethnicity_datasets`).
    """

    name: str
    lsoa_year: int
    iod: str
    iod_title: str
    imd: str
    ruc: str
    ruc_short: str
    ruc_classes: tuple[RucClass, ...]
    ruc_note: str
    population_when: str
    population_text: str
    organisations_when: str
    lookup_text: str
    imd_note: str
    datasets: dict[str, str]
    sources: Sources
    single_year_ages: bool
    boundaries: str
    rural_groups: tuple[tuple[str, tuple[str, ...]], ...]
    ethnicity: str = "census2021_ethnicity"

    @property
    def ethnicity_datasets(self) -> tuple[str, ...]:
        """Catalogue names of the datasets the ethnic groups are read from: on LSOA 2011 the
        LSOA 2011 to 2021 lookup that carries them over, then the census table."""
        return (self.ethnicity,) if self.lsoa_year == 2021 else (BRIDGE, self.ethnicity)

    @property
    def required(self) -> tuple[str, ...]:
        """Catalogue names of every dataset an edition of this vintage reads: the reference
        datasets, the census ethnic groups (:attr:`ethnicity_datasets`) and the LSOA boundaries
        of the maps."""
        names = (*self.datasets.values(), *self.ethnicity_datasets, self.boundaries)
        return tuple(dict.fromkeys(names))

    @property
    def lsoa_key(self) -> str:
        """The publisher-style name of the LSOA code of this vintage, e.g. ``lsoa11_code``."""
        return f"lsoa{self.lsoa_year % 100:02d}_code"

    @property
    def lsoa_name_key(self) -> str:
        """The name of the LSOA name column of this vintage, e.g. ``lsoa11_name``."""
        return self.lsoa_key.removesuffix("_code") + "_name"

    @property
    def other(self) -> Vintage:
        """The other vintage (for the note that compares the two)."""
        return next(v for v in VINTAGES.values() if v.name != self.name)

    @property
    def lsoa_label(self) -> str:
        return f"LSOA {self.lsoa_year}"

    def codes(self, urban_rural: str) -> str:
        """The class codes of ``"Urban"`` or ``"Rural"``, e.g. ``"A1, B1, C1, C2"``."""
        return ", ".join(c.code for c in self.ruc_classes if c.urban_rural == urban_rural)


#: The three broad age groups of the chapters: label, first and last single year (90 means 90+).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (("0-15", 0, 15), ("16-64", 16, 64), ("65+", 65, 90))

V2019 = Vintage(
    name="2019",
    lsoa_year=2011,
    iod="IoD2019",
    iod_title="English Indices of Deprivation 2019",
    imd="IMD 2019",
    ruc="Rural-Urban Classification 2011",
    ruc_short="RUC 2011",
    ruc_classes=(
        RucClass("A1", "Urban major conurbation", "Urban"),
        RucClass("B1", "Urban minor conurbation", "Urban"),
        RucClass("C1", "Urban city and town", "Urban"),
        RucClass("C2", "Urban city and town in a sparse setting", "Urban"),
        RucClass("D1", "Rural town and fringe", "Rural"),
        RucClass("D2", "Rural town and fringe in a sparse setting", "Rural"),
        RucClass("E1", "Rural village and dispersed", "Rural"),
        RucClass("E2", "Rural village and dispersed in a sparse setting", "Rural"),
    ),
    ruc_note=(
        "It puts each neighbourhood (LSOA) in one of eight classes, following the class of most of "
        "its output areas: urban where they lie in settlements of 10,000 people or more, and 'in a "
        "sparse setting' where few households live around them (counted within 10, 20 and 30 km). "
        "Four are urban: major "
        "conurbation (A1), minor conurbation (B1), city and town (C1) and city and town in a "
        "sparse setting (C2). Four are rural: town and fringe (D1, and D2 in a sparse setting) and "
        "village and dispersed (E1, and E2 in a sparse setting)."
    ),
    population_when="mid-2020",
    population_text="the ONS mid-2020 small-area population estimates by single year of age",
    organisations_when="July 2022",
    lookup_text=(
        "the ONS lookup of LSOAs (2011) to Sub ICB Locations, ICBs and local authorities "
        "(July 2022)"
    ),
    imd_note=(
        "The IMD 2019 ranks neighbourhoods on data mostly from 2015-16; it is the latest index on "
        "2011 boundaries, and it describes areas, not the people in them."
    ),
    datasets={
        "imd": "imd2019",
        "domains": "iod2019_domains",
        "denominators": "iod2019_denominators",
        "population": "population2020",
        "ruc": "ruc2011",
        "lookup": "lsoa_icb_lookup",
    },
    sources=Sources(
        imd="MHCLG English Indices of Deprivation 2019, File 1",
        domains="MHCLG English Indices of Deprivation 2019, File 2",
        population="ONS mid-2020 LSOA population estimates (SAPE23DT2)",
        ruc="ONS/Defra Rural Urban Classification 2011 (LSOA)",
        lookup="ONS LSOA (2011) to Sub ICB Location to ICB to LAD (July 2022) lookup",
        catchment="OHID NHS acute trust catchment populations, 2019 (MSOA 2011)",
    ),
    single_year_ages=True,
    boundaries="lsoa11_boundaries",
    rural_groups=(
        ("Urban: conurbation (A1, B1)", ("A1", "B1")),
        ("Urban: city and town (C1, C2)", ("C1", "C2")),
        ("Rural: town and fringe (D1, D2)", ("D1", "D2")),
        ("Rural: village, dispersed (E1, E2)", ("E1", "E2")),
    ),
)

V2025 = Vintage(
    name="2025",
    lsoa_year=2021,
    iod="IoD2025",
    iod_title="English Indices of Deprivation 2025",
    imd="IMD 2025",
    ruc="Rural-Urban Classification 2021",
    ruc_short="RUC 2021",
    ruc_classes=(
        RucClass("UN1", "Urban: Nearer to a major town or city", "Urban"),
        RucClass("UF1", "Urban: Further from a major town or city", "Urban"),
        RucClass("RLN1", "Larger rural: Nearer to a major town or city", "Rural"),
        RucClass("RLF1", "Larger rural: Further from a major town or city", "Rural"),
        RucClass("RSN1", "Smaller rural: Nearer to a major town or city", "Rural"),
        RucClass("RSF1", "Smaller rural: Further from a major town or city", "Rural"),
    ),
    ruc_note=(
        "It puts each neighbourhood (LSOA) in one of six classes by the size of its settlements "
        "and the drive time from them to a major town or city (75,000 people or more). Two are "
        "urban: nearer to (UN1) and further from (UF1) a major town or city. Four are rural: "
        "larger rural (RLN1 nearer, RLF1 further) and smaller rural (RSN1 nearer, RSF1 further). "
        "The 2021 classes are not comparable one for one with the eight classes of 2011."
    ),
    population_when="Census 2021",
    population_text="the Census 2021 usual residents of each LSOA in six age bands",
    organisations_when="April 2024",
    lookup_text=(
        "the ONS lookup of LSOAs (2021) to Sub ICB Locations and ICBs (April 2024), and of LSOAs "
        "(2021) to local authorities (2022)"
    ),
    imd_note=(
        "The IMD 2025 ranks neighbourhoods on data mostly from 2021-23, on 2021 boundaries; it "
        "describes areas, not the people in them."
    ),
    datasets={
        "imd": "imd2025",
        "domains": "imd2025",
        "population": "census2021_age6",
        "ruc": "ruc2021",
        "lookup": "lsoa21_icb_lookup",
        "lad_lookup": "lsoa11_lsoa21_lookup",
    },
    sources=Sources(
        imd="MHCLG English Indices of Deprivation 2025, File 7",
        domains="MHCLG English Indices of Deprivation 2025, File 7",
        population="ONS Census 2021 usual residents by age (six bands), LSOA 2021",
        ruc="ONS Rural Urban Classification 2021 (LSOA 2021)",
        lookup="ONS LSOA (2021) to Sub ICB Location to ICB (April 2024) lookup",
        catchment=(
            "OHID NHS acute trust catchment populations, 2019 (MSOA 2011), carried to LSOA 2021 by "
            "the ONS LSOA (2011) to LSOA (2021) lookup"
        ),
    ),
    single_year_ages=False,
    boundaries="lsoa21_boundaries",
    rural_groups=(
        ("Urban (UN1, UF1)", ("UN1", "UF1")),
        ("Larger rural (RLN1, RLF1)", ("RLN1", "RLF1")),
        ("Smaller rural (RSN1, RSF1)", ("RSN1", "RSF1")),
    ),
)

VINTAGES: dict[str, Vintage] = {v.name: v for v in (V2019, V2025)}

#: The note every comparison of two vintages carries (MHCLG's advice).
NOT_COMPARABLE = (
    "MHCLG advises that the 2025 indices use new data, new methods and new neighbourhood "
    "boundaries, so they are less directly comparable with earlier releases: a change in an "
    "organisation's share between the two may come from any of these, and is not a measure of "
    "change in absolute deprivation."
)


def get_vintage(name: str) -> Vintage:
    """Return the vintage called ``name``.

    Raises
    ------
    DataError
        When there is no such vintage (the hint names the valid ones; the setting at fault is
        ``vintage``).
    """
    vintage = VINTAGES.get(str(name))
    if vintage is None:
        raise DataError(
            f"unknown vintage {name!r}", hint=f"choose {' or '.join(VINTAGES)}", option="vintage"
        )
    return vintage
