"""The engine registry: names, auto selection, registering a new engine."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hi_reports.errors import RenderError
from hi_reports.render import Engine, RenderResult, engine_names, get_engine, register
from hi_reports.render.base import _ENGINES


def test_builtin_engines_registered() -> None:
    assert {"builtin", "quarto"} <= set(engine_names())


def test_auto_without_quarto_is_builtin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert get_engine(None).name == "builtin"
    assert get_engine("auto").name == "builtin"


def test_auto_with_quarto_is_quarto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    quarto = tmp_path / "quarto"
    quarto.write_text("#!/bin/sh\nexit 0\n")
    quarto.chmod(quarto.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert get_engine().name == "quarto"


def test_register_a_new_engine(project: Path, tmp_path: Path) -> None:
    class EchoEngine(Engine):
        """Writes placeholder outputs."""

        name = "echo"

        def _render(self, project, config, out, formats, basename):
            (out / "html").mkdir(exist_ok=True)
            (out / "html" / "index.html").write_text(config.title)
            return {"html": 0.0}

    register(EchoEngine)
    try:
        result = get_engine("echo").render(project, tmp_path / "out", formats=("html",))
        assert isinstance(result, RenderResult)
        assert result.html_index.read_text() == "Health Inequalities Book"
        assert result.pdf is None and set(result.outputs) == {"html"}
        with pytest.raises(RenderError, match=r"did not write: pdf"):
            get_engine("echo").render(project, tmp_path / "out", formats=("html", "pdf"))
    finally:
        _ENGINES.pop("echo", None)


def test_register_rejects_non_engines() -> None:
    with pytest.raises(TypeError):
        register(object)  # type: ignore[arg-type]
