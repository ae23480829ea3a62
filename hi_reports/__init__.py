"""hi_reports: local editions of the Health Inequalities Book for NHS organisations.

A chapter, a notebook or a script reaches an organisation's edition through one call::

    import hi_reports
    ed = hi_reports.edition("QHL")       # NHS Birmingham and Solihull ICB
    ed.pct(ed.imd["core20"]["share"])    # "49.4%", recorded in the data annex
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from hi_reports.errors import HIReportsError

if TYPE_CHECKING:
    from hi_reports.api import Edition

__version__ = "0.1.0"


def edition(
    org: str,
    kind: str | None = None,
    vintage: str | int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Edition:
    """The edition of ``org``: within an ``hi-reports build`` the one being built, elsewhere
    computed from the data folder (see :func:`hi_reports.pipeline.edition`)."""
    # imported on use: `import hi_reports` stays light (no pandas) for the command line
    from hi_reports.pipeline import edition as _edition

    return _edition(org, kind, vintage, data_dir)


__all__ = ["HIReportsError", "__version__", "edition"]
