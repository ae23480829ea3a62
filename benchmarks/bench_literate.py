"""What a chapter of one's own costs: the CPU time of weaving a literate chapter with one plotnine
chart and one table into an edition, in a warm process (the edition computed once).

Run by hand (``python benchmarks/bench_literate.py [--org QHL] [--rounds 5] [--data-dir DIR]``)
and quote the figures in the README. Target (issue 15): at most 0.3 s of CPU per edition.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

CHAPTER = """# Our own analysis {#sec-local}

```{python}
#| tags: [parameters]
org = "QHL"
```

```{python}
import hi_reports
from plotnine import aes, geom_col, ggplot, labs

ed = hi_reports.edition(org)
q = ed.lsoas.groupby("imd_quintile", as_index=False)["residents"].sum()
share = q["residents"].iloc[0] / q["residents"].sum()
```

`{python} ed.pct(share, key="local.q1", definition="Share in quintile 1")`
of residents live in the most deprived national quintile.

```{python}
#| label: fig-local
#| fig-cap: "Residents by national IMD quintile"
#| fig-alt: "Bars of the residents of each quintile."
ggplot(q, aes("factor(imd_quintile)", "residents")) + geom_col() + labs(x="Quintile", y="Residents")
```

```{python}
#| label: tbl-local
#| tbl-cap: "Residents by quintile"
q.round()
```
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="QHL")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = parser.parse_args()

    import hi_reports
    from hi_reports.book.annex import Annex
    from hi_reports.pipeline import literate

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ed = hi_reports.edition(args.org, data_dir=args.data_dir)
        source = folder / "chapters" / "local.qmd"
        source.parent.mkdir()
        source.write_text(CHAPTER, encoding="utf-8")
        start = time.process_time()

        first_import = time.process_time() - start
        times = []
        for round_ in range(args.rounds + 1):
            weave = literate(ed.org, ed.reference, ed.context, folder / f"figures-{round_}")
            start = time.process_time()
            markdown = weave(source, Annex())
            times.append(time.process_time() - start)
        assert "fig-local" in markdown and "tbl-local" in markdown
    print(f"plotnine import, once per process:        {first_import:5.2f} s CPU")
    print(f"first weave (plotnine's first draw):      {times[0]:5.2f} s CPU")
    print(
        f"each further weave, median of {args.rounds}:         "
        f"{statistics.median(times[1:]):5.2f} s CPU"
        f"  ({dt.date.today()}, load {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
