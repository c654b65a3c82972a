"""File > Settings: the agent's name, the UI language and the database; the first-start question.

The agent's name is what scripts say ("My name is …") and what signs history
entries, so it is asked for once when none is set (:class:`FirstStartDialog`)
and can be changed here at any time; it takes effect for the next step or
note. The UI language switches at once. A new database URL is used from the
next start. A password in the database URL is never written to
``settings.json``: the dialog leaves it out and says so.
"""

from __future__ import annotations

import os

from app.config import (
    ENV_AGENT_NAME,
    ENV_DB,
    Settings,
    configured_agent_name,
    login_name,
    save_user_settings,
    settings,
    url_without_password,
)
from app.i18n import LANGUAGES, _, language_name, set_ui_language, ui_language
from app.ui.changes import Changes, change_bus
from app.ui.common import bind_retranslate, hint_label
from app.ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

#: Longest agent name (it goes into scripts and every history entry).
MAX_NAME_LENGTH = 80


class SettingsDialog(QDialog):
    """Name, language and database URL, saved to the user's ``settings.json``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        own = Settings.load()
        effective = settings()
        self.name = QLineEdit(own.agent_name or effective.agent_name, self)
        self.name.setObjectName("agentName")
        self.name.setMaxLength(MAX_NAME_LENGTH)
        self.language = QComboBox(self)
        self.language.setObjectName("uiLanguage")
        self.language.addItem("", "")
        for code in LANGUAGES:
            self.language.addItem(language_name(code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(own.ui_language)))
        self.db_url = QLineEdit(own.db_url, self)
        self.db_url.setObjectName("dbUrl")
        self.db_url.textChanged.connect(self._update_password_hint)
        self.name_hint = hint_label()
        self.db_hint = hint_label()
        self.password_hint = hint_label()
        self.password_hint.setObjectName("passwordHint")
        self.password_hint.setProperty("role", "error")

        form = QFormLayout()
        self.name_label = QLabel(self)
        self.language_label = QLabel(self)
        self.db_label = QLabel(self)
        for label, field in (
            (self.name_label, self.name),
            (self.language_label, self.language),
            (self.db_label, self.db_url),
        ):
            label.setBuddy(field)
        form.addRow(self.name_label, self.name)
        form.addRow("", self.name_hint)
        form.addRow(self.language_label, self.language)
        form.addRow(self.db_label, self.db_url)
        form.addRow("", self.db_hint)
        form.addRow("", self.password_hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)
        self.retranslate()
        bind_retranslate(self)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Settings"))
        self.name_label.setText(_("&Your name:"))
        self.language_label.setText(_("&Language of the application:"))
        self.db_label.setText(_("&Database URL:"))
        self.name.setPlaceholderText(login_name())
        self.language.setItemText(0, _("As the operating system"))
        self.name_hint.setText(
            _("Scripts introduce you by this name, and it signs your history entries.")
        )
        overridden = _("AGENT_ASSIST_AGENT_NAME sets the name for this run.")
        self.name_hint.setText(
            self.name_hint.text() + ("\n" + overridden if os.environ.get(ENV_AGENT_NAME) else "")
        )
        db_hint = _("Empty: the database file in your data folder. Used from the next start.")
        if os.environ.get(ENV_DB):
            db_hint += "\n" + _("AGENT_ASSIST_DB names the database for this run.")
        self.db_hint.setText(db_hint)
        self._update_password_hint()
        self.adjustSize()

    def _update_password_hint(self) -> None:
        has_password = url_without_password(self.db_url.text())[1]
        self.password_hint.setText(
            _(
                "The password is not saved in the settings file: it is kept in the "
                "operating system's credential store; without one, give it in the "
                "PostgreSQL password file (.pgpass) or in AGENT_ASSIST_DB."
            )
            if has_password
            else ""
        )
        self.password_hint.setVisible(has_password)
        self.adjustSize()

    def save(self) -> None:
        """Save, switch the language, and close."""
        language = str(self.language.currentData() or "")
        save_user_settings(
            agent_name=self.name.text(), ui_language=language, db_url=self.db_url.text()
        )
        self.db_url.setText(url_without_password(self.db_url.text())[0])
        switched = bool(language) and language != ui_language()
        if switched:
            set_ui_language(language)
        change_bus().report(Changes(settings=True, language=switched), self)  # the name said
        self.accept()


class FirstStartDialog(QDialog):
    """Asks "what is your name?" once, when no agent name is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstStartDialog")
        self.question = QLabel(self)
        self.question.setWordWrap(True)
        self.name = QLineEdit(login_name(), self)
        self.name.setObjectName("agentName")
        self.name.setMaxLength(MAX_NAME_LENGTH)
        self.name.selectAll()
        self.question.setBuddy(self.name)
        self.hint = hint_label()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addWidget(self.name)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self.retranslate()
        bind_retranslate(self)
        self._update_ok()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome"))
        self.question.setText(_("&Your name, as the customer should hear it:"))
        self.hint.setText(
            _(
                "Scripts introduce you by this name, and it signs your history entries. "
                "You can change it in File > Settings."
            )
        )
        self.adjustSize()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))

    def save(self) -> None:
        if not self.name.text().strip():
            return
        save_user_settings(agent_name=self.name.text())
        self.accept()


def needs_first_start(platform: str) -> bool:
    """Whether to ask for the agent's name: none is set, and someone can answer.

    ``AGENT_ASSIST_AGENT_NAME`` or a name in the settings skips the question, and
    so does a Qt platform without a screen (``offscreen``, ``minimal``: tests and
    headless runs).
    """
    return not configured_agent_name() and platform not in ("offscreen", "minimal")
