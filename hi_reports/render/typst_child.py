"""Typst for the builtin engine in a child process of its own: the PDFs and the charts as PNG.

Typst memoises every compile and keeps every image it has drawn in a process-wide cache it never
empties (about 30 MB an edition), which in-process would stay in each batch worker for the rest of
the batch. So Typst runs in a child Python process (:class:`TypstChild`), replaced after
:data:`COMPILES_PER_CHILD` requests: a child keeps its fonts and caches warm for a few editions and
takes them away when it exits. It is a new interpreter, not a fork, so that no lock another thread
held at the fork can stall it. A child imports Typst as it starts, and its successor is started as
soon as it has answered its last request (a batch worker starts its first before its first
edition, :meth:`TypstChild.start`), so that the start overlaps the process's own work.

The child runs this file (:func:`main`) without importing the ``hi_reports`` package, which it does
not need, so that it starts in the time it takes to import typst (0.1 s, against 0.5 s with the
render package). It reads one JSON request a line on stdin and answers each with one JSON line
``[outcome, message]``; it exits at the end of its input. A request is one of

* ``{"task": "pdf", "source": ..., "project": ..., "pdf": ...}``: compile a Typst source, with the
  project folder as root, to an accessible PDF (:func:`typst_outcome`);
* ``{"task": "png", "root": ..., "ppi": 300, "images": [[svg, png], ...]}``: draw SVG files (inside
  ``root``) as PNG files with their resolution recorded (:func:`draw_outcome`): the Word
  document's charts are PNG copies of the SVG charts, which Word 2013 and older cannot show.

The engine asks the child of its process, :data:`TYPST` (:meth:`TypstChild.pdf`,
:meth:`TypstChild.png`). Every child is waited for: when it is replaced, when it stops without an
answer, and when its process exits, a batch worker included (:meth:`TypstChild._own`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import math
import os
import re
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path
from typing import Any

#: The PDF claims PDF/UA-1 (tagged, accessible) when Typst can check it; public-sector bodies
#: must publish accessible documents.
PDF_STANDARDS: tuple[str, ...] = ("ua-1",)

#: Requests a child serves before it is replaced (see :class:`TypstChild`).
COMPILES_PER_CHILD = 5

#: Seconds a child may take to exit once its process is leaving (it exits as soon as it reads the
#: end of its input, unless a request is under way), before it is killed.
EXIT_GRACE = 2.0

#: What a request's answer says: it went well, the PDF was written without its PDF/UA-1 claim
#: (the message says why), or it failed (the message says why).
OK, NOT_ACCESSIBLE, ERROR = "ok", "not accessible", "error"


def font_folder() -> str | None:
    """The folder of the DejaVu fonts matplotlib ships (the sans-serif family of the charts, the
    PDF, the HTML and Word), found without importing matplotlib; None if it is not there."""
    spec = importlib.util.find_spec("matplotlib")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if (folder / "DejaVuSans.ttf").is_file():
            return str(folder)
    return None


def first_line(text: str) -> str:
    """The first informative line of a tool's error output."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return "(no error message)"
    if len(lines) > 1 and lines[0].startswith("Error running filter"):
        return lines[1]  # the filter's own message; the temporary filter path says nothing
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def _message(err: Exception) -> str:
    """The message of a Typst error (``typst.TypstError`` has it in ``message``)."""
    return str(getattr(err, "message", "") or err)


def _typst_error_place(err: Exception, source: str, project: Path) -> str:
    """Name the chapter (or template file and line) where a Typst error happened."""
    diagnostic = str(getattr(err, "diagnostic", "") or "")
    match = re.search(r"┌─ (\S+?):(\d+):\d+", diagnostic)
    if not match:
        return "the book"
    file, line = match.group(1), int(match.group(2))
    if not file.endswith("__typst_py_bytes__.typ"):
        path = Path(file).resolve()
        if path.is_relative_to(project):
            file = path.relative_to(project).as_posix()
        return f"{file}, line {line}"
    chapter = "the title block"
    for text in source.splitlines()[:line]:
        if text.startswith("// hi-chapter: "):
            chapter = text.removeprefix("// hi-chapter: ").strip()
    return chapter


