"""LSOA shapes for the maps, and the outlines and borders dissolved from them.

:func:`lsoa_shapes` loads the LSOA boundaries of the reference data's geography (LSOA 2011 for IMD
2019; :func:`boundary_dataset` chooses) once per :class:`~hi_reports.data.Reference`, in British
National Grid metres. A batch loads them in the parent process, so forked workers share them. The
drawing stage turns them into paths (:mod:`hi_reports.draw.paths`); geography only holds the
geometry.

Local-authority districts and ICBs are dissolved from the LSOAs through the lookup
(``lad_code``, ``icb_code`` of ``reference.lsoas``), so their lines match the LSOAs exactly, and
cached as GeoParquet beside the parsed tables. An organisation's outline and the local-authority
borders inside it (:func:`area_shapes`) reuse a whole district's dissolve and unite only the LSOAs
of districts the organisation holds in part (``shapely.coverage_union_all``: the LSOAs tile
England without overlaps, which makes this a fast edge merge rather than a polygon overlay).
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from hi_reports.data import Reference
from hi_reports.data.catalogue import get_dataset
from hi_reports.data.loaders import cache_dir, read_parquet, write_cache
from hi_reports.errors import DataError

#: Bump when the layout of the dissolved-boundaries cache changes.
DISSOLVE_SCHEMA = 1


def boundary_dataset(reference: Reference) -> str:
    """The catalogue name of the LSOA boundaries of ``reference``'s LSOA geography (its
    vintage's)."""
    return reference.vintage.boundaries


@dataclass(frozen=True, eq=False)
class Shapes:
    """The LSOAs of England, and the districts and ICBs dissolved from them.

    Attributes
    ----------
    dataset
        The catalogue name of the LSOA boundaries.
    sha256
        The checksum of the boundary file: caches made from it are keyed by it.
    year
        The year of ONS's attribution for them.
    codes
        LSOA codes in the order of ``reference.lsoas``.
    geometry
        One shapely (Multi)Polygon per LSOA, EPSG:27700, in that order.
    lad, icb
        Dissolved polygons by local-authority and ICB code (the lookup's codes).
    lad_of
        The local-authority code of each LSOA, in the order of ``codes``.
    lad_names
        Local-authority names by code.
    lad_sizes
        Number of LSOAs of each local authority.
    """

    dataset: str
    sha256: str
    year: int
    codes: pd.Index
    geometry: np.ndarray
    lad: dict[str, Any]
    icb: dict[str, Any]
    lad_of: np.ndarray
    lad_names: dict[str, str]
    lad_sizes: dict[str, int]

    def positions(self, codes: Sequence[str] | np.ndarray | pd.Index) -> np.ndarray:
        """Positions of LSOA ``codes`` in :attr:`codes`.

        Raises
        ------
        DataError
            When a code is not among the boundaries' LSOAs (the message names the first three).
        """
        wanted = pd.Index(codes)
        positions = self.codes.get_indexer(wanted)
        if (positions < 0).any():
            raise DataError(
                f"LSOAs {', '.join(map(str, wanted[positions < 0][:3]))} are not in the "
                f"boundaries {self.dataset}"
            )
        return positions


def union_tiles(parts: np.ndarray) -> Any:
    """The union of LSOA polygons that tile an area.

    The fast coverage union where the shared edges are noded alike (LSOA 2011), else the general
    union (some LSOA 2021 neighbours differ by a vertex along a shared edge).
    """
    try:
        return shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        return shapely.union_all(parts)


def _dissolve(geometry: np.ndarray, groups: np.ndarray) -> dict[str, Any]:
    order = np.argsort(groups, kind="stable")
    keys, starts = np.unique(groups[order], return_index=True)
    bounds = [*starts[1:], len(order)]
    return {
        str(key): union_tiles(geometry[order[start:end]])
        for key, start, end in zip(keys, starts, bounds, strict=True)
    }


