"""The main window's actions, menus and toolbar, and their translated texts.

Every action has a keyboard shortcut and lives in a menu; the toolbar repeats
the four an agent uses most. The actions stay attributes of the window
(``window.act_find``, ``window.menu_customer``, …): this module only builds
them, in menu order, and words them again when the language changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app import APP_NAME
from app.i18n import _
from app.ui.common import std_icon
from app.ui.language_menu import LanguageMenu
from app.ui.letters_actions import batch_action, letters_action
from app.ui.qt import QAction, QKeySequence, QStyle, Qt
from app.ui.worklists import KIND_TITLES

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

SP = QStyle.StandardPixmap


def _action(
    window: MainWindow,
    name: str,
    pixmap: SP | None,
    keys: QKeySequence | str,
    slot: Callable[[], object],
) -> QAction:
    action = QAction(window)
    action.setObjectName(name)
    if pixmap is not None:
        action.setIcon(std_icon(window, pixmap))
    action.setShortcut(QKeySequence(keys))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def make_actions(window: MainWindow) -> None:
    """Create ``window.act_*``: icon, shortcut and slot of each (texts: :func:`retranslate`)."""
    w = window
    w.act_find = _action(w, "actFind", SP.SP_FileDialogContentsView, "Ctrl+F", w.focus_search)
    w.act_back = _action(w, "actBack", SP.SP_ArrowBack, "Esc", w.back_to_search)
    w.act_note = _action(w, "actNote", SP.SP_FileIcon, "Ctrl+N", w.new_note)
    w.act_reload = _action(w, "actReload", SP.SP_BrowserReload, "F5", w.reload_customer)
    w.act_history = _action(w, "actHistory", None, "Ctrl+H", w.focus_history)
    w.act_todo = _action(w, "actTodo", None, "Ctrl+T", w.focus_todo)
    w.act_quit = _action(
        w,
        "actQuit",
        SP.SP_DialogCloseButton,
        QKeySequence(QKeySequence.StandardKey.Quit),
        w.close,
    )
    if w.act_quit.shortcut().isEmpty():
        w.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
    w.act_shortcuts = _action(w, "actShortcuts", SP.SP_DialogHelpButton, "F1", w.show_shortcuts)
    w.act_about = _action(w, "actAbout", SP.SP_MessageBoxInformation, "", w.show_about)
    w.act_diagnostics = _action(
        w, "actDiagnostics", SP.SP_FileDialogInfoView, "", w.copy_diagnostics
    )
    w.act_settings = _action(
        w, "actSettings", SP.SP_FileDialogDetailedView, "Ctrl+,", w.show_settings
    )
    w.act_verify_history = _action(
        w, "actVerifyHistory", SP.SP_DialogApplyButton, "", w.verify_history
    )
    # Letters: "Letters…" (Ctrl+L) in the Customer menu, a month's letters in Worklists.
    w.act_letters = letters_action(w, w._letters_customer, w._no_customer)
    w.addAction(w.act_letters)
    w.act_batch_letters = batch_action(w, lambda: w.db)
    w.act_worklists = [
        _action(w, f"actWorklist{n}", None, f"Ctrl+{n}", w._worklist_opener(kind))
        for n, kind in enumerate(KIND_TITLES, start=1)
    ]
    # The work across customers (app/ui/role_windows.py): by role.
    roles = w.role_windows
    w.act_tickets = _action(
        w, "actTickets", SP.SP_FileDialogListView, "Ctrl+Shift+T", lambda: roles.show("tickets")
    )
    w.act_history_browser = _action(
        w, "actHistoryBrowser", None, "Ctrl+Shift+H", lambda: roles.show("history")
    )
    w.act_reports = _action(w, "actReports", None, "Ctrl+Shift+R", lambda: roles.show("reports"))


def make_menus(window: MainWindow) -> None:
    """The menu bar (``window.menu_*``) and the toolbar, from the window's actions."""
    w = window
    bar = w.menuBar()
    w.menu_file = bar.addMenu("")
    w.menu_file.addAction(w.act_settings)
    w.menu_language = LanguageMenu(w)  # re-translates itself
    w.menu_file.addMenu(w.menu_language)
    w.menu_file.addSeparator()
    w.menu_file.addAction(w.act_quit)
    w.menu_customer = bar.addMenu("")
    for action in (
        w.act_find,
        w.act_back,
        None,
        w.act_note,
        w.act_todo,
        w.act_history,
        None,
        w.act_reload,
        None,
        w.act_letters,
    ):
        if action is None:
            w.menu_customer.addSeparator()
        else:
            w.menu_customer.addAction(action)
    w.menu_worklists = bar.addMenu("")
    for action in w.act_worklists:
        w.menu_worklists.addAction(action)
    w.menu_worklists.addSeparator()
    w.menu_worklists.addAction(w.act_tickets)
    w.menu_worklists.addAction(w.act_batch_letters)
    w.menu_review = bar.addMenu("")
    w.menu_review.addAction(w.act_history_browser)
    w.menu_review.addAction(w.act_reports)
    w.menu_review.addSeparator()
    w.menu_review.addAction(w.act_verify_history)
    w.menu_help = bar.addMenu("")
    w.menu_help.addAction(w.act_shortcuts)
    w.menu_help.addAction(w.act_diagnostics)
    w.menu_help.addAction(w.act_about)
    w.toolbar = w.addToolBar("")
    w.toolbar.setObjectName("mainToolbar")
    w.toolbar.setMovable(False)
    w.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (w.act_find, w.act_back, w.act_note, w.act_reload):
        w.toolbar.addAction(action)


