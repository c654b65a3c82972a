"""Settings, declared once.

Every setting has one declaration here (name, type, default, and a title for
the settings dialog); the rest of the code asks :func:`settings` for values and
never reads files or the environment itself. Resolution order for the
database: ``--db`` on the command line, then ``AGENT_ASSIST_DB``, then the
settings file, then a SQLite file in the per-user data directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

from app import APP_ID
from app.i18n import N_

ENV_DB = "AGENT_ASSIST_DB"
ENV_DATA_DIR = "AGENT_ASSIST_DATA_DIR"
ENV_CONFIG_DIR = "AGENT_ASSIST_CONFIG_DIR"

DEFAULT_DB_FILE = "agent-assist.sqlite3"
DEMO_DB_FILE = "demo.sqlite3"


def data_dir() -> Path:
    """Per-user data directory (database, archived letters, exports)."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Per-user configuration directory (``settings.json``)."""
    override = os.environ.get(ENV_CONFIG_DIR)
    path = (
        Path(override) if override else Path(platformdirs.user_config_dir(APP_ID, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def default_db_url() -> str:
    return sqlite_url(data_dir() / DEFAULT_DB_FILE)


def demo_db_url() -> str:
    return sqlite_url(data_dir() / DEMO_DB_FILE)


@dataclass
class Settings:
    """The user's settings. Field metadata carries the translatable title."""

    db_url: str = ""
    ui_language: str = ""  # empty: from the operating system's locale
    agent_name: str = ""  # empty: the operating-system login name

    TITLES = {  # noqa: RUF012 - a class-level table, not a field
        "db_url": N_("Database URL"),
        "ui_language": N_("Language of the application"),
        "agent_name": N_("Agent name"),
    }

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_file()
        if not path.exists():
            return cls()
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in raw.items() if k in known})

    def save(self, path: Path | None = None) -> None:
        path = path or settings_file()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def settings_file() -> Path:
    return config_dir() / "settings.json"


@cache
def settings() -> Settings:
    return Settings.load()


def resolve_db_url(cli_value: str | None = None, *, demo: bool = False) -> str:
    """The database URL to use, by the documented order."""
    if cli_value:
        return cli_value
    if demo:
        return demo_db_url()
    return os.environ.get(ENV_DB) or settings().db_url or default_db_url()


def current_user_name() -> str:
    """Who is working: the configured agent name, else the OS login."""
    configured = settings().agent_name
    if configured:
        return configured
    for var in ("USERNAME", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "agent"
