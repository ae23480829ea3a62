"""Drawing maps: matplotlib collections on an Agg canvas, from :class:`Layers`, written as PNG.

A map's areas are one :class:`~matplotlib.collections.PathCollection` (each area's code kept as the
path's URL, so a test reads back which area got which colour), its local-authority borders another
and its outline a third. GeoPandas' plotting is not used: for the same picture it builds an artist
per geometry. A map is drawn at its printed width (:data:`~hi_reports.draw.figfile.PRINTED_WIDTH`)
with no text under 8 pt, and written as a PNG at :data:`DPI` (300): an SVG of a map is larger and
slower to write, whether its thousands of neighbourhood polygons are vector or rasterized inside it
(measured on QHL's three maps for issue 16: 0.18 s and 420-660 KB a map as SVG with the polygons
rasterized at 300 dpi, against 0.12 s and 130-170 KB as PNG).
Text is what a map costs most to draw (matplotlib renders every glyph), so legends are drawn once
per process and pasted as images, and the title, scale note and attribution are the figure's
caption in the book rather than text in the image. Maps of ICBs number them, with a key of names
under the map, and show the small ICBs of London enlarged in an inset (:class:`Key`). What a map
shows is planned in :mod:`hi_reports.draw.maps`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from hi_reports.draw import labels
from hi_reports.draw.figfile import PRINTED_WIDTH, RASTER_DPI, text_width, wrap
from hi_reports.draw.palette import CASING, NOTE, TEXT
from hi_reports.draw.paths import geometry_rings
from hi_reports.indicators.classes import Classes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.image import FigureImage
    from matplotlib.path import Path as MplPath

GREY = NOTE
#: Resolution of the PNG, dots per inch at printed size.
DPI = RASTER_DPI
WIDTH = PRINTED_WIDTH
LEGEND_WIDTH = 1.85
MAP_HEIGHT_MAX = 5.0
PNG_COMPRESSION = 1
PALETTE_COLOURS = 128
#: Font sizes in points, as printed: legend, names of local authorities, numbers of areas, key.
LEGEND_PT, NAME_PT, NUMBER_PT, KEY_PT = 8.0, 8.0, 8.0, 8.0
#: Legend rows: the swatch's width and height, inches.
SWATCH_W, SWATCH_H = 0.24, 0.15


@dataclass(frozen=True)
class Key:
    """Areas numbered on a map, their names listed under it, and an inset of some enlarged.

    Attributes
    ----------
    codes, names
        Area codes and names, numbered 1, 2, ... in this order.
    points
        Where each number is written (map units).
    inset
        Codes of the areas drawn again, enlarged, in an inset (their numbers are written there).
    inset_title
        The inset's title (``"London"``).
    inset_outline
        The outline of the inset's areas (a shapely geometry).
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    points: tuple[tuple[float, float], ...]
    inset: tuple[str, ...] = ()
    inset_title: str = ""
    inset_outline: Any = None


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
    names
        Whether to write the names of the larger local authorities on the map.
    edge
        The width of the white lines between areas, points.
    key
        Numbers on the areas, a key of their names, and an inset (:class:`Key`), or None.
    classes
        The classes of a map of numbers, from which its fills and legend come, or None.
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
    key: Key | None = None
    classes: Classes | None = None


def _paths(vertices: Sequence[np.ndarray], kinds: Sequence[np.ndarray]) -> list[MplPath]:
    from matplotlib.path import Path as MplPath  # on use: matplotlib takes a second to import

    return [MplPath(v, k) for v, k in zip(vertices, kinds, strict=True)]


def _geometry_paths(geometries: Sequence[Any]) -> list[MplPath]:
    return _paths(*geometry_rings(geometries))


def scale_bar_km(width_m: float) -> int:
    """A round length in km about a fifth of the map's width."""
    target = width_m / 5000
    for km in (200, 100, 50, 20, 10, 5, 2, 1):
        if km <= target:
            return km
    return 1


def _line(size: float) -> float:
    """Inches between lines of text at ``size`` points (matplotlib's spacing, 1.2)."""
    return size * 1.2 / 72


