"""The window with a broken rule file or playbook: a translated message, no traceback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.services.rules as rules_module
from app.services.playbooks import default_playbooks_dir, use_playbooks_dir
from app.services.rules import default_rules_dir
from app.store.db import Database
from tests.ui.factories import seed_people

pytestmark = pytest.mark.gui


@pytest.fixture
def broken_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "expiry.toml"
    path.write_text("broken = [1, 2\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(rules_module, "default_rules_dir", lambda: folder)
    rules_module._default_ruleset.cache_clear()
    yield
    rules_module._default_ruleset.cache_clear()


def test_opening_a_customer_with_broken_rules_says_which_file(
    window, sqlite_db: Database, broken_rules: None, sync_ops
) -> None:
    from app.ui.qt import QLabel

    ids = seed_people(sqlite_db)
    window.open_customer(ids["mueller"])
    shown = " ".join(label.text() for label in window.customer_view.findChildren(QLabel))
    assert "Rule files: expiry.toml: not valid TOML:" in shown
    assert "(at line " in shown
    assert "Something went wrong" not in shown


def test_the_message_is_translated(broken_rules: None) -> None:
    from app.i18n import set_ui_language, ui_language
    from app.services.rules import RuleFileError, load_ruleset
    from app.ui.worker import describe_error

    with pytest.raises(RuleFileError) as caught:
        load_ruleset()
    before = ui_language()
    try:
        set_ui_language("de")
        german = describe_error(caught.value)
    finally:
        set_ui_language(before)
    assert german.endswith(str(caught.value)) and not german.startswith("Rule files:")


def test_a_broken_playbook_names_the_file(tmp_path: Path) -> None:
    from app.domain.playbook_schema import PlaybookError
    from app.services.playbooks import playbook_for
    from app.ui.worker import describe_error

    folder = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), folder)
    path = folder / "expiry.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "meta: twice\n", encoding="utf-8")
    use_playbooks_dir(folder)
    try:
        with pytest.raises(PlaybookError) as caught:
            playbook_for("expiry")
    finally:
        use_playbooks_dir(None)
    assert describe_error(caught.value).startswith("Playbook files: expiry.yaml: line ")
