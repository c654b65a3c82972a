"""Settings resolution: command line, environment, user file, site file, default."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from app import config

PG_SITE = "postgresql+psycopg://agent@db.callcentre.example/agent_assist"
PG_USER = "postgresql+psycopg://me@localhost/mine"


@pytest.fixture
def site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the site settings live for this test (the file itself is not created)."""
    path = tmp_path / "site" / config.SITE_SETTINGS_FILE
    path.parent.mkdir()
    monkeypatch.setenv(config.ENV_SITE_CONFIG, str(path))
    return path


def _write(path: Path, content: object) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")


def _fresh() -> config.Settings:
    config.settings.cache_clear()
    return config.settings()


def test_without_any_setting_the_database_is_the_per_user_sqlite_file(site_file: Path) -> None:
    assert config.resolve_db_url() == config.sqlite_url(config.data_dir() / config.DEFAULT_DB_FILE)
    assert config.resolve_db_url().endswith("/data/agent-assist.sqlite3")


def test_site_file_gives_every_user_the_shared_database(site_file: Path) -> None:
    _write(site_file, {"db_url": PG_SITE})
    _fresh()
    assert config.resolve_db_url() == PG_SITE


def test_user_settings_override_the_site_field_by_field(site_file: Path) -> None:
    _write(site_file, {"db_url": PG_SITE, "ui_language": "de", "agent_name": "Site Default"})
    _write(config.settings_file(), {"ui_language": "ru", "agent_name": ""})
    effective = _fresh()
    assert effective.ui_language == "ru"  # the user's choice wins
    assert effective.db_url == PG_SITE  # not set by the user: the site's
    assert effective.agent_name == "Site Default"  # empty user value counts as not set
    assert config.current_user_name() == "Site Default"


def test_user_database_overrides_the_site_database(site_file: Path) -> None:
    _write(site_file, {"db_url": PG_SITE})
    _write(config.settings_file(), {"db_url": PG_USER})
    _fresh()
    assert config.resolve_db_url() == PG_USER


def test_environment_and_command_line_come_before_both_files(
    site_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(site_file, {"db_url": PG_SITE})
    _write(config.settings_file(), {"db_url": PG_USER})
    monkeypatch.setenv(config.ENV_DB, "sqlite:////tmp/from-env.sqlite3")
    _fresh()
    assert config.resolve_db_url() == "sqlite:////tmp/from-env.sqlite3"
    assert config.resolve_db_url("sqlite:////tmp/cli.sqlite3") == "sqlite:////tmp/cli.sqlite3"


@pytest.mark.parametrize(
    "content",
    ['{"db_url": "postgresql+psycopg://half', "[1, 2, 3]", b"\xff\xfe\x00garbage"],
    ids=["truncated-json", "not-an-object", "not-utf8"],
)
def test_a_broken_site_file_is_ignored_with_a_logged_warning(
    site_file: Path, content: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    if isinstance(content, bytes):
        site_file.write_bytes(content)
    else:
        _write(site_file, content)
    _write(config.settings_file(), {"ui_language": "zh"})
    with caplog.at_level(logging.WARNING, logger="app.config"):
        effective = _fresh()
    assert effective.ui_language == "zh"  # the user's file still counts
    assert config.resolve_db_url().endswith("/data/agent-assist.sqlite3")
    assert any(str(site_file) in r.getMessage() for r in caplog.records)


def test_a_broken_user_file_falls_back_to_the_site(
    site_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write(site_file, {"db_url": PG_SITE})
    _write(config.settings_file(), "{not json")
    with caplog.at_level(logging.WARNING, logger="app.config"):
        _fresh()
    assert config.resolve_db_url() == PG_SITE
    assert any("settings.json" in r.getMessage() for r in caplog.records)


def test_unknown_keys_and_null_values_are_ignored(site_file: Path) -> None:
    _write(site_file, {"db_url": PG_SITE, "theme": "dark", "agent_name": None})
    effective = _fresh()
    assert effective == config.Settings(db_url=PG_SITE)


def test_saving_the_users_settings_does_not_copy_the_site_values(site_file: Path) -> None:
    _write(site_file, {"db_url": PG_SITE})
    own = config.Settings.load()
    own.agent_name = "Anna"
    own.save()
    saved = json.loads(config.settings_file().read_text(encoding="utf-8"))
    assert saved["db_url"] == ""
    assert _fresh() == config.Settings(db_url=PG_SITE, agent_name="Anna")


def test_installed_program_reads_the_site_file_next_to_its_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(config.ENV_SITE_CONFIG, raising=False)
    install_dir = tmp_path / "Agent Assist"
    install_dir.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(install_dir / "agent-assist.exe"))
    assert config.site_settings_file() == install_dir.resolve() / "agent-assist-site.json"
    _write(install_dir / "agent-assist-site.json", {"db_url": PG_SITE})
    _fresh()
    assert config.resolve_db_url() == PG_SITE


def test_environment_names_the_site_file_even_when_installed(
    site_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "agent-assist.exe"))
    assert config.site_settings_file() == site_file


def test_a_source_checkout_has_no_site_file_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_SITE_CONFIG, raising=False)
    assert not getattr(sys, "frozen", False)
    assert config.site_settings_file() is None
    assert config.site_settings() == config.Settings()
