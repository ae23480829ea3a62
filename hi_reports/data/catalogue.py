"""The catalogue of reference datasets: what each file is, who publishes it, and how to read it.

Each :class:`Dataset` names the file(s) to look for in the data folder, the publisher's page, the
licence, and the columns the loaders keep. Every column has an alias table: the publisher's own
column title first (for example MHCLG's long ``"Index of Multiple Deprivation (IMD) Decile"``), then
the short names used by the tidy copies in common circulation (``imd_decile``, ``lsoa11_code``).
Titles are matched case-insensitively, ignoring spaces, punctuation and a byte-order mark.

Each entry also says how to get the file (in the spirit of pooch's registry): the publisher's direct
download URL, its format (CSV, an XLSX sheet and header row, a ZIP member, GeoJSON, or an ArcGIS
feature layer paged into CSV or GeoJSON, for the ONS Open Geography Portal, whose downloads are
built on request) and, where the publisher's file is fixed, its sha256. Two hashes are kept apart
on purpose:

- ``download_sha256`` is the hash of the publisher's own download. It is set only where that file
  is known byte for byte; none is yet, so a download from a publisher is accepted when it parses and
  its hash is recorded in the data folder's registry (see :mod:`hi_reports.data.fetch`).
- ``sha256`` is the hash of the file under the catalogue's file name as the project's reference copy
  has it (the files the tests read and a mirror serves; several are tidy copies, not the
  publisher's layout, so this is not the publisher's hash).

The catalogue is Python rather than a registry text file because each entry carries structured
column specifications (aliases, types) that a one-line-per-file registry cannot hold.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

from hi_reports.errors import DataError

ColumnKind = Literal["code", "text", "int", "float", "closed"]
FileFormat = Literal["csv", "xlsx", "zip", "geojson", "arcgis"]

OGL = "Open Government Licence v3.0"
#: The attribution the Open Government Licence asks for, by publisher.
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0."
)
MHCLG_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Source: Ministry of Housing, Communities and Local Government, English Indices of Deprivation."
)


@dataclass(frozen=True)
class Column:
    """One column a loader keeps.

    Parameters
    ----------
    name
        The tidy name the loader returns.
    aliases
        Accepted titles in the source file: the publisher's own first. ``##`` in a title stands
        for the two digits of a year (ONS's ``ICB24CD``), so that a newer release of a lookup
        with the same layout is read too; the year found is kept (see :func:`title_year`).
    kind
        ``code`` and ``text`` are kept as strings; ``int`` and ``float`` are parsed as numbers
        (thousands separators such as ``"1,296"`` allowed); ``closed`` is an organisation's
        close date or status, read as a bool (an empty cell or ``open``: False; a date or
        ``closed``: True).
    """

    name: str
    aliases: tuple[str, ...]
    kind: ColumnKind = "int"


@dataclass(frozen=True)
class Dataset:
    """A reference dataset: where it comes from, how to download it and how to read it.

    ``url`` is the publisher's page about the dataset; ``download_url`` the file itself (None
    where the publisher has no fixed file URL: then a mirror or ``hi-reports data add`` supplies
    it). ``file_format`` is the format of the download: ``csv`` and ``geojson`` are used as they
    are; from a ``zip`` the ``member`` is extracted; an ``xlsx`` workbook (or XLSX member) has its
    ``sheet`` read with column titles on row ``header_row`` (1-based) and is saved as CSV; a CSV
    without a title row (``header_row=0``) is given the titles ``headers``; ``arcgis`` is an
    ArcGIS feature layer (``download_url`` ends ``/FeatureServer/0``) whose rows are paged into
    CSV, or GeoJSON for boundaries (see :mod:`hi_reports.data.arcgis`). The result is stored in
    the data folder under :attr:`filename`.
    """

    name: str
    title: str
    filenames: tuple[str, ...]
    publisher: str
    vintage: str
    url: str
    columns: tuple[Column, ...]
    licence: str = OGL
    attribution: str = OGL_ATTRIBUTION
    #: sha256 of the reference copy of :attr:`filename` (what a mirror serves), where known.
    sha256: str | None = None
    download_url: str | None = None
    file_format: FileFormat = "csv"
    member: str | None = None
    sheet: str | None = None
    header_row: int = 1
    #: Column titles for a CSV download without a title row (``header_row=0``).
    headers: tuple[str, ...] = ()
    #: The publisher's file has one row per Output Area: rows identical in the kept columns are
    #: one row (the uniqueness of :attr:`unique` is checked after).
    collapse_repeats: bool = False
    #: sha256 of the publisher's download, only where that file is fixed and known.
    download_sha256: str | None = None
    key: str = "lsoa11_code"
    #: Keep only rows whose key starts with this prefix (English LSOAs are ``E01``).
    england_prefix: str | None = "E01"
    #: Columns that identify a row (default: the key alone).
    unique: tuple[str, ...] = ()
    #: Columns matched by a pattern rather than listed, e.g. single years of age.
    extra: tuple[str, ...] = field(default_factory=tuple)
    #: A boundary file (GeoJSON or any format GDAL reads), read with geopandas rather than as CSV.
    geometry: bool = False
    #: For boundaries: the year of ONS's attribution, "Contains OS data (c) Crown copyright and
    #: database right [year]".
    copyright_year: int | None = None
    #: Counts that must add up on every row: (the total's column, the columns of its parts).
    totals: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def filename(self) -> str:
        """The catalogue's file name (the first accepted name): the name a fetched or added file
        is stored under, and the name a mirror serves it as."""
        return self.filenames[0]

    @property
    def manual_url(self) -> str:
        """Where a person downloads the file by hand: the file itself, or the publisher's page
        where there is no fixed file or the download is built on request (a feature service)."""
        if self.download_url and self.file_format != "arcgis":
            return self.download_url
        return self.url

    @property
    def add_hint(self) -> str:
        """How to supply the dataset by hand: where to download it, and the ``data add`` command."""
        return (
            f"download it from {self.manual_url}, then run `hi-reports data add {self.name} FILE`"
        )


def _code(name: str, *aliases: str) -> Column:
    return Column(name, aliases, "code")


def _text(name: str, *aliases: str) -> Column:
    return Column(name, aliases, "text")


def _int(name: str, *aliases: str) -> Column:
    return Column(name, aliases, "int")


#: The ONS Open Geography Portal's ArcGIS host: every dataset on the portal is a feature service.
ONS_ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"


def _ons_layer(service: str) -> str:
    """The URL of the first layer of the ONS feature service ``service``."""
    return f"{ONS_ARCGIS}/{service}/FeatureServer/0"


LSOA11_CODE = _code("lsoa11_code", "LSOA code (2011)", "LSOA11CD", "LSOA Code", "lsoa11_code")
LSOA11_NAME = _text("lsoa11_name", "LSOA name (2011)", "LSOA11NM", "LSOA Name", "lsoa11_name")
LSOA21_CODE = _code("lsoa21_code", "LSOA code (2021)", "LSOA21CD", "lsoa21_code")
LSOA21_NAME = _text("lsoa21_name", "LSOA name (2021)", "LSOA21NM", "lsoa21_name")

#: The seven IoD2019 domains: tidy prefix, MHCLG's title and its weight in the IMD.
DOMAINS: tuple[tuple[str, str, float], ...] = (
    ("income", "Income", 0.225),
    ("employment", "Employment", 0.225),
    ("education", "Education, Skills and Training", 0.135),
    ("health", "Health Deprivation and Disability", 0.135),
    ("crime", "Crime", 0.093),
    ("barriers", "Barriers to Housing and Services", 0.093),
    ("living_environment", "Living Environment", 0.093),
)


#: The short names of two domains in the tidy IoD2025 tables (humaniverse/IMD).
_DOMAIN_2025_ALIASES = {
    "barriers": ("Housing_and_Services_decile",),
    "living_environment": ("Environment_decile",),
}


def _domain_columns() -> tuple[Column, ...]:
    columns = []
    for key, title, _ in DOMAINS:
        columns.append(
            _int(
                f"{key}_decile",
                f"{title} Decile (where 1 is most deprived 10% of LSOAs)",
                f"{title} Decile",
                f"{key}_decile",
                *_DOMAIN_2025_ALIASES.get(key, ()),
            )
        )
    return tuple(columns)


IMD2019 = Dataset(
    name="imd2019",
    title="English Indices of Deprivation 2019, File 1: Index of Multiple Deprivation",
    filenames=("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",),
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    vintage="IoD2019 (September 2019), LSOA 2011",
    url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    sha256="9c19a6c221d0f258093e24eaae9b21f09be0e7626e9f96f8f75da4772e2789ad",
    attribution=MHCLG_ATTRIBUTION,
    download_url=(
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/"
        "833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
    ),
    file_format="xlsx",
    sheet="IMD2019",
    columns=(
        LSOA11_CODE,
        LSOA11_NAME,
        _code("lad19_code", "Local Authority District code (2019)", "LAD19CD", "lad19_code"),
        _text("lad19_name", "Local Authority District name (2019)", "LAD19NM", "lad19_name"),
        _int("imd_rank", "Index of Multiple Deprivation (IMD) Rank", "IMD Rank", "imd_rank"),
        _int(
            "imd_decile", "Index of Multiple Deprivation (IMD) Decile", "IMD Decile", "imd_decile"
        ),
    ),
)

IOD2019_DOMAINS = Dataset(
    name="iod2019_domains",
    title="English Indices of Deprivation 2019, File 2: domains of deprivation",
    filenames=("File_2_-_IoD2019_Domains_of_Deprivation.csv",),
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    vintage="IoD2019 (September 2019), LSOA 2011",
    url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    sha256="79753957098266a1c61e43df43ef9ed081ee370731f6a2decd5f73ab2821b76f",
    attribution=MHCLG_ATTRIBUTION,
    download_url=(
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/"
        "833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx"
    ),
    file_format="xlsx",
    sheet="IoD2019 Domains",
    columns=(
        LSOA11_CODE,
        _int(
            "imd_decile",
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
            "imd_decile",
        ),
        *_domain_columns(),
    ),
)

IOD2019_DENOMINATORS = Dataset(
    name="iod2019_denominators",
    title="English Indices of Deprivation 2019, File 6: population denominators",
    filenames=("File_6_-_IoD2019_Population_Denominators.csv",),
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    vintage="ONS mid-2015 estimates excluding prisoners, LSOA 2011",
    url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
    sha256="f91a4e199d234c0e5a16308ea9c5cb9b74fba22547c2aa60906ff2e3cd941886",
    attribution=MHCLG_ATTRIBUTION,
    # File 7 (CSV) carries the File 6 denominators under the same column titles.
    download_url=(
        "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/"
        "845345/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
    ),
    columns=(
        LSOA11_CODE,
        _int(
            "denominator_total",
            "Total population: mid 2015 (excluding prisoners)",
            "denominator_total",
        ),
        _int(
            "denominator_0_15",
            "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
            "denominator_0_15",
        ),
        _int(
            "denominator_16_59",
            "Population aged 16-59: mid 2015 (excluding prisoners)",
            "denominator_16_59",
        ),
        _int(
            "denominator_60_plus",
            "Older population aged 60 and over: mid 2015 (excluding prisoners)",
            "denominator_60_plus",
        ),
    ),
)

#: Single years of age in the ONS small-area estimates: 0..89 and 90+ (stored as ``age_90``).
AGES: tuple[int, ...] = tuple(range(91))

POPULATION2020 = Dataset(
    name="population2020",
    title="Lower layer Super Output Area population estimates, mid-2020, single year of age",
    filenames=(
        "population20_lsoa11_single_year_of_age.csv",
        "sape23dt2-mid-2020-lsoa-syoa-estimates-unformatted.csv",
        "SAPE23DT2-mid-2020-lsoa-syoa-estimates-unformatted.csv",
    ),
    publisher="Office for National Statistics (ONS)",
    vintage="mid-2020 (SAPE23DT2), LSOA 2011",
    url=(
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
        "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates"
    ),
    sha256="e95c004bcc30514c0ceb9180ddc1f592650a7304b5a734757554675354e11a7b",
    attribution=ONS_ATTRIBUTION,
    download_url=(
        "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
        "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates/"
        "mid2020sape23dt2/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx"
    ),
    file_format="xlsx",
    sheet="Mid-2020 Persons",
    header_row=5,
    columns=(
        LSOA11_CODE,
        LSOA11_NAME,
        _int("population", "All Ages", "total_population", "population"),
    ),
    extra=tuple(f"age_{a}" for a in AGES),
)

RUC2011 = Dataset(
    name="ruc2011",
    title="Rural Urban Classification (2011) of Lower Layer Super Output Areas",
    filenames=(
        "ruc11_lsoa11.csv",
        "Rural_Urban_Classification_(2011)_of_Lower_Layer_Super_Output_Areas_in_England_and_Wales.csv",
    ),
    publisher="Office for National Statistics (ONS) and Defra",
    vintage="RUC 2011, LSOA 2011",
    url=(
        "https://geoportal.statistics.gov.uk/datasets/"
        "rural-urban-classification-2011-of-lower-layer-super-output-areas-in-england-and-wales"
    ),
    sha256="adc11cd0c60655f217ef438567d203e88cf7e58ea3f956018bc7e773bd397c43",
    attribution=ONS_ATTRIBUTION,
    # ONS's service name, spaces and all.
    download_url=_ons_layer(
        "Rural%20Urban%20Classification%20(2011)%20of%20Lower%20Layer%20Super%20Output%20Areas"
        "%20in%20England%20and%20Wales_new"
    ),
    file_format="arcgis",
    columns=(
        LSOA11_CODE,
        _code("ruc11_code", "RUC11CD", "ruc11_code"),
    ),
)

LSOA_ICB_LOOKUP = Dataset(
    name="lsoa_icb_lookup",
    title="LSOA (2011) to Sub ICB Location to ICB to LAD (July 2022) lookup",
    filenames=(
        "lookup_lsoa11_sicbl22_icb22_ltla22.csv",
        "LSOA_(2011)_to_Sub_ICB_Locations_to_Integrated_Care_Boards_(July_2022)_Lookup_in_England.csv",
    ),
    publisher="Office for National Statistics (ONS)",
    vintage="July 2022 (ICB 2022, LAD 2022), LSOA 2011",
    url="https://geoportal.statistics.gov.uk/search?q=LUP_LSOA_SICBL_ICB_LAD",
    sha256="51440906afe0126070a2b8f252115ba3783c9cd231f0b7fd4e63a23573603192",
    attribution=ONS_ATTRIBUTION,
    download_url=_ons_layer("LSOA11_SICBL22_ICB22_LAD22_EN_LU"),
    file_format="arcgis",
    columns=(
        LSOA11_CODE,
        LSOA11_NAME,
        _code("sicbl_code", "SICBL##CD", "sicbl22_code"),
        _code("sicbl_ods", "SICBL##CDH", "sicbl22_code_h"),
        _text("sicbl_name", "SICBL##NM", "sicbl22_name"),
        _code("icb_code", "ICB##CD", "icb22_code"),
        _code("icb_ods", "ICB##CDH", "icb22_code_h"),
        _text("icb_name", "ICB##NM", "icb22_name"),
        _code("lad_code", "LAD22CD", "ltla22_code", "lad22_code"),
        _text("lad_name", "LAD22NM", "ltla22_name", "lad22_name"),
    ),
)

LSOA_MSOA_LOOKUP = Dataset(
    name="lsoa_msoa_lookup",
    title="Output Area (2011) to LSOA to MSOA to LAD lookup (LSOA and MSOA columns)",
    filenames=(
        "lookup_lsoa11_msoa11.csv",
        "Output_Area_to_Lower_Layer_Super_Output_Area_to_Middle_Layer_Super_Output_Area_to_Local_Authority_District_(December_2011)_Lookup_in_England_and_Wales.csv",
    ),
    publisher="Office for National Statistics (ONS)",
    vintage="December 2011 (LSOA 2011, MSOA 2011)",
    url="https://geoportal.statistics.gov.uk/datasets/fe6c55f0924b4734adf1cf7104a0173e",
    sha256="6bbd239694e4eabbed70dcae2eb35031268309c8fe5db8fa3a9e2af458028f8b",
    attribution=ONS_ATTRIBUTION,
    # The portal's table is the Output Area lookup (one row per OA, so each LSOA repeats); the
    # reference copy keeps one row per LSOA.
    download_url=_ons_layer("OA11_LSOA11_MSOA11_LAD11_EW_LUv2"),
    file_format="arcgis",
    columns=(LSOA11_CODE, _code("msoa11_code", "MSOA11CD", "msoa11_code")),
    unique=("lsoa11_code",),
    collapse_repeats=True,
)

TRUST_CATCHMENT = Dataset(
    name="trust_catchment",
    title="NHS acute trust catchment populations: share of each MSOA's admitted patients by trust",
    filenames=("trust_catchment_msoa11_2019_proportions.csv",),
    publisher="Office for Health Improvement and Disparities (OHID)",
    vintage="2019 catchments, 2021 release (all admissions; MSOA 2011)",
    url="https://app.box.com/s/qh8gzpzeo1firv1ezfxx2e6c4tgtrudl",
    sha256="dc03d3744a78f635389db5c497e008f58ee3034c0a6f47ba965489adec8c0a9f",
    attribution=OGL_ATTRIBUTION + " Source: Office for Health Improvement and Disparities.",
    # A shared Box folder, not a file URL; and the reference copy is derived (2019 rows only,
    # successor trust codes), not the publisher's workbook.
    columns=(
        _code("msoa11_code", "msoa", "MSOA11CD", "msoa_code"),
        _code("trust_code", "TrustCode", "trust_code"),
        Column("proportion", ("proportion", "Proportion"), "float"),
    ),
    key="msoa11_code",
    england_prefix="E02",
    unique=("msoa11_code", "trust_code"),
)

TRUST_NAMES = Dataset(
    name="trust_names",
    title="NHS trusts (ODS etr file): codes and names",
    filenames=("nhs_trusts_names.csv", "etr.csv"),
    publisher="NHS England (Organisation Data Service)",
    vintage="April 2022",
    url="https://digital.nhs.uk/services/organisation-data-service/export-data-files/csv-downloads/other-nhs-organisations",
    sha256="7811f8322480ca2551d5f0d74f5bff4b169c6a386a4aa6d2d817713beaeda02e",
    attribution=OGL_ATTRIBUTION + " Source: NHS England, Organisation Data Service.",
    # ODS publishes etr.csv in etr.zip without a title row (27 columns in ODS's standard layout:
    # code, name, groupings, address, postcode, open date, close date, ...); the reference copy
    # has one, and a status column (open/closed) in place of the close date.
    download_url="https://files.digital.nhs.uk/assets/ods/current/etr.zip",
    file_format="zip",
    member="etr.csv",
    header_row=0,
    headers=(
        "Organisation Code",
        "Name",
        "National Grouping",
        "High Level Health Geography",
        "Address Line 1",
        "Address Line 2",
        "Address Line 3",
        "Address Line 4",
        "Address Line 5",
        "Postcode",
        "Open Date",
        "Close Date",
    ),
    columns=(
        _code("trust_code", "Organisation Code", "trust_code"),
        _text("trust_name", "Name", "trust_name"),
        Column("closed", ("Close Date", "status"), "closed"),
    ),
    key="trust_code",
    england_prefix=None,
)

LSOA11_LSOA21_LOOKUP = Dataset(
    name="lsoa11_lsoa21_lookup",
    title="LSOA (2011) to LSOA (2021) to LAD (2022) lookup",
    filenames=(
        "lookup_lsoa11_lsoa21_ltla22.csv",
        "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales.csv",
    ),
    publisher="Office for National Statistics (ONS)",
    vintage="LSOA 2011, LSOA 2021, LAD 2022",
    url="https://geoportal.statistics.gov.uk/search?q=LSOA11_LSOA21_LAD22",
    sha256="ddc782616aab916dc373169ff6d87bf3763c1c6fcb06068902f6de9bd3a02725",
    attribution=ONS_ATTRIBUTION,
    # The exact-fit lookup (version 3 of the product, the service's _v5).
    download_url=_ons_layer("LSOA11_LSOA21_LAD22_EW_LU_v5"),
    file_format="arcgis",
    columns=(
        LSOA11_CODE,
        _text("change_code", "CHGIND", "change_code"),
        _code("lsoa21_code", "LSOA21CD", "lsoa21_code"),
        _code("lad_code", "LAD22CD", "ltla22_code", "lad22_code"),
        _text("lad_name", "LAD22NM", "ltla22_name", "lad22_name"),
    ),
    unique=("lsoa11_code", "lsoa21_code"),
)

IMD2025 = Dataset(
    name="imd2025",
    title=(
        "English Indices of Deprivation 2025, File 7: scores, ranks and deciles of the IMD and its "
        "domains"
    ),
    filenames=(
        "imd2025_england_lsoa21.csv",
        "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
    ),
    publisher="Ministry of Housing, Communities and Local Government (MHCLG)",
    vintage="IoD2025 (October 2025), LSOA 2021",
    url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
    sha256="e82cc5533ba7c54e12426fbb39a1d472749e9c4115cc4cd3640f3ca59d77af08",
    attribution=MHCLG_ATTRIBUTION,
    download_url=(
        "https://assets.publishing.service.gov.uk/media/691ded56d140bbbaa59a2a7d/"
        "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
    ),
    columns=(
        LSOA21_CODE,
        _int(
            "imd_rank",
            "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            "IMD Rank",
            "imd_rank",
        ),
        _int(
            "imd_decile",
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
            "IMD Decile",
            "imd_decile",
        ),
        Column(
            "imd_score",
            ("Index of Multiple Deprivation (IMD) Score", "IMD Score", "imd_score"),
            "float",
        ),
        *_domain_columns(),
    ),
    key="lsoa21_code",
)

CENSUS2021_AGE6 = Dataset(
    name="census2021_age6",
    title="Census 2021: usual residents by age (six categories), LSOA 2021",
    filenames=("census21_usual_residents_lsoa21_age6.csv",),
    publisher="Office for National Statistics (ONS)",
    vintage="Census 2021 (21 March 2021), LSOA 2021",
    url="https://www.ons.gov.uk/datasets/create",
    sha256="df320e17e0797282cccad0e89b31fc999472ab95bf6920fb5843aca4d7890e4a",
    attribution=ONS_ATTRIBUTION,
    columns=(
        LSOA21_CODE,
        LSOA21_NAME,
        _int("population", "Total: All usual residents", "total_usual_residents", "population"),
        _int("age_0_15", "Aged 15 years and under", "aged_0_15"),
        _int("age_16_24", "Aged 16 to 24 years", "aged_16_24"),
        _int("age_25_34", "Aged 25 to 34 years", "aged_25_34"),
        _int("age_35_49", "Aged 35 to 49 years", "aged_35_49"),
        _int("age_50_64", "Aged 50 to 64 years", "aged_50_64"),
        _int("age_65_plus", "Aged 65 years and over", "aged_65_plus"),
    ),
    key="lsoa21_code",
)

#: The five broad ethnic groups of Census 2021 table TS021: tidy name and ONS's title.
ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("white", "White"),
    ("mixed", "Mixed or Multiple ethnic groups"),
    ("asian", "Asian, Asian British or Asian Welsh"),
    ("black", "Black, Black British, Black Welsh, Caribbean or African"),
    ("other", "Other ethnic group"),
)

#: The demographr names of the five groups (humaniverse/demographr, ``ethnicity21_lsoa21``).
_DEMOGRAPHR_GROUPS = {
    "white": "white",
    "mixed": "mixed_or_multiple_ethnic_groups",
    "asian": "asian_asian_british_or_asian_welsh",
    "black": "black_black_british_black_welsh_caribbean_or_african",
    "other": "other_ethnic_group",
}


def _nomis(title: str) -> tuple[str, str]:
    """A Nomis bulk CSV's title of a TS021 count: ``"Ethnic group: <title>"``, and the same with
    the ``"; measures: Value"`` some Nomis bulk tables append."""
    return f"Ethnic group: {title}", f"Ethnic group: {title}; measures: Value"


CENSUS2021_ETHNICITY = Dataset(
    name="census2021_ethnicity",
    title="Census 2021: usual residents by ethnic group (TS021, five broad groups), LSOA 2021",
    # The reference copy (a tidy copy of demographr's), then the member of the Nomis bulk ZIP.
    filenames=("ethnicity_lsoa21.csv", "census2021-ts021-lsoa.csv"),
    publisher="Office for National Statistics (ONS)",
    vintage="Census 2021 (21 March 2021), LSOA 2021",
    url="https://www.nomisweb.co.uk/sources/census_2021_bulk",
    sha256="e5eaec088ac02a29e78679c2ccbc394a4ec2a0441e3c0adc846dd0560a2a99c8",
    attribution=ONS_ATTRIBUTION,
    # Nomis's bulk file: one CSV per geography; the LSOA one has the total, the five broad groups
    # and their 19 detailed categories ("Ethnic group: White: Roma", ..., not read), and the
    # Welsh LSOAs (dropped).
    download_url="https://www.nomisweb.co.uk/output/census/2021/census2021-ts021.zip",
    file_format="zip",
    member="census2021-ts021-lsoa.csv",
    columns=(
        _code("lsoa21_code", "geography code", "LSOA21CD", "lsoa21_code"),
        _int("total", *_nomis("Total: All usual residents"), "total_usual_residents", "total"),
        *(
            _int(name, *_nomis(title), _DEMOGRAPHR_GROUPS[name], name)
            for name, title in ETHNIC_GROUPS
        ),
    ),
    key="lsoa21_code",
    totals=(("total", tuple(name for name, _ in ETHNIC_GROUPS)),),
)

RUC2021 = Dataset(
    name="ruc2021",
    title="Rural Urban Classification (2021) of Lower layer Super Output Areas",
    filenames=("ruc21_lsoa21.csv", "LSOA21_RUC21_EW_LU.csv"),
    publisher="Office for National Statistics (ONS)",
    vintage="RUC 2021, LSOA 2021",
    url="https://geoportal.statistics.gov.uk/search?q=LSOA21_RUC21_EW_LU",
    sha256="e5f51bd25904e54e7167cea4e0894f30935a9024d9c4b3ecab332cf7f5497b88",
    attribution=ONS_ATTRIBUTION,
    download_url=_ons_layer("LSOA21_RUC21_EW_LU"),
    file_format="arcgis",
    columns=(
        LSOA21_CODE,
        _code("ruc21_code", "RUC21CD", "ruc21_code"),
    ),
    key="lsoa21_code",
)

LSOA21_ICB_LOOKUP = Dataset(
    name="lsoa21_icb_lookup",
    title="LSOA (2021) to Sub ICB Location to ICB (April 2024) lookup",
    filenames=(
        "lookup_lsoa21_sicbl24_icb24.csv",
        "LSOA_(2021)_to_SICBL_to_ICB_to_Cancer_Alliances_to_LAD_(April_2024)_Lookup_in_EN.csv",
    ),
    publisher="Office for National Statistics (ONS)",
    vintage="April 2024 (ICB 2024), LSOA 2021",
    url="https://geoportal.statistics.gov.uk/search?q=LUP_LSOA21_SICBL_ICB_CAL_LAD",
    sha256="763fa23ba15c21b58c8e99b3d2d980e4cc299e02017f4625691e7070ce4049c2",
    attribution=ONS_ATTRIBUTION,
    download_url=_ons_layer("LSOA21_SICBL24_ICB24_CAL24_LAD24_EN_LU"),
    file_format="arcgis",
    columns=(
        LSOA21_CODE,
        LSOA21_NAME,
        _code("sicbl_code", "SICBL##CD", "sicbl24_code"),
        _code("sicbl_ods", "SICBL##CDH", "sicbl24_code_nhs"),
        _text("sicbl_name", "SICBL##NM", "sicbl24_name"),
        _code("icb_code", "ICB##CD", "icb24_code"),
        _code("icb_ods", "ICB##CDH", "icb24_code_nhs"),
        _text("icb_name", "ICB##NM", "icb24_name"),
    ),
    key="lsoa21_code",
)

ONS_GEOPORTAL = "Office for National Statistics (ONS), Open Geography Portal"


def _boundaries(
    *,
    name: str,
    title: str,
    filenames: tuple[str, ...],
    vintage: str,
    url: str,
    sha256: str,
    key: str,
    prefix: str,
    year: int,
    code_aliases: tuple[str, ...],
    name_aliases: tuple[str, ...],
    service: str,
) -> Dataset:
    """A boundary dataset of the ONS Open Geography Portal: its code and name columns (``key``
    and ``<stem>_name``, with the portal's titles ``code_aliases`` and ``name_aliases``), features
    kept when their code starts with ``prefix``, ONS's attribution of ``year``, and the feature
    service ``service`` it is fetched from."""
    stem = key.removesuffix("_code")
    return Dataset(
        name=name,
        title=title,
        filenames=filenames,
        publisher=ONS_GEOPORTAL,
        vintage=vintage,
        url=url,
        sha256=sha256,
        columns=(
            _code(key, *code_aliases, key),
            _text(f"{stem}_name", *name_aliases, f"{stem}_name"),
        ),
        key=key,
        england_prefix=prefix,
        geometry=True,
        copyright_year=year,
        file_format="arcgis",
        download_url=_ons_layer(service),
        attribution=(
            f"{ONS_ATTRIBUTION} Contains OS data © Crown copyright and database right {year}."
        ),
    )


# Boundaries. The attribution year is the year of the boundary release where ONS states it
# (ICB April 2023, LAD May 2024), otherwise the year the boundaries are of (LSOA December 2011 and
# 2021, LAD December 2021). Maps draw LSOAs and dissolve organisation outlines and local-authority
# borders from them through the lookups, so that every line matches the LSOAs exactly; the ICB and
# LAD files are catalogued for users who want ONS's own outlines.
LSOA11_BOUNDARIES = _boundaries(
    name="lsoa11_boundaries",
    title=(
        "Lower Layer Super Output Areas (December 2011) Boundaries Super Generalised Clipped (BSC) "
        "EW V3"
    ),
    filenames=(
        "lsoa11_bsc_england.geojson",
        "Lower_Layer_Super_Output_Areas_December_2011_Boundaries_Super_Generalised_Clipped_BSC_EW_V3.geojson",
        "Lower_Layer_Super_Output_Areas_(December_2011)_Boundaries_Super_Generalised_Clipped_(BSC)_EW_V3.geojson",
    ),
    vintage="December 2011, LSOA 2011, BSC (200 m)",
    url=(
        "https://geoportal.statistics.gov.uk/datasets/"
        "lower-layer-super-output-areas-december-2011-boundaries-super-generalised-clipped-bsc-ew-v3"
    ),
    sha256="fcdec6899859abe36d5eddcbb441b6ddb2f9451b7a97756ead73d100777161b1",
    key="lsoa11_code",
    prefix="E01",
    year=2011,
    code_aliases=("LSOA11CD",),
    name_aliases=("LSOA11NM",),
    service="Lower_Layer_Super_Output_Areas_DEC_2011_EW_BSC_V3",
)
LSOA21_BOUNDARIES = _boundaries(
    name="lsoa21_boundaries",
    title="Lower layer Super Output Areas (December 2021) Boundaries EW BSC (V4)",
    filenames=(
        "lsoa21_bsc_england.geojson",
        "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4.geojson",
        "Lower_layer_Super_Output_Areas_(December_2021)_Boundaries_EW_BSC_(V4).geojson",
    ),
    vintage="December 2021, LSOA 2021, BSC (200 m)",
    url=(
        "https://geoportal.statistics.gov.uk/datasets/"
        "ons::lower-layer-super-output-areas-december-2021-boundaries-super-generalised-clipped-ew-bsc"
    ),
    sha256="7d2ec365541f7cc7d3ca59f7d976f51988774e63930608db2cf01962fc3f13ca",
    key="lsoa21_code",
    prefix="E01",
    year=2021,
    code_aliases=("LSOA21CD",),
    name_aliases=("LSOA21NM",),
    service="Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BSC_V4",
)
ICB23_BOUNDARIES = _boundaries(
    name="icb23_boundaries",
    title="Integrated Care Boards (April 2023) EN BSC",
    filenames=(
        "icb23_bsc_england.geojson",
        "ICB_APR_2023_EN_BSC.geojson",
        "ICB_APR_2023_EN_BSC.shp",
    ),
    vintage="April 2023, ICB 2023, BSC (200 m)",
    url="https://geoportal.statistics.gov.uk/search?q=BDY_ICB%20APR_2023",
    sha256="44230a07152e431978a04380bbe3a44470716320d3eb92a9178a8687eafa8d11",
    key="icb23_code",
    prefix="E54",
    year=2023,
    code_aliases=("ICB23CD",),
    name_aliases=("ICB23NM",),
    service="Integrated_Care_Boards_April_2023_EN_BSC",
)
LAD21_BOUNDARIES = _boundaries(
    name="lad21_boundaries",
    title="Local Authority Districts (December 2021) UK BUC",
    filenames=(
        "lad21_buc_england.geojson",
        "Local_Authority_Districts_(December_2021)_UK_BUC.geojson",
    ),
    vintage="December 2021, LAD 2021, BUC (500 m)",
    url="https://geoportal.statistics.gov.uk/datasets/local-authority-districts-december-2021-uk-buc",
    sha256="9d2c0b3ae1ea21c5c8dc229974afd986afff38266d102c46eb46105507949798",
    key="lad21_code",
    prefix="E0",
    year=2021,
    code_aliases=("LAD21CD", "ltla21_code"),
    name_aliases=("LAD21NM", "ltla21_name"),
    service="Local_Authority_Districts_December_2021_UK_BUC_2022",
)
LAD24_BOUNDARIES = _boundaries(
    name="lad24_boundaries",
    title="Local Authority Districts (May 2024) Boundaries UK BUC",
    filenames=(
        "lad24_buc_england.geojson",
        "Local_Authority_Districts_May_2024_Boundaries_UK_BUC.geojson",
    ),
    vintage="May 2024, LAD 2024, BUC (500 m)",
    url="https://geoportal.statistics.gov.uk/datasets/ons::local-authority-districts-may-2024-boundaries-uk-buc-2",
    sha256="565b0407bdb8fe3614c8e1e216f43c633f4424821bdd7026b4bbd4733dbb8b5c",
    key="lad24_code",
    prefix="E0",
    year=2024,
    code_aliases=("LAD24CD", "ltla24_code"),
    name_aliases=("LAD24NM", "ltla24_name"),
    service="Local_Authority_Districts_May_2024_Boundaries_UK_BUC",
)

#: Every dataset, in the order ``hi-reports data status`` lists them: the core ones every
#: edition reads, then those of trust editions, of activity data on LSOA 2021 codes, and the
#: boundaries of the maps.
CATALOGUE: dict[str, Dataset] = {
    d.name: d
    for d in (
        IMD2019,
        IOD2019_DOMAINS,
        IOD2019_DENOMINATORS,
        POPULATION2020,
        RUC2011,
        LSOA_ICB_LOOKUP,
        LSOA_MSOA_LOOKUP,
        TRUST_CATCHMENT,
        TRUST_NAMES,
        LSOA11_LSOA21_LOOKUP,
        IMD2025,
        CENSUS2021_AGE6,
        CENSUS2021_ETHNICITY,
        RUC2021,
        LSOA21_ICB_LOOKUP,
        LSOA11_BOUNDARIES,
        LSOA21_BOUNDARIES,
        ICB23_BOUNDARIES,
        LAD21_BOUNDARIES,
        LAD24_BOUNDARIES,
    )
}


def get_dataset(name: str) -> Dataset:
    """Return the catalogue entry called ``name``.

    Raises
    ------
    DataError
        When ``name`` is not in the catalogue: the message suggests the closest names, the hint
        lists every one, and the setting at fault is ``id``.
    """
    dataset = CATALOGUE.get(name)
    if dataset is None:
        close = difflib.get_close_matches(name, list(CATALOGUE), n=3, cutoff=0.6)
        raise DataError(
            f"unknown dataset {name!r}" + (f"; did you mean {', '.join(close)}?" if close else ""),
            hint=f"the datasets are {', '.join(CATALOGUE)}",
            option="id",
        )
    return dataset
