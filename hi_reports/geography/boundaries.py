"""LSOA shapes for the maps, and the outlines and borders dissolved from them.

:func:`lsoa_shapes` loads the LSOA boundaries of the reference data's geography (LSOA 2011 for IMD
2019; :func:`boundary_dataset` chooses) once per :class:`~hi_reports.data.Reference`, in British
National Grid metres, and keeps them ready to draw: the rings of every LSOA as one flat array of
vertices with path codes (the codes of :class:`matplotlib.path.Path`) and an offset per LSOA. A
batch loads them in the parent process, so forked workers share them.

Local-authority districts and ICBs are dissolved from the LSOAs through the lookup
(``lad_code``, ``icb_code`` of ``reference.lsoas``), so their lines match the LSOAs exactly, and
cached as GeoParquet beside the parsed tables. An organisation's outline and the local-authority
borders inside it (:func:`area_shapes`) reuse a whole district's dissolve and unite only the LSOAs
of districts the organisation holds in part (``shapely.coverage_union_all``: the LSOAs tile
England without overlaps, which makes this a fast edge merge rather than a polygon overlay).
"""

from __future__ import annotations

import hashlib
import os
import weakref
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

#: Path codes of :class:`matplotlib.path.Path` (not imported here: geography does not draw).
MOVETO, LINETO, CLOSEPOLY = 1, 2, 79

#: Bump when the layout of the dissolved-boundaries cache changes.
DISSOLVE_SCHEMA = 1


def boundary_dataset(reference: Reference) -> str:
    """The catalogue name of the LSOA boundaries matching ``reference``'s LSOA geography (its
    vintage's)."""
    return reference.vintage.boundaries


@dataclass(frozen=True, eq=False)
class Shapes:
    """The LSOAs of England ready to draw, and the districts and ICBs dissolved from them.

    Attributes
    ----------
    dataset
        The catalogue name of the LSOA boundaries.
    year
        The year of ONS's attribution for them.
    codes
        LSOA codes in the order of ``reference.lsoas``.
    geometry
        One shapely (Multi)Polygon per LSOA, EPSG:27700, in that order.
    vertices, kinds, offsets
        Every LSOA's rings as path vertices (m x 2) and codes (MOVETO, LINETO, CLOSEPOLY); LSOA
        ``i`` is ``vertices[offsets[i]:offsets[i + 1]]``.
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
    year: int
    codes: pd.Index
    geometry: np.ndarray
    vertices: np.ndarray
    kinds: np.ndarray
    offsets: np.ndarray
    lad: dict[str, Any]
    icb: dict[str, Any]
    lad_of: np.ndarray
    lad_names: dict[str, str]
    lad_sizes: dict[str, int]

    def positions(self, codes: Any) -> np.ndarray:
        """Positions of LSOA ``codes`` in :attr:`codes` (a KeyError names an unknown code)."""
        positions = self.codes.get_indexer(pd.Index(codes))
        if (positions < 0).any():
            raise KeyError(f"LSOA {list(pd.Index(codes)[positions < 0])[:3]} not in the boundaries")
        return positions

    def rings(self, position: int) -> tuple[np.ndarray, np.ndarray]:
        """Vertices and path codes of the LSOA at ``position``."""
        start, end = self.offsets[position], self.offsets[position + 1]
        return self.vertices[start:end], self.kinds[start:end]


def path_arrays(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flatten polygonal geometries into path vertices, path codes and an offset per geometry.

    Each ring becomes MOVETO, LINETO..., CLOSEPOLY (its closing vertex); holes keep their
    clockwise orientation, so a non-zero fill leaves them empty. Non-polygon parts are dropped.
    """
    parts, part_of = shapely.get_parts(geometry, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    kinds = np.full(len(coords), LINETO, dtype=np.uint8)
    counts = np.bincount(coord_ring, minlength=len(rings))
    ends = np.cumsum(counts)
    kinds[ends - counts] = MOVETO
    kinds[ends - 1] = CLOSEPOLY
    per_geometry = np.bincount(part_of[ring_of[coord_ring]], minlength=len(geometry))
    offsets = np.concatenate([[0], np.cumsum(per_geometry)])
    return coords, kinds, offsets


def union_tiles(parts: np.ndarray) -> Any:
    """The union of LSOA polygons that tile an area: the fast coverage union where the shared edges
    are noded alike (LSOA 2011), else the general union (some LSOA 2021 neighbours differ by a
    vertex along a shared edge)."""
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
        for key, start, end in zip(keys, starts, bounds)
    }


def _dissolved(reference: Reference, geometry: np.ndarray, sha: str) -> dict[str, dict[str, Any]]:
    """Districts and ICBs dissolved from the LSOAs, through a GeoParquet cache."""
    import geopandas

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
    for level, code, shape in zip(frame["level"], frame["code"], frame.geometry.to_numpy()):
        out[level][code] = shape
    return out


def _cached_paths(geometry: np.ndarray, sha: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`path_arrays` of the LSOAs, through a cache file (they are the same for a file)."""
    target = cache_dir() / f"paths-{sha[:16]}-{len(geometry)}-v{DISSOLVE_SCHEMA}.npz"
    if target.is_file():
        try:
            with np.load(target) as arrays:
                return arrays["vertices"], arrays["kinds"], arrays["offsets"]
        except (OSError, ValueError, KeyError):
            pass  # rebuilt below
    vertices, kinds, offsets = path_arrays(geometry)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(temp, vertices=vertices, kinds=kinds, offsets=offsets)
        os.replace(temp, target)
    except OSError:
        pass  # an unwritable cache only costs speed (the loaders have warned)
    return vertices, kinds, offsets


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
    table = reference.load_extra(name)
    source = reference.sources[name]
    frame = table.set_index(dataset.key)
    missing = reference.lsoas.index.difference(frame.index)
    if len(missing):
        raise DataError(
            f"{Path(source.path).name}: {len(missing)} LSOAs of the reference data have no boundary "
            f"(first: {', '.join(missing[:3])})",
            hint=f"use {dataset.title} ({dataset.url}), the boundaries of the same LSOA geography",
            path=source.path,
        )
    geometry = frame.geometry.reindex(reference.lsoas.index).to_numpy()
    vertices, kinds, offsets = _cached_paths(geometry, source.sha256)
    dissolved = _dissolved(reference, geometry, source.sha256)
    lsoas = reference.lsoas
    names = lsoas[["lad_code", "lad_name"]].drop_duplicates("lad_code")
    shapes = Shapes(
        dataset=name,
        year=int(dataset.copyright_year or 0),
        codes=lsoas.index,
        geometry=geometry,
        vertices=vertices,
        kinds=kinds,
        offsets=offsets,
        lad=dissolved["lad"],
        icb=dissolved["icb"],
        lad_of=lsoas["lad_code"].to_numpy(),
        lad_names=dict(zip(names["lad_code"].tolist(), names["lad_name"].tolist())),
        lad_sizes=lsoas["lad_code"].value_counts().to_dict(),
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
