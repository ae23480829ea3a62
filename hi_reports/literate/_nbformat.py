"""nbformat's notebook and cell constructors, with types: nbformat's own have no annotations, and
mypy (strict) refuses an untyped call. Each passes its arguments on as they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode


def new_notebook(cells: list[NotebookNode], metadata: dict[str, Any] | None = None) -> NotebookNode:
    """An nbformat 4 notebook of ``cells``."""
    notebook: NotebookNode = nbformat.v4.new_notebook(  # type: ignore[no-untyped-call]
        cells=cells, metadata=metadata or {}
    )
    return notebook


def new_code_cell(source: str, **fields: Any) -> NotebookNode:
    """A code cell (``fields``: ``id``, ``metadata``...)."""
    cell: NotebookNode = nbformat.v4.new_code_cell(source, **fields)  # type: ignore[no-untyped-call]
    return cell


def new_markdown_cell(source: str, **fields: Any) -> NotebookNode:
    """A markdown cell (``fields``: ``id``, ``metadata``...)."""
    cell: NotebookNode = nbformat.v4.new_markdown_cell(  # type: ignore[no-untyped-call]
        source, **fields
    )
    return cell


def new_raw_cell(source: str, **fields: Any) -> NotebookNode:
    """A raw cell (``fields``: ``id``, ``metadata``...)."""
    cell: NotebookNode = nbformat.v4.new_raw_cell(source, **fields)  # type: ignore[no-untyped-call]
    return cell


def write(notebook: NotebookNode, path: Path) -> None:
    """Write ``notebook`` to ``path`` (nbformat 4, JSON)."""
    nbformat.write(notebook, str(path))  # type: ignore[no-untyped-call]
