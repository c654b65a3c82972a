"""A choice whose options are data (``options_fact``) and the tariff catalogue it offers.

The new price plan of an upgrade, a downgrade or a fair-use migration used to
be free text that went into the customer's letter as typed. It is now chosen
from the tariff catalogue of the contract rules: the playbook's input names
the fact holding the options, the engine accepts only those, and the rule
file validates the catalogue like every other table.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.domain import playbook as pb
from app.domain.playbook_schema import Input, PlaybookError, load_playbook
from app.domain.ruleset import RuleFileError, RuleSet
from app.resources import resource_path

DATA = Path(__file__).resolve().parent.parent / "data" / "playbooks" / "minimal.yaml"
TODAY = date(2026, 3, 12)
LABEL = {lang: "x" for lang in ("de", "en", "ru", "zh")}
Edit = Callable[[str, str, str], RuleSet]


class _Plan:
    """A fact value as the guides give it: ``str()`` is the option id."""

    def __init__(self, plain: str) -> None:
        self.plain = plain

    def __str__(self) -> str:
        return self.plain


def _choice(**extra: Any) -> Input:
    return Input.model_validate(
        {"id": "new_tariff", "type": "choice", "label": LABEL, "options_fact": "plans", **extra}
    )


def test_a_fact_choice_accepts_exactly_the_ids_of_the_fact() -> None:
    item = _choice()
    facts = {"plans": [_Plan("ch_mobile_talk"), _Plan("ch_smart_abo_s")]}
    assert pb.parse_answer(item, "ch_smart_abo_s", TODAY, facts) == "ch_smart_abo_s"
    assert pb.visible_options(item, {}, facts) == ["ch_mobile_talk", "ch_smart_abo_s"]
    for typed in ("Smart Abo S", "ch_smart_abo_xl", "anything the agent types"):
        with pytest.raises(pb.AnswerError) as caught:
            pb.parse_answer(item, typed, TODAY, facts)
        assert caught.value.code == "not_option"
    with pytest.raises(pb.AnswerError):  # no catalogue at all: nothing can be chosen
        pb.parse_answer(item, "ch_mobile_talk", TODAY, {})
    with pytest.raises(pb.AnswerError):  # a fact that is not a list offers nothing
        pb.parse_answer(item, "x", TODAY, {"plans": "x"})


def test_a_fact_choice_may_be_required_only_for_a_migration() -> None:
    item = _choice(required_when={"input": "measure", "equals": "migration"})
    facts = {"plans": [_Plan("ch_mobile_talk")]}
    assert pb.parse_answer(item, "", TODAY, facts, {"measure": "termination"}) is None
    with pytest.raises(pb.AnswerError) as caught:
        pb.parse_answer(item, "", TODAY, facts, {"measure": "migration"})
    assert caught.value.code == "required"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"options_fact": None}, "needs options or options_fact"),
        (
            {"options": [{"id": "a", "label": LABEL}]},
            "has options or options_fact, not both",
        ),
        ({"type": "text"}, "only choice inputs have options"),
    ],
)
def test_a_fact_choice_is_checked_by_the_schema(extra: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _choice(**extra)


def test_the_options_fact_must_be_declared() -> None:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    step = broken["flows"][0]["steps"][2]
    step["inputs"].append(
        {"id": "new_tariff", "type": "choice", "label": LABEL, "options_fact": "plans"}
    )
    with pytest.raises(PlaybookError, match=r"inputs.new_tariff.options_fact: unknown fact plans"):
        load_playbook("minimal.yaml", broken)
    broken["facts"]["plans"] = LABEL
    load_playbook("minimal.yaml", broken)


@pytest.mark.parametrize("name", ["contract.yaml", "fair_use.yaml"])
def test_the_shipped_scripts_choose_the_new_plan_from_the_catalogue(name: str) -> None:
    """No script asks for a plan or a fee as free text."""
    raw = yaml.safe_load((resource_path("playbooks") / name).read_text(encoding="utf-8"))
    playbook = load_playbook(name, raw)
    inputs = [i for flow in playbook.flows for step in flow.steps for i in step.inputs]
    tariffs = [i for i in inputs if i.id == "new_tariff"]
    assert tariffs and all(i.type == "choice" and i.options_fact for i in tariffs)
    assert not [i for i in inputs if i.id == "new_monthly_fee"]


# --- the catalogue in contract.toml -----------------------------------------------------


def test_the_catalogue_has_plans_for_every_market(rules: RuleSet) -> None:
    catalogue = rules.contract
    for country in ("CH", "CN", "RU"):
        plans = catalogue.tariffs_of(country)
        assert len(plans) >= 2, country
        assert [p.monthly_fee for p in plans] == sorted(p.monthly_fee for p in plans)
    [talk] = [t for t in catalogue.tariffs if t.id == "ch_mobile_talk"]
    assert (talk.name, talk.monthly_fee) == ("Mobile Talk", Decimal("29.00"))


PLAN = 'id = "ch_mobile_talk"\ncountry = "CH"\nname = "Mobile Talk"\nmonthly_fee = "29.00"'


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (
            'id = "ch_mobile_talk"\ncountry = "CH"\nname = "Mobile Talk"\nmonthly_fee = 29',
            r"^contract.toml: tariffs.0.monthly_fee: .*amount",
        ),
        (
            'id = "ch_mobile_talk"\ncountry = "CH"\nname = "Mobile Talk"\nmonthly_fee = "-1.00"',
            r"^contract.toml: tariffs.0.monthly_fee: must not be negative",
        ),
        (
            'id = "ch_mobile_talk"\ncountry = "Schweiz"\nname = "Mobile Talk"\n'
            'monthly_fee = "29.00"',
            r"^contract.toml: tariffs.0.country: ",
        ),
        (
            'id = "ch_mobile_talk"\ncountry = "CH"\nname = ""\nmonthly_fee = "29.00"',
            r"^contract.toml: tariffs.0.name: ",
        ),
        (
            'id = "ch_smart_abo_s"\ncountry = "CH"\nname = "Mobile Talk"\nmonthly_fee = "29.00"',
            r"^contract.toml: tariffs.1.id: duplicate id 'ch_smart_abo_s'",
        ),
        (
            'id = "ch_talk"\ncountry = "CH"\nname = "Smart Abo S"\nmonthly_fee = "29.00"',
            r"^contract.toml: tariffs.1.name: 'Smart Abo S' is listed twice for CH",
        ),
        (PLAN + '\nfee = "29.00"', r"^contract.toml: tariffs.0.fee: "),
    ],
)
def test_a_broken_catalogue_names_file_key_and_problem(
    edit_rule: Edit, new: str, message: str
) -> None:
    with pytest.raises(RuleFileError, match=message):
        edit_rule("contract.toml", PLAN, new)
