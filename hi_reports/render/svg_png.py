"""Draw SVG files as PNG files with Typst, in a child process of its own.

Reads one JSON object on stdin, ``{"root": folder, "ppi": 300, "images": [[svg, png], ...]}`` (the
SVG files inside ``root``), writes each PNG with its resolution recorded (so that pandoc sizes it as
the SVG) and exits. Run as ``python -m hi_reports.render.svg_png`` by :mod:`hi_reports.render._docx`: the
Word document's charts are PNG copies of the SVG charts, which Word 2013 and older cannot show.
Typst keeps every image it has drawn in memory until its process ends, hence a process of its own;
like :mod:`hi_reports.render.typst_child`, it imports nothing of the project, so that it starts quickly.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zlib
from pathlib import Path


def with_resolution(png: bytes, ppi: int) -> bytes:
    """``png`` with a ``pHYs`` chunk saying ``ppi`` pixels an inch (Typst writes none; one that has
    a ``pHYs`` chunk is returned as it is).

    Examples
    --------
    >>> import zlib
    >>> ihdr = b"IHDR" + bytes(13)
    >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    >>> with_resolution(png, 300)[33:41]
    b'\\x00\\x00\\x00\\tpHYs'
    """
    if b"pHYs" in png[: png.find(b"IDAT")]:
        return png
    metres = math.ceil(ppi / 0.0254)  # pixels a metre, rounded up: pandoc truncates it to 300 dpi
    data = b"pHYs" + struct.pack(">IIB", metres, metres, 1)
    chunk = struct.pack(">I", 9) + data + struct.pack(">I", zlib.crc32(data))
    end_of_header = 8 + 4 + 4 + 13 + 4  # the signature, then the IHDR chunk, always first
    return png[:end_of_header] + chunk + png[end_of_header:]


def draw(root: Path, images: list[tuple[Path, Path]], ppi: int) -> None:
    """Draw each SVG of ``images`` (inside ``root``) into its PNG file at ``ppi`` pixels an inch.

    Raises
    ------
    typst.TypstError
        When Typst cannot read or draw an SVG file.
    """
    import typst

    pages = [
        "#image(" + json.dumps("/" + svg.relative_to(root).as_posix(), ensure_ascii=False) + ")"
        for svg, _ in images
    ]
    source = "#set page(width: auto, height: auto, margin: 0pt)\n" + "\n#pagebreak()\n".join(pages)
    out = typst.compile(
        source.encode("utf-8"), root=str(root), format="png", ppi=ppi, ignore_system_fonts=True
    )
    drawn = out if isinstance(out, list) else [out]
    for (_, png), data in zip(images, drawn):
        png.write_bytes(with_resolution(data, ppi))


def main() -> None:
    request = json.loads(sys.stdin.read())
    root = Path(request["root"])
    try:
        draw(root, [(Path(svg), Path(png)) for svg, png in request["images"]], int(request["ppi"]))
    except Exception as err:  # typst.TypstError: its message, for the parent's error
        message = str(getattr(err, "message", "") or err).strip().splitlines()
        sys.stderr.write((message[0] if message else type(err).__name__) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
