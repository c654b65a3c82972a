"""How complaint items and worklist rows read."""

from __future__ import annotations

from app.i18n import _
from app.processes.complaint.todo import ComplaintItem
from app.services.todo_items import WorklistRow
from app.services.wording import case_words, route_words


def item_words(item: ComplaintItem) -> tuple[str, str]:
    about = case_words("complaint", item.subject, category=item.category) or _(
        "category not chosen yet"
    )
    return (_("Complaint — {route}").format(route=route_words(item.route)), about)


def row_words(row: WorklistRow) -> str:
    about = case_words("complaint", row.about) if row.about else None
    if not about:
        return _("Complaint: {route}").format(route=route_words(row.what))
    return _("Complaint {about}: {route}").format(about=about, route=route_words(row.what))
