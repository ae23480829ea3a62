"""Benchmark: aggregate 50 million event rows (Parquet) to LSOA x age band with read_activity.

Generates the file once with DuckDB (LSOA codes drawn from the real 32,844 English LSOA 2011
codes, ages 0-100, one row in a million with a malformed code), then times ``read_activity`` in a
fresh process-wide measurement and prints one line: rows, wall time, peak RSS.

    python benchmarks/bench_activity.py [--rows 50000000] [--folder DIR] [--memory-limit 1GB]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from hi_reports.data.activity import read_activity

DATA = Path(
    os.environ.get("HI_REPORTS_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def generate(target: Path, rows: int, lookup: Path) -> None:
    """Write ``rows`` synthetic event rows to ``target`` (Parquet) with DuckDB."""
    con = duckdb.connect(config={"memory_limit": "2GB", "preserve_insertion_order": False})
    con.execute(
        "CREATE TABLE codes AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM "
        f"(SELECT DISTINCT lsoa11_code AS code FROM read_csv('{lookup}') "
        "WHERE lsoa11_code LIKE 'E01%')"
    )
    (n_codes,) = con.execute("SELECT count(*) FROM codes").fetchone()
    con.execute(
        f"""
        COPY (
            SELECT CASE WHEN r % 1000000 = 7 THEN 'E01BAD' ELSE c.code END AS lsoa_code,
                   CAST(hash(r * 31 + 1) % 101 AS INTEGER) AS age
            FROM range({rows}) t(r)
            JOIN codes c ON c.i = hash(r) % {n_codes}
        ) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "hi_reports_bench"
    )
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    lookup = next(DATA.rglob("lookup_lsoa11_lsoa21_ltla22.csv"))
    args.folder.mkdir(parents=True, exist_ok=True)
    target = args.folder / f"events_{args.rows}.parquet"
    if not target.exists():
        start = time.perf_counter()
        generate(target, args.rows, lookup)
        print(
            f"generated {target} ({target.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        # Measure in a fresh process, so that the peak RSS is the read's alone.
        sys.exit(subprocess.call([sys.executable, *sys.argv]))

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    activity = read_activity(
        target,
        lsoa21_lookup=lookup,
        memory_limit=args.memory_limit,
        threads=args.threads,
        checksum=False,
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = activity.summary
    print(
        f"read_activity: {s.rows_read:,} rows -> {len(activity.counts):,} LSOA x band counts, "
        f"{s.rows_excluded:,} excluded, {wall:.1f} s wall, peak RSS {peak:.0f} MiB "
        f"(before the read {rss_before:.0f} MiB; DuckDB memory_limit {args.memory_limit}, "
        f"{args.threads or os.cpu_count()} threads)"
    )


if __name__ == "__main__":
    main()
