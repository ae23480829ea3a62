"""The reference data of an edition, read together and checked against each other.

:func:`load_reference` loads the datasets of one :class:`~hi_reports.data.vintage.Vintage`, checks
that their English LSOA codes agree, and joins them into one tidy table with a row per LSOA. The
table's columns have the same names in every vintage (``lsoa_code``, ``ruc_code``, ``icb_ods``...),
so that nothing downstream depends on the vintage except through :attr:`Reference.vintage`.
"""

from __future__ import annotations

import dataclasses
import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hi_reports.data.catalogue import AGES, CATALOGUE, DOMAINS, get_dataset
from hi_reports.data.codes import among
from hi_reports.data.loaders import (
    Loaded,
    data_dir,
    existing_data_dir,
    find_file,
    index_files,
    load,
    read_cached,
    require_file,
    require_files,
    stat_key,
    title_year,
)
from hi_reports.data.registry import read_registry
from hi_reports.data.vintage import (
    AGE_GROUPS,
    BRIDGE,
    DEFAULT_VINTAGE,
    VINTAGES,
    Vintage,
    get_vintage,
)
from hi_reports.errors import DataError

#: The columns of :attr:`Reference.lsoas` taken from the ICB lookup.
LOOKUP_COLUMNS = (
    "sicbl_code",
    "sicbl_ods",
    "sicbl_name",
    "icb_code",
    "icb_ods",
    "icb_name",
    "lad_code",
    "lad_name",
)

#: What needs each dataset, besides the editions of the vintages that read it (see needed_for).
NEEDED_FOR = {
    "census2021_ethnicity": "the ethnic groups (PLUS groups)",
    "lsoa_msoa_lookup": "trust editions",
    "trust_catchment": "trust editions",
    "trust_names": "trust editions",
    "icb23_boundaries": "none yet (maps dissolve outlines from LSOAs)",
    "lad21_boundaries": "none yet (maps dissolve borders from LSOAs)",
    "lad24_boundaries": "none yet (maps dissolve borders from LSOAs)",
}

#: The datasets a trust edition reads besides its vintage's: the LSOA to MSOA lookup, the OHID
#: catchments and the ODS trust names.
TRUST_DATASETS = ("lsoa_msoa_lookup", "trust_catchment", "trust_names")

#: The title of the ONS LSOA 2011 to 2021 lookup (:data:`~hi_reports.data.vintage.BRIDGE`), which
#: carries trust catchments to LSOA 2021, and the census ethnic groups and activity on LSOA 2021
#: codes to LSOA 2011.
BRIDGE_TITLE = "ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup for England and Wales"

#: Census 2021 age bands of the 2025 vintage that make up each broad age group.
_CENSUS_GROUPS = {
    "0-15": ("age_0_15",),
    "16-64": ("age_16_24", "age_25_34", "age_35_49", "age_50_64"),
    "65+": ("age_65_plus",),
}


@dataclass(frozen=True)
class Source:
    """Where one dataset of an edition came from (for the annex and ``data status``)."""

    name: str
    title: str
    publisher: str
    vintage: str
    url: str
    licence: str
    path: str
    sha256: str
    rows: int


