"""A catalogue of bad inputs, each run through the command line's ``main`` as a user runs it: a
few through the installed ``hi-reports`` script in a new process (:data:`THROUGH_SCRIPT`), the
others in the test's process with the same arguments, folder and environment.

Every case must end with exit status 2, exactly one line on stderr that names the file, row,
column or option at fault, no traceback, and nothing written: the ``--out`` folder absent (or as
it was), no data folder created, the data folder and the working folder unchanged.

A case is a :class:`Bad`: its arguments (``{data}``: the real data folder, ``{tmp}``: the fresh
working folder of the case, ``{out}``: ``{tmp}/editions``), what it writes first, and the words
its error must hold. Add cases to :data:`CASES`; the output-folder errors (``--out`` a file,
read-only, ``/dev/null``, ``OUT/CODE`` a file or symlink, the edition marker) belong in
:data:`OUTPUT_CASES`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from .conftest import DATA_DIR

SCRIPT = Path(sys.executable).with_name("hi-reports")
#: A mirror on a closed local port: a case that would download fails at once, offline.
CLOSED_MIRROR = "http://127.0.0.1:9"
#: Two LSOAs of Birmingham and Solihull ICB (QHL).
VALID = "lsoa_code,age,date\nE01009000,67,2023-05-02\nE01008947,4,2023-11-19\n"

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Bad:
    """One bad input.

    Attributes
    ----------
    id
        The test id.
    args
        The arguments after ``hi-reports``, with ``{data}``, ``{tmp}`` and ``{out}`` filled in.
    expect
        Words the one line of stderr must hold (the file, row, column or option at fault).
    setup
        Writes the case's files into the working folder before the command runs.
    needs_data
        The case reads the real data (skipped without them, failed in CI); without, the data
        folder of the environment is one that does not exist and must stay so.
    """

    id: str
    args: tuple[str, ...]
    expect: tuple[str, ...]
    setup: tuple[Setup, ...] = field(default=())
    needs_data: bool = True


def text(name: str, content: str | bytes) -> Setup:
    """A setup writing ``content`` to ``name`` in the working folder."""

    def write(tmp: Path) -> None:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return write


def folder(name: str) -> Setup:
    """A setup making the folder ``name``."""
    return lambda tmp: (tmp / name).mkdir(parents=True)


def parquet(name: str, frame: dict[str, list[object]]) -> Setup:
    """A setup writing a Parquet file of the columns ``frame``."""
    return lambda tmp: pd.DataFrame(frame).to_parquet(tmp / name, index=False)


def data_copy(
    *,
    drop: tuple[str, ...] = (),
    extra: dict[str, str] | None = None,
    replace: dict[str, Callable[[Path], bytes]] | None = None,
) -> Setup:
    """A setup making ``{tmp}/data``: the real data folder as symlinks to its files, less the
    files named in ``drop``, with ``extra`` (relative path: real file name) linked again, and the
    files of ``replace`` written from the real file (e.g. truncated)."""

    def make(tmp: Path) -> None:
        target = tmp / "data"
        files = {
            p.name: p
            for p in DATA_DIR.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(DATA_DIR).parts)
        }
        for name, path in files.items():
            if name in drop:
                continue
            link = target / path.relative_to(DATA_DIR)
            link.parent.mkdir(parents=True, exist_ok=True)
            if replace and name in replace:
                link.write_bytes(replace[name](path))
            else:
                link.symlink_to(path)
        for relative, name in (extra or {}).items():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            (target / relative).symlink_to(files[name])

    return make


def truncated(path: Path) -> bytes:
    """The first 2,000 lines of a file, the last cut in the middle."""
    with open(path, "rb") as handle:
        lines = [next(handle) for _ in range(2000)]
    return b"".join(lines)[:-8]


BUILD = ("build", "--org", "QHL", "--data-dir", "{data}", "--out", "{out}")
ACTIVITY = (*BUILD, "--measure", "Emergency admissions", "--activity")
#: An activity option, with no data folder: refused before any data are read.
EARLY = (
    "build",
    "--org",
    "QHL",
    "--out",
    "{out}",
    "--measure",
    "Emergency admissions",
    "--activity",
)


def activity(
    id: str, name: str, content: str | bytes | Setup, *expect: str, extra: tuple[str, ...] = ()
) -> Bad:
    """A case of one activity file."""
    setup = content if callable(content) else text(name, content)
    return Bad(id, (*ACTIVITY, name, *extra), expect, (setup,))


def config(
    id: str, content: str | bytes, *expect: str, files: tuple[Setup, ...] = (), of_file: bool = True
) -> Bad:
    """A case of one config file, ``edition.yml``; its errors come before any data are read and
    name it (``of_file``), or name what it points to."""
    return Bad(
        id,
        ("build", "--org", "QHL", "--out", "{out}", "--config", "edition.yml"),
        ("edition.yml", *expect) if of_file else expect,
        (text("edition.yml", content), *files),
        needs_data=False,
    )


def option(
    id: str,
    args: tuple[str, ...],
    *expect: str,
    setup: tuple[Setup, ...] = (),
    needs_data: bool = False,
) -> Bad:
    """A case of the options; unless ``needs_data``, refused before any data are read."""
    return Bad(id, args, expect, setup, needs_data)


LONG = "Emergency admissions " + "x" * 279

CASES: list[Bad] = [
    # activity files
    activity("activity-missing", "nowhere.csv", folder("other"), "nowhere.csv", "does not exist"),
    activity("activity-directory", "adir", folder("adir"), "adir", "is a folder"),
    activity("activity-empty-file", "empty.csv", "", "empty.csv", "is empty"),
    activity("activity-header-only", "header.csv", "lsoa_code,age\n", "header.csv", "no data rows"),
    activity(
        "activity-wrong-columns",
        "wrong.csv",
        "postcode,years\nB1 1AA,4\n",
        "wrong.csv",
        "lsoa_code",
        "postcode, years",
    ),
    activity(
        "activity-no-age",
        "noage.csv",
        "lsoa_code,sex\nE01009000,F\n",
        "noage.csv",
        "age or age_band",
    ),
    activity(
        "activity-bad-encoding",
        "latin.csv",
        b"lsoa_code,age,note\nE01009000,4,caf\xe9\xff\n",
        "latin.csv",
    ),
    activity(
        "activity-all-lsoa-unknown",
        "unknown.csv",
        "lsoa_code,age\nE01999999,4\nE01999998,5\n",
        "unknown.csv",
        "no usable rows",
        "2 excluded: not an English LSOA",
        "E01999999",
    ),
    activity(
        "activity-all-welsh",
        "wales.csv",
        "lsoa_code,age\nW01000001,4\n",
        "wales.csv",
        "Wales or Scotland",
    ),
    activity(
        "activity-counts-abc",
        "abc.csv",
        "lsoa_code,age,count\nE01009000,4,abc\n",
        "abc.csv",
        "not a number",
        "'abc'",
    ),
    activity(
        "activity-negative-counts",
        "negative.csv",
        "lsoa_code,age,count\nE01009000,4,-3\nE01008947,5,-1\n",
        "negative.csv",
        "2 excluded: count negative",
        "'-3'",
    ),
    activity(
        "activity-fractional-counts",
        "fraction.csv",
        "lsoa_code,age,count\nE01009000,4,1.5\n",
        "fraction.csv",
        "not a whole number",
    ),
    activity(
        "activity-all-zero",
        "zero.csv",
        "lsoa_code,age,count\nE01009000,4,0\nE01008947,5,0\n",
        "zero.csv",
        "2 valid with a count of 0 events",
    ),
    activity(
        "activity-count-missing",
        "blank.csv",
        "lsoa_code,age,count\nE01009000,4,\n",
        "blank.csv",
        "count missing",
    ),
    activity(
        "activity-lsoa-malformed",
        "codes.csv",
        "lsoa_code,age\nBirmingham,4\n",
        "codes.csv",
        "malformed",
        "'Birmingham'",
    ),
    activity(
        "activity-ages-out-of-range",
        "old.csv",
        "lsoa_code,age\nE01009000,150\n",
        "old.csv",
        "age negative or over 120",
        "'150'",
    ),
    activity(
        "activity-age-band-unknown",
        "bands.csv",
        "lsoa_code,age_band\nE01009000,0-9\n",
        "bands.csv",
        "age band not one of",
    ),
    activity(
        "activity-parquet-int-lsoa",
        "int.parquet",
        parquet("int.parquet", {"lsoa_code": [1, 2], "age": [3, 4]}),
        "int.parquet",
        "'lsoa_code'",
        "BIGINT",
    ),
    activity(
        "activity-parquet-corrupt",
        "broken.parquet",
        "this is not parquet\n",
        "broken.parquet",
        "Parquet",
    ),
    activity(
        "activity-unknown-extension",
        "admissions.xlsx",
        "PK\x03\x04",
        "admissions.xlsx",
        "unknown format",
    ),
    activity(
        "activity-columns-mapping-not-found",
        "valid.csv",
        VALID,
        "valid.csv",
        "'LSOA99'",
        extra=("--columns", "lsoa_code=LSOA99"),
    ),
    activity(
        "activity-columns-malformed",
        "valid.csv",
        VALID,
        "--columns",
        "'lsoa_code'",
        extra=("--columns", "lsoa_code"),
    ),
    activity(
        "activity-columns-unknown-name",
        "valid.csv",
        VALID,
        "--columns",
        "'postcode'",
        extra=("--columns", "postcode=PC"),
    ),
    activity(
        "activity-period-without-date",
        "nodate.csv",
        "lsoa_code,age\nE01009000,4\n",
        "nodate.csv",
        "date",
        "2023-24",
        extra=("--period", "2023-24"),
    ),
    activity(
        "activity-dates-outside-period",
        "dates.csv",
        "lsoa_code,age,date\nE01009000,4,2019-05-01\n",
        "dates.csv",
        "date outside the period",
        extra=("--period", "2023-24"),
    ),
    activity(
        "activity-dates-invalid",
        "baddates.csv",
        "lsoa_code,age,date\nE01009000,4,someday\n",
        "baddates.csv",
        "date not a date",
        "'someday'",
        extra=("--period", "2023"),
    ),
    # config files
    config("config-bad-yaml", "activity: [\n", "not valid YAML", "line 2"),
    config("config-list-at-top", "- file: a.csv\n  measure: A\n", "not a list"),
    config(
        "config-unknown-key",
        "activity: []\ntitle: My book\n",
        "unknown key 'title'",
        "valid keys: activity",
    ),
    config(
        "config-activities-typo",
        "activities:\n  - {file: a.csv, measure: A}\n",
        "'activities'",
        "did you mean 'activity'",
    ),
    config("config-empty", "", "is empty"),
    config("config-only-comments", "# nothing yet\n", "is empty"),
    config("config-activity-empty-list", "activity: []\n", "not empty"),
    config("config-activity-not-list", "activity: admissions.csv\n", "must be a list"),
    config(
        "config-entry-not-mapping", "activity: [admissions.csv]\n", "entry 1", "must be a mapping"
    ),
    config(
        "config-entry-unknown-key",
        "activity:\n  - {file: a.csv, measure: A, colums: {age: Age}}\n",
        "entry 1",
        "'colums'",
        "did you mean 'columns'",
    ),
    config(
        "config-columns-list",
        "activity:\n  - {file: valid.csv, measure: A, columns: [1, 2]}\n",
        "entry 1",
        "columns",
        "[1, 2]",
        files=(text("valid.csv", VALID),),
    ),
    config(
        "config-columns-unknown-name",
        "activity:\n  - {file: valid.csv, measure: A, columns: {zip: ZIP}}\n",
        "'zip'",
        files=(text("valid.csv", VALID),),
    ),
    config(
        "config-missing-file-key",
        "activity:\n  - {measure: Emergency admissions}\n",
        "entry 1",
        "needs `file:` and `measure:`",
    ),
    config(
        "config-measure-not-text",
        "activity:\n  - {file: valid.csv, measure: [a, b]}\n",
        "entry 1",
        "`measure:` must be text",
        files=(text("valid.csv", VALID),),
    ),
    config(
        "config-file-does-not-exist",
        "activity:\n  - {file: gone.csv, measure: A}\n",
        "gone.csv",
        "does not exist",
        of_file=False,
    ),
    config(
        "config-duplicate-measures",
        "activity:\n  - {file: valid.csv, measure: A&E attendances}\n"
        "  - {file: valid.csv, measure: A+E attendances}\n",
        "'A&E attendances'",
        "'A+E attendances'",
        "same key",
        files=(text("valid.csv", VALID),),
        of_file=False,
    ),
    config("config-not-utf8", b"activity: caf\xe9\n", "not UTF-8"),
    option(
        "config-not-found",
        ("build", "--org", "QHL", "--out", "{out}", "--config", "missing.yml"),
        "missing.yml",
        "not found",
    ),
    option(
        "config-is-a-folder",
        ("build", "--org", "QHL", "--out", "{out}", "--config", "conf"),
        "conf",
        "is a folder",
        setup=(folder("conf"),),
    ),
    # options
    option(
        "unknown-org",
        ("build", "--org", "QHLL", "--data-dir", "{data}", "--out", "{out}"),
        "'QHLL'",
        "did you mean QHL",
        needs_data=True,
    ),
    option(
        "unknown-org-in-a-list",
        ("build", "--org", "QHL,QHLL", "--data-dir", "{data}", "--out", "{out}"),
        "'QHLL'",
        "nothing was built",
        needs_data=True,
    ),
    option(
        "kind-mismatch-in-a-list",
        ("build", "--org", "QHL,RXK", "--data-dir", "{data}", "--out", "{out}"),
        "'RXK' is not an icb code",
        "a batch builds one kind of organisation, icb here",
        needs_data=True,
    ),
    option(
        "kind-mismatch",
        ("build", "--org", "QHL", "--kind", "trust", "--data-dir", "{data}", "--out", "{out}"),
        "QHL",
        needs_data=True,
    ),
    option(
        "unknown-kind",
        ("build", "--org", "QHL", "--kind", "hospital", "--out", "{out}"),
        "--kind",
        "'hospital'",
    ),
    option(
        "unknown-option", ("build", "--org", "QHL", "--orgs", "QJM", "--out", "{out}"), "--orgs"
    ),
    option("no-org", ("build", "--out", "{out}"), "--org"),
    option("all-with-org", ("build", "--all", "--org", "QHL", "--out", "{out}"), "--all", "--org"),
    option(
        "jobs-for-one-org", ("build", "--org", "QHL", "--jobs", "2", "--out", "{out}"), "--jobs"
    ),
    option("jobs-zero", ("build", "--all", "--jobs", "0", "--out", "{out}"), "--jobs 0"),
    option(
        "jobs-not-a-number",
        ("build", "--all", "--jobs", "two", "--out", "{out}"),
        "--jobs",
        "'two'",
    ),
    option(
        "period-malformed",
        (*EARLY, "valid.csv", "--period", "2023-99"),
        "'2023-99'",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "format-unknown", ("build", "--org", "QHL", "--format", "pdfx", "--out", "{out}"), "'pdfx'"
    ),
    option(
        "format-empty", ("build", "--org", "QHL", "--format", ",", "--out", "{out}"), "--format"
    ),
    option(
        "vintage-unknown",
        ("build", "--org", "QHL", "--vintage", "2021", "--out", "{out}"),
        "--vintage",
        "'2021'",
    ),
    option(
        "vintage-2025-with-activity",
        (*EARLY, "valid.csv", "--vintage", "2025"),
        "--vintage 2025",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "columns-without-activity",
        ("build", "--org", "QHL", "--columns", "age=Age", "--out", "{out}"),
        "--columns",
        "--activity",
    ),
    option(
        "period-without-activity",
        ("build", "--org", "QHL", "--period", "2023-24", "--out", "{out}"),
        "--period",
        "--activity",
    ),
    option(
        "activity-without-measure",
        ("build", "--org", "QHL", "--activity", "valid.csv", "--out", "{out}"),
        "--measure",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "measure-300-characters",
        ("build", "--org", "QHL", "--out", "{out}", "--activity", "valid.csv", "--measure", LONG),
        "300 characters",
        "more than 120",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "measure-line-break",
        (
            "build",
            "--org",
            "QHL",
            "--out",
            "{out}",
            "--activity",
            "valid.csv",
            "--measure",
            "A&E\nattendances",
        ),
        "line break",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "measure-no-letters",
        (
            "build",
            "--org",
            "QHL",
            "--out",
            "{out}",
            "--activity",
            "valid.csv",
            "--measure",
            "$$ ##",
        ),
        "no letter or digit",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "duplicate-measures-config-and-option",
        (
            "build",
            "--org",
            "QHL",
            "--out",
            "{out}",
            "--config",
            "edition.yml",
            "--activity",
            "valid.csv",
            "--measure",
            "A+E attendances",
        ),
        "'A&E attendances'",
        "'A+E attendances'",
        "same key",
        setup=(
            text("valid.csv", VALID),
            text("edition.yml", "activity: [{file: valid.csv, measure: A&E attendances}]\n"),
        ),
    ),
    option(
        "duplicate-measures-with-demo",
        (
            "build",
            "--org",
            "QHL",
            "--out",
            "{out}",
            "--activity",
            "valid.csv",
            "--measure",
            "Emergency admissions",
            "--demo-activity",
        ),
        "'Emergency admissions'",
        "synthetic",
        "same key",
        setup=(text("valid.csv", VALID),),
    ),
    option(
        "engine-unknown",
        ("build", "--org", "QHL", "--engine", "latex", "--data-dir", "{data}", "--out", "{out}"),
        "'latex'",
        needs_data=True,
    ),
    # data folder
    option(
        "data-dir-missing",
        ("build", "--org", "QHL", "--data-dir", "{tmp}/no-such-folder", "--out", "{out}"),
        "the data folder",
        "no-such-folder does not exist",
    ),
    option(
        "data-dir-is-a-file",
        ("build", "--org", "QHL", "--data-dir", "afile", "--out", "{out}"),
        "the data folder afile is not a folder",
        setup=(text("afile", "x"),),
    ),
    option(
        "orgs-data-dir-missing",
        ("orgs", "--data-dir", "{tmp}/no-such-folder"),
        "no-such-folder",
        "does not exist",
    ),
    option(
        "data-duplicate-file",
        ("build", "--org", "QHL", "--data-dir", "{tmp}/data", "--out", "{out}"),
        "'ruc2011'",
        "_archive/ruc11_lsoa11.csv",
        "ruc/ruc11_lsoa11.csv",
        setup=(data_copy(extra={"_archive/ruc11_lsoa11.csv": "ruc11_lsoa11.csv"}),),
        needs_data=True,
    ),
    option(
        "data-truncated-csv",
        ("build", "--org", "QHL", "--data-dir", "{tmp}/data", "--out", "{out}"),
        "ruc11_lsoa11.csv",
        setup=(data_copy(replace={"ruc11_lsoa11.csv": truncated}),),
        needs_data=True,
    ),
    option(
        "data-file-missing-offline",
        ("build", "--org", "QHL", "--data-dir", "{tmp}/data", "--out", "{out}"),
        "'ruc2011'",
        "could not be fetched",
        setup=(data_copy(drop=("ruc11_lsoa11.csv",)),),
        needs_data=True,
    ),
    option(
        "data-file-not-a-csv",
        ("build", "--org", "QHL", "--data-dir", "{tmp}/data", "--out", "{out}"),
        "ruc11_lsoa11.csv",
        setup=(data_copy(replace={"ruc11_lsoa11.csv": lambda p: b"\x00\x01\xff\xfe" * 64}),),
        needs_data=True,
    ),
]


#: Errors of the output folder (--out a file, read-only, /dev/null, OUT/CODE a file or symlink,
#: the edition marker): cases of another part of the work, run by the same test.
def _link(name: str) -> Setup:
    """A setup making ``name`` a symbolic link to the working folder itself."""

    def make(tmp: Path) -> None:
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).symlink_to(tmp)

    return make


def _out(
    id: str, out: str, *expect: str, setup: tuple[Setup, ...] = (), batch: bool = False
) -> Bad:
    org = ("--kind", "icb", "--org", "QHL,QJM") if batch else ("--org", "QHL")
    return Bad(
        id, ("build", *org, "--data-dir", "{data}", "--out", out, "--format", "html"), expect, setup
    )


OUTPUT_CASES: list[Bad] = [
    _out(
        "out-is-a-file", "afile", "the editions folder afile is a file", setup=(text("afile", "x"),)
    ),
    _out("out-is-dev-null", "/dev/null", "the editions folder /dev/null is not a folder"),
    _out(
        "out-under-a-file",
        "afile/sub",
        "the editions folder afile/sub cannot be created",
        setup=(text("afile", "x"),),
    ),
    _out(
        "out-code-is-a-foreign-folder",
        "home",
        "home/QHL exists and is not an edition made by hi-reports",
        setup=(text("home/QHL/thesis.docx", "years of work"),),
    ),
    _out(
        "out-code-is-a-file",
        "home",
        "home/QHL is a file, not an edition folder",
        setup=(text("home/QHL", "a file"),),
    ),
    _out(
        "out-code-is-a-symlink", "home", "home/QHL is a symbolic link", setup=(_link("home/QHL"),)
    ),
    _out(
        "batch-out-is-a-file",
        "afile",
        "the editions folder afile is a file",
        setup=(text("afile", "x"),),
        batch=True,
    ),
]


def _tree(root: Path) -> dict[str, tuple[int, int] | None] | None:
    """Every path under ``root``, with a file's size and modification time (a folder's changes
    when a temporary file came and went); None when ``root`` is absent."""
    if not root.exists():
        return None
    return {
        str(p.relative_to(root)): None
        if p.is_dir() and not p.is_symlink()
        else (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def _real_data() -> Path:
    """The real data folder; skip without it, fail without it in CI."""
    if not (DATA_DIR / "PROVENANCE.md").exists() and not any(DATA_DIR.rglob("*.csv")):
        message = f"no reference data in {DATA_DIR}; set HI_REPORTS_DATA"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must have them)")
        pytest.skip(message)
    return DATA_DIR


def test_the_catalogue_is_large_and_distinct() -> None:
    ids = [case.id for case in CASES + OUTPUT_CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)


#: The cases run through the installed ``hi-reports`` script in a new process, as a user runs it
#: (one of each kind of input: an option, a config file, an activity file, the data folder, the
#: out folder). The others call the same ``main`` in the test's process, with the same folder,
#: environment and checks: a process start and the imports cost 2-4 s a case, over 80 cases.
THROUGH_SCRIPT = (
    "config-bad-yaml",
    "unknown-org",
    "activity-parquet-corrupt",
    "data-truncated-csv",
    "out-is-a-file",
)
#: The cases `pytest -m "not slow"` leaves out: those through the script but one, and those whose
#: error comes after reading the real data.
FAST = ("config-bad-yaml",)


def _fast(case: Bad) -> bool:
    return case.id in FAST or (case.id not in THROUGH_SCRIPT and not case.needs_data)


@pytest.mark.parametrize(
    "case",
    [c if _fast(c) else pytest.param(c, marks=pytest.mark.slow) for c in CASES + OUTPUT_CASES],
    ids=lambda case: case.id,
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    case: Bad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    data = _real_data() if case.needs_data else tmp_path / "no-data"
    work = tmp_path / "work"
    work.mkdir()
    for setup in case.setup:
        setup(work)
    out = work / "editions"
    args = [
        a.replace("{data}", str(data)).replace("{out}", str(out)).replace("{tmp}", str(work))
        for a in case.args
    ]
    env = {
        "HI_REPORTS_DATA": str(data),
        "HI_REPORTS_MIRROR": CLOSED_MIRROR,
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "PYTHONWARNINGS": "ignore",
    }
    before, real_before = _tree(work), _tree(data) if case.needs_data else None

    if case.id in THROUGH_SCRIPT:
        result = subprocess.run(
            [str(SCRIPT), *args],
            cwd=work,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        status, err = result.returncode, result.stderr
    else:
        status, err = _in_process(args, work, env, monkeypatch, capfd)

    assert status == 2, f"exit {status}; stderr: {err}"
    assert "Traceback" not in err
    assert err.strip() and "\n" not in err.rstrip("\n"), f"not one line: {err!r}"
    for words in case.expect:
        assert words in err, f"{words!r} not in {err!r}"
    assert _tree(work) == before, "the working folder changed"
    assert not out.exists()
    assert not (tmp_path / "xdg-data").exists() and not (tmp_path / "no-data").exists()
    if case.needs_data:
        assert _tree(data) == real_before, "the data folder changed"


def _in_process(
    args: list[str],
    work: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """Run the command line's ``main`` as the script does, in ``work`` with ``env``: its exit
    status (argparse's own errors exit through SystemExit) and what it wrote to stderr. An
    exception it lets through fails the test, as a traceback would."""
    from hi_reports.cli.main import main

    monkeypatch.chdir(work)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capfd.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            status = main(args)
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 1
    return status, capfd.readouterr().err
