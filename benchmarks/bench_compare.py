"""The 42-ICB batch of this checkout against an earlier commit, run side by side.

Run by hand and quote the figures in the README::

    python benchmarks/bench_compare.py --before f15c05a [--data-dir DIR] [--rounds 2] [--jobs 2]

Each round runs ``hi-reports build --kind icb --all --jobs N --format html,pdf --quiet`` in a new
process, first with the code of ``--before`` (a git worktree of that commit, on this environment's
packages), then with this checkout, into fresh output folders and with the freeze emptied, so
every chapter runs. Alternating the two spreads the noise of a shared machine over both. Prints
the wall time and the CPU time (user + system, all processes) of each run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(code: Path, data_dir: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall and CPU seconds of one 42-ICB batch with the package at ``code``."""
    from hi_reports.data.loaders import cache_dir

    shutil.rmtree(cache_dir() / "freeze", ignore_errors=True)
    command = [
        sys.executable,
        "-c",
        "import sys; from hi_reports.cli.main import main; sys.exit(main())",
        "build",
        "--kind",
        "icb",
        "--all",
        "--jobs",
        str(jobs),
        "--format",
        "html,pdf",
        "--data-dir",
        str(data_dir),
        "--out",
        str(out),
        "--quiet",
    ]
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=code)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit to compare with")
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.before],
            check=True,
            capture_output=True,
        )
        try:
            results: dict[str, list[tuple[float, float]]] = {"before": [], "now": []}
            for round_ in range(args.rounds):
                for name, code in (("before", old), ("now", ROOT)):
                    results[name].append(
                        run(code, args.data_dir, Path(tmp) / f"{name}{round_}", args.jobs)
                    )
                    wall, cpu = results[name][-1]
                    print(
                        f"round {round_ + 1}, {name}: {wall:.1f} s wall, {cpu:.1f} s CPU",
                        flush=True,
                    )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False
            )
    for name, runs in results.items():
        walls = ", ".join(f"{w:.1f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.1f}" for _, c in runs)
        print(f"{name:>6}: wall {walls} s; CPU {cpus} s")
    ratio = min(w for w, _ in results["now"]) / min(w for w, _ in results["before"])
    print(f"best wall, now against before: {ratio:.2f}")


if __name__ == "__main__":
    main()
