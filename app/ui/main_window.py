"""The main window: search on the left, the customer in the middle, history on the right.

Opening a playbook (from "what to do now" or a worklist) shows the guided
panel beside the customer, in place of the search; the history stays
visible and shows each completed step at once. Every action has a keyboard
shortcut and lives in a menu (both built and worded in :mod:`app.ui.main_actions`):
Ctrl+F finds, Enter opens, Escape goes back (from the guided panel to the
customer, from there to the search), Ctrl+N adds a note, F5 reloads,
Ctrl+1..Ctrl+4 open the worklists. The status bar
names the database in use and who is working with which role, and shows a
busy bar while something runs that the agent waits for. What the user's
role may not do (app/services/permissions.py) is hidden: the services
refuse it regardless. A supervisor or an administrator checks the history's
hash chains from the Customer menu ("Verify the history…"), in the background,
and reads the outcome in a message box. The window refreshes no screen by hand: every screen
refreshes itself when an operation reports a change it shows
(:mod:`app.ui.changes`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from app import APP_NAME
from app.i18n import _
from app.services.permissions import Action, allowed, refuse, role_name
from app.ui import main_actions
from app.ui.common import app_icon, bind_retranslate
from app.ui.customer_view import CustomerView
from app.ui.guided_panel import GuidedPanel
from app.ui.qt import (
    QAction,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QModelIndex,
    QProgressBar,
    QSplitter,
    Qt,
    QWidget,
)
from app.ui.role_windows import RoleWindows
from app.ui.search_panel import SearchPanel
from app.ui.settings_dialog import SettingsDialog
from app.ui.shortcuts_dialog import ShortcutsDialog
from app.ui.sync_status import SyncStatusWidget
from app.ui.timeline import TimelinePanel
from app.ui.timeline_delegate import ItemRole
from app.ui.worklists import WorklistWindow

if TYPE_CHECKING:
    from PySide6.QtWidgets import QToolBar

    from app.services.customers import CustomerOverview
    from app.services.history_check import HistoryCheck
    from app.services.identity import Identity
    from app.services.todo_items import OpenTarget
    from app.store.db import Database
    from app.ui.language_menu import LanguageMenu
    from app.ui.note_dialog import NoteDialog

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The agent's desk for one database."""

    # Actions, menus and toolbar, built and worded by app.ui.main_actions.
    act_find: QAction
    act_back: QAction
    act_note: QAction
    act_reload: QAction
    act_history: QAction
    act_todo: QAction
    act_quit: QAction
    act_shortcuts: QAction
    act_about: QAction
    act_diagnostics: QAction
    act_settings: QAction
    act_verify_history: QAction
    act_letters: QAction
    act_batch_letters: QAction
    act_tickets: QAction
    act_history_browser: QAction
    act_reports: QAction
    #: Ctrl+1..: one per worklist kind, in the order of KIND_TITLES.
    act_worklists: list[QAction]
    menu_file: QMenu
    menu_language: LanguageMenu
    menu_customer: QMenu
    menu_worklists: QMenu
    menu_review: QMenu
    menu_help: QMenu
    toolbar: QToolBar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.db: Database | None = None
        self.customer_id: uuid.UUID | None = None
        self.overview: CustomerOverview | None = None
        self._busy_text = ""
        #: A history check is running (its action is disabled until it is done).
        self._verifying = False
        #: The last history check's outcome box (tests read it).
        self.verify_box: QMessageBox | None = None
        self.note_dialog: NoteDialog | None = None
        self.worklist_window: WorklistWindow | None = None
        #: The day "what to do now", worklists and scripts decide for (None: today).
        self.today: date | None = None
        #: Who is working (None until known: nothing is hidden, the services decide).
        self.identity: Identity | None = None
        #: The ticket queue, history browser and reports windows (made when first shown).
        self.role_windows = RoleWindows(self)

        self.search = SearchPanel(self)
        self.customer_view = CustomerView(self)
        self.guided = GuidedPanel(self)
        self.guided.hide()
        self.timeline = TimelinePanel(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for widget, stretch in (
            (self.search, 0),
            (self.customer_view, 1),
            (self.guided, 1),
            (self.timeline, 0),
        ):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.indexOf(widget), stretch)
        self.splitter.setSizes([300, 620, 0, 420])
        self.setCentralWidget(self.splitter)

        main_actions.make_actions(self)
        main_actions.make_menus(self)
        self._make_status_bar()
        self.search.customer_chosen.connect(self.open_customer)
        self.timeline.add_note_requested.connect(self.new_note)
        self.timeline.view.activated.connect(self._show_entry)
        self.customer_view.todo.open_requested.connect(self.start_guided)
        self.customer_view.loaded.connect(self._on_overview)
        self.customer_view.load_failed.connect(self._on_overview_failed)
        self.guided.leave_requested.connect(self.leave_guided)
        self.resize(1360, 820)
        self.retranslate()
        bind_retranslate(self)
        self._update_actions()

    # -- construction -----------------------------------------------------------------

    def _make_status_bar(self) -> None:
        status = self.statusBar()
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.busy_label = QLabel(self)
        self.busy_label.hide()
        self.db_label = QLabel(self)
        self.db_label.setObjectName("dbLabel")
        self.user_label = QLabel(self)
        self.user_label.setObjectName("userLabel")
        status.addWidget(self.busy_bar)
        status.addWidget(self.busy_label)
        #: A branch office's sync state (hidden on a desktop or the shared server).
        self.sync_status = SyncStatusWidget(self)
        self.sync_status.setObjectName("syncStatus")
        status.addPermanentWidget(self.sync_status)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.db_label)

    # -- language --------------------------------------------------------------------------

    def retranslate(self) -> None:
        main_actions.retranslate(self)
        self._update_title()
        self._update_db_label()
        self._update_user_label()
        if self._busy_text:
            self.busy_label.setText(self._busy_text)

    def _update_title(self) -> None:
        if self.overview is not None:
            self.setWindowTitle(f"{self.overview.name} ({self.overview.customer_no}) — {APP_NAME}")
        else:
            self.setWindowTitle(APP_NAME)

    def _update_db_label(self) -> None:
        if self.db is None:
            self.db_label.setText(_("No database open"))
        else:
            self.db_label.setText(_("Database: {name}").format(name=self.db.description()))

    def _update_user_label(self) -> None:
        who = self.identity
        if who is None:
            self.user_label.clear()
        else:
            self.user_label.setText(
                _("User: {user}, {role}").format(user=who.label, role=role_name(who))
            )

    def may(self, action: Action) -> bool:
        """Whether the user may ``action`` (True while not yet known: the services decide)."""
        return self.identity is None or allowed(self.identity, action)

    def _apply_role(self) -> None:
        """Hide what the user's role may not do."""
        record = self.may(Action.RECORD)
        self.act_note.setVisible(record)
        self.act_letters.setVisible(record)
        self.act_batch_letters.setVisible(record)
        self.timeline.add_button.setVisible(record)
        self.customer_view.todo.set_can_start(record)
        worklists = self.may(Action.WORKLISTS)
        for action in self.act_worklists:
            action.setVisible(worklists)
        roles = self.role_windows
        self.act_tickets.setVisible(roles.may_show("tickets"))
        self.menu_worklists.menuAction().setVisible(
            worklists or record or roles.may_show("tickets")
        )
        reports = self.may(Action.REPORTS)
        self.act_history_browser.setVisible(reports)
        self.act_reports.setVisible(reports)
        self.act_verify_history.setVisible(reports)
        self.menu_review.menuAction().setVisible(reports)

    def _identity_known(self, db: Database, identity: Identity) -> None:
        if db is not self.db:
            return
        self.identity = identity
        self._update_user_label()
        self._apply_role()
        self.role_windows.identity_known(identity)

    def _identity_failed(self, db: Database, exc: BaseException) -> None:
        if db is not self.db:
            return
        from app.ui.error_dialog import show_error_box

        self.user_label.setText(_("Not a user of this database"))
        show_error_box(self, exc, title=_("Not a user of this database"))

    def _update_actions(self) -> None:
        has_customer = self.customer_id is not None and self.db is not None
        self.act_note.setEnabled(has_customer)
        self.act_reload.setEnabled(has_customer)
        self.act_history.setEnabled(has_customer)
        self.act_todo.setEnabled(has_customer)
        self.act_find.setEnabled(self.db is not None)
        for action in (self.act_tickets, self.act_history_browser, self.act_reports):
            action.setEnabled(self.db is not None)
        self.act_verify_history.setEnabled(self.db is not None and not self._verifying)

    # -- database and busy state -------------------------------------------------------------

    def set_database(self, db: Database | None) -> None:
        self.db = db
        self.identity = None
        self._update_user_label()
        self._apply_role()
        if db is not None:
            from app.ui.worker import Op

            Op(self, current_identity, db).success(
                lambda who: self._identity_known(db, who)
            ).failure(lambda exc: self._identity_failed(db, exc)).run()
        self.search.set_database(db)
        self.leave_guided()
        self.guided.set_database(db)
        if self.worklist_window is not None:
            self.worklist_window.set_database(db)
        self.role_windows.set_database(db)
        self.sync_status.set_database(db)
        self._update_db_label()
        self._update_actions()
        if db is not None:
            self.focus_search()

    def set_busy(self, text: str) -> None:
        """Show an indeterminate busy bar with ``text`` (already translated)."""
        self._busy_text = text
        self.busy_label.setText(text)
        self.busy_label.show()
        self.busy_bar.show()

    def clear_busy(self) -> None:
        self._busy_text = ""
        self.busy_label.hide()
        self.busy_bar.hide()

    # -- navigation ----------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.focus_search()

    def back_to_search(self) -> None:
        """Escape: from the guided panel back to the customer; else to the search box
        (in the search box, clear it)."""
        focus = self.focusWidget()
        if self.guided.isVisible() and focus is not None and self.guided.isAncestorOf(focus):
            self.leave_guided()
            return
        if self.search.isHidden():
            self.search.show()
        if self.search.edit.hasFocus() and self.search.edit.text():
            self.search.edit.clear()
        self.search.focus_search()

    def focus_history(self) -> None:
        self.timeline.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.timeline.view.currentIndex().isValid() and self.timeline.model.rowCount():
            self.timeline.view.setCurrentIndex(self.timeline.model.index(0, 0))

    def focus_todo(self) -> None:
        """Ctrl+T: the most urgent item of "what to do now" (the Start button without any)."""
        todo = self.customer_view.todo
        if not todo.focus_first() and todo.start_button.isVisible():
            todo.start_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_customer(self, customer_id: uuid.UUID, target: OpenTarget | None = None) -> None:
        """Show the customer's overview and history; the history list gets the focus.

        With ``target``, the guided panel opens that playbook flow for the customer."""
        if self.db is None:
            return
        log.info("customer opened id=%s", customer_id)
        if customer_id != self.customer_id or target is None:
            self.leave_guided(focus=False)
        self.customer_id = customer_id
        self.overview = None
        self.search.select_customer(customer_id)
        self.timeline.set_customer(self.db, customer_id)
        self._update_actions()
        self._update_title()
        self.focus_history()
        self.customer_view.load(self.db, customer_id)
        if target is not None:
            self.start_guided(target)

    def reload_customer(self) -> None:
        if self.customer_id is not None:
            self.open_customer(self.customer_id)

    def _on_overview(self, overview: CustomerOverview) -> None:
        """The customer view loaded the open customer (first, or again after a change)."""
        first = self.overview is None or self.overview.id != overview.id
        self.overview = overview
        self.timeline.set_count(overview.history_count)
        self._update_title()
        if first and self.db is not None:
            self.customer_view.todo.load(self.db, overview.customer_no, self.today)

    def _on_overview_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- guided scripts and worklists ------------------------------------------------------

    def start_guided(self, target: OpenTarget) -> None:
        """Open ``target``'s playbook flow for the open customer in the guided panel."""
        if self.db is None or self.customer_id is None:
            return
        if self.identity is not None and not allowed(self.identity, Action.RECORD):
            self.statusBar().showMessage(str(refuse(self.identity, Action.RECORD)), 8000)
            return
        if not self.guided.isVisible():
            self.search.hide()
            self.guided.show()
            self.customer_view.set_compact(True)
            total = sum(self.splitter.sizes())
            timeline = min(max(self.timeline.width(), 340), 380)
            rest = max(total - timeline, 800)
            self.splitter.setSizes([0, rest * 2 // 5, rest - rest * 2 // 5, timeline])
        self.guided.today = self.today
        self.guided.open_target(self.customer_id, target)

    def leave_guided(self, focus: bool = True) -> None:
        """Close the guided panel (its run stays where it is) and go back to the customer."""
        was_open = self.guided.isVisible()
        self.guided.clear()
        self.guided.hide()
        self.customer_view.set_compact(False)
        if was_open:
            self.search.show()
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([300, max(total - 720, 400), 0, 420])
        if was_open and focus and not self.customer_view.todo.focus_first():
            self.focus_history()

    def _worklist_opener(self, kind: str) -> Callable[[], object]:
        """A slot that shows the worklist ``kind`` (each action gets its own)."""
        return lambda: self.show_worklist(kind)

    def show_worklist(self, kind: str) -> None:
        """Show the worklist ``kind`` (Ctrl+1..Ctrl+4) in its own window."""
        if self.db is None:
            return
        if self.worklist_window is None:
            self.worklist_window = WorklistWindow(self)
            self.worklist_window.open_requested.connect(self._open_from_worklist)
        self.worklist_window.set_database(self.db, self.today)
        self.worklist_window.show_kind(kind)

    def _open_from_worklist(self, customer_id: uuid.UUID, target: OpenTarget) -> None:
        self.activateWindow()
        self.raise_()
        self.open_customer(customer_id, target if target.flow else None)
        if not target.flow:
            self.statusBar().showMessage(_("There is no guided script for this yet."), 8000)

    # -- notes and entries --------------------------------------------------------------

    def new_note(self) -> None:
        if self.db is None or self.customer_id is None or not self.may(Action.RECORD):
            return
        if self.note_dialog is not None and self.note_dialog.isVisible():
            self.note_dialog.activateWindow()
            return
        from app.ui.note_dialog import NoteDialog  # the customer's services are loaded by now

        name = self.overview.name if self.overview is not None else ""
        dialog = NoteDialog(self, self.db, self.customer_id, name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _item: self.statusBar().showMessage(_("Note saved."), 5000))
        dialog.finished.connect(lambda _result: self._note_dialog_closed(dialog))
        self.note_dialog = dialog
        dialog.open()

    def _note_dialog_closed(self, dialog: NoteDialog) -> None:
        if self.note_dialog is dialog:
            self.note_dialog = None
        self.focus_history()

    def _letters_customer(self) -> tuple[Database, uuid.UUID, str] | None:
        """The open customer, for the letters dialog (None: no customer open)."""
        if self.db is None or self.customer_id is None:
            return None
        return self.db, self.customer_id, self.overview.name if self.overview else ""

    def _no_customer(self) -> None:
        self.statusBar().showMessage(_("Open a customer first."), 5000)

    def _show_entry(self, index: QModelIndex) -> None:
        from app.services.customers import HistoryItem  # loaded with the history shown
        from app.ui.note_dialog import EntryDialog

        item = index.data(ItemRole)
        if isinstance(item, HistoryItem):
            dialog = EntryDialog(self, item)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    # -- history check ------------------------------------------------------------------

    def verify_history(self) -> None:
        """Customer > Verify the history: check every hash chain in the background."""
        if self.db is None or self._verifying or not self.may(Action.REPORTS):
            return
        from app.services.history_check import check_history
        from app.ui.worker import Op

        db = self.db
        self._verifying = True
        self._update_actions()
        self.set_busy(_("Checking the history…"))
        Op(self, check_history, db).success(self._history_checked).finished(
            self._history_check_done
        ).run()

    def _history_check_done(self) -> None:
        self._verifying = False
        self.clear_busy()
        self._update_actions()

    def _history_checked(self, check: HistoryCheck) -> None:
        from app.i18n import format_datetime
        from app.services.history_check import check_words
        from app.ui.timeline_delegate import local_time

        box = QMessageBox(
            QMessageBox.Icon.Information if check.ok else QMessageBox.Icon.Warning,
            _("History check"),
            check_words(check),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("historyCheckMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not check.ok and check.created_at is not None:
            box.setInformativeText(
                _("The entry was recorded {when} by {author} for customer {customer}.").format(
                    when=format_datetime(local_time(check.created_at)),
                    author=check.author or "",
                    customer=check.customer_no or "",
                )
            )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verify_box = box
        box.open()

    # -- help -------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        """F1: every shortcut in a table."""
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_settings(self) -> None:
        """File > Settings: name, UI language, database URL."""
        dialog = SettingsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_about(self) -> None:
        from app.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def copy_diagnostics(self) -> None:
        """Help > Copy diagnostics: the report for a support ticket, on the clipboard."""
        from app.ui.worker import Op

        self.statusBar().showMessage(_("Collecting diagnostics…"), 5000)
        Op(self, _diagnostics_report, self.db).success(self._diagnostics_ready).run()

    def _diagnostics_ready(self, text: str) -> None:
        from app.ui.qt import QApplication

        QApplication.clipboard().setText(text)
        self.statusBar().showMessage(
            _("Diagnostics copied to the clipboard: paste them into the support ticket."), 8000
        )


def current_identity(db: Database) -> Identity:
    """Who is working (worker thread: the identity service and the models load there,
    not on the GUI thread when the database opens)."""
    from app.services.identity import current

    return current(db)


def _diagnostics_report(db: Database | None) -> str:
    """The diagnostics (worker thread): of the open database, else of the configured one,
    whose URL may need the password from the operating system's credential store."""
    from app.config import resolve_db_url
    from app.diagnostics import report

    return report(db.url if db is not None else resolve_db_url(), db)
