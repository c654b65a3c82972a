"""Background work: results on the GUI thread, errors shown, stale results dropped."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from app.services.errors import ValidationError
from app.ui import search_panel
from app.ui.qt import QMessageBox, QWidget, isValid
from app.ui.search_panel import SearchPanel
from app.ui.worker import Op, pending_ops
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui


def test_work_runs_on_a_pool_thread_and_reports_on_the_gui_thread(qtbot, gui_app) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    seen: dict[str, int] = {}

    def work(x: int) -> int:
        seen["work_thread"] = threading.get_ident()
        return x * 2

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_thread"] = threading.get_ident()

    Op(owner, work, 21).success(done).run()
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["work_thread"] != threading.get_ident()
    assert seen["callback_thread"] == threading.get_ident()


def test_failure_callback_gets_the_error_on_the_gui_thread(qtbot, gui_app) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    errors: list[tuple[BaseException, int]] = []
    finished: list[bool] = []

    def work() -> None:
        raise ValidationError("The note is empty.", "text")

    Op(owner, work).success(lambda _r: pytest.fail("no success expected")).failure(
        lambda exc: errors.append((exc, threading.get_ident()))
    ).finished(lambda: finished.append(True)).run()
    qtbot.waitUntil(lambda: bool(finished))
    ((exc, thread),) = errors
    assert isinstance(exc, ValidationError) and exc.field == "text"
    assert thread == threading.get_ident()


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (ValidationError("The note is empty."), "The note is empty."),
        (RuntimeError("disk I/O error\nmore detail"), "Something unexpected went wrong"),
        (
            IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: app_meta.key")),
            "The database refused the last action",
        ),
        (
            OperationalError("SELECT ...", {}, Exception("server closed the connection")),
            "The database cannot be reached or written just now",
        ),
    ],
)
def test_unhandled_error_is_shown_in_a_message_not_a_crash(
    qtbot,
    gui_app,
    error: Exception,
    shown: str,
) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    owner.show()

    def work() -> None:
        raise error

    Op(owner, work).run()
    qtbot.waitUntil(lambda: owner.findChild(QMessageBox, "errorMessage") is not None)
    box = owner.findChild(QMessageBox, "errorMessage")
    assert box.text().startswith(shown)
    # A developer's words (exception texts, SQL) never reach the agent.
    assert "constraint" not in box.text() and "SELECT" not in box.text()
    assert "closed the connection" not in box.text() and "I/O" not in box.text()
    assert box.isVisible()
    box.close()


def test_results_for_a_destroyed_owner_are_dropped(qtbot, gui_app) -> None:
    owner = QWidget()
    release = threading.Event()
    called: list[object] = []

    def work() -> str:
        release.wait(5)
        return "late"

    Op(owner, work).success(called.append).failure(called.append).run()
    owner.deleteLater()
    qtbot.waitUntil(lambda: not isValid(owner))
    release.set()
    qtbot.waitUntil(lambda: pending_ops() == 0)
    assert called == []


def test_synchronous_mode_delivers_before_run_returns(gui_app, sync_ops) -> None:
    got: list[int] = []
    Op(None, lambda: 7).success(got.append).run()
    assert got == [7]


def test_a_slow_older_search_does_not_overwrite_a_newer_one(
    qtbot,
    gui_app,
    sqlite_db,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = seed_people(sqlite_db)
    real_search = search_panel.search_customers

    def search_slow_for_short_queries(db, query, limit=50, cancel=None):
        if query == "C-":
            time.sleep(0.5)
        return real_search(db, query, limit, cancel)

    monkeypatch.setattr(search_panel, "search_customers", search_slow_for_short_queries)
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_database(sqlite_db)
    panel.search_now("C-")
    panel.search_now("C-20001")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    qtbot.waitUntil(lambda: pending_ops() == 0)
    assert panel.model.rowCount() == 1
    assert panel.model.hit(0).id == ids["smirnova"]
    assert panel.status.text() == "1 customer"


def test_work_that_ends_after_the_application_let_go_of_its_op_is_dropped(qapp) -> None:
    """The program quits while a worker still runs: its outcome has nobody to go to and
    is dropped, instead of raising "Signal source has been deleted" in the worker."""
    import shiboken6

    from app.ui.worker import Op

    for fn in (lambda: 1, lambda: 1 / 0):
        op = Op(None, fn)
        shiboken6.delete(op)
        op._work()  # what the worker thread does when the work ends


def test_typing_on_stops_the_running_search_without_showing_its_end_as_an_error(
    qtbot,
    gui_app,
    sqlite_db,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The agent types while a search runs: it is stopped on the server, and its
    cancelled end is not shown (no error flashes while the next search waits)."""
    from app.store.search import SearchCancelledError

    ids = seed_people(sqlite_db)
    real_search = search_panel.search_customers

    def search_until_cancelled(db, query, limit=50, cancel=None):
        if query == "C-":
            deadline = time.monotonic() + 10
            while not cancel.cancelled and time.monotonic() < deadline:
                time.sleep(0.01)
            raise SearchCancelledError
        return real_search(db, query, limit, cancel)

    monkeypatch.setattr(search_panel, "search_customers", search_until_cancelled)
    panel = SearchPanel()
    qtbot.addWidget(panel)
    panel.set_database(sqlite_db)
    states: list[str] = []
    show_state = panel._show_state
    monkeypatch.setattr(panel, "_show_state", lambda s, a: (states.append(s), show_state(s, a)))
    panel.search_now("C-")
    panel.edit.setText("C-20001")  # typed on: the timer starts the next search
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1 and pending_ops() == 0, timeout=10_000)
    assert panel.model.hit(0).id == ids["smirnova"]
    assert "error" not in states
    assert states[-1] == "found"
