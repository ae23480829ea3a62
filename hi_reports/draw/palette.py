"""Colours of the charts and maps, and the contrast they must have.

WCAG 2.1 success criterion 1.4.11 (non-text contrast) asks for 3:1 between the parts of a graphic
needed to understand it and what sits next to them. For a bar chart that is every bar against the
white page, and the bars of two series side by side against each other. With two colours each at
3:1 or more against white, the pair can only be 3:1 apart if one is dark (relative luminance under
about 0.06) and the other a mid tone (about 0.25, which is 3.4:1 against both white and the dark
blue). So every chart pairs the NHS dark blue with mid tones: NHS mid grey for England, a green for
rural residents, and for the three age groups a mid orange, the dark blue and a mid teal (light,
dark, light: three side by side cannot all be 3:1 apart otherwise). The mid tones differ in hue as
well, so that they stay apart under colour blindness (:func:`simulate`; ``tests/test_palette.py``
checks every pair).

Lines drawn across bars (error bars, the median) are dark with a white casing: the casing gives
them contrast against any bar, the dark line against the page.

Map fills are sequential palettes (viridis for IMD deciles, ColorBrewer for shares and rates, in
:mod:`hi_reports.draw.maps`). Neighbouring classes of a sequential palette cannot all be
3:1 apart; the maps have a legend, their ends are far apart, and their palettes are chosen to stay
ordered in lightness under colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: NHS dark blue: the organisation's own series, and urban residents.
ORGANISATION = "#003087"
#: NHS mid grey: England's series and marks.
ENGLAND_COLOUR = "#768692"
URBAN = ORGANISATION
#: A mid green (relative luminance 0.25): rural residents.
RURAL = "#00A03A"
#: The age groups 0-15, 16-64 and 65+: mid orange, dark blue, mid teal.
AGE_COLOURS = ("#DC6C00", ORGANISATION, "#009C91")
#: Text, and lines drawn over bars (with a :data:`CASING`).
TEXT = "#231F20"
CASING = "#FFFFFF"
#: NHS dark grey: source notes (7.8:1 against white, as text needs 4.5:1).
NOTE = "#425563"
#: Gridlines: a faint aid to reading values; the axis labels carry them.
GRID = "#E8EDEE"
WHITE = "#FFFFFF"

#: Pairs of colours drawn side by side in some chart, which must be 3:1 apart.
SIDE_BY_SIDE = (
    (ORGANISATION, ENGLAND_COLOUR),
    (URBAN, RURAL),
    (AGE_COLOURS[0], AGE_COLOURS[1]),
    (AGE_COLOURS[1], AGE_COLOURS[2]),
)
#: Pairs in the same chart, not side by side, which need only look different (also when colour
#: blind).
SAME_CHART = ((AGE_COLOURS[0], AGE_COLOURS[2]),)

#: Viénot, Brettel and Mollon (1999) simulation matrices on linear sRGB, as DaltonLens gives them.
_DICHROMACY = {
    "protanopia": np.array(
        [[0.11238, 0.88762, 0.0], [0.11238, 0.88762, 0.0], [0.00401, -0.00401, 1.0]]
    ),
    "deuteranopia": np.array(
        [[0.29275, 0.70725, 0.0], [0.29275, 0.70725, 0.0], [-0.02234, 0.02234, 1.0]]
    ),
}
_SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
_WHITE_XYZ = np.array([0.95047, 1.0, 1.08883])


def _linear(colour: str | Sequence[float]) -> np.ndarray:
    """Linear sRGB (0-1) of a hex colour, or of an (r, g, b) in linear sRGB already."""
    if not isinstance(colour, str):
        return np.asarray(colour, dtype=float)[:3]
    digits = colour.lstrip("#")
    if len(digits) != 6:
        raise ValueError(f"colour {colour!r} is not #RRGGBB")
    srgb = np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def relative_luminance(colour: str | Sequence[float]) -> float:
    """WCAG 2.1 relative luminance of a colour, from 0 (black) to 1 (white).

    Parameters
    ----------
    colour
        ``#RRGGBB``, or an (r, g, b) in linear sRGB.

    Examples
    --------
    >>> round(relative_luminance("#005EB8"), 3)
    0.115
    """
    return float(_linear(colour) @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(first: str | Sequence[float], second: str | Sequence[float]) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("#FFB81C", "#FFFFFF"), 2)  # NHS warm yellow on white
    1.73
    """
    low, high = sorted((relative_luminance(first), relative_luminance(second)))
    return (high + 0.05) / (low + 0.05)


def simulate(colour: str, kind: str) -> np.ndarray:
    """A colour as seen with ``kind`` (``"protanopia"`` or ``"deuteranopia"``), in linear sRGB.

    The Viénot-Brettel-Mollon simulation of dichromacy: a projection in linear RGB, good for
    the red-green deficiencies that about one man in twelve has in some degree.
    """
    if kind not in _DICHROMACY:
        raise ValueError(
            f"unknown colour vision deficiency {kind!r}: choose {' or '.join(_DICHROMACY)}"
        )
    seen: np.ndarray = np.clip(_DICHROMACY[kind] @ _linear(colour), 0.0, 1.0)
    return seen


def lab(colour: str | Sequence[float]) -> np.ndarray:
    """CIELAB (D65) of a hex colour or of a linear sRGB triple."""
    xyz = _SRGB_TO_XYZ @ _linear(colour) / _WHITE_XYZ
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(first: str | Sequence[float], second: str | Sequence[float]) -> float:
    """CIE76 colour difference (Euclidean in CIELAB): about 2 is just noticeable, 20 plainly
    different."""
    return float(np.linalg.norm(lab(first) - lab(second)))
