"""Expiry reminders: due windows, supersession, month-end clamping, sorting."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain import expiry
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet

END = date(2026, 6, 30)  # month reminder 2026-05-30, week reminder 2026-06-23


def due(rules: RuleSet, today: date, *bundles: expiry.Bundle) -> list[tuple[str, str, date]]:
    d = expiry.evaluate(today, bundles, rules.expiry)
    return [(r.bundle_id, r.reminder, r.due_date) for r in d.due]


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (date(2026, 5, 29), set(), []),
        (date(2026, 5, 30), set(), [("b1", "month", date(2026, 5, 30))]),
        (date(2026, 6, 22), set(), [("b1", "month", date(2026, 5, 30))]),
        (date(2026, 6, 22), {"month"}, []),
        (date(2026, 6, 23), set(), [("b1", "week", date(2026, 6, 23))]),  # month superseded
        (date(2026, 6, 25), {"month"}, [("b1", "week", date(2026, 6, 23))]),  # RULES_API.md
        (date(2026, 6, 29), {"week"}, []),
        (date(2026, 6, 29), set(), [("b1", "week", date(2026, 6, 23))]),
        (date(2026, 6, 30), set(), []),  # ended
        (date(2026, 8, 1), set(), []),
    ],
)
def test_due_window(
    rules: RuleSet, today: date, sent: set[str], expected: list[tuple[str, str, date]]
) -> None:
    assert due(rules, today, expiry.Bundle("b1", END, frozenset(sent))) == expected


def test_month_reminder_clamps_to_month_end(rules: RuleSet) -> None:
    assert due(rules, date(2026, 2, 28), expiry.Bundle("x", date(2026, 3, 31))) == [
        ("x", "month", date(2026, 2, 28))
    ]
    assert due(rules, date(2028, 2, 29), expiry.Bundle("x", date(2028, 3, 29))) == [
        ("x", "month", date(2028, 2, 29))
    ]


def test_sorted_by_due_date_then_bundle_id(rules: RuleSet) -> None:
    result = due(
        rules,
        date(2026, 6, 25),
        expiry.Bundle("c", END),
        expiry.Bundle("a", END),
        expiry.Bundle("b", date(2026, 7, 10)),
    )
    assert result == [
        ("b", "month", date(2026, 6, 10)),
        ("a", "week", date(2026, 6, 23)),
        ("c", "week", date(2026, 6, 23)),
    ]


def test_decision_records_rules(rules: RuleSet) -> None:
    d = expiry.evaluate(date(2026, 6, 25), [expiry.Bundle("b1", END)], rules.expiry)
    assert "expiry.reminder.week_before" in d.rule_ids
    assert d.ruleset_version == "2026.1"


def test_invalid_bundles(rules: RuleSet) -> None:
    with pytest.raises(RuleInputError) as caught:
        expiry.evaluate(
            date(2026, 6, 1), [expiry.Bundle("a", END), expiry.Bundle("a", END)], rules.expiry
        )
    assert caught.value.field == "bundles.1.id"
    with pytest.raises(RuleInputError) as caught:
        expiry.evaluate(
            date(2026, 6, 1), [expiry.Bundle("a", END, frozenset({"day"}))], rules.expiry
        )
    assert caught.value.field == "bundles.0.sent"
