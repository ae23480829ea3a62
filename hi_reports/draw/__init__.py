"""Drawing: the built-in charts and maps of an edition, from the figures
:mod:`hi_reports.indicators` computed, with one palette, one home for their words
(:mod:`hi_reports.draw.labels`) and one way of writing figure files."""
