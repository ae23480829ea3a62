"""Stand-ins for the publishers' servers, on 127.0.0.1, built from the real files of ../shared/data.

- ONS's ArcGIS feature services (``<host>/.../rest/services/<name>/FeatureServer/0``): the layer's
  description, its row count, and pages of at most ``max_record_count`` rows in GeoJSON, with
  ``exceededTransferLimit`` under ``properties`` as ArcGIS sends it. The rows carry ONS's field
  names (LSOA11CD, SICBL22CDH, ...) as public code that reads these services uses them, and an
  object id; an Output Area table repeats each LSOA.
- Plain files (``<host>/<path>``), e.g. a workbook in the publisher's layout, or flat names for a
  mirror (``<url>/<file name>``).

:meth:`Publishers.local` turns a publisher's URL into the same path on this server, so a test
points the catalogue here and fetches through the real code paths, without the internet.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

import pandas as pd

#: Each ArcGIS dataset's reference columns -> ONS's field names in its feature service.
ONS_FIELDS: dict[str, dict[str, str]] = {
    "lsoa_icb_lookup": {
        "lsoa11_code": "LSOA11CD",
        "lsoa11_name": "LSOA11NM",
        "sicbl22_code": "SICBL22CD",
        "sicbl22_code_h": "SICBL22CDH",
        "sicbl22_name": "SICBL22NM",
        "icb22_code": "ICB22CD",
        "icb22_code_h": "ICB22CDH",
        "icb22_name": "ICB22NM",
        "ltla22_code": "LAD22CD",
        "ltla22_name": "LAD22NM",
    },
    "ruc2011": {"lsoa11_code": "LSOA11CD", "ruc11_code": "RUC11CD", "ruc11_name": "RUC11"},
    "lsoa_msoa_lookup": {
        "lsoa11_code": "LSOA11CD",
        "lsoa11_name": "LSOA11NM",
        "msoa11_code": "MSOA11CD",
        "msoa11_name": "MSOA11NM",
    },
    "lsoa11_lsoa21_lookup": {
        "lsoa11_code": "LSOA11CD",
        "lsoa11_name": "LSOA11NM",
        "change_code": "CHGIND",
        "lsoa21_code": "LSOA21CD",
        "lsoa21_name": "LSOA21NM",
        "ltla22_code": "LAD22CD",
        "ltla22_name": "LAD22NM",
    },
    "lsoa21_icb_lookup": {
        "lsoa21_code": "LSOA21CD",
        "lsoa21_name": "LSOA21NM",
        "sicbl24_code": "SICBL24CD",
        "sicbl24_code_nhs": "SICBL24CDH",
        "sicbl24_name": "SICBL24NM",
        "icb24_code": "ICB24CD",
        "icb24_code_nhs": "ICB24CDH",
        "icb24_name": "ICB24NM",
    },
    "ruc2021": {
        "lsoa21_code": "LSOA21CD",
        "ruc21_code": "RUC21CD",
        "classification": "RUC21NM",
        "ruc": "Urban_rural_flag",
    },
    "lsoa11_boundaries": {"lsoa11_code": "LSOA11CD", "lsoa11_name": "LSOA11NM"},
    "lsoa21_boundaries": {"lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM"},
    "icb23_boundaries": {"icb23_code": "ICB23CD", "icb23_name": "ICB23NM"},
    "lad21_boundaries": {"lad21_code": "LAD21CD", "lad21_name": "LAD21NM"},
    "lad24_boundaries": {"lad24_code": "LAD24CD", "lad24_name": "LAD24NM"},
}


@dataclass
class Service:
    """One feature layer: rows of properties and (for boundaries) their geometries."""

    rows: list[dict[str, Any]]
    geometries: list[dict[str, Any]] | None = None
    max_record_count: int = 1000
    #: Answer every query with this ArcGIS error (sent, as ArcGIS does, with HTTP 200).
    error: dict[str, Any] | None = None
    #: Send no rows from this offset on (a layer replaced during a download).
    stop_at: int | None = None
    #: Answer this many of the next queries with HTTP 503 (a busy server).
    busy: int = 0


def ons_service(name: str, path: Path, oa_repeats: int = 1) -> Service:
    """The feature layer of catalogue dataset ``name`` from its reference file, in ONS's fields."""
    fields = ONS_FIELDS[name]
    if path.suffix == ".geojson":
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        rows = [{fields.get(k, k): v for k, v in f["properties"].items()} for f in features]
        return Service(rows, [f["geometry"] for f in features])
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table = table[[c for c in fields if c in table.columns]].rename(columns=fields)
    rows = table.to_dict("records")
    if oa_repeats > 1:  # one row per Output Area, so each LSOA's row repeats
        rows = [
            {"OA11CD": f"{row['LSOA11CD']}-{i}", **row} for row in rows for i in range(oa_repeats)
        ]
    return Service(rows)


