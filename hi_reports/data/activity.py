"""Bring your own activity data: read, validate and aggregate event-level or pre-aggregated rows.

An organisation's activity (admissions, attendances, appointments) is read from CSV or Parquet
through DuckDB and aggregated to counts by LSOA 2011 and 2013 European Standard Population age band
(19 bands ``0-4`` .. ``85-89``, ``90+``). The heavy work is one SQL statement (in
:mod:`hi_reports.data.activity_sql`) that streams the file, so a file larger than memory
aggregates on one machine; only the aggregate (at most 32,844 x 19 rows plus one row per
exclusion group) comes back to pandas. The same statement runs on a warehouse or Spark after
replacing the DuckDB-specific ``read_csv``/``read_parquet`` source and date parsing.

Input columns (map your own names with ``columns={"lsoa_code": "LSOA11", ...}``, or the text
``lsoa_code=LSOA11,age=AgeOnAdmission`` the command line takes, parsed by :func:`parse_columns`):

``lsoa_code``
    The patient's LSOA of residence: 2011 codes, or 2021 codes mapped back to 2011 (below).
``age`` or ``age_band``
    Age in whole or fractional years (0-120), or an ESP2013 band label.
``count``
    Present: each row is a pre-aggregated count (a whole number >= 0; thousands separators as
    Excel writes them, ``"1,234"``, are read). Absent: one row per event.
``date``
    Needed only with a ``period``: ISO dates (``2023-04-01``, or timestamps) or ``dd/mm/yyyy``.

Nothing is dropped silently. Each row is used or excluded for the first reason it fails, in the
order of :data:`REASONS`; rows and events are counted per reason, with example values, in an
:class:`ActivitySummary`, and ``rows_used + rows_excluded == rows_read`` always holds. The events of
a row whose count is missing or invalid are unknown and counted as 0.

LSOA 2021 codes: a code that is not an English LSOA 2011 code but is a 2021 code of the ONS LSOA
(2011) to LSOA (2021) lookup is mapped back when that is unambiguous: change code ``U`` (unchanged,
same code) and ``S`` (a 2011 LSOA split into several 2021 LSOAs: each piece lies inside one 2011
LSOA, so its events belong to it). ``M`` (several 2011 LSOAs merged into one 2021 LSOA) and ``X``
(complex change) have no single 2011 LSOA; their rows are excluded as ``lsoa21_ambiguous``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hi_reports.data.activity_sql import AGGREGATE_SQL, activity_sql, sql_literal
from hi_reports.data.codes import among
from hi_reports.data.esp2013 import ESP2013_AGEBANDS
from hi_reports.data.loaders import file_sha256
from hi_reports.data.period import Period, parse_period
from hi_reports.data.reference import Reference
from hi_reports.errors import DataError

__all__ = [
    "AGE_BANDS",
    "AGGREGATE_SQL",
    "COLUMNS",
    "REASONS",
    "Activity",
    "ActivitySummary",
    "Exclusion",
    "Period",
    "activity_source",
    "activity_sql",
    "band_populations",
    "column_mapping",
    "lsoa21_map",
    "parse_columns",
    "parse_period",
    "read_activity",
]

#: The 19 ESP2013 age bands, youngest first.
AGE_BANDS: tuple[str, ...] = ESP2013_AGEBANDS

#: The columns read_activity understands, with what they hold.
COLUMNS: dict[str, str] = {
    "lsoa_code": "the patient's LSOA (2011, or 2021) of residence",
    "age": "age in years",
    "age_band": "age band 0-4, 5-9, ..., 85-89, 90+",
    "count": "number of events on a pre-aggregated row",
    "date": "date of the event",
    "sex": "sex (optional, not used yet)",
    "category": "category of activity (optional, not used yet)",
}

#: Exclusion reasons, in the order rows are checked: key and label.
REASONS: tuple[tuple[str, str], ...] = (
    ("count_missing", "count missing"),
    ("count_invalid", "count negative, not a whole number or not a number"),
    ("lsoa_missing", "LSOA code missing"),
    ("lsoa_malformed", "LSOA code malformed (not a letter and 8 digits)"),
    ("lsoa_outside_england", "LSOA code in Wales or Scotland"),
    ("lsoa21_ambiguous", "LSOA 2021 code with no single LSOA 2011 (merged or complex change)"),
    ("lsoa_unknown", "not an English LSOA 2011 or 2021 code"),
    ("age_missing", "age missing"),
    ("age_invalid", "age not a number"),
    ("age_out_of_range", "age negative or over 120"),
    ("age_band_unknown", "age band not one of 0-4, 5-9, ..., 85-89, 90+"),
    ("date_missing", "date missing"),
    ("date_invalid", "date not a date"),
    ("date_outside_period", "date outside the period"),
)
_LABELS = dict(REASONS)

#: Other accepted names of a column when no mapping is given (matched case-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "lsoa_code": ("lsoa11_code", "lsoa21_code", "lsoa11cd", "lsoa21cd", "lsoa"),
}


@dataclass(frozen=True)
class Exclusion:
    """Rows excluded for one reason: key, words, rows, events and up to two example values."""

    reason: str
    label: str
    rows: int
    events: int
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivitySummary:
    """What was read, used and excluded (every reason of :data:`REASONS`, in order).

    ``rows_read == rows_used + sum(e.rows for e in exclusions)``, and likewise for events.
    ``rows_mapped_2021`` of the rows used had an LSOA 2021 code mapped to 2011.
    """

    path: str
    kind: str
    rows_read: int
    events_read: int
    rows_used: int
    events_used: int
    rows_mapped_2021: int
    events_mapped_2021: int
    exclusions: tuple[Exclusion, ...]
    period: Period | None = None

    @property
    def rows_excluded(self) -> int:
        """Rows excluded for any reason."""
        return sum(e.rows for e in self.exclusions)

    @property
    def events_excluded(self) -> int:
        """Events excluded for any reason (unknown counts as 0)."""
        return sum(e.events for e in self.exclusions)

    def exclusion(self, reason: str) -> Exclusion:
        """The :class:`Exclusion` of one reason key."""
        for item in self.exclusions:
            if item.reason == reason:
                return item
        raise KeyError(f"unknown exclusion reason {reason!r}; reasons: {', '.join(_LABELS)}")

    def lines(self) -> list[str]:
        """A short summary for the command line: totals, then one line per reason that occurred."""
        name = Path(self.path).name
        what = "events" if self.kind == "events" else "pre-aggregated rows"
        period = f", period {self.period.label}" if self.period else ""
        out = [
            f"{name}: {self.rows_read:,} rows ({what}), {self.events_read:,} events read{period}",
            f"  used {self.rows_used:,} rows, {self.events_used:,} events"
            + (
                f" ({self.rows_mapped_2021:,} row{'s' if self.rows_mapped_2021 != 1 else ''} "
                "mapped from LSOA 2021 codes)"
                if self.rows_mapped_2021
                else ""
            ),
        ]
        for e in self.exclusions:
            if e.rows:
                examples = f" (e.g. {', '.join(repr(x) for x in e.examples)})" if e.examples else ""
                out.append(
                    f"  excluded {e.rows:,} row{'s' if e.rows != 1 else ''}, {e.events:,} "
                    f"event{'s' if e.events != 1 else ''}: {e.label}{examples}"
                )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_frame(self) -> pd.DataFrame:
        """Annex rows: one per total and per reason (``item, reason, rows, events, examples``)."""
        rows = [
            ("read", "", self.rows_read, self.events_read, ""),
            ("used", "", self.rows_used, self.events_used, ""),
            ("mapped from LSOA 2021", "", self.rows_mapped_2021, self.events_mapped_2021, ""),
        ]
        rows += [
            ("excluded", e.label, e.rows, e.events, "; ".join(e.examples)) for e in self.exclusions
        ]
        return pd.DataFrame(rows, columns=["item", "reason", "rows", "events", "examples"])


@dataclass(frozen=True)
class Activity:
    """Activity aggregated by LSOA 2011 and ESP2013 age band.

    Attributes
    ----------
    counts
        Columns ``lsoa_code`` (LSOA 2011), ``age_band`` (ordered categorical of
        :data:`AGE_BANDS`) and ``count`` (int64); one row per combination with at least one event.
    summary
        Rows and events read, used and excluded per reason.
    path, sha256
        The source file and its sha256 (``None`` when not computed).
    """

    counts: pd.DataFrame
    summary: ActivitySummary
    path: str
    sha256: str | None = field(default=None)

    @property
    def period(self) -> Period | None:
        """The period filter, if any."""
        return self.summary.period


def band_populations(reference: Reference) -> pd.DataFrame:
    """Residents by LSOA (rows, as ``reference.ages``) and ESP2013 band (columns ``0-4`` ..
    ``90+``)."""
    ages = reference.ages
    bands = {}
    for i, label in enumerate(AGE_BANDS):
        years = range(5 * i, 5 * i + 5) if i < len(AGE_BANDS) - 1 else [90]
        bands[label] = ages[[f"age_{a}" for a in years]].sum(axis=1)
    return pd.DataFrame(bands, index=ages.index)


def parse_columns(text: str | None) -> dict[str, str]:
    """Parse a column mapping, ``lsoa_code=LSOA11,age=AgeOnAdmission``, into
    ``{"lsoa_code": "LSOA11", ...}``.

    Raises
    ------
    DataError
        For an item without ``=``, an empty name, an unknown column or a column given twice (the
        setting at fault is ``columns``).

    Examples
    --------
    >>> parse_columns("lsoa_code=LSOA11, age=AgeOnAdmission")
    {'lsoa_code': 'LSOA11', 'age': 'AgeOnAdmission'}
    """
    mapping: dict[str, str] = {}
    if not text or not text.strip():
        return mapping
    hint = "write NAME=YOUR_COLUMN,...; names: " + ", ".join(COLUMNS)
    for item in text.split(","):
        if not item.strip():
            continue
        ours, sep, theirs = (part.strip() for part in item.partition("="))
        if not sep or not ours or not theirs:
            raise DataError(
                f"column mapping {item.strip()!r} is not NAME=YOUR_COLUMN",
                hint=hint,
                option="columns",
            )
        if ours not in COLUMNS:
            raise DataError(
                f"unknown column name {ours!r} in the column mapping", hint=hint, option="columns"
            )
        if ours in mapping:
            raise DataError(
                f"column {ours!r} is given twice in the column mapping", hint=hint, option="columns"
            )
        mapping[ours] = theirs
    return mapping


def column_mapping(columns: object) -> dict[str, str]:
    """``columns`` (the text :func:`parse_columns` reads, a mapping of names, or None) as a dict
    of names.

    Raises
    ------
    DataError
        For an unknown column name, or a value that is neither text nor a mapping of text (the
        setting at fault is ``columns``).
    """
    if columns is None:
        return {}
    if isinstance(columns, str):
        return parse_columns(columns)
    if isinstance(columns, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        unknown = [name for name in columns if name not in COLUMNS]
        if unknown:
            raise _unknown_column(unknown[0])
        return dict(columns)
    raise DataError(
        f"the column mapping {columns!r} is not a mapping of our column names to yours",
        hint="e.g. {lsoa_code: LSOA11, age: AgeOnAdmission}, or the text "
        "lsoa_code=LSOA11,age=AgeOnAdmission",
        option="columns",
    )


def _unknown_column(name: str) -> DataError:
    return DataError(
        f"unknown column name {name!r} in the column mapping",
        hint="names: " + ", ".join(COLUMNS),
        option="columns",
    )


def _read_lookup(name: str) -> pd.DataFrame:
    """The lookup's three columns, read once per file version."""
    try:
        stat = os.stat(name)
    except OSError as error:
        raise DataError(
            f"cannot read the LSOA 2011 to 2021 lookup {name}: {error.strerror}", path=name
        ) from None
    return _read_lookup_cached(name, stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=4)