def _legend_lines(title: str, rows: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    """The legend's title and each row's label, wrapped to the legend's width."""
    title_lines = [
        line
        for part in title.split("\n")
        for line in wrap(part, LEGEND_WIDTH - 0.05, LEGEND_PT, bold=True)
    ]
    row_lines = [
        wrap(label, LEGEND_WIDTH - SWATCH_W - 0.12, LEGEND_PT) or [""] for label, _ in rows
    ]
    return title_lines, row_lines


def _row_height(lines: int) -> float:
    return max(SWATCH_H, lines * _line(LEGEND_PT)) + 0.06


def legend_height(title: str, rows: Sequence[tuple[str, str]]) -> float:
    """Height in inches of the legend of ``rows`` under ``title``."""
    title_lines, row_lines = _legend_lines(title, rows)
    return (
        len(title_lines) * _line(LEGEND_PT)
        + 0.1
        + sum(_row_height(len(lines)) for lines in row_lines)
        + 0.05
    )


def legend_figure(title: str, rows: Sequence[tuple[str, str]]) -> Figure:
    """The legend as a matplotlib Figure, :data:`LEGEND_WIDTH` inches wide, at the map's scale."""
    # on use: matplotlib takes a second to import
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    height = legend_height(title, rows)
    fig = Figure(figsize=(LEGEND_WIDTH, height), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, LEGEND_WIDTH)
    ax.set_ylim(height, 0)  # inches from the top-left corner
    title_lines, row_lines = _legend_lines(title, rows)
    ax.text(
        0.0,
        0.02,
        "\n".join(title_lines),
        ha="left",
        va="top",
        fontsize=LEGEND_PT,
        fontweight="bold",
        color=TEXT,
        parse_math=False,
    )
    y = 0.02 + len(title_lines) * _line(LEGEND_PT) + 0.1
    for (_, colour), lines in zip(rows, row_lines, strict=True):
        # A dark edge gives light swatches their contrast against the page.
        ax.add_patch(
            Rectangle(
                (0.02, y), SWATCH_W, SWATCH_H, facecolor=colour, edgecolor=GREY, linewidth=0.5
            )
        )
        ax.text(
            SWATCH_W + 0.1,
            y + SWATCH_H / 2 - _line(LEGEND_PT) / 2,
            "\n".join(lines),
            ha="left",
            va="top",
            fontsize=LEGEND_PT,
            color=TEXT,
            parse_math=False,
        )
        y += _row_height(len(lines))
    return fig


_LEGENDS: dict[tuple[str, tuple[tuple[str, str], ...]], np.ndarray] = {}


def legend_image(title: str, rows: Sequence[tuple[str, str]]) -> np.ndarray:
    """The legend as an RGBA image (height x width x 4), drawn once per process and reused.

    Text is most of what a map costs to draw (matplotlib renders every glyph), and the legends
    of the decile, Core20 and rural maps are the same in every edition.
    """
    cache_key = (title, tuple(rows))
    if cache_key not in _LEGENDS:
        _LEGENDS[cache_key] = _rendered(legend_figure(title, rows))
    return _LEGENDS[cache_key]


def _rendered(fig: Figure) -> np.ndarray:
    """``fig`` drawn on its Agg canvas (a new one when it has none), as an RGBA image (height x
    width x 4)."""
    # on use: matplotlib takes a second to import
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib leaves it unannotated
    return np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]


def _scale_corner(
    outline: Any, extent: tuple[float, float, float, float], length: float
) -> tuple[float, float]:
    """Where the scale bar starts: the bottom corner (left or right) the area covers least."""
    xmin, ymin, xmax, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    left = (xmin + width * 0.035, ymin + height * 0.02)  # room for a label wider than the bar
    right = (xmax - width * 0.035 - length, ymin + height * 0.02)
    boxes = [
        shapely.box(
            x - width * 0.01, y - height * 0.01, x + length + width * 0.01, y + height * 0.06
        )
        for x, y in (left, right)
    ]
    covered = [outline.intersection(b).area if outline.intersects(b) else 0.0 for b in boxes]
    return left if covered[0] <= covered[1] else right


