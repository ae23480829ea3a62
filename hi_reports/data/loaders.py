"""Find, read and cache the reference datasets of the catalogue.

The data folder is the one named (``data_dir``), else the environment variable
``HI_REPORTS_DATA``, else a per-user data folder (platformdirs). Files are found in it by name, in
any subfolder. The data folder may be read-only: parsed tables are cached as Parquet in a separate
cache folder (``HI_REPORTS_CACHE``, else the per-user cache folder), keyed by the source file's
sha256, so a revised file is re-read.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import platformdirs

from hi_reports.data.boundaries import read_boundaries
from hi_reports.data.catalogue import Column, Dataset, get_dataset
from hi_reports.data.columns import match_columns
from hi_reports.errors import DataError, HIReportsWarning

APP = "hi-reports"
#: Bump when the parsed layout changes in a way the catalogue entry does not show (cache files are
#: also keyed by the catalogue entry itself: see _reading).
CACHE_SCHEMA = 1
STATUS_HINT = "run `hi-reports data status --data-dir DIR` to see what is found and what is missing"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder: ``explicit``, else ``$HI_REPORTS_DATA``, else the per-user folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("HI_REPORTS_DATA")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP))


def existing_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Like :func:`data_dir`, but a folder the user named (``explicit`` or ``$HI_REPORTS_DATA``)
    must exist: a mistyped path is an error, never a new empty folder. The per-user default may be
    absent (missing datasets are then fetched into it).

    Raises
    ------
    DataError
        When the named folder does not exist or is not a folder.
    """
    folder = data_dir(explicit)
    named = bool(explicit) or bool(os.environ.get("HI_REPORTS_DATA"))
    if named and not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        source = "" if explicit else " ($HI_REPORTS_DATA)"
        raise DataError(
            f"the data folder {folder}{source} {what}",
            hint="check the path, or make the folder and fill it with `hi-reports data fetch "
            f"--data-dir {folder}`",
            path=folder,
        )
    return folder


def cache_dir() -> Path:
    """Return the cache folder: ``$HI_REPORTS_CACHE``, else the per-user cache folder."""
    env = os.environ.get("HI_REPORTS_CACHE")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP))


def index_files(root: Path) -> dict[str, list[Path]]:
    """Map each file name (lower case) under ``root``, in any subfolder but hidden ones, to its
    paths. Linked folders are followed (a data folder of links to a shared drive), each once."""
    found: dict[str, list[Path]] = {}
    if not root.is_dir():
        return found
    seen: set[str] = set()
    for folder, folders, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:  # a link back to a folder walked already
            folders[:] = []
            continue
        seen.add(real)
        folders[:] = [f for f in folders if not f.startswith(".")]  # e.g. a download in progress
        for name in files:
            found.setdefault(name.lower(), []).append(Path(folder) / name)
    return found


def find_file(
    dataset: Dataset, root: Path, index: dict[str, list[Path]] | None = None
) -> Path | None:
    """Return the path of ``dataset``'s file under ``root``, or None when it is not there.

    Raises
    ------
    DataError
        When the folder holds more than one file the dataset could be read from (two copies of
        one name in different subfolders, or two of its accepted names), naming both: which one
        is meant cannot be guessed, and an older copy would give other numbers.
    """
    index = index_files(root) if index is None else index
    paths = sorted(
        path
        for name in dict.fromkeys(n.lower() for n in dataset.filenames)
        for path in index.get(name, [])
    )
    if len(paths) > 1:
        raise DataError(
            f"dataset {dataset.name!r}: {len(paths)} files under {root} could be it: "
            + " and ".join(str(p) for p in paths[:3])
            + (" ..." if len(paths) > 3 else ""),
            hint="keep one (move the others out of the data folder, or into a folder whose name "
            "starts with '.')",
            path=paths[0],
        )
    return paths[0] if paths else None


#: Fetches a dataset missing from the data folder: given the dataset and the folder, it returns the
#: file it placed there, or None where there is nowhere to fetch the dataset from; a download that
#: fails raises a :class:`DataError` saying why.
Fetcher = Callable[[Dataset, Path], Path | None]

_fetchers: list[Fetcher] = []


@contextmanager
def fetching(fetcher: Fetcher) -> Iterator[None]:
    """Within this block, :func:`require_file` and :func:`require_files` hand each dataset they
    do not find to ``fetcher`` (the innermost block's).

    :func:`hi_reports.data.fetch.fetching_missing` gives one that downloads the file.
    """
    _fetchers.append(fetcher)
    try:
        yield
    finally:
        _fetchers.remove(fetcher)


