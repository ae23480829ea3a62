"""Build one organisation's edition: data -> geography -> indicators -> book -> render.

An edition is built in a temporary folder beside its destination and moved into place whole, so a
failure leaves nothing half-written under ``--out``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hi_reports import __version__, api, formatting
from hi_reports.book.annex import Annex
from hi_reports.book.notebook import NotebookSpec, write_notebook
from hi_reports.book.project import BookSources, write_project
from hi_reports.data import DEFAULT_VINTAGE, Reference, load_reference
from hi_reports.data.activity import ActivitySummary, read_activity
from hi_reports.data.demo import SYNTHETIC_LABEL, demo_activity
from hi_reports.data.loaders import cache_dir
from hi_reports.data.reference import other_vintage
from hi_reports.data.vintage import NOT_COMPARABLE
from hi_reports.draw.charts import draw_activity_charts, draw_charts, draw_variation_charts
from hi_reports.draw.maps import activity_map, attribution, england_maps, organisation_maps
from hi_reports.errors import DataError, GeographyError
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
from hi_reports.formatting import in_sentence, long_date
from hi_reports.formatting import slug as _slug
from hi_reports.geography import Organisation, membership, organisations, resolve
from hi_reports.geography.boundaries import Shapes, lsoa_shapes
from hi_reports.indicators.activity import ActivityResults, activity_figures, activity_indicators
from hi_reports.indicators.chapters import (
    Subject,
    imd_figures,
    overview_figures,
    rural_figures,
    variation_figures,
    vintage_figures,
)
from hi_reports.indicators.disclosure import SAFE, UNSAFE, UNSAFE_MARK, Disclosure
from hi_reports.indicators.measure import Measure
from hi_reports.indicators.profiles import ENGLAND, Profiles, compute_profiles, core20_share
from hi_reports.literate.cells import parse
from hi_reports.literate.freeze import Freezer, Frozen, freeze_key
from hi_reports.literate.weave import Weaver
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
    activity
        The organisation's own activity measures.
    vintage
        The reference data's vintage: ``2019`` (IMD 2019, LSOA 2011) or ``2025`` (IMD 2025, LSOA 2021).
    unsafe_counts
        Print the true activity counts, unsuppressed and unrounded, and every figure from them: for
        internal use only; every page and file is marked "UNSAFE COUNTS: NOT FOR PUBLICATION".
    audience
        ``board`` (the default: no code) or ``analyst``: the chapters' code cells are shown, and
        each chapter has a box on doing the same with one's own data. Same cells, same numbers.
    front
        The board paper's front matter (:class:`hi_reports.front.Front`: classification,
        version, author, contact, purpose, logo as an absolute path), over the book's own ``front:``
        key by key; None for the book's own.
    """

    org: str
    out: Path
    kind: str | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    engine: str | None = None
    book: Path | None = None
    date: dt.date | None = None
    activity: tuple[ActivitySpec, ...] = ()
    vintage: str = DEFAULT_VINTAGE
    unsafe_counts: bool = False
    audience: str = "board"
    front: Any = None


@dataclass(frozen=True)
class ActivitySpec:
    """One measure of the organisation's own activity to add to an edition.

    Attributes
    ----------
    measure
        What the events are, e.g. ``"Emergency admissions"``.
    path
        The CSV or Parquet file; None for synthetic demonstration data.
    columns
        Our column names to the file's (``{"lsoa_code": "LSOA11"}``), or the ``--columns`` text.
    period
        Keep only events in this period (``"2023-24"``, ``"2023"``).
    demo
        Generate deterministic synthetic activity with a known gradient instead of reading a file.
    unsafe_counts
        Keep the true counts (no suppression or rounding): internal use only, marked on every output.
    """

    measure: str
    path: Path | None = None
    columns: dict[str, str] | str | None = None
    period: str | None = None
    demo: bool = False
    unsafe_counts: bool = False


