"""What to-do items and worklist rows say, in the agent's language.

One place for the words the customer view, the worklist window and the
``todo`` / ``worklist`` commands share. Actions, onboarding tasks and stages
are worded by the playbooks (which carry all four languages); the few fixed
words (routes, reminders, VIP deadlines) are catalog messages.
"""

from __future__ import annotations

from datetime import date

from app.domain.playbook_schema import PlaybookError
from app.i18n import N_, _, format_date, ngettext, ui_language
from app.services.playbooks import complaint_category_label, playbook_for
from app.services.todo_items import (
    ComplaintItem,
    ExpiryItem,
    FairUseItem,
    OnboardingItem,
    TodoItem,
)
from app.services.worklists import WorklistRow

ROUTES = {
    "mass_incident": N_("handle by the mass-incident algorithm"),
    "consultation": N_("consultation"),
    "second_line": N_("second line: on-line retention"),
    "retained": N_("customer retained"),
    "claim": N_("claim"),
}
REMINDERS = {"month": N_("reminder one month before"), "week": N_("reminder one week before")}
VIP_DEADLINES = {
    "assign_manager": N_("Assign an account manager"),
    "first_contact": N_("First contact by the account manager"),
}


def route_words(route: str | None) -> str:
    return _(ROUTES[route]) if route in ROUTES else _("route not decided")


def reminder_words(reminder: str) -> str:
    return _(REMINDERS[reminder]) if reminder in REMINDERS else reminder


def vip_words(deadline: str) -> str:
    return _(VIP_DEADLINES[deadline]) if deadline in VIP_DEADLINES else deadline


def action_words(process: str, action: str) -> str:
    """An action or task id as the playbook's step that carries it out is titled."""
    if action in VIP_DEADLINES:
        return vip_words(action)
    try:
        playbook = playbook_for(process)
    except (KeyError, PlaybookError):
        return action
    for flow in playbook.flows:
        for step in flow.steps:
            if step.action == action:
                return step.title.get(ui_language())
    return action


def stage_words(process: str, stage: str) -> str:
    """A stage as its playbook's flow is titled (onboarding: intake, follow-up ...)."""
    try:
        return playbook_for(process).flow(stage).title.get(ui_language())
    except (KeyError, PlaybookError):
        return stage


def category_words(category: str) -> str:
    return complaint_category_label(category, ui_language())


def month_words(key: str) -> str:
    """``2026-03`` as "March 2026" in the agent's language."""
    year, month = key.split("-")
    return format_date(date(int(year), int(month), 1), fmt="LLLL y")


def due_words(due: date, overdue: bool, today: date | None = None) -> str:
    """ "Due 25 Jun 2026", "Overdue since 23 Jun 2026", or "Overdue" (a VIP deadline
    passed while the item's own due date is still ahead)."""
    if overdue and due < (today or date.today()):
        return _("Overdue since {date}").format(date=format_date(due))
    if overdue:
        return _("Overdue")
    return _("Due {date}").format(date=format_date(due))


def item_words(item: TodoItem) -> tuple[str, str]:
    """(title, details) of a to-do item."""
    if isinstance(item, FairUseItem):
        return (
            _("Fair use — stage {stage}").format(stage=item.stage),
            _("{month}; to do: {actions}").format(
                month=month_words(item.month),
                actions="; ".join(action_words("fair_use", a) for a in item.actions),
            ),
        )
    if isinstance(item, ExpiryItem):
        ends = format_date(item.end_date) if item.end_date else "–"
        return (
            _("Expiring bundle — {reminder}").format(reminder=reminder_words(item.reminder)),
            _("{bundle} ({bundle_id}) ends {end}").format(
                bundle=item.bundle_name or item.bundle_id, bundle_id=item.bundle_id, end=ends
            ),
        )
    if isinstance(item, OnboardingItem):
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
    assert isinstance(item, ComplaintItem)
    about = category_words(item.category) if item.category else item.subject or str(item.case_id)
    return (_("Complaint — {route}").format(route=route_words(item.route)), about)


def row_words(row: WorklistRow) -> str:
    """What a worklist row is about."""
    if row.process == "fair_use":
        return _("Fair use {month}, stage {stage}").format(
            month=month_words(row.about) if row.about else "", stage=row.what
        )
    if row.process == "expiry":
        return _("{reminder}: {bundle}").format(reminder=reminder_words(row.what), bundle=row.about)
    if row.process == "onboarding":
        return _("Onboarding: {task}").format(task=action_words("onboarding", row.what))
    if not row.about:
        return _("Complaint: {route}").format(route=route_words(row.what))
    return _("Complaint {about}: {route}").format(
        about=category_words(row.about), route=route_words(row.what)
    )
