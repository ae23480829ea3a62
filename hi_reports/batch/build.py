"""Build many editions: plan (what changed), run (a process pool), and clean up whatever happens.

The parent process loads the reference data and the LSOA shapes of the maps and computes the
profiles of every organisation of the kind once. Workers are started with the fork start method where the platform has it (they inherit
the data without copying or pickling it) and otherwise receive it once each through the pool
initializer, never once per task. Each worker builds an edition into a staging folder
``out/.<CODE>-batch-*``, writes its manifest, and renames it into place; the parent removes every
staging folder of the kind at the start and at the end of a batch, and after an interruption
(Ctrl-C, SIGTERM) or a worker killed by the system, so nothing partial is left under ``out``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hi_reports import __version__
from hi_reports.batch.manifest import (
    Inputs,
    Manifest,
    book_digest,
    data_digest,
    is_current,
    write_manifest,
)
from hi_reports.data.vintage import DEFAULT_VINTAGE
from hi_reports.errors import GeographyError, HIReportsError
from hi_reports.folders import (
    check_replaceable,
    editions_folder,
    locked,
    make_staging,
    replace_edition,
)

Status = Literal["built", "unchanged", "failed"]
#: A staging folder of an edition: ``.<CODE>-<anything>`` (build_edition's and the batch's).
_STAGING = re.compile(r"^\.(?P<code>[^-./]+)-")
KILLED = "the worker process building it died (killed by a signal, or out of memory)"


@dataclass(frozen=True)
class BatchRequest:
    """What to build.

    Attributes
    ----------
    out
        The editions folder; edition ``X`` goes to ``out/X/``, the index to ``out/index.html``.
    kind
        The kind of organisation (a key of :data:`hi_reports.geography.KINDS`).
    codes
        Build only these organisations (ODS or ONS codes, any case); every one of the kind when
        None. An unknown code is reported as a failed edition, not raised.
    formats
        Any of ``html``, ``pdf``, ``docx``.
    engine
        ``builtin``, ``quarto``, or None to choose (Quarto when installed).
    book
        The book sources folder; the shipped ones by default.
    date
        The editions' date; today by default (and then not part of the manifest).
    jobs
        Worker processes; the number of cores by default. 1 builds in this process.
    force
        Rebuild editions whose manifest says they are current.
    activity
        The organisation's own activity measures, added to every edition; read and computed once
        for the whole batch.
    vintage
        The reference data's vintage (``2019`` or ``2025``).
    unsafe_counts
        Print true activity counts (no suppression or rounding) in every edition: internal use only,
        each edition marked "UNSAFE COUNTS: NOT FOR PUBLICATION".
    audience
        ``board`` (the default) or ``analyst`` (code and "do this with your own data" boxes shown).
    front
        The board paper's front matter for every edition (a :class:`hi_reports.front.Front`),
        or None for the book's own.
    """

    out: Path
    kind: str = "icb"
    codes: Sequence[str] | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    engine: str | None = None
    book: Path | None = None
    date: dt.date | None = None
    jobs: int | None = None
    force: bool = False
    activity: tuple[Any, ...] = ()
    vintage: str = DEFAULT_VINTAGE
    unsafe_counts: bool = False
    audience: str = "board"
    front: Any = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one organisation's edition.

    Attributes
    ----------
    code, name
        The organisation (``name`` is empty for an unknown code).
    status
        ``built``, ``unchanged`` (its manifest matched) or ``failed``.
    seconds
        Build time (0 when unchanged).
    reason
        Why it failed: the error message, naming what and where.
    detail
        The traceback of an unexpected error, for a log.
    """

    code: str
    name: str
    status: Status
    seconds: float = 0.0
    reason: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class BatchResult:
    """The outcome of a batch: one :class:`Outcome` per organisation, in the order of the kind."""

    outcomes: list[Outcome]
    out: Path
    index: Path | None
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def built(self) -> list[Outcome]:
        """Editions built by this batch."""
        return [o for o in self.outcomes if o.status == "built"]

    @property
    def unchanged(self) -> list[Outcome]:
        """Editions skipped because their inputs did not change."""
        return [o for o in self.outcomes if o.status == "unchanged"]

    @property
    def failed(self) -> list[Outcome]:
        """Editions that failed, with their reasons."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no edition failed."""
        return not self.failed


