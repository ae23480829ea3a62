"""Quarto markdown (``.qmd``): read a chapter into its parts and write it back, without running it.

A document is its YAML front matter and an ordered list of parts: :class:`Markdown` and
:class:`Cell`, one per executable ```` ```{python} ```` cell. The rules are Quarto's, as
quarto-cli applies them (``src/core/lib/break-quarto-md.ts``, ``src/core/jupyter/jupyter.ts``,
``src/core/lib/partition-cell-options.ts``, ``src/core/execute-inline.ts``):

- a cell opens with a line of three or more backticks and ``{python}``, at any indentation, and
  closes at the next line of exactly as many backticks (a longer or shorter run is code);
- ```` ```python ````, ```` ```{.python} ````, ``~~~`` and other fences are markdown, and so is
  everything inside them, a ```` ```{python} ```` line of an example included (here quarto-cli's
  Jupyter engine differs: it would run that line's cell; write ```` ```{{python}} ```` in examples);
- the leading lines of a cell that match ``#\\s*\\| ?`` hold its options, as YAML, which Quarto
  reads with YAML 1.2's JSON schema (``yes``, ``no`` and dates stay strings);
- an inline expression is a one-backtick code span ``{python}``, a space or tab, and the
  expression (not ``` ``{python} x`` ```, which is literal text).

Options written in the cell header (knitr's ```` ```{python label, echo=false} ````) are an
error: Quarto's Jupyter engine accepts the header but ignores them, so the two engines would
differ. ``render(parse(text)) == text`` byte for byte, and ``parse(render(d)) == d``.

Examples
--------
>>> doc = parse("# Title\\n\\n```{python}\\n#| label: fig-x\\nx = 1\\n```\\n")
>>> [type(part).__name__ for part in doc.parts]
['Markdown', 'Cell']
>>> doc.parts[1].options, doc.parts[1].code, doc.parts[1].line
({'label': 'fig-x'}, 'x = 1', 3)
>>> replace_inline("Share: `{python} share`.", lambda expr: "12%")
'Share: 12%.'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from hi_reports.errors import TemplateError

__all__ = [
    "Cell",
    "Document",
    "Inline",
    "Markdown",
    "inline_expressions",
    "parse",
    "render",
    "replace_inline",
]

# A cell header, as quarto-cli's Jupyter engine matches it for a Python kernel.
_CELL = re.compile(r"^(\s*)(`{3,})\s*\{python( *[ ,].*)?\}\s*$")
# A fence that is not a cell (CommonMark: a backtick fence's info string holds no backtick).
_FENCE = re.compile(r"^\s*(?:(`{3,})[^`]*|(~{3,}).*)$")
_OPTION = re.compile(r"^#\s*\| ?")
_YAML_DELIMITER = re.compile(r"^---\s*$")
_INLINE = re.compile(r"\{python\}[ \t]\s*([^`\s][^`]*)")


@dataclass(frozen=True)
class Markdown:
    """Markdown between cells, verbatim (non-executable fences included).

    Parameters
    ----------
    text
        The text, line endings included.
    line
        The 1-based line of its first line in the file (not compared).
    """

    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Cell:
    """An executable ```` ```{python} ```` cell.

    Parameters
    ----------
    code
        The body without its option lines, the indentation of an indented cell removed, and
        without the line ending of its last line.
    options
        The options of its leading ``#|`` lines, parsed as YAML (``{}`` when there are none).
    line
        The 1-based line of its opening fence in the file (not compared).
    source
        The cell as written, fences included; :func:`render` writes it back while ``code`` and
        ``options`` still match it (not compared).
    """

    code: str
    options: dict[str, Any] = field(default_factory=dict)
    line: int = field(default=0, compare=False)
    source: str = field(default="", compare=False, repr=False)

    @property
    def label(self) -> str | None:
        """The cell's ``label`` option, or ``None``."""
        label = self.options.get("label")
        return None if label is None else str(label)

    @property
    def indent(self) -> str:
        """The indentation of its opening fence (an indented cell's, as in a list item)."""
        return self.source[: len(self.source) - len(self.source.lstrip(" \t"))]

    @property
    def code_line(self) -> int:
        """The 1-based line in the file of the first line of :attr:`code` (after the options)."""
        body = self.source.splitlines()[1:]
        count = 0
        while count < len(body) and _OPTION.match(body[count].lstrip()):
            count += 1
        return self.line + 1 + count


Part = Markdown | Cell


@dataclass(frozen=True)
class Document:
    """A parsed Quarto markdown document.

    Parameters
    ----------
    front_matter
        The YAML front matter, or ``None`` when the document has none.
    parts
        Markdown and cells in order; two Markdown parts are never adjacent.
    path
        The file, for messages (not compared).
    front_matter_source
        The front matter as written, delimiters included; :func:`render` writes it back while
        ``front_matter`` still matches it (not compared).
    """

    front_matter: dict[str, Any] | None
    parts: tuple[Part, ...]
    path: str = field(default="<chapter>", compare=False)
    front_matter_source: str = field(default="", compare=False, repr=False)

    @property
    def cells(self) -> tuple[Cell, ...]:
        """The executable cells, in order."""
        return tuple(part for part in self.parts if isinstance(part, Cell))

    def parameters_cell(self) -> Cell | None:
        """The first cell tagged ``parameters`` (``#| tags: [parameters]``), or ``None``."""
        for cell in self.cells:
            tags = cell.options.get("tags")
            if isinstance(tags, list) and "parameters" in tags:
                return cell
        return None


@dataclass(frozen=True)
class Inline:
    """An inline expression, `` `{python} expr` ``.

    Parameters
    ----------
    expression
        The Python expression, stripped of surrounding white space.
    start, end
        Offsets of the whole span, backticks included, in the text searched.
    line
        The line of its opening backtick (1-based, counted from the ``line`` given).
    """

    expression: str
    start: int
    end: int
    line: int


# YAML as Quarto reads cell options and front matter ----------------------------------------------

# YAML 1.2's JSON schema, as js-yaml's and quarto-cli's (src/core/lib/yaml-intelligence/
# js-yaml-schema.ts): no yes/no/on/off booleans, no sexagesimal numbers, no dates.
_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
]


class _Loader(yaml.SafeLoader):
    """A loader of YAML 1.2's JSON schema that refuses a key given twice, as js-yaml does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{key.value}' is given twice", key.start_mark
                    )
                seen.add(key.value)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = self.construct_scalar(node)
        return int(value, 0) if re.match(r"[-+]?0[ox]", value) else int(value, 10)


class _Dumper(yaml.SafeDumper):
    """A dumper that quotes a string YAML 1.1 or 1.2 would read as another type, writes a list
    of scalars on one line (``tags: [parameters]``) and a string of several lines as a block."""

    def represent_list(self, data: Iterable[Any]) -> yaml.SequenceNode:
        items = list(data)
        flow = not any(isinstance(item, (list, dict)) for item in items)
        return self.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)

    def represent_str(self, data: str) -> yaml.ScalarNode:
        style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


# the JSON schema's resolvers alone, none of YAML 1.1's (add_implicit_resolver copies the inherited
# ones into a class that has none of its own)
_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Dumper.add_representer(list, _Dumper.represent_list)
_Dumper.add_representer(str, _Dumper.represent_str)


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def _dump_yaml(value: dict[str, Any]) -> str:
    return yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


def _yaml_problem(error: yaml.YAMLError) -> tuple[str, int]:
    """The one-line problem of a YAML error and its 0-based line in the YAML text."""
    problem = getattr(error, "problem", None) or str(error)
    mark = getattr(error, "problem_mark", None)
    return " ".join(str(problem).split()), (mark.line if mark is not None else 0)


# Parsing -----------------------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """The lines of ``text``, each with its line ending (``\\n`` or ``\\r\\n``)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def _closes(line: str, char: str, length: int) -> bool:
    """Whether ``line`` closes a markdown fence (CommonMark: as long or longer, same character)."""
    return re.fullmatch(rf"\s*{re.escape(char)}{{{length},}}\s*", line) is not None


@functools.lru_cache(maxsize=64)  # a batch parses the same chapters for every edition
def parse(text: str, path: str = "<chapter>") -> Document:
    """Read a Quarto markdown document into its front matter, markdown and cells.

    Parameters
    ----------
    text
        The document.
    path
        The file, named in error messages.

    Returns
    -------
    Document

    Raises
    ------
    TemplateError
        On invalid front matter or cell options, a cell that is never closed, options written in
        a cell header, or a cell label used twice; the message names ``path`` and the line.
    """
    lines = _lines(text)
    front_matter, front_source, index = _front_matter(lines, path)
    parts: list[Part] = []
    markdown: list[str] = []
    markdown_line = index + 1
    fence: tuple[str, int] | None = None  # the markdown fence we are in: character and length
    labels: dict[str, int] = {}

    def flush(next_line: int) -> None:
        nonlocal markdown_line
        if markdown:
            parts.append(Markdown("".join(markdown), markdown_line))
            markdown.clear()
        markdown_line = next_line

    while index < len(lines):
        line = _bare(lines[index])
        header = None if fence else _CELL.match(line)
        if header:
            flush(index + 1)
            end = _closing_line(lines, index, len(header.group(2)), path)
            cell = _cell(lines, index, end, header, path)
            if cell.label is not None:
                if cell.label in labels:
                    raise TemplateError(
                        f"{path}, line {index + 1}: the cell label '{cell.label}' is already "
                        f"used by the cell at line {labels[cell.label]}",
                        "give each cell of a chapter its own label",
                        path,
                        index + 1,
                    )
                labels[cell.label] = index + 1
            parts.append(cell)
            index = end + 1
            markdown_line = index + 1
            continue
        if fence and _closes(line, *fence):
            fence = None
        elif not fence and (opening := _FENCE.match(line)):
            run = opening.group(1) or opening.group(2)
            fence = (run[0], len(run))
        markdown.append(lines[index])
        index += 1
    flush(index + 1)
    return Document(front_matter, tuple(parts), path, front_source)


def _front_matter(lines: list[str], path: str) -> tuple[dict[str, Any] | None, str, int]:
    """The front matter, its source and the index of the line after it (Quarto's rule: a ``---``
    first line followed by a line that is not blank, up to the next ``---`` line)."""
    if len(lines) < 2 or not _YAML_DELIMITER.match(_bare(lines[0])) or not lines[1].strip():
        return None, "", 0
    end = next((i for i in range(1, len(lines)) if _YAML_DELIMITER.match(_bare(lines[i]))), None)
    if end is None:
        return None, "", 0
    try:
        value = _load_yaml("".join(lines[1:end]))
    except yaml.YAMLError as error:
        problem, offset = _yaml_problem(error)
        line = min(offset, end - 2) + 2
        raise TemplateError(
            f"{path}, line {line}: the front matter is not valid YAML ({problem})",
            "write it as 'key: value' lines between the two '---' lines",
            path,
            line,
        ) from None
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise TemplateError(
            f"{path}, line 2: the front matter must be 'key: value' lines, not a "
            f"{type(value).__name__}",
            "write it as 'key: value' lines between the two '---' lines",
            path,
            2,
        )
    return value, "".join(lines[: end + 1]), end + 1


def _closing_line(lines: list[str], start: int, ticks: int, path: str) -> int:
    """The index of the line that closes the cell opened at ``start``: exactly ``ticks``
    backticks, as quarto-cli requires."""
    closing = re.compile(rf"\s*`{{{ticks}}}\s*")
    for index in range(start + 1, len(lines)):
        if closing.fullmatch(_bare(lines[index])):
            return index
    raise TemplateError(
        f"{path}, line {start + 1}: the python cell opened here is never closed",
        f"end it with a line of exactly {ticks} backticks ({'`' * ticks}), as Quarto requires",
        path,
        start + 1,
    )


