"""The new price plan is picked in the window from the tariff catalogue, its fee shown."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from app.i18n import set_ui_language
from app.services import runs
from app.store.db import Database
from app.store.models import Case, Subscription
from app.store.repositories import UnitOfWork
from app.ui.input_widgets import ChoiceRadioInput, make_input
from app.ui.qt import Qt
from tests.processes.helpers import add_customer

pytestmark = pytest.mark.gui

TODAY = date(2026, 3, 12)


def _customer(db: Database) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Kabelnetz Nordwest AG",
            country="CH",
            partner_language="de",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="Smart Abo M",
                monthly_fee=Decimal("49.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2024, 3, 7),
            )
        )
        uow.commit()
        return customer.id


def test_the_agent_picks_a_plan_by_its_number_and_the_catalogue_fee_follows(
    gui_app, qtbot, sqlite_db: Database
) -> None:
    set_ui_language("en")
    customer = _customer(sqlite_db)
    view = runs.open_run(sqlite_db, customer, "contract", "downgrade", subject="d", today=TODAY)
    [tariff_view] = [i for i in view.inputs if i.id == "new_tariff"]
    widget = make_input(tariff_view)
    qtbot.addWidget(widget)
    assert isinstance(widget, ChoiceRadioInput)
    assert [b.text().replace("\xa0", " ") for b in widget.buttons] == [
        "1  Mobile Talk (CHF 29.00 a month)",
        "2  Smart Abo S (CHF 35.00 a month)",
    ]
    widget.show()
    widget.focus_target().setFocus()
    qtbot.keyClick(widget.focus_target(), Qt.Key.Key_2)
    assert widget.value() == "ch_smart_abo_s"

    view = runs.complete_step(sqlite_db, view.case_id, {"new_tariff": widget.value()}, today=TODAY)
    assert view.step_id == "decision"
    view = runs.complete_step(sqlite_db, view.case_id, {}, today=TODAY)
    assert view.step_id == "explain"
    assert "Smart Abo S" in view.say_text and "35.00" in view.say_text
    view = runs.complete_step(sqlite_db, view.case_id, {"confirmed": True}, today=TODAY)
    view = runs.complete_step(sqlite_db, view.case_id, {}, today=TODAY)
    assert view.finished
    with UnitOfWork(sqlite_db) as uow:
        case = uow.session.get(Case, view.case_id)
        assert case is not None
        change = case.facts["scheduled_change"]
    assert (change["tariff"], change["monthly_fee"]) == ("Smart Abo S", "35.00")