@dataclass
class _WorkerState:
    """What every worker needs, handed over once per worker (fork: inherited, no copy)."""

    reference: Any
    profiles: Any
    out: Path
    kind: str
    formats: tuple[str, ...]
    engine: str
    book: Path | None
    date: dt.date
    inputs: Inputs
    activity: dict[str, str | None]
    prepared: tuple[Any, ...] = ()
    audience: str = "board"
    front: Any = None


_STATE: _WorkerState | None = None


def front_digest(front: Any) -> dict[str, str] | None:
    """The front matter as the manifest records it: its fields, the logo by its sha256 (a new
    classification or logo rebuilds the editions; no path of the user's is written)."""
    if front is None:
        return None
    from hi_reports.data.loaders import file_sha256

    fields = {k: v for k, v in vars(front).items() if v is not None}
    if "logo" in fields:
        fields["logo"] = file_sha256(Path(fields["logo"]))
    return fields


def clean_staging(out: Path, codes: Sequence[str] | None = None) -> list[Path]:
    """Remove the staging folders (``.<CODE>-*``) left in ``out`` by an interrupted build.

    Parameters
    ----------
    out
        The editions folder.
    codes
        Remove only staging folders of these edition codes; all when None.

    Returns
    -------
    list of Path
        The folders removed.
    """
    out = Path(out)
    if not out.is_dir():
        return []
    wanted = None if codes is None else set(codes)
    removed = []
    for path in out.iterdir():
        match = _STAGING.match(path.name)
        if match and path.is_dir() and (wanted is None or match["code"] in wanted):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _reason(error: BaseException) -> str:
    if isinstance(error, HIReportsError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _build_one(org: Any) -> Outcome:
    """Build one edition in a worker (or in the parent with ``jobs=1``) from the worker state."""
    from hi_reports.pipeline import EditionRequest, build_edition

    state = _STATE
    assert state is not None, "the batch worker was not initialised"
    started = time.perf_counter()
    stage: Path | None = None
    try:
        check_replaceable(state.out / org.code)  # before the work, not only at the swap
        stage = make_staging(state.out, org.code, "batch-")
        edition = build_edition(
            EditionRequest(
                org=org.code,
                out=stage,
                kind=org.kind,
                formats=state.formats,
                engine=state.engine,
                book=state.book,
                date=state.date,
                vintage=state.reference.vintage.name,
                audience=state.audience,
                front=state.front,
            ),
            reference=state.reference,
            profiles=state.profiles,
            activity=state.prepared,
        )
        built = edition.folder
        outputs = {
            fmt: Path(path).relative_to(built).as_posix() for fmt, path in edition.outputs.items()
        }
        outputs["annex"] = Path(edition.annex).relative_to(built).as_posix()
        seconds = time.perf_counter() - started
        manifest = Manifest(
            code=org.code,
            name=org.name,
            kind=org.kind,
            inputs=state.inputs.with_activity(state.activity.get(org.code)),
            outputs=outputs,
            seconds=seconds,
        )
        write_manifest(built, manifest)
        replace_edition(built, state.out / org.code)
        return Outcome(org.code, org.name, "built", seconds)
    except Exception as error:  # one organisation's failure must not stop the others
        detail = None if isinstance(error, HIReportsError) else traceback.format_exc()
        return Outcome(
            org.code, org.name, "failed", time.perf_counter() - started, _reason(error), detail
        )
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this worker when the parent dies (an orphan keeps nothing)."""
    if not os.uname().sysname == "Linux":
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _warm_up() -> None:
    """Import the chart and render modules once per worker, before the first edition."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.backends.backend_agg
    import matplotlib.figure



def _init_worker(state: _WorkerState) -> None:
    """Pool initializer: keep the state, let the parent handle Ctrl-C, warm up."""
    global _STATE
    _STATE = state
    signal.signal(
        signal.SIGINT, signal.SIG_IGN
    )  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler came through fork
    _die_with_parent()
    _warm_up()


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what is queued, terminate the workers, wait for them."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + 5
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt in the parent, so that the batch cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run_pool(
    orgs: list[Any], state: _WorkerState, jobs: int, report: Callable[[Outcome], None]
) -> None:
    """Build ``orgs`` in a pool of ``jobs`` workers; a pool broken by a killed worker is retried.

    When a worker dies every unfinished edition of its pool fails with BrokenProcessPool. Those
    are retried one at a time, each in a pool of its own, so that only the edition that kills its
    worker again is reported failed.
    """
    rounds: list[tuple[list[Any], int, bool]] = [(orgs, jobs, True)]
    while rounds:
        pending, workers, may_retry = rounds.pop(0)
        broken: list[Any] = []
        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(state,)
        )
        try:
            futures: dict[Future[Outcome], Any] = {
                executor.submit(_build_one, org): org for org in pending
            }
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for future in done:
                    org = futures[future]
                    try:
                        report(future.result())
                    except BrokenProcessPool:
                        broken.append(org)
                    except Exception as error:  # e.g. an unpicklable result
                        report(Outcome(org.code, org.name, "failed", 0.0, _reason(error)))
        except BaseException:
            _terminate(executor)
            raise
        executor.shutdown(wait=True)
        clean_staging(state.out, [org.code for org in pending])
        for org in broken:
            if may_retry:
                rounds.append(([org], 1, False))
            else:
                report(Outcome(org.code, org.name, "failed", 0.0, KILLED))


