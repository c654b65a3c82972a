"""The status bar's sync indicator of a branch office, and the background sync it runs.

Shown only when the database is a branch replica: online or offline, how
many entries wait to be sent, how many the server refused, and when the last
sync succeeded (in words, :func:`app.sync.words.status_words`). It syncs in
the background (:class:`app.ui.worker.Op`, never on the GUI thread) every 30
seconds and after every local change another screen reports; a sync asked
for while one runs is run once when it ends, never two at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.ui.changes import Changes, on_changes
from app.ui.qt import QHBoxLayout, QLabel, QTimer, QWidget
from app.ui.worker import Op

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync import SyncStatus

#: How often a branch syncs on its own (milliseconds).
INTERVAL_MS = 30_000


def _is_branch(db: Database) -> bool:
    from app.sync import server_url

    return server_url(db) is not None


def _sync(db: Database) -> tuple[SyncStatus, str | None, int]:
    """Sync ``db`` (on a worker): how it stands after, the error in words, rows received."""
    from app.sync import SyncError, status, sync_now

    error: str | None = None
    pulled = 0
    try:
        pulled = sync_now(db).pulled
    except SyncError as exc:
        error = str(exc)
    return status(db, probe=False), error, pulled


class SyncStatusWidget(QWidget):
    """Online/offline, entries waiting, refused entries and the last sync of a branch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db: Database | None = None
        self._running = False
        self._again = False
        self.label = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.sync_now)
        on_changes(self._changed)
        self.hide()

    def set_database(self, db: Database | None) -> None:
        """Follow ``db``: shown and syncing when it is a branch, hidden otherwise."""
        self._db = db
        self.timer.stop()
        self.hide()
        if db is None or db.dialect != "sqlite":
            return
        Op(self, _is_branch, db).success(lambda branch: self._started(db, branch)).failure(
            self._failed
        ).run()

    def _started(self, db: Database, branch: bool) -> None:
        if db is not self._db or not branch:
            return
        self.label.setText(_("Branch: syncing…"))
        self.show()
        self.timer.start()
        self.sync_now()

    def sync_now(self) -> None:
        """Sync in the background now (or right after the sync that is running)."""
        db = self._db
        if db is None or self.isHidden():
            return
        if self._running:
            self._again = True
            return
        self._running = True
        Op(self, _sync, db).success(lambda result: self._show(db, result)).changes(
            lambda result: (
                Changes.of(history=True, cases=True, letters=True) if result[2] else Changes()
            )
        ).failure(self._failed).finished(self._finished).run()

    def _show(self, db: Database, result: tuple[SyncStatus, str | None, int]) -> None:
        from app.sync.words import status_words

        if db is not self._db:
            return
        state, error, _pulled = result
        self.label.setText(status_words(state))
        self.setToolTip(error or "")

    def _failed(self, exc: BaseException) -> None:
        """Not a dialog every 30 seconds: the indicator says it, the details in its tooltip."""
        from app.ui.worker import describe_error

        self.label.setText(_("Branch: the sync failed"))
        self.setToolTip(describe_error(exc))

    def _finished(self) -> None:
        self._running = False
        if self._again:
            self._again = False
            self.sync_now()

    def _changed(self, changes: Changes, initiator: Any) -> None:
        """A local change (a note, a step, a letter): send it soon."""
        if initiator is self or not (changes.history or changes.cases or changes.letters):
            return
        self.sync_now()
