"""Build one organisation's edition: its chapter context (data, geography, indicators, drawing),
then its literate chapters, then the book project, then the renderer.

An edition is built in a temporary folder beside its destination and moved into place whole, so a
failure leaves nothing half-written in the editions folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hi_reports.book.notebook import NotebookSpec, write_notebook
from hi_reports.book.project import write_project
from hi_reports.data import Reference, load_reference
from hi_reports.errors import DataError
from hi_reports.folders import (
    check_replaceable,
    created_folders,
    editions_folder,
    locked,
    make_staging,
    mark_edition,
    remove_if_empty,
    replace_edition,
)
from hi_reports.geography import Organisation, resolve
from hi_reports.indicators.disclosure import UNSAFE_MARK
from hi_reports.indicators.profiles import Profiles
from hi_reports.phrases import book_title, subtitle
from hi_reports.pipeline.activity import (
    PreparedActivity,
    prepare_activity,
    spec_arguments,
    unsafe_specs,
)
from hi_reports.pipeline.chapters import literate
from hi_reports.pipeline.context import chapter_context, kind_profiles
from hi_reports.pipeline.kind import book_sources, engine_name
from hi_reports.pipeline.request import EditionRequest
from hi_reports.render import render
from hi_reports.render.typst_child import TYPST


@dataclass(frozen=True)
class BuiltEdition:
    """A built edition and its files."""

    org: Organisation
    folder: Path
    project: Path
    annex: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    activity: tuple[PreparedActivity, ...] = ()
    #: An earlier edition of the organisation was in :attr:`folder` and was replaced.
    replaced: bool = False


def warm_up() -> None:
    """Ready this process to build editions (a batch worker, before its first): start its Typst
    child now, so that the child starts while this process computes, and import matplotlib,
    which the charts and maps import on use."""
    TYPST.start()
    import matplotlib  # imported for its cost, once per process

    matplotlib.use("Agg")
    import matplotlib.backends.backend_agg
    import matplotlib.figure


def build_edition(
    request: EditionRequest,
    reference: Reference | None = None,
    profiles: Profiles | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    activity: Sequence[PreparedActivity] | None = None,
) -> BuiltEdition:
    """Build one edition and move it into ``request.out / <code>``: :func:`stage_edition`, then
    :meth:`StagedEdition.finish`. The parameters are :func:`stage_edition`'s."""
    return stage_edition(request, reference, profiles, data_dir, activity).finish()


@dataclass
class StagedEdition:
    """An edition computed and written as a book project in its staging folder, holding the
    editions folder's lock: what is left is to render it and move it into place (:meth:`finish`).

    :meth:`finish` may run in another thread than the one that staged the edition (a batch renders
    one edition while it computes the next): every path here is absolute, and rendering changes
    no state of the process (its working directory, its standard streams) that the next edition's
    chapters use.
    """

    request: EditionRequest
    org: Organisation
    activity: tuple[PreparedActivity, ...]
    staging: Path
    final: Path
    #: The folders the build created for the editions folder, removed again if it fails.
    created: list[Path]
    #: Releases the editions folder's lock.
    lock: contextlib.ExitStack

    def finish(self) -> BuiltEdition:
        """Render the edition, then move it into place (replacing an older one) and release the
        lock. On any error the staging folder is removed and nothing else is changed."""
        try:
            try:
                result = render(
                    self.staging / "project",
                    self.staging,
                    formats=self.request.formats,
                    engine=self.request.engine,
                    basename=self.org.code,
                )
                mark_edition(self.staging, self.org.code)
                replaced = self.final.exists()
                replace_edition(self.staging, self.final)  # checks again: something may be there
            except BaseException:
                shutil.rmtree(self.staging, ignore_errors=True)
                raise
            finally:
                self.lock.close()
        except BaseException:
            remove_if_empty(self.created)
            raise
        outputs = {  # the renderer resolves its paths: compare resolved (the --out may be a link)
            fmt: self.final / Path(path).resolve().relative_to(self.staging.resolve())
            for fmt, path in result.outputs.items()
        }
        return BuiltEdition(
            org=self.org,
            folder=self.final,
            project=self.final / "project",
            annex=self.final / "annex.csv",
            outputs=outputs,
            activity=self.activity,
            replaced=replaced,
        )


def stage_edition(
    request: EditionRequest,
    reference: Reference | None = None,
    profiles: Profiles | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    activity: Sequence[PreparedActivity] | None = None,
) -> StagedEdition:
    """Compute one edition and write its book project into a staging folder beside
    ``request.out / <code>``, ready to render.

    Parameters
    ----------
    request
        What to build.
    reference, profiles
        Already loaded reference data and profiles (a batch computes them once); loaded from
        ``data_dir`` when None.
    data_dir
        The data folder (see :func:`hi_reports.data.data_dir`).
    activity
        The request's activity measures already prepared for its kind (a batch prepares them once);
        prepared here when None.
    """
    engine_name(request.engine)  # an unknown or missing engine is said before any work
    reference = reference if reference is not None else load_reference(data_dir, request.vintage)
    if reference.vintage.name != str(request.vintage):
        raise DataError(
            f"the reference data given are of vintage {reference.vintage.name}, the edition asked "
            f"for is of vintage {request.vintage}",
            hint="load the reference data of the edition's vintage",
            option="vintage",
        )
    org = resolve(reference, request.org, request.kind)
    if profiles is None:
        profiles = kind_profiles(reference, org.kind)
    if activity is None:
        activity = prepare_activity(
            unsafe_specs(request.activity, request.unsafe_counts), reference, org.kind
        )
    unsafe = any(not p.disclosure.safe for p in activity)
    sources = book_sources(request.book)
    date = request.date or dt.date.today()

    created = created_folders(request.out)
    out = editions_folder(request.out)  # absolute
    final = out / org.code
    check_replaceable(final)
    lock = contextlib.ExitStack()
    try:
        lock.enter_context(locked(out))
        staging = make_staging(out, org.code)
        try:
            project = staging / "project"
            context = chapter_context(
                org,
                reference,
                profiles,
                date=date,
                figures_dir=project / "figures",
                activity=activity,
                audience=request.audience,
            )
            annex = write_project(
                project,
                title=book_title(UNSAFE_MARK if unsafe else ""),
                subtitle=subtitle(
                    org, request.audience, synthetic=any(p.synthetic for p in activity)
                ),
                date=date.isoformat(),
                sources=sources,
                cover_note=context.about.coverage,
                front=request.front,
                weave=literate(
                    org,
                    reference,
                    context,
                    project / "figures",
                    echo=request.audience == "analyst",
                    # a project of one's own may keep data anywhere in it; the shipped
                    # book's top is, in a checkout, the repository's
                    book=sources.root if request.book else sources.chapters,
                    outputs=out,
                    force=request.force,
                ),
            )
            annex.insert(0, "organisation", org.code)
            if unsafe:
                annex["marking"] = UNSAFE_MARK
            annex.to_csv(staging / "annex.csv", index=False)
            write_notebook(
                staging,
                NotebookSpec(
                    org_code=org.code,
                    org_name=org.name,
                    kind=org.kind,
                    vintage=reference.vintage.name,
                    date=date.isoformat(),
                    activity=tuple(spec_arguments(p.spec) for p in activity),
                    mark=UNSAFE_MARK if unsafe else "",
                ),
            )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except BaseException:
        lock.close()
        remove_if_empty(created)
        raise
    return StagedEdition(request, org, tuple(activity), staging, final, created, lock)
