"""The status bar's sync indicator: hidden on a desktop, says offline and what waits on a branch."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.store.db import Database
from app.ui.changes import Changes, change_bus
from app.ui.sync_status import SyncStatusWidget
from app.ui.worker import Op


@pytest.fixture
def synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Op, "synchronous", True)


def test_hidden_on_a_desktop_and_offline_with_what_waits_on_a_branch(
    qtbot, sqlite_db: Database, synchronous: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.ui.sync_status as widget_module

    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget.set_database(sqlite_db)
    assert widget.isHidden()

    with sqlite_db.engine.begin() as conn:  # a branch whose server cannot be reached
        conn.execute(
            text("INSERT INTO app_meta (key, value) VALUES ('sync_server', :url)"),
            {"url": "postgresql+psycopg://nobody@127.0.0.1:9/x"},
        )
        conn.execute(
            text(
                "INSERT INTO sync_outbox (table_name, row_id, state, attempts) "
                "VALUES ('history_entries', '0123456789abcdef0123456789abcdef', 'pending', 0)"
            )
        )
    calls: list[int] = []
    real = widget_module._sync
    monkeypatch.setattr(widget_module, "_sync", lambda db: (calls.append(1), real(db))[1])
    widget.set_database(sqlite_db)
    assert not widget.isHidden()
    assert calls == [1]
    assert "Offline" in widget.label.text()
    assert "1 entry waiting to be sent" in widget.label.text()
    assert "cannot be reached" in widget.toolTip()
    assert widget.timer.isActive()

    change_bus().report(Changes.of(history=True), initiator=object())  # a note was recorded
    assert calls == [1, 1]
    change_bus().report(Changes.of(history=True), initiator=widget)  # its own report: no loop
    assert calls == [1, 1]

    widget.set_database(None)
    assert widget.isHidden() and not widget.timer.isActive()


def test_a_sync_asked_for_while_one_runs_runs_once_after_it(
    qtbot, sqlite_db: Database, synchronous: None
) -> None:
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget._db = sqlite_db
    widget.show()
    widget._running = True
    widget.sync_now()
    widget.sync_now()
    assert widget._again
    ran: list[int] = []
    widget.sync_now = lambda: ran.append(1)  # type: ignore[method-assign]
    widget._finished()
    assert ran == [1] and not widget._running
