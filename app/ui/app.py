"""Starting the desktop application: Qt, fonts, icon, language, and the database.

Qt's own texts (standard buttons and dialogs) come from the ``qtbase_*.qm``
catalogs PySide6 ships; they and ``QLocale``'s default follow the UI language,
also when it changes while the application runs.

The window appears at once; the database is opened (and migrated, and for
``--demo`` created on first use) in the background with a busy indicator.
A database that cannot be opened — a bad ``--db`` URL, an unreachable
server, a file that is not a database — is explained in a dialog, and the
application then ends with exit code 1 instead of showing a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app import APP_ID, APP_NAME, __version__
from app.config import resolve_db_url
from app.i18n import LANGUAGES, _, on_language_changed, ui_language
from app.services.errors import ServiceError
from app.ui.common import STYLE_SHEET, app_icon
from app.ui.fonts import apply_app_font
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QLibraryInfo, QLocale, Qt, QThreadPool, QTranslator
from app.ui.worker import Op, describe_error, show_error

if TYPE_CHECKING:
    from app.store.db import Database
    from app.ui.warmup import Warmup

log = logging.getLogger(__name__)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with name, icon, shipped fonts and style (reused if it exists)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    apply_app_font(app)
    app.setStyleSheet(STYLE_SHEET)
    _qt_language.attach(app)
    return app


#: Qt's catalog name for each UI language (Qt calls Simplified Chinese zh_CN).
QT_CATALOGS: dict[str, str] = {"de": "qtbase_de", "en": "qtbase_en", "ru": "qtbase_ru",
                               "zh": "qtbase_zh_CN"}  # fmt: skip


def qt_translations_dir() -> str:
    """Where PySide6 keeps Qt's ``.qm`` catalogs (also in the frozen build)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


class QtLanguage:
    """Keeps Qt's own translator and default locale in step with the UI language."""

    def __init__(self) -> None:
        self.translator: QTranslator | None = None
        self.language = ""
        self._listening = False

    def attach(self, app: QApplication) -> None:
        self.apply(ui_language())
        if not self._listening:
            on_language_changed(self.apply)
            self._listening = True

    def apply(self, language: str) -> None:
        """Install ``qtbase_<lang>.qm`` (replacing the previous one) and set QLocale's default."""
        app = QApplication.instance()
        if not isinstance(app, QApplication) or language == self.language:
            return
        if self.translator is not None:
            app.removeTranslator(self.translator)
            self.translator = None
        translator = QTranslator(app)
        if translator.load(QT_CATALOGS[language], qt_translations_dir()):
            app.installTranslator(translator)
            self.translator = translator
        QLocale.setDefault(QLocale(LANGUAGES[language].replace("_Hans", "")))
        self.language = language


_qt_language = QtLanguage()


def open_database(url: str, demo: bool = False) -> Database:
    """Open (and migrate) the database at ``url``; for the demo, create it first if needed.

    Runs in a worker thread. Every failure becomes a :class:`ServiceError`
    whose message says which database and what went wrong.
    """
    from app.store.db import Database, describe_url

    try:
        where = describe_url(url)
    except Exception:
        where = url
    if demo:
        try:
            from app.services.demo import ensure_demo_database
        except ImportError as exc:
            raise ServiceError(
                _("The demo database is not available in this installation ({error}).").format(
                    error=exc
                )
            ) from exc
        try:
            ensure_demo_database(url)
        except ServiceError:
            raise
        except Exception as exc:
            raise ServiceError(
                _("The demo database {where} could not be created: {error}").format(
                    where=where, error=_first_line(exc)
                )
            ) from exc
    try:
        opened = Database(url)
        from app.store.db import current_revision

        log.info(
            "database opened dialect=%s schema=%s demo=%s",
            opened.dialect,
            current_revision(opened.engine),
            demo,
        )
        return opened
    except Exception as exc:  # any failure here means: this database cannot be used
        raise ServiceError(
            _("Cannot open the database {where}: {error}").format(
                where=where, error=_first_line(exc)
            )
        ) from exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:400] if lines else type(exc).__name__


class Startup:
    """Opens the database behind the shown window and reports how it went."""

    def __init__(
        self, app: QApplication, window: MainWindow, url: str, demo: bool, open_query: str | None
    ) -> None:
        self.app = app
        self.window = window
        self.url = url
        self.demo = demo
        self.open_query = open_query
        self.exit_code = 0
        #: What loads behind the window (it also reads once on the opened database).
        self.warmup: Warmup | None = None

    def start(self) -> None:
        self.window.set_busy(
            _("Preparing the demo database…") if self.demo else _("Opening the database…")
        )
        Op(self.window, open_database, self.url, self.demo).success(self._opened).failure(
            self._failed
        ).finished(self.window.clear_busy).run()

    def _opened(self, db: Database) -> None:
        self.window.set_database(db)
        if self.warmup is not None:
            self.warmup.use_database(db)
        if self.open_query:
            # Screen pop: the telephony system names the caller; open the best match.
            self.window.search.search_now(self.open_query)
            self.window.search.open_current()

    def _failed(self, exc: BaseException) -> None:
        self.exit_code = 1
        log.error("database could not be opened: %s", type(exc).__name__, exc_info=exc)
        message = describe_error(exc)
        print(f"agent-assist: {message}", file=sys.stderr)
        box = show_error(self.window, exc, title=_("Cannot open the database"))
        box.finished.connect(lambda _result: self.app.quit())


def ask_name_on_first_start(app: QApplication, window: MainWindow) -> None:
    """Ask for the agent's name (without blocking the start) when none is set."""
    from app.ui.settings_dialog import FirstStartDialog, needs_first_start

    if needs_first_start(app.platformName()):
        dialog = FirstStartDialog(window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


def run_gui(
    db: str | None = None,
    demo: bool = False,
    argv: Sequence[str] | None = None,
    open_query: str | None = None,
) -> int:
    """Show the main window on the database named by ``--db``/``--demo``/the settings.

    ``open_query`` (``--open``) is a customer number, phone number or name to
    open at once, as a telephony system does when a call comes in.
    """
    if QApplication.instance() is None:
        # Qt aborts the process when its platform plugin cannot load: say why first.
        from app.ui.platform_check import EXIT_NO_DISPLAY, xcb_plugin_path, xcb_problem

        problem = xcb_problem(plugin=xcb_plugin_path())
        if problem is not None:
            print(f"agent-assist: {problem}", file=sys.stderr)
            return EXIT_NO_DISPLAY
    app = create_application(argv)
    from app.ui.error_dialog import install_excepthook

    install_excepthook()  # an exception nobody caught: logged, and one sentence for the agent
    from app.ui.gc_guard import GuiThreadCollector

    GuiThreadCollector(app)  # never collect Qt objects on a worker thread
    url = resolve_db_url(db, demo=demo)
    window = MainWindow()
    window.show()
    from app.ui.warmup import warm_up_after_first_paint

    # What the first search, customer and to-do list need loads while the agent looks.
    warmup = warm_up_after_first_paint(window)
    ask_name_on_first_start(app, window)
    startup = Startup(app, window, url, demo, open_query)
    startup.warmup = warmup
    startup.start()
    code = app.exec()
    log.info("window closed exit=%s", startup.exit_code or int(code))
    # Let running queries (and a demo database being written) finish before exiting.
    QThreadPool.globalInstance().waitForDone()
    if warmup is not None:
        warmup.stop()  # after its step: an import cut off by the exit would complain
    if window.db is not None:
        window.db.dispose()
    window.deleteLater()
    return startup.exit_code or int(code)