def unsafe_specs(specs: Sequence[ActivitySpec], unsafe: bool) -> tuple[ActivitySpec, ...]:
    """``specs``, each asking for true counts when ``unsafe`` (``--unsafe-counts``); as they are otherwise."""
    return tuple(dataclasses.replace(s, unsafe_counts=True) if unsafe else s for s in specs)


@dataclass(frozen=True)
class PreparedActivity:
    """A measure read, validated and computed for every organisation of a kind."""

    spec: ActivitySpec
    results: ActivityResults
    summary: ActivitySummary | None
    sha256: str | None
    #: Events by LSOA over the period (for the map of rates by neighbourhood), and its years.
    lsoa_events: pd.Series | None = None
    years: float = 1.0

    @property
    def synthetic(self) -> bool:
        """True for demonstration data, which every output must label as such."""
        return self.spec.demo

    @property
    def disclosure(self) -> Disclosure:
        """The disclosure rule of every figure of this measure."""
        return self.results.disclosure


#: The longest measure name: it titles sections, charts and tables.
MEASURE_MAX = 120


def _describe(spec: ActivitySpec) -> str:
    """Where a measure comes from, in words: its file, or the synthetic data."""
    return "the synthetic --demo-activity data" if spec.demo else f"file {spec.path}"


def check_activity_specs(specs: Sequence[ActivitySpec]) -> None:
    """Check the measures before anything is read: each name a line of text of at most
    :data:`MEASURE_MAX` characters with a letter or digit, no two with the same slug (they
    would share charts, maps and annex rows); each file present, of a known format, with a
    valid period and column mapping.

    Parameters
    ----------
    specs
        The activity measures of an edition or batch.

    Raises
    ------
    DataError
        One line naming the measure (and both measures and their files for a clash) or the file.
    """
    seen: dict[str, ActivitySpec] = {}
    for spec in specs:
        name = spec.measure
        if not isinstance(name, str) or not name.strip():
            raise DataError(
                f"activity measure of {_describe(spec)}: the name is empty",
                hint='give it one, e.g. --measure "Emergency admissions"',
            )
        shown = name if len(name) <= 60 else f"{name[:57]}..."
        if len(name) > MEASURE_MAX:
            raise DataError(
                f"activity measure {shown!r} of {_describe(spec)}: the name has {len(name)} characters, "
                f"more than {MEASURE_MAX}",
                hint="it titles sections, charts and tables: give a shorter --measure",
            )
        if any(unicodedata.category(c).startswith("C") for c in name):  # control, format, ...
            raise DataError(
                f"activity measure {shown!r} of {_describe(spec)}: the name holds a line break or "
                "control character",
                hint="give the name on one line",
            )
        key = _slug(name)
        if not key:
            raise DataError(
                f"activity measure {shown!r} of {_describe(spec)}: the name has no letter or digit",
                hint='e.g. --measure "Emergency admissions"',
            )
        if key in seen:
            other = seen[key]
            raise DataError(
                f"activity measures {other.measure!r} ({_describe(other)}) and {name!r} ({_describe(spec)}) "
                f"have the same key {key!r}: their charts, maps and annex rows would overwrite each other",
                hint="give each measure a different name",
            )
        seen[key] = spec
        if not spec.demo:
            _check_file(spec)


def _check_file(spec: ActivitySpec) -> None:
    """The checks of a measure's file, period and columns that need no reading."""
    from hi_reports.data.activity import activity_source, column_mapping, parse_period

    if spec.path is None or not Path(spec.path).is_file():
        state = (
            "is a folder, not a file"
            if spec.path is not None and Path(spec.path).is_dir()
            else "does not exist"
        )
        raise DataError(
            f"activity file {spec.path} for {spec.measure!r} {state}",
            hint="give the path of a CSV or Parquet file with --activity",
            path=spec.path,
        )
    activity_source(Path(spec.path))  # an unknown format
    parse_period(spec.period)
    column_mapping(spec.columns)