def _find_or_fetch(
    dataset: Dataset, root: Path, index: dict[str, list[Path]] | None
) -> tuple[Path | None, str | None]:
    """The dataset's file, fetched when it is missing and a fetcher is on; else None, and why
    the download failed (None when none was tried or there was nowhere to fetch from)."""
    path = find_file(dataset, root, index)
    if path is not None or not _fetchers:
        return path, None
    try:
        return _fetchers[-1](dataset, root), None
    except DataError as error:
        return None, error.message


def _missing(dataset: Dataset, root: Path, reason: str | None) -> DataError:
    """The error for a dataset missing from ``root``; ``reason``: why fetching it failed."""
    if reason is None:
        return DataError(
            f"dataset {dataset.name!r} ({dataset.title}) is missing: expected a file named "
            f"{dataset.filename} anywhere under {root}",
            hint=f"{dataset.add_hint}; {STATUS_HINT}",
            path=root / dataset.filename,
        )
    return DataError(
        f"dataset {dataset.name!r} ({dataset.title}) is missing from {root} (no file named "
        f"{dataset.filename}) and could not be fetched: {reason}",
        hint=f"{dataset.add_hint}; run `hi-reports data status` to see what is missing",
        path=root / dataset.filename,
    )


def require_file(dataset: Dataset, root: Path, index: dict[str, list[Path]] | None = None) -> Path:
    """Like :func:`find_file`, but a missing file is fetched where fetching is on (see
    :func:`fetching`), else a :class:`DataError` saying what to do."""
    path, reason = _find_or_fetch(dataset, root, index)
    if path is None:
        raise _missing(dataset, root, reason)
    return path


def require_files(
    datasets: list[Dataset], root: Path, index: dict[str, list[Path]] | None = None
) -> dict[str, Path]:
    """:func:`require_file` for several datasets: each missing one is fetched (where fetching is
    on) before any error is raised, and one error then names every dataset still missing.

    Returns
    -------
    dict
        Dataset name -> its file.

    Raises
    ------
    DataError
        One line listing the datasets missing (and why the first could not be fetched).
    """
    index = index_files(root) if index is None else index
    found: dict[str, Path] = {}
    failed: list[tuple[Dataset, DataError, str | None]] = []
    for dataset in datasets:
        try:
            path, reason = _find_or_fetch(dataset, root, index)
        except DataError as error:  # two files could be the dataset's: named with the others
            failed.append((dataset, error, None))
            continue
        if path is None:
            failed.append((dataset, _missing(dataset, root, reason), reason))
        else:
            found[dataset.name] = path
    if len(failed) == 1:
        raise failed[0][1]
    if failed:
        names = ", ".join(f"{d.name} ({d.filename})" for d, _, _ in failed)
        reason = failed[0][2]
        raise DataError(
            f"{len(failed)} datasets are missing from {root}: {names}"
            + (f"; fetching them failed ({reason})" if reason else ""),
            hint="if you have the files, give their folder as the data folder or in "
            "HI_REPORTS_DATA; else connect to the internet, set HI_REPORTS_MIRROR to an internal "
            "copy, or download each and run `hi-reports data add ID FILE` (`hi-reports data "
            "status` lists their pages)",
            path=root,  # no option: the data are missing, the folder (given or not) is not wrong
        )
    return found


def stat_key(path: Path) -> tuple[str, int, int, int]:
    """What says a file is unchanged since it was last read, without reading it: its real path,
    inode, size and modification time in nanoseconds (as git's index does)."""
    found = os.stat(path)
    return os.path.realpath(path), found.st_ino, found.st_size, found.st_mtime_ns


#: sha256 of the files hashed in this process, by :func:`stat_key`: an edition hashes the same
#: data files as the one before it (a 60 MB boundary layer takes 0.1 s a time).
_HASHES: dict[tuple[str, int, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """Return the sha256 of a file, read in 1 MiB blocks; a file unchanged since this process
    last hashed it (:func:`stat_key`) is not read again."""
    key = stat_key(path)
    known = _HASHES.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    _HASHES[key] = found = digest.hexdigest()
    return found


def _read_header(path: Path) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle))
    except (OSError, UnicodeDecodeError, StopIteration, csv.Error) as error:
        raise DataError(
            f"{path}: cannot read a CSV header ({error.__class__.__name__}: {error})",
            hint="check that the file is a CSV exported from the publisher's workbook, UTF-8",
            path=path,
        ) from None


