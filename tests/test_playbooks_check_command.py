"""``agent-assist playbooks check [DIR]``: every problem named by file and place."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.cli import main
from app.processes import spec_of
from app.processes.base import EVERY_FLOW
from app.services.playbooks import PROCESSES

MINIMAL = Path(__file__).parent / "data" / "playbooks" / "minimal.yaml"


def minimal_playbook(process: str) -> str:
    """The minimal playbook as ``process``'s, with the flows and steps its code relies on."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["meta"].update(id=process, process=process)
    spec = spec_of(process)
    assert spec is not None
    first = data["flows"][0]
    title = first["steps"][0]["title"]
    for flow_id, steps in spec.playbook_ids.items():
        if flow_id == EVERY_FLOW:
            first["steps"].extend({"id": step, "title": title} for step in steps)
        elif flow_id != first["id"]:
            ids = steps or ("reach",)
            data["flows"].append(
                {"id": flow_id, "title": title, "steps": [{"id": s, "title": title} for s in ids]}
            )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid playbook file for every process, with the ids each process relies on."""
    for process in PROCESSES:
        (tmp_path / f"{process}.yaml").write_text(minimal_playbook(process), encoding="utf-8")
    return tmp_path


def test_a_valid_folder_exits_0_with_a_summary(
    folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    assert main(["playbooks", "check", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"5 playbooks checked in {folder}: no problems."]


def test_each_problem_is_one_line_naming_file_and_place(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "expiry.yaml").unlink()
    broken = folder / "onboarding.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("template: sms_1", "template: sms_9"),
        encoding="utf-8",
    )
    assert main(["playbooks", "check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith("expiry.yaml: ") and "missing" in out[0]
    assert out[1].startswith("onboarding.yaml: flows.stage_1.steps.sms")
    assert "sms_9" in out[1]


def test_not_a_folder_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbooks", "check", str(tmp_path / "nowhere")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_the_shipped_folder_is_the_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", "en")
    code = main(["playbooks", "check"])
    out = capsys.readouterr().out.splitlines()
    if code == 0:
        assert out[-1].startswith("5 playbooks checked in ")
    else:
        assert code == 1
        files = {f"{process}.yaml" for process in PROCESSES}
        assert out and all(line.split(":")[0] in files for line in out)
