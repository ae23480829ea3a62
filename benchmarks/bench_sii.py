"""Benchmark of hi_reports.stats.sii: 42 groups x 10 quantiles, 100,000 repetitions.

Run ``python benchmarks/bench_sii.py``. Prints one line: best of 3 wall-clock times and the peak
memory allocated by numpy/Python during one run (tracemalloc), for each value_type.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from hi_reports.stats import sii


def make_data(groups: int = 42, quantiles: int = 10, seed: int = 0) -> pd.DataFrame:
    """Synthetic rates by deprivation decile for ``groups`` areas."""
    rng = np.random.default_rng(seed)
    q = np.tile(np.arange(1, quantiles + 1), groups)
    area = np.repeat([f"E{i:08d}" for i in range(groups)], quantiles)
    pop = rng.integers(5_000, 50_000, size=groups * quantiles).astype(float)
    value = (8 - 0.4 * q + rng.normal(0, 0.3, size=q.size)).clip(0.5)  # rate per 1,000
    events = value * pop / 1000
    half = 1.96 * np.sqrt(events) / pop * 1000
    return pd.DataFrame(
        {
            "area": area,
            "quantile": q,
            "population": pop,
            "value": value,
            "lower": value - half,
            "upper": value + half,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=42)
    parser.add_argument("--quantiles", type=int, default=10)
    parser.add_argument("--repetitions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = make_data(args.groups, args.quantiles)
    kwargs = dict(by="area", repetitions=args.repetitions, rii=True, value_type=1, seed=1)
    sii(data, **{**kwargs, "repetitions": 1000})  # warm-up (imports, caches)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = sii(data, **kwargs)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    sii(data, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(out) == args.groups
    print(
        f"sii: {args.groups} groups x {args.quantiles} quantiles "
        f"x {args.repetitions:,} repetitions (rate, with RII): "
        f"best of {args.runs} {min(times):.3f} s, "
        f"peak traced memory {peak / 2**20:.0f} MiB, "
        f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
