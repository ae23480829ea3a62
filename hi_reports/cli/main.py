"""The ``hi-reports`` command line.

::

    hi-reports build --org QHL --data-dir DIR --out editions [--format html,pdf,docx] [--engine E]
    hi-reports orgs [--kind icb]
    hi-reports data status|fetch|verify|add

Errors of the user's making (a missing data file, an unknown code) are printed on one line with a
hint, and the command exits with status 2 and no traceback.

Each command imports the stages it uses when it runs, inside its function: ``hi-reports --help``
or ``data status`` need not load the renderers, the charts or the edition pipeline.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeGuard

from hi_reports import __version__
from hi_reports.choices import DEFAULT_VINTAGE, FORMATS, KINDS, VINTAGE_NAMES, Format
from hi_reports.cli.config import activity_specs, front_matter
from hi_reports.errors import HIReportsError, TemplateError, UsageError

if TYPE_CHECKING:  # imported on use: `--help` needs neither the pipeline nor the renderers
    from hi_reports.pipeline import BuiltEdition

MIRROR_HELP = (
    "fetch missing datasets from URL/<file name> instead of the publishers "
    "(default: $HI_REPORTS_MIRROR)"
)


def _is_format(text: str) -> TypeGuard[Format]:
    return text in FORMATS


def _formats(text: str) -> tuple[Format, ...]:
    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    chosen = tuple(part for part in parts if _is_format(part))
    unknown = [part for part in parts if not _is_format(part)]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or text!r}; choose from {', '.join(FORMATS)}"
        )
    return chosen


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (the usage is in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` on one line and exit with status 2."""
        self.exit(2, f"hi-reports: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hi-reports",
        description="Local editions of the Health Inequalities Book for NHS organisations.",
    )
    parser.add_argument("--version", action="version", version=f"hi-reports {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data_help = "the data folder (default: $HI_REPORTS_DATA, else the per-user data folder)"

    build = commands.add_parser("build", help="build an organisation's edition")
    build.add_argument(
        "--org",
        help="ODS or ONS code, e.g. QHL or E54000055; several, comma-separated, "
        "build as a batch of --kind (not needed with --all)",
    )
    build.add_argument(
        "--all", action="store_true", help="build every organisation of --kind (default kind: icb)"
    )
    build.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="with --all: worker processes (default: the number of cores); 1 builds in this "
        "process, rendering each edition while it computes the next",
    )
    build.add_argument(
        "--force",
        action="store_true",
        help="run every chapter again, not from the freeze (and, in a batch, rebuild editions "
        "whose inputs did not change)",
    )
    _edition_arguments(build, data_help)
    build.add_argument(
        "--book",
        type=Path,
        help="book sources: a folder with _quarto.yml, chapters/, templates/ "
        "(default: the working folder, when its _quarto.yml has a hi-reports: section)",
    )
    _activity_arguments(build)

    init = commands.add_parser(
        "init",
        help="write a book project of your own: the chapters, an example "
        "chapter, and the edition's options in _quarto.yml",
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init.add_argument("--org", default="QHL", help="the organisation to build (default: QHL)")
    init.add_argument(
        "--kind", type=str.lower, choices=list(KINDS), default="icb", help="its kind (default: icb)"
    )

    demo = commands.add_parser(
        "demo",
        help="build an edition with synthetic activity data of a known gradient "
        "(labelled synthetic; vintage 2019 only, the one with residents by single year of age)",
    )
    demo.add_argument("--org", default="QHL", help="ODS or ONS code (default: QHL)")
    _edition_arguments(demo, data_help)
    demo.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="also write the synthetic activity to FILE (.csv or .parquet)",
    )
    _unsafe_argument(demo)

    orgs = commands.add_parser("orgs", help="list organisations and their codes")
    orgs.add_argument(
        "--kind",
        type=str.lower,
        choices=list(KINDS),
        default="icb",
        help="the kind to list (default: icb)",
    )
    orgs.add_argument("--data-dir", type=Path, help=data_help)
    _vintage_argument(orgs)
    orgs.add_argument("--mirror", metavar="URL", help=MIRROR_HELP)

    data = commands.add_parser("data", help="manage the reference data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    status = data_commands.add_parser(
        "status", help="list each dataset: present or missing, vintage, rows, sha256"
    )
    status.add_argument("--data-dir", type=Path, help=data_help)
    fetch = data_commands.add_parser(
        "fetch",
        help="download datasets missing from the data folder, verify and parse them",
    )
    fetch.add_argument("ids", nargs="*", metavar="ID", help="datasets to fetch (default: all)")
    fetch.add_argument("--data-dir", type=Path, help=data_help)
    fetch.add_argument("--mirror", metavar="URL", help=MIRROR_HELP)
    verify = data_commands.add_parser(
        "verify", help="re-check every dataset file against its sha256"
    )
    verify.add_argument("--data-dir", type=Path, help=data_help)
    add = data_commands.add_parser("add", help="register a file you downloaded by hand")
    add.add_argument(
        "id", metavar="ID", help="the dataset, e.g. imd2019 (see `hi-reports data status`)"
    )
    add.add_argument(
        "file", type=Path, metavar="FILE", help="the file: CSV, or the publisher's XLSX or ZIP"
    )
    add.add_argument("--data-dir", type=Path, help=data_help)
    return parser