@dataclass(frozen=True, eq=False)
class Reference:
    """All reference data of an edition, on the LSOAs of one vintage.

    Attributes
    ----------
    lsoas
        One row per English LSOA of the vintage (32,844 LSOAs 2011 or 33,755 LSOAs 2021), indexed
        by ``lsoa_code``: ``lsoa_name``, sub-ICB, ICB and local authority (:data:`LOOKUP_COLUMNS`),
        IMD rank, decile and quintile, the seven domain deciles, RUC class (``ruc_code``,
        ``ruc_name``) and ``urban_rural``, residents (``population``) and the broad age groups
        (``age_0-15``, ``age_16-64``, ``age_65+``).
    ages
        Residents by age, indexed like ``lsoas``: single years (``age_0`` .. ``age_90``, 90 = 90+)
        where the vintage has them (:attr:`Vintage.single_year_ages`), else the census bands.
    sources
        The datasets the reference was loaded from (its vintage's), by catalogue name. The
        datasets only some editions read (:meth:`extra`) are never added: :func:`edition_sources`
        lists those of an edition.
    folder
        The data folder.
    vintage
        The vintage: its LSOA year, class names and the words the chapters use.

    A reference never changes once loaded: what an edition lists and hashes does not depend on
    what was read before it.
    """

    lsoas: pd.DataFrame
    ages: pd.DataFrame
    sources: Mapping[str, Source]
    folder: Path | None = None
    vintage: Vintage = VINTAGES[DEFAULT_VINTAGE]

    def __post_init__(self) -> None:
        # a copy: the caller's dict may change later, the reference's sources do not
        object.__setattr__(self, "sources", dict(self.sources))

    def extra(self, name: str) -> tuple[pd.DataFrame, Source]:
        """Load a dataset that only some editions read (trust catchments, boundaries) from the
        reference's data folder, through the cache: its table and where it came from.

        The reference is not changed (see :func:`edition_sources` for an edition's sources).
        """
        item = load(name, self.folder)
        return item.table, _source(name, item)

    def load_extra(self, name: str) -> pd.DataFrame:
        """The table of a dataset that only some editions read (see :meth:`extra`)."""
        return load(name, self.folder).table

    def source(self, name: str) -> Source:
        """Where dataset ``name`` comes from: one of :attr:`sources`, else the file of the data
        folder, read now (see :meth:`extra`) unless this process read it unchanged before."""
        known = self.sources.get(name)
        if known is not None:
            return known
        path = require_file(get_dataset(name), data_dir(self.folder))
        key = (name, str(path), stat_key(path))
        found = _EXTRA_SOURCES.get(key)
        if found is None:
            found = _EXTRA_SOURCES[key] = self.extra(name)[1]
        return found


#: The sources of the datasets only some editions read, by name, path and :func:`stat_key`:
#: every edition of a batch lists the boundaries and census table without reading them again.
_EXTRA_SOURCES: dict[tuple[str, str, tuple[str, int, int, int]], Source] = {}


def lsoa_year(codes: pd.Index) -> str:
    """Say which LSOA geography the English codes in ``codes`` look like.

    The 2011 codes run to E01033768; 2021 added E01033769 and above for split and merged areas (and
    dropped some 2011 codes). Returns ``"LSOA 2021"``, ``"LSOA 2011"`` or ``"unknown"``.
    """
    english = codes[codes.str.startswith("E01")]
    if len(english) == 0:
        return "unknown"
    new = int((english > "E01033768").sum())
    return "LSOA 2021" if new > 100 else "LSOA 2011" if new == 0 else "unknown"


def _check_codes(loaded: dict[str, Loaded], vintage: Vintage) -> None:
    """Raise a DataError naming the file whose English LSOA codes differ from the IMD's, and
    saying so plainly when a file is on the other vintage's LSOAs."""
    base_item = loaded[vintage.datasets["imd"]]

    def codes_of(item: Loaded) -> np.ndarray:
        return np.unique(item.table[item.dataset.key].to_numpy(dtype=object))

    base_codes = codes_of(base_item)
    for item in loaded.values():
        sorted_codes = codes_of(item)
        if np.array_equal(sorted_codes, base_codes):
            continue
        base, codes = set(base_codes), set(sorted_codes)
        found = lsoa_year(pd.Index(sorted_codes))
        if found != "unknown" and found != vintage.lsoa_label:
            raise DataError(
                f"{item.path.name} is on {found} codes but {base_item.path.name} is on "
                f"{vintage.lsoa_label}: an edition never mixes geographies",
                hint=f"use the {vintage.lsoa_label} edition of {item.dataset.title}, or choose the "
                "vintage that matches the file",
                path=item.path,
                option="vintage",
            )
        extra = sorted(codes - base)[:3]
        missing = sorted(base - codes)[:3]
        parts = []
        if missing:
            parts.append(
                f"lacks {len(base - codes)} LSOAs of {vintage.imd} (first: {', '.join(missing)})"
            )
        if extra:
            parts.append(
                f"has {len(codes - base)} LSOAs not in {vintage.imd} (first: {', '.join(extra)})"
            )
        raise DataError(
            f"{item.path.name}: English {vintage.lsoa_label} codes do not agree with "
            f"{base_item.path.name}: {'; '.join(parts)}",
            hint=f"every reference file must cover the same {len(base):,} {vintage.lsoa_label} "
            "codes; is one of them on other LSOAs or cut to a region?",
            path=item.path,
        )