def _scale_bar(ax: Axes, outline: Any, extent: tuple[float, float, float, float]) -> None:
    from matplotlib.patches import Rectangle  # on use: matplotlib takes a second to import

    xmin, ymin, xmax, ymax = extent
    km = scale_bar_km(xmax - xmin)
    x0, y0 = _scale_corner(outline, extent, km * 1000)
    ax.add_patch(
        Rectangle(
            (x0, y0), km * 1000, (ymax - ymin) * 0.008, facecolor=TEXT, edgecolor="none", zorder=6
        )
    )
    ax.text(
        x0 + km * 500,
        y0 + (ymax - ymin) * 0.018,
        labels.scale_bar(km),
        ha="center",
        va="bottom",
        fontsize=LEGEND_PT,
        parse_math=False,
        color=TEXT,
        zorder=6,
    )


def _halo() -> list[Any]:
    from matplotlib import patheffects  # on use: matplotlib takes a second to import

    return [patheffects.withStroke(linewidth=2.4, foreground=CASING)]


def _apart(points: np.ndarray, half: np.ndarray, rounds: int = 50) -> np.ndarray:
    """Move boxes (centres ``points``, half-sizes ``half``) apart until none overlaps: each pair
    that overlaps moves apart, half each, along the axis on which it overlaps least."""
    points = points.astype(float).copy()
    upper = np.triu(np.ones((len(points), len(points)), dtype=bool), 1)
    for _ in range(rounds):
        gap = points[None, :, :] - points[:, None, :]  # gap[i, j] = points[j] - points[i]
        overlap = half[:, None, :] + half[None, :, :] - np.abs(gap)
        pairs = np.argwhere(upper & (overlap > 0).all(axis=2))
        if not len(pairs):
            break
        for i, j in pairs:
            axis = int(np.argmin(overlap[i, j]))
            shift = (overlap[i, j, axis] / 2 + 1e-6) * (1.0 if gap[i, j, axis] >= 0 else -1.0)
            points[i, axis] -= shift
            points[j, axis] += shift
    return points


def _numbers(ax: Axes, key: Key, inset: bool, units_per_inch: float) -> None:
    """Each area's number on the map, on a white box (the inset's areas only in the inset, the
    others only on the map), moved apart where two would overlap."""
    shown = set(key.inset)
    chosen = [
        (n, xy)
        for n, (code, xy) in enumerate(zip(key.codes, key.points, strict=True), start=1)
        if (code in shown) == inset
    ]
    if not chosen:
        return
    pad = 0.12 * NUMBER_PT / 72  # the box's padding, inches
    line = NUMBER_PT * 1.2 / 72  # the box holds the line's height, descent included
    half = (
        np.array(
            [
                [text_width(str(n), NUMBER_PT, bold=True) / 2 + pad + 0.01, line / 2 + pad + 0.01]
                for n, _ in chosen
            ]
        )
        * units_per_inch
    )
    placed = _apart(np.array([xy for _, xy in chosen]), half)
    box = {"boxstyle": "round,pad=0.12", "facecolor": CASING, "edgecolor": "none"}
    for (number, _), (x, y) in zip(chosen, placed, strict=True):
        ax.text(
            x,
            y,
            str(number),
            ha="center",
            va="center",
            fontsize=NUMBER_PT,
            fontweight="bold",
            color=TEXT,
            bbox=box,
            zorder=7,
            parse_math=False,
        )


def _key_columns(key: Key, columns: int = 2) -> list[list[tuple[int, list[str]]]]:
    """The key's entries (number, name lines) in ``columns`` columns of about equal length."""
    width = (WIDTH - 0.1) / columns - 0.35
    entries = [(n, wrap(name, width, KEY_PT)) for n, name in enumerate(key.names, start=1)]
    total = sum(len(lines) for _, lines in entries)
    split, lines_so_far = len(entries), 0
    for i, (_, lines) in enumerate(entries):
        lines_so_far += len(lines)
        if lines_so_far >= total / columns:
            split = i + 1
            break
    return [entries[:split], entries[split:]] if columns == 2 else [entries]


