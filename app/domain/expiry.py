"""Expiry reminders for bundles, packages and promotions with an end date.

For an end date E a reminder is due at each configured offset before E (one
month, seven days); it is due on day T when its due date <= T < E and it has
not been sent. Once a later reminder's due date is reached, earlier ones are
superseded and no longer listed. Bundles already ended (T >= E) are not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.calendar import add_months
from app.domain.errors import RuleInputError
from app.domain.rule_tables import ExpiryRules, Reminder


@dataclass(frozen=True, slots=True)
class Bundle:
    id: str
    end_date: date
    sent: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DueReminder:
    bundle_id: str
    reminder: str
    due_date: date
    rule_id: str


@dataclass(frozen=True, slots=True)
class ExpiryDecision:
    """Reminders due today, sorted by due date then bundle id."""

    due: tuple[DueReminder, ...]
    rule_ids: tuple[str, ...]
    ruleset_version: str


def reminder_dates(end_date: date, rules: ExpiryRules) -> list[tuple[date, Reminder]]:
    """Every reminder's due date for ``end_date``, earliest first."""
    dates = [
        (add_months(end_date, -r.months_before) - timedelta(days=r.days_before), r)
        for r in rules.reminders
    ]
    return sorted(dates, key=lambda pair: pair[0])


def _due_for(bundle: Bundle, today: date, rules: ExpiryRules) -> list[DueReminder]:
    if today >= bundle.end_date:
        return []
    reached = [(d, r) for d, r in reminder_dates(bundle.end_date, rules) if d <= today]
    if rules.supersede.enabled:
        reached = reached[-1:]
    return [
        DueReminder(bundle.id, r.id, d, r.rule_id) for d, r in reached if r.id not in bundle.sent
    ]


def evaluate(today: date, bundles: Iterable[Bundle], rules: ExpiryRules) -> ExpiryDecision:
    """The reminders due on ``today`` for ``bundles``."""
    bundles = list(bundles)
    _check(bundles, rules)
    due: list[DueReminder] = []
    for bundle in bundles:
        due.extend(_due_for(bundle, today, rules))
    due.sort(key=lambda item: (item.due_date, item.bundle_id))
    rule_ids = list(dict.fromkeys(item.rule_id for item in due))
    if rules.supersede.enabled:
        rule_ids.append(rules.supersede.rule_id)
    return ExpiryDecision(tuple(due), tuple(rule_ids), rules.version)


def _check(bundles: Sequence[Bundle], rules: ExpiryRules) -> None:
    seen: set[str] = set()
    for index, bundle in enumerate(bundles):
        if bundle.id in seen:
            raise RuleInputError(f"bundles.{index}.id", f"The bundle id {bundle.id!r} repeats.")
        seen.add(bundle.id)
        unknown = sorted(bundle.sent - rules.reminder_ids)
        if unknown:
            known = ", ".join(r.id for r in rules.reminders)
            raise RuleInputError(
                f"bundles.{index}.sent", f"Unknown reminder {unknown[0]!r}; known: {known}."
            )