def load_reference(
    root: str | os.PathLike[str] | None = None, vintage: str | Vintage = DEFAULT_VINTAGE
) -> Reference:
    """Load, check and join the reference datasets of ``vintage`` in the data folder ``root``.

    A second call for the same folder and vintage returns the same Reference while none of its
    files has changed (a Reference never changes).

    Raises
    ------
    DataError
        When a file is missing, unreadable or malformed, or when the files disagree on which
        English LSOAs exist (naming both files, and both geographies when they are mixed).
    """
    v = vintage if isinstance(vintage, Vintage) else get_vintage(vintage)
    folder = existing_data_dir(root)
    index = index_files(folder)
    roles = v.datasets
    # A missing dataset the tables need stops here, after every missing one of the vintage (the
    # maps' boundaries too) has been fetched or named: one error, not one per run. Boundaries
    # alone missing do not stop `orgs`; the maps ask for them.
    missing = [
        get_dataset(name)
        for name in v.required
        if find_file(get_dataset(name), folder, index) is None
    ]
    if any(dataset.name in roles.values() for dataset in missing):
        require_files(missing, folder, index)
        index = index_files(folder)
    names = list(dict.fromkeys(roles.values()))
    files = [require_file(get_dataset(name), folder, index) for name in names]
    key = (str(folder), repr(v), tuple(stat_key(path) for path in files))
    known = _LOADED.get(key)
    if known is not None:
        return known
    reference = _join({name: load(name, folder, index) for name in names}, v, folder)
    while len(_LOADED) >= _LOADED_MAX:
        del _LOADED[next(iter(_LOADED))]
    _LOADED[key] = reference
    return reference


#: The references this process loaded, by data folder, vintage and the :func:`stat_key` of each
#: file: a Reference never changes, so a second call (``hi_reports.edition`` in a notebook, a
#: second command in one process) takes no time while its files are unchanged.
_LOADED: dict[tuple[str, str, tuple[tuple[str, int, int, int], ...]], Reference] = {}
_LOADED_MAX = 4