def key_figure(key: Key) -> Figure:
    """The key of the numbers (number and name, in two columns) as a Figure :data:`WIDTH` wide."""
    from matplotlib.figure import Figure  # on use: matplotlib takes a second to import

    columns = _key_columns(key)
    height = (
        max(sum(len(lines) for _, lines in column) for column in columns) * _line(KEY_PT) + 0.05
    )
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    for c, column in enumerate(columns):
        x = 0.05 + c * (WIDTH - 0.1) / 2
        numbers = "\n".join("\n".join([str(n), *[""] * (len(lines) - 1)]) for n, lines in column)
        names = "\n".join("\n".join(lines) for _, lines in column)
        fig.text(
            (x + 0.25) / WIDTH,
            1.0,
            numbers,
            ha="right",
            va="top",
            fontsize=KEY_PT,
            fontweight="bold",
            color=TEXT,
            parse_math=False,
        )
        fig.text(
            (x + 0.32) / WIDTH,
            1.0,
            names,
            ha="left",
            va="top",
            fontsize=KEY_PT,
            color=TEXT,
            parse_math=False,
        )
    return fig


_KEYS: dict[tuple[str, ...], np.ndarray] = {}


def key_image(key: Key) -> np.ndarray:
    """The key as an RGBA image, drawn once per process (the ICB maps of England share it)."""
    if key.names not in _KEYS:
        _KEYS[key.names] = _rendered(key_figure(key))
    return _KEYS[key.names]


def _inset_size(key: Key) -> tuple[float, float]:
    """Width and height in inches of the inset's map."""
    xmin, ymin, xmax, ymax = key.inset_outline.bounds
    width = LEGEND_WIDTH - 0.05  # its right edge inside the figure
    return width, min(width * (ymax - ymin) / max(xmax - xmin, 1.0) * 1.08, 2.2)


def _areas(layers: Layers, select: Sequence[int] | None = None) -> PathCollection:
    """The area fills as one PathCollection, each path's URL its area's code."""
    from matplotlib.collections import PathCollection  # on use: matplotlib is slow to import

    index = range(len(layers.codes)) if select is None else select
    paths = _paths([layers.vertices[i] for i in index], [layers.kinds[i] for i in index])
    areas = PathCollection(
        paths,
        facecolors=[layers.colours[i] for i in index],
        edgecolors="white",
        linewidths=layers.edge,
    )
    areas.set_urls([layers.codes[i] for i in index])
    return areas


def _district_names(ax: Axes, layers: Layers, units_per_inch: float) -> None:
    """The names of the larger local authorities (up to 12, each 2% of the area or more), on a
    white halo, moved apart where two would overlap."""
    total = sum(d[2].area for d in layers.districts)
    names, points, half = [], [], []
    for _, name, shape in layers.districts[:12]:
        if shape.area < 0.02 * total:
            continue
        part = (
            shape
            if shape.geom_type == "Polygon"
            else max(getattr(shape, "geoms", [shape]), key=lambda g: g.area)
        )
        point = part.representative_point()
        lines = textwrap.wrap(name, 18)
        names.append("\n".join(lines))
        points.append((point.x, point.y))
        half.append(
            (
                max(text_width(line, NAME_PT, bold=True) for line in lines) / 2 + 0.02,
                len(lines) * _line(NAME_PT) / 2 + 0.01,
            )
        )
    if not names:
        return
    halo = _halo()
    placed = _apart(np.array(points), np.array(half) * units_per_inch)
    for name, (x, y) in zip(names, placed, strict=True):
        ax.text(
            x,
            y,
            name,
            ha="center",
            va="center",
            fontsize=NAME_PT,
            parse_math=False,
            color=TEXT,
            fontweight="bold",
            path_effects=halo,
            zorder=5,
        )


