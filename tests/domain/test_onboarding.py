"""Onboarding: day and stage, task statuses, VIP deadlines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain import onboarding
from app.domain.errors import RuleInputError
from app.domain.ruleset import RuleSet

ACTIVATION = date(2026, 3, 1)


def decide(rules: RuleSet, today: date, **kwargs: object) -> onboarding.OnboardingDecision:
    return onboarding.evaluate(
        onboarding.OnboardingCase(ACTIVATION, today, **kwargs),  # type: ignore[arg-type]
        rules.onboarding,
    )


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (0, "intake"),
        (3, "intake"),
        (4, "follow_up"),
        (8, "follow_up"),  # RULES_API.md
        (10, "follow_up"),
        (11, "first_bill"),
        (30, "first_bill"),
        (31, "fit_check"),
        (60, "fit_check"),
        (61, "consolidation"),
        (90, "consolidation"),
        (91, "completed"),
        (400, "completed"),
    ],
)
def test_stage_by_day(rules: RuleSet, day: int, stage: str) -> None:
    d = decide(rules, ACTIVATION + timedelta(days=day))
    assert (d.day, d.stage) == (day, stage)
    assert f"onboarding.stage.{stage}" in d.rule_ids


def test_every_named_action_is_a_task(rules: RuleSet) -> None:
    ids = {t.id for t in rules.onboarding.tasks}
    assert ids == {
        "explain_tariff",
        "contract_terms",
        "service_channels",
        "billing_and_payment",
        "data_usage_advice",
        "vip_level_benefits",
        "recommend_club",
        "coach_number_change",
        "coach_internet_setup",
        "first_callback",
        "explain_first_bill",
        "package_fit_coaching",
        "recommend_value_added",
        "satisfaction_check",
        "close_onboarding",
    }
    vip_only = {t.id for t in rules.onboarding.tasks if t.target == "vip"}
    assert vip_only == {"vip_level_benefits"}


def test_task_statuses(rules: RuleSet) -> None:
    d = decide(rules, date(2026, 3, 11), done=("explain_tariff",))
    status = {t.id: (t.due, t.status) for t in d.tasks}
    assert status["explain_tariff"] == (date(2026, 3, 4), "done")
    assert status["contract_terms"] == (date(2026, 3, 4), "overdue")
    assert status["first_callback"] == (date(2026, 3, 11), "open")  # due today: not overdue
    assert "vip_level_benefits" not in status
    d = decide(rules, date(2026, 3, 12))
    assert {t.id: t.status for t in d.tasks}["first_callback"] == "overdue"
    assert [t.due for t in d.tasks] == sorted(t.due for t in d.tasks)


def test_vip_tasks_and_deadlines(rules: RuleSet) -> None:
    d = decide(rules, date(2026, 3, 5), vip_rated=date(2026, 3, 1))
    assert "vip_level_benefits" in {t.id for t in d.tasks}
    assert d.vip == onboarding.VipState(date(2026, 3, 4), None, ("assign_manager",))
    d = decide(rules, date(2026, 3, 4), vip_rated=date(2026, 3, 1))
    assert d.vip.overdue == ()  # the due day itself is not overdue
    d = decide(
        rules, date(2026, 3, 13), vip_rated=date(2026, 3, 1), manager_assigned=date(2026, 3, 5)
    )
    assert d.vip == onboarding.VipState(date(2026, 3, 4), date(2026, 3, 12), ("first_contact",))
    d = decide(
        rules,
        date(2026, 3, 20),
        vip_rated=date(2026, 3, 1),
        manager_assigned=date(2026, 3, 5),
        manager_first_contact=date(2026, 3, 12),
    )
    assert d.vip.overdue == ()


def test_vip_rated_late_counts_from_the_rating(rules: RuleSet) -> None:
    d = decide(rules, date(2026, 3, 20), vip_rated=date(2026, 3, 15))
    assert d.vip.assign_due == date(2026, 3, 18)
    assert d.vip.overdue == ("assign_manager",)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"today": date(2026, 2, 28)}, "today"),
        ({"manager_assigned": date(2026, 3, 2)}, "manager_assigned"),
        ({"vip_rated": date(2026, 3, 3), "manager_assigned": date(2026, 3, 2)}, "manager_assigned"),
        ({"manager_first_contact": date(2026, 3, 2)}, "manager_first_contact"),
        (
            {
                "vip_rated": date(2026, 3, 1),
                "manager_assigned": date(2026, 3, 3),
                "manager_first_contact": date(2026, 3, 2),
            },
            "manager_first_contact",
        ),
        ({"done": ("explain_tariff", "nap")}, "done.1"),
    ],
)
def test_invalid_cases(rules: RuleSet, kwargs: dict[str, object], field: str) -> None:
    today = kwargs.pop("today", date(2026, 3, 9))
    with pytest.raises(RuleInputError) as caught:
        decide(rules, today, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
