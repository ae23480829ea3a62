"""The reference data of an edition, read together and checked against each other.

:func:`load_reference` loads every dataset of the catalogue, checks that the English LSOA 2011 codes
agree across the files, and joins them into one tidy table with a row per LSOA.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hi_reports.data.catalogue import AGES, CATALOGUE, DOMAINS
from hi_reports.data.loaders import Loaded, data_dir, index_files, load
from hi_reports.errors import DataError

#: RUC 2011 LSOA classes (England): code, ONS name, urban or rural.
RUC11_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("A1", "Urban major conurbation", "Urban"),
    ("B1", "Urban minor conurbation", "Urban"),
    ("C1", "Urban city and town", "Urban"),
    ("C2", "Urban city and town in a sparse setting", "Urban"),
    ("D1", "Rural town and fringe", "Rural"),
    ("D2", "Rural town and fringe in a sparse setting", "Rural"),
    ("E1", "Rural village and dispersed", "Rural"),
    ("E2", "Rural village and dispersed in a sparse setting", "Rural"),
)

#: What needs each dataset that :func:`load_reference` does not read (the LSOA boundaries are read
#: by the maps of every edition).
NEEDED_FOR = {
    "lsoa_msoa_lookup": "trust editions",
    "trust_catchment": "trust editions",
    "trust_names": "trust editions",
    "lsoa11_lsoa21_lookup": "activity data on LSOA 2021 codes",
    "lsoa11_boundaries": "every edition",
    "lsoa21_boundaries": "maps (editions on LSOA 2021)",
    "icb23_boundaries": "none yet (maps dissolve outlines from LSOAs)",
    "lad21_boundaries": "none yet (maps dissolve borders from LSOAs)",
    "lad24_boundaries": "none yet (maps dissolve borders from LSOAs)",
}

#: Broad age groups used in the chapters: label, first and last single year (90 means 90+).
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (("0-15", 0, 15), ("16-64", 16, 64), ("65+", 65, 90))


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
    """All reference data of an edition.

    Attributes
    ----------
    lsoas
        One row per English LSOA 2011 (32,844), indexed by ``lsoa11_code``: names, sub-ICB, ICB
        and local authority, IMD decile and quintile, the seven domain deciles, RUC 2011 class and
        urban/rural, mid-2020 residents (``population``) and the broad age groups.
    ages
        Mid-2020 residents by single year of age (columns ``age_0`` .. ``age_90``, 90 = 90+),
        indexed like ``lsoas``.
    sources
        The datasets read, by catalogue name.
    """

    lsoas: pd.DataFrame
    ages: pd.DataFrame
    sources: dict[str, Source]
    folder: Path | None = None

    def load_extra(self, name: str) -> pd.DataFrame:
        """Load a dataset that only some editions need (e.g. trust catchments), recording its
        source in :attr:`sources`."""
        item = load(name, self.folder)
        self.sources[name] = _source(name, item)
        return item.table


def _check_codes(loaded: dict[str, Loaded], key: str = "lsoa11_code") -> None:
    """Raise a DataError naming the file whose English LSOA codes differ from the IMD's."""
    base_name = "imd2019"
    base = set(loaded[base_name].table[key])
    for item in loaded.values():
        codes = set(item.table[key])
        if codes == base:
            continue
        extra = sorted(codes - base)[:3]
        missing = sorted(base - codes)[:3]
        parts = []
        if missing:
            parts.append(f"lacks {len(base - codes)} LSOAs of IMD 2019 (first: {', '.join(missing)})")
        if extra:
            parts.append(f"has {len(codes - base)} LSOAs not in IMD 2019 (first: {', '.join(extra)})")
        raise DataError(
            f"{item.path.name}: English LSOA 2011 codes do not agree with "
            f"{loaded[base_name].path.name}: {'; '.join(parts)}",
            hint="every reference file must cover the same 32,844 LSOA 2011 codes; is one of them "
            "on LSOA 2021 codes or cut to a region?",
            path=item.path,
        )


