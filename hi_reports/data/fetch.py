"""Fetch the reference datasets from their publishers or a mirror, verify them, register them.

``hi-reports data fetch|verify|add`` and the build's fetching of a missing dataset use this module.
A file is downloaded with pooch (progress bar, download to a temporary file) into a hidden staging
folder inside the data folder, checked against the sha256 the catalogue knows, unpacked (ZIP member,
XLSX sheet) and parsed by the dataset's loader, and only then moved into the data folder under the
catalogue's file name: an interrupted, corrupt or unreadable download leaves the folder as it was.

Which hash a file must have:

- from a mirror (``mirror``, else ``HI_REPORTS_MIRROR``: ``URL/<catalogue file name>``), the
  catalogue's ``sha256``, the hash of the reference copy;
- from the publisher, the catalogue's ``download_sha256`` where the publisher's file is fixed and
  known. Where it is not, the file is accepted if it parses, and its hash recorded;
- a file added by hand (``hi-reports data add``) is accepted if it parses; its hash is recorded,
  and said to match the reference copy or not.

Every file fetched or added is recorded in the data folder's registry (see
:mod:`hi_reports.data.registry`), and ``verify`` re-checks each present file against its registered
hash, else the catalogue's.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import pandas as pd
import pooch
import requests
from python_calamine import CalamineError

from hi_reports.data.arcgis import ArcGISDownloader
from hi_reports.data.catalogue import CATALOGUE, Dataset, get_dataset
from hi_reports.data.loaders import (
    data_dir,
    fetching,
    file_sha256,
    find_file,
    index_files,
    load,
    read_cached,
)
from hi_reports.data.registry import read_registry, record
from hi_reports.errors import DataError

MIRROR_ENV = "HI_REPORTS_MIRROR"
#: Seconds to wait for a server to accept the connection (offline fails fast) and between bytes.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
_STAGING = ".hi-reports-fetch-"


@dataclass(frozen=True)
class Fetched:
    """A dataset file placed in the data folder by :func:`fetch` or :func:`add`.

    ``known`` is True when its sha256 is one the catalogue knows (reference copy or publisher's
    file), False when it is not (recorded in the registry all the same), None when the catalogue
    knows no hash for it.
    """

    dataset: Dataset
    path: Path
    sha256: str
    rows: int
    source: str
    known: bool | None


@dataclass(frozen=True)
class Check:
    """One dataset's result in :func:`verify`."""

    dataset: str
    status: Literal["ok", "mismatch", "unchecked", "missing"]
    path: Path | None = None
    sha256: str | None = None
    expected: str | None = None
    #: Where ``expected`` comes from: "registry" or "catalogue".
    basis: str | None = None


def mirror_url(explicit: str | None = None) -> str | None:
    """The mirror to fetch from: ``explicit``, else ``$HI_REPORTS_MIRROR``, else None."""
    url = explicit or os.environ.get(MIRROR_ENV) or None
    return url.rstrip("/") if url else None


def source_url(dataset: Dataset, mirror: str | None = None) -> str | None:
    """Where ``dataset`` is fetched from: ``<mirror>/<file name>``, else the publisher's file."""
    if mirror:
        return f"{mirror.rstrip('/')}/{quote(dataset.filename)}"
    return dataset.download_url


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """A hidden temporary folder inside the data folder (so the final move is a rename).

    A data folder (and parents) made here is removed again when nothing was installed in it, so a
    failed fetch into a new folder leaves no folder behind.
    """
    created = []  # innermost first
    missing = folder
    while not missing.exists() and missing != missing.parent:
        created.append(missing)
        missing = missing.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=folder))
    except OSError as error:
        raise DataError(
            f"{folder}: cannot write to the data folder ({error.strerror})",
            hint="give a writable data folder, or set HI_REPORTS_DATA to one",
            path=folder,
        ) from None
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for path in created:
            try:
                path.rmdir()  # only when empty: nothing was installed
            except OSError:
                break


