"""Background work for widgets, without touching threads.

``Op(parent, fn, *args).success(on_result).failure(on_error).run()`` runs
``fn(*args)`` on the global ``QThreadPool`` and calls back on the GUI thread.
Callbacks are dropped when ``parent`` has been destroyed meanwhile; an error
without a ``failure`` callback is shown to the agent in a message box. Tests
set ``Op.synchronous = True`` to run the work inline, deterministically.

An op that writes says what it changed with ``.changes(...)`` (a
:class:`~app.ui.changes.Changes`, or a function of the result giving one);
after it succeeded, that is reported on :func:`~app.ui.changes.change_bus`
(also when ``parent`` has gone: the data changed all the same), and every
screen that shows the changed data refreshes itself.

Work whose outcome only counts while nothing newer was asked for runs with
``.latest(slot)`` (a :class:`~app.ui.latest.Latest` the screen keeps): an older
op of the slot that ends after a newer one started calls nothing back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from app.i18n import _
from app.services.errors import ServiceError
from app.ui.changes import Changes, ChangesOf, change_bus
from app.ui.qt import QMessageBox, QObject, QRunnable, QThreadPool, QWidget, Signal, isValid

if TYPE_CHECKING:
    from app.ui.latest import Latest

log = logging.getLogger(__name__)

#: Ops started and not yet called back; keeps them alive while they run.
_pending: set[Op] = set()


class Op(QObject):
    """One piece of background work and what to do with its outcome."""

    #: Run the work inline in ``run()`` (for tests that want determinism).
    synchronous: ClassVar[bool] = False

    _succeeded = Signal(object)
    _failed = Signal(object)

    def __init__(self, parent: QObject | None, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        super().__init__()  # no Qt parent: the op must outlive a closing widget
        self._owner = parent
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_finished: Callable[[], None] | None = None
        self._changes: ChangesOf | None = None
        self._latest: tuple[Latest, bool, Callable[[], None] | None] | None = None
        self._number = 0
        self._succeeded.connect(self._deliver_success)
        self._failed.connect(self._deliver_failure)

    def success(self, callback: Callable[[Any], None]) -> Op:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        self._on_failure = callback
        return self

    def finished(self, callback: Callable[[], None]) -> Op:
        """Called after success or failure, e.g. to hide a busy indicator."""
        self._on_finished = callback
        return self

    def changes(self, changes: ChangesOf) -> Op:
        """What the work changes: reported to every screen after it succeeded."""
        self._changes = changes
        return self

    def latest(
        self, slot: Latest, *, join: bool = False, stop: Callable[[], None] | None = None
    ) -> Op:
        """Call back only while this op is ``slot``'s newest (see :mod:`app.ui.latest`):
        running it makes it the newest, or with ``join`` more work for the newest;
        ``stop`` stops the work where it runs once it is superseded."""
        self._latest = (slot, join, stop)
        return self

    def run(self) -> Op:
        if self._latest is not None:
            slot, join, stop = self._latest
            self._number = slot.join(stop) if join else slot.start(stop)
        _pending.add(self)
        if Op.synchronous:
            try:
                result = self._fn(*self._args, **self._kwargs)
            except Exception as exc:
                self._deliver_failure(exc)
            else:
                self._deliver_success(result)
        else:
            QThreadPool.globalInstance().start(_Runnable(self))
        return self

    # -- runs on the worker thread --

    def _work(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Exception as exc:
            self._emit(self._failed, exc)
        else:
            self._emit(self._succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        """Send the outcome to the GUI thread, unless the application is already gone
        (work still running when the program quits has nobody left to tell)."""
        try:
            signal.emit(value)
        except RuntimeError:
            log.debug("background work ended after the application quit")

    # -- runs on the GUI thread --

    def _owner_alive(self) -> bool:
        return self._owner is None or isValid(self._owner)

    def _wanted(self) -> bool:
        """Whether to call back: the owner lives and no newer op of the slot started."""
        return self._owner_alive() and (
            self._latest is None or self._latest[0].delivers(self._number)
        )

    def _deliver_success(self, result: Any) -> None:
        try:
            if self._wanted() and self._on_success is not None:
                self._on_success(result)
        finally:
            try:
                self._report_changes(result)
            finally:
                self._finish()

    def _report_changes(self, result: Any) -> None:
        if self._changes is None:
            return
        changes = self._changes if isinstance(self._changes, Changes) else self._changes(result)
        change_bus().report(changes, self._owner)

    def _deliver_failure(self, exc: BaseException) -> None:
        try:
            if not isinstance(exc, ServiceError):
                log.error("background work failed", exc_info=exc)
            if not self._wanted():
                return
            if self._on_failure is not None:
                self._on_failure(exc)
            else:
                owner = self._owner if isinstance(self._owner, QWidget) else None
                show_error(owner, exc)
        finally:
            self._finish()

    def _finish(self) -> None:
        try:
            if self._on_finished is not None and self._wanted():
                self._on_finished()
        finally:
            _pending.discard(self)


class _Runnable(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self._op = op

    def run(self) -> None:
        self._op._work()


def pending_ops() -> int:
    """How many ops have not called back yet."""
    return len(_pending)


def describe_error(exc: BaseException) -> str:
    """A message for the agent: service errors as they are, others in one line."""
    if isinstance(exc, ServiceError):
        return str(exc)
    from app.domain.playbook_schema import PlaybookError
    from app.domain.rule_schema import RuleFileError

    if isinstance(exc, RuleFileError):  # the same words as every command
        return _("Rule files: %(problem)s") % {"problem": exc.with_line()}
    if isinstance(exc, PlaybookError):
        return _("Playbook files: %(problem)s") % {"problem": exc.with_line()}
    # Anything else is not the agent's to read: the log and "Copy details" keep it.
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, OperationalError | OSError):
        return _(
            "The database cannot be reached or written just now, so the last action was "
            "not completed. Try again; if it keeps happening, tell IT (Help > Copy diagnostics)."
        )
    if isinstance(exc, DBAPIError):
        return _(
            "The database refused the last action, so it was not completed. Try again; if "
            "it keeps happening, tell IT (Help > Copy diagnostics)."
        )
    return _(
        "Something unexpected went wrong and the last action was not completed. If it "
        "happens again, tell IT (Help > Copy diagnostics)."
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> QMessageBox:
    """Show ``exc`` in a message box that does not block the caller.

    An unexpected error gets a "Copy details" button (app/ui/error_dialog.py).
    """
    from app.ui.error_dialog import show_error_box

    return show_error_box(parent, exc, title)
