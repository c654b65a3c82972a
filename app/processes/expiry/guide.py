"""The expiry guide: reminders before a bundle ends, and goodwill after it lapsed.

Two flows of ``resources/playbooks/expiry.yaml``:

* ``reminder`` - one case per bundle and reminder, subject
  ``<bundle_no>:<month|week>`` (what the to-do list opens). Which reminder is
  due comes from :func:`app.domain.expiry.evaluate`, given the bundle's end
  date and the reminders already sent; completing the step queues the SMS and
  marks the reminder on ``Bundle.reminders_sent`` (which only grows). A
  reminder the engine does not call due is refused and nothing is written.
* ``goodwill`` - the complaint after a package lapsed silently, subject
  ``goodwill:<bundle_no>``. The credit per disputed month and the suggested
  total come from :func:`app.domain.goodwill.evaluate`, shown beside the
  factors the source weighed (see :mod:`app.processes.expiry.goodwill`);
  the agent's decision is kept on the case (``facts["goodwill_decision"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.domain import expiry
from app.domain.case_state import CaseChange
from app.domain.playbook_schema import Playbook, Step
from app.i18n import _, format_date, ui_language
from app.processes.base import Facts, GuideContext
from app.processes.common import Worded, long_date, worded
from app.processes.expiry.goodwill import check_months, decision_record, goodwill_facts
from app.processes.facts_once import facts_once
from app.processes.fair_use.guide import service_phone
from app.services.case_record import record_close
from app.services.errors import ValidationError
from app.services.playbooks import playbook_for

if TYPE_CHECKING:  # the stored rows the repositories give
    from app.store.models import Bundle

REMINDER = "reminder"
GOODWILL = "goodwill"
#: The goodwill flow's steps where the disputed months are entered and the credit decided.
ENTER_MONTHS = "enter_months"
DECIDE = "decide"
#: The outcome (and the event's step) of a reminder case closed because a later reminder was sent.
SUPERSEDED = "superseded"


def reminder_subject(subject: str | None) -> tuple[str, str] | None:
    """``"B-7001:week"`` -> ``("B-7001", "week")``; None for anything else."""
    bundle_no, sep, reminder = (subject or "").rpartition(":")
    return (bundle_no, reminder) if sep and bundle_no and reminder else None


def goodwill_bundle(subject: str | None) -> str | None:
    """``"goodwill:B-7001"`` -> ``"B-7001"``; None for anything else."""
    prefix, sep, bundle_no = (subject or "").partition(":")
    return bundle_no if sep and prefix == GOODWILL and bundle_no else None


def _reminder_label(playbook: Playbook, reminder: str) -> Worded:
    return worded(reminder, playbook.facts.get(f"reminder_{reminder}"))


class ExpiryGuide:
    """Facts and process-specific records for ``resources/playbooks/expiry.yaml``."""

    process = "expiry"

    def facts(self, ctx: GuideContext) -> Facts:
        playbook = playbook_for(self.process)
        if ctx.state.flow == REMINDER:
            return self._reminder_facts(ctx, playbook)
        return self._goodwill_facts(ctx, playbook)

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Refuse a reminder that is not due and mark a sent one; keep the goodwill decision."""
        if ctx.state.flow == REMINDER:
            self._mark_reminder(ctx)
            return None
        bundle = self._goodwill_bundle(ctx)
        if bundle is None:
            raise ValidationError(
                _("{subject}: this customer has no such bundle; nothing was recorded.").format(
                    subject=ctx.case.subject or "–"
                )
            )
        if step.id == ENTER_MONTHS:
            check_months(ctx, answers, bundle)
        if step.id == DECIDE:
            record = decision_record(facts_once(self, ctx).values, answers)
            return CaseChange(facts={"goodwill_decision": record})
        return None

    # --- reminder -------------------------------------------------------------------

    def _reminder_bundle(self, ctx: GuideContext) -> tuple[Bundle | None, str]:
        parsed = reminder_subject(ctx.case.subject)
        if parsed is None:
            return None, ""
        return ctx.uow.bundles.get(ctx.customer.id, parsed[0]), parsed[1]

    def _due(self, ctx: GuideContext, bundle: Bundle) -> expiry.ExpiryDecision:
        rules = ctx.rules.expiry
        sent = frozenset(bundle.reminders_sent or ()) & rules.reminder_ids
        return expiry.evaluate(
            ctx.today, [expiry.Bundle(bundle.bundle_no, bundle.end_date, sent)], rules
        )

    def _reminder_facts(self, ctx: GuideContext, playbook: Playbook) -> Facts:
        bundle, wanted = self._reminder_bundle(ctx)
        if bundle is None:
            return Facts(
                values={"reminder_due": False, "bundle_no": ctx.case.subject},
                ruleset_version=ctx.rules.expiry.version,
            )
        decision = self._due(ctx, bundle)
        due = next((d for d in decision.due if d.reminder == wanted), None)
        values = {
            **self._bundle_values(playbook, bundle),
            "reminder": _reminder_label(playbook, wanted),
            "reminder_due": due is not None,
            "reminder_due_date": due.due_date if due else None,
            "service_phone": service_phone(ctx.partner.country),
        }
        return Facts(values, decision.rule_ids, decision.ruleset_version)

    def _mark_reminder(self, ctx: GuideContext) -> None:
        bundle, wanted = self._reminder_bundle(ctx)
        if bundle is None:
            raise ValidationError(
                _("{subject}: this customer has no such bundle; nothing was sent.").format(
                    subject=ctx.case.subject or "–"
                )
            )
        decision = self._due(ctx, bundle)
        if not any(d.reminder == wanted for d in decision.due):
            playbook = playbook_for(self.process)
            language = ui_language()
            other = [d.reminder for d in decision.due]
            details = {
                "reminder": _reminder_label(playbook, wanted).format_for(language),
                "bundle": bundle.name,
                "date": format_date(ctx.today, language),
                "end": format_date(bundle.end_date, language),
            }
            if other:
                message = _(
                    "The reminder {reminder} for {bundle} is not due on {date}; the reminder "
                    "{other} is due instead. Nothing was sent."
                ).format(**details, other=_reminder_label(playbook, other[0]).format_for(language))
            else:
                message = _(
                    "No reminder {reminder} is due for {bundle} on {date} (it ends on {end}; "
                    "already sent or not yet due). Nothing was sent."
                ).format(**details)
            raise ValidationError(message)
        ctx.uow.bundles.mark_reminder_sent(bundle, wanted)
        self._close_superseded(ctx, bundle, wanted, decision)

    @staticmethod
    def _close_superseded(
        ctx: GuideContext, bundle: Bundle, sent: str, decision: expiry.ExpiryDecision
    ) -> None:
        """Close the bundle's open cases of earlier reminders: the one sent supersedes them.

        Each is closed by an event of its own (its history entry, in this step's
        transaction), so deriving the case from its events closes it on every office.
        """
        order = [r.id for _day, r in expiry.reminder_dates(bundle.end_date, ctx.rules.expiry)]
        earlier = set(order[: order.index(sent)]) if sent in order else set()
        playbook = playbook_for(ExpiryGuide.process)
        language = ui_language()
        for case in ctx.uow.cases.open_for(ctx.customer.id):
            parsed = reminder_subject(case.subject)
            if (
                case.id != ctx.case.id
                and case.process == ExpiryGuide.process
                and parsed is not None
                and parsed[0] == bundle.bundle_no
                and parsed[1] in earlier
            ):
                text = _(
                    "Reminder {reminder} for {bundle} closed: the reminder {sent} was sent instead."
                ).format(
                    reminder=_reminder_label(playbook, parsed[1]).format_for(language),
                    bundle=bundle.name,
                    sent=_reminder_label(playbook, sent).format_for(language),
                )
                record_close(
                    ctx.uow,
                    case,
                    flow=REMINDER,
                    step=SUPERSEDED,
                    outcome=SUPERSEDED,
                    author=ctx.author,
                    text=text,
                    facts={"superseded_by": sent},
                    details={"superseded_by": ctx.case.subject},
                    rule_ids=decision.rule_ids,
                    ruleset_version=decision.ruleset_version,
                )

    # --- goodwill -------------------------------------------------------------------

    def _goodwill_bundle(self, ctx: GuideContext) -> Bundle | None:
        bundle_no = goodwill_bundle(ctx.case.subject)
        return ctx.uow.bundles.get(ctx.customer.id, bundle_no) if bundle_no else None

    def _goodwill_facts(self, ctx: GuideContext, playbook: Playbook) -> Facts:
        bundle = self._goodwill_bundle(ctx)
        known = self._bundle_values(playbook, bundle) if bundle else {}
        return goodwill_facts(ctx, playbook, bundle, known)

    @staticmethod
    def _bundle_values(playbook: Playbook, bundle: Bundle) -> dict[str, Any]:
        sent = [_reminder_label(playbook, r) for r in bundle.reminders_sent or ()]
        return {
            "bundle_name": bundle.name,
            "bundle_no": bundle.bundle_no,
            "end_date": long_date(bundle.end_date),
            "package_fee": bundle.package_fee,
            "reminders_sent": sent or None,
        }


GUIDE = ExpiryGuide()