def _edition_arguments(parser: argparse.ArgumentParser, data_help: str) -> None:
    """The options every command that builds editions takes."""
    parser.add_argument(
        "--kind",
        type=str.lower,
        choices=list(KINDS),
        help="the kind of organisation the code is for",
    )
    parser.add_argument("--data-dir", type=Path, help=data_help)
    parser.add_argument("--mirror", metavar="URL", help=MIRROR_HELP)
    parser.add_argument(
        "--out", type=Path, default=Path("editions"), help="editions folder (default: editions)"
    )
    parser.add_argument(
        "--format",
        type=_formats,
        default=None,
        dest="formats",
        help="comma-separated formats: html, pdf, docx, html-single, brief (default: html,pdf)",
    )
    parser.add_argument(
        "--engine",
        default=None,
        help="builtin or quarto (default: quarto where it is installed, else builtin)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors")
    parser.add_argument(
        "--audience",
        choices=("board", "analyst"),
        default=None,
        help="board (default): no code; analyst: the chapters' code and a box on doing "
        "the same with your own data in each chapter",
    )
    _vintage_argument(parser)


def _vintage_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vintage",
        choices=list(VINTAGE_NAMES),
        default=None,
        help="reference data: 2019 (IMD 2019, LSOA 2011, mid-2020 population, RUC 2011, "
        "ICBs 2022) or 2025 (IMD 2025, LSOA 2021, Census 2021, RUC 2021, ICBs 2024); "
        f"default {DEFAULT_VINTAGE}",
    )


def _activity_arguments(build: argparse.ArgumentParser) -> None:
    group = build.add_argument_group("activity data (the organisation's own)")
    group.add_argument(
        "--activity",
        type=Path,
        metavar="FILE",
        help="events or pre-aggregated counts by LSOA and age (CSV or Parquet)",
    )
    group.add_argument(
        "--measure",
        help='what the events are, e.g. "Emergency admissions" (needed with --activity)',
    )
    group.add_argument(
        "--columns",
        metavar="MAP",
        help="your column names, e.g. lsoa_code=LSOA11,age=AgeOnAdmission",
    )
    group.add_argument(
        "--period", help='keep events of this period: "2023-24" (financial year) or "2023"'
    )
    group.add_argument(
        "--demo-activity",
        action="store_true",
        help="add synthetic activity with a known gradient, labelled synthetic",
    )
    group.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="a YAML file with an `activity:` list of {file, measure, columns, period} and/or "
        "a board paper's `front:` (classification, version, author, contact, purpose, logo)",
    )
    _unsafe_argument(group)


def _unsafe_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--unsafe-counts",
        action="store_true",
        help="print true activity counts, not suppressed or rounded: INTERNAL USE ONLY, "
        "every page marked UNSAFE COUNTS: NOT FOR PUBLICATION",
    )


def _report(edition: BuiltEdition, started: float) -> None:
    seconds = time.perf_counter() - started
    print(
        f"{edition.org.name} ({edition.org.code}): edition built in {seconds:.1f} s"
        + (f"; it replaced the earlier edition in {edition.folder}" if edition.replaced else "")
    )
    marks = {p.disclosure.mark for p in edition.activity if not p.disclosure.safe}
    for mark in marks:
        print(f"  {mark}: true activity counts, for internal use only")
    for prepared in edition.activity:
        if prepared.summary is not None:
            print(f"  activity: {prepared.spec.measure}")
            for line in prepared.summary.lines():
                print(f"    {line}")
        else:
            print(f"  activity: {prepared.spec.measure}: SYNTHETIC demonstration data")
    if not edition.activity:
        print(
            "  tip: add your services' own activity with --activity FILE --measure NAME "
            "(see the README's 'Your own activity data')"
        )
    lines = [
        *edition.outputs.items(),
        ("annex", edition.annex),
        ("notebook", edition.folder / "reproduce.ipynb"),
        ("quarto project", edition.project),
    ]
    width = max(len(name) for name, _ in lines)
    for name, path in lines:
        print(f"  {name:{width}} {path}")


