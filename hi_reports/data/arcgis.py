"""Download a whole table or boundary layer from an ArcGIS feature service.

The ONS Open Geography Portal builds its CSV and GeoJSON downloads on request, so they have no
fixed file URL; every dataset on it is also a hosted ArcGIS feature service whose layer URL is
fixed, e.g. ``https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/
LSOA11_SICBL22_ICB22_LAD22_EN_LU/FeatureServer/0``. A layer answers at most ``maxRecordCount``
rows a query, so :class:`ArcGISDownloader` (a pooch downloader) asks the layer for its row count,
pages through ``<layer>/query`` in object-id order (``resultOffset``, ``resultRecordCount``) and
writes the rows as CSV (a table) or GeoJSON in WGS84 (a boundary layer). The download is refused
unless it holds exactly the rows the service counted, each once: a service that changes between
pages, or stops early, cannot leave a partial table behind.

The ArcGIS REST API: https://developers.arcgis.com/rest/services-reference/enterprise/query-feature-service-layer/
"""

from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import dataclass
from typing import Any

import requests

from hi_reports.errors import DataError

#: Rows asked for a query; a layer answers at most its ``maxRecordCount``, whichever is smaller.
PAGE_SIZE = 2000


#: Attempts of each request, and the seconds waited before the second and third: a download of
#: many pages should not fail on one dropped connection or one busy server.
ATTEMPTS = 3
BACKOFF = (1.0, 3.0)


def _get(url: str, params: dict[str, Any], timeout: tuple[float, float]) -> dict[str, Any]:
    """GET ``url`` and return its JSON; an ArcGIS error (sent with HTTP 200) is a DataError.

    A dropped connection, a timeout, HTTP 429 or a 5xx is tried again (:data:`ATTEMPTS`)."""
    for attempt in range(ATTEMPTS):
        try:
            response = requests.get(url, params=params, timeout=timeout)
            if response.status_code != 429 and response.status_code < 500:
                break
        except (requests.ConnectionError, requests.Timeout):
            if attempt == ATTEMPTS - 1:
                raise
        if attempt < ATTEMPTS - 1:
            time.sleep(BACKOFF[attempt])
    response.raise_for_status()
    try:
        body = response.json()
    except ValueError:
        raise DataError(
            f"{response.url}: not an ArcGIS JSON answer (is {url} a feature layer?)", path=url
        ) from None
    if not isinstance(body, dict):
        raise DataError(f"{response.url}: not an ArcGIS JSON answer", path=url)
    if "error" in body:
        error = body["error"] or {}
        details = "; ".join(str(d) for d in error.get("details") or [])
        raise DataError(
            f"{url}: the ArcGIS service answered error {error.get('code')}: "
            f"{error.get('message')}{f' ({details})' if details else ''}",
            path=url,
        )
    return body


@dataclass
class ArcGISDownloader:
    """A pooch downloader for a feature layer: every row, as CSV or (``geometry``) GeoJSON.

    ``url`` (as pooch passes it) is the layer, ``.../FeatureServer/0``.
    """

    geometry: bool = False
    progressbar: bool = False
    timeout: tuple[float, float] = (5.0, 60.0)

    def __call__(self, url: str, output_file: str | os.PathLike[str], pooch: object = None) -> None:
        layer = url.rstrip("/")
        features, oid = self.features(layer)
        if self.geometry:
            with open(output_file, "w", encoding="utf-8") as out:
                json.dump({"type": "FeatureCollection", "features": features}, out)
            return
        rows = [f.get("properties") or {} for f in features]
        columns = [c for c in dict.fromkeys(k for row in rows for k in row) if c != oid]
        with open(output_file, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)

    def features(self, layer: str) -> tuple[list[dict[str, Any]], str | None]:
        """Every feature of ``layer`` (GeoJSON features), checked against the layer's row count,
        and the name of the layer's object-id field (None where the layer does not say).

        Raises
        ------
        DataError
            When the service answers an error, or sends other than exactly its counted rows.
        """
        info = _get(layer, {"f": "json"}, self.timeout)
        oid = info.get("objectIdField")
        query = f"{layer}/query"
        count = _get(
            query, {"where": "1=1", "returnCountOnly": "true", "f": "json"}, self.timeout
        ).get("count")
        if not isinstance(count, int):
            raise DataError(f"{query}: the service did not give its row count", path=layer)
        params: dict[str, Any] = {
            "where": "1=1",
            "outFields": "*",
            "returnGeometry": "true" if self.geometry else "false",
            "f": "geojson",
            "resultRecordCount": min(int(info.get("maxRecordCount") or PAGE_SIZE), PAGE_SIZE),
        }
        if oid:
            params["orderByFields"] = oid
        if self.geometry:  # WGS84, as GeoJSON is; six decimals of a degree are about 0.1 m
            params.update(outSR=4326, geometryPrecision=6)
        features: list[dict[str, Any]] = []
        bar = self._bar(count, info.get("name") or layer)
        try:
            while len(features) < count:
                batch = _get(query, {**params, "resultOffset": len(features)}, self.timeout).get(
                    "features"
                )
                if not batch:
                    break
                features.extend(batch)
                if bar is not None:
                    bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        ids = (
            {f.get("id", (f.get("properties") or {}).get(oid)) for f in features}
            if oid
            else features
        )
        if len(features) != count or len(ids) != count:
            raise DataError(
                f"{layer}: the service counted {count:,} rows but sent {len(features):,} "
                f"({len(ids):,} distinct); it may have changed during the download: fetch again",
                path=layer,
            )
        return features, oid

    def _bar(self, total: int, name: str) -> Any:
        """A tqdm progress bar of rows (pooch[progress] installs tqdm), or None."""
        if not self.progressbar:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, unit="rows", desc=name, leave=True)
