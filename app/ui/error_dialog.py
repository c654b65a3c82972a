"""Errors the agent sees: one translated sentence, the details for support one click away.

:func:`show_error_box` is how every failure reaches the agent (the worker's
failure path, the start-up, and :func:`install_excepthook` for an exception no
code caught). An expected problem (:class:`ServiceError`, a broken rule file)
is its own sentence. An unexpected one is logged with its traceback and shown
as one sentence with a "Copy details" button that puts the version and the
traceback, masked like the log, on the clipboard for a support ticket; never a
raw traceback dialog, never a silent failure.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from app import APP_NAME, __version__
from app.i18n import _
from app.logs import mask
from app.services.errors import ServiceError
from app.ui.qt import QApplication, QMessageBox, Qt, QWidget

log = logging.getLogger(__name__)


def is_expected(exc: BaseException) -> bool:
    """A problem with a sentence of its own (bad input, a broken file, a database away)."""
    from app.domain.playbook_schema import PlaybookError
    from app.domain.rule_schema import RuleFileError
    from app.store.db import DatabaseError

    return isinstance(exc, ServiceError | RuleFileError | PlaybookError | DatabaseError)


def error_details(exc: BaseException) -> str:
    """Version, platform and the traceback, masked: what "Copy details" copies."""
    import platform

    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return mask(
        f"{APP_NAME} {__version__}, Python {platform.python_version()}, "
        f"{platform.platform(terse=True)}\n{trace}"
    )


def show_error_box(
    parent: QWidget | None, exc: BaseException, title: str | None = None
) -> QMessageBox:
    """Show ``exc`` in a message box that does not block the caller."""
    from app.ui.worker import describe_error

    expected = is_expected(exc)
    box = QMessageBox(
        QMessageBox.Icon.Warning if expected else QMessageBox.Icon.Critical,
        title or APP_NAME,
        describe_error(exc),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("errorMessage")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if not expected:
        details = error_details(exc)
        copy = box.addButton(_("Copy details"), QMessageBox.ButtonRole.ActionRole)
        copy.setObjectName("copyDetails")
        copy.setToolTip(_("Put the technical details on the clipboard, for IT support"))
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
        box.setEscapeButton(QMessageBox.StandardButton.Ok)  # Esc and the title bar close it
    box.open()
    return box


def unexpected_error_sentence() -> str:
    return _(
        "Something unexpected went wrong and the last action may not have been completed. "
        "If it happens again, use Copy details and send them to IT support."
    )


def _main_window() -> QWidget | None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    active = app.activeWindow()
    if active is not None:
        return active
    tops = [w for w in app.topLevelWidgets() if w.isVisible()]
    return tops[0] if tops else None


def handle_uncaught(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """``sys.excepthook`` of the window: log with traceback, tell the agent in one sentence."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log.critical("unhandled exception", exc_info=(kind, exc, tb))
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    try:
        box = show_error_box(_main_window(), exc)
        if not is_expected(exc):
            box.setText(unexpected_error_sentence())
    except Exception:  # the handler itself must never raise
        log.exception("cannot show the error")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    log.critical(
        "unhandled exception in thread %s",
        getattr(args.thread, "name", "?"),
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )


def install_excepthook() -> None:
    """Route uncaught exceptions of the GUI (and of threads) to the log and the agent."""
    sys.excepthook = handle_uncaught
    threading.excepthook = _thread_hook