def _check_build_options(args: argparse.Namespace, codes: list[str]) -> bool:
    """Refuse options that conflict or that the build would ignore; return True for a batch."""
    if args.all and codes:
        raise UsageError(
            "--all builds every organisation of --kind and --org CODE only those given: "
            "give one of them"
        )
    batch = bool(args.all or len(codes) > 1)
    if not batch and args.jobs is not None:
        raise UsageError(
            "--jobs applies to a batch (--all, or --org A,B,...); one edition is always "
            "built in one process"
        )
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give a number of worker processes of 1 or more")
    return batch


def _build(args: argparse.Namespace) -> int:
    codes = [c.strip() for c in (args.org or "").split(",") if c.strip()]
    if _check_build_options(
        args, codes
    ):  # the batch imports the edition stage only if it builds any
        from hi_reports.cli.batch import batch_command

        return batch_command(args, activity_specs(args), codes if not args.all else None)
    from hi_reports.pipeline import EditionRequest, build_edition

    if not args.org:
        raise HIReportsError(
            "build needs --org CODE for one edition, or --all for every organisation of --kind; "
            "no _quarto.yml with a hi-reports: section (a book project) is in this folder or "
            "above it",
            hint="e.g. hi-reports build --org QHL; for a book project, cd into it or give "
            "--book DIR",
        )
    started = time.perf_counter()
    edition = build_edition(
        EditionRequest(
            org=args.org,
            out=args.out,
            kind=args.kind,
            formats=args.formats,
            engine=args.engine,
            book=args.book,
            activity=activity_specs(args),
            vintage=args.vintage,
            unsafe_counts=args.unsafe_counts,
            audience=args.audience,
            front=front_matter(args),
            force=args.force,
        ),
        data_dir=args.data_dir,
    )
    if not args.quiet:
        _report(edition, started)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from hi_reports.data import load_reference
    from hi_reports.data.demo import SYNTHETIC_LABEL, demo_activity, write_activity
    from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

    started = time.perf_counter()
    reference = load_reference(args.data_dir, args.vintage)
    if args.write:
        written = write_activity(demo_activity(reference, calibrate=True), args.write)
        if not args.quiet:
            print(f"synthetic activity written to {written}")
    edition = build_edition(
        EditionRequest(
            org=args.org,
            out=args.out,
            kind=args.kind,
            formats=args.formats,
            engine=args.engine,
            activity=(ActivitySpec("Emergency admissions", demo=True),),
            vintage=args.vintage,
            unsafe_counts=args.unsafe_counts,
            audience=args.audience,
        ),
        reference=reference,
    )
    if not args.quiet:
        print(SYNTHETIC_LABEL)
        _report(edition, started)
    return 0


def _orgs(args: argparse.Namespace) -> int:
    from hi_reports.data import load_reference
    from hi_reports.geography import organisations

    reference = load_reference(args.data_dir, args.vintage)
    rows = organisations(reference, args.kind)
    print(f"{'CODE':10} {'ODS':6} {'ONS':10} NAME")
    for org in rows:
        note = " (specialist)" if org.specialist else ""
        print(f"{org.code:10} {org.ods_code or '':6} {org.ons_code or '':10} {org.name}{note}")
    specialist = sum(org.specialist for org in rows)
    print(
        f"{len(rows)} organisation{'s' if len(rows) != 1 else ''} of kind {args.kind}"
        + (
            f", {specialist} of them specialist trusts (the main provider for no neighbourhood);"
            " trusts that have closed are not listed"
            if args.kind == "trust"
            else ""
        )
    )
    return 0


