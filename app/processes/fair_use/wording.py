"""How fair-use items and worklist rows read."""

from __future__ import annotations

from app.i18n import _, ui_language
from app.processes.fair_use.guide import PARTNER_FEEDBACK
from app.processes.fair_use.todo import FairUseItem, PartnerAnswerItem
from app.services.playbooks import playbook_for
from app.services.todo_items import WorklistRow
from app.services.wording import action_words, month_words


def item_words(item: FairUseItem | PartnerAnswerItem) -> tuple[str, str]:
    if isinstance(item, PartnerAnswerItem):
        return answer_words(item)
    return (
        _("Fair use — stage {stage}").format(stage=item.stage),
        _("{month}; to do: {actions}").format(
            month=month_words(item.month),
            actions="; ".join(action_words("fair_use", a) for a in item.actions),
        ),
    )


def row_words(row: WorklistRow) -> str:
    return _("Fair use {month}, stage {stage}").format(
        month=month_words(row.about) if row.about else "", stage=row.what
    )


def answer_words(item: PartnerAnswerItem) -> tuple[str, str]:
    """ "The partner has answered the decision: disagrees — continue", and what it wrote."""
    if item.agrees is False:
        answer = _("disagrees")
    elif item.agrees is True:
        answer = _("agrees")
    else:
        answer = _("answered")
    step = playbook_for("fair_use").flow(PARTNER_FEEDBACK).steps[0].title.get(ui_language())
    return (
        _("The partner has answered the decision: {answer} — continue").format(answer=answer),
        _("{month}; to do: {step}. The partner wrote: {text}").format(
            month=month_words(item.month), step=step, text=item.text
        ),
    )
