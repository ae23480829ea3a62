"""The LSOAs as paths to draw: every ring's vertices and matplotlib path codes, in flat arrays.

:func:`lsoa_paths` flattens the LSOA polygons of :class:`~hi_reports.geography.boundaries.Shapes`
into one array of vertices with path codes (the codes of :class:`matplotlib.path.Path`) and an
offset per LSOA, once per set of shapes and through a cache file (the arrays are the same for a
boundary file). A batch makes them in the parent process, so forked workers share them.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import shapely

from hi_reports.data.loaders import cache_dir
from hi_reports.geography.boundaries import Shapes

#: Path codes of :class:`matplotlib.path.Path` (written out: importing matplotlib takes a second,
#: and these arrays are made before anything is drawn).
MOVETO, LINETO, CLOSEPOLY = 1, 2, 79
#: Bump when the layout of the paths cache changes.
PATHS_SCHEMA = 1


@dataclass(frozen=True, eq=False)
class LsoaPaths:
    """Every LSOA's rings as path vertices and codes.

    Attributes
    ----------
    vertices, kinds
        Path vertices (m x 2, metres) and codes (MOVETO, LINETO, CLOSEPOLY) of every ring.
    offsets
        The rings of LSOA ``i`` (in the order of :attr:`Shapes.codes`) are
        ``vertices[offsets[i]:offsets[i + 1]]``.
    """

    vertices: np.ndarray
    kinds: np.ndarray
    offsets: np.ndarray

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


def geometry_rings(geometries: Iterable[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Path vertices and codes of each of ``geometries`` (see :func:`path_arrays`)."""
    vertices, kinds, offsets = path_arrays(np.asarray(list(geometries), dtype=object))
    pairs = list(pairwise(offsets))
    return [vertices[a:b] for a, b in pairs], [kinds[a:b] for a, b in pairs]


_CACHE: weakref.WeakKeyDictionary[Shapes, LsoaPaths] = weakref.WeakKeyDictionary()


def lsoa_paths(shapes: Shapes) -> LsoaPaths:
    """The paths of every LSOA of ``shapes``, made once per shapes (and kept in a cache file)."""
    cached = _CACHE.get(shapes)
    if cached is None:
        cached = _CACHE[shapes] = LsoaPaths(*_cached_arrays(shapes.geometry, shapes.sha256))
    return cached


def _cached_arrays(geometry: np.ndarray, sha: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`path_arrays` of the LSOAs, through a cache file (they are the same for a file)."""
    target = cache_dir() / f"paths-{sha[:16]}-{len(geometry)}-v{PATHS_SCHEMA}.npz"
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