def _join(loaded: dict[str, Loaded], v: Vintage, folder: Path) -> Reference:
    """Check the datasets ``loaded`` of vintage ``v`` against each other and join them into the
    reference (see :func:`load_reference`)."""
    roles = v.datasets
    checked = {n: item for n, item in loaded.items() if n != roles.get("lad_lookup")}
    _check_codes(checked, v)

    def table(role: str) -> pd.DataFrame:
        item = loaded[roles[role]]
        return item.table.set_index(item.dataset.key).rename_axis("lsoa_code")

    lookup = table("lookup")
    imd = table("imd")
    domains = table("domains")
    population = table("population")
    ruc = table("ruc")
    ruc_column = next(c for c in ruc.columns if c.startswith("ruc"))

    if roles["domains"] != roles["imd"]:
        mismatch = imd["imd_decile"].ne(domains["imd_decile"].reindex(imd.index))
        if mismatch.any():
            code = mismatch[mismatch].index[0]
            raise DataError(
                f"{loaded[roles['domains']].path.name}: IMD decile of {code} differs from "
                f"{loaded[roles['imd']].path.name}",
                hint="Files 1 and 2 must come from the same IoD release",
                path=loaded[roles["domains"]].path,
            )
    classes = {c.code: c for c in v.ruc_classes}
    unknown = sorted(set(ruc[ruc_column]) - set(classes))
    if unknown:
        raise DataError(
            f"{loaded[roles['ruc']].path.name}: unknown {v.ruc_short} codes for English LSOAs: "
            f"{', '.join(unknown[:5])}",
            hint=f"English LSOAs use {', '.join(classes)}",
            path=loaded[roles["ruc"]].path,
        )

    names = (lookup if v.lsoa_name_key in lookup.columns else population)[v.lsoa_name_key]
    if "lad_lookup" in roles:
        lad = loaded[roles["lad_lookup"]].table
        lad = lad.drop_duplicates(v.lsoa_key).set_index(v.lsoa_key).rename_axis("lsoa_code")
        lookup = lookup.join(lad[["lad_code", "lad_name"]])
        if lookup["lad_code"].isna().any():
            code = lookup.index[lookup["lad_code"].isna()][0]
            raise DataError(
                f"{loaded[roles['lad_lookup']].path.name}: no local authority for "
                f"{v.lsoa_label} {code}",
                hint=f"use the {BRIDGE_TITLE}",
                path=loaded[roles["lad_lookup"]].path,
            )
    lsoas = lookup[list(LOOKUP_COLUMNS)].copy()
    lsoas["lsoa_name"] = names
    lsoas["imd_rank"] = imd["imd_rank"]
    lsoas["imd_decile"] = imd["imd_decile"]
    lsoas["imd_quintile"] = (lsoas["imd_decile"] + 1) // 2
    for domain, _, _ in DOMAINS:
        lsoas[f"{domain}_decile"] = domains[f"{domain}_decile"]
    lsoas["ruc_code"] = ruc[ruc_column]
    lsoas["ruc_name"] = lsoas["ruc_code"].map({c: k.name for c, k in classes.items()})
    lsoas["urban_rural"] = lsoas["ruc_code"].map({c: k.urban_rural for c, k in classes.items()})
    lsoas["population"] = population["population"]
    if v.single_year_ages:
        ages = population[[f"age_{a}" for a in AGES]].reindex(lsoas.index)
        groups = {
            label: [f"age_{a}" for a in range(first, last + 1)] for label, first, last in AGE_GROUPS
        }
    else:
        ages = population[[c for cols in _CENSUS_GROUPS.values() for c in cols]].reindex(
            lsoas.index
        )
        groups = {label: list(cols) for label, cols in _CENSUS_GROUPS.items()}
    sums = ages.sum(axis=1)
    if not np.array_equal(sums.to_numpy(), lsoas["population"].to_numpy()):
        code = sums.index[sums.ne(lsoas["population"])][0]
        raise DataError(
            f"{loaded[roles['population']].path.name}: residents by age of {code} do not add up to "
            "its total",
            hint="download the file again",
            path=loaded[roles["population"]].path,
        )
    for label, columns in groups.items():
        lsoas[f"age_{label}"] = ages[columns].sum(axis=1)
    lsoas = lsoas.sort_index()
    sources = {name: _source(name, item) for name, item in loaded.items()}
    year = title_year(loaded[roles["lookup"]].table)
    if year is not None and str(year) not in v.organisations_when:  # a newer lookup, added by hand
        v, sources[roles["lookup"]] = _release(v, sources[roles["lookup"]], year)
    return Reference(
        lsoas=lsoas, ages=ages.loc[lsoas.index], sources=sources, folder=folder, vintage=v
    )


def _release(v: Vintage, source: Source, year: int) -> tuple[Vintage, Source]:
    """The vintage and lookup source as a lookup of another ``year`` (its column titles' year, e.g.
    ``ICB25CD``) says: the organisations are those of that year, not of the catalogue's release."""
    when, old = v.organisations_when, v.organisations_when[-4:]
    new = str(year)
    vintage = dataclasses.replace(
        v,
        organisations_when=new,
        lookup_text=v.lookup_text.replace(when, new),
        sources=dataclasses.replace(v.sources, lookup=v.sources.lookup.replace(when, new)),
    )
    text = (
        source.vintage.replace(when, new)
        .replace(f"ICB {old}", f"ICB {new}")
        .replace(f"LAD {old}", f"LAD {new}")
    )
    return vintage, dataclasses.replace(
        source, vintage=f"{text} (the file's column titles are of {new})"
    )