def _download(url: str, staging: Path, progress: bool, dataset: Dataset | None = None) -> Path:
    """Download ``url`` into ``staging`` with pooch (``dataset``: a publisher's download, paged
    from its ArcGIS feature service where it has one); a failure is a one-line DataError."""
    pooch.get_logger().setLevel("WARNING")  # hi_reports says what it fetches
    timeout = (CONNECT_TIMEOUT, READ_TIMEOUT)
    downloader: pooch.HTTPDownloader | ArcGISDownloader
    if dataset is not None and dataset.file_format == "arcgis":
        downloader = ArcGISDownloader(
            geometry=dataset.geometry, progressbar=progress, timeout=timeout
        )
    else:
        downloader = pooch.HTTPDownloader(progressbar=progress, timeout=timeout)
    # from a publisher, without the network: a copy of one's own, through a mirror or by hand
    hint = (
        None
        if dataset is None
        else f"set HI_REPORTS_MIRROR to an internal copy of the data, or {dataset.add_hint}"
    )
    try:
        return Path(
            pooch.retrieve(
                url, known_hash=None, fname="download", path=staging, downloader=downloader
            )
        )
    except requests.HTTPError as error:
        response = error.response
        status = (
            f"HTTP {response.status_code} {response.reason}" if response is not None else str(error)
        )
        raise DataError(f"cannot download {url}: {status}", hint=hint, path=url) from None
    except requests.RequestException as error:
        reason = error.__class__.__name__
        raise DataError(
            f"cannot download {url}: {reason} (offline, or the server is down?)",
            hint=hint,
            path=url,
        ) from None


def _add_titles(dataset: Dataset, path: Path, origin: str) -> None:
    """Give a CSV without a title row (the publisher's, e.g. ODS's etr.csv) the catalogue's
    ``headers`` for its first columns, in place."""
    try:
        table = pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            encoding_errors="replace",
        )
    except (ValueError, OSError) as error:
        raise DataError(
            f"{origin}: cannot be read as CSV ({error})", hint=dataset.add_hint, path=origin
        ) from None
    if table.shape[1] < len(dataset.headers):
        raise DataError(
            f"{origin}: {table.shape[1]} columns, fewer than the {len(dataset.headers)} "
            f"expected ({', '.join(dataset.headers)})",
            hint=dataset.add_hint,
            path=origin,
        )
    names = list(dataset.headers) + [
        f"column {i + 1}" for i in range(len(dataset.headers), table.shape[1])
    ]
    table.columns = names
    table.to_csv(path, index=False)


def _unzip(dataset: Dataset, path: Path, staging: Path, origin: str) -> Path:
    """Extract the dataset's ``member`` from the ZIP ``path`` into ``staging`` with pooch's
    :class:`pooch.Unzip` processor, as :func:`pooch.retrieve` would."""
    member = dataset.member or ""
    pooch.get_logger().setLevel("WARNING")  # hi_reports says what it adds
    # a relative extract_dir is taken relative to the archive's folder, i.e. staging
    unzip = pooch.Unzip(members=[member], extract_dir="unzipped")
    try:
        unzip(str(path), "download", None)
    except zipfile.BadZipFile:
        raise DataError(f"{origin}: not a ZIP file", hint=dataset.add_hint, path=origin) from None
    source = staging / "unzipped" / member
    if not member or not source.is_file():  # pooch extracts nothing for a name it lacks
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        raise DataError(
            f"{origin}: the ZIP has no member {member!r}; it has {', '.join(names[:5])}",
            hint=dataset.add_hint,
            path=origin,
        )
    return source


def _unpack(dataset: Dataset, path: Path, kind: str, staging: Path, origin: str) -> Path:
    """Turn a download (``kind``: csv, geojson, zip or xlsx) into ``staging/<file name>``."""
    target = staging / dataset.filename
    source = path
    if kind == "zip":
        source = _unzip(dataset, path, staging, origin)
        kind = source.suffix.lower().lstrip(".")
        if kind == "csv" and dataset.header_row == 0:
            _add_titles(dataset, source, origin)
    if kind == "xlsx":
        if dataset.sheet is None:
            raise DataError(
                f"{origin}: an XLSX workbook, but {dataset.name} is read from a CSV",
                hint=dataset.add_hint,
                path=origin,
            )
        try:
            table = pd.read_excel(
                source,
                sheet_name=dataset.sheet,
                header=dataset.header_row - 1,
                dtype=str,
                engine="calamine",
            )
        except (ValueError, OSError, KeyError, zipfile.BadZipFile, CalamineError) as error:
            raise DataError(
                f"{origin}: cannot read sheet {dataset.sheet!r} ({error})",
                hint=dataset.add_hint,
                path=origin,
            ) from None
        table.to_csv(target, index=False)
    elif source != target:
        os.replace(source, target)
    return target