def _dissolved(reference: Reference, geometry: np.ndarray, sha: str) -> dict[str, dict[str, Any]]:
    """Districts and ICBs dissolved from the LSOAs, through a GeoParquet cache."""
    import geopandas  # on use: about 1 s to import, and only a new cache needs it

    roles = reference.vintage.datasets
    lookup = hashlib.sha256(
        "".join(
            reference.sources[roles[r]].sha256 for r in ("lookup", "lad_lookup") if r in roles
        ).encode()
    ).hexdigest()
    target = cache_dir() / f"dissolved-{sha[:16]}-{lookup[:16]}-v{DISSOLVE_SCHEMA}.parquet"
    frame = None
    if target.is_file():
        try:
            frame = read_parquet(target, geometry=True)
        except (OSError, ValueError):
            frame = None
    if frame is None:
        rows = []
        for level in ("lad", "icb"):
            for code, shape in _dissolve(
                geometry, reference.lsoas[f"{level}_code"].to_numpy()
            ).items():
                rows.append((level, code, shape))
        frame = geopandas.GeoDataFrame(
            {"level": [r[0] for r in rows], "code": [r[1] for r in rows]},
            geometry=[r[2] for r in rows],
            crs="EPSG:27700",
        )
        write_cache(frame, target)
    out: dict[str, dict[str, Any]] = {"lad": {}, "icb": {}}
    for level, code, shape in zip(
        frame["level"], frame["code"], frame.geometry.to_numpy(), strict=True
    ):
        out[level][code] = shape
    return out


_CACHE: weakref.WeakKeyDictionary[Reference, Shapes] = weakref.WeakKeyDictionary()


def lsoa_shapes(reference: Reference) -> Shapes:
    """The LSOA shapes of ``reference``'s geography, loaded once per reference.

    Raises
    ------
    DataError
        When the boundary file is missing (the message names it and where to download it), or
        its LSOA codes differ from the reference data's.
    """
    cached = _CACHE.get(reference)
    if cached is not None:
        return cached
    name = boundary_dataset(reference)
    dataset = get_dataset(name)
    table, source = reference.extra(name)
    frame = table.set_index(dataset.key)
    missing = reference.lsoas.index.difference(frame.index)
    if len(missing):
        raise DataError(
            f"{Path(source.path).name}: {len(missing)} LSOAs of the reference data have no "
            f"boundary (first: {', '.join(missing[:3])})",
            hint=f"use {dataset.title} ({dataset.url}), the boundaries of the same LSOA geography",
            path=source.path,
        )
    geometry = frame.geometry.reindex(reference.lsoas.index).to_numpy()
    dissolved = _dissolved(reference, geometry, source.sha256)
    lsoas = reference.lsoas
    names = lsoas[["lad_code", "lad_name"]].drop_duplicates("lad_code")
    shapes = Shapes(
        dataset=name,
        sha256=source.sha256,
        year=int(dataset.copyright_year or 0),
        codes=lsoas.index,
        geometry=geometry,
        lad=dissolved["lad"],
        icb=dissolved["icb"],
        lad_of=lsoas["lad_code"].to_numpy(),
        lad_names=dict(zip(names["lad_code"].tolist(), names["lad_name"].tolist(), strict=True)),
        lad_sizes={str(code): int(n) for code, n in lsoas["lad_code"].value_counts().items()},
    )
    _CACHE[reference] = shapes
    return shapes


@dataclass(frozen=True)
class AreaShapes:
    """The LSOAs of one map, its outline and the local-authority borders inside it.

    Attributes
    ----------
    positions
        Positions of the drawn LSOAs in :attr:`Shapes.codes`.
    outline
        The union of those LSOAs.
    districts
        ``(code, name, polygon)`` of each local authority's part of the area, largest first.
    """

    positions: np.ndarray
    outline: Any
    districts: tuple[tuple[str, str, Any], ...]


def area_shapes(shapes: Shapes, positions: np.ndarray) -> AreaShapes:
    """Outline and local-authority parts of the area made of the LSOAs at ``positions``.

    A district wholly inside the area is its cached dissolve; a district the area holds in part is
    the union of its LSOAs in the area. The outline is the union of the districts' parts.
    """
    positions = np.asarray(positions, dtype=np.int64)
    lad = shapes.lad_of[positions]
    districts = []
    for code in np.unique(lad):
        members = positions[lad == code]
        if len(members) == shapes.lad_sizes[code]:
            shape = shapes.lad[code]
        else:
            shape = union_tiles(shapes.geometry[members])
        districts.append((str(code), shapes.lad_names[code], shape))
    districts.sort(key=lambda d: -d[2].area)
    outline = union_tiles(np.array([d[2] for d in districts], dtype=object))
    return AreaShapes(positions=positions, outline=outline, districts=tuple(districts))