_OTHER: weakref.WeakKeyDictionary[Reference, Reference | None] = weakref.WeakKeyDictionary()


def other_vintage_files(reference: Reference) -> dict[str, Path] | None:
    """The files of the other vintage's reference datasets in the same data folder, by catalogue
    name, or None when any is missing (they are looked for, never fetched: the comparison note is
    worth a download to nobody)."""
    other = reference.vintage.other
    folder = data_dir(reference.folder)
    index = index_files(folder)
    files: dict[str, Path] = {}
    for name in dict.fromkeys(other.datasets.values()):
        path = find_file(get_dataset(name), folder, index)
        if path is None:
            return None
        files[name] = path
    return files


def other_vintage(reference: Reference) -> Reference | None:
    """The reference data of the other vintage in the same data folder, or None when any of its
    files is missing or unreadable (loaded once per ``reference``; see
    :func:`other_vintage_files`)."""
    if reference not in _OTHER:
        other = reference.vintage.other
        try:
            present = other_vintage_files(reference) is not None
            _OTHER[reference] = load_reference(reference.folder, other) if present else None
        except DataError:
            _OTHER[reference] = None
    return _OTHER[reference]


def _source(name: str, item: Loaded) -> Source:
    return Source(
        name=name,
        title=item.dataset.title,
        publisher=item.dataset.publisher,
        vintage=item.dataset.vintage,
        url=item.dataset.url,
        licence=item.dataset.licence,
        path=str(item.path),
        sha256=item.sha256,
        rows=len(item.table),
    )


def trust_catchments(reference: Reference) -> pd.DataFrame:
    """Acute trusts' catchments as weights over the LSOAs of the reference's vintage (OHID method).

    Each MSOA's residents are shared between trusts in proportion to the trust's share of the
    MSOA's admitted patients (OHID catchment populations, 2019, on MSOA 2011); an LSOA 2011 takes
    the share of its MSOA. Proportions of an MSOA add up to a little under 1 (admissions to
    non-acute providers).

    On LSOA 2021 (vintage 2025) the shares are carried over by the ONS LSOA 2011 to 2021 lookup:
    an LSOA 2021 takes the mean share of the LSOAs 2011 it comes from. An unchanged or split
    LSOA keeps its parent's share exactly; one drawn from several (merged or redrawn: 100 of
    England's 33,755) takes the plain mean of their shares, which are mostly those of one MSOA. A
    share is a proportion of residents, not a count, so nothing is double counted.

    Returns
    -------
    DataFrame
        Columns ``org`` (trust ODS code), ``lsoa_code``, ``weight``.

    Raises
    ------
    DataError
        When the catchment file names MSOAs the LSOA-to-MSOA lookup does not have, or when a
        lookup's LSOAs differ from the IMD's.
    """
    lookup, lookup_source = reference.extra("lsoa_msoa_lookup")
    catchment, catchment_source = reference.extra("trust_catchment")
    imd = Path(reference.sources[reference.vintage.datasets["imd"]].path).name
    bridge = None if reference.vintage.lsoa_year == 2011 else _bridge(reference, imd)
    if bridge is None:
        lsoa11 = set(reference.lsoas.index)
        against = imd
    else:
        lsoa11 = set(bridge["lsoa11_code"])
        against = f"the LSOAs 2011 of {Path(reference.source(BRIDGE).path).name}"
    same_codes(
        lookup_source,
        set(lookup["lsoa11_code"]),
        lsoa11,
        "LSOA 2011",
        against,
        "use the ONS OA11-LSOA11-MSOA11 lookup for England",
    )
    unknown = sorted(set(catchment["msoa11_code"]) - set(lookup["msoa11_code"]))
    if unknown:
        raise DataError(
            f"{Path(catchment_source.path).name}: {len(unknown)} MSOAs are not in the LSOA to MSOA "
            f"lookup (first: {', '.join(unknown[:3])})",
            hint="catchments must be on MSOA 2011 codes",
            path=catchment_source.path,
        )
    shares = catchment.merge(lookup, on="msoa11_code")
    weights = pd.DataFrame(
        {
            "org": shares["trust_code"].to_numpy(),
            "lsoa_code": shares["lsoa11_code"].to_numpy(),
            "weight": shares["proportion"].to_numpy(dtype=float),
        }
    )
    return weights if bridge is None else _to_lsoa21(weights, bridge)


