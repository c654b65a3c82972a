"""Importing the customer base from the operator's CSV exports.

The formats are described in ``IMPORT.md``: one kind of file per command
(``partners``, ``customers``, ``subscriptions``, ``device-plans``,
``bundles``, ``fair-use``). :func:`run_import` reads a file, reports each
rejected row's problems and returns the counts.
"""

from __future__ import annotations

from app.services.importing.csvfile import ImportFileError
from app.services.importing.runner import (
    KINDS,
    ImportSummary,
    Problem,
    check_file,
    columns_of,
    run_import,
)

__all__ = [
    "KINDS",
    "ImportFileError",
    "ImportSummary",
    "Problem",
    "check_file",
    "columns_of",
    "run_import",
]
