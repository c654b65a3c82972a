"""The optional ``device`` column of device-plan files: stored, shown, and in the letters.

The class of defect: a fact the letters need (the device's name) that no
import could give, so the cancellation letter printed an empty name. The
column goes from the file through the store and the customer view into the
letter on both engines; a file without it changes nothing of the stored name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.letters.render import render_letter
from app.letters.samples import sample_context
from app.resources import resource_path
from app.services import runs
from app.services.customers import customer_overview
from app.services.importing import KINDS
from app.services.letters import issue_letter, open_issued
from app.store.db import Database
from app.store.models import Customer, DevicePlan, Letter
from tests.letters.helpers import normalize, pdf_text


def _import(capsys: pytest.CaptureFixture[str], db: Database, kind: str, path: Path) -> str:
    code = main(["import", kind, str(path), "--db", db.url])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return out


def _samples(capsys: pytest.CaptureFixture[str], db: Database) -> None:
    for kind in KINDS:
        _import(capsys, db, kind, resource_path("samples", "import", f"{kind}.csv"))


def _device(db: Database, plan_no: str) -> str | None:
    with db.transaction() as session:
        return session.scalar(select(DevicePlan.device).where(DevicePlan.plan_no == plan_no))


def test_the_device_is_imported_kept_and_refused_when_too_long(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    _samples(capsys, db)
    assert _device(db, "DP-0017") == "iPhone 16 128 GB"
    assert _device(db, "DP-8801") == "华为 Mate 70 Pro 512GB"
    assert _device(db, "DP-7001") is None  # the cell is empty: no name
    # A file in the published format (no device column) leaves the name alone.
    plain = tmp_path / "device-plans.csv"
    plain.write_text(
        "customer_no,plan_no,activated,financed_amount,instalment,instalments_billed\n"
        "CH-100001,DP-0017,2025-03-01,1199.00,49.95,12\n",
        "utf-8",
    )
    assert _import(capsys, db, "device-plans", plain).startswith("imported 0, updated 1")
    assert _device(db, "DP-0017") == "iPhone 16 128 GB"
    # A new name is an update like any other.
    plain.write_text(
        "customer_no,plan_no,activated,financed_amount,instalment,device\n"
        "CH-100001,DP-0017,2025-03-01,1199.00,49.95,iPhone 16 Pro 256 GB\n",
        "utf-8",
    )
    assert _import(capsys, db, "device-plans", plain).startswith("imported 0, updated 1")
    assert _device(db, "DP-0017") == "iPhone 16 Pro 256 GB"
    plain.write_text(
        "customer_no,plan_no,activated,financed_amount,instalment,device\n"
        f"CH-100001,DP-0017,2025-03-01,1199.00,49.95,{'x' * 201}\n",
        "utf-8",
    )
    code = main(["import", "device-plans", str(plain), "--db", db.url])
    _out, err = capsys.readouterr()
    assert code == 1
    assert f"{plain}:2: device: longer than 200 characters (201)" in err


def test_the_customer_view_and_the_cancellation_letter_name_the_device(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    _samples(capsys, db)
    with db.transaction() as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.customer_no == "CH-100001"))
    overview = customer_overview(db, customer_id)
    assert [p.device for p in overview.device_plans] == ["iPhone 16 128 GB"]

    today = date(2026, 1, 20)
    view = runs.open_run(db, customer_id, "contract", "cancel", subject="cancel", today=today)
    view = runs.complete_step(db, view.case_id, {"request_date": "2026-01-15"}, today=today)
    while not view.finished:
        answers = {"confirmed": True} if view.step_id == "confirm" else {}
        view = runs.complete_step(db, view.case_id, answers, today=today, author="anna")
    with db.transaction() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None  # the sample file has no addresses: one for the letter
        customer.street, customer.postcode, customer.city = "Seestrasse 1", "8002", "Zürich"
        letter = session.scalars(select(Letter).where(Letter.case_id == view.case_id)).one()
        assert letter.context["device_plan"]["device"] == "iPhone 16 128 GB"
        letter_id = letter.id
    text = normalize(pdf_text(open_issued(db, issue_letter(db, letter_id, "anna").id)), "de")
    assert "für das Gerät iPhone 16 128 GB" in text or "for the iPhone 16 128 GB" in text


@pytest.mark.parametrize("language", ["de", "en", "ru", "zh"])
def test_a_plan_without_a_device_name_leaves_no_gap_in_the_letter(language: str) -> None:
    context = sample_context("contract_cancellation", language)
    context["device_plan"] = {**context["device_plan"], "device": None}
    text = normalize(pdf_text(render_letter("contract_cancellation", language, context)), language)
    assert "()" not in text and "（）" not in text
    assert "Gerät ," not in text and "the  ends" not in text and "the ends" not in text
