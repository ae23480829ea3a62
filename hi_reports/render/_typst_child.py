"""The Typst child process of the builtin engine: compiles one document per request.

Reads one JSON object a line on stdin (``source``, ``project``, ``pdf``) and answers each with one
JSON line ``[outcome, message]`` (see :func:`hi_reports.render.builtin._typst_outcome`); exits at
the end of its input. Run as ``python -m hi_reports.render._typst_child``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hi_reports.render.builtin import _typst_outcome


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        result = _typst_outcome(request["source"], Path(request["project"]), Path(request["pdf"]))
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