def prepare_activity(
    specs: Sequence[ActivitySpec], reference: Reference, kind: str
) -> tuple[PreparedActivity, ...]:
    """Read each activity measure once and compute its indicators for every organisation of ``kind``.

    Raises
    ------
    DataError
        When a file is missing, unreadable, lacks a required column or has no usable rows, when
        two measures share a name (see :func:`check_activity_specs`), or when the reference data's
        vintage has no population by single year of age (needed for age-standardised rates).
    """
    check_activity_specs(specs)
    if specs and not reference.vintage.single_year_ages:
        raise DataError(
            f"activity data need residents by single year of age; vintage {reference.vintage.name} has "
            f"{reference.vintage.sources.population} only",
            hint="add activity data to editions of --vintage 2019",
        )
    prepared = []
    for spec in specs:
        if spec.demo:
            counts, summary, sha, years = demo_activity(reference, calibrate=True), None, None, 1.0
        else:
            try:
                lookup = reference.load_extra("lsoa11_lsoa21_lookup")
            except DataError:
                lookup = None  # LSOA 2021 codes are then excluded and counted, not mapped
            activity = read_activity(
                spec.path,
                columns=spec.columns,
                period=spec.period,
                lsoa21_lookup=lookup,
                lsoa11_codes=reference.lsoas.index,
            )
            counts, summary, sha = activity.counts, activity.summary, activity.sha256
            years = activity.period.years if activity.period else 1.0
        rule = UNSAFE if spec.unsafe_counts else SAFE
        results = activity_indicators(
            counts, reference, membership(reference, kind), years=years, disclosure=rule
        )
        events = counts.groupby("lsoa_code")["count"].sum()
        prepared.append(PreparedActivity(spec, results, summary, sha, events, years))
    return tuple(prepared)


def activity_digest(
    prepared: Sequence[PreparedActivity], org: Organisation, reference: Reference | None = None
) -> str | None:
    """A digest of everything about the activity that ``org``'s edition prints or stores.

    That is, for each measure: how it was asked for (name, file name, columns, period, synthetic
    or not, the disclosure rule), as the notebook stores it; the organisation's own figures and
    England's rates, each as the chapters print them after disclosure control (rates to one
    decimal, the relative index to two); the data-quality table (rows and events read, used and
    excluded per reason) and the events outside the organisation as the methods appendix prints
    them; and, given the reference data, the published (suppressed and rounded) events of each
    LSOA, from which its map of rates is drawn. A change to the file, excluded rows included,
    rebuilds exactly the editions whose printed or stored figures it changes. Only published
    figures enter, so a manifest gives no count away.
    """
    if not prepared:
        return None
    digest = hashlib.sha256()
    for item in prepared:
        digest.update(json.dumps(_spec_arguments(item.spec), sort_keys=True, default=str).encode())
        digest.update(f"|{item.synthetic}|{item.disclosure}|".encode())
        for key, units in ((org.key, ("count", "number", "share")), (ENGLAND, ("number",))):
            for measure in measures(
                activity_figures(item.results, key, in_sentence(item.spec.measure))
            ):
                if measure.unit in units:
                    digest.update(f"{measure.key}={_printed(measure)};".encode())
        # the methods appendix prints the file's quality table and the count outside the organisation
        for measure in measures(quality_measures(item, org, _slug(item.spec.measure), "")):
            digest.update(f"{measure.key}={_printed(measure)};".encode())
        if reference is not None and item.lsoa_events is not None:
            weights = membership(reference, org.kind)
            codes = weights.loc[
                (weights["org"] == org.key) & (weights["weight"] > 0), reference.lsoas.index.name
            ]
            events = item.lsoa_events.reindex(sorted(codes), fill_value=0)
            published = pd.Series(item.disclosure.publish(events.to_numpy()), index=events.index)
            digest.update(pd.util.hash_pandas_object(published).to_numpy().tobytes())
    return digest.hexdigest()


