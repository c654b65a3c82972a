"""How expiry reminder items and worklist rows read."""

from __future__ import annotations

from app.i18n import _, format_date
from app.processes.expiry.todo import ExpiryItem
from app.services.todo_items import WorklistRow
from app.services.wording import reminder_words


def item_words(item: ExpiryItem) -> tuple[str, str]:
    ends = format_date(item.end_date) if item.end_date else "–"
    return (
        _("Expiring bundle — {reminder}").format(reminder=reminder_words(item.reminder)),
        _("{bundle} ({bundle_id}) ends {end}").format(
            bundle=item.bundle_name or item.bundle_id, bundle_id=item.bundle_id, end=ends
        ),
    )


def row_words(row: WorklistRow) -> str:
    return _("{reminder}: {bundle}").format(reminder=reminder_words(row.what), bundle=row.about)