def _install(
    dataset: Dataset, staged: Path, folder: Path, source: str, known: bool | None
) -> Fetched:
    """Parse the staged file (filling the Parquet cache), move it into place and register it."""
    try:
        loaded = read_cached(dataset, staged)
    except DataError as error:
        raise DataError(
            f"{source} is not a readable {dataset.name} file ({dataset.title}): {error.message}",
            hint=error.hint,
            path=source,
        ) from None
    target = folder / dataset.filename
    umask = os.umask(0)
    os.umask(umask)
    staged.chmod(0o666 & ~umask)  # pooch's temporary file is private; the data file is not
    os.replace(staged, target)
    record(folder, dataset.name, loaded.sha256, target, source)
    return Fetched(dataset, target, loaded.sha256, len(loaded.table), source, known)


def fetch(
    name: str,
    root: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    progress: bool = True,
) -> Fetched:
    """Download dataset ``name`` into the data folder, verify, unpack and parse it.

    Parameters
    ----------
    name
        A catalogue name, e.g. ``"imd2019"``.
    root
        The data folder (see :func:`hi_reports.data.data_dir`).
    mirror
        Fetch ``<mirror>/<catalogue file name>`` instead of the publisher's file
        (default: ``$HI_REPORTS_MIRROR``).
    progress
        Show a progress bar on stderr (the command line does when stderr is a terminal).

    Raises
    ------
    DataError
        When the download fails (offline, HTTP error), its sha256 is not the catalogue's, or it
        does not parse; the data folder is then left as it was.
    """
    dataset = get_dataset(name)
    folder = data_dir(root)
    mirror = mirror_url(mirror)
    url = source_url(dataset, mirror)
    if url is None:
        raise DataError(
            f"dataset {name!r} ({dataset.title}) has no direct download: the publisher's page is "
            f"{dataset.url}",
            hint=f"set {MIRROR_ENV} to a copy of the data (or give a mirror), or "
            f"{dataset.add_hint}",
            path=dataset.url,
        )
    expected = dataset.sha256 if mirror else dataset.download_sha256
    with _staging(folder) as staging:
        downloaded = _download(url, staging, progress, None if mirror else dataset)
        sha = pooch.file_hash(str(downloaded), alg="sha256")
        if expected is not None and sha != expected:
            raise DataError(
                f"{dataset.filename} downloaded from {url} has sha256 {sha}, not the catalogue's "
                f"{expected}: deleted, {folder} is unchanged",
                hint="the file is corrupt or not the one the catalogue knows; fetch it again, or "
                "check the copy on the server",
                path=url,
            )
        kind = "csv" if mirror else dataset.file_format
        staged = _unpack(dataset, downloaded, kind, staging, url)
        return _install(dataset, staged, folder, url, None if expected is None else True)


def add(
    name: str, file: str | os.PathLike[str], root: str | os.PathLike[str] | None = None
) -> Fetched:
    """Register a file downloaded by hand as dataset ``name``: check it, copy it into the data
    folder.

    The file may be the catalogue's CSV (or GeoJSON) or the publisher's download (an ``.xlsx``
    workbook or ``.zip``, unpacked as :func:`fetch` does). It must parse with the dataset's
    loader; where the publisher's file is fixed (``download_sha256``), a workbook or ZIP must have
    that hash. A file whose hash the catalogue does not know (e.g. the publisher's layout where the
    catalogue has a tidy reference copy) is accepted and its hash recorded for ``verify``.

    Raises
    ------
    DataError
        Naming the file and what is wrong with it; nothing is copied.
    """
    dataset = get_dataset(name)
    path = Path(file).expanduser()
    if not path.is_file():
        raise DataError(f"{path}: no such file", hint=dataset.add_hint, path=path)
    folder = data_dir(root)
    sha = file_sha256(path)
    kind = path.suffix.lower().lstrip(".")
    unpack = kind in ("zip", "xlsx")
    if unpack and dataset.download_sha256 is not None and sha != dataset.download_sha256:
        raise DataError(
            f"{path}: sha256 {sha} is not that of the publisher's file ({dataset.download_sha256})",
            hint=f"download it again from {dataset.download_url}",
            path=path,
        )
    known_hashes = {h for h in (dataset.sha256, dataset.download_sha256) if h}
    known = (sha in known_hashes) if known_hashes else None
    with _staging(folder) as staging:
        copy = staging / f"added.{kind or 'csv'}"
        shutil.copyfile(path, copy)
        staged = _unpack(dataset, copy, kind if unpack else "csv", staging, str(path))
        return _install(dataset, staged, folder, str(path.resolve()), known)


