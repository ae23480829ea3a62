"""The files of charts and maps: drawn at their printed size, charts written as reproducible SVG.

The board paper (``templates/typst/board.typ``) prints a figure at 90% of its 16 cm text width,
14.4 cm. Charts and maps are drawn at exactly that width, so a font size in points in matplotlib is
the size printed on A4, and :data:`MIN_TEXT_PT` is the smallest any text may be. The HTML pages
scale the same files to the column.

Charts are SVG (:func:`write_svg`): text and lines stay sharp at any zoom, and an SVG is no slower
to write than the PNG at 150 dpi it replaces. Glyphs are written as outlines (``svg.fonttype:
path``): the viewer needs no font, so Typst, which has only its own fonts, and every browser show
the letters matplotlib measured. Files are byte for byte reproducible: a fixed hash salt for the
SVG's ids and no date. Maps are PNG at :data:`RASTER_DPI` (see :mod:`hi_reports.draw.mapdraw`).
:func:`text_width`, :func:`wrap` and :func:`line_height` measure text as the files draw it, for
layouts in inches; :func:`plain_text` keeps a chart's text from being read as mathtext.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The printed width of a figure, inches: 90% of the 16 cm text width of the A4 board paper.
PRINTED_WIDTH = 0.9 * 16 / 2.54
#: The smallest text on a chart or map, points at printed size.
MIN_TEXT_PT = 8.0
#: Resolution of the maps, dots per inch at printed size.
RASTER_DPI = 300
#: The extension of the chart files (``figures/<name>.svg``).
SUFFIX = ".svg"

_RC = {"svg.fonttype": "path", "svg.hashsalt": "hi_reports", "svg.image_inline": True}
#: The settings above are matplotlib's global rcParams: one thread writes at a time.
_LOCK = threading.Lock()


def write_svg(figure: Figure, folder: Path, name: str) -> Path:
    """Write ``figure`` to ``folder/name.svg`` (the folder is created if needed); return the path.

    Parameters
    ----------
    figure
        A matplotlib Figure, laid out at :data:`PRINTED_WIDTH` (or any width: the SVG keeps it).
    folder, name
        Where to write, and the file stem.
    """
    import matplotlib as mpl  # on use: matplotlib takes a second to import

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}{SUFFIX}"
    with _LOCK, mpl.rc_context(_RC):
        figure.savefig(target, format="svg", dpi=RASTER_DPI, metadata={"Date": None})
    return target


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of ``text`` drawn at ``size`` points in the default font, as the SVG draws
    it."""
    # on use: matplotlib takes a second to import
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines of at most ``width`` inches at ``size`` points (a word longer
    than the width has a line of its own)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and text_width(trial, size, bold) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def line_height(size: float, lines: int = 1) -> float:
    """Height in inches of ``lines`` lines of text at ``size`` points (matplotlib's spacing,
    1.2)."""
    return lines * size * 1.2 / 72


def plain_text(figure: Figure) -> None:
    """Draw every text of ``figure`` as it is written: a label such as "$5 to $10" (a measure
    named by the user) is text, never matplotlib's mathtext."""
    from matplotlib.text import Text  # on use: matplotlib takes a second to import

    for text in figure.findobj(Text):
        text.set_parse_math(False)
