"""Every flow and step id a process's code relies on is checked against its playbook."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.processes import processes
from app.processes.base import EVERY_FLOW
from app.resources import resource_path
from app.services.playbooks import check_folder, read_playbook

SHIPPED = resource_path("playbooks")

DECLARED = [
    (spec.name, flow, step)
    for spec in processes()
    for flow, steps in spec.playbook_ids.items()
    for step in (*steps, None)
]


def test_every_process_declares_the_ids_its_code_relies_on() -> None:
    declared = {spec.name: spec.playbook_ids for spec in processes()}
    assert set(declared["fair_use"]) == {"stage_1", "stage_2", "stage_3", "partner_feedback"}
    assert set(declared["expiry"]["goodwill"]) == {"enter_months", "decide"}
    assert {"cancel", "partner_cancel", "upgrade"} <= set(declared["contract"])
    assert {"claim", "second_line_mode"} <= set(declared["complaint"][EVERY_FLOW])
    assert check_folder(SHIPPED) == []


@pytest.mark.parametrize(("process", "flow", "step"), DECLARED)
def test_a_playbook_without_a_declared_id_is_reported_with_file_flow_and_step(
    process: str, flow: str, step: str | None
) -> None:
    spec = next(s for s in processes() if s.name == process)
    playbook = read_playbook(SHIPPED / f"{process}.yaml")
    if step is None:
        if flow == EVERY_FLOW:
            return
        broken = playbook.model_copy(update={"flows": [f for f in playbook.flows if f.id != flow]})
        assert spec.missing_ids(broken) == [(flow, None)]
        return
    flows = [
        f.model_copy(update={"steps": [s for s in f.steps if s.id != step]})
        if flow in (EVERY_FLOW, f.id)
        else f
        for f in playbook.flows
    ]
    missing = spec.missing_ids(playbook.model_copy(update={"flows": flows}))
    assert missing and all(s == step for _f, s in missing)
    if flow != EVERY_FLOW:
        assert missing == [(flow, step)]


def test_playbooks_check_fails_naming_the_flow_a_process_relies_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for file in SHIPPED.glob("*.yaml"):
        shutil.copy(file, tmp_path / file.name)
    path = tmp_path / "fair_use.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("- id: partner_feedback\n") == 1
    path.write_text(
        text.replace("- id: partner_feedback\n", "- id: partner_answer_flow\n"), encoding="utf-8"
    )
    assert main(["playbooks", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "fair_use.yaml: flows.partner_feedback: missing; the fair_use process relies on it" in (
        out
    )
