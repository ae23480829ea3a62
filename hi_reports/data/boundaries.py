"""Read ONS boundary files (GeoJSON, GeoPackage, shapefile) for the maps.

Boundaries are datasets of the catalogue like the tables (``geometry=True``):
:func:`read_boundaries` reads one with geopandas (the pyogrio engine), keeps the catalogued code and
name columns under their tidy names, keeps only English features, checks the codes, and projects
the geometry to the British National Grid (EPSG:27700), in metres, where areas and scale bars are
true. The loaders cache the result as GeoParquet, so an edition never re-reads the GeoJSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hi_reports.data.catalogue import Dataset
from hi_reports.data.columns import match_columns
from hi_reports.errors import DataError

if TYPE_CHECKING:
    import geopandas

#: The projection of every boundary the maps use: British National Grid, metres.
CRS = "EPSG:27700"


def read_boundaries(dataset: Dataset, path: Path) -> geopandas.GeoDataFrame:
    """Read the boundary file ``path`` of ``dataset``: tidy columns, English features, EPSG:27700.

    Raises
    ------
    DataError
        When the file cannot be read as a vector data set, lacks a catalogued column, has features
        without geometry, or repeats a code.
    """
    import geopandas  # slow to import (GDAL): only where boundaries are read
    import pyogrio

    try:
        frame = geopandas.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as error:
        raise DataError(
            f"{path}: cannot be read as a boundary file ({error})",
            hint=f"download the GeoJSON of {dataset.title} again from {dataset.url}",
            path=path,
        ) from None
    header = [c for c in frame.columns if c != frame.geometry.name]
    mapping = match_columns(dataset, path, header)
    frame = frame.rename(columns=mapping)[[*mapping.values(), frame.geometry.name]]
    key = dataset.key
    frame[key] = frame[key].astype(str).str.strip()
    if dataset.england_prefix:
        frame = frame[frame[key].str.startswith(dataset.england_prefix)]
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        raise DataError(
            f"{path.name}: {int(empty.sum())} features have no geometry (first: "
            f"{frame.loc[empty, key].iloc[0]})",
            hint=f"download {dataset.title} again from {dataset.url}",
            path=path,
        )
    duplicated = frame[key].duplicated()
    if duplicated.any():
        raise DataError(
            f"{path.name}: {int(duplicated.sum())} features repeat a code (first: "
            f"{frame.loc[duplicated, key].iloc[0]})",
            hint="each area must be one feature (a MultiPolygon)",
            path=path,
        )
    if frame.crs is None:
        raise DataError(
            f"{path.name}: the file does not say its coordinate reference system",
            hint="ONS GeoJSON is in EPSG:4326; download it again from the Open Geography Portal",
            path=path,
        )
    frame = frame.to_crs(CRS).sort_values(key).reset_index(drop=True)
    frame.geometry = frame.geometry.make_valid()
    return frame