def _data_status(args: argparse.Namespace) -> int:
    from hi_reports.data import data_dir, status

    table = status(args.data_dir)
    print(f"data folder: {data_dir(args.data_dir)}")
    for row in table.to_dict("records"):
        count = row["rows"]  # missing: None, or NaN in the table
        rows = "" if count is None or count != count else f"{int(count):,} rows"
        sha = row["sha256"] if isinstance(row["sha256"], str) else ""  # missing: NaN in the table
        print(f"{row['dataset']:22} {row['status']:8} {row['vintage']:45} {rows:12} {sha}")
        print(
            f"{'':22} {row['file']}  (needed for {row['needed_for']})"
            + (f"  [{row['note']}]" if row["note"] else "")
        )
    from hi_reports.data.vintage import VINTAGES

    absent = table[table["status"] != "present"]
    if absent.empty:
        print(f"all {len(table)} datasets present")
        return 0
    bad = table[table["status"].isin(["changed", "error"])]
    print(
        f"{len(absent)} of {len(table)} datasets missing, changed or unreadable: "
        f"{', '.join(absent['dataset'])}"
    )
    for vintage in VINTAGES.values():
        lacking = [n for n in vintage.required if n in set(absent["dataset"])]
        state = f"lacks {', '.join(lacking)}" if lacking else "complete"
        print(f"vintage {vintage.name}: {state}")
    if not bad.empty:
        raise HIReportsError(
            f"{len(bad)} dataset file{'s' if len(bad) != 1 else ''} in {data_dir(args.data_dir)} "
            f"cannot be used: {', '.join(f'{r.dataset} ({r.status})' for r in bad.itertuples())}",
            hint="see each one's note above",
        )
    default = VINTAGES[DEFAULT_VINTAGE]
    lacking = [n for n in default.required if n in set(absent["dataset"])]
    if lacking:
        raise HIReportsError(
            f"the default vintage {default.name} lacks {', '.join(lacking)} in "
            f"{data_dir(args.data_dir)}",
            hint="run `hi-reports data fetch` (or see each one's note above)",
        )
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    from hi_reports.data import data_dir
    from hi_reports.data.fetch import fetch_all, mirror_url, source_url, unfetchable
    from hi_reports.data.reference import needed_for

    folder = data_dir(args.data_dir)
    mirror = mirror_url(args.mirror)
    print(f"data folder: {folder}" + (f"; mirror: {mirror}" if mirror else ""))
    done = fetch_all(args.ids, folder, mirror, progress=sys.stderr.isatty())
    for name, fetched in done:
        if fetched is None:
            print(f"{name:22} present")
            continue
        check = {True: "sha256 verified", None: "no known sha256: recorded"}[fetched.known]
        print(
            f"{name:22} fetched  {fetched.path.name}  {fetched.rows:,} rows  {check} "
            f"{fetched.sha256}"
        )
        print(f"{'':22} from {source_url(fetched.dataset, mirror)}")
    print(f"{len(done)} datasets ready in {folder}")
    by_hand = [] if args.ids else unfetchable(folder, mirror)
    for dataset in by_hand:
        print(
            f"{dataset.name:22} by hand  needed for {needed_for(dataset.name)}; the publisher has "
            f"no fixed file: {dataset.add_hint}"
        )
    if by_hand:
        print(
            f"{len(by_hand)} datasets to add by hand (or fetch them from a mirror): "
            f"{', '.join(d.name for d in by_hand)}"
        )
    return 0


def _data_verify(args: argparse.Namespace) -> int:
    from hi_reports.data.fetch import verify
    from hi_reports.data.loaders import existing_data_dir

    folder = existing_data_dir(args.data_dir)
    print(f"data folder: {folder}")
    checks = verify(folder)
    for check in checks:
        if check.status == "missing":
            print(f"{check.dataset:22} missing")
        elif check.status == "unchecked":
            print(f"{check.dataset:22} no known sha256  {check.path}  {check.sha256}")
        elif check.status == "ok":
            print(
                f"{check.dataset:22} ok        {check.path}  sha256 {check.sha256} ({check.basis})"
            )
        else:
            print(
                f"{check.dataset:22} MISMATCH  {check.path}: sha256 {check.sha256}, expected "
                f"{check.expected} ({check.basis}): fetch it again (delete it, then `hi-reports "
                f"data fetch {check.dataset}`) or register your own copy with `hi-reports data add "
                f"{check.dataset} FILE`"
            )
    bad = [c.dataset for c in checks if c.status == "mismatch"]
    present = [c for c in checks if c.status != "missing"]
    if bad:
        raise HIReportsError(
            f"{len(bad)} of {len(present)} files in {folder} differ from their sha256: "
            f"{', '.join(bad)}",
            hint="see each one's line above",
        )
    if not present:
        raise HIReportsError(
            f"no dataset file in {folder}: nothing to verify",
            hint=f"check the folder, or fill it with `hi-reports data fetch --data-dir {folder}`",
        )
    print(f"{len(present)} files checked, none differs")
    return 0


