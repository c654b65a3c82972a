"""What to-do items, worklist rows and open cases say, in the agent's language.

One place for the words the customer view, the worklist window and the
``todo`` / ``worklist`` commands share, so no internal id (a case subject such
as ``goodwill:B-7002``, a route such as ``second_line``, a category such as
``dealer.incompetence``) reaches the agent. Actions, onboarding tasks, stages,
routes, complaint categories and products are worded by the playbooks (which
carry all four languages, so texts written into the history can be worded in
another language than the agent's); the few fixed words (reminders, VIP
deadlines, how a case subject reads) are catalog messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from app.i18n import N_, _, format_date, format_month, ui_language
from app.services.todo_items import CaseItem, TodoItem, WorklistRow

REMINDERS = {"month": N_("reminder one month before"), "week": N_("reminder one week before")}
VIP_DEADLINES = {
    "assign_manager": N_("Assign an account manager"),
    "first_contact": N_("First contact by the account manager"),
}


def _playbook_fact(process: str, key: str, language: str | None) -> str | None:
    """The label a process's playbook gives the fact ``key``, in ``language``."""
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    try:
        text = playbook_for(process).facts.get(key)
    except (KeyError, PlaybookError):
        return None
    return text.get(language or ui_language()) if text is not None else None


def route_words(route: str | None, language: str | None = None) -> str:
    """A complaint route as the complaint playbook words it (``route_<id>``)."""
    words = _playbook_fact("complaint", f"route_{route}", language) if route else None
    if words:
        return words
    return _("route not decided") if not route else _words_of_id(route)


def product_words(product: str, language: str | None = None) -> str:
    """A product code (``mobile_tv``) as the fair-use playbook words it."""
    return _playbook_fact("fair_use", product, language) or _words_of_id(product)


def products_words(products: list[str] | tuple[str, ...], language: str | None = None) -> str:
    """A customer's products in words; "none" (in ``language``) for no product."""
    if not products:
        return _playbook_fact("fair_use", "no_products", language) or "–"
    return ", ".join(product_words(p, language) for p in products)


def _words_of_id(ident: str) -> str:
    """The last resort for an id no playbook words: ``second_line`` -> "second line"."""
    return ident.rsplit(".", 1)[-1].replace("_", " ")


def reminder_words(reminder: str) -> str:
    return _(REMINDERS[reminder]) if reminder in REMINDERS else reminder


def vip_words(deadline: str) -> str:
    return _(VIP_DEADLINES[deadline]) if deadline in VIP_DEADLINES else deadline


def action_words(process: str, action: str) -> str:
    """An action or task id as the playbook's step that carries it out is titled."""
    if action in VIP_DEADLINES:
        return vip_words(action)
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    try:
        playbook = playbook_for(process)
    except (KeyError, PlaybookError):
        return action
    for flow in playbook.flows:
        for step in flow.steps:
            if step.action == action:
                return step.title.get(ui_language())
    return action


#: The few stages no playbook words: how a contract request ended.
STAGES = {
    ("contract", "scheduled"): N_("scheduled"),
    ("contract", "done"): N_("carried out"),
    ("contract", "refused"): N_("refused"),
}


def stage_words(process: str, stage: str, language: str | None = None) -> str:
    """A case's stage in words, the same on every screen: a numbered stage as "stage 2";
    a reminder as the to-do list words it; else as its playbook words it - the flow
    of that id (onboarding: intake, follow-up ...; expiry: goodwill), a complaint
    route (``route_<id>``); else the few fixed words of :data:`STAGES`."""
    if stage.isdigit():
        return _("stage {stage}").format(stage=stage)
    if stage in REMINDERS:
        return reminder_words(stage)
    title = _flow_title(process, stage, language)
    if title:
        return title
    words = _playbook_fact(process, f"route_{stage}", language)
    if words:
        return words
    message = STAGES.get((process, stage))
    return _(message) if message else _words_of_id(stage)


def category_words(category: str, language: str | None = None) -> str:
    """A complaint category (``dealer.incompetence``) as the complaint playbook words it."""
    from app.services.playbooks import complaint_category_label

    words = complaint_category_label(category, language or ui_language())
    return _words_of_id(words) if words == category else words