def _cell(lines: list[str], start: int, end: int, header: re.Match[str], path: str) -> Cell:
    """The cell of ``lines[start:end + 1]`` (its fences included)."""
    if (header.group(3) or "").strip(" ,"):
        raise TemplateError(
            f"{path}, line {start + 1}: options in a cell header ({{python{header.group(3)}}}) "
            "are ignored by Quarto's Jupyter engine",
            "write each as a '#| key: value' line at the top of the cell",
            path,
            start + 1,
        )
    indent = header.group(1)
    body = [
        line[len(indent) :] if line.startswith(indent) else line for line in lines[start + 1 : end]
    ]
    count = 0
    while count < len(body) and _OPTION.match(body[count]):
        count += 1
    options: dict[str, Any] = {}
    if count:
        yaml_text = "".join(_OPTION.sub("", _bare(line)) + "\n" for line in body[:count])
        try:
            value = _load_yaml(yaml_text)
        except yaml.YAMLError as error:
            problem, offset = _yaml_problem(error)
            line = start + 2 + min(offset, count - 1)
            raise TemplateError(
                f"{path}, line {line}: the cell option {_bare(lines[line - 1]).strip()!r} is "
                f"not valid YAML ({problem})",
                "write options as '#| key: value', e.g. '#| fig-cap: \"Residents by decile\"'",
                path,
                line,
            ) from None
        if value is not None and not isinstance(value, dict):
            raise TemplateError(
                f"{path}, line {start + 2}: the cell options must be 'key: value' lines, not "
                f"{_bare(lines[start + 1]).strip()!r}",
                "write options as '#| key: value', e.g. '#| echo: false'",
                path,
                start + 2,
            )
        options = value or {}
    code = "".join(body[count:])
    code = code[:-2] if code.endswith("\r\n") else code[:-1] if code.endswith("\n") else code
    return Cell(code, options, start + 1, "".join(lines[start : end + 1]))


