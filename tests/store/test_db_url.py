"""Malformed database URLs: a clear message naming what is wrong, never the password.

Wherever a URL comes from (``--db``, ``AGENT_ASSIST_DB``, the settings), a bad
one — a port that is not a number, a broken IPv6 host, an unknown database
or driver, control characters — is refused by the store with a sentence, by
every command with exit 2 and one line, and by the window's start-up with a
message; the password is never shown.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.cli import main
from app.services.errors import ServiceError
from app.store.db import Database, DatabaseError, describe_url, hide_password, parse_db_url

SECRET = "s3cr3t-Pa55"

BAD_URLS = {
    "port-not-a-number": f"postgresql+psycopg://agent:{SECRET}@db.example:abc/assist",
    "broken-ipv6": f"postgresql+psycopg://agent:{SECRET}@[::1/assist",
    "ipv6-without-brackets": f"postgresql+psycopg://agent:{SECRET}@::1:5432/assist",
    "port-out-of-range": f"postgresql://agent:{SECRET}@db.example:70000/assist",
    "unknown-driver": f"postgresql+nodriver://agent:{SECRET}@db.example/assist",
    "driver-not-installed": f"postgresql+psycopg2://agent:{SECRET}@db.example/assist",
    "unknown-database": f"mysql://agent:{SECRET}@db.example/assist",
    "unknown-sqlite-driver": "sqlite+x:///tmp/a.sqlite3",
    "not-a-url": f"agent:{SECRET}@db.example",
    "control-character": f"postgresql://agent:{SECRET}@db.example/as\tsist",
    "nul": f"postgresql://agent:{SECRET}@db.example/as\x00sist",
}
COMMANDS = [
    ["todo", "C-1"],
    ["worklist", "fair-use"],
    ["letters", "batch"],
    ["db", "upgrade"],
    ["db", "status"],
    ["history", "verify"],
    ["history", "verify", "--json"],
    ["import", "partners", "resources/samples/import/partners.csv"],
]


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_the_store_refuses_with_a_sentence(url: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        Database(url)
    message = str(caught.value)
    assert SECRET not in message
    assert len(message) > 20 and "\n" not in message
    assert SECRET not in describe_url(url)


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_exits_2_with_one_line(
    url: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*args, "--db", url])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.startswith("agent-assist: ") and err.count("\n") == 1, err
    assert SECRET not in out + err


def test_the_environment_variable_is_checked_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENT_ASSIST_DB", BAD_URLS["port-not-a-number"])
    assert main(["todo", "C-1"]) == 2
    err = capsys.readouterr().err
    assert "port" in err and SECRET not in err


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_the_window_start_says_what_is_wrong(url: str) -> None:
    from app.ui.app import open_database

    with pytest.raises(ServiceError) as caught:
        open_database(url)
    assert SECRET not in str(caught.value)
    assert str(caught.value).count("\n") == 0


def test_what_is_wrong_is_named() -> None:
    def problem(name: str) -> str:
        with pytest.raises(DatabaseError) as caught:
            parse_db_url(BAD_URLS[name])
        return str(caught.value)

    assert "port" in problem("port-not-a-number")
    assert "IPv6" in problem("broken-ipv6")
    assert "65535" in problem("port-out-of-range")
    assert "nodriver" in problem("unknown-driver") and "postgresql+psycopg" in problem(
        "unknown-driver"
    )
    assert "mysql" in problem("unknown-database")
    assert "control" in problem("control-character")


def test_good_urls_pass() -> None:
    for url in (
        "sqlite:///C:/data/file.sqlite3",
        "sqlite://",
        "postgresql://agent@db.example/assist",
        "postgresql+psycopg://agent:pw@[::1]:5432/assist",
        "postgresql+psycopg://agent:p%40ss@db.example:5432/assist",
    ):
        parse_db_url(url)
    assert describe_url("postgresql+psycopg://agent:pw@[::1]:5432/assist") == (
        "PostgreSQL: agent@[::1]:5432/assist"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["postgresql", "postgresql+psycopg", "sqlite", "mysql", "x+y", ""]),
    st.text(max_size=20),
    st.text(max_size=20),
)
def test_any_url_is_accepted_or_refused_without_the_password(
    scheme: str, host: str, rest: str
) -> None:
    url = f"{scheme}://agent:{SECRET}@{host}/{rest}"
    try:
        parse_db_url(url)
    except DatabaseError as exc:
        assert SECRET not in str(exc)
    assert SECRET not in hide_password(url)
