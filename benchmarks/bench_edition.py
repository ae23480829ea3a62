"""Time the stages of one edition and of the reference data, on the real data.

Run by hand (``python benchmarks/bench_edition.py [--org QHL] [--data-dir DIR]``) and quote the
figures in the README. Targets on a 2-core machine: reference data from cache under 2 s; profiles
of all 42 ICBs under 1 s; one edition (HTML + PDF + Word, builtin engine) under 15 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="QHL")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HI_REPORTS_CACHE"] = str(Path(tmp) / "cache")
        from hi_reports.data import load_reference
        from hi_reports.geography import membership
        from hi_reports.indicators import compute_profiles
        from hi_reports.pipeline import EditionRequest, build_edition

        timings: dict[str, float] = {}
        start = time.perf_counter()
        load_reference(args.data_dir)
        timings["reference data, cold cache (parse CSVs)"] = time.perf_counter() - start
        start = time.perf_counter()
        reference = load_reference(args.data_dir)
        timings["reference data, warm cache (Parquet)"] = time.perf_counter() - start
        start = time.perf_counter()
        profiles = compute_profiles(reference, membership(reference, "icb"))
        timings["profiles of all 42 ICBs and England"] = time.perf_counter() - start
        for formats in (("html",), ("pdf",), ("html", "pdf", "docx")):
            start = time.perf_counter()
            build_edition(
                EditionRequest(
                    org=args.org,
                    out=Path(tmp) / "editions",
                    formats=formats,
                    engine="builtin",
                    date=dt.date.today(),
                ),
                reference=reference,
                profiles=profiles,
            )
            timings[f"one edition ({args.org}), {'+'.join(formats)}, builtin engine"] = (
                time.perf_counter() - start
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for label, seconds in timings.items():
        print(f"{label:55} {seconds:6.2f} s")
    print(f"{'peak memory (RSS)':55} {peak:6.0f} MiB")


if __name__ == "__main__":
    main()
