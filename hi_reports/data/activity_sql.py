"""The SQL that aggregates an activity file in one streaming pass (see
:mod:`hi_reports.data.activity`).

:func:`activity_sql` fills :data:`AGGREGATE_SQL` in for one input: its columns, their SQL types and
the period. The statement is plain SQL apart from DuckDB's ``read_csv``/``read_parquet`` source,
``regexp_full_match`` and ``TRY_STRPTIME``, so it also runs on a warehouse or Spark with those
replaced.
"""

from __future__ import annotations

from hi_reports.data.period import Period

#: Ages above this many years are errors of the input, not patients.
MAX_AGE = 120

#: The aggregation, in one statement. ``{source}`` is the input relation; the ``{...}``
#: expressions are filled in by :func:`activity_sql` from the columns and the period. It needs two
#: small tables: ``lsoa11(code)`` (English LSOA 2011 codes) and ``lsoa21_map(lsoa21_code,
#: lsoa11_code, ambiguous)`` (see :func:`hi_reports.data.activity.lsoa21_map`), and
#: ``age_bands(band_index, label)``.
#: Stages 1-2 are the only pass over the data and need no join, so they stream; stage 3 checks
#: LSOA codes and age bands on the grouped rows (at most codes x bands); stage 4 gives one row per
#: (reason, lsoa11_code, age_band): reason NULL for the rows used.
AGGREGATE_SQL = """
WITH typed AS (          -- 1. one row per input row, typed
    SELECT
        {lsoa} AS lsoa_raw,
        {count_num} AS count_num, {count_text} AS count_text, {count_null} AS count_null,
        {age_num} AS age_num, {age_text} AS age_text, {age_null} AS age_null,
        {date_value} AS date_value, {date_text} AS date_text, {date_null} AS date_null
    FROM {source}
),
checked AS (             -- 1. problems of the count, age and date of each row
    SELECT lsoa_raw, count_num, age_num, age_text, count_text, date_text,
        CASE WHEN count_null THEN 'count_missing'
             WHEN count_num IS NULL OR NOT isfinite(count_num) OR count_num < 0
                  OR count_num <> floor(count_num) THEN 'count_invalid' END AS count_problem,
        {age_problem} AS age_problem,
        {date_problem} AS date_problem
    FROM typed
),
normalised AS (
    SELECT lsoa_raw, count_problem, age_problem, date_problem,
        CASE WHEN count_problem IS NULL THEN CAST(count_num AS BIGINT) ELSE 0 END AS events,
        {age_key} AS age_key,
        CASE WHEN count_problem IS NOT NULL THEN count_text
             WHEN age_problem IS NOT NULL THEN age_text
             WHEN date_problem IS NOT NULL THEN date_text END AS example
    FROM checked
),
grouped AS (             -- 2. the one pass: group by raw code, age key and problems
    SELECT lsoa_raw, age_key, count_problem, age_problem, date_problem,
        COUNT(*) AS n_rows, SUM(events) AS n_events,
        MIN(example) AS example_min, MAX(example) AS example_max
    FROM normalised
    GROUP BY lsoa_raw, age_key, count_problem, age_problem, date_problem
),
coded AS (               -- 3. LSOA codes and age bands, on the grouped rows
    SELECT g.*, b.label AS age_band,
        CASE WHEN v.code IS NOT NULL THEN v.code
             WHEN m.ambiguous = FALSE THEN m.lsoa11_code END AS lsoa11_code,
        (v.code IS NULL AND m.ambiguous = FALSE) AS mapped_2021,
        CASE WHEN g.lsoa IS NULL THEN 'lsoa_missing'
             WHEN NOT regexp_full_match(g.lsoa, '[A-Z][0-9]{{8}}') THEN 'lsoa_malformed'
             WHEN v.code IS NOT NULL THEN NULL
             WHEN substr(g.lsoa, 1, 1) IN ('W', 'S') THEN 'lsoa_outside_england'
             WHEN m.ambiguous THEN 'lsoa21_ambiguous'
             WHEN m.ambiguous = FALSE THEN NULL
             ELSE 'lsoa_unknown' END AS lsoa_problem
    FROM (SELECT *, NULLIF(upper(trim(CAST(lsoa_raw AS VARCHAR))), '') AS lsoa FROM grouped) g
    LEFT JOIN lsoa11 v ON v.code = g.lsoa
    LEFT JOIN lsoa21_map m ON m.lsoa21_code = g.lsoa
    LEFT JOIN age_bands b ON {age_join}
),
reasoned AS (
    SELECT *, COALESCE(count_problem, lsoa_problem, age_problem,
        CASE WHEN age_band IS NULL THEN 'age_band_unknown' END, date_problem) AS reason
    FROM coded
)
SELECT reason,                                        -- 4. used rows and exclusions
    CASE WHEN reason IS NULL THEN lsoa11_code END AS lsoa11_code,
    CASE WHEN reason IS NULL THEN age_band END AS age_band,
    CASE WHEN reason IS NULL THEN mapped_2021 ELSE FALSE END AS mapped_2021,
    SUM(n_rows) AS n_rows, SUM(n_events) AS n_events,
    MIN(CASE WHEN reason = lsoa_problem THEN CAST(lsoa_raw AS VARCHAR)
             WHEN reason = 'age_band_unknown' THEN CAST(age_key AS VARCHAR)
             ELSE example_min END) AS example_min,
    MAX(CASE WHEN reason = lsoa_problem THEN CAST(lsoa_raw AS VARCHAR)
             WHEN reason = 'age_band_unknown' THEN CAST(age_key AS VARCHAR)
             ELSE example_max END) AS example_max
FROM reasoned
GROUP BY 1, 2, 3, 4
"""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _is_text(dtype: str) -> bool:
    return dtype.upper() in ("VARCHAR", "TEXT", "STRING") or dtype.upper().startswith("VARCHAR")