def _printed(measure: Measure) -> str:
    digits = 2 if measure.key.split(".")[-1].startswith("rii") else 1  # as the chapters print them
    return formatting.by_unit(measure.unit, measure.value, measure.of, digits)


def measures(item: Any) -> list[Measure]:
    """Every :class:`Measure` in ``item`` (a chapter context, or any part of one), depth first."""
    if isinstance(item, Measure):
        return [item]
    if isinstance(item, dict):
        return [m for value in item.values() for m in measures(value)]
    if isinstance(item, (list, tuple)):
        return [m for value in item for m in measures(value)]
    if dataclasses.is_dataclass(item) and not isinstance(item, type):  # e.g. a map and its numbers
        return [m for f in dataclasses.fields(item) for m in measures(getattr(item, f.name))]
    return []


def _spec_arguments(spec: ActivitySpec) -> dict[str, object]:
    """``spec`` as the keyword arguments that make it again; the path is the file's name only.

    No folder is written: on a real system it would name where a patient-level extract lives. The
    notebook looks the file up in its own folder or in ``$HI_REPORTS_ACTIVITY_DIR``.
    """
    arguments: dict[str, object] = {"measure": spec.measure}
    if spec.path is not None:
        arguments["path"] = Path(spec.path).name
    for name in ("columns", "period"):
        if getattr(spec, name) is not None:
            arguments[name] = getattr(spec, name)
    if spec.demo:
        arguments["demo"] = True
    if spec.unsafe_counts:
        arguments["unsafe_counts"] = True
    return arguments


def quality_measures(
    prepared: PreparedActivity, org: Organisation, slug: str, source: str
) -> tuple[list[dict[str, Any]], Measure]:
    """The data-quality table (rows and events read, used, mapped, excluded) and the events of
    residents outside ``org``, each count through the measure's disclosure rule on its own.

    Returns
    -------
    tuple
        The table's rows (``item``, ``rows``, ``events``; empty for synthetic data) and the count
        outside the organisation.
    """
    name = prepared.spec.measure
    rule = prepared.disclosure
    control = (
        f" (rounded to {rule.round_to}; 1-{rule.small_max} suppressed)"
        if rule.safe
        else f" ({rule.mark}: true count)"
    )
    quality: list[dict[str, Any]] = []
    summary = prepared.summary
    if summary is not None:

        def count(key: str, value: float, definition: str) -> Measure:
            return Measure(
                f"activity.{slug}.quality.{key}",
                rule.publish_one(value),
                "count",
                definition + control,
                source,
            )

        quality = [
            {
                "item": "Rows read",
                "rows": count("rows_read", summary.rows_read, "Rows read from the activity file"),
                "events": count(
                    "events_read", summary.events_read, "Events read from the activity file"
                ),
            },
            {
                "item": "Rows used",
                "rows": count("rows_used", summary.rows_used, "Rows used (valid, in England)"),
                "events": count(
                    "events_used", summary.events_used, "Events used (valid, in England)"
                ),
            },
        ]
        if summary.rows_mapped_2021:
            quality.append(
                {
                    "item": "of which mapped from LSOA 2021 codes",
                    "rows": count(
                        "rows_mapped_2021",
                        summary.rows_mapped_2021,
                        "Rows whose LSOA 2021 code was mapped one-to-one to 2011",
                    ),
                    "events": count(
                        "events_mapped_2021",
                        summary.events_mapped_2021,
                        "Events mapped from LSOA 2021 codes",
                    ),
                }
            )
        for e in summary.exclusions:
            if e.rows:
                key = _slug(e.reason)
                quality.append(
                    {
                        "item": f"Excluded: {e.label}",
                        "rows": count(f"excluded.{key}.rows", e.rows, f"Rows excluded: {e.label}"),
                        "events": count(
                            f"excluded.{key}.events", e.events, f"Events excluded: {e.label}"
                        ),
                    }
                )
    local = prepared.results.group(org.key, "all").loc["All", "events"]
    total = prepared.results.group(ENGLAND, "all").loc["All", "events"]
    outside = Measure(
        f"activity.{slug}.outside",
        rule.publish_one(total - local),
        "count",
        f"{name} of residents outside the organisation (kept for England's rates, not in the local rates)"
        + control,
        source,
    )
    return quality, outside


