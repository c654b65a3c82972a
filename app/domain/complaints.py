"""Complaint routing: consultation, second line, retention, claim or mass incident.

The routing table is read top to bottom and the first matching row wins: an
active mass incident goes to its published algorithm; a contact the first
line resolved ends as a consultation; when the second line is not in normal
mode the first line files the claim; otherwise the second line attempts
retention, and a claim is filed when retention is impossible (one of four
blockers). A claim is filed only for the customer values its category's
channel accepts; otherwise the contact ends as a documented consultation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.domain.errors import RuleInputError
from app.domain.rule_tables import ComplaintRules, Route, RouteWhen

Retention = Literal["succeeded", "impossible"]


@dataclass(frozen=True, slots=True)
class ComplaintCase:
    category: str
    customer_value: int
    mass_incident: bool = False
    first_line_resolved: bool = False
    second_line_normal: bool = True
    retention: Retention | None = None
    blocker: int | None = None


@dataclass(frozen=True, slots=True)
class ComplaintDecision:
    route: Route
    claim: bool
    channel: str
    rule_ids: tuple[str, ...]
    ruleset_version: str


def _matches(when: RouteWhen, case: ComplaintCase) -> bool:
    retention = case.retention or "none"
    return (
        (when.mass_incident is None or when.mass_incident == case.mass_incident)
        and (
            when.first_line_resolved is None or when.first_line_resolved == case.first_line_resolved
        )
        and (when.second_line_normal is None or when.second_line_normal == case.second_line_normal)
        and (when.retention is None or when.retention == retention)
    )


def _check(case: ComplaintCase, rules: ComplaintRules) -> None:
    if case.category not in rules.channel_of_category:
        raise RuleInputError("category", f"Unknown complaint category {case.category!r}.")
    if case.customer_value not in rules.customer.values:
        values = ", ".join(str(v) for v in rules.customer.values)
        raise RuleInputError("customer_value", f"The customer value must be one of {values}.")
    if case.retention not in (None, "succeeded", "impossible"):
        raise RuleInputError("retention", "Retention is null, 'succeeded' or 'impossible'.")
    if case.blocker is not None and case.blocker not in rules.blocker_ids:
        ids = ", ".join(str(b.id) for b in rules.blockers)
        raise RuleInputError("blocker", f"The blocker must be one of {ids}.")
    if case.retention == "impossible" and case.blocker is None:
        raise RuleInputError("blocker", "Retention impossible needs the blocker (why).")


def evaluate(case: ComplaintCase, rules: ComplaintRules) -> ComplaintDecision:
    """Route ``case`` through the routing table."""
    _check(case, rules)
    channel = rules.channel_of_category[case.category]
    row = next(r for r in rules.routing if _matches(r.when, case))
    route: Route = row.route
    rule_ids = [row.rule_id]
    if route == "claim":
        rule_ids.append(channel.rule_id)
        if case.customer_value not in channel.claim_values:
            route = rules.not_eligible.route
            rule_ids.append(rules.not_eligible.rule_id)
    return ComplaintDecision(
        route=route,
        claim=route == "claim",
        channel=channel.id,
        rule_ids=tuple(rule_ids),
        ruleset_version=rules.version,
    )
