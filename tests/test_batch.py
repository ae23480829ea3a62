"""Batch editions on the real data: index, failures, incremental rebuilds, interruption, the CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from hi_reports.batch import BatchRequest, build_batch, clean_staging, headline_numbers
from hi_reports.batch.build import KILLED
from hi_reports.batch.manifest import (
    MANIFEST_NAME,
    Inputs,
    Manifest,
    book_digest,
    is_current,
    read_manifest,
    write_manifest,
)
from hi_reports.cli.main import main

FIVE = ["QHL", "QJM", "QOX", "QE1", "QKS"]


def assert_complete(out: Path, formats: tuple[str, ...] = ("html",)) -> list[str]:
    """Every folder under ``out`` is a whole edition; no staging folder is left. Returns the
    codes."""
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.is_dir()]
    assert not leftovers, f"staging folders left behind: {leftovers}"
    codes = []
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        manifest = read_manifest(folder)
        assert manifest is not None, f"{folder} has no manifest"
        assert (folder / "annex.csv").is_file()
        for relative in manifest.outputs.values():
            assert (folder / relative).is_file(), f"{folder / relative} missing"
        if "html" in formats:
            assert (folder / "html" / "index.html").is_file()
        codes.append(folder.name)
    return codes


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory, reference):
    """Five ICB editions (HTML) built by a pool of two workers."""
    out = tmp_path_factory.mktemp("batch") / "editions"
    seen = []
    result = build_batch(
        BatchRequest(out=out, kind="icb", codes=FIVE, formats=("html",), engine="builtin", jobs=2),
        reference=reference,
        progress=seen.append,
    )
    return result, seen


@pytest.mark.slow
def test_batch_builds_five_and_the_index_lists_them_with_their_annex_numbers(five) -> None:
    result, seen = five
    assert result.ok and len(result.built) == 5 and not result.failed
    assert sorted(o.code for o in seen) == sorted(FIVE)
    assert sorted(assert_complete(result.out)) == sorted(FIVE)

    page = BeautifulSoup(result.index.read_text(encoding="utf-8"), "html.parser")
    headings = [th.get_text(strip=True) for th in page.select("thead th")]
    assert {"Organisation", "Core20 share", "Rural share"} <= set(headings)
    rows = page.select("tbody tr")
    assert len(rows) == 5
    core20_col, rural_col = headings.index("Core20 share"), headings.index("Rural share")
    for row in rows:
        cells = row.find_all(["th", "td"])
        code = cells[1].get_text(strip=True)
        link = cells[0].find("a")["href"]
        assert link == f"{code}/html/index.html" and (result.out / link).is_file()
        annex = pd.read_csv(result.out / code / "annex.csv")
        core20 = annex[(annex["key"] == "imd.core20.share") & (annex["chapter"] == "imd")].iloc[0]
        rural = annex[(annex["key"] == "rural.rural.share") & (annex["chapter"] == "rural")].iloc[0]
        assert cells[core20_col].get_text(strip=True) == core20["printed"]
        assert float(cells[core20_col]["data-value"]) == pytest.approx(core20["value"])
        assert cells[rural_col].get_text(strip=True) == rural["printed"]
    assert page.find("script") is not None and "http" not in page.find("script").get_text()
    assert (result.out / "style.css").is_file()


@pytest.mark.slow
def test_headline_numbers_prefer_the_chapter_row(five) -> None:
    result, _ = five
    numbers = headline_numbers(result.out / "QHL")
    assert 0 < numbers["imd.core20.share"].value < 1
    assert numbers["imd.core20.share"].printed.endswith("%")


@pytest.mark.slow
def test_one_failure_is_reported_and_the_others_complete(
    tmp_path: Path, reference, monkeypatch
) -> None:
    import hi_reports.pipeline.context as edition

    real = edition.draw_charts

    def broken(org, *args, **kwargs):
        if org.short_name == "Lincolnshire":
            raise RuntimeError("chart engine exploded for this one")
        return real(org, *args, **kwargs)

    monkeypatch.setattr(edition, "draw_charts", broken)  # workers are forked: they see it too
    out = tmp_path / "editions"
    result = build_batch(
        BatchRequest(
            out=out,
            codes=["QHL", "QJM", "QOX"],
            formats=("html",),
            engine="builtin",
            jobs=2,
        ),
        reference=reference,
    )
    assert not result.ok
    failed = {o.code: o.reason for o in result.failed}
    assert set(failed) == {"QJM"}
    assert "RuntimeError: chart engine exploded for this one" in failed["QJM"]
    assert sorted(o.code for o in result.built) == ["QHL", "QOX"]
    assert sorted(assert_complete(out)) == ["QHL", "QOX"]  # nothing of QJM is left
    rows = BeautifulSoup(result.index.read_text(encoding="utf-8"), "html.parser").select("tbody tr")
    assert len(rows) == 2


@pytest.mark.slow
def test_one_at_a_time_a_failure_computing_or_rendering_fails_that_edition_only(
    tmp_path: Path, reference, monkeypatch
) -> None:
    """With one job an edition renders in a thread while the next is computed: a chapter that
    fails (QJM, while QHL renders) and a render that fails (QOX, while QE1 is computed) fail
    their own editions, reported in the order asked, and leave nothing of them."""
    import hi_reports.pipeline.build as build
    import hi_reports.pipeline.context as context

    real_charts, real_render = context.draw_charts, build.render

    def broken_charts(org, *args, **kwargs):
        if org.code == "QJM":
            raise RuntimeError("chart engine exploded for this one")
        return real_charts(org, *args, **kwargs)

    def broken_render(project, out, **kwargs):
        if kwargs["basename"] == "QOX":
            raise RuntimeError("the renderer gave up on this one")
        return real_render(project, out, **kwargs)

    monkeypatch.setattr(context, "draw_charts", broken_charts)
    monkeypatch.setattr(build, "render", broken_render)
    out = tmp_path / "editions"
    seen = []
    result = build_batch(
        BatchRequest(
            out=out, codes=["QHL", "QJM", "QOX", "QE1"], formats=("html",), engine="builtin", jobs=1
        ),
        reference=reference,
        progress=seen.append,
    )
    assert [(o.code, o.status) for o in seen] == [
        ("QHL", "built"),
        ("QJM", "failed"),
        ("QOX", "failed"),
        ("QE1", "built"),
    ]
    failed = {o.code: o.reason for o in result.failed}
    assert "RuntimeError: chart engine exploded for this one" in failed["QJM"]
    assert "RuntimeError: the renderer gave up on this one" in failed["QOX"]
    assert sorted(assert_complete(out)) == ["QE1", "QHL"]


@pytest.mark.slow
def test_a_worker_killed_while_building_fails_that_edition_only(
    tmp_path: Path, reference, monkeypatch
) -> None:
    """A worker killed by the system (here SIGKILL, as the out-of-memory killer sends) fails the
    edition it was building, after one retry alone; the other editions are built by the others
    and by its replacement, and nothing of the killed one is left."""
    import hi_reports.pipeline.context as context

    real = context.draw_charts

    def deadly(org, *args, **kwargs):
        if org.short_name == "Lincolnshire":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(org, *args, **kwargs)

    monkeypatch.setattr(context, "draw_charts", deadly)  # workers are forked: they see it too
    out = tmp_path / "editions"
    seen = []
    result = build_batch(
        BatchRequest(
            out=out,
            codes=["QJM", "QHL", "QOX"],
            formats=("html",),
            engine="builtin",
            jobs=2,
        ),
        reference=reference,
        progress=seen.append,
    )
    assert {o.code: o.reason for o in result.failed} == {"QJM": KILLED}
    assert sorted(o.code for o in result.built) == ["QHL", "QOX"]
    assert sorted(o.code for o in seen) == ["QHL", "QJM", "QOX"]  # each reported once
    assert [o.code for o in result.outcomes] == ["QJM", "QHL", "QOX"]  # in the order asked
    assert sorted(assert_complete(out)) == ["QHL", "QOX"]


@pytest.mark.slow
def test_incremental_nothing_changed_chapter_touched_and_force(tmp_path: Path, reference) -> None:
    from hi_reports.book.project import BookSources

    shipped = BookSources().root
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(shipped / "_quarto.yml", book / "_quarto.yml")
    shutil.copytree(shipped / "chapters", book / "chapters")
    shutil.copytree(shipped / "templates", book / "templates")
    out = tmp_path / "editions"
    request = BatchRequest(
        out=out, codes=["QHL", "QSL"], formats=("html",), engine="builtin", book=book, jobs=2
    )

    first = build_batch(request, reference=reference)
    assert [o.status for o in first.outcomes] == ["built", "built"]
    stamps = {
        p: p.stat().st_mtime_ns for p in out.glob("*/**/*") if p.is_file()
    }  # the editions, not the index

    again = build_batch(request, reference=reference)
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]
    assert again.timings.get("editions") is None  # no worker was started, no profiles computed
    assert stamps == {p: p.stat().st_mtime_ns for p in stamps}

    chapter = book / "chapters" / "rural.qmd"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    touched = build_batch(request, reference=reference)
    assert [o.status for o in touched.outcomes] == ["built", "built"]

    forced = build_batch(BatchRequest(**{**request.__dict__, "force": True}), reference=reference)
    assert [o.status for o in forced.outcomes] == ["built", "built"]
    assert sorted(assert_complete(out)) == ["QHL", "QSL"]


def test_manifest_round_trip_and_currency(tmp_path: Path) -> None:
    inputs = Inputs(
        "0.1.0",
        {"formats": ["html"], "engine": "builtin"},
        {"imd2019": "ab"},
        {"chapters/a.qmd": "cd"},
    )
    folder = tmp_path / "QHL"
    folder.mkdir()
    (folder / "annex.csv").write_text("x\n")
    write_manifest(folder, Manifest("QHL", "Name", "icb", inputs, {"annex": "annex.csv"}))
    assert read_manifest(folder).inputs == inputs
    assert is_current(folder, inputs)
    assert not is_current(folder, inputs.with_activity("changed"))  # the per-edition activity hook
    (folder / "annex.csv").unlink()
    assert not is_current(folder, inputs)
    (folder / MANIFEST_NAME).write_text("{not json")
    assert read_manifest(folder) is None


def test_book_digest_covers_chapters_templates_and_config() -> None:
    from hi_reports.book.project import BookSources

    digest = book_digest(BookSources().root)
    assert (
        "_quarto.yml" in digest
        and "chapters/imd.qmd" in digest
        and "templates/typst/typst-template.typ" in digest
    )
    assert (
        "templates/editions-index.html.jinja" not in digest
    )  # the index is not part of an edition


def test_clean_staging_removes_only_staging_folders(tmp_path: Path) -> None:
    for name in (".QHL-abc", ".QJM-batch-x", "QHL", ".git"):
        (tmp_path / name).mkdir()
    removed = clean_staging(tmp_path, ["QHL", "QJM"])
    assert sorted(p.name for p in removed) == [".QHL-abc", ".QJM-batch-x"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "QHL"]


def test_build_needs_org_or_all(capsys) -> None:
    assert main(["build", "--kind", "icb"]) == 2
    assert "--org CODE for one edition, or --all" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_interrupted_batch_leaves_whole_editions_then_completes(
    tmp_path: Path, data_dir: Path, reference, capsys, jobs: str
) -> None:
    """SIGTERM after the first edition: every folder is whole; a second run completes the rest.
    Eight ICBs, not all 42: the README test builds every ICB already (`--all`), and what an
    interruption leaves does not depend on how many are to come. With one job, an edition is
    rendering in a thread while the next is computed when the signal comes."""
    from hi_reports.geography import organisations

    codes = ",".join(org.code for org in organisations(reference, "icb")[:8])
    out = tmp_path / "editions"
    env = {**os.environ, "HI_REPORTS_DATA": str(data_dir)}
    batch = [
        "build",
        "--kind",
        "icb",
        "--org",
        codes,
        "--out",
        str(out),
        "--jobs",
        jobs,
        "--format",
        "html",
        "--engine",
        "builtin",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "hi_reports.cli.main", *batch, "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while not list(out.glob(f"*/{MANIFEST_NAME}")):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no edition within 180 s"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    time.sleep(1)  # a surviving worker would still be writing now
    done = assert_complete(out)
    assert 1 <= len(done) < 8

    assert main([*batch, "--quiet", "--data-dir", str(data_dir)]) == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith(f"8 editions: {8 - len(done)} built, {len(done)} unchanged, 0 failed")
    assert len(assert_complete(out)) == 8

    assert main([*batch, "--data-dir", str(data_dir)]) == 0
    assert "8 editions: 0 built, 8 unchanged, 0 failed" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_several_codes_build_as_a_batch(
    tmp_path: Path, data_dir: Path, capsys, monkeypatch
) -> None:
    """Two codes build as a batch, one at a time, into an editions folder given relative to the
    working directory: the chapters run in their own folder, while the edition before renders."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "editions"
    argv = [
        "build",
        "--org",
        "qhl, QJM",
        "--out",
        "editions",
        "--format",
        "html",
        "--jobs",
        "1",
        "--data-dir",
        str(data_dir),
        "--quiet",
    ]
    assert main(argv) == 0
    assert sorted(assert_complete(out)) == ["QHL", "QJM"]
    assert Path.cwd() == tmp_path
    assert (out / "index.html").is_file()
    assert "2 built" in capsys.readouterr().out
    # a mistyped code of the list: one line, exit 2, before anything is built
    shutil.rmtree(out)
    assert main([*argv[:2], "QHL,NOPE,QXX", *argv[3:]]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert "argument --org: unknown icb organisation code 'NOPE' (and 1 more: QXX)" in captured.err
    assert "; nothing was built" in captured.err
    assert not out.exists()


#: Run in a new interpreter that adopts the orphans of its descendants (Linux's child subreaper):
#: batch workers build with a stand-in for ``_build_one`` that compiles a page with the worker's
#: Typst child; prints how many processes were left for the adopter to reap.
REAPER = """
import ctypes, json, os, subprocess, sys, time
from pathlib import Path

import hi_reports.batch.build as build
from hi_reports.pipeline import Organisation
from hi_reports.render.typst_child import TYPST

assert ctypes.CDLL(None, use_errno=True).prctl(36, 1) == 0  # PR_SET_CHILD_SUBREAPER
folder, mode = Path(sys.argv[1]), sys.argv[2]
orgs = [Organisation("icb", code, None, code, code) for code in ("QAA", "QBB", "QCC")]
leaked = []


def compile_page(job, org):
    TYPST.pdf("= " + org.code, folder, folder / (org.code + ".pdf"))
    assert (folder / (org.code + ".pdf")).is_file()
    if mode == "stop":  # busy when the parent stops the worker
        (folder / "busy").touch()
        time.sleep(120)
    if mode == "leak":  # the control: a child nothing waits for
        command = [sys.executable, "-c", "import sys; sys.stdin.read()"]
        leaked.append(subprocess.Popen(command, stdin=subprocess.PIPE))
    return build.Outcome(org.code, org.name, "built")


build._build_one = compile_page  # workers are forked: they build with it
outcomes = []
if mode == "stop":
    worker = build._Worker.start(None)
    worker.give(orgs[0])
    deadline = time.monotonic() + 120
    while not (folder / "busy").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
else:
    assert build._run_workers(orgs, None, 2, outcomes.append) == []
orphans, deadline = 0, time.monotonic() + 10
while time.monotonic() < deadline:  # an orphan exits once its parent's end of its input closes
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break  # no process left to adopt
    orphans += pid != 0
    time.sleep(0 if pid else 0.05)
else:
    orphans = -1  # one still running after 10 s
print(json.dumps({"orphans": orphans, "built": sorted(o.code for o in outcomes)}))
"""


@pytest.mark.slow  # about 6 s a case: the pipeline's and matplotlib's imports, Typst's start
@pytest.mark.skipif(sys.platform != "linux", reason="child subreapers are Linux's")
@pytest.mark.parametrize(
    ("mode", "orphans", "built"),
    [
        ("finish", 0, ["QAA", "QBB", "QCC"]),  # workers that finish wait for their Typst child
        ("stop", 0, []),  # so does a worker the parent stops (SIGTERM) while it builds
        ("leak", 3, ["QAA", "QBB", "QCC"]),  # the control: a child nothing waits for, an edition
    ],
)
def test_workers_leave_no_child_unreaped(
    tmp_path: Path, mode: str, orphans: int, built: list[str]
) -> None:
    """A batch worker ends with os._exit, which runs no atexit function: its Typst child was left
    to exit after it and be reaped by whoever adopted it, a `[python] <defunct>` process where
    nothing does (seen in CI). Here the adopter is the test's process, which counts them."""
    done = subprocess.run(
        [sys.executable, "-c", REAPER, str(tmp_path), mode],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"orphans": orphans, "built": built}, done.stderr