_DATED = re.compile(r"^(?P<flow>[a-z][a-z0-9_]*):(?P<date>\d{4}-\d{2}-\d{2})$")
_COMPLAINT = re.compile(r"^complaint:(?P<date>\d{8})-[0-9a-f]+$")


def _flow_title(process: str, flow: str, language: str | None = None) -> str | None:
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for

    try:
        return playbook_for(process).flow(flow).title.get(language or ui_language())
    except (KeyError, PlaybookError):
        return None


def _bundle_words(bundle_no: str, bundles: Mapping[str, str] | None) -> str:
    name = (bundles or {}).get(bundle_no)
    if name:
        return _("{bundle} ({bundle_no})").format(bundle=name, bundle_no=bundle_no)
    return _("bundle {bundle_no}").format(bundle_no=bundle_no)


def case_words(
    process: str,
    subject: str | None,
    *,
    category: str | None = None,
    bundles: Mapping[str, str] | None = None,
) -> str | None:
    """What an open case is about, in words; None when the process says it all.

    Subjects are internal keys: a month (``2026-12``), a bundle and reminder
    (``B-7005:month``, ``goodwill:B-7002``), a flow and the day it was asked
    for (``downgrade:2026-12-06``), a complaint category or a generated
    complaint key. ``bundles`` maps bundle numbers to their names.
    """
    if process == "complaint" and category:
        return category_words(category)
    if not subject or subject == process:
        return None
    if process == "fair_use" and re.fullmatch(r"\d{4}-\d{2}", subject):
        return month_words(subject)
    if process == "expiry":
        prefix, sep, rest = subject.partition(":")
        if sep:
            bundle_no = rest if prefix == "goodwill" else subject.rpartition(":")[0]
            return _bundle_words(bundle_no, bundles)
        return _bundle_words(subject, bundles)
    if process == "complaint":
        dated = _COMPLAINT.match(subject)
        day = _day(dated.group("date")) if dated else None
        if day is not None:
            return _("taken on {date}").format(date=format_date(day))
        return category_words(subject)
    dated = _DATED.match(subject)
    day = _day(dated.group("date")) if dated else None
    if dated and day is not None:
        title = _flow_title(process, dated.group("flow")) or _words_of_id(dated.group("flow"))
        return _("{request} of {date}").format(request=title, date=format_date(day))
    return _flow_title(process, subject) or _words_of_id(subject)


def _day(text: str) -> date | None:
    """``2026-12-06`` or ``20261206`` as a date; None when it is none."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def month_words(key: str) -> str:
    """``2026-03`` as "March 2026" in the agent's language."""
    year, month = key.split("-")
    return format_month(date(int(year), int(month), 1))


def due_words(due: date, overdue: bool, today: date | None = None) -> str:
    """ "Due 25 Jun 2026", "Overdue since 23 Jun 2026", or "Overdue" (a VIP deadline
    passed while the item's own due date is still ahead)."""
    if overdue and due < (today or date.today()):
        return _("Overdue since {date}").format(date=format_date(due))
    if overdue:
        return _("Overdue")
    return _("Due {date}").format(date=format_date(due))


def item_words(item: TodoItem) -> tuple[str, str]:
    """(title, details) of a to-do item: its process words it, an open case reads the same
    for every process."""
    from app.processes import spec_of

    spec = spec_of(item.process)
    if not isinstance(item, CaseItem) and spec is not None and spec.item_words is not None:
        return spec.item_words(item)
    assert isinstance(item, CaseItem)
    flow = _flow_title(item.process, item.flow) if item.flow else None
    what = flow or case_words(item.process, item.subject) or _flow_title(item.process, "")
    about = case_words(item.process, item.subject, bundles=dict(item.bundles)) or ""
    return (
        _("Open case — {what}").format(what=what or item.process),
        "" if about == what else about,
    )


def row_words(row: WorklistRow) -> str:
    """What a worklist row is about, as its process words it."""
    from app.processes import spec_of

    spec = spec_of(row.process)
    if spec is None or spec.row_words is None:
        return row.about
    return spec.row_words(row)