def title_year(table: pd.DataFrame) -> int | None:
    """The year of a lookup's column titles (``ICB25CD``: 2025), where they carry one."""
    return table.attrs.get("title_year")


def _line(frame: pd.DataFrame, position: int) -> int:
    """The file's line number of the row at ``position`` of ``frame``, whose index is the row's
    number among the file's rows (0 for the first under the titles)."""
    return int(frame.index[position]) + 2


def _check_totals(frame: pd.DataFrame, dataset: Dataset, path: Path) -> None:
    """Raise a DataError naming the file, row and key of the first row whose parts do not add up
    to their total (:attr:`~hi_reports.data.catalogue.Dataset.totals`)."""
    for total, parts in dataset.totals:
        sums = frame[list(parts)].sum(axis=1)
        bad = sums.ne(frame[total])
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{path.name}, row {_line(frame, row)} ({frame[dataset.key].iloc[row]}): "
                f"{', '.join(parts)} add up to {sums.iloc[row]:,}, not the {total} "
                f"{frame[total].iloc[row]:,}",
                hint="the parts of a total must add up to it on every row; download the file again",
                path=path,
            )


def _parse_numbers(frame: pd.DataFrame, columns: list[Column], path: Path) -> None:
    for column in columns:
        raw = frame[column.name]
        cleaned = raw.str.replace(",", "", regex=False).str.strip()
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = numbers.isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{path.name}, row {_line(frame, row)}, column {column.name!r}: "
                f"{raw.iloc[row]!r} is not a number",
                hint="fix or remove that row; the publisher's file has no empty cells",
                path=path,
            )
        frame[column.name] = numbers.astype("int64" if column.kind == "int" else "float64")


def _parse_closed(frame: pd.DataFrame, columns: list[Column], path: Path) -> None:
    """An organisation's close date (ODS: ``YYYYMMDD``, blank while open) or status
    (``open``/``closed``), as a bool: True when it has closed."""
    for column in columns:
        raw = frame[column.name].str.strip().str.lower()
        closed = raw.eq("closed") | raw.str.fullmatch(r"\d{8}|\d{4}-\d{2}-\d{2}")
        bad = ~(closed | raw.isin(["", "open"]))
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{path.name}, row {_line(frame, row)}, column {column.name!r}: "
                f"{frame[column.name].iloc[row]!r} is neither a close date (YYYYMMDD) nor "
                "open/closed",
                hint="the ODS file gives a close date, or nothing while the organisation is open",
                path=path,
            )
        frame[column.name] = closed.astype(bool)


def read_dataset(dataset: Dataset, path: Path) -> pd.DataFrame:
    """Read ``path`` in the publisher's format and return the tidy table of ``dataset``.

    Handles a UTF-8 byte-order mark, quoted thousands separators (``"1,296"``) and long column
    titles; keeps only English rows when the dataset says so; rejects empty cells, non-numbers and
    duplicate keys with a :class:`DataError` naming the file, row and column.
    """
    header = _read_header(path)
    mapping = match_columns(dataset, path, header)
    try:
        frame = pd.read_csv(
            path,
            encoding="utf-8-sig",
            usecols=list(mapping),
            dtype=str,
            keep_default_na=False,
        )
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot be read as CSV ({error})", path=path) from None
    frame = frame.rename(columns=mapping)
    flags = [c for c in dataset.columns if c.kind == "closed"]
    for name in frame.columns.difference([c.name for c in flags]):  # a close date may be blank
        empty = frame[name].str.strip() == ""
        if empty.any():
            row = int(empty.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{path.name}, row {row + 2}, column {name!r}: empty cell",
                hint="the publisher's file has no empty cells; download it again",
                path=path,
            )
    key = dataset.key
    frame[key] = frame[key].str.strip()
    if dataset.england_prefix:  # the index stays the row's number in the file, for messages
        frame = frame[frame[key].str.startswith(dataset.england_prefix)].copy()
    numeric = [c for c in dataset.columns if c.kind in ("int", "float")]
    numeric += [Column(name, (), "int") for name in dataset.extra]
    _parse_numbers(frame, numeric, path)
    _parse_closed(frame, flags, path)
    _check_totals(frame, dataset, path)
    if dataset.collapse_repeats:  # one row per Output Area in the publisher's file
        frame = frame.drop_duplicates(ignore_index=True)
    unique = list(dataset.unique or (key,))
    duplicated = frame.duplicated(unique)
    if duplicated.any():
        rows = frame.loc[duplicated, unique].head(3).astype(str).agg(" ".join, axis=1).tolist()
        raise DataError(
            f"{path.name}: {int(duplicated.sum())} duplicate rows of {' and '.join(unique)}, "
            f"e.g. {', '.join(rows)}",
            hint="each must appear once",
            path=path,
        )
    order = [c.name for c in dataset.columns] + list(dataset.extra)
    frame = frame[order].reset_index(drop=True)
    yearly = {c.name for c in dataset.columns if any("##" in a for a in c.aliases)}
    years = {
        title: int(m.group(1))
        for title, name in mapping.items()
        if name in yearly and (m := re.search(r"(\d\d)(?:CDH?|NM)$", title.strip()))
    }
    if len(set(years.values())) > 1:
        raise DataError(
            f"{path.name}: columns of different years ({', '.join(sorted(years))})",
            hint="use one ONS lookup release, whose code and name columns are all of one year",
            path=path,
        )
    if years:
        frame.attrs["title_year"] = 2000 + next(iter(years.values()))
    return frame


