"""How onboarding items and worklist rows read."""

from __future__ import annotations

from app.i18n import _, format_date, ngettext
from app.processes.onboarding.todo import OnboardingItem
from app.services.todo_items import WorklistRow
from app.services.wording import action_words, stage_words, vip_words


def item_words(item: OnboardingItem) -> tuple[str, str]:
    tasks = [action_words("onboarding", t.id) for t in item.tasks]
    details = ngettext("{count} open task", "{count} open tasks", len(tasks)).format(
        count=len(tasks)
    )
    if tasks:
        details += ": " + "; ".join(tasks)
    for deadline in item.vip_pending:
        details += " · " + _("VIP: {what} by {date}").format(
            what=vip_words(deadline.id), date=format_date(deadline.due)
        )
    return (
        _("Onboarding — day {day}, {stage}").format(
            day=item.day, stage=stage_words("onboarding", item.stage)
        ),
        details,
    )


def row_words(row: WorklistRow) -> str:
    return _("Onboarding: {task}").format(task=action_words("onboarding", row.what))
