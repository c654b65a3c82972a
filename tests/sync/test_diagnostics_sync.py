"""Help > Copy diagnostics and ``agent-assist diagnostics`` tell support how a database syncs:
a desktop, the shared server, or a branch with what waits and when it last synced."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.diagnostics import sync_text
from app.i18n import set_ui_language
from app.store.db import Database
from tests.sync.helpers_engine import Server, server_fixture  # noqa: F401 - fixtures


def test_a_desktop_file_a_missing_one_and_the_shared_server(
    sqlite_db: Database, tmp_path: Path
) -> None:
    set_ui_language("en")
    assert sync_text(sqlite_db.url, sqlite_db).startswith("Desktop: this database is not a branch")
    missing = tmp_path / "nothing-here.sqlite3"
    assert sync_text(f"sqlite:///{missing}") == "not configured"
    assert not missing.exists()  # never created by looking at it
    assert sync_text("postgresql+psycopg://a@db.example/agent_assist").startswith("connected")


@pytest.mark.postgres
def test_a_branch_says_what_waits_and_when_it_last_synced(
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_ui_language("en")
    login = server.login("agent")
    monkeypatch.setenv("AGENT_ASSIST_USER", login)
    url = f"sqlite:///{tmp_path / 'branch.sqlite3'}"
    assert main(["--db", url, "sync", "configure", server.url(login)]) == 0
    assert main(["--db", url, "history", "add", "C-1", "--text", "at the branch"]) == 0
    capsys.readouterr()
    text = sync_text(url)
    assert text.startswith("Online") or text.startswith("Offline")
    assert "1 entry waiting to be sent" in text
    assert "last sync" in text and not any(c + "-" in text for c in ("2026", "2027"))
