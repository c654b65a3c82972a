"""``agent-assist rules``: the command end to end (in-process and as a real process)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.domain import PROCESSES
from app.resources import resource_path
from app.services.rules import load_ruleset
from app.services.rules_api import INPUT_MODELS, InputField, evaluate

SPEC_EXAMPLES = [
    (
        "contract",
        {"action": "cancel", "date": "2026-01-15"},
        {"effective_date": "2026-04-30", "billed_until": "2026-04-30", "allowed": True},
    ),
    ("contract", {"action": "cancel", "date": "2026-11-30"}, {"effective_date": "2027-02-28"}),
    (
        "contract",
        {
            "action": "activate",
            "date": "2026-04-16",
            "subscription": {
                "monthly_fee": "49.00",
                "aio_discount": "10.00",
                "allowances": {"data_mb": 10240, "minutes": 300},
                "last_upgrade_effective": None,
            },
            "device_plan": None,
        },
        {
            "charges": [
                {"kind": "aio_discount", "amount": "-5.00", "due": "2026-04-16"},
                {"kind": "base_fee", "amount": "24.50", "due": "2026-04-16"},
            ],
            "allowances": {"data_mb": 5120, "minutes": 150},
        },
    ),
    (
        "fair-use",
        {
            "month": "2026-03",
            "exceeded_months": ["2026-01", "2026-02", "2026-03"],
            "mobile_tv": False,
            "combo": False,
            "decision": {"date": "2026-03-12", "measure": "migration", "partner_agrees": True},
        },
        {
            "stage": 3,
            "consecutive_months": 3,
            "termination_allowed": True,
            "measure": {"measure": "migration", "allowed": True, "effective_date": "2026-04-01"},
            "bill_overuse_to_partner_from": None,
            "report_to_controlling": False,
        },
    ),
    (
        "expiry",
        {
            "today": "2026-06-25",
            "bundles": [{"id": "b1", "end_date": "2026-06-30", "sent": ["month"]}],
        },
        {"due": [{"bundle_id": "b1", "reminder": "week", "due_date": "2026-06-23"}]},
    ),
    (
        "goodwill",
        {
            "package_fee": "5.00",
            "minimum_spend": "100.00",
            "months": [
                {"month": "2010-01", "other_charges": "67.38", "out_of_bundle_data": "13.28"}
            ],
        },
        {
            "months": [
                {
                    "month": "2010-01",
                    "actual": "100.00",
                    "counterfactual": "100.00",
                    "credit": "0.00",
                }
            ],
            "total_credit": "0.00",
        },
    ),
    (
        "onboarding",
        {
            "activation_date": "2026-03-01",
            "today": "2026-03-09",
            "vip_rated": None,
            "manager_assigned": None,
            "manager_first_contact": None,
            "done": [],
        },
        {"day": 8, "stage": "follow_up"},
    ),
    (
        "complaint",
        {
            "category": "billing_system.balance_desync",
            "customer_value": 3,
            "mass_incident": False,
            "first_line_resolved": False,
            "second_line_normal": True,
            "retention": None,
            "blocker": None,
        },
        {"route": "second_line", "claim": False},
    ),
]


def run_in_process(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", _Stdin(stdin.encode("utf-8")))
    code = main(["rules", *args])
    out, err = capsys.readouterr()
    return code, out, err


class _Stdin:
    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize(("process", "payload", "expected"), SPEC_EXAMPLES)
def test_spec_examples(
    process: str,
    payload: dict[str, object],
    expected: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_in_process(capsys, monkeypatch, [process], json.dumps(payload))
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert out.count("\n") == 1
    for key, value in expected.items():
        assert result[key] == value


def test_input_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"action": "upgrade", "date": "2026-01-15"}', encoding="utf-8")
    code, out, _ = run_in_process(capsys, monkeypatch, ["contract", "--input", str(path)])
    assert code == 0 and json.loads(out)["effective_date"] == "2026-02-01"


@pytest.mark.parametrize(
    ("args", "stdin", "field"),
    [
        (["contract"], '{"action": "cancel", "date": "2026-02-30"}', "date"),
        (["contract"], "{not json", ""),
        (["contract"], "", ""),
        (["contract"], "[1, 2]", ""),
        (["goodwill"], '{"package_fee": NaN, "months": []}', ""),
        (["complaint"], '{"category": "shop.noise"}', "category"),
        (["nonsense"], "{}", "process"),
        (["contract", "--input", "/nonexistent/in.json"], None, ""),
    ],
)
def test_invalid_input_exits_2_with_error_object(
    args: list[str],
    stdin: str | None,
    field: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_in_process(capsys, monkeypatch, args, stdin)
    assert code == 2
    document = json.loads(out)
    assert list(document) == ["error"]
    assert document["error"]["field"] == field
    assert document["error"]["message"]
    assert err.count("\n") == 1 and err.startswith("agent-assist rules: ")


def test_other_rules_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(resource_path("rules"), folder)
    contract = folder / "contract.toml"
    contract.write_text(
        contract.read_text(encoding="utf-8").replace("notice_months = 3", "notice_months = 2"),
        encoding="utf-8",
    )
    payload = '{"action": "cancel", "date": "2026-01-15"}'
    code, out, _ = run_in_process(
        capsys, monkeypatch, ["contract", "--rules", str(folder)], payload
    )
    assert code == 0 and json.loads(out)["effective_date"] == "2026-03-31"

    contract.write_text(
        contract.read_text(encoding="utf-8").replace("notice_months = 2", 'notice_months = "2"'),
        encoding="utf-8",
    )
    code, out, err = run_in_process(
        capsys, monkeypatch, ["contract", "--rules", str(folder)], payload
    )
    assert code == 2
    assert "contract.toml: cancel.notice_months: Input should be a valid integer" in err
    assert json.loads(out)["error"]["field"] == ""

    (folder / "expiry.toml").unlink()
    code, out, err = run_in_process(
        capsys, monkeypatch, ["contract", "--rules", str(folder)], payload
    )
    assert code == 2 and "expiry.toml" in json.loads(out)["error"]["message"]


def test_help_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rules", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for word in ("PROCESS", "--input", "--rules", "fair-use", "complaint", "JSON"):
        assert word in text


def _declared(field: InputField, prefix: str = "") -> list[tuple[str, InputField]]:
    found = []
    for child in field.fields:
        found.append((prefix + child.name, child))
        found.extend(_declared(child, prefix + child.name + "."))
    return found


def test_help_lists_the_input_fields_of_every_process(capsys: pytest.CaptureFixture[str]) -> None:
    """Each process's section of ``rules --help`` names every field of its input model."""
    with pytest.raises(SystemExit):
        main(["rules", "--help"])
    text = capsys.readouterr().out
    epilog = text.split("input fields of each process", 1)[1]
    sections = re.split(r"^([a-z-]+):$", epilog, flags=re.MULTILINE)
    by_process = dict(zip(sections[1::2], sections[2::2], strict=True))
    assert set(by_process) == set(PROCESSES)
    for process, model in INPUT_MODELS.items():
        names = re.findall(r"^\s+([a-z_]+)(\*?)\s", by_process[process], flags=re.MULTILINE)
        expected = [(path.rsplit(".", 1)[-1], "*" if f.required else "") for path, f in
                    _declared(model)]  # fmt: skip
        assert names == expected, process