def typst_outcome(source: str, project: Path, pdf: Path) -> tuple[str, str]:
    """Compile ``source`` (root ``project``) to ``pdf`` with Typst; return ``(OK, "")``,
    ``(NOT_ACCESSIBLE, warning)`` or ``(ERROR, message)``."""
    import typst  # in the child only: the parent never loads Typst

    def run(standards: list[str]) -> None:
        folder = font_folder()
        # typst's stubs want the root and the output of the type of the source (bytes here)
        typst.compile(  # type: ignore[call-overload]
            source.encode("utf-8"),
            output=str(pdf),
            root=str(project),
            ignore_system_fonts=True,
            font_paths=[folder] if folder else [],
            format="pdf",
            pdf_standards=standards,
        )

    try:
        try:
            run(list(PDF_STANDARDS))
            return OK, ""
        except Exception as err:  # a PDF/UA failure is retried without the claim, others raised
            if not _message(err).startswith("PDF/UA"):
                raise
            run([])
            return NOT_ACCESSIBLE, (
                f"the PDF of {project} is not accessible (PDF/UA-1) because of "
                f"{_typst_error_place(err, source, project)}: {first_line(_message(err))}; "
                "it was written without the PDF/UA-1 claim"
            )
    except Exception as err:  # noqa: BLE001 - typst.TypstError, RuntimeError from older versions
        place = _typst_error_place(err, source, project)
        return ERROR, f"typst failed on {place} ({project}): {first_line(_message(err))}"


