"""Rule files: validation messages naming file, key and problem; numbers drive behaviour."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.ruleset import RULE_FILES, RuleFileError, RuleSet
from app.services.rules import load_ruleset, read_rule_files
from app.services.rules_api import InputError, evaluate

Edit = Callable[[str, str, str], RuleSet]


def test_shipped_rules_load_with_version(rules: RuleSet) -> None:
    assert rules.version == "2026.1"
    assert set(rules.versions) == set(RULE_FILES)
    assert load_ruleset() is load_ruleset()  # cached


def test_rule_ids_are_unique_per_file(rules_copy: Path) -> None:
    for file in RULE_FILES:
        text = (rules_copy / file).read_text(encoding="utf-8")
        ids = re.findall(r'rule_id = "([^"]+)"', text)
        assert len(ids) == len(set(ids)), file
        assert all(i.startswith(file.removesuffix(".toml") + ".") for i in ids), file


def test_loading_is_pure(rules_copy: Path) -> None:
    mappings = read_rule_files(rules_copy)
    assert RuleSet.from_mappings(mappings) == RuleSet.from_mappings(mappings)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "contract.toml",
            "notice_months = 3",
            'notice_months = "3"',
            "contract.toml: cancel.notice_months: Input should be a valid integer",
        ),
        (
            "contract.toml",
            "days = 90",
            "days = -1",
            "contract.toml: downgrade_lock.days: Input should be greater than or equal to 0",
        ),
        (
            "contract.toml",
            'effective = "end_of_month"',
            'effective = "end_of_year"',
            "contract.toml: cancel.effective: Input should be 'same_day', 'end_of_month', "
            "'first_of_next_month' or 'first_of_month_on_or_after'",
        ),
        (
            "expiry.toml",
            "days_before = 7",
            "days_before = 7\nhours_before = 3",
            "expiry.toml: reminders.1.hours_before: unknown key (not part of this rule file)",
        ),
        (
            "goodwill.toml",
            'floor = "0.00"',
            'floor = "0,00"',
            "goodwill.toml: credit.floor: "
            "an amount is a string with at most 12 digits before and two after the decimal "
            'point, such as "24.50"',
        ),
        (
            "goodwill.toml",
            'floor = "0.00"',
            "floor = 0",
            "goodwill.toml: credit.floor: "
            "an amount is a string with at most 12 digits before and two after the decimal "
            'point, such as "24.50"',
        ),
        (
            "goodwill.toml",
            "valid_from = 2026-01-01",
            'valid_from = "2026-13-01"',
            "goodwill.toml: meta.valid_from: Input should be a valid date",
        ),
        (
            "fair_use.toml",
            "decision_stage = 3 ",
            "decision_stage = 4 ",
            "fair_use.toml: stage.decision_stage: must not exceed stage.cap",
        ),
        (
            "fair_use.toml",
            'forbids = ["termination"]',
            'forbids = ["terminate"]',
            "fair_use.toml: exceptions.0.forbids.0: unknown measure 'terminate'",
        ),
        (
            "onboarding.toml",
            'id = "first_callback"\nstage = "follow_up"',
            'id = "first_callback"\nstage = "followup"',
            "onboarding.toml: tasks.9.stage: unknown stage 'followup'",
        ),
        (
            "onboarding.toml",
            "due_day = 10",
            "due_day = 11",
            "onboarding.toml: tasks.9.due_day: must lie within stage 'follow_up' (days 4-10)",
        ),
        (
            "onboarding.toml",
            "first_day = 4",
            "first_day = 5",
            "onboarding.toml: stages.1.first_day: expected 4 (no gaps)",
        ),
        (
            "complaint.toml",
            'rule_id = "complaint.route.claim"                     '
            "# catch-all: retention impossible",
            'rule_id = "complaint.route.claim"\nwhen = { retention = "impossible" }',
            "complaint.toml: routing.5.when: the last row, and only the last, must be the "
            "catch-all (no conditions)",
        ),
        (
            "complaint.toml",
            'claim_values = [3, 4]\ncategories = [\n    { id = "slow_service"',
            'claim_values = [3, 5]\ncategories = [\n    { id = "slow_service"',
            "complaint.toml: channels.3.claim_values.1: 5 is not one of customer.values",
        ),
        (
            "complaint.toml",
            'version = "2026.1"',
            'version = ""',
            "complaint.toml: meta.version: String should have at least 1 character",
        ),
        (
            "goodwill.toml",
            "output = '''{\"months\": [], \"total_credit\": \"0.00\"}'''",
            "output = '''{\"months\": [, \"total_credit\": \"0.00\"}'''",
            "goodwill.toml: examples.3.output: not valid JSON (Expecting value: line 1 column 13)",
        ),
    ],
)
def test_schema_errors_name_file_key_problem_and_line(
    edit_rule: Edit, rules_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(RuleFileError) as caught:
        edit_rule(file, old, new)
    found = re.fullmatch(r"(.*) \(line (\d+)\)", caught.value.with_line())
    assert found is not None, str(caught.value)
    assert found[1] == message
    lines = (rules_copy / file).read_text(encoding="utf-8").splitlines()
    # The line is the edited one, when the edit is a line of its own.
    edited = [line for line in new.splitlines() if line in lines]
    assert lines[int(found[2]) - 1] in edited or not edited


def test_missing_key(edit_rule: Edit, rules_copy: Path) -> None:
    with pytest.raises(RuleFileError) as caught:
        edit_rule("contract.toml", "minimum_days = 120\n", "")
    text = (rules_copy / "contract.toml").read_text(encoding="utf-8").splitlines()
    table = text.index("[device_plan]") + 1
    assert caught.value.with_line() == (
        f"contract.toml: device_plan.minimum_days: required key is missing (line {table})"
    )


def test_typo_in_a_key(edit_rule: Edit) -> None:
    with pytest.raises(RuleFileError) as caught:
        edit_rule("contract.toml", "notice_months = 3", "notice_month = 3")
    assert str(caught.value).startswith("contract.toml: cancel.notice_month")
    assert "more problem" in str(caught.value)


def test_missing_file(rules_copy: Path) -> None:
    (rules_copy / "complaint.toml").unlink()
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(rules_copy)
    assert str(caught.value).startswith("complaint.toml: rule file is missing from ")


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="not a folder of rule files"):
        load_ruleset(tmp_path / "nowhere")


def test_toml_syntax_error(edit_rule: Edit) -> None:
    with pytest.raises(RuleFileError) as caught:
        edit_rule("expiry.toml", "enabled = true", "enabled = yes")
    assert str(caught.value).startswith("expiry.toml: not valid TOML: ")


def test_mappings_without_a_file() -> None:
    with pytest.raises(RuleFileError, match=r"^fair_use.toml: rule file is missing$"):
        RuleSet.from_mappings({})


# --- changing a number changes the behaviour, one rule per process -------------------


def test_contract_notice_months(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {"action": "cancel", "date": "2026-01-15"}
    assert evaluate("contract", payload, rules)["effective_date"] == "2026-04-30"
    changed = edit_rule("contract.toml", "notice_months = 3", "notice_months = 1")
    assert evaluate("contract", payload, changed)["effective_date"] == "2026-02-28"


def test_contract_device_plan_minimum_days(edit_rule: Edit, rules: RuleSet) -> None:
    plan = {
        "activated": "2026-01-01",
        "down_payment": "0",
        "financed_amount": "100",
        "instalment": "10",
        "instalments_billed": 1,
    }
    payload = {"action": "cancel_device_plan", "date": "2026-03-02", "device_plan": plan}
    assert evaluate("contract", payload, rules)["allowed"] is False
    changed = edit_rule("contract.toml", "minimum_days = 120", "minimum_days = 60")
    assert evaluate("contract", payload, changed)["allowed"] is True


def test_contract_downgrade_lock_days(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {
        "action": "downgrade",
        "date": "2026-02-10",
        "subscription": {"last_upgrade_effective": "2026-01-01"},
    }
    assert evaluate("contract", payload, rules)["earliest_allowed_date"] == "2026-04-01"
    changed = edit_rule("contract.toml", "days = 90", "days = 30")
    assert evaluate("contract", payload, changed)["effective_date"] == "2026-03-01"


def test_fair_use_decision_stage(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {
        "month": "2026-02",
        "exceeded_months": ["2026-01", "2026-02"],
        "mobile_tv": False,
        "combo": False,
        "decision": {"date": "2026-02-12", "measure": "migration", "partner_agrees": None},
    }
    with pytest.raises(InputError):
        evaluate("fair-use", payload, rules)
    changed = edit_rule("fair_use.toml", "decision_stage = 3 ", "decision_stage = 2 ")
    assert evaluate("fair-use", payload, changed)["measure"]["effective_date"] == "2026-03-01"


def test_fair_use_stage_cap(rules_copy: Path) -> None:
    path = rules_copy / "fair_use.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[[stages]]\nstage = 3")
    end = text.index("# Stage-3 measures")
    text = text[:start] + text[end:]
    text = text.replace("cap = 3 ", "cap = 2 ").replace(
        "decision_stage = 3 ", "decision_stage = 2 "
    )
    path.write_text(text, encoding="utf-8")
    changed = load_ruleset(rules_copy)
    out = evaluate(
        "fair-use",
        {
            "month": "2026-03",
            "exceeded_months": ["2026-01", "2026-02", "2026-03"],
            "mobile_tv": False,
            "combo": False,
            "decision": None,
        },
        changed,
    )
    assert (out["stage"], out["consecutive_months"]) == (2, 3)


def test_expiry_week_offset(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {
        "today": "2026-06-21",
        "bundles": [{"id": "b", "end_date": "2026-06-30", "sent": ["month"]}],
    }
    assert evaluate("expiry", payload, rules)["due"] == []
    changed = edit_rule("expiry.toml", "days_before = 7", "days_before = 10")
    assert evaluate("expiry", payload, changed)["due"] == [
        {"bundle_id": "b", "reminder": "week", "due_date": "2026-06-20"}
    ]


def test_goodwill_default_minimum_spend(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {
        "package_fee": "5",
        "minimum_spend": None,
        "months": [{"month": "2026-01", "other_charges": "10", "out_of_bundle_data": "30"}],
    }
    assert evaluate("goodwill", payload, rules)["total_credit"] == "25.00"
    changed = edit_rule(
        "goodwill.toml", 'default_minimum_spend = "0.00"', 'default_minimum_spend = "30.00"'
    )
    assert evaluate("goodwill", payload, changed)["total_credit"] == "10.00"


def test_onboarding_vip_assign_days(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {"activation_date": "2026-03-01", "today": "2026-03-06", "vip_rated": "2026-03-01"}
    assert evaluate("onboarding", payload, rules)["vip"]["overdue"] == ["assign_manager"]
    changed = edit_rule("onboarding.toml", "assign_days = 3", "assign_days = 5")
    vip = evaluate("onboarding", payload, changed)["vip"]
    assert (vip["assign_due"], vip["overdue"]) == ("2026-03-06", [])


def test_onboarding_stage_bounds(rules_copy: Path, rules: RuleSet) -> None:
    payload = {"activation_date": "2026-03-01", "today": "2026-03-12"}  # day 11
    assert evaluate("onboarding", payload, rules)["stage"] == "first_bill"
    path = rules_copy / "onboarding.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("first_day = 4\nlast_day = 10", "first_day = 4\nlast_day = 12")
    text = text.replace("first_day = 11\nlast_day = 30", "first_day = 13\nlast_day = 30")
    path.write_text(text, encoding="utf-8")
    assert evaluate("onboarding", payload, load_ruleset(rules_copy))["stage"] == "follow_up"


def test_complaint_claim_values(edit_rule: Edit, rules: RuleSet) -> None:
    payload = {
        "category": "other.tariff_change",
        "customer_value": 2,
        "mass_incident": False,
        "first_line_resolved": False,
        "second_line_normal": False,
        "retention": None,
        "blocker": None,
    }
    assert evaluate("complaint", payload, rules)["route"] == "consultation"
    changed = edit_rule(
        "complaint.toml",
        'claim_values = [3, 4]\ncategories = [\n    { id = "self_service"',
        'claim_values = [2, 3, 4]\ncategories = [\n    { id = "self_service"',
    )
    assert evaluate("complaint", payload, changed) == {"route": "claim", "claim": True}


def test_valid_from_may_be_a_string(edit_rule: Edit) -> None:
    changed = edit_rule("expiry.toml", "valid_from = 2026-01-01", 'valid_from = "2026-02-01"')
    assert changed.expiry.meta.valid_from.isoformat() == "2026-02-01"


def test_decisions_record_the_file_version(edit_rule: Edit) -> None:
    from datetime import date

    from app.domain import expiry

    changed = edit_rule("expiry.toml", 'version = "2026.1"', 'version = "2026.2"')
    decision = expiry.evaluate(date(2026, 1, 1), [], changed.expiry)
    assert decision.ruleset_version == "2026.2"
    assert changed.version == (
        "fair_use=2026.1,expiry=2026.2,goodwill=2026.1,contract=2026.1,"
        "onboarding=2026.1,complaint=2026.1"
    )