def same_codes(
    source: Source,
    codes: set[str],
    expected: set[str],
    label: str,
    against: str,
    hint: str,
) -> None:
    """Check that a dataset covers the codes it should.

    Parameters
    ----------
    source
        The dataset, whose file the message names.
    codes
        Its English codes.
    expected
        The codes it must have, exactly.
    label
        What they are, e.g. ``"LSOA 2021"``.
    against
        Where ``expected`` comes from (a file name), for the message.
    hint
        What to do about it.

    Raises
    ------
    DataError
        Naming the file and the first differences (missing codes first), when the sets differ.
    """
    differences = sorted(expected - codes) + sorted(codes - expected)
    if differences:
        raise DataError(
            f"{Path(source.path).name}: English {label} codes do not agree with {against} (first "
            f"differences: {', '.join(differences[:3])})",
            hint=hint,
            path=source.path,
        )


def _bridge(reference: Reference, imd: str) -> pd.DataFrame:
    """The ONS LSOA 2011 to 2021 lookup's rows of the reference's LSOAs 2021, checked to cover
    them all: columns ``lsoa11_code`` and ``lsoa21_code``."""
    bridge, source = reference.extra(BRIDGE)
    bridge = bridge.loc[
        among(bridge["lsoa21_code"], reference.lsoas.index), ["lsoa11_code", "lsoa21_code"]
    ]
    same_codes(
        source,
        set(bridge["lsoa21_code"]),
        set(reference.lsoas.index),
        "LSOA 2021",
        imd,
        f"use the {BRIDGE_TITLE}",
    )
    return bridge


def _to_lsoa21(weights: pd.DataFrame, bridge: pd.DataFrame) -> pd.DataFrame:
    """Carry LSOA 2011 weights over ``bridge`` (see :func:`_bridge`) to LSOA 2021: each LSOA 2021
    takes the mean over its parents."""
    parents = bridge.groupby("lsoa21_code")["lsoa11_code"].size()
    carried = weights.merge(bridge, left_on="lsoa_code", right_on="lsoa11_code")
    summed = carried.groupby(["org", "lsoa21_code"], sort=False)["weight"].sum()
    mean = summed / parents.reindex(summed.index.get_level_values("lsoa21_code")).to_numpy()
    return pd.DataFrame(
        {
            "org": mean.index.get_level_values("org"),
            "lsoa_code": mean.index.get_level_values("lsoa21_code"),
            "weight": mean.to_numpy(),
        }
    )


def edition_datasets(
    reference: Reference, kind: str, *, activity_files: bool = False, maps: bool = False
) -> tuple[str, ...]:
    """The catalogue names of the datasets an edition of ``kind`` reads, whatever was read
    before.

    They are those of the reference's :attr:`~Reference.sources` (its vintage's); for a trust
    edition, then the LSOA to MSOA lookup, the catchments (on LSOA 2021, the LSOA 2011 to 2021
    lookup too, which carries them over) and the trust names; with ``activity_files``, the LSOA
    2011 to 2021 lookup where the data folder has it (it maps activity on LSOA 2021 codes); with
    ``maps``, the vintage's LSOA boundaries; last, for every edition, the census ethnic groups
    (on LSOA 2011 with the lookup that carries them over: :attr:`Vintage.ethnicity_datasets`),
    which the reference does not load (see :func:`hi_reports.data.ethnicity.ethnic_groups`).
    """
    names = list(reference.sources)
    if kind == "trust":
        names += TRUST_DATASETS[:2]
        if reference.vintage.lsoa_year != 2011:
            names.append(BRIDGE)
        names += TRUST_DATASETS[2:]
    if activity_files and find_file(get_dataset(BRIDGE), data_dir(reference.folder)) is not None:
        names.append(BRIDGE)
    if maps:
        names.append(reference.vintage.boundaries)
    names += reference.vintage.ethnicity_datasets
    return tuple(dict.fromkeys(names))


