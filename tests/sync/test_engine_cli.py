"""``agent-assist sync configure | now | status``: JSON keys and exit codes of MULTIUSER.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.sync.helpers_engine import Server, server_fixture  # noqa: F401 - fixtures


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.postgres
def test_a_new_file_becomes_a_branch_records_offline_and_syncs(
    server: Server,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = server.login("agent")
    monkeypatch.setenv("AGENT_ASSIST_USER", login)
    db = f"sqlite:///{tmp_path / 'branch.sqlite3'}"
    code, out, _err = _run(capsys, "--db", db, "sync", "configure", server.url(login))
    assert code == 0 and "branch" in out

    code, out, _err = _run(capsys, "--db", db, "history", "add", "C-1", "--text", "at the branch")
    assert code == 0
    code, out, _err = _run(capsys, "--db", db, "sync", "status", "--json")
    state = json.loads(out)
    assert list(state) == ["mode", "online", "pending", "rejected", "last_sync"]
    assert (state["mode"], state["online"], state["pending"], state["rejected"]) == (
        "branch",
        True,
        1,
        0,
    )

    code, out, _err = _run(capsys, "--db", db, "sync", "now", "--json")
    result = json.loads(out)
    assert code == 0
    assert list(result) == ["pushed", "pulled", "rejected", "pending"]
    assert (result["pushed"], result["pending"], result["rejected"]) == (1, 0, 0)

    code, out, _err = _run(capsys, "--db", server.db.url, "history", "verify", "--json")
    assert code == 0 and json.loads(out)["entries"] == 1


def test_sync_on_a_desktop_file_or_an_unreachable_server_says_so_with_its_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'desktop.sqlite3'}"
    code, out, _err = _run(capsys, "--db", db, "sync", "status", "--json")
    assert code == 0 and json.loads(out)["mode"] == "desktop"
    code, _out, err = _run(capsys, "--db", db, "sync", "now")
    assert code == 2 and "not a branch" in err
    code, _out, err = _run(
        capsys, "--db", db, "sync", "configure", "postgresql+psycopg://nobody:secret@127.0.0.1:9/x"
    )
    assert code == 3 and "cannot be reached" in err and "secret" not in err


@pytest.mark.postgres
def test_a_login_without_a_role_of_the_application_is_refused_with_exit_4(
    server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import text

    login = f"aa_s1_norole_{tmp_path.name[-6:]}".lower().replace("-", "_")
    with server.db.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {login} LOGIN"))
    server.made.append(login)
    db = f"sqlite:///{tmp_path / 'branch.sqlite3'}"
    code, _out, err = _run(capsys, "--db", db, "sync", "configure", server.url(login))
    assert code == 4 and "refused" in err
