"""Each role's work across customers, in the main window, on the demo.

A partner logs in and the window opens on its ticket queue; it disagrees with
a stage-3 decision. A supervisor then finds the case in the Controlling report,
browses the history of all customers and opens a customer from it. An agent
sees the ticket queue but no Review menu.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from app.i18n import set_ui_language
from app.services import identity
from app.store.db import Database
from app.ui.main_window import MainWindow
from app.ui.qt import Qt

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def _demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo, minimum_customers

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo(f"sqlite:///{path}", customers=minimum_customers())
    return path


@pytest.fixture
def demo_path(_demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_demo_file, path)
    return path


@pytest.fixture
def open_as(qtbot, gui_app, demo_path: Path) -> Iterator:
    opened: list[Database] = []

    def login(login: str) -> MainWindow:
        db = Database(f"sqlite:///{demo_path}")
        opened.append(db)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(identity.ENV_USER, login)
            identity.current(db)  # who works is fixed when the database is first used
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        window.set_database(db)
        qtbot.waitUntil(lambda: window.identity is not None, timeout=10_000)
        return window

    yield login
    for db in opened:
        db.dispose()


def _rows(model) -> list[list[str]]:
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_partner_disagrees_and_the_supervisor_sees_it_in_controlling(
    qtbot, open_as, sync_ops
) -> None:
    set_ui_language("en")
    partner = open_as("p.hofer")
    # A partner's window opens on its ticket queue; it has no Review menu.
    qtbot.waitUntil(lambda: "tickets" in partner.role_windows.made, timeout=10_000)
    queue = partner.role_windows.made["tickets"]
    assert queue.isVisible()
    assert not partner.menu_review.menuAction().isVisible()
    assert partner.act_tickets.isVisible()
    qtbot.waitUntil(lambda: queue.model.rowCount() > 0, timeout=10_000)
    numbers = [row[1] for row in _rows(queue.model)]
    assert "C-10030" in numbers, numbers  # the overdue decision of KNU-NW
    row = numbers.index("C-10030")
    queue.table.selectRow(row)
    qtbot.waitUntil(lambda: queue.agree.isVisible(), timeout=5_000)
    queue.text.setPlainText("Wir sind mit der Kündigung nicht einverstanden.")
    queue.disagree.click()
    assert queue.send.isEnabled()
    qtbot.mouseClick(queue.send, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _rows(queue.model)[row][3] == "answered", timeout=10_000)

    supervisor = open_as("r.baumann")
    assert supervisor.menu_review.menuAction().isVisible()
    supervisor.act_reports.trigger()
    reports = supervisor.role_windows.made["reports"]
    assert reports.isVisible()
    reports.select("controlling")
    reports.set_months(date.today(), f"{date.today().year - 1}-01", None)
    qtbot.mouseClick(reports.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reports.data is not None and reports.data.name == "controlling")
    assert any("C-10030" in row for row in _rows(reports.model)), _rows(reports.model)

    # The history browser shows the partner's answer; Enter on it opens the customer.
    supervisor.act_history_browser.trigger()
    browser = supervisor.role_windows.made["history"]
    qtbot.waitUntil(lambda: browser.model.rowCount() > 0, timeout=10_000)
    texts = [" ".join(row) for row in _rows(browser.model)]
    answer = next(i for i, text in enumerate(texts) if "C-10030" in text)
    browser.table.setCurrentIndex(browser.model.index(answer, 0))
    browser.table.setFocus()
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: supervisor.overview is not None, timeout=10_000)
    assert supervisor.overview is not None and supervisor.overview.customer_no == "C-10030"


def test_an_agent_sees_the_tickets_but_no_review(qtbot, open_as, sync_ops) -> None:
    set_ui_language("de")
    agent = open_as("m.keller")
    assert agent.act_tickets.isVisible()
    assert not agent.menu_review.menuAction().isVisible()
    assert agent.role_windows.show("history") is None
    agent.act_tickets.trigger()
    queue = agent.role_windows.made["tickets"]
    qtbot.waitUntil(lambda: queue.model.rowCount() > 0, timeout=10_000)
    # every partner's tickets, the overdue ones first
    numbers = [row[1] for row in _rows(queue.model)]
    assert {"C-10030", "C-10031", "C-10032"} <= set(numbers), numbers
