"""Build many editions in three steps: plan (what changed), run (worker processes), finish (the
index), cleaning up whatever happens.

The parent process loads the reference data and the LSOA shapes of the maps and computes the
profiles of every organisation of the kind once. Workers are started with the fork start method
where the platform has it (they inherit the data without copying or pickling it) and otherwise
receive it once each when they start, never once per edition (with one job the parent builds
them itself, rendering each while it computes the next). Each edition is built into a staging
folder ``out/.<CODE>-batch-*``, its manifest written, and renamed into place; the parent removes
every staging folder of the kind at the start and at the end of a batch, and after an interruption
(Ctrl-C, SIGTERM) or a worker killed by the system, so nothing partial is left under ``out``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import multiprocessing
import multiprocessing.context
import os
import re
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from hi_reports import __version__
from hi_reports.batch.index import write_index
from hi_reports.batch.manifest import (
    Inputs,
    Manifest,
    book_digest,
    is_current,
    write_manifest,
)
from hi_reports.choices import DEFAULT_VINTAGE, Format
from hi_reports.errors import GeographyError, HIReportsError
from hi_reports.folders import (
    check_replaceable,
    editions_folder,
    locked,
    make_staging,
    replace_edition,
)
from hi_reports.front import Front
from hi_reports.pipeline import (
    book_inputs,
    book_sources,
    check_kind,
    data_inputs,
    engine_name,
    file_sha256,
    load_reference,
    select,
)

if TYPE_CHECKING:
    from hi_reports.pipeline import (
        ActivitySpec,
        BookSources,
        Organisation,
        PreparedActivity,
        Profiles,
        Reference,
        StagedEdition,
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
        Any of ``html``, ``pdf``, ``docx``, ``html-single``, ``brief``.
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
    formats: tuple[Format, ...] = ("html", "pdf")
    engine: str | None = None
    book: Path | None = None
    date: dt.date | None = None
    jobs: int | None = None
    force: bool = False
    activity: tuple[ActivitySpec, ...] = ()
    vintage: str = DEFAULT_VINTAGE
    unsafe_counts: bool = False
    audience: str = "board"
    front: Front | None = None


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


@dataclass(frozen=True)
class BatchPlan:
    """What a batch will do, worked out before anything is built.

    Attributes
    ----------
    request
        What was asked.
    out
        The editions folder.
    reference
        The reference data of the request's vintage.
    todo
        The organisations whose editions will be built.
    outcomes
        What is known already: unknown codes (failed) and current editions (unchanged).
    inputs
        Everything the editions' content depends on but their activity data.
    activity
        Each organisation's activity digest (None without activity data).
    prepared
        The activity measures, read and computed once for the kind.
    engine
        The rendering engine's name.
    sources
        The book sources.
    codes
        Every organisation considered, in the order of the kind.
    """

    request: BatchRequest
    out: Path
    reference: Reference
    todo: list[Organisation]
    outcomes: list[Outcome]
    inputs: Inputs
    activity: dict[str, str | None]
    prepared: tuple[PreparedActivity, ...]
    engine: str
    sources: BookSources
    codes: list[str]


@dataclass(frozen=True)
class _Job:
    """What every worker needs to build an edition, handed over once per worker (with the fork
    start method inherited, not copied)."""

    plan: BatchPlan
    profiles: Profiles
    date: dt.date


def front_digest(front: Front | None) -> dict[str, str] | None:
    """The front matter as the manifest records it: its fields, the logo by its sha256 (a new
    classification or logo rebuilds the editions; no path of the user's is written)."""
    if front is None:
        return None
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


def _build_one(job: _Job, org: Organisation) -> Outcome:
    """Build one edition into a staging folder, record its manifest and move it into place."""
    begun = _begin_one(job, org)
    return begun if isinstance(begun, Outcome) else _finish_one(job, begun)


@dataclass
class _Begun:
    """An edition computed and staged (see :func:`_begin_one`), not yet rendered."""

    org: Organisation
    started: float
    #: The batch's staging folder of the edition, which holds the edition's own.
    stage: Path
    edition: StagedEdition


def _failed(org: Organisation, started: float, error: Exception) -> Outcome:
    detail = None if isinstance(error, HIReportsError) else traceback.format_exc()
    return Outcome(
        org.code, org.name, "failed", time.perf_counter() - started, _reason(error), detail
    )


def _begin_one(job: _Job, org: Organisation) -> _Begun | Outcome:
    """Compute one edition and write its book project in a staging folder (the failed outcome if
    that fails)."""
    # the edition stage is imported where it is used: a batch with nothing to build needs none
    # of it (the pipeline's names load their own stage on first use)
    from hi_reports.pipeline import EditionRequest, stage_edition

    plan = job.plan
    request = plan.request
    started = time.perf_counter()
    stage: Path | None = None
    try:
        check_replaceable(plan.out / org.code)  # before the work, not only at the swap
        stage = make_staging(plan.out, org.code, "batch-")
        edition = stage_edition(
            EditionRequest(
                org=org.code,
                out=stage,
                kind=org.kind,
                formats=tuple(request.formats),
                engine=plan.engine,
                book=Path(request.book) if request.book else None,
                date=job.date,
                vintage=plan.reference.vintage.name,
                audience=request.audience,
                front=request.front,
                force=request.force,
            ),
            reference=plan.reference,
            profiles=job.profiles,
            activity=plan.prepared,
        )
        return _Begun(org, started, stage, edition)
    except BaseException as error:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        if isinstance(error, Exception):  # one organisation's failure must not stop the others
            return _failed(org, started, error)
        raise


def _finish_one(job: _Job, begun: _Begun) -> Outcome:
    """Render a staged edition, record its manifest and move it into place."""
    plan, org = job.plan, begun.org
    try:
        edition = begun.edition.finish()
        built = edition.folder
        outputs = {
            fmt: Path(path).relative_to(built).as_posix() for fmt, path in edition.outputs.items()
        }
        outputs["annex"] = Path(edition.annex).relative_to(built).as_posix()
        seconds = time.perf_counter() - begun.started
        manifest = Manifest(
            code=org.code,
            name=org.name,
            kind=org.kind,
            inputs=plan.inputs.with_activity(plan.activity.get(org.code)),
            outputs=outputs,
            seconds=seconds,
        )
        write_manifest(built, manifest)
        replace_edition(built, plan.out / org.code)
        return Outcome(org.code, org.name, "built", seconds)
    except Exception as error:  # noqa: BLE001 (one organisation's failure must not stop the others)
        return _failed(org, begun.started, error)
    finally:
        shutil.rmtree(begun.stage, ignore_errors=True)


def _build_in_turn(
    job: _Job, orgs: Sequence[Organisation], report: Callable[[Outcome], None]
) -> None:
    """Build ``orgs`` one after the other in this process, each rendered in a thread while the
    next is computed: rendering is mostly waiting for pandoc and Typst, which run in processes of
    their own, so the core that computing leaves idle renders.

    An interruption waits for the edition being rendered (a second or so), which is then in place;
    the one being computed is dropped.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="hi-reports-render") as renders:
        rendering: Future[Outcome] | None = None
        for org in orgs:
            begun = _begin_one(job, org)
            if rendering is not None:
                report(rendering.result())
                rendering = None
            if isinstance(begun, Outcome):
                report(begun)
            else:
                rendering = renders.submit(_finish_one, job, begun)
        if rendering is not None:
            report(rendering.result())


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this worker when the parent dies (an orphan keeps nothing)."""
    if os.uname().sysname != "Linux":
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _leave(signum: int, frame: object) -> None:
    """A worker's SIGTERM (the parent stopping it, or the parent gone): leave as from an error,
    so that the edition under way removes its staging folder and the worker's own children (the
    Typst compiler) are waited for by the finalizers multiprocessing runs as a worker exits."""
    raise SystemExit(128 + signum)


def _serve(job: _Job, connection: Connection) -> None:
    """A worker: build each organisation the parent sends, send back its outcome; stop at None."""
    # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)  # not the parent's handler, which came through fork
    _die_with_parent()
    from hi_reports.pipeline import warm_up  # as _build_one's: the edition stage, on use

    warm_up()
    while (org := connection.recv()) is not None:
        outcome = _build_one(job, org)
        try:
            connection.send(outcome)
        except Exception as error:  # noqa: BLE001 (an outcome that does not pickle)
            connection.send(Outcome(org.code, org.name, "failed", 0.0, _reason(error)))


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


@dataclass
class _Worker:
    """One worker process, the parent's end of its pipe, and what it is building."""

    process: BaseProcess
    connection: Connection
    org: Organisation | None = None

    @classmethod
    def start(cls, job: _Job) -> _Worker:
        context = _context()
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(job, theirs), daemon=True)  # type: ignore[attr-defined]
        process.start()
        theirs.close()
        return cls(process, ours)

    def give(self, org: Organisation | None) -> None:
        """Send the next organisation (None: stop)."""
        self.org = org
        with contextlib.suppress(OSError):  # a worker that died is noticed by its sentinel
            self.connection.send(org)

    def stop(self) -> None:
        """Terminate the process now and wait for it (killed if it does not stop in 5 s)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def _run_workers(
    orgs: Sequence[Organisation], job: _Job, jobs: int, report: Callable[[Outcome], None]
) -> list[Organisation]:
    """Build ``orgs`` in ``jobs`` worker processes, one edition at a time each; return the
    organisations whose worker died while building them.

    Each worker has a pipe of its own (no lock shared between processes, which a killed worker
    could leave held), and the parent waits on the pipes and on the processes' sentinels at once.
    A worker that dies is replaced while editions remain.
    """
    queue = list(orgs)
    killed: list[Organisation] = []
    workers: list[_Worker] = []

    def next_for(worker: _Worker) -> None:
        worker.give(queue.pop(0) if queue else None)

    try:
        for _ in range(min(jobs, len(queue))):
            workers.append(_Worker.start(job))
            next_for(workers[-1])
        while busy := [w for w in workers if w.org is not None]:
            ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                org = worker.org
                assert org is not None
                outcome: Outcome | None = None
                if worker.connection in ready:
                    try:
                        outcome = worker.connection.recv()
                    except (EOFError, OSError):
                        outcome = None  # its pipe closed with nothing in it: it died
                if outcome is not None:
                    report(outcome)
                    next_for(worker)
                elif worker.connection in ready or worker.process.sentinel in ready:
                    killed.append(org)
                    worker.org = None
                    worker.stop()
                    workers.remove(worker)
                    if queue:
                        workers.append(_Worker.start(job))
                        next_for(workers[-1])
        for worker in workers:
            worker.process.join(5)
    finally:
        for worker in workers:
            worker.stop()
    return killed


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt in the parent, so that the batch cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _book(request: BatchRequest, sources: BookSources, out: Path) -> dict[str, str]:
    """The book's part of the manifest: its chapters, templates and ``_quarto.yml``, and in a
    project of one's own every other file a chapter may read (the freeze's, see
    :func:`hi_reports.pipeline.book_inputs`), so that new data rebuild the editions."""
    digest = book_digest(sources.root)
    if request.book:
        digest.update(book_inputs(sources.root, out))
    return dict(sorted(digest.items()))


def plan_batch(
    request: BatchRequest,
    out: Path,
    reference: Reference,
    activity: Callable[[Organisation], str | None] | None = None,
) -> BatchPlan:
    """Work out what a batch will build: which organisations, with which inputs, and which of
    their editions in ``out`` are current already (their manifest matches) and are left alone.

    Raises
    ------
    HIReportsError
        For what concerns the whole batch: an unknown kind, a code of ``request.codes`` that
        names no organisation of the kind, unusable activity data, missing data files, missing
        book sources or engine.
    """
    sources = book_sources(Path(request.book) if request.book else None)
    engine = engine_name(request.engine)
    orgs, unknown = select(reference, request.kind, request.codes)
    if unknown:  # a mistyped code is the user's to fix before anything is built
        code, error = unknown[0]
        more = [other for other, _ in unknown[1:]]
        also = f" (and {len(more)} more: {', '.join(more)})" if more else ""
        hint = error.hint
        if error.option == "kind":  # a code of another kind: "leave the kind out" is no help
            hint = (
                f"a batch builds one kind of organisation, {request.kind} here (--kind, icb by "
                f"default): build {code} apart, with its own kind"
            )
        raise GeographyError(
            f"{error.message}{also}; nothing was built", hint, option=error.option or "org"
        )
    outcomes: list[Outcome] = []
    prepared: tuple[PreparedActivity, ...] = ()
    if request.activity:
        from hi_reports.pipeline import activity_digest, prepare_activity, unsafe_specs

        specs = unsafe_specs(request.activity, request.unsafe_counts)
        prepared = prepare_activity(specs, reference, request.kind)
        if activity is None:
            activity = functools.partial(activity_digest, prepared, reference=reference)
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
        data=data_inputs(
            reference, request.kind, activity_files=any(not p.synthetic for p in prepared)
        ),
        book=_book(request, sources, out),
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
    return BatchPlan(
        request=request,
        out=out,
        reference=reference,
        todo=todo,
        outcomes=outcomes,
        inputs=inputs,
        activity=digests,
        prepared=prepared,
        engine=engine,
        sources=sources,
        codes=[org.code for org in orgs],
    )


def run_batch(plan: BatchPlan, report: Callable[[Outcome], None]) -> dict[str, float]:
    """Build the editions ``plan`` has to build, calling ``report`` with each outcome as soon as
    it is known; return the seconds spent on the shared profiles and on the editions.

    With one job the editions are built in this process, each rendered while the next is computed
    (:func:`_build_in_turn`); otherwise in worker processes. An
    edition whose worker dies is tried again alone, and reported failed if it kills that one too.
    Whatever happens (an error, Ctrl-C, SIGTERM), no staging folder is left in ``plan.out``.
    """
    if not plan.todo:
        return {}
    from hi_reports.pipeline import shared_profiles  # as _build_one's: only when there is work

    timings = {}
    mark = time.perf_counter()
    job = _Job(
        plan,
        shared_profiles(plan.reference, plan.request.kind),
        plan.request.date or dt.date.today(),
    )
    timings["profiles"] = time.perf_counter() - mark
    jobs = max(1, min(plan.request.jobs or os.cpu_count() or 1, len(plan.todo)))
    mark = time.perf_counter()
    try:
        with _sigterm_interrupts():
            if jobs == 1:
                _build_in_turn(job, plan.todo, report)
            else:
                for org in _run_workers(plan.todo, job, jobs, report):
                    clean_staging(plan.out, [org.code])
                    again = _run_workers([org], job, 1, report)
                    if again:
                        report(Outcome(org.code, org.name, "failed", 0.0, KILLED))
    finally:
        clean_staging(plan.out, plan.codes)
    timings["editions"] = time.perf_counter() - mark
    return timings


def finish_batch(
    plan: BatchPlan, outcomes: list[Outcome], started: float, timings: dict[str, float]
) -> BatchResult:
    """Write the index of every edition in ``plan.out`` and put the outcomes in the order of the
    kind."""
    mark = time.perf_counter()
    index = write_index(plan.out, plan.sources, [o.code for o in outcomes if o.status == "failed"])
    timings["index"] = time.perf_counter() - mark
    order = {code: i for i, code in enumerate(plan.codes)}
    outcomes = sorted(outcomes, key=lambda o: order.get(o.code, len(order)))
    return BatchResult(outcomes, plan.out, index, time.perf_counter() - started, timings)


def build_batch(
    request: BatchRequest,
    reference: Reference | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[Outcome], None] | None = None,
    activity: Callable[[Organisation], str | None] | None = None,
    on_plan: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Build the edition of every organisation of a kind (or of ``request.codes``): plan, run,
    finish (:func:`plan_batch`, :func:`run_batch`, :func:`finish_batch`).

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
        :func:`hi_reports.pipeline.activity_digest`). It becomes the manifest's ``activity``
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
    started = time.perf_counter()
    check_kind(request.kind)
    if reference is None:
        reference = load_reference(data_dir, request.vintage)
    timings = {"reference": time.perf_counter() - started}
    # Planned before the editions folder is made: unusable activity data or a missing data file
    # leave nothing behind. (An edition another batch finishes meanwhile is built again: harmless.)
    plan = plan_batch(
        request, Path(os.path.abspath(Path(request.out).expanduser())), reference, activity
    )
    timings["plan"] = time.perf_counter() - started - timings["reference"]
    out = editions_folder(request.out)
    with locked(out):  # a second batch into `out` waits: it cleans staging folders
        clean_staging(out, plan.codes)
        outcomes = list(plan.outcomes)
        if on_plan:
            on_plan(len(plan.todo), len(plan.todo) + len(plan.outcomes))
        if progress:
            for outcome in outcomes:
                progress(outcome)

        def report(outcome: Outcome) -> None:
            outcomes.append(outcome)
            if progress:
                progress(outcome)

        timings.update(run_batch(plan, report))
        return finish_batch(plan, outcomes, started, timings)
