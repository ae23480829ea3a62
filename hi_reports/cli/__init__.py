"""The command line, ``hi-reports``: :mod:`hi_reports.cli.main` parses and runs a command (one
edition, ``init``, ``orgs``, ``data ...``); :mod:`hi_reports.cli.batch` runs a batch with its
progress and summary. Library errors name the setting at fault (``option``); the CLI names its
flag."""
