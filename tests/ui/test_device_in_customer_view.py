"""The customer view names the device of a device plan, as the import gave it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cli import main
from app.resources import resource_path
from app.services.importing import KINDS
from app.store.db import Database
from app.store.models import Customer
from app.ui.qt import QGroupBox, QLabel

pytestmark = pytest.mark.gui


def test_the_device_plan_box_names_the_device(
    qtbot, window, sqlite_db: Database, sync_ops, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in KINDS:
        path = resource_path("samples", "import", f"{kind}.csv")
        assert main(["import", kind, str(path), "--db", sqlite_db.url]) == 0
    capsys.readouterr()
    with sqlite_db.transaction() as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.customer_no == "CH-100001"))
    window.open_customer(customer_id)
    qtbot.waitUntil(lambda: window.findChild(QGroupBox, "devicePlansBox") is not None)
    box = window.findChild(QGroupBox, "devicePlansBox")
    texts = [label.text() for label in box.findChildren(QLabel)]
    assert any(text.startswith("iPhone 16 128 GB") for text in texts), texts