def _read_lookup_cached(name: str, mtime: int, size: int) -> pd.DataFrame:
    needed = ("lsoa11_code", "change_code", "lsoa21_code")
    try:
        return pd.read_csv(name, dtype=str, usecols=lambda c: c in needed)
    except (OSError, ValueError) as error:
        raise DataError(
            f"cannot read the LSOA 2011 to 2021 lookup {name}: {error}", path=name
        ) from None


def lsoa21_map(
    lookup: str | os.PathLike[str] | pd.DataFrame, lsoa11_codes: pd.Index
) -> pd.DataFrame:
    """The LSOA 2021 -> 2011 mapping used by :func:`read_activity`.

    Parameters
    ----------
    lookup
        The ONS LSOA (2011) to LSOA (2021) lookup (a path to its CSV, or a DataFrame) with columns
        ``lsoa11_code``, ``change_code``, ``lsoa21_code``.
    lsoa11_codes
        The English LSOA 2011 codes of the edition; lookup rows to other codes are ignored.

    Returns
    -------
    DataFrame
        One row per 2021 code: ``lsoa21_code``, ``lsoa11_code`` and ``ambiguous`` (True for merged
        ``M`` and complex ``X`` changes, or more than one 2011 code).
    """
    needed = ["lsoa11_code", "change_code", "lsoa21_code"]
    if isinstance(lookup, pd.DataFrame):
        table, name = lookup, "the LSOA 2011 to 2021 lookup"
    else:
        name = str(lookup)
        table = _read_lookup(name)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"{name}: columns {', '.join(missing)} missing (found: "
            f"{', '.join(map(str, table.columns))})",
            hint="use the ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup",
            path=None if isinstance(lookup, pd.DataFrame) else name,
        )
    table = table.loc[among(table["lsoa11_code"], lsoa11_codes), needed]
    table = table.assign(simple=table["change_code"].isin(["U", "S"]))
    grouped = table.groupby("lsoa21_code").agg(
        lsoa11_code=("lsoa11_code", "first"),
        n=("lsoa11_code", "nunique"),
        simple=("simple", "all"),
    )
    grouped["ambiguous"] = (grouped["n"] > 1) | ~grouped["simple"]
    return grouped.reset_index()[["lsoa21_code", "lsoa11_code", "ambiguous"]]


_CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".txt", ".csv.zst")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def activity_source(path: Path) -> tuple[str, str]:
    """The DuckDB relation reading ``path``, and the format's name.

    Raises
    ------
    DataError
        For a name that ends neither in a CSV nor in a Parquet suffix.
    """
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return f"read_parquet({sql_literal(str(path))})", "parquet"
    if name.endswith(_CSV_SUFFIXES):
        # Every value as text: malformed values are counted as exclusions, never a parse error.
        return f"read_csv({sql_literal(str(path))}, header = true, all_varchar = true)", "csv"
    raise DataError(
        f"activity file {path}: unknown format (expected a name ending in .csv or .parquet)",
        hint="save the activity as CSV or Parquet",
        path=path,
    )


def _resolve_columns(
    path: Path, found: list[str], columns: dict[str, str], period: Period | None
) -> dict[str, str]:
    """Our column names to the file's, or a DataError naming the file, column and fix."""
    for ours in columns:
        if ours not in COLUMNS:
            raise _unknown_column(ours)
    lower = {name.lower(): name for name in found}
    resolved: dict[str, str] = {}
    for ours in COLUMNS:
        if ours in columns:
            theirs = columns[ours]
            match = theirs if theirs in found else lower.get(theirs.lower())
            if match is None:
                raise DataError(
                    f"{path.name}: column {theirs!r} (given for {ours}) not found; columns found: "
                    f"{', '.join(found)}",
                    hint=f"fix the column mapping {ours}=YOUR_COLUMN",
                    path=path,
                    option="columns",
                )
            resolved[ours] = match
        else:
            for name in (ours, *ALIASES.get(ours, ())):
                if name in found or name in lower:
                    resolved[ours] = name if name in found else lower[name]
                    break

    def missing(what: str, description: str) -> DataError:
        return DataError(
            f"{path.name}: required column {what} ({description}) is missing; columns found: "
            f"{', '.join(found)}",
            hint=f"map your own column: {what.split(' or ')[0]}=YOUR_COLUMN",
            path=path,
            option="columns",
        )

    if "lsoa_code" not in resolved:
        raise missing("lsoa_code", COLUMNS["lsoa_code"])
    if "age" not in resolved and "age_band" not in resolved:
        raise missing("age or age_band", "age in years, or an age band 0-4, ..., 90+")
    if "age" in resolved and "age_band" in resolved and "age_band" not in columns:
        del resolved["age_band"]  # age in years wins unless the mapping chose the band
    elif "age" in resolved and "age_band" in columns and "age" not in columns:
        del resolved["age"]
    if period is not None and "date" not in resolved:
        raise missing("date", f"needed for the period {period.label}")
    return resolved


