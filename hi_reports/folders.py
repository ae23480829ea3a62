"""The editions folder (``--out``): where editions are staged, what may be replaced, and its lock.

An edition is built in a staging folder inside the editions folder and renamed into place whole.
Only a folder that hi-reports made is ever replaced: each edition carries a marker file
(:data:`MARKER`), and a folder, file or link of the same name without it is refused with a one-line
error. Folders are created with the user's umask (as ``mkdir`` does), so that an edition is as
readable as any other file the user writes. A process writing editions holds an advisory lock on
the editions folder, so that two builds into one folder never remove each other's staging folders.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from hi_reports.errors import HIReportsError

__all__ = [
    "MARKER",
    "OutputError",
    "check_replaceable",
    "created_folders",
    "editions_folder",
    "locked",
    "make_staging",
    "mark_edition",
    "remove_if_empty",
    "replace_edition",
]

#: The file that marks a folder as an edition made by hi-reports (and so replaceable by it).
MARKER = ".hi-reports-edition"


class OutputError(HIReportsError):
    """The editions folder, or an edition's place in it, cannot be written."""


def editions_folder(out: str | os.PathLike[str]) -> Path:
    """Return the editions folder as an absolute path, creating it (and missing parents) if needed.

    Parameters
    ----------
    out
        The folder, relative to the working directory or absolute.

    Raises
    ------
    OutputError
        When ``out`` is a file, a device or a link to one, or cannot be created or written.
    """
    folder = Path(os.path.abspath(Path(out).expanduser()))
    if folder.exists() and not folder.is_dir():
        what = "a file" if folder.is_file() else "not a folder (a device or special file)"
        raise OutputError(
            f"the editions folder {out} is {what}",
            hint="give another editions folder",
            option="out",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"the editions folder {out} cannot be created ({error.strerror or error})",
            hint="give an editions folder you can write to",
            option="out",
        ) from None
    return folder


def created_folders(out: str | os.PathLike[str]) -> list[Path]:
    """The folders that :func:`editions_folder` would create for ``out``, deepest first."""
    folder = Path(os.path.abspath(Path(out).expanduser()))
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def remove_if_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first) where they are empty: what a failed build created."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def make_staging(out: Path, code: str, tag: str = "") -> Path:
    """Create a hidden staging folder ``out/.<code>-<tag><random>`` with the user's umask.

    Raises
    ------
    OutputError
        When the editions folder cannot be written (read-only, no permission, disk full).
    """
    for _ in range(100):
        path = out / f".{code}-{tag}{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o777)  # the umask applies, as for any folder the user makes
        except FileExistsError:
            continue
        except OSError as error:
            raise OutputError(
                f"the editions folder {out} cannot be written ({error.strerror or error})",
                hint="give an editions folder you can write to",
                option="out",
            ) from None
        return path
    raise OutputError(f"cannot create a staging folder in {out}")  # pragma: no cover


def mark_edition(folder: Path, code: str) -> None:
    """Write the marker that lets a later build replace ``folder``."""
    (folder / MARKER).write_text(
        f"hi-reports edition {code}: made by hi-reports, replaced whole by the next build\n",
        encoding="utf-8",
    )


def check_replaceable(final: Path) -> None:
    """Refuse to replace ``final`` unless it is absent or an edition folder hi-reports made.

    Raises
    ------
    OutputError
        When ``final`` is a link, a file, or a folder without the :data:`MARKER` file.
    """
    if final.is_symlink():
        raise OutputError(
            f"{final} is a symbolic link, not an edition folder made by hi-reports; "
            "it is left as it is",
            hint="remove the link or choose another editions folder",
            option="out",
        )
    if not final.exists():
        return
    if not final.is_dir():
        raise OutputError(
            f"{final} is a file, not an edition folder made by hi-reports; it is left as it is",
            hint="move it away or choose another editions folder",
            option="out",
        )
    if not (final / MARKER).is_file():
        raise OutputError(
            f"{final} exists and is not an edition made by hi-reports (it has no {MARKER} file); "
            "it is left as it is",
            hint="move it away or choose another editions folder; an edition made by an older "
            "hi-reports has no marker: delete it by hand",
            option="out",
        )


def replace_edition(built: Path, final: Path) -> None:
    """Rename the edition ``built`` to ``final``, replacing an older edition there.

    The older edition is renamed away first and removed after, with Ctrl-C and SIGTERM held
    meanwhile, so that ``final`` is at every moment either the old edition or the new one.

    Raises
    ------
    OutputError
        When ``final`` is not an edition hi-reports made (see :func:`check_replaceable`).
    """
    check_replaceable(final)
    old = final.with_name(f".{final.name}-old-{secrets.token_hex(4)}")
    held = {signal.SIGINT, signal.SIGTERM}
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        if final.exists():
            os.rename(final, old)
        os.rename(built, final)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the editions folder's lock: a second build into ``out`` waits, saying so on stderr.

    The lock is an advisory ``flock`` on the folder itself (no lock file is left behind), held by
    this process and the workers it forks, and released when they end, so a killed build never
    leaves ``out`` locked. Where ``flock`` is missing (Windows) builds are not serialised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"hi-reports: waiting for another build writing to {out}", file=sys.stderr)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