# Inline expressions ------------------------------------------------------------------------------


def _prose(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of the runs of lines of ``text`` that may hold code spans: outside fenced code,
    split at blank lines (a code span does not cross a paragraph)."""
    offset, start = 0, None
    fence: tuple[str, int] | None = None
    for raw in _lines(text):
        line = _bare(raw)
        if fence:
            if _closes(line, *fence):
                fence = None
        elif (opening := _FENCE.match(line)) or not line.strip():
            if start is not None:
                yield start, offset
                start = None
            if opening:
                run = opening.group(1) or opening.group(2)
                fence = (run[0], len(run))
        elif start is None:
            start = offset
        offset += len(raw)
    if start is not None:
        yield start, offset


def inline_expressions(text: str, line: int = 1) -> list[Inline]:
    """Find the inline expressions `` `{python} expr` `` of a markdown text.

    Expressions in fenced code, or inside a longer code span (``` `` `{python} x` `` ```), are
    left alone, and so is a backslash-escaped backtick.

    Parameters
    ----------
    text
        Markdown, e.g. the ``text`` of a :class:`Markdown` part.
    line
        The line number of the text's first line in its file (``Markdown.line``).

    Returns
    -------
    list of Inline
        In order of position.
    """
    found = []
    for start, end in _prose(text):
        index = start
        while index < end:
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char != "`":
                index += 1
                continue
            run_end = index
            while run_end < end and text[run_end] == "`":
                run_end += 1
            run = run_end - index
            closer = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, run_end, end)
            if closer is None:
                index = run_end
                continue
            match = _INLINE.fullmatch(text, run_end, closer.start()) if run == 1 else None
            if match:
                found.append(
                    Inline(
                        match.group(1).strip(),
                        index,
                        closer.end(),
                        line + text.count("\n", 0, index),
                    )
                )
            index = closer.end()
    return found


def replace_inline(text: str, values: Callable[[str], str]) -> str:
    """Replace each inline expression of ``text`` with ``values(expression)``.

    Examples
    --------
    >>> replace_inline("`{python} 1 + 1` and ``{python} 2``", lambda expr: str(eval(expr)))
    '2 and ``{python} 2``'
    """
    pieces, position = [], 0
    for inline in inline_expressions(text):
        pieces += [text[position : inline.start], values(inline.expression)]
        position = inline.end
    return "".join(pieces) + text[position:]


# Writing -----------------------------------------------------------------------------------------


def render(document: Document) -> str:
    """Write a document back as Quarto markdown.

    Front matter and cells are written as they were read while they still match their
    ``front_matter`` and ``code``/``options``; otherwise they are written afresh (options as
    ``#| key: value`` lines). So ``render(parse(text)) == text`` byte for byte, and
    ``parse(render(document)) == document``.
    """
    pieces = []
    if document.front_matter is not None:
        source = document.front_matter_source
        try:
            unchanged = _front_matter(_lines(source), document.path)[0] == document.front_matter
        except TemplateError:
            unchanged = False
        if not unchanged:
            source = "---\n" + _dump_yaml(document.front_matter) + "---\n"
        pieces.append(source)
    for part in document.parts:
        if pieces and not pieces[-1].endswith("\n"):
            pieces.append("\n")
        pieces.append(part.text if isinstance(part, Markdown) else _render_cell(part))
    return "".join(pieces)


def _render_cell(cell: Cell) -> str:
    if cell.source:
        try:
            again = parse(cell.source).parts
        except TemplateError:
            again = ()
        if again == (cell,):
            return cell.source
    indent = cell.indent
    code_lines = cell.code.split("\n") if cell.code else []
    ticks = 3
    while any(re.fullmatch(rf"\s*`{{{ticks}}}\s*", line) for line in code_lines):
        ticks += 1
    options = _dump_yaml(cell.options).splitlines() if cell.options else []
    body = [f"#| {line}" if line else "#|" for line in options] + code_lines
    fence = "`" * ticks
    return "".join(
        f"{indent}{line}\n" if line else "\n" for line in [fence + "{python}", *body, fence]
    )