def read_activity(
    path: str | os.PathLike[str],
    columns: dict[str, str] | str | None = None,
    period: str | Period | None = None,
    lsoa21_lookup: str | os.PathLike[str] | pd.DataFrame | None = None,
    lsoa11_codes: pd.Index | list[str] | None = None,
    *,
    memory_limit: str = "2GB",
    threads: int | None = None,
    temp_directory: str | os.PathLike[str] | None = None,
    checksum: bool = True,
) -> Activity:
    """Read an activity file (CSV or Parquet), validate it and aggregate it by LSOA and age band.

    Parameters
    ----------
    path
        The file: ``.csv`` (optionally ``.gz``) or ``.parquet``.
    columns
        Our column names to yours, as a dict or as text (see :func:`parse_columns`).
        Unmapped names are matched exactly, then case-insensitively.
    period
        Keep only events dated in this period: ``"2023-24"`` (financial year) or ``"2023"``;
        needs a ``date`` column. Other dates are excluded and counted.
    lsoa21_lookup
        The ONS LSOA (2011) to LSOA (2021) lookup (path or DataFrame), to map 2021 codes.
    lsoa11_codes
        The English LSOA 2011 codes of the edition (``reference.lsoas.index``). Default: the
        English 2011 codes of ``lsoa21_lookup``. One of the two is required.
    memory_limit, threads, temp_directory
        DuckDB settings: memory cap (it spills to ``temp_directory`` beyond it), worker threads
        (default: all cores).
    checksum
        Compute the file's sha256 (for the annex).

    Returns
    -------
    Activity
        Counts by LSOA 2011 and age band, the summary, path and sha256.

    Raises
    ------
    DataError
        When the file is missing or unreadable, a required column is missing (naming the columns
        found and the column mapping), the LSOA column is not text, the period is malformed,
        or no row gives an event to use (naming the commonest reasons rows were excluded).

    Examples
    --------
    >>> activity = read_activity("admissions.parquet", columns="age=AgeOnAdmission",
    ...                          period="2023-24", lsoa21_lookup=lookup)  # doctest: +SKIP
    >>> print(activity.summary)  # doctest: +SKIP
    """
    import duckdb  # slow to import: only when activity is read

    file = Path(path)
    if not file.is_file():
        raise DataError(
            f"activity file {file} not found",
            hint="check the path",
            path=file,
        )
    if file.stat().st_size == 0:
        raise DataError(
            f"activity file {file} is empty",
            hint="export it again with a header row and data rows",
            path=file,
        )
    mapping = column_mapping(columns)
    span = parse_period(period)
    lookup = lsoa21_lookup
    if lsoa11_codes is not None:
        codes = pd.Index(lsoa11_codes)
    elif lsoa21_lookup is not None:
        table = (
            lsoa21_lookup
            if isinstance(lsoa21_lookup, pd.DataFrame)
            else _read_lookup(str(lsoa21_lookup))
        )
        lookup = table
        codes = pd.Index(
            sorted(c for c in table["lsoa11_code"].dropna().unique() if c.startswith("E01"))
        )
    else:
        raise DataError(
            "read_activity needs the English LSOA 2011 codes: give lsoa11_codes "
            "(reference.lsoas.index) or lsoa21_lookup"
        )
    mapping21 = (
        lsoa21_map(lookup, codes)
        if lookup is not None
        else pd.DataFrame(
            {
                "lsoa21_code": pd.Series(dtype=str),
                "lsoa11_code": pd.Series(dtype=str),
                "ambiguous": pd.Series(dtype=bool),
            }
        )
    )

    source, fmt = activity_source(file)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": memory_limit,
        "preserve_insertion_order": False,
    }
    if threads:
        config["threads"] = int(threads)
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(config=config)
    try:
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        except duckdb.Error as error:
            raise DataError(
                f"cannot read activity file {file} as {fmt.upper()}: {_first_line(error)}",
                hint="check that it is a CSV with a header row, or a Parquet file",
                path=file,
            ) from None
        types = {name: str(dtype) for name, dtype, *_ in described}
        resolved = _resolve_columns(file, list(types), mapping, span)
        lsoa_type = types[resolved["lsoa_code"]]
        if not _is_text_type(lsoa_type):
            raise DataError(
                f"activity file {file}: column {resolved['lsoa_code']!r} (lsoa_code) holds "
                f"{lsoa_type} values, not LSOA codes like E01009000",
                hint="store the LSOA codes as text, or map the right column: lsoa_code=YOUR_COLUMN",
                path=file,
                option="columns",
            )
        small = {
            "lsoa11": pd.DataFrame({"code": codes.astype(str)}),
            "lsoa21_map": mapping21,
            "age_bands": pd.DataFrame(
                {"band_index": range(len(AGE_BANDS)), "label": list(AGE_BANDS)}
            ),
        }
        for name, frame in small.items():  # native tables: joins on them are much faster
            con.register(f"_{name}", frame)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM _{name}")
            con.unregister(f"_{name}")
        sql = activity_sql(source, resolved, types, span)
        try:
            result = con.sql(sql).df()
        except duckdb.Error as error:
            raise DataError(
                f"cannot read activity file {file}: {_first_line(error)}",
                hint="check the file's format (one header row, the same columns on every row)",
                path=file,
            ) from None
    finally:
        con.close()

    kind = "aggregated" if "count" in resolved else "events"
    counts, summary = _split(result, str(file), kind, span)
    if summary.events_used == 0:
        raise DataError(no_usable_rows(summary), hint=_NO_ROWS_HINT, path=file)
    return Activity(
        counts=counts,
        summary=summary,
        path=str(file),
        sha256=file_sha256(file) if checksum else None,
    )


