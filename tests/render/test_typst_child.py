"""The Typst child process: it answers requests, and it is waited for when its owner is done
with it, even when it does not leave on its own. (That a batch worker's child is waited for when
the worker exits is tests/test_batch.py's test_workers_leave_no_child_unreaped.)"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from hi_reports.render import typst_child
from hi_reports.render.typst_child import OK, TypstChild


def test_a_child_answers_and_is_waited_for_on_close(tmp_path: Path) -> None:
    child = TypstChild()
    outcome, message = child.pdf('#set document(title: "T")\n= T\n', tmp_path, tmp_path / "t.pdf")
    assert outcome == OK, message
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    process = child._process
    assert process is not None and process.poll() is None  # kept warm for the next request
    child.close()
    assert child._process is None
    assert process.returncode == 0  # it left at the end of its input, and was reaped


def test_a_child_that_does_not_leave_is_killed_and_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A child busy when its owner exits (here one that never reads its input) is killed after
    the grace period and reaped, not left running."""
    stubborn = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    monkeypatch.setattr(typst_child, "EXIT_GRACE", 0.5)
    child = TypstChild()
    child._own()
    child._process = stubborn
    started = time.monotonic()
    child.close()
    assert time.monotonic() - started < 10
    assert stubborn.returncode == -9  # killed (SIGKILL) and waited for


def test_a_child_started_ahead_answers_and_its_successor_starts_after_the_last_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``start`` readies a child before any request (a batch worker, before its first edition),
    and the child that has served its last request is replaced at once, by a child that then
    serves the next request; every child is reaped."""
    monkeypatch.setattr(typst_child, "COMPILES_PER_CHILD", 2)
    child = TypstChild()
    child.start()
    first = child._process
    assert first is not None and first.poll() is None
    source = '#set document(title: "T")\n= T\n'
    assert child.pdf(source, tmp_path, tmp_path / "1.pdf")[0] == OK
    assert child._process is first  # the child started ahead served the request
    assert child.pdf(source, tmp_path, tmp_path / "2.pdf")[0] == OK
    second = child._process
    assert second is not None and second is not first and second.poll() is None
    assert first.returncode == 0  # retired after its last request, and reaped
    assert child.pdf(source, tmp_path, tmp_path / "3.pdf")[0] == OK
    assert child._process is second
    child.close()
    assert second.returncode == 0
    assert all((tmp_path / f"{n}.pdf").read_bytes().startswith(b"%PDF") for n in (1, 2, 3))
