"""Shared fixtures: the real open data in ../shared/data, loaded once, and one edition built once."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _data_dir() -> Path:
    env = os.environ.get("HI_REPORTS_DATA")
    return Path(env) if env else PROJECT.parent / "shared" / "data"


DATA_DIR = _data_dir()


def need_tool(name: str) -> str:
    """Return the path of a command-line tool; skip without it locally, fail without it in CI."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must install it")
        pytest.skip(message)
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


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real open data (../shared/data or $HI_REPORTS_DATA)."""
    if not (DATA_DIR / "PROVENANCE.md").exists() and not any(DATA_DIR.rglob("*.csv")):
        pytest.fail(f"no reference data in {DATA_DIR}; set HI_REPORTS_DATA")
    return DATA_DIR


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

    from hi_reports.edition import EditionRequest, build_edition

    out = tmp_path_factory.mktemp("editions")
    request = EditionRequest(
        org="QHL", out=out, formats=("html", "pdf", "docx"), engine="builtin", date=dt.date(2026, 11, 25)
    )
    return build_edition(request, data_dir=data_dir)
