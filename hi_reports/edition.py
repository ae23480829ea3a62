"""Build one organisation's edition: data -> geography -> indicators -> book -> render.

An edition is built in a temporary folder beside its destination and moved into place whole, so a
failure leaves nothing half-written under ``--out``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from hi_reports import __version__
from hi_reports.book.project import BookSources, write_project
from hi_reports.data import CATALOGUE, Reference, load_reference
from hi_reports.formatting import long_date
from hi_reports.geography import Organisation, membership, organisations, resolve
from hi_reports.indicators.chapters import (
    Subject,
    imd_figures,
    overview_figures,
    rural_figures,
    variation_figures,
)
from hi_reports.indicators.charts import draw_charts, draw_variation_charts
from hi_reports.indicators.profiles import Profiles, compute_profiles
from hi_reports.render import render

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class EditionRequest:
    """What to build.

    Attributes
    ----------
    org
        An ODS or ONS code, any case (``QHL``, ``e54000055``).
    out
        The editions folder; the edition goes to ``out/<ODS code>/``.
    kind
        Restrict the code to one kind of organisation (``icb``).
    formats
        Any of ``html``, ``pdf``, ``docx``.
    engine
        ``builtin``, ``quarto``, or None to choose (Quarto when it is installed).
    book
        The book sources (``_quarto.yml``, ``chapters/``, ``templates/``); the shipped ones by default.
    date
        The edition's date; today by default.
    """

    org: str
    out: Path
    kind: str | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    engine: str | None = None
    book: Path | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Edition:
    """A built edition and its files."""

    org: Organisation
    folder: Path
    project: Path
    annex: Path
    outputs: dict[str, Path] = field(default_factory=dict)


def kind_profiles(reference: Reference, kind: str) -> Profiles:
    """Profiles of every organisation of ``kind``, with England and (for other kinds) the ICBs."""
    extra = None if kind == "icb" else membership(reference, "icb")
    return compute_profiles(reference, membership(reference, kind), extra)


def chapter_context(
    org: Organisation, reference: Reference, profiles: Profiles, date: dt.date, figures_dir: Path
) -> dict[str, Any]:
    """Compute every value the chapters use for ``org``, drawing its charts into ``figures_dir``.

    Parameters
    ----------
    org
        The organisation.
    reference
        The reference data.
    profiles
        Profiles of every organisation of ``org.kind`` (see :func:`kind_profiles`).
    date
        The edition's date.
    figures_dir
        Where the charts go (the project's ``figures/``).
    """
    names = {o.key: o for o in organisations(reference, org.kind)}
    icbs = {o.key: o for o in organisations(reference, "icb")}
    names.update(icbs)
    parent = icbs[org.parents[0]] if org.parents else None
    subject = Subject(org, profiles, parent)
    imd = imd_figures(subject)
    rural = rural_figures(subject)
    overview = overview_figures(subject, reference.lsoas, membership(reference, org.kind), names)
    charts = draw_charts(org.short_name, imd, rural, figures_dir)
    variation = None
    if org.kind == "england":
        variation = variation_figures(kind_profiles(reference, "icb"), icbs)
        charts.update(draw_variation_charts(variation, figures_dir))
    sources = [
        {
            "title": s.title, "publisher": s.publisher, "vintage": s.vintage, "licence": s.licence,
            "url": s.url, "file": Path(s.path).name, "sha256": s.sha256,
        }
        for name, s in reference.sources.items()
        if CATALOGUE[name].core or org.kind == "trust"
    ]
    return {
        "org": org,
        "parent": parent,
        "is_england": org.kind == "england",
        "variation": variation,
        "edition": {
            "date": date.isoformat(),
            "date_text": long_date(date),
            "version": __version__,
            "sources": sources,
        },
        "overview": overview,
        "imd": imd,
        "rural": rural,
        "charts": charts,
    }


def build_edition(
    request: EditionRequest,
    reference: Reference | None = None,
    profiles: Profiles | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Edition:
    """Build one edition and move it into ``request.out / <code>``.

    Parameters
    ----------
    request
        What to build.
    reference, profiles
        Already loaded reference data and profiles (a batch computes them once); loaded from
        ``data_dir`` when None.
    data_dir
        The data folder (see :func:`hi_reports.data.data_dir`).
    """
    reference = reference if reference is not None else load_reference(data_dir)
    org = resolve(reference, request.org, request.kind)
    if profiles is None:
        profiles = kind_profiles(reference, org.kind)
    sources = BookSources(request.book) if request.book else BookSources()
    sources.check()
    date = request.date or dt.date.today()

    out = Path(request.out)
    created_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{org.code}-", dir=out))
    try:
        project = staging / "project"
        context = chapter_context(org, reference, profiles, date, project / "figures")
        annex = write_project(
            project,
            context,
            title="Health Inequalities Book",
            subtitle=f"{org.name}: {'public' if org.kind == 'england' else 'local'} edition",
            date=date.isoformat(),
            sources=sources,
        )
        annex.insert(0, "organisation", org.code)
        annex.to_csv(staging / "annex.csv", index=False)
        result = render(project, staging, formats=request.formats, engine=request.engine, basename=org.code)
        final = out / org.code
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_out and not any(out.iterdir()):
            out.rmdir()
        raise
    outputs = {
        fmt: final / Path(path).relative_to(staging)
        for fmt, path in result.outputs.items()
    }
    return Edition(org=org, folder=final, project=final / "project", annex=final / "annex.csv", outputs=outputs)