def _select(reference: Any, request: BatchRequest) -> tuple[list[Any], list[Outcome]]:
    """The organisations to consider and the failures of unknown codes."""
    from hi_reports.geography import organisations, resolve

    if request.codes is None:
        return list(organisations(reference, request.kind)), []
    chosen: dict[str, Any] = {}
    failures = []
    for code in request.codes:
        try:
            org = resolve(reference, code, request.kind)
        except GeographyError as error:
            failures.append(Outcome(code, "", "failed", 0.0, str(error)))
            continue
        chosen.setdefault(org.code, org)
    return list(chosen.values()), failures


def build_batch(
    request: BatchRequest,
    reference: Any | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[Outcome], None] | None = None,
    activity: Callable[[Any], str | None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Build the edition of every organisation of a kind (or of ``request.codes``).

    Parameters
    ----------
    request
        What to build.
    reference
        Already loaded reference data; loaded from ``data_dir`` when None.
    data_dir
        The data folder (see :func:`hi_reports.data.data_dir`).
    progress
        Called in this process with each organisation's :class:`Outcome` as soon as it is known.
    activity
        Called with each :class:`~hi_reports.geography.Organisation`; returns a digest of what
        its edition prints or stores of the activity data (or None; by default
        :func:`hi_reports.pipeline.build.activity_digest`). It becomes the manifest's ``activity``
        input, so an edition is rebuilt when its digest changed.
    on_plan
        Called once with (editions to build, editions in total) before building starts.

    Returns
    -------
    BatchResult
        One outcome per organisation; ``result.ok`` is False when any failed.

    Raises
    ------
    HIReportsError
        Only for errors that concern the whole batch (missing data, unknown kind, missing engine).
    """
    from hi_reports.book.project import BookSources
    from hi_reports.data import load_reference
    from hi_reports.data.reference import other_vintage, other_vintage_files
    from hi_reports.geography import KINDS
    from hi_reports.render import get_engine

    started = time.perf_counter()
    timings: dict[str, float] = {}
    if request.kind not in KINDS:
        raise GeographyError(
            f"unknown organisation kind {request.kind!r}; valid kinds: {', '.join(KINDS)}"
        )
    if reference is None:
        reference = load_reference(data_dir, request.vintage)
    timings["reference"] = time.perf_counter() - started
    sources = BookSources(request.book) if request.book else BookSources()
    sources.check()
    engine = get_engine(request.engine).name
    orgs, outcomes = _select(reference, request)
    # Before the editions folder is made: an unusable activity file leaves nothing behind. (Before
    # the data digest too: reading activity may load the LSOA 2021 lookup.)
    prepared: tuple[Any, ...] = ()
    if request.activity:
        from hi_reports.pipeline import activity_digest, prepare_activity, unsafe_specs

        mark = time.perf_counter()
        prepared = prepare_activity(
            unsafe_specs(request.activity, request.unsafe_counts), reference, request.kind
        )
        timings["activity"] = time.perf_counter() - mark
        if activity is None:
            activity = functools.partial(activity_digest, prepared, reference=reference)
    out = editions_folder(request.out)
    with locked(out):  # a second batch into `out` waits: it cleans staging folders
        total = len(orgs) + len(outcomes)
        codes = [org.code for org in orgs]
        clean_staging(out, codes)
        # The maps' LSOA boundary file enters the data digest like every other dataset; it is hashed,
        # not read, so that a batch with nothing to build stays fast (a missing file is an error here).
        from hi_reports.data import get_dataset
        from hi_reports.data.loaders import data_dir as data_folder
        from hi_reports.data.loaders import file_sha256, require_file
        from hi_reports.geography.boundaries import boundary_dataset, lsoa_shapes

        boundaries = boundary_dataset(reference)
        data = data_digest(reference.sources)
        # The other vintage's files feed the note comparing the two: hashed here, read only to build.
        data.update(
            {
                name: file_sha256(path)
                for name, path in (other_vintage_files(reference) or {}).items()
            }
        )
        data = dict(sorted(data.items()))
        data[boundaries] = file_sha256(
            require_file(get_dataset(boundaries), data_folder(reference.folder))
        )
        inputs = Inputs(
            package_version=__version__,
            options={
                "formats": sorted(request.formats),
                "engine": engine,
                "kind": request.kind,
                "date": request.date.isoformat() if request.date else None,
                "vintage": reference.vintage.name,
                "audience": request.audience,
                "front": front_digest(request.front),
            },
            data=dict(sorted(data.items())),
            book=book_digest(sources.root),
        )
        digests = {org.code: activity(org) if activity else None for org in orgs}
        todo = []
        for org in orgs:
            if not request.force and is_current(
                out / org.code, inputs.with_activity(digests[org.code])
            ):
                outcomes.append(Outcome(org.code, org.name, "unchanged"))
            else:
                todo.append(org)
        timings["plan"] = time.perf_counter() - started - timings["reference"]
        if on_plan:
            on_plan(len(todo), total)
        if progress:
            for outcome in outcomes:
                progress(outcome)

        def report(outcome: Outcome) -> None:
            outcomes.append(outcome)
            if progress:
                progress(outcome)

        if todo:
            global _STATE
            mark = time.perf_counter()
            from hi_reports.pipeline import kind_profiles

            profiles = kind_profiles(reference, request.kind)
            from hi_reports.geography import membership, organisations

            # Fill the geography's per-reference caches here, so that forked workers share them:
            # organisations, weights and the LSOA shapes of the maps.
            organisations(reference, "icb"), organisations(reference, request.kind)
            membership(reference, request.kind)
            lsoa_shapes(reference)
            other = other_vintage(reference)
            if other is not None and request.kind not in ("england", "trust"):
                organisations(other, request.kind), membership(other, request.kind)
            timings["profiles"] = time.perf_counter() - mark
            state = _WorkerState(
                reference=reference,
                profiles=profiles,
                out=out,
                kind=request.kind,
                formats=tuple(request.formats),
                engine=engine,
                book=Path(request.book) if request.book else None,
                date=request.date or dt.date.today(),
                inputs=inputs,
                activity=digests,
                prepared=prepared,
                audience=request.audience,
                front=request.front,
            )
            jobs = max(1, min(request.jobs or os.cpu_count() or 1, len(todo)))
            mark = time.perf_counter()
            try:
                with _sigterm_interrupts():
                    if jobs == 1:
                        _STATE = state
                        for org in todo:
                            report(_build_one(org))
                    else:
                        _run_pool(todo, state, jobs, report)
            finally:
                _STATE = None
                clean_staging(out, codes)
            timings["editions"] = time.perf_counter() - mark

        from hi_reports.batch.index import write_index

        mark = time.perf_counter()
        index = write_index(out, sources)
        timings["index"] = time.perf_counter() - mark
        order = {
            code: i for i, code in enumerate([*(o.code for o in outcomes if not o.name), *codes])
        }
        outcomes.sort(key=lambda o: order.get(o.code, len(order)))
        return BatchResult(outcomes, out, index, time.perf_counter() - started, timings)
