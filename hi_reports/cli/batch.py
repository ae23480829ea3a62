"""``hi-reports build --all``: the batch on the command line, with a progress bar and a summary.

::

    hi-reports build --kind icb --all --out editions [--jobs N] [--force] [--format html,pdf]
        [--quiet]

The progress bar (rich, on stderr) shows editions done, failed, elapsed and remaining time; a
summary table follows. ``--quiet`` prints one summary line and the failures only, for CI logs.
The exit status is 0 when every edition was built or unchanged, 1 when any failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from hi_reports.batch.build import BatchRequest, BatchResult, Outcome, build_batch
from hi_reports.cli.config import front_matter
from hi_reports.errors import HIReportsError

if TYPE_CHECKING:  # rich is imported on use
    from rich.table import Table

    from hi_reports.pipeline import ActivitySpec


def summary_line(result: BatchResult) -> str:
    """One line: how many editions were built, unchanged and failed, the time and the index."""
    total = len(result.outcomes)
    return (
        f"{total} edition{'s' if total != 1 else ''}: {len(result.built)} built, "
        f"{len(result.unchanged)} unchanged, {len(result.failed)} failed in "
        f"{result.seconds:.1f} s; index: {result.index}"
    )


def _print_failures(result: BatchResult, stream: TextIO) -> None:
    for outcome in result.failed:
        print(f"hi-reports: {outcome.code}: failed: {outcome.reason}", file=stream)


def _table(result: BatchResult) -> Table:
    from rich.table import Table

    table = Table(title="Editions", show_lines=False)
    table.add_column("Code")
    table.add_column("Organisation")
    table.add_column("Status")
    table.add_column("Seconds", justify="right")
    table.add_column("Reason")
    style = {"built": "green", "unchanged": "dim", "failed": "bold red"}
    for outcome in result.outcomes:
        if outcome.status == "unchanged" and len(result.outcomes) > 20:
            continue  # a long list of unchanged editions says nothing; the summary counts them
        table.add_row(
            outcome.code,
            outcome.name,
            f"[{style[outcome.status]}]{outcome.status}[/]",
            f"{outcome.seconds:.1f}" if outcome.seconds else "",
            outcome.reason or "",
        )
    return table


def batch_command(
    args: argparse.Namespace,
    activity: tuple[ActivitySpec, ...] = (),
    codes: Sequence[str] | None = None,
) -> int:
    """Run ``hi-reports build --all`` (or ``--org A,B,...``) from parsed arguments; return the exit
    status.

    ``activity`` holds the activity measures (:class:`hi_reports.pipeline.ActivitySpec`) the
    command line asked for; they are read once and added to every edition. ``codes`` restricts the
    batch to those organisations of the kind.
    """

    front = front_matter(args)
    request = BatchRequest(
        out=args.out,
        kind=args.kind or "icb",
        codes=list(codes) if codes else None,
        formats=tuple(args.formats),
        engine=args.engine,
        book=args.book,
        jobs=args.jobs,
        force=args.force,
        activity=tuple(activity),
        vintage=args.vintage,
        unsafe_counts=bool(getattr(args, "unsafe_counts", False)),
        audience=args.audience,
        front=front,
    )
    if args.jobs is not None and args.jobs < 1:
        raise HIReportsError(f"--jobs {args.jobs}: give a number of worker processes of 1 or more")
    if args.quiet:
        result = build_batch(request, data_dir=args.data_dir)
        _print_failures(result, sys.stderr)
        print(summary_line(result))
        return 0 if result.ok else 1

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("remaining"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=not console.is_terminal,  # a log or a pipe gets the summary, not a bar's last frame
    )
    task = progress.add_task(f"{request.kind} editions", total=None, failed=0)
    failed = 0

    def planned(todo: int, total: int) -> None:
        progress.update(task, total=total)

    def advance(outcome: Outcome) -> None:
        nonlocal failed
        if outcome.status == "failed":
            failed += 1
            progress.console.print(f"[bold red]{outcome.code}[/]: failed: {outcome.reason}")
        progress.update(task, advance=1, failed=failed)

    with progress:
        result = build_batch(request, data_dir=args.data_dir, progress=advance, on_plan=planned)
    Console().print(_table(result))
    print(summary_line(result))
    return 0 if result.ok else 1
