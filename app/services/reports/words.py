"""How the Reports window words a report's cells, in the UI language.

The rows keep the spec's values (the CSV and XLSX files write them as they
are); on screen an id or a date reads as the rest of the application words
it: dates with :func:`app.i18n.format_date`, complaint categories and
onboarding stages by :mod:`app.services.wording` (the playbooks' words, as the
customer view, to-do list and worklists show them), the fair-use measure by
the label of its option in the fair-use playbook. Months stay ``YYYY-MM``;
numbers are left to the table (grouped in the UI language).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.i18n import _, format_date, ui_language
from app.services.reports.complaints import UNCLASSIFIED
from app.services.reports.onboarding import VIP_STAGE

#: Columns holding a calendar day as ISO text.
DATE_COLUMNS = frozenset({"decision_date", "since"})
#: (report, column) -> what words it.
WORDED = frozenset(
    {("complaints", "category"), ("onboarding", "stage"), ("controlling", "measure")}
)


def is_worded(report: str, column: str) -> bool:
    """Whether the window shows this column's values in words (the raw value as tooltip)."""
    return column in DATE_COLUMNS or (report, column) in WORDED


def cell_words(report: str, column: str, value: Any) -> str | None:
    """``value`` of ``column`` in ``report`` as the window shows it, or None when it
    shows as it is. Reads playbooks (cached after the first time): call it once off
    the GUI thread for a report's rows (:func:`warm`)."""
    if value is None or not is_worded(report, column):
        return None
    text = str(value)
    if column in DATE_COLUMNS:
        try:
            return format_date(date.fromisoformat(text[:10]), ui_language())
        except ValueError:
            return None
    from app.services import wording

    if column == "category":
        return _("not classified yet") if text == UNCLASSIFIED else wording.category_words(text)
    if column == "stage":
        return _("VIP deadlines") if text == VIP_STAGE else wording.stage_words("onboarding", text)
    return _measure_words(text)


def _measure_words(measure: str) -> str:
    from app.domain.playbook_schema import PlaybookError
    from app.processes.common import option_label
    from app.services.playbooks import playbook_for

    try:
        playbook = playbook_for("fair_use")
    except (KeyError, PlaybookError):
        return measure
    return option_label(playbook, "measure", measure).format_for(ui_language())


def warm(report: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Word every worded cell once, so the playbooks it needs are read (worker thread)."""
    for i, column in enumerate(columns):
        if is_worded(report, column):
            for value in {row[i] for row in rows}:
                cell_words(report, column, value)