def retranslate(window: MainWindow) -> None:
    """Word the actions, menus and toolbar in the current language; a tooltip names
    the action's shortcut."""
    w = window
    texts = {
        w.act_find: (_("&Find customer"), _("Search by number, phone number or name")),
        w.act_back: (_("&Back to search"), _("Return to the search box")),
        w.act_note: (_("&New note…"), _("Add a note to the open customer's history")),
        w.act_reload: (_("&Reload customer"), _("Load the open customer again")),
        w.act_history: (_("Go to &history"), _("Move to the open customer's history")),
        w.act_todo: (
            _("Go to &what to do now"),
            _("Move to the open customer's to-do list; Enter opens the guided script"),
        ),
        w.act_quit: (_("&Quit"), _("Close the application")),
        w.act_shortcuts: (_("&Keyboard shortcuts"), _("List the keyboard shortcuts")),
        w.act_about: (_("&About {app}").format(app=APP_NAME), ""),
        w.act_diagnostics: (
            _("Copy &diagnostics"),
            _("Put what IT support needs to know about this installation on the clipboard"),
        ),
        w.act_verify_history: (
            _("&Verify the history…"),
            _("Check that no history entry was changed or removed since it was recorded"),
        ),
        w.act_tickets: (
            _("Partner &tickets…"),
            _("The tickets to the partners, overdue first; a partner answers them here"),
        ),
        w.act_history_browser: (
            _("&History of all customers…"),
            _("Browse, filter and export what was recorded for every customer"),
        ),
        w.act_reports: (
            _("&Reports…"),
            _("Fair use, complaints, onboarding, reminders, Controlling and device plans"),
        ),
        w.act_settings: (
            _("&Settings…"),
            _("Your name, the language of the application and the database"),
        ),
    }
    pairs = zip(w.act_worklists, KIND_TITLES.values(), strict=True)
    for n, (action, title) in enumerate(pairs, start=1):
        name = _(title)
        texts[action] = (f"&{n} {name}", _("Open the worklist: {name}").format(name=name))
    for action, (text, tip) in texts.items():
        action.setText(text)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shortcut})" if tip and shortcut else tip or text)
        action.setStatusTip(tip)
    w.menu_file.setTitle(_("&File"))
    w.menu_customer.setTitle(_("&Customer"))
    w.menu_worklists.setTitle(_("&Worklists"))
    w.menu_review.setTitle(_("Re&view"))
    w.menu_help.setTitle(_("&Help"))
    w.toolbar.setWindowTitle(_("Toolbar"))