def activity_context(
    org: Organisation,
    prepared: PreparedActivity,
    figures_dir: Path,
    reference: Reference | None = None,
    shapes: Shapes | None = None,
) -> dict[str, Any]:
    """The chapters' values for one activity measure of ``org``: figures, England's, data quality,
    and (given the reference data and LSOA shapes) the map of crude rates by neighbourhood."""
    spec = prepared.spec
    name = spec.measure
    slug = _slug(name)
    source = (
        SYNTHETIC_LABEL
        if prepared.synthetic
        else f"{name}: {Path(spec.path).name if spec.path else ''}"
    )
    figures = activity_figures(prepared.results, org.key, in_sentence(name), source=source)
    england = activity_figures(
        prepared.results,
        ENGLAND,
        in_sentence(name),
        source=source,
        key=None if org.key == ENGLAND else f"activity.{slug}.england",
    )
    rule = prepared.disclosure
    quality, outside = quality_measures(prepared, org, slug, source)
    charts = draw_activity_charts(
        org.short_name, slug, name, figures, england, prepared.synthetic, figures_dir
    )
    rate_map = None
    if reference is not None and shapes is not None and prepared.lsoa_events is not None:
        rate_map = activity_map(
            org,
            reference,
            shapes,
            membership(reference, org.kind),
            prepared.lsoa_events,
            prepared.years,
            slug,
            name,
            prepared.synthetic,
            figures_dir,
            rule,
        )
    return {
        "name": name,
        "lower": in_sentence(name),
        "slug": slug,
        "synthetic": prepared.synthetic,
        "label": SYNTHETIC_LABEL if prepared.synthetic else "",
        "unsafe": not rule.safe,
        "disclosure": rule,
        "period": spec.period or "",
        "figures": figures,
        "england": england,
        "quality": quality,
        "outside": outside,
        "charts": charts,
        "map": rate_map,
    }


@dataclass(frozen=True)
class Edition:
    """A built edition and its files."""

    org: Organisation
    folder: Path
    project: Path
    annex: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    activity: tuple[PreparedActivity, ...] = ()
    #: An earlier edition of the organisation was in :attr:`folder` and was replaced.
    replaced: bool = False


def kind_profiles(reference: Reference, kind: str) -> Profiles:
    """Profiles of every organisation of ``kind``, with England and (for other kinds) the ICBs."""
    extra = None if kind == "icb" else membership(reference, "icb")
    return compute_profiles(reference, membership(reference, kind), extra)