def load_reference(root: str | os.PathLike[str] | None = None) -> Reference:
    """Load, check and join the reference datasets in the data folder ``root``.

    Raises
    ------
    DataError
        When a file is missing, unreadable or malformed, or when the files disagree on which
        English LSOAs exist.
    """
    folder = data_dir(root)
    index = index_files(folder)
    loaded = {name: load(name, folder, index) for name, d in CATALOGUE.items() if d.core}
    _check_codes(loaded)

    key = "lsoa11_code"
    lookup = loaded["lsoa_icb_lookup"].table.set_index(key)
    imd = loaded["imd2019"].table.set_index(key)
    domains = loaded["iod2019_domains"].table.set_index(key)
    population = loaded["population2020"].table.set_index(key)
    ruc = loaded["ruc2011"].table.set_index(key)

    mismatch = imd["imd_decile"].ne(domains["imd_decile"].reindex(imd.index))
    if mismatch.any():
        code = mismatch[mismatch].index[0]
        raise DataError(
            f"{loaded['iod2019_domains'].path.name}: IMD decile of {code} differs from "
            f"{loaded['imd2019'].path.name}",
            hint="Files 1 and 2 must come from the same IoD release",
            path=loaded["iod2019_domains"].path,
        )
    names = {code: name for code, name, _ in RUC11_CLASSES}
    unknown = sorted(set(ruc["ruc11_code"]) - set(names))
    if unknown:
        raise DataError(
            f"{loaded['ruc2011'].path.name}: unknown RUC 2011 codes for English LSOAs: "
            f"{', '.join(unknown[:5])}",
            hint=f"English LSOAs use {', '.join(names)}",
            path=loaded["ruc2011"].path,
        )

    lsoas = lookup.drop(columns=["lsoa11_name"]).join(imd[["lsoa11_name", "imd_rank", "imd_decile"]])
    lsoas["imd_quintile"] = (lsoas["imd_decile"] + 1) // 2
    for domain, _, _ in DOMAINS:
        lsoas[f"{domain}_decile"] = domains[f"{domain}_decile"]
    lsoas["ruc11_code"] = ruc["ruc11_code"]
    lsoas["ruc11_name"] = lsoas["ruc11_code"].map(names)
    lsoas["urban_rural"] = lsoas["ruc11_code"].map({c: u for c, _, u in RUC11_CLASSES})
    ages = population[[f"age_{a}" for a in AGES]].reindex(lsoas.index)
    lsoas["population"] = population["population"]
    sums = ages.sum(axis=1)
    if not np.array_equal(sums.to_numpy(), lsoas["population"].to_numpy()):
        code = sums.index[sums.ne(lsoas["population"])][0]
        raise DataError(
            f"{loaded['population2020'].path.name}: single years of age of {code} do not add up to "
            "its total",
            hint="download the file again",
            path=loaded["population2020"].path,
        )
    for label, first, last in AGE_GROUPS:
        lsoas[f"age_{label}"] = ages[[f"age_{a}" for a in range(first, last + 1)]].sum(axis=1)
    lsoas = lsoas.sort_index()
    sources = {name: _source(name, item) for name, item in loaded.items()}
    return Reference(lsoas=lsoas, ages=ages.loc[lsoas.index], sources=sources, folder=folder)


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
    """Acute trusts' catchments as weights over LSOAs (OHID method).

    Each MSOA's residents are shared between trusts in proportion to the trust's share of the
    MSOA's admitted patients (OHID catchment populations, 2019); an LSOA takes the share of its
    MSOA. Proportions of an MSOA add up to a little under 1 (admissions to non-acute providers).

    Returns
    -------
    DataFrame
        Columns ``org`` (trust ODS code), ``lsoa11_code``, ``weight``.

    Raises
    ------
    DataError
        When the catchment file names MSOAs the LSOA-to-MSOA lookup does not have, or the lookup's
        LSOAs differ from the IMD's.
    """
    lookup = reference.load_extra("lsoa_msoa_lookup")
    catchment = reference.load_extra("trust_catchment")
    missing = sorted(set(reference.lsoas.index) - set(lookup["lsoa11_code"]))
    extra = sorted(set(lookup["lsoa11_code"]) - set(reference.lsoas.index))
    if missing or extra:
        raise DataError(
            f"{Path(reference.sources['lsoa_msoa_lookup'].path).name}: English LSOA 2011 codes do not "
            f"agree with IMD 2019 (first differences: {', '.join((missing + extra)[:3])})",
            hint="use the ONS OA11-LSOA11-MSOA11 lookup for England",
            path=reference.sources["lsoa_msoa_lookup"].path,
        )
    unknown = sorted(set(catchment["msoa11_code"]) - set(lookup["msoa11_code"]))
    if unknown:
        raise DataError(
            f"{Path(reference.sources['trust_catchment'].path).name}: {len(unknown)} MSOAs are not in "
            f"the LSOA to MSOA lookup (first: {', '.join(unknown[:3])})",
            hint="catchments must be on MSOA 2011 codes",
            path=reference.sources["trust_catchment"].path,
        )
    weights = catchment.merge(lookup, on="msoa11_code")
    return pd.DataFrame(
        {
            "org": weights["trust_code"].to_numpy(),
            "lsoa11_code": weights["lsoa11_code"].to_numpy(),
            "weight": weights["proportion"].to_numpy(dtype=float),
        }
    )


def status(root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """List each catalogue dataset: present or missing, vintage, English rows, sha256.

    A file is read (through the cache) to count its rows; one that cannot be parsed is listed as
    ``error`` with the reason, so that ``hi-reports data status`` always gives the whole picture.
    """
    folder = data_dir(root)
    index = index_files(folder)
    rows = []
    for name, dataset in CATALOGUE.items():
        row = {
            "dataset": name,
            "needed_for": "every edition" if dataset.core else NEEDED_FOR.get(name, "some editions"),
            "status": "missing",
            "vintage": dataset.vintage,
            "rows": None,
            "sha256": None,
            "file": str(folder / dataset.filename),
            "note": f"download from {dataset.url}",
        }
        try:
            item = load(name, folder, index)
        except DataError as error:
            if error.path and Path(error.path).exists() and Path(error.path).is_file():
                row.update(status="error", file=error.path, note=error.message)
        else:
            matches = dataset.sha256 is None or item.sha256 == dataset.sha256
            row.update(
                status="present",
                rows=len(item.table),
                sha256=item.sha256,
                file=str(item.path),
                note="" if matches else "sha256 differs from the catalogued copy (revised file?)",
            )
        rows.append(row)
    return pd.DataFrame(rows)
