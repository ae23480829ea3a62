"""Shared fixtures: the real open data in ../shared/data, loaded once, and one edition built once.

A clone of the repository has no ../shared beside it: the tests that need the real data or the PHE
fixtures then skip, each with one line saying how to get them (:func:`missing`), except under
``CI=true``, where a missing input is a failure. The end-to-end tests on the committed synthetic
data (``tests/synthetic/``, ``tests/test_synthetic.py``) need neither.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _data_dir() -> Path:
    env = os.environ.get("HI_REPORTS_DATA")
    return Path(env) if env else PROJECT.parent / "shared" / "data"


DATA_DIR = _data_dir()

#: How to get the real open data, said once by every test that skips without them.
DATA_HINT = (
    "set HI_REPORTS_DATA to a folder made by `hi-reports data fetch` (or clone beside ../shared)"
)


def in_ci() -> bool:
    """True under continuous integration (``CI=true``, as GitHub Actions sets it), where a missing
    input of the tests is a failure rather than a skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def missing(message: str) -> NoReturn:
    """Skip the current test because an input is missing; under ``CI=true``, fail it instead.

    Parameters
    ----------
    message
        One line: what is missing, where it was looked for and how to get it.
    """
    if in_ci():
        pytest.fail(f"{message} (CI=true: required)", pytrace=False)
    pytest.skip(message)


def has_real_data(folder: Path = DATA_DIR) -> bool:
    """Whether a folder holds the real open data.

    Parameters
    ----------
    folder
        The data folder (default: ``$HI_REPORTS_DATA``, else ``../shared/data``).

    Returns
    -------
    bool
        True when IMD 2019 File 1 is found in it by name, as the loaders find files.
    """
    return folder.is_dir() and any(
        folder.rglob("File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv")
    )


def need_real_data() -> Path:
    """The folder of real open data; skip (fail under ``CI=true``) when it is absent."""
    if not has_real_data():
        missing(f"real open data not found in {DATA_DIR}: {DATA_HINT}")
    return DATA_DIR


#: The committed synthetic data: a made-up country of 320 LSOAs in the publishers' layouts (made by
#: ``tests/synthetic/make.py``), for the end-to-end tests that need no ../shared.
SYNTHETIC_DATA = PROJECT / "tests" / "synthetic" / "data"

#: The catalogue's datasets of vintage 2019 that the synthetic set supplies.
SYNTHETIC_DATASETS = (
    "imd2019", "iod2019_domains", "iod2019_denominators", "population2020", "ruc2011",
    "lsoa_icb_lookup", "lsoa_msoa_lookup", "trust_catchment", "trust_names",
    "lsoa11_lsoa21_lookup", "census2021_ethnicity", "lsoa11_boundaries",
)  # fmt: skip


def synthetic_file(name: str) -> Path:
    """The synthetic set's file of a catalogue dataset: the first of the catalogue's accepted
    names it has (the census ethnic groups come under Nomis's name), else the catalogue's."""
    from hi_reports.data import get_dataset

    dataset = get_dataset(name)
    found = [SYNTHETIC_DATA / n for n in dataset.filenames if (SYNTHETIC_DATA / n).is_file()]
    return found[0] if found else SYNTHETIC_DATA / dataset.filename


def need_tool(name: str) -> str:
    """Return the path of a command-line tool; skip without it locally, fail without it in CI."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed (apt-get install poppler-utils)")
    return path


@pytest.fixture(scope="session", autouse=True)
def _no_internet() -> Iterator[None]:
    """Tests never reach the internet: a name other than this machine's does not resolve, so a
    test that would download from a publisher fails instead (the stand-ins are on 127.0.0.1)."""
    resolve = socket.getaddrinfo

    def local_only(host, *args, **kwargs):  # socket.getaddrinfo's signature
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise socket.gaierror(f"tests do not reach the internet ({host})")
        return resolve(host, *args, **kwargs)

    socket.getaddrinfo = local_only
    yield
    socket.getaddrinfo = resolve


@pytest.fixture(scope="session", autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Parse the reference data into a cache of this test session, not the user's."""
    os.environ["HI_REPORTS_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder made from the synthetic files with `hi-reports data add`, one per dataset."""
    from hi_reports.cli.main import main

    downloads = tmp_path_factory.mktemp("downloads")
    folder = tmp_path_factory.mktemp("synthetic-data")
    for name in SYNTHETIC_DATASETS:
        copy = downloads / synthetic_file(name).name
        shutil.copyfile(synthetic_file(name), copy)
        assert main(["data", "add", name, str(copy), "--data-dir", str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real open data (../shared/data or $HI_REPORTS_DATA); tests that use it skip
    without it (fail under ``CI=true``)."""
    return need_real_data()


@pytest.fixture(scope="session")
def reference(data_dir: Path):
    """The reference data, loaded and checked once."""
    from hi_reports.data import load_reference

    return load_reference(data_dir)


@pytest.fixture(scope="session")
def icb_profiles(reference):
    """Profiles of the 42 ICBs and England."""
    from hi_reports.geography import membership
    from hi_reports.indicators import compute_profiles

    return compute_profiles(reference, membership(reference, "icb"))


@pytest.fixture(scope="session")
def edition(tmp_path_factory: pytest.TempPathFactory, data_dir: Path):
    """The Birmingham and Solihull ICB edition (QHL), built once by the builtin engine."""
    import datetime as dt

    from hi_reports.pipeline import EditionRequest, build_edition

    out = tmp_path_factory.mktemp("editions")
    request = EditionRequest(
        org="QHL",
        out=out,
        formats=("html", "pdf", "docx", "brief"),
        engine="builtin",
        date=dt.date(2026, 11, 25),
    )
    return build_edition(request, data_dir=data_dir)
