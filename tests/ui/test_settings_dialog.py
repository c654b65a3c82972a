"""File > Settings and the first-start question: the agent's name, language and database.

The name is what scripts say and what signs entries; it is asked for once and
editable; a database password never reaches ``settings.json``.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import config
from app.i18n import set_ui_language, ui_language
from app.services.customers import add_note
from app.ui.main_window import MainWindow
from app.ui.qt import QDialogButtonBox, QKeySequence, Qt
from app.ui.settings_dialog import FirstStartDialog, SettingsDialog, needs_first_start
from tests.ui.factories import seed_people

SECRET = "s3cr3t-Pa55"


def _saved() -> dict[str, str]:
    return json.loads(config.settings_file().read_text(encoding="utf-8"))


def test_settings_dialog_saves_name_language_and_database_without_the_password(
    qtbot, gui_app, sqlite_db, monkeypatch
) -> None:
    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    set_ui_language("en")
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("  Anna   Keller ")
    dialog.language.setCurrentIndex(dialog.language.findData("ru"))
    url = f"postgresql+psycopg://anna:{SECRET}@db.callcentre.example:5432/agent_assist"
    dialog.db_url.setText(url)
    assert dialog.password_hint.isVisibleTo(dialog) and "password" in dialog.password_hint.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    saved = _saved()
    assert SECRET not in config.settings_file().read_text(encoding="utf-8")
    assert saved["db_url"] == "postgresql+psycopg://anna@db.callcentre.example:5432/agent_assist"
    assert saved["agent_name"] == "Anna Keller"
    assert saved["ui_language"] == "ru"
    assert ui_language() == "ru"  # at once, no restart
    assert config.current_user_name() == "Anna Keller"
    # New entries are signed with the new name.
    ids = seed_people(sqlite_db)
    assert add_note(sqlite_db, ids["mueller"], "Rückruf vereinbart.").author == "Anna Keller"


def test_the_dialog_starts_from_what_is_saved(qtbot, gui_app) -> None:
    config.Settings(agent_name="Lin Wei", ui_language="zh", db_url="sqlite:///x.sqlite3").save()
    config.settings.cache_clear()
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "Lin Wei"
    assert dialog.language.currentData() == "zh"
    assert dialog.db_url.text() == "sqlite:///x.sqlite3"
    assert not dialog.password_hint.isVisibleTo(dialog)


USERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12)
PASSWORDS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF, exclude_characters="@/?#"),
    min_size=4,
    max_size=24,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(user=USERS, password=PASSWORDS, port=st.sampled_from(["", ":5432", ":port", ":99999"]))
def test_a_password_is_never_written_to_the_settings_file(
    user: str, password: str, port: str
) -> None:
    url = f"postgresql+psycopg://{user}:{password}@db.example{port}/agent_assist"
    dropped = config.save_user_settings(db_url=url)
    text = config.settings_file().read_text(encoding="utf-8")
    assert dropped
    assert f":{password}@" not in text and f":{password}@" not in json.loads(text)["db_url"]
    config.Settings(db_url=url).save()  # the file format itself refuses to hold it
    assert f":{password}@" not in config.settings_file().read_text(encoding="utf-8")


def test_first_start_asks_for_the_name_only_when_none_is_set(monkeypatch) -> None:
    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    assert needs_first_start("xcb")
    assert not needs_first_start("offscreen")  # tests and headless runs never block
    monkeypatch.setenv(config.ENV_AGENT_NAME, "Anna")
    assert not needs_first_start("xcb")
    assert config.current_user_name() == "Anna"
    monkeypatch.delenv(config.ENV_AGENT_NAME)
    config.save_user_settings(agent_name="Irina")
    assert not needs_first_start("windows")


def test_first_start_dialog_saves_the_typed_name(qtbot, gui_app, monkeypatch) -> None:
    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    monkeypatch.setenv("USER", "lwang")
    dialog = FirstStartDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name.text() == "lwang"  # the login as a start
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.name.setText("   ")
    assert not ok.isEnabled()
    dialog.name.setText("王芳")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert _saved()["agent_name"] == "王芳"
    assert config.current_user_name() == "王芳"
    assert not needs_first_start("xcb")


@pytest.mark.parametrize("language", ["de", "en", "ru", "zh"])
def test_file_menu_has_settings_with_a_shortcut(qtbot, window: MainWindow, language) -> None:
    set_ui_language(language)
    assert window.act_settings in window.menu_file.actions()
    assert window.act_settings.shortcut() == QKeySequence("Ctrl+,")
    assert window.act_settings.text().replace("&", "")
    window.act_settings.trigger()
    (dialog,) = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
    dialog.reject()


def test_the_script_introduces_the_agent_by_the_saved_name(
    qtbot, gui_app, tmp_path, sync_ops, monkeypatch
) -> None:
    """The demo's scripts say "Меня зовут …", "我是客服…" with the name from the settings."""
    from datetime import date

    from app.services.customers import search_customers
    from app.services.demo import create_demo, minimum_customers
    from app.store.db import Database
    from app.ui.qt import QLabel

    monkeypatch.delenv(config.ENV_AGENT_NAME, raising=False)
    monkeypatch.setenv("USER", "agent")
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    create_demo(url, seed=7, reference=date(2026, 12, 6), customers=minimum_customers())
    db = Database(url)
    try:
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        dialog.name.setText("Анна Келлер")
        dialog.save()
        window = MainWindow()
        qtbot.addWidget(window)
        window.today = date(2026, 12, 6)
        window.set_database(db)
        window.show()
        said = []
        for number in (f"C-{n}" for n in range(10001, 10030)):
            hits = [h for h in search_customers(db, number) if h.customer_no == number]
            window.open_customer(hits[0].id)
            for row in range(len(window.customer_view.todo.rows)):
                window.customer_view.todo.rows[row].activate()
                say = window.guided.findChild(QLabel, "sayText")
                if say is not None and say.isVisibleTo(window.guided):
                    said.append(say.text())
                window.leave_guided(focus=False)
        assert any("Анна Келлер" in text for text in said), said
        assert not [text for text in said if "agent" in text]
    finally:
        db.dispose()