@dataclass(frozen=True)
class Loaded:
    """A dataset read from the data folder, with where it came from."""

    dataset: Dataset
    path: Path
    sha256: str
    table: pd.DataFrame


def load(
    name: str,
    root: str | os.PathLike[str] | None = None,
    index: dict[str, list[Path]] | None = None,
) -> Loaded:
    """Load one dataset by catalogue name, through the Parquet cache.

    Parameters
    ----------
    name
        A catalogue name, e.g. ``"imd2019"``.
    root
        The data folder (see :func:`data_dir`).
    index
        A file index from :func:`index_files`, to avoid walking the folder again.
    """
    dataset = get_dataset(name)
    return read_cached(dataset, require_file(dataset, data_dir(root), index))


def _reading(dataset: Dataset) -> str:
    """A short hash of how ``dataset`` is read (its columns, rows kept and schema), so that a
    cached table is never reused by a version of the package that reads the file differently."""
    spec = (
        CACHE_SCHEMA,
        dataset.columns,
        dataset.extra,
        dataset.key,
        dataset.england_prefix,
        dataset.unique,
        dataset.collapse_repeats,
        dataset.geometry,
        *((dataset.totals,) if dataset.totals else ()),  # the other datasets' caches stay valid
    )
    return hashlib.sha256(repr(spec).encode()).hexdigest()[:8]


def read_cached(dataset: Dataset, path: Path) -> Loaded:
    """Read ``path`` as ``dataset`` through the Parquet cache, keyed by the file's sha256."""
    try:
        sha = file_sha256(path)
    except OSError as error:
        raise DataError(
            f"dataset {dataset.name!r}: cannot read {path} ({error.strerror})",
            hint=STATUS_HINT,
            path=path,
        ) from None
    cached = cache_dir() / f"{dataset.name}-{sha[:20]}-{_reading(dataset)}.parquet"
    if cached.is_file():
        try:
            return Loaded(dataset, path, sha, read_parquet(cached, dataset.geometry))
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    table = read_source(dataset, path)
    write_cache(table, cached)
    return Loaded(dataset, path, sha, table)


def read_source(dataset: Dataset, path: Path) -> pd.DataFrame:
    """Read ``path`` as ``dataset`` from the publisher's format, without the cache: CSV, or
    GeoJSON for boundaries (a GeoDataFrame)."""
    if dataset.geometry:
        boundaries: pd.DataFrame = read_boundaries(dataset, path)  # a GeoDataFrame
        return boundaries
    return read_dataset(dataset, path)


def read_parquet(path: Path, geometry: bool = False) -> pd.DataFrame:
    """Read a cached table; ``geometry``: a GeoParquet file, read as a GeoDataFrame."""
    if geometry:
        import geopandas  # slow to import: only where boundaries are read

        frame: pd.DataFrame = geopandas.read_parquet(path)  # a GeoDataFrame
        return frame
    return pd.read_parquet(path)


def write_cache(table: pd.DataFrame, target: Path) -> None:
    """Write ``table`` to ``target`` atomically (a GeoDataFrame as GeoParquet); an unwritable cache
    only costs speed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
            temp = Path(tmp.name)
        table.to_parquet(temp, index=False)
        os.replace(temp, target)
    except OSError as error:
        warnings.warn(
            f"cannot write the cache {target} ({error}); set HI_REPORTS_CACHE to a writable folder",
            HIReportsWarning,
            stacklevel=3,
        )
