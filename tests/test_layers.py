"""The layer rule of DESIGN.md: data flows one way, and no stage imports a later one.

The imports are read from the source (every ``import`` statement, at module level or inside a
function, since both are real dependencies), so the rule holds for what the code does, not for
what it says.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hi_reports"

# The stages in the order data flows; a module may import its own stage and earlier ones.
STAGES = (
    ("errors",),
    # settings and formatting every stage shares; choices: the settings' values, for the CLI too
    ("choices", "folders", "formatting", "front", "shipped"),
    ("literate",),  # a small library that knows no organisation
    ("data",),
    ("stats",),
    ("geography",),
    ("indicators",),
    ("draw",),
    ("book",),
    ("render",),
    ("api",),  # the edition chapters call
    ("phrases",),  # sentences the shipped chapters share
    ("pipeline",),  # one edition: context, chapters, book, render
    ("batch",),
    ("cli",),
)
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> str:
    """``hi_reports.data.loaders`` -> ``data``; the package itself is ``hi_reports``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """Each project module ``path`` imports: (module, line, only for type checking)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    checking = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _type_checking(node)
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            # `import hi_reports` reaches the front door, whose `edition` is the pipeline's
            names = [_FRONT_DOOR if a.name == "hi_reports" else a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            # `from hi_reports.data import loaders` imports the module hi_reports.data.loaders
            submodules = [f"{name}.{alias.name}" for alias in node.names]
            # ...and a name defined in the package (`Reference`) imports its __init__
            names = [s for s in submodules if _exists(s)]
            if len(names) < len(submodules):
                names.append(name)
            if name == "hi_reports":  # the front door: its version and base error, or the top
                names = [
                    s if _exists(s) else name if s in _FRONT_DOOR_PLAIN else _FRONT_DOOR
                    for s in submodules
                ]
        for name in names:
            if name == "hi_reports" or name.startswith("hi_reports."):
                yield name, node.lineno, id(node) in checking


#: What the package itself (``hi_reports/__init__.py``) gives besides its stages: names that
#: import no stage, and the rest, which reach the top of the pipeline (``hi_reports.edition``).
_FRONT_DOOR_PLAIN = {"hi_reports.__version__", "hi_reports.HIReportsError"}
_FRONT_DOOR = "hi_reports.pipeline"


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def project_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_stage_has_a_place_in_the_order() -> None:
    stages = {stage(module_name(path)) for path in project_modules()} - {"hi_reports"}
    assert stages <= set(RANK), f"stages missing from STAGES: {sorted(stages - set(RANK))}"
    assert len(stages) > 10  # the walk found the package


def test_no_stage_imports_a_later_one() -> None:
    upward = []
    for path in project_modules():
        importer = module_name(path)
        if importer == "hi_reports":
            continue  # the package's front door re-exports the top of the pipeline
        for imported, line, _ in imports(path):
            if imported == "hi_reports":
                continue  # `from hi_reports import __version__`: the front door imports no stage
            if RANK[stage(imported)] > RANK[stage(importer)]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}")
    assert not upward, "imports against the flow of data:\n" + "\n".join(upward)


#: The batch builds editions through the pipeline's API alone: it reaches no stage below it.
BATCH_MAY_IMPORT = {"batch", "pipeline", "errors", "choices", "folders", "formatting", "front"}


def test_the_batch_reaches_the_stages_only_through_the_pipeline() -> None:
    past = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}"
        for path in sorted((PACKAGE / "batch").glob("*.py"))
        for imported, line, _ in imports(path)
        if imported != "hi_reports" and stage(imported) not in BATCH_MAY_IMPORT
    ]
    assert not past, "the batch reaches past the pipeline:\n" + "\n".join(past)


def graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports at run time (type-checking imports aside: they
    never run)."""
    edges: dict[str, set[str]] = {}
    for path in project_modules():
        importer = module_name(path)
        edges[importer] = {
            imported
            for imported, _, checking in imports(path)
            if not checking and imported != "hi_reports" and imported != importer
        }
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others() -> None:
    found = circles(graph())
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The reader sees a function-level import and a relative one; the circle finder finds a
    circle of three and not a chain."""
    package = tmp_path / "hi_reports" / "data"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    source = package / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nimport os\n"
        "from . import n\nfrom ..render import base\n"
        "if TYPE_CHECKING:\n    from hi_reports.cli import main\n"
        "def f():\n    from hi_reports.batch.build import x\n"
        "    import hi_reports\n    from hi_reports import __version__, edition\n"
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "hi_reports"
    try:
        found = list(imports(source))
    finally:
        PACKAGE = saved
    assert found == [
        ("hi_reports.data", 3, False),
        ("hi_reports.render", 4, False),
        ("hi_reports.cli", 6, True),
        ("hi_reports.batch.build", 8, False),
        ("hi_reports.pipeline", 9, False),  # the front door's hi_reports.edition
        ("hi_reports", 10, False),
        ("hi_reports.pipeline", 10, False),
    ]
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("stage_name", sorted(RANK))
def test_each_stage_in_the_order_exists(stage_name: str) -> None:
    path = PACKAGE / stage_name
    assert path.is_dir() or path.with_suffix(".py").is_file()
