"""Drawing: the built-in charts and maps of an edition, from the figures :mod:`hi_reports.indicators`
computed, with one palette and one way of writing figure files."""
