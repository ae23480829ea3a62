"""plotnine or matplotlib for the shipped charts: the same bar chart drawn both ways, CPU time.

Run by hand (``python benchmarks/bench_charts.py [--rounds 20]``) and quote the figures in the
README. The chart is the shape of the book's decile chart: ten bars with value labels, a title, axis
labels, 7 x 4 inches, PNG at 150 dpi. Issue 15 asks for the shipped charts' library to be chosen by
measurement; chapters of one's own draw with plotnine either way.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")


def _data():
    import pandas as pd

    shares = [0.164, 0.18, 0.12, 0.1, 0.09, 0.08, 0.07, 0.07, 0.06, 0.076]
    return pd.DataFrame({"decile": [str(d) for d in range(1, 11)], "share": shares})


def draw_matplotlib(frame) -> bytes:
    """The chart with matplotlib's object API, as hi_reports.draw.charts draws it."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    bars = axes.bar(frame["decile"], frame["share"] * 100, color="#005EB8")
    axes.bar_label(bars, labels=[f"{v:.1%}" for v in frame["share"]], fontsize=8)
    axes.set(
        xlabel="National IMD decile (1 = most deprived)",
        ylabel="Share of residents (%)",
        title="Residents by national IMD decile",
    )
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def draw_plotnine(frame) -> bytes:
    """The same chart with plotnine's grammar."""
    from plotnine import aes, geom_col, geom_text, ggplot, labs, theme, theme_classic

    frame = frame.assign(percent=frame["share"] * 100, label=[f"{v:.1%}" for v in frame["share"]])
    plot = (
        ggplot(frame, aes("decile", "percent"))
        + geom_col(fill="#005EB8")
        + geom_text(aes(label="label"), va="bottom", size=8)
        + labs(
            x="National IMD decile (1 = most deprived)",
            y="Share of residents (%)",
            title="Residents by national IMD decile",
        )
        + theme_classic()
        + theme(figure_size=(7, 4))
    )
    buffer = io.BytesIO()
    plot.save(buffer, format="png", dpi=150, verbose=False)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    frame = _data()
    results = {}
    for name, draw in (("matplotlib", draw_matplotlib), ("plotnine", draw_plotnine)):
        start = time.process_time()
        draw(frame)  # the first draw pays imports and font caches
        first = time.process_time() - start
        times = []
        for _ in range(args.rounds):
            start = time.process_time()
            draw(frame)
            times.append(time.process_time() - start)
        results[name] = (first, statistics.median(times))
    for name, (first, median) in results.items():
        print(
            f"{name:10}  first {first:5.3f} s CPU   "
            f"then {median:5.3f} s CPU a chart (median of {args.rounds})"
        )
    ratio = results["plotnine"][1] / results["matplotlib"][1]
    print(f"plotnine / matplotlib: {ratio:.1f}x")


if __name__ == "__main__":
    main()
