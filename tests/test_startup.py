"""Start-up of the command line: `hi-reports --help`, `--version` and each command's `--help` load
neither pandas, numpy and matplotlib nor the stages that import them (the parser's choices come
from hi_reports.choices), and those choices agree with the stages that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hi_reports import choices

#: Run in a new interpreter: ``argv[1]`` is Python to run first (the control's imports), the rest
#: the command line; prints the exit status and what was imported as the last line.
PROBE = """
import json, sys
exec(sys.argv[1])
from hi_reports.cli.main import main
try:
    status = main(sys.argv[2:])
except SystemExit as exit:
    status = exit.code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""

#: Third-party packages a bare command line must not import.
HEAVY = {"pandas", "numpy", "matplotlib", "pyarrow", "scipy"}
#: Stages of hi_reports that import them (or pandoc's and Typst's bindings).
STAGES = {
    "hi_reports.data",
    "hi_reports.geography",
    "hi_reports.indicators",
    "hi_reports.draw",
    "hi_reports.render",
    "hi_reports.pipeline",
    "hi_reports.batch",
}


def run_probe(tmp_path: Path, argv: list[str], prelude: str = "") -> tuple[int, str, str, set[str]]:
    """Run the command line in a new interpreter; return its exit status, its output before the
    probe's line, its error output, and the heavy packages and stages it had imported by the
    end."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, prelude, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    *printed, last = done.stdout.rstrip("\n").split("\n")
    report = json.loads(last)
    loaded = {
        name
        for name in report["modules"]
        if name.partition(".")[0] in HEAVY or any(name.startswith(s) for s in STAGES)
    }
    return report["status"], "\n".join(printed), done.stderr, loaded


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["build", "--help"],
        ["data", "--help"],
        ["data", "status", "--help"],
        ["orgs", "--help"],
        ["init", "--help"],
        ["demo", "--help"],
    ],
    ids=" ".join,
)
def test_help_and_version_load_no_heavy_module(tmp_path: Path, argv: list[str]) -> None:
    status, printed, _, loaded = run_probe(tmp_path, argv)
    assert status == 0 and printed.strip(), printed
    assert not loaded, f"`hi-reports {' '.join(argv)}` imported {sorted(loaded)}"


def test_build_help_offers_the_kinds_vintages_and_formats(tmp_path: Path) -> None:
    _, printed, _, _ = run_probe(tmp_path, ["build", "--help"])
    text = " ".join(printed.split())
    assert "{" + ",".join(choices.KINDS) + "}" in text
    assert "{" + ",".join(choices.VINTAGE_NAMES) + "}" in text
    assert f"default {choices.DEFAULT_VINTAGE}" in text


def test_the_probe_sees_what_the_geography_loads(tmp_path: Path) -> None:
    """The control: the same probe, with the geography imported first, finds pandas and numpy
    (what `--help` loaded before the kinds moved to hi_reports.choices)."""
    _, _, _, loaded = run_probe(tmp_path, ["--help"], prelude="import hi_reports.geography")
    assert {"pandas", "numpy", "hi_reports.geography", "hi_reports.data"} <= loaded


def test_a_bad_format_is_refused_without_loading_the_renderers(tmp_path: Path) -> None:
    status, _, error, loaded = run_probe(tmp_path, ["build", "--format", "pdf,odt", "--help"])
    assert status == 2 and not loaded
    assert "argument --format: unknown format 'odt'; choose from html, pdf, docx" in error


def test_the_choices_are_those_of_the_stages() -> None:
    from hi_reports.data.vintage import DEFAULT_VINTAGE, VINTAGES
    from hi_reports.geography import KINDS
    from hi_reports.render.base import FORMATS

    assert KINDS is choices.KINDS and FORMATS is choices.FORMATS
    assert tuple(VINTAGES) == choices.VINTAGE_NAMES
    assert DEFAULT_VINTAGE == choices.DEFAULT_VINTAGE
