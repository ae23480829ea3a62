"""The engine registry: names, auto selection, registering a new engine."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hi_reports.errors import HIReportsWarning, RenderError
from hi_reports.render import Engine, RenderResult, base, engine_names, get_engine, register
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


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An installed distribution advertising three engine plug-ins: one whose module raises on
    import, one that is not an engine, and one that works; the registry reloads its plug-ins."""
    dist = tmp_path / "hi_reports_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hi-reports-plugins\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[hi_reports.engines]\n"
        "broken = hi_reports_broken_plugin:Engine\n"
        "notanengine = hi_reports_good_plugin:NotAnEngine\n"
        "good = hi_reports_good_plugin:GoodEngine\n"
    )
    (tmp_path / "hi_reports_broken_plugin.py").write_text(
        "raise ImportError('no module named typst2')\n"
    )
    (tmp_path / "hi_reports_good_plugin.py").write_text(
        "from hi_reports.render import Engine\n\n"
        "class GoodEngine(Engine):\n"
        "    name = 'good'\n\n"
        "    def _render(self, project, config, out, formats, basename):\n"
        "        return {}\n\n"
        "class NotAnEngine:\n"
        "    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(base, "_entry_points_loaded", False)
    monkeypatch.setattr(base, "_ENGINES", dict(base._ENGINES))
    monkeypatch.setattr(base, "_BROKEN", {})
    return tmp_path


def test_a_plugin_that_fails_to_load_is_named_with_its_error(plugins: Path) -> None:
    with pytest.warns(HIReportsWarning) as caught:
        names = engine_names()
    assert {"builtin", "quarto", "good"} <= set(names) and "broken" not in names
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert messages[0].startswith(
        "the rendering engine plug-in 'broken' (hi_reports_broken_plugin:Engine) failed to load: "
        "ImportError: no module named typst2"
    )
    assert messages[1].startswith(
        "the rendering engine plug-in 'notanengine' (hi_reports_good_plugin:NotAnEngine) failed "
        "to load: TypeError: <class 'hi_reports_good_plugin.NotAnEngine'> is not an Engine"
    )
    with pytest.raises(RenderError, match=r"plug-in 'broken' .*ImportError: no module named typs"):
        get_engine("broken")
    assert get_engine("good").name == "good"
