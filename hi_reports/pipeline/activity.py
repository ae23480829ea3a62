"""The organisation's own activity data: the measures asked for, checked, read once per kind
and turned into each edition's figures, charts and data-quality table."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hi_reports import formatting
from hi_reports.api import ActivityContext
from hi_reports.data import Reference
from hi_reports.data.activity import (
    ActivitySummary,
    activity_source,
    column_mapping,
    parse_period,
    read_activity,
)
from hi_reports.data.demo import SYNTHETIC_LABEL, demo_activity
from hi_reports.draw.charts import draw_activity_charts
from hi_reports.draw.maps import MappedActivity, activity_map
from hi_reports.errors import DataError
from hi_reports.formatting import in_sentence
from hi_reports.formatting import slug as _slug
from hi_reports.geography import ENGLAND_CODE, Organisation, membership
from hi_reports.geography.boundaries import Shapes
from hi_reports.indicators.activity import (
    ActivityResults,
    QualityRow,
    activity_figures,
    activity_indicators,
)
from hi_reports.indicators.disclosure import SAFE, UNSAFE, Disclosure
from hi_reports.indicators.measure import Measure


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
        Keep the true counts (no suppression or rounding): internal use only, marked on every
        output.
    """

    measure: str
    path: Path | None = None
    columns: dict[str, str] | str | None = None
    period: str | None = None
    demo: bool = False
    unsafe_counts: bool = False


def unsafe_specs(specs: Sequence[ActivitySpec], unsafe: bool) -> tuple[ActivitySpec, ...]:
    """``specs``, each asking for true counts when ``unsafe``; as they are otherwise."""
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
    return "the synthetic demonstration data" if spec.demo else f"file {spec.path}"


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
                hint='give it one, e.g. "Emergency admissions"',
            )
        shown = name if len(name) <= 60 else f"{name[:57]}..."
        if len(name) > MEASURE_MAX:
            raise DataError(
                f"activity measure {shown!r} of {_describe(spec)}: the name has {len(name)} "
                f"characters, more than {MEASURE_MAX}",
                hint="it titles sections, charts and tables: give a shorter name",
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
                hint='e.g. "Emergency admissions"',
            )
        if key in seen:
            other = seen[key]
            raise DataError(
                f"activity measures {other.measure!r} ({_describe(other)}) and {name!r} "
                f"({_describe(spec)}) have the same key {key!r}: their charts, maps and annex rows "
                "would overwrite each other",
                hint="give each measure a different name",
            )
        seen[key] = spec
        if not spec.demo:
            _check_file(spec)


def _check_file(spec: ActivitySpec) -> None:
    """The checks of a measure's file, period and columns that need no reading."""
    if spec.path is None or not Path(spec.path).is_file():
        state = (
            "is a folder, not a file"
            if spec.path is not None and Path(spec.path).is_dir()
            else "does not exist"
        )
        raise DataError(
            f"activity file {spec.path} for {spec.measure!r} {state}",
            hint="give the path of a CSV or Parquet file",
            path=spec.path,
        )
    activity_source(Path(spec.path))  # an unknown format
    parse_period(spec.period)
    column_mapping(spec.columns)


