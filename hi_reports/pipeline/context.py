"""The chapter context: every figure the chapters of one edition read, computed from the
reference data and the profiles of its kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from hi_reports import __version__
from hi_reports.api import About, Boundaries, ChapterContext, SourceRow
from hi_reports.data import ETHNIC_GROUPS, Reference, ethnic_groups
from hi_reports.data.reference import edition_sources, other_vintage
from hi_reports.data.vintage import NOT_COMPARABLE
from hi_reports.draw.charts import draw_charts, draw_variation_charts
from hi_reports.draw.maps import attribution, england_maps, organisation_maps
from hi_reports.draw.pluschart import draw_plus_chart
from hi_reports.draw.plusmap import plus_map
from hi_reports.errors import GeographyError
from hi_reports.formatting import long_date
from hi_reports.geography import Organisation, membership, organisations, resolve
from hi_reports.geography.boundaries import lsoa_shapes
from hi_reports.indicators.chapters import (
    Subject,
    VintageFigures,
    imd_figures,
    overview_figures,
    rural_figures,
    variation_figures,
    vintage_figures,
)
from hi_reports.indicators.plus import PlusFigures, plus_figures
from hi_reports.indicators.profiles import Profiles, compute_profiles, core20_share
from hi_reports.phrases import coverage
from hi_reports.pipeline.activity import PreparedActivity, activity_context


def kind_profiles(reference: Reference, kind: str) -> Profiles:
    """Profiles of every organisation of ``kind``, with England and (for other kinds) the ICBs,
    their census residents by ethnic group among them."""
    extra = None if kind == "icb" else membership(reference, "icb")
    ethnicity = ethnic_groups(reference).residents
    return compute_profiles(reference, membership(reference, kind), extra, ethnicity=ethnicity)


def chapter_context(
    org: Organisation,
    reference: Reference,
    profiles: Profiles,
    *,
    date: dt.date,
    figures_dir: Path,
    activity: Sequence[PreparedActivity] = (),
    audience: str = "board",
) -> ChapterContext:
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
    activity
        Activity measures prepared for ``org.kind`` (see :func:`prepare_activity`).
    audience
        ``board`` or ``analyst`` (the chapters show their code and how to do it yourself).
    """
    names = {o.key: o for o in organisations(reference, org.kind)}
    icbs = {o.key: o for o in organisations(reference, "icb")}
    names.update(icbs)
    parent = icbs[org.parents[0]] if org.parents else None
    if org.kind == "trust":  # specialist trusts are compared with each other, acute ones likewise
        peers = tuple(p for p in profiles.peers if names[p].specialist == org.specialist)
        profiles = dataclasses.replace(profiles, peers=peers)
    subject = Subject(org, profiles, parent)
    imd = imd_figures(subject)
    rural = rural_figures(subject)
    overview = overview_figures(subject, reference.lsoas, membership(reference, org.kind), names)
    charts = draw_charts(org, imd, rural, figures_dir, vintage=reference.vintage)
    shapes = lsoa_shapes(reference)
    variation = None
    if org.kind == "england":
        variation = variation_figures(kind_profiles(reference, "icb"), icbs)
        drawn = draw_variation_charts(variation, figures_dir)
        charts = dataclasses.replace(
            charts,
            variation_core20=drawn.variation_core20,
            variation_rural=drawn.variation_rural,
        )
        maps = england_maps(reference, shapes, variation, icbs, figures_dir)
    else:
        maps = organisation_maps(
            org, reference, shapes, membership(reference, org.kind), figures_dir
        )
    plus = _plus(subject, reference)
    charts = dataclasses.replace(
        charts,
        plus_quintiles=draw_plus_chart(
            plus, figures_dir, vintage=reference.vintage, source=_census_source(reference)
        ),
    )
    if org.kind != "england":
        maps = dataclasses.replace(
            maps,
            plus=plus_map(
                org,
                reference,
                shapes,
                residents=ethnic_groups(reference).residents,
                weights=membership(reference, org.kind),
                folder=figures_dir,
                source=_census_source(reference),
            ),
        )
    files = any(not prepared.synthetic for prepared in activity)
    used = list(edition_sources(reference, org.kind, activity_files=files, maps=True).values())
    vintages = _vintages(subject, reference)
    other = other_vintage(reference) if vintages is not None else None
    if other is not None:  # the box comparing the two vintages reads the other one's files too
        datasets = dict.fromkeys(
            other.vintage.datasets[role] for role in ("imd", "population", "lookup")
        )
        used += [other.sources[name] for name in datasets if name in other.sources]
    sources = tuple(
        SourceRow(
            title=s.title,
            publisher=s.publisher,
            vintage=s.vintage,
            licence=s.licence,
            url=s.url,
            file=Path(s.path).name,
            sha256=s.sha256,
        )
        for s in used
    )
    return ChapterContext(
        org=org,
        parent=parent,
        imd=imd,
        rural=rural,
        overview=overview,
        variation=variation,
        activity=tuple(
            activity_context(org, prepared, figures_dir, reference, shapes) for prepared in activity
        ),
        charts=charts,
        maps=maps,
        vintages=vintages,
        plus=plus,
        about=About(
            date=date.isoformat(),
            date_text=long_date(date),
            version=__version__,
            sources=sources,
            coverage=coverage(org, reference),
        ),
        boundaries=Boundaries(attribution=attribution(shapes), year=shapes.year),
        audience=audience,
        unsafe_mark=next((p.disclosure.mark for p in activity if not p.disclosure.safe), ""),
    )


def _census_source(reference: Reference) -> str:
    """How the PLUS chapter's numbers cite their data: the census table (carried by the LSOA
    lookup on 2011 LSOAs) and the IMD."""
    census = "; ".join(s.title for s in ethnic_groups(reference).sources)
    return f"{census}; {reference.vintage.sources.imd}"


def _plus(subject: Subject, reference: Reference) -> PlusFigures:
    """The PLUS chapter's figures: each broad ethnic group's residents by national IMD quintile."""
    ethnicity = ethnic_groups(reference)
    table = subject.profiles.ethnicity
    if table is None:  # profiles made by compute_profiles alone, without the census
        table = kind_profiles(reference, subject.org.kind).ethnicity
    assert table is not None  # kind_profiles always profiles the census
    return plus_figures(
        subject.org,
        table,
        groups=ETHNIC_GROUPS,
        parent=subject.parent,
        source=subject.source(_census_source(reference)),
        shared=ethnicity.shared,
        shared_source="; ".join(s.title for s in ethnicity.sources),
    )


def _vintages(subject: Subject, reference: Reference) -> VintageFigures | None:
    """The Core20 share in both vintages, where the data folder holds both and the organisation
    exists in both; None otherwise."""
    other = other_vintage(reference)
    org = subject.org
    if other is None or org.kind in ("england", "trust"):
        return None
    try:
        twin = resolve(other, org.code, org.kind)
    except GeographyError:
        return None
    share = core20_share(other, membership(other, org.kind), twin.key)
    return vintage_figures(subject, other.vintage, share, note=NOT_COMPARABLE)