def test_the_input_models_are_exactly_what_the_processes_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every declared field is read for some valid input; reading one not declared fails."""
    from tests.domain.test_rules_api import PLAN, VALID

    read: set[tuple[str, str]] = set()
    original = InputField.child

    def child(self: InputField, name: str) -> InputField:
        read.add((self.name, name))
        return original(self, name)

    monkeypatch.setattr(InputField, "child", child)
    rules = load_ruleset()
    for process, payload in VALID.items():
        evaluate(process, payload, rules)
    extra = {**VALID["contract"], "action": "cancel_device_plan", "end_date": "2026-05-01"}
    evaluate("contract", extra, rules)
    evaluate(
        "contract", {**extra, "new_device_plan": PLAN, "action": "activate_device_plan"}, rules
    )
    evaluate("fair-use", {**VALID["fair-use"], "decision": None}, rules)
    evaluate("complaint", {**VALID["complaint"], "retention": "succeeded", "blocker": 2}, rules)
    declared = {
        (parent.name, f.name)
        for model in INPUT_MODELS.values()
        for parent in [model, *(f for _p, f in _declared(model))]
        for f in parent.fields
    }
    assert declared - read == set()
    with pytest.raises(KeyError, match="not declared"):
        INPUT_MODELS["expiry"].child("nonsense")


# --- as a real process -------------------------------------------------------------


def run_process(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_subprocess_answers() -> None:
    done = run_process(["fair-use"], json.dumps(SPEC_EXAMPLES[3][1]))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["measure"]["effective_date"] == "2026-04-01"


def test_subprocess_invalid_input_writes_only_the_error_object() -> None:
    payload = {
        "package_fee": "5.00",
        "minimum_spend": None,
        "months": [
            {"month": "2010-01", "other_charges": "1.00", "out_of_bundle_data": "1.00"},
            {"month": "2010-02", "other_charges": "5,00", "out_of_bundle_data": "1.00"},
        ],
    }
    done = run_process(["goodwill"], json.dumps(payload))
    assert done.returncode == 2
    assert json.loads(done.stdout) == {
        "error": {
            "field": "months.1.other_charges",
            "message": 'Expected an amount as a string with at most two decimals, such as "24.50".',
        }
    }
    assert done.stdout.count("\n") == 1
    assert len(done.stderr.strip().splitlines()) == 1


HEAVY_CHECK = """
import io, json, sys
payload = b'{"action": "upgrade", "date": "2026-01-15"}'
sys.stdin = io.TextIOWrapper(io.BytesIO(payload))
from app.cli import main
rc = main(["rules", "contract"])
roots = ("PySide6", "sqlalchemy", "reportlab")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in roots)
print(json.dumps({"rc": rc, "heavy": heavy}), file=sys.stderr)
"""


def test_subprocess_does_not_load_qt_or_the_database() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HEAVY_CHECK], capture_output=True, text=True, timeout=60, check=False
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["rc"] == 0
    assert report["heavy"] == []
