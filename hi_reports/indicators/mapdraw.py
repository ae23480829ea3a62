"""Drawing maps: matplotlib collections on an Agg canvas, from :class:`Layers`.

A map's areas are one :class:`~matplotlib.collections.PathCollection` (each area's code kept as the
path's URL, so a test reads back which area got which colour), its local-authority borders another
and its outline a third. GeoPandas' plotting is not used: for the same picture it builds an artist
per geometry. Text is what a map costs most to draw (matplotlib renders every glyph), so legends are
drawn once per process and pasted as images, and the title, scale note and attribution are the
figure's caption in the book rather than text in the image. What a map shows is planned in
:mod:`hi_reports.indicators.maps`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from hi_reports.geography.boundaries import path_arrays

TEXT, GREY = "#231F20", "#768692"
DPI = 130
WIDTH = 7.0
LEGEND_WIDTH = 2.3
MAP_HEIGHT_MAX = 6.0
PNG_COMPRESSION = 1
PALETTE_COLOURS = 128


@dataclass(frozen=True)
class Layers:
    """Everything one map draws, in map units (metres, British National Grid).

    Attributes
    ----------
    codes
        Area codes, in drawing order.
    vertices, kinds
        Each area's path vertices and codes (:class:`matplotlib.path.Path`), same order.
    colours
        Each area's fill colour (hex), same order.
    legend
        ``(label, colour)`` rows; ``legend_title`` above them.
    outline
        The outline of the whole area (a shapely geometry).
    districts
        ``(code, name, polygon)`` of the local-authority parts, for borders and names.
    extent
        ``(xmin, ymin, xmax, ymax)`` to show.
    """

    codes: tuple[str, ...]
    vertices: tuple[np.ndarray, ...]
    kinds: tuple[np.ndarray, ...]
    colours: tuple[str, ...]
    legend: tuple[tuple[str, str], ...]
    legend_title: str
    outline: Any
    districts: tuple[tuple[str, str, Any], ...] = ()
    extent: tuple[float, float, float, float] = (0.0, 0.0, 1.0, 1.0)
    names: bool = True
    edge: float = 0.15
    extra: dict[str, Any] = field(default_factory=dict)



def _paths(vertices: Sequence[np.ndarray], kinds: Sequence[np.ndarray]) -> list[Any]:
    from matplotlib.path import Path as MplPath

    return [MplPath(v, k) for v, k in zip(vertices, kinds)]


def geometry_rings(geometries: Sequence[Any]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Path vertices and codes of each geometry (see :func:`path_arrays`)."""
    vertices, kinds, offsets = path_arrays(np.asarray(list(geometries), dtype=object))
    pairs = list(pairwise(offsets))
    return [vertices[a:b] for a, b in pairs], [kinds[a:b] for a, b in pairs]


def _geometry_paths(geometries: Sequence[Any]) -> list[Any]:
    return _paths(*geometry_rings(geometries))


def scale_bar_km(width_m: float) -> int:
    """A round length in km about a fifth of the map's width."""
    target = width_m / 5000
    for km in (200, 100, 50, 20, 10, 5, 2, 1):
        if km <= target:
            return km
    return 1


_LEGENDS: dict[tuple[str, tuple[tuple[str, str], ...]], np.ndarray] = {}


def legend_image(title: str, rows: Sequence[tuple[str, str]]) -> np.ndarray:
    """The legend as an RGBA image (height x width x 4), drawn once per process and reused.

    Text is most of what a map costs to draw (matplotlib renders every glyph), and the legends
    of the decile, Core20 and rural maps are the same in every edition.
    """
    cache_key = (title, tuple(rows))
    if cache_key in _LEGENDS:
        return _LEGENDS[cache_key]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    lines = title.count("\n") + 1
    height = 0.12 + 0.16 * lines + 0.06 + 0.2 * len(rows)
    fig = Figure(figsize=(LEGEND_WIDTH, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.0, 1 - 0.06 / height, title, ha="left", va="top", fontsize=7, parse_math=False, fontweight="bold", color=TEXT,
             linespacing=1.25)
    y = 1 - (0.12 + 0.16 * lines + 0.06) / height
    for label, colour in rows:
        y -= 0.2 / height
        fig.patches.append(Rectangle((0.02 / LEGEND_WIDTH, y + 0.025 / height), 0.22 / LEGEND_WIDTH, 0.15 / height,
                                     transform=fig.transFigure, facecolor=colour, edgecolor=GREY, linewidth=0.4))
        fig.text(0.32 / LEGEND_WIDTH, y + 0.1 / height, label, ha="left", va="center", fontsize=7, parse_math=False, color=TEXT)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba()).copy()
    _LEGENDS[cache_key] = image
    return image


