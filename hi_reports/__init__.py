"""hi_reports: local editions of the Health Inequalities Book for NHS organisations."""

from hi_reports.errors import HIReportsError

__version__ = "0.1.0"
__all__ = ["HIReportsError", "__version__"]
