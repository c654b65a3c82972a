"""The Language menu: the agent's UI language, switched at once and remembered.

Each language is named in its own words (Deutsch, English, Русский, 中文) so
an agent finds theirs whatever the current language; the current one is
checked. What each is called in the current language (the status tips) comes from
babel's locale data, read when the menu first opens, not while the window is built.
Choosing one saves the setting and switches every open window through
:func:`app.i18n.set_ui_language` — no restart.
"""

from __future__ import annotations

import logging

from app.config import save_ui_language
from app.i18n import LANGUAGES, _, language_name, set_ui_language, ui_language
from app.ui.changes import Changes, change_bus
from app.ui.common import bind_retranslate
from app.ui.qt import QAction, QActionGroup, QMenu, QWidget

log = logging.getLogger(__name__)


def choose_language(language: str) -> None:
    """Switch the UI to ``language`` and keep it for the next start."""
    try:
        save_ui_language(language)
    except OSError as exc:  # the switch still happens; only the next start will not know it
        log.warning("cannot save the UI language: %s", exc)
    set_ui_language(language)
    change_bus().report(Changes(language=True))


class LanguageMenu(QMenu):
    """A checkable entry per UI language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageMenu")
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code in LANGUAGES:
            action = QAction(f"&{language_name(code)}", self)
            action.setObjectName(f"actLanguage_{code}")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, code=code: choose_language(code))
            self.group.addAction(action)
            self.addAction(action)
            self.language_actions[code] = action
        self.worded = False
        self.aboutToShow.connect(self._word)
        self.retranslate()
        bind_retranslate(self)

    def _word(self) -> None:
        """Say what each language is called in the current one (the status tips)."""
        current = ui_language()
        for code, action in self.language_actions.items():
            # What the language is called in the current one, e.g. "Russisch".
            action.setStatusTip(language_name(code, current))
        self.worded = True

    def retranslate(self) -> None:
        self.setTitle(_("&Language"))
        current = ui_language()
        for code, action in self.language_actions.items():
            action.setChecked(code == current)
        if self.worded:
            self._word()