def _scale_corner(outline: Any, extent: tuple[float, float, float, float], length: float) -> tuple[float, float]:
    """Where the scale bar starts: the bottom corner (left or right) the area covers least."""
    xmin, ymin, xmax, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    left = (xmin + width * 0.02, ymin + height * 0.02)
    right = (xmax - width * 0.02 - length, ymin + height * 0.02)
    boxes = [shapely.box(x - width * 0.01, y - height * 0.01, x + length + width * 0.01, y + height * 0.06)
             for x, y in (left, right)]
    covered = [outline.intersection(b).area if outline.intersects(b) else 0.0 for b in boxes]
    return left if covered[0] <= covered[1] else right


def figure(layers: Layers) -> Any:
    """Draw ``layers`` on an Agg canvas and return the matplotlib Figure (not yet rendered).

    The areas are the first collection of the figure's axes: a PathCollection whose URLs are the
    area codes in the order of its face colours. The title, scale note and attribution are the
    caption of the figure in the book, not text in the image: glyphs are what maps cost to draw.
    """
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    xmin, ymin, xmax, ymax = layers.extent
    aspect = (ymax - ymin) / max(xmax - xmin, 1.0)
    map_width = WIDTH - LEGEND_WIDTH - 0.2
    map_height = map_width * aspect
    if map_height > MAP_HEIGHT_MAX:
        map_height, map_width = MAP_HEIGHT_MAX, MAP_HEIGHT_MAX / aspect
    legend = legend_image(layers.legend_title, layers.legend)
    height = max(map_height, legend.shape[0] / DPI) + 0.1
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.05 / WIDTH, (height - 0.05 - map_height) / height, map_width / WIDTH, map_height / height))
    ax.set_axis_off()
    areas = PathCollection(_paths(layers.vertices, layers.kinds), facecolors=list(layers.colours),
                           edgecolors="white", linewidths=layers.edge)
    areas.set_urls(list(layers.codes))
    ax.add_collection(areas)
    if layers.districts and len(layers.districts) > 1:
        paths = _geometry_paths([d[2] for d in layers.districts])
        # A white casing under the dark line keeps borders visible across the darkest fills.
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors="white", linewidths=2.2))
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=TEXT, linewidths=0.9))
    ax.add_collection(PathCollection(_geometry_paths([layers.outline]), facecolors="none",
                                     edgecolors=TEXT, linewidths=1.2))
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="datalim")
    if layers.names and len(layers.districts) > 1:
        total = sum(d[2].area for d in layers.districts)
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        for _, name, shape in layers.districts[:12]:
            if shape.area < 0.02 * total:
                continue
            part = shape if shape.geom_type == "Polygon" else max(getattr(shape, "geoms", [shape]), key=lambda g: g.area)
            point = part.representative_point()
            ax.text(point.x, point.y, "\n".join(textwrap.wrap(name, 18)), ha="center", va="center", fontsize=7, parse_math=False,
                    color=TEXT, fontweight="bold", path_effects=halo, zorder=5)
    km = scale_bar_km(xmax - xmin)
    x0, y0 = _scale_corner(layers.outline, layers.extent, km * 1000)
    ax.add_patch(Rectangle((x0, y0), km * 1000, (ymax - ymin) * 0.008, facecolor=TEXT, edgecolor="none", zorder=6))
    ax.text(x0 + km * 500, y0 + (ymax - ymin) * 0.018, f"{km} km", ha="center", va="bottom", fontsize=7, parse_math=False,
            color=TEXT, zorder=6)
    fig.figimage(legend, xo=int((WIDTH - LEGEND_WIDTH) * DPI), yo=int((height - 0.05) * DPI) - legend.shape[0])
    fig.canvas = canvas
    return fig


def save(fig: Any, folder: Path, name: str) -> Path:
    """Render ``fig`` and write it to ``folder/name.png``.

    The PNG is 8-bit, with a palette of :data:`PALETTE_COLOURS`: a map has a few flat colours and
    their anti-aliased edges, and a palette image is a third of the size of an RGB one and faster
    to write, and to embed for Typst and pandoc.
    """
    from PIL import Image

    canvas = fig.canvas
    canvas.draw()
    size = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    image = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    image.save(target, format="png", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)
    return target


def recolour(fig: Any, layers: Layers) -> Any:
    """Give the map ``fig`` the colours and legend of ``layers``, which must draw the same areas
    with the same outline: the maps of one organisation share a figure, since building it costs
    about as much as drawing it."""
    areas = fig.axes[0].collections[0]
    if list(areas.get_urls()) != list(layers.codes):
        raise ValueError("recolour draws the same areas in the same order")
    areas.set_facecolors(list(layers.colours))
    legend = fig.images[0]
    top = legend.oy + legend.get_array().shape[0]
    image = legend_image(layers.legend_title, layers.legend)
    legend.set_data(image)
    legend.oy = top - image.shape[0]  # top-aligned, as drawn first
    return fig
