"""hi-reports against the Quarto way, for the same editions, counting rendering on both sides.

Run by hand and quote the figures in the README::

    python benchmarks/bench_quarto.py [--data-dir DIR] [--jobs 1,2] [--orgs QHL,QJM,QOX,QE1,QKS]

Both sides build the shipped book (the same literate chapters) for the same ICBs, HTML and PDF:

- **hi-reports**: ``hi-reports build --kind icb --org ... --jobs N --format html,pdf`` in a new
  process (interpreter start, imports, data read from the Parquet cache, the chapters executed
  in-process, rendering), with the freeze emptied so that every chapter runs.
- **The Quarto way**: what ``quarto render -P org:X`` does for each organisation, which Quarto can
  only do one render at a time (quarto-cli #864): each chapter turned into a notebook and executed
  in its own Jupyter kernel with nbclient, as Quarto's Jupyter engine does, the edition computed
  from the data folder in each kernel; then the pages (markdown cells with inline results, and
  the ``output: asis`` outputs) rendered to HTML and PDF by the same renderer hi-reports uses
  (pandoc and Typst), standing in for Quarto's own pandoc and Typst run. Needs ``pip install
  nbclient ipykernel``.

Each value of ``--jobs`` is one comparison, both sides building that many editions at a time:
1 is the Quarto way as Quarto does it (one render at a time, quarto-cli #864); more gives the
Quarto way parallel renders Quarto does not offer. The Quarto side is timed once (it takes
minutes), hi-reports before and after it; the ratio is given against both, in time and in CPU
(user and system, of every process each side ran). With one job hi-reports still renders an
edition (pandoc and Typst, in processes of their own) while it computes the next: the CPU ratio
says what that overlap does not.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

SUBSET = ["QHL", "QJM", "QOX", "QE1", "QKS"]


def cpu() -> float:
    """CPU seconds (user and system) of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def hi_reports(orgs: list[str], data_dir: Path, jobs: int, out: Path) -> tuple[float, float]:
    """Seconds and CPU seconds for hi-reports to build ``orgs``, HTML and PDF, in a new process,
    nothing frozen."""
    from hi_reports.data.loaders import cache_dir

    shutil.rmtree(cache_dir() / "freeze", ignore_errors=True)
    command = [
        str(Path(sys.executable).with_name("hi-reports")),
        "build",
        "--kind",
        "icb",
        "--org",
        ",".join(orgs),
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
    start, used = time.perf_counter(), cpu()
    subprocess.run(command, check=True)
    return time.perf_counter() - start, cpu() - used


def quarto_way(org: str, data_dir: Path, out: Path) -> None:
    """One organisation the Quarto way: each chapter executed in a kernel, then rendered."""
    from hi_reports.book.project import BookSources, book_files, edition_config, read_config
    from hi_reports.literate.cells import parse
    from hi_reports.literate.notebook import execute, page, to_notebook
    from hi_reports.render import render

    sources = BookSources()
    config = read_config(sources)
    project = out / org / "project"
    project.mkdir(parents=True)
    env = {**os.environ, "HI_REPORTS_DATA": str(data_dir)}
    for entry in book_files(config, sources.config):
        source = sources.root / entry
        document = parse(source.read_text(encoding="utf-8"), str(source))
        notebook = execute(
            to_notebook(document, {"org": org, "kind": "icb", "vintage": "2019"}),
            cwd=project,
            env=env,
            timeout=600,
        )
        (project / source.name).write_text(page(notebook), encoding="utf-8")
    derived = edition_config(
        config,
        title="Health Inequalities Book",
        subtitle=f"{org}: local edition",
        date="2026-12-01",
    )
    (project / "_quarto.yml").write_text(yaml.safe_dump(derived, sort_keys=False), encoding="utf-8")
    for sub in ("html", "typst"):
        shutil.copytree(sources.templates / sub, project / sub, dirs_exist_ok=True)
    render(project, out / org, formats=("html", "pdf"), engine="builtin", basename=org)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument(
        "--jobs",
        default=f"1,{os.cpu_count()}",
        help="editions at a time on both sides, one comparison each (default: 1 and the cores)",
    )
    parser.add_argument("--orgs", default=",".join(SUBSET))
    args = parser.parse_args()
    orgs = args.orgs.split(",")
    for jobs in dict.fromkeys(int(j) for j in args.jobs.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            # hi-reports before and after the Quarto way, so that a drift of the machine's speed
            # during the minutes the Quarto way takes shows in the two figures
            ours = [hi_reports(orgs, args.data_dir, jobs, Path(tmp) / "ours0")]
            start, used = time.perf_counter(), cpu()
            quarto = Path(tmp) / "quarto"
            one = functools.partial(quarto_way, data_dir=args.data_dir, out=quarto)
            with ThreadPoolExecutor(jobs) as pool:
                list(pool.map(one, orgs))
            theirs = time.perf_counter() - start
            # the kernels have ended (nbclient waits for them); the Typst child is ended here
            from hi_reports.render.typst_child import TYPST

            TYPST.close()
            their_cpu = cpu() - used
            ours.append(hi_reports(orgs, args.data_dir, jobs, Path(tmp) / "ours1"))
            pdfs = sorted(p.name for p in quarto.glob("*/*.pdf"))
        print(f"{len(orgs)} ICB editions, HTML + PDF, {jobs} at a time on both sides")
        walls, cpus = [w for w, _ in ours], [c for _, c in ours]
        print(
            "  hi-reports build (new process, nothing frozen): "
            + ", ".join(f"{w:.1f} s ({c:.1f} s CPU)" for w, c in ours)
        )
        print(
            f"  the Quarto way (a kernel per chapter, then rendered): {theirs:.1f} s "
            f"({their_cpu:.1f} s CPU; {', '.join(pdfs)})"
        )
        print(
            f"  ratio: {theirs / max(walls):.1f}x to {theirs / min(walls):.1f}x in time, "
            f"{their_cpu / max(cpus):.1f}x to {their_cpu / min(cpus):.1f}x in CPU",
            flush=True,
        )


if __name__ == "__main__":
    main()