def figure(layers: Layers) -> Figure:
    """Draw ``layers`` on an Agg canvas and return the matplotlib Figure (not yet rendered).

    The areas are the first collection of the figure's first axes: a PathCollection whose URLs are
    the area codes in the order of its face colours; the inset, if any, is the axes labelled
    ``inset``, and the legend the figure's first image. The title, scale note and attribution are
    the caption of the figure in the book, not text in the image: glyphs are what maps cost to draw.
    """
    # on use: matplotlib takes a second to import
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
    key = layers.key
    inset_w, inset_h = _inset_size(key) if key is not None and key.inset else (0.0, 0.0)
    column = legend.shape[0] / DPI + (inset_h + 0.35 if inset_h else 0.0)
    panel = max(map_height, column)
    key_picture = key_image(key) if key is not None else None
    key_h = key_picture.shape[0] / DPI + 0.1 if key_picture is not None else 0.0
    height = panel + 0.1 + key_h
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    panel_bottom = height - 0.05 - panel
    ax = fig.add_axes(
        (
            0.05 / WIDTH,
            (height - 0.05 - map_height) / height,
            map_width / WIDTH,
            map_height / height,
        )
    )
    ax.set_axis_off()
    ax.add_collection(_areas(layers))
    if layers.districts and len(layers.districts) > 1:
        paths = _geometry_paths([d[2] for d in layers.districts])
        # A white casing under the dark line keeps borders visible across the darkest fills.
        ax.add_collection(
            PathCollection(paths, facecolors="none", edgecolors=CASING, linewidths=2.2)
        )
        ax.add_collection(PathCollection(paths, facecolors="none", edgecolors=TEXT, linewidths=0.9))
    ax.add_collection(
        PathCollection(
            _geometry_paths([layers.outline]), facecolors="none", edgecolors=TEXT, linewidths=1.2
        )
    )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="datalim")
    if layers.names and len(layers.districts) > 1:
        _district_names(ax, layers, max((xmax - xmin) / map_width, (ymax - ymin) / map_height))
    _scale_bar(ax, layers.outline, layers.extent)
    if key is not None:
        _numbers(ax, key, False, max((xmax - xmin) / map_width, (ymax - ymin) / map_height))
        if key.inset:
            box = (
                (WIDTH - LEGEND_WIDTH) / WIDTH,
                panel_bottom / height,
                inset_w / WIDTH,
                inset_h / height,
            )
            _draw_inset(fig, layers, key, box)
            bx0, by0, bx1, by1 = key.inset_outline.bounds
            ax.add_patch(
                Rectangle(
                    (bx0, by0),
                    bx1 - bx0,
                    by1 - by0,
                    facecolor="none",
                    edgecolor=TEXT,
                    linewidth=0.8,
                    zorder=6,
                )
            )
    fig.figimage(
        legend,
        xo=int((WIDTH - LEGEND_WIDTH) * DPI),
        yo=int((height - 0.05) * DPI) - legend.shape[0],
    )
    if key_picture is not None:
        fig.figimage(key_picture, xo=0, yo=int(0.05 * DPI))
    fig.canvas = canvas
    return fig


