"""The front door: the README's commands as written, from a fresh working directory, and the
editions folder (relative --out, the user's umask, folders hi-reports did not make, a lock for two
builds).

Every command runs the installed ``hi-reports`` in a new process whose working directory is an empty
temporary folder, as a user would type it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from PIL import Image

from hi_reports.cli.main import main
from hi_reports.data.vintage import DEFAULT_VINTAGE, VINTAGES
from hi_reports.folders import MARKER

from .prose import assert_true_prose

PROJECT = Path(__file__).resolve().parents[1]
README = (PROJECT / "README.md").read_text(encoding="utf-8")
HI_REPORTS = str(Path(sys.executable).parent / "hi-reports")


def run(
    args: list[str], cwd: Path, umask: int | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``hi-reports ARGS`` in ``cwd`` (as typed: relative paths resolve there)."""
    environment = {**os.environ, **env}
    return subprocess.run(
        [HI_REPORTS, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a failed command, checked to be one line with exit status 2 and no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def readme_commands() -> list[str]:
    """Every ``hi-reports`` command of the README's ``sh`` blocks, continuation lines joined and the
    optional ``[...]`` parts left out."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].strip()
            if line.startswith("hi-reports "):
                commands.append(re.sub(r"\s*\[[^\]]*\]", "", line))
    return commands


COMMANDS = readme_commands()


def test_the_readme_documents_the_commands_this_file_runs() -> None:
    assert "hi-reports build --org QHL" in COMMANDS  # the quick start
    assert "hi-reports build --org QHL --data-dir DIR --out editions" in COMMANDS
    assert "hi-reports build --kind icb --all --out editions" in COMMANDS
    assert any("--activity admissions.parquet" in c for c in COMMANDS)
    assert "hi-reports build --org QHL --config edition.yml" in COMMANDS
    assert "hi-reports build --org QHL --config board.yml" in COMMANDS
    assert "hi-reports demo --org QHL --write demo.csv" in COMMANDS


def _user_files(folder: Path, reference) -> None:
    """The files the README's activity examples name, made in the working directory: events of
    Birmingham and Solihull residents with the README's column names, and a CSV with ours."""
    rng = np.random.default_rng(5)
    lsoas = reference.lsoas.index[reference.lsoas["icb_code"] == "E54000055"].to_numpy()
    days = pd.Timestamp("2023-04-01") + pd.to_timedelta(rng.integers(0, 366, 3000), unit="D")
    pd.DataFrame(
        {
            "LSOA11": rng.choice(lsoas, 3000),
            "AgeOnAdmission": rng.integers(0, 100, 3000),
            "date": days.strftime("%Y-%m-%d"),
        }
    ).to_parquet(folder / "admissions.parquet", index=False)
    pd.DataFrame({"lsoa_code": rng.choice(lsoas, 2000), "age": rng.integers(0, 100, 2000)}).to_csv(
        folder / "outpatients.csv", index=False
    )
    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    activity = [b for b in blocks if b.startswith("activity:")]
    front = [b for b in blocks if b.startswith("front:")]
    assert len(activity) == 1 and len(front) == 1
    (folder / "edition.yml").write_text(activity[0], encoding="utf-8")
    (folder / "board.yml").write_text(front[0], encoding="utf-8")  # and the logo it names
    logo = folder / yaml.safe_load(front[0])["front"]["logo"]
    logo.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (200, 80), (0, 94, 184)).save(logo)
    # the book of *Write a chapter*: the sources copied, the README's chapter added at the end, as
    # chapters/own.qmd
    book = folder / "mybook"
    book.mkdir()
    for name in ("_quarto.yml", "chapters", "templates"):
        (shutil.copytree if (PROJECT / name).is_dir() else shutil.copy)(PROJECT / name, book / name)
    chapter = re.search(r"````markdown\n(.*?)````", README, flags=re.S)
    assert chapter is not None
    (book / "chapters" / "own.qmd").write_text(chapter.group(1), encoding="utf-8")
    quarto = yaml.safe_load((book / "_quarto.yml").read_text(encoding="utf-8"))
    quarto["book"]["chapters"].append("chapters/own.qmd")
    (book / "_quarto.yml").write_text(yaml.safe_dump(quarto, sort_keys=False), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[len("hi-reports ") :])
def test_readme_command_runs_as_written(
    command: str, data_dir: Path, reference, tmp_path: Path
) -> None:
    """Each README command, from an empty working directory with the default or the README's
    relative --out: exit 0, and the editions in ./editions, readable by others under umask 022."""
    _user_files(tmp_path, reference)
    args = shlex.split(command.replace("DIR", str(data_dir)))[1:]
    result = run(args, tmp_path, umask=0o022, HI_REPORTS_DATA=str(data_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    if "--write" in args:
        assert len(pd.read_csv(tmp_path / "demo.csv")) > 0
    listed = args[args.index("--org") + 1].split(",") if "--org" in args else []
    codes = (
        listed
        if "--all" not in args
        else [p.name for p in (tmp_path / "editions").iterdir() if p.is_dir()]
    )
    assert len(codes) == (42 if "--all" in args else len(listed))
    if "--book" in args:  # the README's chapter, in each edition with its own numbers
        for code in codes:
            annex = pd.read_csv(tmp_path / "editions" / code / "annex.csv").set_index("key")
            assert annex.loc["local.q1", "chapter"] == "own"
            text = (tmp_path / "editions" / code / "html" / "own.html").read_text(encoding="utf-8")
            assert f"{annex.loc['local.q1', 'printed']}\nof the residents of" in text or (
                f"{annex.loc['local.q1', 'printed']} of the residents of" in text
            )
    for code in codes:
        edition = tmp_path / "editions" / code
        assert (edition / f"{code}.pdf").stat().st_size > 0 and (
            edition / "html" / "index.html"
        ).is_file()
        assert (edition / MARKER).is_file()
        for folder in (edition, edition / "html", edition / "project"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o755, folder
    assert not [
        p for p in (tmp_path / "editions").iterdir() if p.name.startswith(".") and p.is_dir()
    ]
    if "--all" in args:  # every ICB's edition reads true: tests/test_prose.py's 2019 ICB case
        assert_true_prose(tmp_path / "editions", codes, DEFAULT_VINTAGE)


@pytest.mark.slow
def test_a_relative_out_under_a_strict_umask(data_dir: Path, tmp_path: Path) -> None:
    result = run(
        ["build", "--org", "QJM", "--data-dir", str(data_dir), "--out", "a/b", "--format", "html"],
        tmp_path,
        umask=0o027,
    )
    assert result.returncode == 0, result.stderr
    edition = tmp_path / "a" / "b" / "QJM"
    assert stat.S_IMODE(edition.stat().st_mode) == 0o750
    assert stat.S_IMODE((edition / "annex.csv").stat().st_mode) == 0o640
    assert str(edition / "html" / "index.html") in result.stdout  # the report names where it went


@pytest.mark.slow
def test_nothing_is_created_for_a_mistyped_data_folder(tmp_path: Path) -> None:
    for args in (
        ["build", "--org", "QHL", "--data-dir", "dat"],
        ["orgs", "--data-dir", "dat"],
        ["demo", "--data-dir", "dat"],
        ["data", "status", "--data-dir", "dat"],
        ["data", "verify", "--data-dir", "dat"],
    ):
        line = one_line_error(run(args, tmp_path))
        assert "the data folder dat does not exist" in line, line
    assert list(tmp_path.iterdir()) == []
    line = one_line_error(
        run(["build", "--org", "QHL"], tmp_path, HI_REPORTS_DATA=str(tmp_path / "gone"))
    )
    assert f"the data folder {tmp_path / 'gone'} ($HI_REPORTS_DATA) does not exist" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_demo_write_makes_no_folder(data_dir: Path, tmp_path: Path) -> None:
    line = one_line_error(
        run(["demo", "--data-dir", str(data_dir), "--write", "out/demo.csv"], tmp_path)
    )
    assert "out/demo.csv: the folder out does not exist" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_verify_and_status_fail_on_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    line = one_line_error(run(["data", "verify", "--data-dir", "data"], tmp_path))
    assert "no dataset file in data: nothing to verify" in line
    result = run(["data", "status", "--data-dir", "data"], tmp_path)
    line = one_line_error(result)
    assert f"the default vintage {DEFAULT_VINTAGE} lacks" in line and "imd2019" in line
    assert "ruc2011                missing" in result.stdout


@pytest.mark.slow
def test_status_and_verify_fail_on_a_truncated_file(data_dir: Path, tmp_path: Path) -> None:
    """A cut-short file parses (fewer rows), but its sha256 is not the catalogue's: both say so."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in data_dir.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".csv", ".geojson")
            and path.name != "ruc11_lsoa11.csv"
        ):
            (folder / path.name).symlink_to(path)
    lines = next(data_dir.rglob("ruc11_lsoa11.csv")).read_text(encoding="utf-8-sig").splitlines()
    (folder / "ruc11_lsoa11.csv").write_text(
        "\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8"
    )
    result = run(["data", "status", "--data-dir", str(folder)], tmp_path)
    line = one_line_error(result)
    assert line.startswith("hi-reports: error: 1 dataset file in") and "ruc2011 (changed)" in line
    assert re.search(r"ruc2011\s+changed", result.stdout)
    assert "the file was changed or cut short" in result.stdout
    result = run(["data", "verify", "--data-dir", str(folder)], tmp_path)
    assert "differ from their sha256: ruc2011" in one_line_error(result)


@pytest.mark.slow
def test_offline_the_quick_start_names_every_missing_dataset(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """No data and no network (the tests resolve no host name): one error lists all seven."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    monkeypatch.setenv("HI_REPORTS_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("HI_REPORTS_MIRROR", raising=False)
    assert main(["build", "--org", "QHL"]) == 2
    line = capsys.readouterr().err.strip()
    assert len(line.splitlines()) == 1
    required = VINTAGES[DEFAULT_VINTAGE].required
    # the folder was not given: the line does not blame an --data-dir argument
    assert line.startswith(f"hi-reports: error: {len(required)} datasets are missing from"), line
    assert all(f"{name} (" in line for name in required), line
    assert not (tmp_path / "editions").exists()
    assert [p.name for p in (tmp_path / "data").iterdir()] == []


# The editions folder: what is replaced, what is refused.


@pytest.mark.slow
def test_a_folder_hi_reports_did_not_make_is_never_replaced(data_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "QHL").mkdir(parents=True)
    (home / "QHL" / "thesis.docx").write_text("years of work")
    (home / "QJM").write_text("a file")
    (home / "QOP").symlink_to(tmp_path)
    for code, what in (
        ("QHL", "exists and is not an edition made by hi-reports"),
        ("QJM", "is a file"),
        ("QOP", "is a symbolic link"),
    ):
        args = [
            "build",
            "--org",
            code,
            "--data-dir",
            str(data_dir),
            "--out",
            str(home),
            "--format",
            "html",
        ]
        line = one_line_error(run(args, tmp_path))
        assert f"{home / code} {what}" in line, line
    # In a batch, the refused edition fails with the reason and the others are built.
    args = [
        "build",
        "--org",
        "QHL,QWU",
        "--data-dir",
        str(data_dir),
        "--out",
        str(home),
        "--format",
        "html",
        "--quiet",
    ]
    result = run(args, tmp_path)
    assert result.returncode == 1
    assert (
        "QHL: failed:" in result.stderr and "is not an edition made by hi-reports" in result.stderr
    )
    assert (home / "QWU" / MARKER).is_file()
    assert (home / "QHL" / "thesis.docx").read_text() == "years of work"
    assert (home / "QJM").read_text() == "a file" and (home / "QOP").is_symlink()
    # An edition hi-reports made is replaced.
    before = (home / "QWU" / "annex.csv").stat().st_mtime_ns
    result = run([*args[:2], "QWU", *args[3:-1]], tmp_path)
    assert result.returncode == 0 and "(QWU): edition built" in result.stdout
    assert (home / "QWU" / "annex.csv").stat().st_mtime_ns > before


@pytest.mark.parametrize("out", ["afile", "/dev/null", "afile/sub"])
@pytest.mark.slow
def test_an_out_that_is_not_a_folder(out: str, data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    line = one_line_error(
        run(["build", "--org", "QHL", "--data-dir", str(data_dir), "--out", out], tmp_path)
    )
    assert out.split("/sub")[0] in line and (
        "is a file" in line or "not a folder" in line or "cannot be created" in line
    ), line
    assert (tmp_path / "afile").read_text() == "x"


@pytest.mark.slow
def test_an_out_that_cannot_be_written(data_dir: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """A read-only editions folder: one line, nothing written. (As root, permissions do not stop a
    write, so the refusal the system would give is made here.)"""
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args, **kwargs) -> None:
        if self.parent == out:
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    if os.geteuid() == 0:
        monkeypatch.setattr(Path, "mkdir", refuse)
    assert (
        main(
            [
                "build",
                "--org",
                "QHL",
                "--data-dir",
                str(data_dir),
                "--out",
                str(out),
                "--format",
                "html",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert err == (
        f"hi-reports: error: argument --out: the editions folder {out} cannot be written "
        "(Permission denied) (give an editions folder you can write to)"
    )
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_two_batches_into_one_folder_both_succeed(data_dir: Path, tmp_path: Path) -> None:
    """Two batches started together into one --out: the second waits for the first (the lock),
    neither removes the other's staging folders, and every edition is whole."""
    args = [
        "build",
        "--org",
        "QHL,QJM",
        "--data-dir",
        str(data_dir),
        "--out",
        "editions",
        "--format",
        "html",
        "--quiet",
        "--force",
    ]
    env = {**os.environ}
    first, second = (
        subprocess.Popen(
            [HI_REPORTS, *args],
            cwd=tmp_path,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    )
    results = [(*p.communicate(timeout=600), p.returncode) for p in (first, second)]
    for stdout, stderr, code in results:
        assert code == 0, stderr
        assert "2 built, 0 unchanged, 0 failed" in stdout
    assert any("waiting for another build writing to" in stderr for _, stderr, _ in results)
    for code in ("QHL", "QJM"):
        assert (tmp_path / "editions" / code / "html" / "index.html").is_file()
    assert sorted(p.name for p in (tmp_path / "editions").iterdir() if p.is_dir()) == ["QHL", "QJM"]


# The public edition's workflow.


def _workflow_commands() -> list[list[str]]:
    workflow = yaml.safe_load((PROJECT / ".github" / "workflows" / "publish.yml").read_text())
    commands = []
    for step in workflow["jobs"]["build"]["steps"]:
        for line in step.get("run", "").splitlines():
            if line.strip().startswith("hi-reports "):
                commands.append(shlex.split(line))
    return commands


def _synopsis() -> dict[str, set[str]]:
    """The options the README's command-line synopsis documents for each command."""
    block = re.search(r"## The command line\n\n```text\n(.*?)```", README, flags=re.S)
    assert block is not None
    documented: dict[str, set[str]] = {}
    command = ""
    for line in block.group(1).splitlines():
        words = line.split("#")[0].split()
        if words and words[0] == "hi-reports":
            command = " ".join(words[1:3]) if words[1] == "data" else words[1]
        documented.setdefault(command, set()).update(
            re.findall(r"--[a-z][a-z-]*", line.split("#")[0])
        )
    return documented


def test_the_publish_workflow_runs_only_documented_commands() -> None:
    commands = _workflow_commands()
    documented = _synopsis()
    assert [c[1:3] for c in commands] == [["data", "fetch"], ["data", "verify"], ["build", "--org"]]
    for command in commands:
        name = " ".join(command[1:3]) if command[1] == "data" else command[1]
        options = {w for w in command if w.startswith("--")}
        assert options <= documented[name], (name, options - documented[name])
    fetch = commands[0]
    ids = [w for w in fetch[3:] if not w.startswith("--") and w != "data"]
    assert ids == list(
        VINTAGES[DEFAULT_VINTAGE].required
    )  # every dataset the England edition reads
    build = commands[2]
    assert build[build.index("--out") + 1] == "editions"  # relative, as the tests above run it
    workflow = (PROJECT / ".github" / "workflows" / "publish.yml").read_text()
    assert "hashFiles('hi_reports/data/catalogue.py')" in workflow and "actions/cache@" in workflow
    assert 'if [ -n "$HI_REPORTS_DATA_URL" ]' in workflow  # the tarball stays an option


@pytest.mark.slow
def test_init_then_build_inside_the_project_as_the_readme_says(
    data_dir: Path, tmp_path: Path
) -> None:
    assert "`hi-reports init mybook`" in README and "`cd mybook && hi-reports build`" in README
    assert run(["init", "mybook"], tmp_path).returncode == 0
    result = run(["build"], tmp_path / "mybook", HI_REPORTS_DATA=str(data_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    edition = tmp_path / "mybook" / "editions" / "QHL"
    assert (edition / "QHL.pdf").stat().st_size > 0 and (edition / "html" / "local.html").is_file()
    assert "synthetic example events" in (edition / "html" / "local.html").read_text(
        encoding="utf-8"
    )