_NO_ROWS_HINT = "fix the rows, or map the right columns (the column mapping)"


def _is_text_type(dtype: str) -> bool:
    """Whether a DuckDB type holds text (LSOA codes must)."""
    return dtype.upper() in ("VARCHAR", "TEXT", "STRING") or dtype.upper().startswith("VARCHAR")


def no_usable_rows(summary: ActivitySummary, reasons: int = 3) -> str:
    """One line saying that a file gave no events to use: its rows, and the commonest reasons
    they were excluded, with counts and examples.

    Parameters
    ----------
    summary
        The file's summary, with ``events_used == 0``.
    reasons
        How many exclusion reasons to name (the commonest first).

    Examples
    --------
    >>> no_usable_rows(ActivitySummary("a.csv", "events", 0, 0, 0, 0, 0, 0, ()))
    'activity file a.csv has no usable rows: it has a header and no data rows'
    """
    start = f"activity file {summary.path} has no usable rows"
    if summary.rows_read == 0:
        return f"{start}: it has a header and no data rows"
    parts = []
    for item in sorted((e for e in summary.exclusions if e.rows), key=lambda e: -e.rows)[:reasons]:
        shown = [x if len(x) <= 40 else f"{x[:37]}..." for x in item.examples]
        examples = f" (e.g. {', '.join(repr(x) for x in shown)})" if shown else ""
        parts.append(f"{item.rows:,} excluded: {item.label}{examples}")
    if summary.rows_used:
        parts.append(f"{summary.rows_used:,} valid with a count of 0 events")
    rows = f"{summary.rows_read:,} row" + ("s" if summary.rows_read != 1 else "")
    return f"{start}: of {rows}, " + "; ".join(parts)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _split(
    result: pd.DataFrame, path: str, kind: str, period: Period | None
) -> tuple[pd.DataFrame, ActivitySummary]:
    """The used counts and the summary, from the aggregation's output."""
    result["n_rows"] = result["n_rows"].fillna(0).astype("int64")
    result["n_events"] = result["n_events"].fillna(0).astype("int64")
    used = result[result["reason"].isna()]
    counts = (
        used.groupby(["lsoa11_code", "age_band"], observed=True)["n_events"]
        .sum()
        .reset_index(name="count")
    )
    counts = counts[counts["count"] > 0]
    counts["age_band"] = pd.Categorical(
        counts["age_band"], categories=list(AGE_BANDS), ordered=True
    )
    counts = counts.sort_values(["lsoa11_code", "age_band"], ignore_index=True)
    counts = counts.rename(columns={"lsoa11_code": "lsoa_code"}).astype({"lsoa_code": str})
    mapped = used[used["mapped_2021"].fillna(False).astype(bool)]
    excluded = result[result["reason"].notna()]
    exclusions = []
    for key, label in REASONS:
        rows = excluded[excluded["reason"] == key]
        values = pd.concat([rows["example_min"], rows["example_max"]]).dropna()
        examples = tuple(dict.fromkeys(sorted(str(v) for v in values)))
        if len(examples) > 2:
            examples = (examples[0], examples[-1])
        exclusions.append(
            Exclusion(key, label, int(rows["n_rows"].sum()), int(rows["n_events"].sum()), examples)
        )
    summary = ActivitySummary(
        path=path,
        kind=kind,
        rows_read=int(result["n_rows"].sum()),
        events_read=int(result["n_events"].sum()),
        rows_used=int(used["n_rows"].sum()),
        events_used=int(used["n_events"].sum()),
        rows_mapped_2021=int(mapped["n_rows"].sum()),
        events_mapped_2021=int(mapped["n_events"].sum()),
        exclusions=tuple(exclusions),
        period=period,
    )
    return counts, summary
