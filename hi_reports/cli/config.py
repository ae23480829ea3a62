"""The ``--config`` file and the activity options of the command line: read, checked, and turned
into the pipeline's activity measures and front matter before any data are read."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from hi_reports.errors import DataError, TemplateError, UsageError
from hi_reports.front import Front, logo_problem, read_front

if TYPE_CHECKING:  # the pipeline is imported on use: `--help` and a bare batch need not load it
    from hi_reports.pipeline import ActivitySpec


def activity_specs(args: argparse.Namespace) -> tuple[ActivitySpec, ...]:
    """The activity measures the command line asks for, in order: --config, --activity, demo.

    They are checked before any data are read (names, files, periods, column mappings; see
    :func:`hi_reports.pipeline.check_activity_specs`), and refused for a vintage without
    residents by single year of age.
    """
    described = (
        getattr(args, "measure", None)
        or getattr(args, "columns", None)
        or getattr(args, "period", None)
    )
    if described and not getattr(args, "activity", None):
        raise UsageError("--measure, --columns and --period describe an --activity FILE; give one")
    specs = list(read_config_file(args.config).activity) if getattr(args, "config", None) else []
    if (
        not specs
        and not getattr(args, "activity", None)
        and not getattr(args, "demo_activity", False)
    ):
        return ()  # no activity: nothing of the pipeline is needed to check
    from hi_reports.data.vintage import get_vintage
    from hi_reports.pipeline import ActivitySpec, check_activity_specs

    if getattr(args, "activity", None):
        if not args.measure:
            raise UsageError('--activity needs --measure, e.g. --measure "Emergency admissions"')
        specs.append(ActivitySpec(args.measure, args.activity, args.columns, args.period))
    if getattr(args, "demo_activity", False):
        specs.append(ActivitySpec("Emergency admissions", demo=True))
    check_activity_specs(specs)
    vintage = get_vintage(args.vintage)
    if not vintage.single_year_ages:
        raise UsageError(
            f"activity data need residents by single year of age; --vintage {vintage.name} has "
            f"{vintage.sources.population} only: add activity to editions of --vintage 2019"
        )
    return tuple(specs)


def front_matter(args: argparse.Namespace) -> Front | None:
    """The board paper's front matter the ``--config`` file gives (a
    :class:`hi_reports.front.Front`), or None."""
    config: Path | None = getattr(args, "config", None)
    return read_config_file(config).front if config is not None else None


#: The keys of a config file, and of each of its ``activity:`` entries.
CONFIG_KEYS = ("activity", "unsafe_counts", "front")
ENTRY_KEYS = ("file", "measure", "columns", "period")


def _unknown_keys(where: str, keys: list[str], valid: tuple[str, ...]) -> str:
    """``where`` has unknown keys: which, the valid ones, and the closest match of each."""
    close = {k: difflib.get_close_matches(k, valid, n=1, cutoff=0.6) for k in keys}
    suggest = "; ".join(f"did you mean {m[0]!r} for {k!r}?" for k, m in close.items() if m)
    return (
        f"{where} has unknown key{'s' if len(keys) > 1 else ''} {', '.join(map(repr, keys))}"
        + (f" ({suggest})" if suggest else "")
        + f"; valid keys: {', '.join(valid)}"
    )


def _yaml_problem(error: Exception) -> str:
    """A YAML error on one line: where and what."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return where + " ".join(str(problem).split())


@dataclass(frozen=True)
class ConfigFile:
    """What a ``--config`` file asks for: activity measures and a board paper's front matter."""

    activity: tuple[ActivitySpec, ...] = ()
    #: The front matter, its logo an absolute path; None where the file has no ``front:``.
    front: Front | None = None


