"""Time the maps: loading the LSOA shapes, drawing each map, and what maps add to an edition.

Run by hand and quote the figures in ``benchmarks/README.md``::

    python benchmarks/bench_maps.py [--data-dir DIR] [--repeat 5]

It measures, in one run (a fresh cache folder, so the first load parses the GeoJSON):

1. the LSOA shapes: first load (GeoJSON read with pyogrio, projected to EPSG:27700, GeoParquet
   written, districts and ICBs dissolved) and from the cache, in this process and in a new one;
2. each map of four editions: QHL (dense urban ICB), QJM (rural ICB), RXK (a trust) and England
   (ICB-level), mean of ``--repeat`` draws, PNG written;
3. one edition (HTML + PDF, builtin engine) with its maps and without them (the map functions
   replaced by ones that draw nothing), mean of ``--repeat`` builds each, interleaved: the
   difference divided by the number of maps is what a map adds to an edition, PDF included.

Target: a map adds at most 0.5 s to an edition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HI_REPORTS_CACHE"] = str(Path(tmp) / "cache")
        from hi_reports.data import load_reference
        from hi_reports.draw import maps
        from hi_reports.geography import boundaries, membership, organisations, resolve
        from hi_reports.indicators.chapters import variation_figures
        from hi_reports.pipeline import EditionRequest, build_edition, kind_profiles
        from hi_reports.pipeline import context as edition_module

        rows: list[tuple[str, float]] = []
        reference = load_reference(args.data_dir)
        start = time.perf_counter()
        shapes = boundaries.lsoa_shapes(reference)
        rows.append(
            (
                "LSOA shapes, first load (GeoJSON, projection, dissolves)",
                time.perf_counter() - start,
            )
        )
        boundaries._CACHE.clear()
        start = time.perf_counter()
        shapes = boundaries.lsoa_shapes(reference)
        rows.append(
            ("LSOA shapes from the cache (GeoParquet, path arrays)", time.perf_counter() - start)
        )
        code = (
            "import time; from hi_reports.data import load_reference; "
            f"r = load_reference({str(args.data_dir)!r}); "
            "from hi_reports.geography.boundaries import lsoa_shapes; "
            "t = time.perf_counter(); lsoa_shapes(r); "
            "print(time.perf_counter() - t)"
        )
        fresh = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        rows.append(
            ("LSOA shapes from the cache, new process (imports geopandas)", float(fresh.stdout))
        )

        figures = Path(tmp) / "figures"
        icbs = {o.key: o for o in organisations(reference, "icb")}
        variation = variation_figures(kind_profiles(reference, "icb"), icbs)
        draws = {
            "QHL": lambda: maps.organisation_maps(
                resolve(reference, "QHL"), reference, shapes, membership(reference, "icb"), figures
            ),
            "QJM": lambda: maps.organisation_maps(
                resolve(reference, "QJM"), reference, shapes, membership(reference, "icb"), figures
            ),
            "RXK": lambda: maps.organisation_maps(
                resolve(reference, "RXK", "trust"),
                reference,
                shapes,
                membership(reference, "trust"),
                figures,
            ),
            "england": lambda: maps.england_maps(reference, shapes, variation, icbs, figures),
        }
        for org, draw in draws.items():
            drawn = draw()  # warm: legends cached, as in a batch worker after its first edition
            count = len(drawn)  # the maps drawn: a Maps record leaves out those that are None
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                draw()
                times.append(time.perf_counter() - start)
            rows.append((f"maps of {org}: {count} maps, per map", statistics.mean(times) / count))

        profiles = kind_profiles(reference, "icb")
        original = edition_module.organisation_maps

        def no_maps(*_: object, **__: object) -> maps.Maps:
            return maps.Maps()

        def build() -> float:
            start = time.perf_counter()
            build_edition(
                EditionRequest(
                    org="QHL",
                    out=Path(tmp) / "editions",
                    formats=("html", "pdf"),
                    engine="builtin",
                    date=dt.date.today(),
                ),
                reference=reference,
                profiles=profiles,
            )
            return time.perf_counter() - start

        build()  # warm up the engines
        with_maps, without = [], []
        for _ in range(args.repeat):
            edition_module.organisation_maps = original
            with_maps.append(build())
            edition_module.organisation_maps = no_maps
            without.append(build())
        edition_module.organisation_maps = original
        rows.append(("edition QHL, HTML + PDF, with its 3 maps", statistics.mean(with_maps)))
        rows.append(("edition QHL, HTML + PDF, without maps", statistics.mean(without)))
        rows.append(
            (
                "what a map adds to the edition (difference / 3)",
                (statistics.mean(with_maps) - statistics.mean(without)) / 3,
            )
        )
    for label, seconds in rows:
        print(f"{label:62} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
