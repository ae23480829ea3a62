"""The HTML editions in a real browser (issue 16): every page of a local edition with activity
data (QHL, synthetic), of its single HTML file and of the England edition, opened in one headless
Chromium by ``tests/browser/check.cjs``, has no accessibility violation that axe-core finds (of
any impact), is no wider than a 390 px phone screen, and gives every image alternative text.

Needs Chromium (``apt-get install chromium``; or ``$HI_REPORTS_CHROMIUM``), Node.js and the pinned
npm packages (``npm ci --prefix tests/browser``). Without them the tests skip, saying what is
missing; under ``CI=true`` they fail instead, as ``.ci/run`` installs them.

``$HI_REPORTS_ENGLAND_EDITION`` may name an England edition already built with HTML (``.ci/run``
builds the public one before the tests); otherwise this module builds one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import missing

pytestmark = pytest.mark.slow

BROWSER = Path(__file__).parent / "browser"
CHECK = BROWSER / "check.cjs"
PHONE = 390  # the viewport's width in CSS pixels (check.cjs opens each page at this width)
CHAPTERS = {"index", "intro", "imd", "rural", "plus", "summary", "methods"}
INSTALL = "apt-get install chromium nodejs npm; npm ci --prefix tests/browser"


def _chromium() -> str:
    """The Chromium to drive: ``$HI_REPORTS_CHROMIUM``, else the first on the PATH."""
    named = os.environ.get("HI_REPORTS_CHROMIUM")
    if named:
        if not Path(named).is_file():
            missing(f"HI_REPORTS_CHROMIUM={named} is not a file")
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    missing(f"Chromium is not installed ({INSTALL})")


def _node() -> str:
    """Node.js, with the npm packages of tests/browser installed."""
    node = shutil.which("node")
    if node is None:
        missing(f"Node.js is not installed ({INSTALL})")
    absent = [
        p
        for p in ("puppeteer-core", "axe-core")
        if not (BROWSER / "node_modules" / p / "package.json").is_file()
    ]
    if absent:
        missing(
            f"npm packages {', '.join(absent)} are not installed in tests/browser "
            "(npm ci --prefix tests/browser)"
        )
    return node


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    """Chromium and Node.js, looked for before any edition is built."""
    return _chromium(), _node()


@pytest.fixture(scope="module")
def editions(tools, reference, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The editions to check, by name: the QHL edition with synthetic activity data as HTML pages
    and the single file (only these formats: quick), and the England edition."""
    from hi_reports.pipeline import ActivitySpec, EditionRequest, build_edition

    out = tmp_path_factory.mktemp("browser")
    date = dt.date(2026, 11, 25)
    qhl = build_edition(
        EditionRequest(
            org="QHL",
            out=out,
            formats=("html", "html-single"),
            engine="builtin",
            date=date,
            activity=(ActivitySpec("Emergency admissions", demo=True),),
        ),
        reference=reference,
    )
    england = os.environ.get("HI_REPORTS_ENGLAND_EDITION")
    if england:
        folder = Path(england)
        if not (folder / "html" / "index.html").is_file():
            pytest.fail(f"HI_REPORTS_ENGLAND_EDITION={england} holds no html/index.html")
    else:
        folder = build_edition(
            EditionRequest(org="england", out=out, formats=("html",), engine="builtin", date=date),
            reference=reference,
        ).folder
    return {"QHL": qhl.folder, "england": folder}


@pytest.fixture(scope="module")
def bad_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page with known faults, checked with the others: the checker must report them."""
    page = tmp_path_factory.mktemp("bad") / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Bad</title></head><body><main>"
        '<img src="missing.png"><div style="width:900px">wider than a phone</div>'
        "</main></body></html>",
        encoding="utf-8",
    )
    return page


@pytest.fixture(scope="module")
def checked(tools, editions: dict[str, Path], bad_page: Path) -> dict[str, dict]:
    """Every page checked in one browser session: results by page path (see check.cjs)."""
    chromium, node = tools
    pages = []
    for name, folder in editions.items():
        found = sorted((folder / "html").glob("*.html"))
        assert {p.stem for p in found} == CHAPTERS, f"{name}: pages {[p.name for p in found]}"
        pages += found
    pages.append(editions["QHL"] / "QHL.html")
    pages.append(bad_page)
    proc = subprocess.run(
        [node, str(CHECK), chromium, *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"check.cjs failed:\n{proc.stderr[-3000:]}"
    results = json.loads(proc.stdout)["pages"]
    assert set(results) == {str(p.resolve()) for p in pages}
    return results


def _edition_pages(checked: dict[str, dict], bad_page: Path) -> dict[str, dict]:
    """The results of the editions' pages (not the bad page), by a short name."""
    pages = {path: result for path, result in checked.items() if path != str(bad_page.resolve())}
    assert len(pages) == 2 * len(CHAPTERS) + 1
    return {"/".join(Path(path).parts[-3:]): result for path, result in pages.items()}


def test_the_checker_finds_faults(checked: dict[str, dict], bad_page: Path) -> None:
    """The page with faults fails each check, so a clean result means something."""
    result = checked[str(bad_page.resolve())]
    rules = {v["id"] for v in result["violations"]}
    assert {"html-has-lang", "image-alt"} <= rules, rules
    assert result["width"] > PHONE
    assert result["noAlt"] == ["missing.png"]


def test_no_accessibility_violations(checked: dict[str, dict], bad_page: Path) -> None:
    found = {
        page: [
            f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
            for v in result["violations"]
        ]
        for page, result in _edition_pages(checked, bad_page).items()
    }
    assert {page: v for page, v in found.items() if v} == {}


def test_no_page_is_wider_than_a_phone(checked: dict[str, dict], bad_page: Path) -> None:
    widths = {page: result["width"] for page, result in _edition_pages(checked, bad_page).items()}
    assert {page: w for page, w in widths.items() if w > PHONE} == {}, widths


def test_every_image_has_alt_text(checked: dict[str, dict], bad_page: Path) -> None:
    pages = _edition_pages(checked, bad_page)
    assert {page: r["noAlt"] for page, r in pages.items() if r["noAlt"]} == {}