def edition_sources(
    reference: Reference, kind: str, *, activity_files: bool = False, maps: bool = False
) -> dict[str, Source]:
    """The sources of the datasets an edition of ``kind`` reads (:func:`edition_datasets`), by
    catalogue name. Those beyond the reference's own are read now, through the cache; the
    reference is not changed, so the answer does not depend on what was read before.

    Raises
    ------
    DataError
        When a dataset the edition needs is missing or unreadable.
    """
    names = edition_datasets(reference, kind, activity_files=activity_files, maps=maps)
    return {name: reference.source(name) for name in names}


def needed_for(name: str) -> str:
    """Which editions read the dataset ``name``, e.g. ``"every edition (vintage 2019)"``."""
    vintages = [v.name for v in VINTAGES.values() if name in v.required]
    uses = [f"every edition (vintage {' and '.join(vintages)})"] if vintages else []
    if name in NEEDED_FOR:
        uses.append(NEEDED_FOR[name])
    if name == BRIDGE:
        uses.append(
            "the ethnic groups and activity data on LSOA 2021 codes, carried to LSOA 2011 "
            "(vintage 2019)"
        )
    return "; ".join(uses) or "some editions"


def status(root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """List each catalogue dataset: present, missing, changed or error; vintage, rows, sha256.

    A file is read (through the cache) to count its rows; one that cannot be parsed is listed as
    ``error`` with the reason, and one whose sha256 is not the one registered when it was fetched
    or added (else the catalogue's) as ``changed`` (truncated, edited, or a copy never registered),
    so that ``hi-reports data status`` always gives the whole picture.

    Raises
    ------
    DataError
        When a data folder the user named does not exist.
    """
    folder = existing_data_dir(root)
    index = index_files(folder)
    registry = read_registry(folder)
    rows = []
    for name, dataset in CATALOGUE.items():
        row: dict[str, object] = {
            "dataset": name,
            "needed_for": needed_for(name),
            "status": "missing",
            "vintage": dataset.vintage,
            "rows": None,
            "sha256": None,
            "file": str(folder / dataset.filename),
            "note": (
                f"`hi-reports data fetch {name}` downloads it; offline, {dataset.add_hint}"
                if dataset.download_url
                else f"no fixed download: download it from {dataset.url}, then "
                f"`hi-reports data add {name} FILE`"
            ),
        }
        try:
            path = find_file(dataset, folder, index)
            item = None if path is None else read_cached(dataset, path)
        except DataError as error:  # a file that cannot be read, or two that could be it
            if error.path and Path(error.path).is_file():
                row.update(status="error", file=error.path, note=error.message)
            rows.append(row)
            continue
        if item is not None:
            expected, basis = (
                (registry[name][0], "registered")
                if name in registry
                else (dataset.sha256, "catalogued")
            )
            changed = expected is not None and item.sha256 != expected
            row.update(
                status="changed" if changed else "present",
                rows=len(item.table),
                sha256=item.sha256,
                file=str(item.path),
                note=(
                    f"sha256 differs from the {basis} {expected}: the file was changed or cut "
                    f"short since; fetch it again (delete it, then `hi-reports data fetch {name}`) "
                    f"or register your copy with `hi-reports data add {name} FILE`"
                )
                if changed
                else "",
            )
        rows.append(row)
    return pd.DataFrame(rows)