def _data_add(args: argparse.Namespace) -> int:
    from hi_reports.data.fetch import add

    added = add(args.id, args.file, args.data_dir)
    note = {
        True: "its sha256 is the one the catalogue knows",
        False: "its sha256 is not the catalogue's reference copy (e.g. the publisher's layout): "
        "recorded",
        None: "the catalogue knows no sha256 for it: recorded",
    }[added.known]
    print(f"{args.id}: {args.file} added as {added.path} ({added.rows:,} rows); {note}")
    print(f"  sha256 {added.sha256}; `hi-reports data verify` re-checks it")
    return 0


def _project(args: argparse.Namespace) -> None:
    """Fill what the command line left out: from the ``hi-reports:`` section of the book project
    (``--book``, or the working folder when its ``_quarto.yml`` has one), then the defaults."""
    if args.command == "build":
        from hi_reports.book.starter import project_options

        book: Path | None = args.book
        if book is None:  # the working folder, or the nearest folder above it, with a project
            for folder in (Path.cwd(), *Path.cwd().parents):
                if (folder / "_quarto.yml").is_file() and project_options(folder):
                    book = folder if folder != Path.cwd() else Path(".")
                    break
        options = project_options(book) if book is not None else {}
        args.book = book
        if book is not None and options:
            if args.org is None and not args.all and options.get("org") is not None:
                args.org = str(options["org"])
            args.kind = args.kind or options.get("kind")
            args.vintage = args.vintage or (
                None if options.get("vintage") is None else str(options["vintage"])
            )
            args.audience = args.audience or options.get("audience")
            if args.formats is None and options.get("formats") is not None:
                formats = options["formats"]
                text = ",".join(map(str, formats)) if isinstance(formats, list) else str(formats)
                try:
                    args.formats = _formats(text)
                except argparse.ArgumentTypeError as error:  # as --format would say it
                    config = book / "_quarto.yml"
                    raise TemplateError(
                        f"{config}: `formats:` of the `hi-reports:` section: {error}",
                        path=str(config),
                    ) from None
            if options.get("activity") and not (args.config or args.activity):
                # read as a config file: its hi-reports: section
                args.config = book / "_quarto.yml"
    if hasattr(args, "formats") and args.formats is None:
        args.formats = ("html", "pdf")
    if hasattr(args, "vintage") and args.vintage is None:
        args.vintage = DEFAULT_VINTAGE
    if hasattr(args, "audience") and args.audience is None:
        args.audience = "board"


def _init(args: argparse.Namespace) -> int:
    from hi_reports.book.starter import init_project

    config = init_project(args.folder, args.org, args.kind)
    print(
        f"book project written to {args.folder}: {config.name}, chapters/ (with "
        "chapters/local.qmd, an example chapter of your own) and templates/"
    )
    print(f"  build it: cd {args.folder} && hi-reports build")
    return 0


def _run(args: argparse.Namespace) -> int:
    _project(args)
    if args.command == "init":
        return _init(args)
    if args.command == "data":
        action = {
            "status": _data_status,
            "fetch": _data_fetch,
            "verify": _data_verify,
            "add": _data_add,
        }
        return action[args.data_command](args)
    from hi_reports.data.fetch import fetching_missing

    command = {"build": _build, "demo": _demo, "orgs": _orgs}[args.command]
    with fetching_missing(args.mirror):  # a missing dataset is fetched, and said so on stderr
        return command(args)


def _cli_message(error: HIReportsError) -> str:
    """The error as the command line says it: a setting at fault is named by its flag, as
    argparse names an argument (``argument --kind: ...``)."""
    if error.option is None:
        return str(error)
    flag = _POSITIONAL.get(error.option, f"--{error.option.replace('_', '-')}")
    return f"argument {flag}: {error}"


#: Settings the command line takes as positional arguments, named by their metavar as argparse
#: names them (``argument ID: ...``).
_POSITIONAL = {"id": "ID"}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except HIReportsError as error:
        print(f"hi-reports: error: {_cli_message(error)}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # e.g. `hi-reports orgs | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("hi-reports: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