def read_config_file(path: Path) -> ConfigFile:
    """Read a project config file (YAML): its ``activity:`` list and ``front:`` mapping; paths
    (activity files, the logo) are relative to it.

    A top-level ``unsafe_counts: true`` asks for true counts for every measure (internal use only).
    ``front:`` holds the board paper's front matter (``classification``, ``version``, ``author``,
    ``contact``, ``purpose``, ``logo``).

    Raises
    ------
    DataError
        One line naming the file (and entry) for a file that is missing, not YAML, empty, not a
        mapping, has an unknown key (with the valid ones and the closest match), or an entry
        without ``file:`` and ``measure:`` or with a value of the wrong type.
    """
    import yaml

    from hi_reports.data.activity import column_mapping
    from hi_reports.pipeline import ActivitySpec

    def fail(message: str, hint: str | None = "see the README's activity section") -> NoReturn:
        raise DataError(f"config file {path}: {message}", hint=hint, path=path)

    if not path.is_file():
        fail(
            "is a folder, not a file" if path.is_dir() else "not found",
            hint="check the --config path",
        )
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        fail("is not UTF-8 text")
    except OSError as error:
        fail(f"cannot be read ({error.strerror})")
    except yaml.YAMLError as error:
        fail(f"is not valid YAML ({_yaml_problem(error)})")
    example = (
        "activity: [{file: admissions.csv, measure: Emergency admissions}] or "
        "front: {classification: OFFICIAL}"
    )
    if isinstance(config, dict) and isinstance(
        config.get("hi-reports"), dict
    ):  # a book's _quarto.yml
        config = {k: v for k, v in config["hi-reports"].items() if k in CONFIG_KEYS}
    if config is None:
        fail("is empty; it needs an `activity:` list or a `front:` mapping", hint=f"e.g. {example}")
    if not isinstance(config, dict):
        fail(
            "must be a mapping with an `activity:` list or a `front:` mapping, not a "
            f"{_yaml_type(config)}",
            hint=f"e.g. {example}",
        )
    unknown = [str(k) for k in config if k not in CONFIG_KEYS]
    if unknown:
        fail(_unknown_keys("the file", unknown, CONFIG_KEYS))
    if config.get("unsafe_counts", False) not in (True, False):
        fail(f"`unsafe_counts:` must be true or false, not {config['unsafe_counts']!r}")
    front = _front(config.get("front"), path, fail)
    if "activity" not in config and "front" in config:
        return ConfigFile((), front)
    entries = config.get("activity")
    if not isinstance(entries, list) or not entries:
        fail(
            "`activity:` must be a list of measures, "
            + ("not empty" if isinstance(entries, list) else f"not a {_yaml_type(entries)}"),
            hint=f"e.g. {example}",
        )
    specs: list[ActivitySpec] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            fail(
                f"activity entry {number} must be a mapping like {{file: ..., measure: ...}}, "
                f"not a {_yaml_type(entry)}"
            )
        unknown = [str(k) for k in entry if k not in ENTRY_KEYS]
        if unknown:
            fail(_unknown_keys(f"activity entry {number}", unknown, ENTRY_KEYS))
        if not entry.get("file") or not entry.get("measure"):
            fail(
                f"activity entry {number} needs `file:` and `measure:`",
                hint="e.g. - {file: admissions.parquet, measure: Emergency admissions}",
            )
        for key in ("file", "measure", "period"):
            value = entry.get(key)
            if value is not None and (
                not isinstance(value, (str, int, float)) or isinstance(value, bool)
            ):
                fail(f"activity entry {number}: `{key}:` must be text, not a {_yaml_type(value)}")
        columns = entry.get("columns")
        if (
            columns is not None
            and not isinstance(columns, str)
            and not (
                isinstance(columns, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in columns.items())
            )
        ):
            fail(
                f"activity entry {number}: `columns:` must map our column names to yours, not "
                f"{columns!r}",
                hint="e.g. columns: {lsoa_code: LSOA11, age: AgeOnAdmission}",
            )
        try:
            column_mapping(columns)
        except DataError as error:
            fail(f"activity entry {number}: {error.message}", hint=error.hint)
        specs.append(
            ActivitySpec(
                str(entry["measure"]),
                (path.parent / str(entry["file"])).resolve(),
                columns,
                None if entry.get("period") is None else str(entry["period"]),
                unsafe_counts=config.get("unsafe_counts") is True,
            )
        )
    return ConfigFile(tuple(specs), front)


class _Fail(Protocol):
    """How :func:`read_config_file` refuses its file: a message, and a hint."""

    def __call__(self, message: str, hint: str | None = ...) -> NoReturn: ...


def _front(value: Any, path: Path, fail: _Fail) -> Front:
    """The ``front:`` mapping of a config file, checked, its logo made absolute and checked to be
    an image file."""
    try:
        front = read_front(value, "`front:`")
    except TemplateError as error:
        fail(error.message, hint=f"{error.hint}; see the README's Board papers section")
    if front.logo is None:
        return front
    logo = (path.parent / front.logo).resolve()
    problem = logo_problem(logo)
    if problem:
        fail(
            f"`front: logo:` {front.logo} {problem}",
            hint="paths are relative to the config file; see the README's Board papers section",
        )
    return dataclasses.replace(front, logo=str(logo))


def _yaml_type(value: Any) -> str:
    """What a YAML value is, in words."""
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "empty value"
    return "number" if isinstance(value, (int, float)) else type(value).__name__