def fetch_all(
    names: Sequence[str] = (),
    root: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    progress: bool = True,
) -> list[tuple[str, Fetched | None]]:
    """Fetch each dataset of ``names`` (default: the whole catalogue) that is not in the folder.

    Returns ``(name, Fetched)`` for each dataset fetched and ``(name, None)`` for each already
    present (those are read into the Parquet cache). With no ``names`` and no mirror, a dataset
    the publisher offers no fixed file for is skipped: :func:`unfetchable` lists those. Stops at
    the first failure.

    Raises
    ------
    DataError
        For a name not in the catalogue (before anything is downloaded; the setting at fault is
        ``id``), or the first dataset that cannot be fetched.
    """
    for name in names:
        get_dataset(name)  # an unknown name fails before anything is downloaded
    folder = data_dir(root)
    index = index_files(folder)
    mirror = mirror_url(mirror)
    done: list[tuple[str, Fetched | None]] = []
    for name in names or list(CATALOGUE):
        dataset = get_dataset(name)
        if find_file(dataset, folder, index) is not None:
            load(name, folder, index)
            done.append((name, None))
        elif names or source_url(dataset, mirror) is not None:
            done.append((name, fetch(name, folder, mirror, progress)))
    return done


def unfetchable(
    root: str | os.PathLike[str] | None = None, mirror: str | None = None
) -> list[Dataset]:
    """Datasets missing from the folder that have nowhere to be fetched from (no mirror, and no
    fixed file at the publisher): they must be downloaded by hand and added."""
    folder = data_dir(root)
    index = index_files(folder)
    mirror = mirror_url(mirror)
    return [
        d
        for d in CATALOGUE.values()
        if source_url(d, mirror) is None and find_file(d, folder, index) is None
    ]


def verify(root: str | os.PathLike[str] | None = None) -> list[Check]:
    """Re-check every dataset file in the data folder against its registered sha256 (the last
    fetched or added), else the catalogue's; list missing datasets and files with no known hash."""
    folder = data_dir(root)
    index = index_files(folder)
    registry = read_registry(folder)
    checks = []
    for name, dataset in CATALOGUE.items():
        path = find_file(dataset, folder, index)
        if path is None:
            checks.append(Check(name, "missing"))
            continue
        sha = file_sha256(path)
        expected: str | None = dataset.sha256
        basis = "catalogue"
        if name in registry:
            expected, basis = registry[name][0], "registry"
        if expected is None:
            checks.append(Check(name, "unchecked", path, sha))
        elif sha == expected:
            checks.append(Check(name, "ok", path, sha, expected, basis))
        else:
            checks.append(Check(name, "mismatch", path, sha, expected, basis))
    return checks


@contextmanager
def fetching_missing(mirror: str | None = None) -> Iterator[None]:
    """Within this block, a dataset the loaders do not find is fetched (from ``mirror``, else
    ``$HI_REPORTS_MIRROR``, else the publisher), saying so on stderr (see
    :func:`hi_reports.data.loaders.fetching`)."""
    with fetching(functools.partial(fetch_missing, mirror=mirror_url(mirror))):
        yield


def fetch_missing(dataset: Dataset, root: Path, mirror: str | None = None) -> Path | None:
    """Fetch a dataset the loaders did not find, from ``mirror`` or the publisher, saying so on
    stderr.

    Returns the new file's path, or None when there is nowhere to fetch it from (no mirror, and
    no fixed file at the publisher).

    Raises
    ------
    DataError
        Saying why the download failed (offline, HTTP error, wrong hash, unreadable); the loaders
        name the dataset and the ``data add`` command.
    """
    url = source_url(dataset, mirror)
    if url is None:
        return None  # no file to fetch: the loaders' error names the page and `data add`
    fetched = fetch(dataset.name, root, mirror, progress=sys.stderr.isatty())
    print(
        f"hi-reports: dataset {dataset.name!r} was missing: fetched {url} into {fetched.path} "
        f"({fetched.rows:,} rows)",
        file=sys.stderr,
    )
    return fetched.path
