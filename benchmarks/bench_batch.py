"""Time batch editions on the real data and compare with notebook-per-chapter builds.

Run by hand and quote the figures in ``benchmarks/README.md``::

    python benchmarks/bench_batch.py [--data-dir DIR] [--jobs N] [--skip-full] [--rebuilds N]

It measures, in one run:

1. indicators (profiles) of every organisation of every kind in ``hi_reports.geography.KINDS``;
2. all ICB editions, HTML + PDF, builtin engine, in a pool of ``--jobs`` workers: wall time and
   peak memory of the process tree (sum of RSS, and of PSS, which counts pages shared by the forked
   workers once), and the CPU time (user + system) of the whole process tree;
3. a rebuild with nothing changed, as a user runs it (``hi-reports build --all --quiet`` in a new
   process: interpreter start, imports, reading the data, checking 42 manifests), ``--rebuilds``
   times;
4. the chapter figures and 6 charts of one edition, averaged over the ``SUBSET`` editions;
5. a batch of the ``SUBSET`` editions with the data already loaded.

The Quarto way (each chapter executed in a Jupyter kernel, then rendered) is measured by
``bench_quarto.py``; this checkout against an earlier commit by ``bench_compare.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SUBSET = ["QHL", "QJM", "QOX", "QE1", "QKS"]


class TreeMemory:
    """Sample the memory of a process and its descendants (Linux /proc).

    Reading ``smaps_rollup`` makes the kernel walk each process's page tables, so sampling costs
    CPU on a 2-core machine: sample every 0.25 s, and measure a separate process tree.
    """

    def __init__(self, root: int | None = None, interval: float = 0.25) -> None:
        self.root = root or os.getpid()
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(root: int) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
        pids, stack = [], [root]
        while stack:
            pid = stack.pop()
            pids.append(pid)
            stack.extend(children.get(pid, []))
        return pids

    @staticmethod
    def _kib(pid: int, path: str, field: str) -> int:
        try:
            with open(f"/proc/{pid}/{path}") as handle:
                for line in handle:
                    if line.startswith(field):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = self._tree(self.root)
            self.peak_rss = max(self.peak_rss, sum(self._kib(p, "status", "VmRSS:") for p in pids))
            self.peak_pss = max(
                self.peak_pss, sum(self._kib(p, "smaps_rollup", "Pss:") for p in pids)
            )
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench_profiles(reference) -> dict[str, float]:
    from hi_reports.geography import KINDS
    from hi_reports.pipeline import kind_profiles

    times = {}
    for kind in KINDS:
        start = time.perf_counter()
        kind_profiles(reference, kind)
        times[kind] = time.perf_counter() - start
    return times


def bench_charts(reference, codes: list[str]) -> float:
    """Seconds per edition of chapter_context: every chapter's figures and the 6 charts."""
    from hi_reports.geography import resolve
    from hi_reports.pipeline import chapter_context, kind_profiles

    profiles = kind_profiles(reference, "icb")
    orgs = [resolve(reference, code, "icb") for code in codes]
    with tempfile.TemporaryDirectory() as tmp:
        chapter_context(
            orgs[0], reference, profiles, date=dt.date.today(), figures_dir=Path(tmp) / "warm"
        )
        start = time.perf_counter()
        for org in orgs:
            chapter_context(
                org, reference, profiles, date=dt.date.today(), figures_dir=Path(tmp) / org.code
            )
        return (time.perf_counter() - start) / len(orgs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--skip-full", action="store_true", help="skip the 42-edition batch")
    parser.add_argument(
        "--rebuilds",
        type=int,
        default=3,
        metavar="N",
        help="time the rebuild with nothing changed N times (default: 3)",
    )
    args = parser.parse_args()
    os.environ["HI_REPORTS_DATA"] = str(args.data_dir)

    from hi_reports.batch import BatchRequest, build_batch
    from hi_reports.data import load_reference
    from hi_reports.data import reference as reference_module

    rows: list[tuple[str, str]] = []
    load_reference(args.data_dir)  # fill the Parquet cache
    reference_module._LOADED.clear()  # read again, not the Reference this process already holds
    start = time.perf_counter()
    reference = load_reference(args.data_dir)
    rows.append(("reference data from the Parquet cache", f"{time.perf_counter() - start:.2f} s"))
    profile_times = bench_profiles(reference)
    for kind, seconds in profile_times.items():
        rows.append((f"indicators (profiles) of every {kind} organisation", f"{seconds:.2f} s"))
    rows.append(
        ("indicators of every organisation of every kind", f"{sum(profile_times.values()):.2f} s")
    )

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "editions"
        if not args.skip_full:
            # As a user runs it: a new process, the data from the cache, 2 workers.
            command = [
                sys.executable,
                "-m",
                "hi_reports.cli.main",
                "build",
                "--kind",
                "icb",
                "--all",
                "--out",
                str(out),
                "--format",
                "html,pdf",
                "--engine",
                "builtin",
                "--quiet",
                "--jobs",
                str(args.jobs),
                "--data-dir",
                str(args.data_dir),
            ]
            start = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            child = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            with TreeMemory(child.pid) as memory:
                stdout, _ = child.communicate()
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU time of the whole process tree (the CLI, its workers, their pandoc processes):
            # steadier than wall time when other work shares the machine.
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            rows.append(
                (
                    f"all 42 ICB editions, HTML + PDF, {args.jobs} workers (CLI, new process)",
                    f"{wall:.1f} s wall: {stdout.strip()[:60]}",
                )
            )
            rows.append(
                (
                    "CPU time of that batch, all processes (user + system)",
                    f"{cpu:.1f} s, {cpu / 42:.2f} s an edition",
                )
            )
            rows.append(
                (
                    "peak memory of the process tree, RSS (PSS)",
                    f"{memory.peak_rss / 1024:.0f} MiB ({memory.peak_pss / 1024:.0f} MiB)",
                )
            )
            for _ in range(args.rebuilds):
                start = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                rows.append(
                    (
                        "rebuild with nothing changed (new process, CLI)",
                        f"{time.perf_counter() - start:.2f} s: {done.stdout.strip()[:40]}...",
                    )
                )

        rows.append(
            (
                f"chapter figures + 6 charts per edition ({len(SUBSET)} ICBs)",
                f"{bench_charts(reference, SUBSET):.2f} s",
            )
        )

        sub = Path(tmp) / "subset"
        start = time.perf_counter()
        subset = build_batch(
            BatchRequest(
                out=sub, codes=SUBSET, formats=("html", "pdf"), engine="builtin", jobs=args.jobs
            ),
            reference=reference,
        )
        ours = time.perf_counter() - start
        rows.append(
            (f"batch of {len(SUBSET)} ICBs, HTML + PDF (data already loaded)", f"{ours:.1f} s")
        )
        assert subset.ok, subset.failed

    for label, value in rows:
        print(f"{label:72} {value}")


if __name__ == "__main__":
    main()
