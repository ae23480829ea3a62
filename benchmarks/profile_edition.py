"""CPU time of one edition by stage, in a warm process (less noisy than wall time when shared).

Run by hand and quote the figures in ``benchmarks/README.md``::

    python benchmarks/profile_edition.py [--data-dir DIR] [--rounds 3] [--cprofile]

Builds ICB editions (HTML + PDF, builtin engine) after one warm-up edition, in ``--rounds`` rounds
of five different ICBs (never the same edition twice: Typst would reuse its memoised work), and
prints the CPU seconds (user + system) per edition of each stage, the best round of each: the
chapter figures and charts, pandoc (its processes), Typst, the rest of rendering (HTML pages), and
the rest of the edition (chapter templates, annex, files). ``--cprofile`` also prints the 30
functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

ROUND = 5  # editions a round


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class Stages:
    """CPU seconds spent inside some functions, the process's own and its children's."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, module: Any, name: str, stage: str, *, children_only: bool = False) -> None:
        """Count the CPU of calls to ``module.name`` as ``stage``: the process's and its
        children's, or only its children's (a function that runs in a thread while the main
        thread works, waiting for a child)."""
        real = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            own, children = _cpu()
            try:
                return real(*args, **kwargs)
            finally:
                after_own, after_children = _cpu()
                spent = (0.0 if children_only else after_own - own) + after_children - children
                self.seconds[stage] = self.seconds.get(stage, 0.0) + spent

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cprofile", action="store_true")
    args = parser.parse_args()

    from hi_reports.data import load_reference
    from hi_reports.geography import organisations
    from hi_reports.pipeline import build as edition
    from hi_reports.render import builtin

    stages = Stages()
    stages.wrap(edition, "chapter_context", "chapter figures and 6 charts")
    stages.wrap(builtin, "run_pandoc", "pandoc (HTML and Typst)")
    # the PDF compiles in a thread, waiting for the Typst child, while the HTML pages are written;
    # a child's CPU is counted when it is reaped, after its COMPILES_PER_CHILD compiles (one a
    # round of five editions, so a round's figure is the CPU of five compiles)
    stages.wrap(builtin, "typst_pdf", "Typst (PDF)", children_only=True)
    stages.wrap(edition, "render", "rendering")
    stages.wrap(edition, "build_edition", "whole edition")

    reference = load_reference(args.data_dir)
    profiles = edition.kind_profiles(reference, "icb")

    def build(code: str, out: Path) -> None:
        edition.build_edition(
            edition.EditionRequest(
                org=code,
                out=out,
                formats=("html", "pdf"),
                engine="builtin",
                date=dt.date(2026, 11, 25),
            ),
            reference=reference,
            profiles=profiles,
        )

    codes = [org.code for org in organisations(reference, "icb")]
    if args.rounds * ROUND + 1 > len(codes):
        parser.error(f"at most {(len(codes) - 1) // ROUND} rounds of {ROUND} ICBs")
    batches = [codes[1 + ROUND * i : 1 + ROUND * (i + 1)] for i in range(args.rounds)]

    def run(batch: list[str]) -> None:
        for code in batch:
            build(code, Path(tmp))

    best: dict[str, float] = {}
    walls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        build(codes[0], Path(tmp))  # warm-up: imports, fonts, the Typst compiler, the chart figures
        for batch in batches:
            stages.seconds.clear()
            start = time.perf_counter()
            if args.cprofile:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                profile.runcall(run, batch)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            else:
                run(batch)
            walls.append((time.perf_counter() - start) / ROUND)
            for stage, seconds in stages.seconds.items():
                best[stage] = min(best.get(stage, float("inf")), seconds / ROUND)
    rendering = best.pop("rendering")
    whole = best.pop("whole edition")
    rows = dict(best)
    rows["HTML pages and the rest of rendering"] = (
        rendering - best["pandoc (HTML and Typst)"] - best["Typst (PDF)"]
    )
    rows["chapter templates, annex and files"] = (
        whole - rendering - best["chapter figures and 6 charts"]
    )
    rows["whole edition (CPU)"] = whole
    for stage, seconds in rows.items():
        print(f"{stage:45} {seconds:5.2f} s CPU")
    print(f"{'whole edition (wall, best round)':45} {min(walls):5.2f} s")


if __name__ == "__main__":
    main()