def _null_check(column: str, dtype: str) -> str:
    """SQL that is true when a value is missing (NULL, or blank text)."""
    if _is_text(dtype):
        return f"({column} IS NULL OR trim({column}) = '')"
    return f"({column} IS NULL)"


def _number(column: str, dtype: str) -> str:
    return f"TRY_CAST({column} AS DOUBLE)" if _is_text(dtype) else f"CAST({column} AS DOUBLE)"


def _count_number(column: str, dtype: str) -> str:
    """A count as a number; text with thousands separators (``"1,234"``, as Excel writes them) is
    read as the number."""
    if not _is_text(dtype):
        return f"CAST({column} AS DOUBLE)"
    text = f"trim({column})"
    return (
        f"TRY_CAST(CASE WHEN regexp_full_match({text}, '[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]*)?') "
        f"THEN replace({text}, ',', '') ELSE {text} END AS DOUBLE)"
    )


def activity_sql(
    source: str,
    columns: dict[str, str],
    types: dict[str, str] | None = None,
    period: Period | None = None,
) -> str:
    """The aggregation SQL (:data:`AGGREGATE_SQL`) filled in for one input.

    Parameters
    ----------
    source
        A relation: a table name, or e.g. ``read_parquet('admissions.parquet')``.
    columns
        Our column names (``lsoa_code``, ``age`` or ``age_band``, optional ``count`` and
        ``date``) to the input's column names.
    types
        SQL types of the input's columns (default VARCHAR: every value is parsed).
    period
        Keep only dates in this period (needs ``date``).

    Returns
    -------
    str
        A SELECT giving ``reason, lsoa11_code, age_band, mapped_2021, n_rows, n_events,
        example_min, example_max``.
    """
    types = types or {}

    def col(name: str) -> tuple[str, str]:
        actual = columns[name]
        return _quote(actual), types.get(actual, "VARCHAR")

    lsoa, _ = col("lsoa_code")
    parts: dict[str, str] = {"source": source, "lsoa": lsoa}
    if "count" in columns:
        c, t = col("count")
        parts.update(
            count_num=_count_number(c, t),
            count_text=f"CAST({c} AS VARCHAR)",
            count_null=_null_check(c, t),
        )
    else:
        parts.update(count_num="1.0", count_text="CAST(NULL AS VARCHAR)", count_null="FALSE")
    if "age" in columns:
        a, t = col("age")
        parts.update(
            age_num=_number(a, t), age_text=f"CAST({a} AS VARCHAR)", age_null=_null_check(a, t)
        )
        parts["age_problem"] = (
            "CASE WHEN age_null THEN 'age_missing' "
            "WHEN age_num IS NULL OR NOT isfinite(age_num) THEN 'age_invalid' "
            f"WHEN age_num < 0 OR age_num > {MAX_AGE} THEN 'age_out_of_range' END"
        )
        parts["age_key"] = (
            "CASE WHEN age_problem IS NULL THEN CAST(least(floor(age_num / 5), 18) AS INTEGER) END"
        )
        parts["age_join"] = "b.band_index = g.age_key"
    else:
        a, t = col("age_band")
        parts.update(
            age_num="CAST(NULL AS DOUBLE)",
            age_text=f"CAST({a} AS VARCHAR)",
            age_null=_null_check(a, t),
        )
        parts["age_problem"] = "CASE WHEN age_null THEN 'age_missing' END"
        parts["age_key"] = (
            "CASE WHEN age_problem IS NULL THEN "
            "replace(replace(trim(age_text), ' ', ''), '\u2013', '-') END"
        )
        parts["age_join"] = "b.label = g.age_key"
    if period is not None:
        d, t = col("date")
        value = f"TRY_CAST({d} AS DATE)"
        if _is_text(t):
            value = f"COALESCE({value}, CAST(TRY_STRPTIME(trim({d}), '%d/%m/%Y') AS DATE))"
        parts.update(
            date_value=value,
            date_text=f"CAST({d} AS VARCHAR)",
            date_null=_null_check(d, t),
            date_problem=(
                "CASE WHEN date_null THEN 'date_missing' "
                "WHEN date_value IS NULL THEN 'date_invalid' "
                f"WHEN date_value < DATE '{period.start.isoformat()}' "
                f"OR date_value > DATE '{period.end.isoformat()}' THEN 'date_outside_period' END"
            ),
        )
    else:  # no period: dates are not read
        parts.update(
            date_value="CAST(NULL AS DATE)",
            date_text="CAST(NULL AS VARCHAR)",
            date_null="FALSE",
            date_problem="CAST(NULL AS VARCHAR)",
        )
    return AGGREGATE_SQL.format(**parts)