def _draw_inset(
    fig: Figure, layers: Layers, key: Key, box: tuple[float, float, float, float]
) -> None:
    """The inset's areas, outline, numbers, scale bar and title, in an axes labelled ``inset`` at
    ``box`` (left, bottom, width and height as fractions of the figure)."""
    from matplotlib.collections import PathCollection  # on use: matplotlib is slow to import

    _, _, w, h = box
    inset = fig.add_axes(box, label="inset")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_color(GREY)
        spine.set_linewidth(0.6)
    chosen = set(key.inset)
    inset.add_collection(
        _areas(layers, [i for i, code in enumerate(layers.codes) if code in chosen])
    )
    inset.add_collection(
        PathCollection(
            _geometry_paths([key.inset_outline]), facecolors="none", edgecolors=TEXT, linewidths=1.0
        )
    )
    bx0, by0, bx1, by1 = key.inset_outline.bounds
    dx, dy = (bx1 - bx0) * 0.04, (by1 - by0) * 0.1
    x0, y0, x1, y1 = bx0 - dx, by0 - dy * 2, bx1 + dx, by1 + dy
    # Widen the shorter side so the extent has the box's shape: the axes keep equal scales.
    shape = h * fig.get_figheight() / (w * WIDTH)
    if (y1 - y0) / (x1 - x0) < shape:
        grow = ((x1 - x0) * shape - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    else:
        grow = ((y1 - y0) / shape - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    extent = (x0, y0, x1, y1)
    inset.set_xlim(extent[0], extent[2])
    inset.set_ylim(extent[1], extent[3])
    inset.set_aspect("equal", adjustable="datalim")
    _numbers(
        inset,
        key,
        True,
        max(
            (extent[2] - extent[0]) / (w * WIDTH),
            (extent[3] - extent[1]) / (h * fig.get_figheight()),
        ),
    )
    _scale_bar(inset, key.inset_outline, extent)
    inset.text(
        0.0,
        1.03,
        key.inset_title,
        transform=inset.transAxes,
        ha="left",
        va="bottom",
        fontsize=LEGEND_PT,
        fontweight="bold",
        color=TEXT,
        parse_math=False,
    )


def save(fig: Figure, folder: Path, name: str) -> Path:
    """Render ``fig`` and write it to ``folder/name.png`` at :data:`DPI`.

    The figure's images (the legend and the key, drawn once per process) are pasted into the
    rendered map pixel for pixel: matplotlib would resample each, about 60 ms for a copy. The PNG
    is 8-bit, with a palette of :data:`PALETTE_COLOURS`: a map has a few flat colours and their
    anti-aliased edges, and a palette image is a third of the size of an RGB one and faster to
    write, and to embed for Typst and pandoc.
    """
    from PIL import Image  # on use: Pillow adds 40 ms to the command line's start

    images = [image for image in _images(fig) if image.get_visible()]
    for image in images:
        image.set_visible(False)
    try:
        pixels = _rendered(fig)
    finally:
        for image in images:
            image.set_visible(True)
    for image in images:
        _paste(pixels, np.asarray(image.get_array()), int(image.ox), int(image.oy))
    picture = Image.fromarray(pixels, "RGBA").convert("RGB")
    picture = picture.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    # The quantizer averages white with the palest anti-aliased pixels: keep the page white.
    palette = np.array(picture.getpalette(), dtype=np.uint8).reshape(-1, 3)
    palette[(palette >= 245).all(axis=1)] = 255
    picture.putpalette(palette.ravel().tolist())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.png"
    picture.save(target, format="png", dpi=(DPI, DPI), compress_level=PNG_COMPRESSION)
    return target


def _images(fig: Figure) -> list[FigureImage]:
    """The images pasted on a map (:meth:`Figure.figimage`): its legend first, then its key."""
    from matplotlib.image import FigureImage  # on use: matplotlib takes a second to import

    return [image for image in fig.images if isinstance(image, FigureImage)]


def _paste(pixels: np.ndarray, image: np.ndarray, ox: int, oy: int) -> None:
    """Copy ``image`` (opaque, top row first) into ``pixels`` with its bottom-left corner ``ox``
    pixels from the left and ``oy`` from the bottom, as :meth:`Figure.figimage` places it."""
    height, width = pixels.shape[:2]
    top = height - oy - image.shape[0]
    rows = slice(max(top, 0), min(top + image.shape[0], height))
    cols = slice(max(ox, 0), min(ox + image.shape[1], width))
    pixels[rows, cols] = image[rows.start - top : rows.stop - top, cols.start - ox : cols.stop - ox]


def recolour(fig: Figure, layers: Layers) -> Figure:
    """Give the map ``fig`` the colours and legend of ``layers``, which must draw the same areas
    with the same outline: the maps of one organisation share a figure, since building it costs
    about as much as drawing it."""
    areas = fig.axes[0].collections[0]
    if list(areas.get_urls()) != list(layers.codes):
        raise ValueError("recolour draws the same areas in the same order")
    areas.set_facecolor(list(layers.colours))
    inset = next((ax for ax in fig.axes if ax.get_label() == "inset"), None)
    if inset is not None:
        colour = dict(zip(layers.codes, layers.colours, strict=True))
        enlarged = inset.collections[0]
        enlarged.set_facecolor([colour[str(code)] for code in enlarged.get_urls()])
    legend = _images(fig)[0]
    top = legend.oy + np.asarray(legend.get_array()).shape[0]
    image = legend_image(layers.legend_title, layers.legend)
    legend.set_data(image)
    legend.oy = top - image.shape[0]  # top-aligned, as drawn first
    return fig