def chapter_context(
    org: Organisation,
    reference: Reference,
    profiles: Profiles,
    date: dt.date,
    figures_dir: Path,
    activity: Sequence[PreparedActivity] = (),
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
    activity
        Activity measures prepared for ``org.kind`` (see :func:`prepare_activity`).
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
    charts = draw_charts(org.short_name, imd, rural, figures_dir, vintage=reference.vintage)
    shapes = lsoa_shapes(reference)
    variation = None
    if org.kind == "england":
        variation = variation_figures(kind_profiles(reference, "icb"), icbs)
        charts.update(draw_variation_charts(variation, figures_dir))
        maps = england_maps(reference, shapes, variation, icbs, figures_dir)
    else:
        maps = organisation_maps(
            org, reference, shapes, membership(reference, org.kind), figures_dir
        )
    used = [
        s
        for name, s in reference.sources.items()
        if name in reference.vintage.datasets.values()
        or org.kind == "trust"
        or name == shapes.dataset
    ]
    vintages = _vintages(subject, reference)
    if vintages is not None:  # the box comparing the two vintages reads the other one's files too
        other = other_vintage(reference)
        names = dict.fromkeys(
            other.vintage.datasets[role] for role in ("imd", "population", "lookup")
        )
        used += [other.sources[name] for name in names if name in other.sources]
    sources = [
        {
            "title": s.title,
            "publisher": s.publisher,
            "vintage": s.vintage,
            "licence": s.licence,
            "url": s.url,
            "file": Path(s.path).name,
            "sha256": s.sha256,
        }
        for s in used
    ]
    return {
        "org": org,
        "parent": parent,
        "is_england": org.kind == "england",
        "audience": "board",
        "activity": [
            activity_context(org, prepared, figures_dir, reference, shapes) for prepared in activity
        ],
        "unsafe_mark": next((p.disclosure.mark for p in activity if not p.disclosure.safe), ""),
        "variation": variation,
        "edition": {
            "date": date.isoformat(),
            "date_text": long_date(date),
            "version": __version__,
            "sources": sources,
            "coverage": coverage(org, reference),
        },
        "overview": overview,
        "imd": imd,
        "rural": rural,
        "charts": charts,
        "vintage": reference.vintage,
        "vintages": vintages,
        "maps": maps,
        "boundaries": {"attribution": attribution(shapes), "year": shapes.year},
    }


def literate(
    org: Organisation,
    reference: Reference,
    context: dict[str, Any],
    figures: Path,
    echo: bool = False,
) -> Callable[[Path, Annex], str]:
    """How the book runs a literate chapter of this edition: its cells see ``org``, ``kind`` and
    ``vintage`` as parameters, and ``hi_reports.edition(org)`` is this edition, its numbers
    recorded in the annex the book gives."""

    weaver = Weaver(
        figures, inline=api.inline_text, echo=echo
    )  # one for the book: labels are the book's
    freezer = Freezer(cache_dir() / "freeze")
    parameters = {"org": org.code, "kind": org.kind, "vintage": reference.vintage.name}
    # Everything a chapter may print is in the context (figures, the date, the sources), so its
    # digest keys the freeze: a new day, a fix to a figure or another data folder re-executes.
    digest = json.dumps(
        [
            __version__,
            echo,
            sorted((n, s.sha256) for n, s in reference.sources.items()),
            hashlib.sha256(repr(context).encode("utf-8")).hexdigest(),
        ]
    )

    def weave(source: Path, annex: Annex) -> str:
        text = source.read_text(encoding="utf-8")
        document = parse(text, str(source))
        # A chapter is kept and reused (Quarto's freeze) unless the edition has activity data,
        # whose files the key does not hold.
        key = None if context["activity"] else freeze_key(source, text, parameters, digest)
        frozen = freezer.get(key) if key else None
        if frozen is not None:
            weaver.check_labels(document)
            figures.mkdir(parents=True, exist_ok=True)
            for name, png in frozen.figures.items():
                (figures / name).write_bytes(png)
            for row in frozen.numbers:
                annex.rows[(annex.chapter, row["key"])] = {**row, "chapter": annex.chapter}
            return frozen.markdown
        before = set(annex.rows)
        with api.current(api.Edition(org, reference, context, annex=annex)):
            markdown = weaver.weave(document, parameters)
        if key:
            numbers = [row for k, row in annex.rows.items() if k not in before]
            freezer.put(key, Frozen(markdown, dict(weaver.written), numbers))
        return markdown

    return weave


def coverage(org: Organisation, reference: Reference) -> str:
    """Which organisations and data the edition stands on, for the title page: e.g. "ICBs as of
    July 2022; IMD 2019; residents mid-2020"."""
    v = reference.vintage
    kinds = {
        "england": f"ICBs as of {v.organisations_when}",
        "icb": f"ICBs as of {v.organisations_when}",
        "sub-icb": f"Sub ICB Locations as of {v.organisations_when}",
        "la": "local authority districts of 2022",
    }
    if org.kind == "trust":
        names = reference.sources.get("trust_names")
        when = f" ({names.vintage})" if names is not None else ""
        basis = f"{org.kind_plural} open in the ODS trust file{when}; OHID catchments of 2019"
    else:
        basis = kinds[org.kind]
    return f"{basis[0].upper()}{basis[1:]}; {v.imd}; residents {v.population_when}"


def _vintages(subject: Subject, reference: Reference) -> dict[str, Any] | None:
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
    return {**vintage_figures(subject, other.vintage, share), "note": NOT_COMPARABLE}


def build_edition(
    request: EditionRequest,
    reference: Reference | None = None,
    profiles: Profiles | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    activity: Sequence[PreparedActivity] | None = None,
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
    activity
        The request's activity measures already prepared for its kind (a batch prepares them once);
        prepared here when None.
    """
    reference = reference if reference is not None else load_reference(data_dir, request.vintage)
    if reference.vintage.name != str(request.vintage):
        raise ValueError(
            f"the reference data are vintage {reference.vintage.name}, the request {request.vintage}"
        )
    org = resolve(reference, request.org, request.kind)
    if profiles is None:
        profiles = kind_profiles(reference, org.kind)
    if activity is None:
        activity = prepare_activity(
            unsafe_specs(request.activity, request.unsafe_counts), reference, org.kind
        )
    unsafe = any(not p.disclosure.safe for p in activity)
    sources = BookSources(request.book) if request.book else BookSources()
    sources.check()
    date = request.date or dt.date.today()

    created = created_folders(request.out)
    out = editions_folder(request.out)
    final = out / org.code
    check_replaceable(final)
    try:
        with locked(out):
            staging = make_staging(out, org.code)
            try:
                project = staging / "project"
                context = chapter_context(
                    org, reference, profiles, date, project / "figures", activity
                )
                context["audience"] = request.audience
                annex = write_project(
                    project,
                    title=f"{UNSAFE_MARK}: Health Inequalities Book"
                    if unsafe
                    else "Health Inequalities Book",
                    subtitle=f"{org.name}: {'public' if org.kind == 'england' else 'local'} edition"
                    + (" for analysts" if request.audience == "analyst" else "")
                    + (
                        " with synthetic activity data"
                        if any(p.synthetic for p in activity)
                        else ""
                    ),
                    date=date.isoformat(),
                    sources=sources,
                    cover_note=context["edition"]["coverage"],
                    front=request.front,
                    weave=literate(
                        org,
                        reference,
                        context,
                        project / "figures",
                        echo=request.audience == "analyst",
                    ),
                )
                annex.insert(0, "organisation", org.code)
                if unsafe:
                    annex["marking"] = UNSAFE_MARK
                annex.to_csv(staging / "annex.csv", index=False)
                write_notebook(
                    staging,
                    NotebookSpec(
                        org.code,
                        org.name,
                        org.kind,
                        reference.vintage.name,
                        None,
                        date.isoformat(),
                        tuple(_spec_arguments(p.spec) for p in activity),
                        mark=UNSAFE_MARK if unsafe else "",
                    ),
                )
                result = render(
                    project,
                    staging,
                    formats=request.formats,
                    engine=request.engine,
                    basename=org.code,
                )
                mark_edition(staging, org.code)
                replaced = final.exists()
                replace_edition(staging, final)  # checks again: something may have appeared
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except BaseException:
        remove_if_empty(created)
        raise
    outputs = {  # the renderer resolves its paths: compare resolved (the --out may pass a link)
        fmt: final / Path(path).resolve().relative_to(staging.resolve())
        for fmt, path in result.outputs.items()
    }
    return Edition(
        org=org,
        folder=final,
        project=final / "project",
        annex=final / "annex.csv",
        outputs=outputs,
        activity=tuple(activity),
        replaced=replaced,
    )
