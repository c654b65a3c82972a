"""The playbook engine: validation of files, answers, branches, back/forward, resume."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import playbook as pb
from app.domain.playbook_schema import (
    HistoryEffect,
    Playbook,
    PlaybookError,
    SmsEffect,
    load_playbook,
    placeholders,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "playbooks" / "minimal.yaml"
TODAY = date(2026, 3, 12)


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@pytest.fixture
def playbook(raw: dict[str, Any]) -> Playbook:
    return load_playbook("minimal.yaml", raw)


def _step(raw: dict[str, Any], index: int) -> dict[str, Any]:
    return raw["flows"][0]["steps"][index]


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "placeholder differs",
        lambda d: _step(d, 0)["say"].__setitem__("ru", "Привет {amount}"),
        "flows.stage_1.steps.reach: say: ru uses placeholders ['amount']",
    ),
    (
        "language missing",
        lambda d: _step(d, 0)["say"].pop("zh"),
        "flows.stage_1.steps.reach: say: missing language(s): zh",
    ),
    (
        "unknown language",
        lambda d: _step(d, 0)["title"].__setitem__("fr", "Contact"),
        "flows.stage_1.steps.reach: title: unknown language(s): fr",
    ),
    (
        "goto nowhere",
        lambda d: _step(d, 0)["next"][1].__setitem__("goto", "nowhere"),
        "flows.stage_1.steps.reach: next: goto nowhere is not a step",
    ),
    (
        "unknown sms",
        lambda d: _step(d, 1)["effects"][0].__setitem__("template", "sms_9"),
        "flows.stage_1.steps.sms: effects.0: unknown SMS template sms_9",
    ),
    (
        "typo in a key",
        lambda d: _step(d, 1)["effects"][0].__setitem__("tmplate", "x"),
        "flows.stage_1.steps.sms: effects.0.sms.tmplate: Extra inputs are not permitted",
    ),
    (
        "bad input type",
        lambda d: _step(d, 0)["inputs"][0].__setitem__("type", "bool"),
        "flows.stage_1.steps.reach: inputs.reached.type: Input should be 'choice'",
    ),
    (
        "unknown input",
        lambda d: _step(d, 0)["next"][0]["when"].__setitem__("input", "reachd"),
        "flows.stage_1.steps.reach: condition names unknown input reachd",
    ),
    (
        "unknown fact",
        lambda d: _step(d, 0)["next"][0].__setitem__("when", {"fact": "stag", "equals": 3}),
        "flows.stage_1.steps.reach: condition names unknown fact stag",
    ),
    (
        "code in a placeholder",
        lambda d: _step(d, 0)["say"].__setitem__("de", "Grüezi {customer_name.__class__}"),
        "flows.stage_1.steps.reach: say: de: placeholder {customer_name.__class__} must be",
    ),
    (
        "undeclared placeholder everywhere",
        lambda d: [
            _step(d, 0)["say"].__setitem__(lang, "{nope}") for lang in ("de", "en", "ru", "zh")
        ],
        "flows.stage_1.steps.reach: say: unknown placeholder {nope}",
    ),
    (
        "duplicate step",
        lambda d: _step(d, 2).__setitem__("id", "sms"),
        "flows.stage_1: duplicate step id sms",
    ),
    ("no flows", lambda d: d.__setitem__("flows", []), "flows: List should have at least 1 item"),
    (
        "choice without options",
        lambda d: _step(d, 2)["inputs"][0].__setitem__("type", "choice"),
        "flows.stage_1.steps.done: inputs.note: choice input note needs options",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_playbook_names_file_step_and_problem(
    raw: dict[str, Any], name: str, mutate: Callable[[dict[str, Any]], None], message: str
) -> None:
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(PlaybookError) as caught:
        load_playbook("minimal.yaml", broken)
    assert str(caught.value).startswith(f"minimal.yaml: {message}"), str(caught.value)


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(PlaybookError, match=r"minimal\.yaml: a playbook file is a mapping"):
        load_playbook("minimal.yaml", ["flows"])


def test_placeholders_are_plain_names() -> None:
    assert placeholders("Dear {customer_name}, from {date}") == {"customer_name", "date"}
    for bad in ("{a.b}", "{a[0]}", "{a!r}", "{a:>10}", "{0}"):
        with pytest.raises(ValueError, match="plain"):
            placeholders(bad)


def test_a_branch_on_an_answer_picks_the_next_step(playbook: Playbook) -> None:
    state = pb.start(playbook, "stage_1")
    assert state.current == "reach"
    reached = pb.advance(playbook, state, {"reached": True}, {}, TODAY)
    assert reached.state.current == "done"
    assert reached.effects == ()
    not_reached = pb.advance(playbook, state, {"reached": False}, {}, TODAY)
    assert not_reached.state.current == "sms"


def test_completing_a_step_yields_its_effects_in_order(playbook: Playbook) -> None:
    state = pb.advance(playbook, pb.start(playbook, "stage_1"), {"reached": False}, {}, TODAY).state
    result = pb.advance(playbook, state, {}, {}, TODAY)
    assert [type(e) for e in result.effects] == [SmsEffect, HistoryEffect]
    assert result.state.current == "done"
    assert pb.progress(playbook, result.state) == (2, 3)


def test_the_last_step_finishes_and_a_finished_run_cannot_change(playbook: Playbook) -> None:
    state = pb.advance(playbook, pb.start(playbook, "stage_1"), {"reached": True}, {}, TODAY).state
    done = pb.advance(playbook, state, {"note": "  called back  "}, {}, TODAY)
    assert done.state.finished
    assert done.state.current is None
    assert done.answers == {"note": "called back"}
    with pytest.raises(pb.RunFinishedError):
        pb.advance(playbook, done.state, {}, {}, TODAY)
    with pytest.raises(pb.RunFinishedError):
        pb.back(done.state)


def test_back_keeps_drafts_and_recorded_steps_stay_as_recorded(playbook: Playbook) -> None:
    first = pb.advance(playbook, pb.start(playbook, "stage_1"), {"reached": True}, {}, TODAY)
    at_done = first.state
    went_back = pb.back(at_done, drafts={"note": "half typed"})
    assert went_back.current == "reach"
    assert went_back.drafts == {"note": "half typed"}
    assert pb.is_locked(went_back, "reach")
    # Forward again: the recorded answer stands, whatever is submitted now.
    again = pb.advance(playbook, went_back, {"reached": False}, {}, TODAY)
    assert again.state.current == "done"
    assert again.effects == ()
    assert again.state.answers["reached"] is True
    assert again.state.drafts == {"note": "half typed"}
    assert again.state.path == ("reach", "done")


def test_back_at_the_first_step_stays_there(playbook: Playbook) -> None:
    state = pb.start(playbook, "stage_1")
    assert pb.back(state) == state


def test_state_survives_a_json_round_trip(playbook: Playbook) -> None:
    import json

    state = pb.advance(playbook, pb.start(playbook, "stage_1"), {"reached": False}, {}, TODAY).state
    state = pb.back(state, drafts={"note": "x"})
    restored = pb.RunState.from_json(json.loads(json.dumps(state.to_json())))
    assert restored == state


def _input(kind: str, **extra: Any) -> Any:
    from app.domain.playbook_schema import Input

    label = {lang: "x" for lang in ("de", "en", "ru", "zh")}
    return Input.model_validate({"id": "value", "type": kind, "label": label, **extra})


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "expected"),
    [
        ("yes_no", {}, True, True),
        ("yes_no", {}, False, False),
        ("date", {}, "2026-02-28", "2026-02-28"),
        ("date", {"min_days": 0}, "2026-03-12", "2026-03-12"),
        ("amount", {}, "24.5", "24.50"),
        ("amount", {"min_amount": "0"}, "0", "0.00"),
        ("text", {}, " hi ", "hi"),
        ("text", {"required": False}, "", None),
        (
            "choice",
            {"options": [{"id": "a", "label": {"de": "A", "en": "A", "ru": "А", "zh": "甲"}}]},
            "a",
            "a",
        ),
    ],
)
def test_answers_are_parsed(kind: str, extra: dict[str, Any], raw: Any, expected: Any) -> None:
    assert pb.parse_answer(_input(kind, **extra), raw, TODAY, {}) == expected


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "code"),
    [
        ("yes_no", {}, "yes", "yes_no"),
        ("text", {}, "   ", "required"),
        ("text", {"max_length": 3}, "abcd", "too_long"),
        ("date", {}, "2026-02-30", "not_date"),
        ("date", {}, "12.03.2026", "not_date"),
        ("date", {"min_days": 0}, "2026-03-11", "date_min"),
        ("date", {"max_days": 30}, "2026-04-12", "date_max"),
        ("amount", {}, "5,00", "not_amount"),
        ("amount", {}, "5.005", "not_amount"),
        ("amount", {}, "NaN", "not_amount"),
        ("amount", {"min_amount": "0"}, "-1", "amount_min"),
        ("amount", {"max_amount": "100"}, "100.01", "amount_max"),
        ("amount", {}, "9" * 40, "not_amount"),
        ("amount", {}, "1e1000", "not_amount"),
        ("amount", {}, "١٢.٠٠", "not_amount"),
        ("amount", {}, "１２", "not_amount"),
        ("date", {}, "２０２６-０３-１２", "not_date"),
        ("date", {}, "20260312", "not_date"),
        ("date", {}, "9999-12-31", "not_date"),
        ("date", {}, "0001-01-01", "not_date"),
        ("text", {}, "a\x00b", "control"),
        ("text", {}, "\x1b[31mred", "control"),
        (
            "choice",
            {"options": [{"id": "a", "label": {"de": "A", "en": "A", "ru": "А", "zh": "甲"}}]},
            "b",
            "not_option",
        ),
    ],
)
def test_bad_answers_name_the_problem(
    kind: str, extra: dict[str, Any], raw: Any, code: str
) -> None:
    with pytest.raises(pb.AnswerError) as caught:
        pb.parse_answer(_input(kind, **extra), raw, TODAY, {})
    assert caught.value.code == code
    assert caught.value.input_id == "value"


def test_an_answer_for_an_input_the_step_lacks_is_refused(playbook: Playbook) -> None:
    with pytest.raises(pb.AnswerError, match="no such input"):
        pb.advance(playbook, pb.start(playbook, "stage_1"), {"reached": True, "x": 1}, {}, TODAY)


def test_conditions_on_facts_and_combinations() -> None:
    from app.domain.playbook_schema import Condition

    facts = {"stage": 3, "termination_allowed": False, "measure": "migration"}
    answers = {"agrees": False}
    cases = [
        ({"fact": "stage", "equals": 3}, True),
        ({"fact": "stage", "equals": "3"}, True),
        ({"fact": "termination_allowed", "equals": False}, True),
        ({"fact": "termination_allowed"}, False),
        ({"fact": "measure", "in": ["migration", "termination"]}, True),
        ({"fact": "measure", "not_equals": "migration"}, False),
        ({"fact": "missing", "is_set": False}, True),
        ({"all": [{"fact": "stage", "equals": 3}, {"input": "agrees", "equals": False}]}, True),
        ({"any": [{"fact": "stage", "equals": 1}, {"input": "agrees", "equals": True}]}, False),
        ({"not": {"input": "agrees", "equals": True}}, True),
    ]
    for data, expected in cases:
        assert pb.holds(Condition.model_validate(data), answers, facts) is expected, data


def test_render_fills_placeholders_and_leaves_unknown_ones_visible() -> None:
    from app.domain.playbook_schema import Localized

    text = Localized.model_validate(
        {
            "de": "Grüezi {customer_name}",
            "en": "Hello {customer_name}",
            "ru": "Здравствуйте, {customer_name}",
            "zh": "{customer_name}您好",
        }
    )
    assert pb.render(text, "ru", {"customer_name": "Ирина"}) == "Здравствуйте, Ирина"
    assert pb.render(text, "zh", {}) == "{customer_name}您好"


def test_required_when_makes_an_input_required_only_when_its_condition_holds() -> None:
    from app.domain.playbook_schema import Input

    label = {lang: "x" for lang in ("de", "en", "ru", "zh")}
    tariff = Input.model_validate(
        {
            "id": "new_tariff",
            "type": "text",
            "label": label,
            "required_when": {"input": "measure", "equals": "migration"},
        }
    )
    assert pb.parse_answer(tariff, "", TODAY, {}, {"measure": "termination"}) is None
    with pytest.raises(pb.AnswerError) as caught:
        pb.parse_answer(tariff, "", TODAY, {}, {"measure": "migration"})
    assert caught.value.code == "required"
    assert pb.parse_answer(tariff, "Talk", TODAY, {}, {"measure": "migration"}) == "Talk"


def test_required_when_must_name_a_known_input(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["flows"][0]["steps"][2]["inputs"][0]["required_when"] = {"input": "nope", "equals": 1}
    with pytest.raises(PlaybookError, match="condition names unknown input nope"):
        load_playbook("minimal.yaml", broken)


KINDS_OF_INPUT = [
    ("text", {"max_length": 50}),
    ("date", {"min_days": -3650, "max_days": 3650}),
    ("amount", {"min_amount": "0", "max_amount": "100000"}),
    ("yes_no", {}),
]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(KINDS_OF_INPUT),
    st.text(max_size=30)
    | st.sampled_from(["9" * 40, "1e1000", "-0", "2026-02-29", "9999-12-31", "\x00", "NaN"]),
)
def test_any_answer_is_taken_or_refused_with_a_worded_reason(
    kind: tuple[str, dict[str, Any]], raw: str
) -> None:
    from app.services.runs import _ANSWER_MESSAGES

    try:
        pb.parse_answer(_input(kind[0], **kind[1]), raw, TODAY, {})
    except pb.AnswerError as exc:
        assert exc.code in _ANSWER_MESSAGES