def prepare_activity(
    specs: Sequence[ActivitySpec], reference: Reference, kind: str
) -> tuple[PreparedActivity, ...]:
    """Read each activity measure once and compute its indicators for every organisation of
    ``kind``.

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
            "activity data need residents by single year of age; vintage "
            f"{reference.vintage.name} has {reference.vintage.sources.population} only",
            hint="add activity data to editions of vintage 2019",
            option="vintage",
        )
    prepared = []
    for spec in specs:
        if spec.demo:
            counts, summary, sha, years = demo_activity(reference, calibrate=True), None, None, 1.0
        else:
            assert spec.path is not None  # check_activity_specs refuses a file measure without one
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
        digest.update(json.dumps(spec_arguments(item.spec), sort_keys=True, default=str).encode())
        digest.update(f"|{item.synthetic}|{item.disclosure}|".encode())
        for key, units in ((org.key, ("count", "number", "share")), (ENGLAND_CODE, ("number",))):
            for measure in measures(
                activity_figures(item.results, key, in_sentence(item.spec.measure))
            ):
                if measure.unit in units:
                    digest.update(f"{measure.key}={_printed(measure)};".encode())
        # the methods appendix prints the file's quality table and the count outside the
        # organisation
        for measure in measures(quality_measures(item, org, _slug(item.spec.measure), "")):
            digest.update(f"{measure.key}={_printed(measure)};".encode())
        if reference is not None and item.lsoa_events is not None:
            weights = membership(reference, org.kind)
            codes = weights.loc[(weights["org"] == org.key) & (weights["weight"] > 0), "lsoa_code"]
            events = item.lsoa_events.reindex(sorted(codes), fill_value=0)
            published = pd.Series(item.disclosure.publish(events.to_numpy()), index=events.index)
            digest.update(pd.util.hash_pandas_object(published).to_numpy().tobytes())
    return digest.hexdigest()


def _printed(measure: Measure) -> str:
    digits = 2 if measure.key.split(".")[-1].startswith("rii") else 1  # as the chapters print them
    return formatting.by_unit(measure.unit, measure.value, measure.of, digits)


def measures(item: object) -> list[Measure]:
    """Every :class:`Measure` in ``item`` (a chapter context, or any part of one), depth first."""
    if isinstance(item, Measure):
        return [item]
    if isinstance(item, dict):  # a record is a dataclass, read below field by field
        return [m for value in item.values() for m in measures(value)]
    if isinstance(item, (list, tuple)):
        return [m for value in item for m in measures(value)]
    if dataclasses.is_dataclass(item) and not isinstance(item, type):  # e.g. a map and its numbers
        return [m for f in dataclasses.fields(item) for m in measures(getattr(item, f.name))]
    return []


def spec_arguments(spec: ActivitySpec) -> dict[str, object]:
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
) -> tuple[tuple[QualityRow, ...], Measure]:
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
    quality: list[QualityRow] = []
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
            QualityRow(
                item="Rows read",
                rows=count("rows_read", summary.rows_read, "Rows read from the activity file"),
                events=count(
                    "events_read", summary.events_read, "Events read from the activity file"
                ),
            ),
            QualityRow(
                item="Rows used",
                rows=count("rows_used", summary.rows_used, "Rows used (valid, in England)"),
                events=count("events_used", summary.events_used, "Events used (valid, in England)"),
            ),
        ]
        if summary.rows_mapped_2021:
            quality.append(
                QualityRow(
                    item="of which mapped from LSOA 2021 codes",
                    rows=count(
                        "rows_mapped_2021",
                        summary.rows_mapped_2021,
                        "Rows whose LSOA 2021 code was mapped one-to-one to 2011",
                    ),
                    events=count(
                        "events_mapped_2021",
                        summary.events_mapped_2021,
                        "Events mapped from LSOA 2021 codes",
                    ),
                )
            )
        for e in summary.exclusions:
            if e.rows:
                key = _slug(e.reason)
                quality.append(
                    QualityRow(
                        item=f"Excluded: {e.label}",
                        rows=count(f"excluded.{key}.rows", e.rows, f"Rows excluded: {e.label}"),
                        events=count(
                            f"excluded.{key}.events", e.events, f"Events excluded: {e.label}"
                        ),
                    )
                )
    local = float(prepared.results.group(org.key, "all")["events"].loc["All"])
    total = float(prepared.results.group(ENGLAND_CODE, "all")["events"].loc["All"])
    outside = Measure(
        f"activity.{slug}.outside",
        rule.publish_one(total - local),
        "count",
        f"{name} of residents outside the organisation (kept for England's rates, not in the "
        "local rates)" + control,
        source,
    )
    return tuple(quality), outside


def activity_context(
    org: Organisation,
    prepared: PreparedActivity,
    figures_dir: Path,
    reference: Reference | None = None,
    shapes: Shapes | None = None,
) -> ActivityContext:
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
        ENGLAND_CODE,
        in_sentence(name),
        source=source,
        key=None if org.key == ENGLAND_CODE else f"activity.{slug}.england",
    )
    rule = prepared.disclosure
    quality, outside = quality_measures(prepared, org, slug, source)
    charts = draw_activity_charts(
        org,
        slug=slug,
        measure=name,
        figures=figures,
        england=england,
        synthetic=prepared.synthetic,
        folder=figures_dir,
    )
    rate_map = None
    if reference is not None and shapes is not None and prepared.lsoa_events is not None:
        mapped = MappedActivity(
            name, slug, prepared.lsoa_events, prepared.years, rule, prepared.synthetic
        )
        rate_map = activity_map(
            org, reference, shapes, membership(reference, org.kind), mapped, figures_dir
        )
    return ActivityContext(
        name=name,
        lower=in_sentence(name),
        slug=slug,
        synthetic=prepared.synthetic,
        label=SYNTHETIC_LABEL if prepared.synthetic else "",
        unsafe=not rule.safe,
        disclosure=rule,
        period=spec.period or "",
        figures=figures,
        england=england,
        quality=quality,
        outside=outside,
        charts=charts,
        map=rate_map,
    )