def with_resolution(png: bytes, ppi: int) -> bytes:
    """``png`` with a ``pHYs`` chunk saying ``ppi`` pixels an inch (Typst writes none; one that has
    a ``pHYs`` chunk is returned as it is).

    Examples
    --------
    >>> ihdr = b"IHDR" + bytes(13)
    >>> crc = struct.pack(">I", zlib.crc32(ihdr))
    >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I", 13) + ihdr + crc
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


def draw_outcome(root: Path, images: list[tuple[Path, Path]], ppi: int) -> tuple[str, str]:
    """Draw each SVG of ``images`` (inside ``root``) into its PNG file at ``ppi`` pixels an inch;
    return ``(OK, "")`` or ``(ERROR, message)`` when Typst cannot read or draw an SVG file."""
    import typst  # in the child only: the parent never loads Typst

    pages = [
        "#image(" + json.dumps("/" + svg.relative_to(root).as_posix(), ensure_ascii=False) + ")"
        for svg, _ in images
    ]
    source = "#set page(width: auto, height: auto, margin: 0pt)\n" + "\n#pagebreak()\n".join(pages)
    try:
        # typst's stubs want the root of the type of the source (bytes here)
        out = typst.compile(  # type: ignore[call-overload]
            source.encode("utf-8"),
            root=str(root),
            format="png",
            ppi=ppi,
            ignore_system_fonts=True,
        )
    except Exception as err:  # noqa: BLE001 - typst.TypstError: its message, for the parent's error
        return ERROR, first_line(_message(err))
    drawn = out if isinstance(out, list) else [out]
    if len(drawn) != len(images):
        return ERROR, f"Typst drew {len(drawn)} images of {len(images)}"
    for (_, png), data in zip(images, drawn, strict=True):
        png.write_bytes(with_resolution(data, ppi))
    return OK, ""


def answer(request: dict[str, Any]) -> tuple[str, str]:
    """The child's answer to one request (see the module's description)."""
    if request.get("task") == "png":
        images = [(Path(svg), Path(png)) for svg, png in request["images"]]
        return draw_outcome(Path(request["root"]), images, int(request["ppi"]))
    return typst_outcome(request["source"], Path(request["project"]), Path(request["pdf"]))


def main() -> None:
    """The child: answer each request line of stdin with a line on stdout."""
    import typst  # noqa: F401 - before the first request: a child started early is ready for it

    for line in sys.stdin:
        sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
        sys.stdout.flush()


class TypstChild:
    """The child process that runs Typst for this process (see the module's description)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._process: subprocess.Popen[str] | None = None
        self._used = 0

    def pdf(self, source: str, project: Path, pdf: Path) -> tuple[str, str]:
        """Compile ``source`` (root ``project``) to ``pdf``: :func:`typst_outcome` in the child."""
        return self.ask({"task": "pdf", "source": source, "project": str(project), "pdf": str(pdf)})

    def png(self, root: Path, images: list[tuple[Path, Path]], ppi: int) -> tuple[str, str]:
        """Draw SVG files as PNG files: :func:`draw_outcome` in the child."""
        pairs = [[str(svg), str(png)] for svg, png in images]
        return self.ask({"task": "png", "root": str(root), "ppi": ppi, "images": pairs})

    def ask(self, request: dict[str, Any]) -> tuple[str, str]:
        """Send ``request`` to the child (started, or replaced, as needed) and return its answer;
        ``(ERROR, message)`` when the child stops without one."""
        line = json.dumps(request) + "\n"
        with self._lock:
            process = self._ready()
            self._used += 1
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(line)
                process.stdin.flush()
                reply = process.stdout.readline()
            except OSError:
                reply = ""
            if not reply:
                code = process.poll()
                self._retire()
                return ERROR, f"the Typst compiler stopped without a result (exit code {code})"
            if self._used >= COMPILES_PER_CHILD:  # its successor starts while this process works
                self._ready()
            outcome, message = json.loads(reply)
            return str(outcome), str(message)

    def start(self) -> None:
        """Start this process's child now, if it has none, so that it is ready (Typst imported)
        by the first request: a batch worker calls this before its first edition."""
        with self._lock:
            self._ready()

    def _ready(self) -> subprocess.Popen[str]:
        """This process's child, started (or replaced) if it cannot take a request (lock
        held)."""
        if self._pid != os.getpid():  # the first request of this process
            self._own()
        if (
            self._process is None
            or self._used >= COMPILES_PER_CHILD
            or self._process.poll() is not None
        ):
            self._retire()
            self._process = self._start()
            self._used = 0
        return self._process

    def close(self) -> None:
        """End this process's child, if it has one, and wait for it (at exit)."""
        if self._pid == os.getpid():
            self._retire(grace=EXIT_GRACE)

    def _own(self) -> None:
        """Make this process the owner of the children it starts, and have them waited for when
        it exits.

        A process forked from one with a child (a batch worker) has none of its own yet: the
        parent's child is the parent's to use and to wait for. An interpreter that exits normally
        runs :meth:`close` through :mod:`atexit` (registered at import), but a multiprocessing
        worker ends with ``os._exit``, which runs no :mod:`atexit` function: its child was left to
        exit on its own and, its parent gone, to be reaped by whoever adopted it (a ``[python]
        <defunct>`` process where nothing does). multiprocessing's own finalizers do run in its
        workers, as they leave: :meth:`close` is registered with them too.
        """
        import multiprocessing.util  # on first use only: the child process never needs it

        self._process, self._pid, self._used = None, os.getpid(), 0
        multiprocessing.util.Finalize(None, self.close, exitpriority=10)  # run as it exits

    @staticmethod
    def _start() -> subprocess.Popen[str]:
        """A new child: this file run as a script, without the ``hi_reports`` package (``python
        -m`` would import the render package first)."""
        run = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"
        return subprocess.Popen(
            [sys.executable, "-c", run, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def _retire(self, grace: float = 30.0) -> None:
        """End the child: close its input, so that it exits once it has answered, and wait for
        it; kill it if it has not exited after ``grace`` seconds (and wait for that too)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                with contextlib.suppress(OSError):  # the child is gone already: nothing to flush
                    process.stdin.close()
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        finally:  # an interrupt while waiting must not leave it running, nor unreaped
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()


#: The Typst child of this process.
TYPST = TypstChild()
atexit.register(TYPST.close)


if __name__ == "__main__":
    main()
