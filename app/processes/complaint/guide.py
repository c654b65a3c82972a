"""The complaint guide: active mass incidents first, then the rules engine's route.

A complaint case (subject ``complaint:<yyyymmdd>-<short id>``) runs the flow
``intake``. The guide lists the active mass incidents (not withdrawn; the
customer's partner's first, then those for every partner) as facts
``incident_1`` ... ``incident_5`` for the first step's choice, and computes
``route`` with :func:`app.domain.complaints.evaluate` from the answers so far
(category, first line resolved, second line in normal mode, retention and
blocker) and the customer's value. Answers not given in this run fall back to
the case's facts, so a complaint classified before continues where it stood.

After each step the classification and, once decided, the route are written
to the case (facts ``category``, ``channel``, ``route``, ``claim`` ...; the
stage is the route). A claim gets a number derived from the case, the
acknowledgement letter's facts and a task for the claims department, due
after the rule file's ``follow_up.due_days``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from app.domain.case_state import CaseChange
from app.domain.complaints import ComplaintCase, ComplaintDecision, evaluate
from app.domain.errors import RuleInputError
from app.domain.playbook_schema import Playbook, Step
from app.i18n import _
from app.processes.base import CaseFacts, Facts, GuideContext
from app.processes.common import Worded, long_date, option_label, worded
from app.services.errors import ValidationError
from app.services.playbooks import playbook_for

if TYPE_CHECKING:  # the stored rows the repositories give
    from app.store.models import MassIncident

#: How many active mass incidents the first step offers.
INCIDENT_SLOTS = 5
NO_INCIDENT = "none"
#: Steps that end the contact on their route; the route is then recorded on the case.
ROUTE_ENDS = frozenset({"mass_incident", "consultation", "retained", "claim"})
#: The step that hands the call to the second line (its route is recorded when it does).
HAND_OVER_STEP = "second_line_mode"
#: Where the second line goes on with a complaint handed over to it.
SECOND_LINE_STEP = "retention"


def step_of_route(route: str | None) -> tuple[str | None, bool]:
    """The step a complaint case stands at by its recorded route, and whether that step
    is done: the second line goes on at retention; a route that ends the contact was
    recorded at its own step (the case may stay open, e.g. for a claim's answer)."""
    if route == "second_line":
        return SECOND_LINE_STEP, False
    if route in ROUTE_ENDS:
        return route, True
    return None, False


def category_option(category: str) -> str:
    """The playbook's option id of a rule category (``shop.x`` -> ``shop__x``)."""
    return category.replace(".", "__")


def category_of_option(option: str) -> str:
    return option.replace("__", ".", 1)


def claim_number(case: CaseFacts, filed_on: date) -> str:
    """The claim's number: the filing date and the case's short id, ``CL-20260315-3FA9C2``."""
    return f"CL-{filed_on:%Y%m%d}-{case.id.hex[:6].upper()}"


def active_incidents(ctx: GuideContext) -> list[MassIncident]:
    """Incidents not withdrawn, for the customer's partner or all partners; the partner's first."""
    return list(ctx.uow.incidents.active_for(ctx.customer.partner_id))


class ComplaintGuide:
    """Facts and case records for ``resources/playbooks/complaint.yaml``."""

    process = "complaint"

    def facts(self, ctx: GuideContext) -> Facts:
        playbook = playbook_for(self.process)
        incidents = active_incidents(ctx)[:INCIDENT_SLOTS]
        chosen = self._incident(ctx, incidents)
        category = self._category(ctx, chosen)
        decision = self._decide(ctx, category, chosen) if category else None
        channel = self._known(ctx, "channel") or (category.split(".")[0] if category else None)
        answers = ctx.answers
        values: dict[str, Any] = {
            "active_incidents": [i.title for i in incidents] or None,
            **{
                f"incident_{n + 1}": incidents[n].title if n < len(incidents) else None
                for n in range(INCIDENT_SLOTS)
            },
            "incident_title": chosen.title if chosen else None,
            "incident_since": long_date(_day(chosen.started_at)) if chosen else None,
            "incident_instructions": chosen.instructions if chosen else None,
            "customer_value": ctx.customer.customer_value,
            "channel": option_label(playbook, "channel", channel) if channel else None,
            "category": (
                option_label(playbook, "category", category_option(category)) if category else None
            ),
            "summary": self._known(ctx, "summary"),
            "route": self._route(playbook, decision.route) if decision else None,
            "claim_allowed": self._claim_allowed(ctx, channel),
            "blocker": (
                option_label(playbook, "blocker", str(answers["blocker"]))
                if answers.get("blocker")
                else None
            ),
            "consultation_note": answers.get("consultation_note"),
            "agreement": answers.get("agreement"),
        }
        rule_ids = self._rule_ids(ctx, decision, chosen, channel)
        if decision is not None and decision.claim:
            values.update(self._claim(ctx, category))
        return Facts(values=values, rule_ids=rule_ids, ruleset_version=ctx.rules.complaint.version)

    def after_step(
        self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]
    ) -> CaseChange | None:
        """Write the classification and, once decided, the route and the claim to the case."""
        case = ctx.case
        subject = None if case.subject else f"complaint:{ctx.today:%Y%m%d}-{case.id.hex[:6]}"
        stage: str | None = None
        incidents = active_incidents(ctx)[:INCIDENT_SLOTS]
        chosen = self._incident(ctx, incidents)
        category = self._category(ctx, chosen)
        recorded: dict[str, Any] = {
            "customer_value": ctx.customer.customer_value,
            "mass_incident": chosen is not None,
            "mass_incident_id": str(chosen.id) if chosen else None,
        }
        for key in ("summary", "first_line_resolved", "second_line_normal", "retention"):
            value = self._known(ctx, key)
            if value is not None:
                recorded[key] = value
        blocker = self._blocker(ctx)
        if blocker is not None:
            recorded["blocker"] = blocker
        if category:
            recorded["category"] = category
            recorded["channel"] = category.split(".")[0]
            decision = self._decide(ctx, category, chosen)
            handed_over = step.id == HAND_OVER_STEP and decision.route == "second_line"
            if step.id in ROUTE_ENDS or handed_over:
                recorded.update(route=decision.route, claim=decision.claim)
                stage = decision.route
            if step.id == "claim" and decision.claim:
                recorded.update(self._file_claim(ctx, category))
        due = recorded.pop("due", None)
        return CaseChange(stage=stage, facts=recorded, subject=subject, due=due)

    # --- the engine -------------------------------------------------------------------

    def _decide(
        self, ctx: GuideContext, category: str, chosen: MassIncident | None
    ) -> ComplaintDecision:
        retention = self._known(ctx, "retention")
        resolved = self._known(ctx, "first_line_resolved")
        normal = self._known(ctx, "second_line_normal")
        case = ComplaintCase(
            category=category,
            customer_value=ctx.customer.customer_value,
            mass_incident=chosen is not None,
            first_line_resolved=bool(resolved) if resolved is not None else False,
            second_line_normal=bool(normal) if normal is not None else True,
            retention=retention if retention in ("succeeded", "impossible") else None,
            blocker=self._blocker(ctx),
        )
        try:
            return evaluate(case, ctx.rules.complaint)
        except RuleInputError as exc:
            if exc.field == "blocker":
                raise ValidationError(
                    _("Why impossible? Choose one of the four reasons."), field="blocker"
                ) from exc
            raise ValidationError(
                _("Category: {category} is not a complaint category of the rules.").format(
                    category=category
                ),
                field="category",
            ) from exc

    # --- answers, else the case's facts -------------------------------------------------

    _ANSWER_OF: ClassVar[dict[str, str]] = {
        "first_line_resolved": "resolved",
        "second_line_normal": "second_line_normal",
        "retention": "retention",
        "summary": "summary",
        "channel": "channel",
    }

    def _known(self, ctx: GuideContext, key: str) -> Any:
        """This run's answer for ``key``, else the case's recorded fact."""
        answer = ctx.answers.get(self._ANSWER_OF.get(key, key))
        return answer if answer is not None else ctx.case.facts.get(key)

    @staticmethod
    def _blocker(ctx: GuideContext) -> int | None:
        answer = ctx.answers.get("blocker")
        if isinstance(answer, str) and answer.startswith("b") and answer[1:].isdigit():
            return int(answer[1:])
        recorded = ctx.case.facts.get("blocker")
        return recorded if isinstance(recorded, int) else None

    @staticmethod
    def _incident(ctx: GuideContext, incidents: list[MassIncident]) -> MassIncident | None:
        """The incident the agent matched (an answer ``incident_N``), else the one on the case."""
        answer = ctx.answers.get("incident")
        if answer == NO_INCIDENT:
            return None
        if isinstance(answer, str) and answer.startswith("incident_"):
            index = int(answer.removeprefix("incident_")) - 1
            return incidents[index] if 0 <= index < len(incidents) else None
        recorded = ctx.case.facts.get("mass_incident_id")
        return next((i for i in incidents if str(i.id) == recorded), None)

    @staticmethod
    def _category(ctx: GuideContext, chosen: MassIncident | None) -> str | None:
        """The category answered, else the matched incident's first, else the case's."""
        answer = ctx.answers.get("category")
        if isinstance(answer, str):
            return category_of_option(answer)
        if chosen is not None and chosen.categories:
            return str(chosen.categories[0])
        recorded = ctx.case.facts.get("category")
        return recorded if isinstance(recorded, str) else None

    # --- pieces ---------------------------------------------------------------------------

    @staticmethod
    def _route(playbook: Playbook, route: str) -> Worded:
        return worded(route, playbook.facts.get(f"route_{route}"))

    @staticmethod
    def _claim_allowed(ctx: GuideContext, channel: str | None) -> bool | None:
        """Whether the channel files claims for this customer's value (the rule table's list)."""
        rules = next((c for c in ctx.rules.complaint.channels if c.id == channel), None)
        return ctx.customer.customer_value in rules.claim_values if rules else None

    @staticmethod
    def _rule_ids(
        ctx: GuideContext,
        decision: ComplaintDecision | None,
        chosen: MassIncident | None,
        channel: str | None,
    ) -> tuple[str, ...]:
        """The engine's rules; before a category is known, the rule of the check at hand."""
        rules = ctx.rules.complaint
        if decision is not None:
            ids = list(decision.rule_ids)
            if decision.claim:
                ids.append(rules.follow_up.rule_id)
            return tuple(ids)
        mass = next(r.rule_id for r in rules.routing if r.when.mass_incident)
        if channel is None or chosen is not None:
            return (mass,)
        return tuple(c.rule_id for c in rules.channels if c.id == channel)

    def _filed_on(self, ctx: GuideContext) -> date:
        recorded = ctx.case.facts.get("claim_filed_on")
        return date.fromisoformat(recorded) if isinstance(recorded, str) else ctx.today

    def _claim(self, ctx: GuideContext, category: str | None) -> dict[str, Any]:
        """The claim's facts: number, answer date, and the letter's ``claim`` record."""
        filed_on = self._filed_on(ctx)
        number = ctx.case.facts.get("claim_no") or claim_number(ctx.case, filed_on)
        answer_by = filed_on + timedelta(days=ctx.rules.complaint.follow_up.due_days)
        return {
            "claim_no": number,
            "answer_by": long_date(answer_by),
            "claim": {
                "number": number,
                "category": category,
                "filed_on": filed_on,
                "answer_by": answer_by,
                "summary": self._known(ctx, "summary"),
            },
        }

    def _file_claim(self, ctx: GuideContext, category: str) -> dict[str, Any]:
        """Once: the claims department's task and the case's due date; the claim's facts."""
        filed_on = self._filed_on(ctx)
        claim = self._claim(ctx, category)["claim"]
        due: dict[str, Any] = {}
        if not ctx.case.facts.get("claim_no"):
            due["due"] = claim["answer_by"].isoformat()
            ctx.uow.tasks.add(
                ctx.customer.id,
                ctx.case.id,
                "complaint_claim",
                _("Claim {number}: answer {customer} by {date}").format(
                    number=claim["number"],
                    customer=ctx.customer.name,
                    date=claim["answer_by"].isoformat(),
                ),
                claim["answer_by"],
            )
        return {"claim_no": claim["number"], "claim_filed_on": filed_on.isoformat(), **due}


def _day(moment: datetime) -> date:
    return moment.astimezone().date() if moment.tzinfo else moment.date()


GUIDE = ComplaintGuide()