@dataclass
class Publishers:
    """The running server: its URL, its services by name and files by ``<host>/<path>``."""

    url: str
    services: dict[str, Service] = field(default_factory=dict)
    #: Files by ``<host>/<path>`` (or a flat name): their bytes, or the file to read them from.
    files: dict[str, bytes | Path] = field(default_factory=dict)
    #: Answers that replace a file for one test: other bytes, or an HTTP status.
    overrides: dict[str, bytes | int] = field(default_factory=dict)
    #: Every query string a service was asked, in order, by service name.
    queries: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def local(self, url: str) -> str:
        """``url`` with its host replaced by this server (the host becomes the path's first
        part)."""
        parts = urlsplit(url)
        return f"{self.url}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def add_file(self, url: str, body: bytes) -> None:
        """Serve ``body`` at the local address of the publisher's ``url`` (or at ``url``, local)."""
        local = url if url.startswith(self.url + "/") else self.local(url)
        self.files[local.removeprefix(self.url + "/")] = body

    def _answer(self, path: str, raw_query: str) -> tuple[int, bytes]:
        query = {k: v[-1] for k, v in parse_qs(raw_query).items()}
        if "/FeatureServer/0" in path:
            name = path.split("/rest/services/", 1)[1].split("/FeatureServer", 1)[0]
            service = self.services.get(name)
            if service is None:
                return 200, json.dumps({"error": {"code": 400, "message": "Invalid URL"}}).encode()
            self.queries.setdefault(name, []).append(query)
            if service.busy:
                service.busy -= 1
                return 503, b""
            return 200, json.dumps(self._feature_layer(name, service, path, query)).encode()
        name = path.lstrip("/") + (f"?{raw_query}" if raw_query else "")
        body = self.overrides.get(name, self.files.get(name))
        if isinstance(body, int) or body is None:
            return body or 404, b""
        return 200, body.read_bytes() if isinstance(body, Path) else body

    def _feature_layer(self, name: str, service: Service, path: str, query: dict[str, str]) -> dict:
        if service.error is not None:
            return {"error": service.error}
        if not path.endswith("/query"):
            return {
                "name": name,
                "type": "Table" if service.geometries is None else "Feature Layer",
                "objectIdField": "FID",
                "maxRecordCount": service.max_record_count,
            }
        if query.get("returnCountOnly") == "true":
            return {"count": len(service.rows)}
        assert query["f"] == "geojson" and query["where"] == "1=1" and query["outFields"] == "*"
        offset = int(query.get("resultOffset", 0))
        size = min(
            int(query.get("resultRecordCount", service.max_record_count)), service.max_record_count
        )
        if service.stop_at is not None and offset >= service.stop_at:
            size = 0
        end = min(offset + size, len(service.rows))
        geometry = query.get("returnGeometry") == "true" and service.geometries is not None
        features = [
            {
                "type": "Feature",
                "id": i + 1,
                "geometry": service.geometries[i] if geometry else None,
                "properties": {"FID": i + 1, **service.rows[i]},
            }
            for i in range(offset, end)
        ]
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": {"exceededTransferLimit": end < len(service.rows)},
        }


@contextmanager
def serve() -> Iterator[Publishers]:
    """Run a :class:`Publishers` server on 127.0.0.1 for the duration of the block."""
    publishers = Publishers("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name
            parts = urlsplit(self.path)
            status, body = publishers._answer(unquote(parts.path), parts.query)
            if status != 200:
                self.send_error(status)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    publishers.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield publishers
    finally:
        server.shutdown()
        server.server_close()


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A minimal XLSX workbook: each sheet's rows, numbers as numbers and text as inline strings.

    Written by hand because openpyxl takes two minutes for ONS's 3.3-million-cell population
    workbook; this takes seconds, and every XLSX reader reads it.
    """

    def cell(value: Any) -> str:
        if value is None or value == "":
            return "<c/>"
        if isinstance(value, (int, float)):
            return f"<c><v>{value}</v></c>"
        return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    names = list(sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                    'ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(len(names))
                )
                + "</Types>"
            ),
        )
        book.writestr(
            "_rels/.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
        )
        book.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(
                    f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, n in enumerate(names)
                )
                + "</sheets></workbook>"
            ),
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/worksheet" '
                    f'Target="worksheets/sheet{i + 1}.xml"/>'
                    for i in range(len(names))
                )
                + "</Relationships>"
            ),
        )
        for i, name in enumerate(names):
            body = "".join(
                "<row>" + "".join(cell(v) for v in row) + "</row>" for row in sheets[name]
            )
            book.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                (
                    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{body}</sheetData></worksheet>"
                ),
            )
    return out.getvalue()


def ods_etr_csv(names: Path) -> str:
    """ODS's etr.csv made from the reference copy of the trust names: no title row, 27 columns in
    ODS's layout, the close date 12th (blank while open)."""
    copy = pd.read_csv(names, dtype=str)
    etr = pd.DataFrame(
        {
            "code": copy["trust_code"],
            "name": copy["trust_name"],
            "grouping": "Y56",
            "geography": "Q71",
            **{f"address {i}": "1 HIGH STREET" for i in range(1, 6)},
            "postcode": "B1 1AA",
            "opened": "19940401",
            "closed": copy["status"].map({"open": "", "closed": "20211001"}),
        }
    )
    etr[[f"null {i}" for i in range(15)]] = ""
    assert etr.shape[1] == 27
    return etr.to_csv(index=False, header=False)
