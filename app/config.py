"""Settings, declared once.

Every setting has one declaration here (name, type, default, and a title for
the settings dialog); the rest of the code asks :func:`settings` for values and
never reads files or the environment itself.

Settings come from two files with the same keys: the user's ``settings.json``
and the machine-wide site file ``agent-assist-site.json`` that IT places next
to the executables (the installer's ``/DBURL=`` option writes it). A user
value overrides the site value field by field; an empty user value counts as
not set. Resolution order for the database: ``--db`` on the command line, then
``AGENT_ASSIST_DB``, then the user's settings, then the site settings, then a
SQLite file in the per-user data directory. A file that cannot be read or is
not a JSON object is ignored with a logged warning; unknown keys are ignored.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

from app import APP_ID
from app.i18n import N_

log = logging.getLogger(__name__)

ENV_DB = "AGENT_ASSIST_DB"
ENV_DATA_DIR = "AGENT_ASSIST_DATA_DIR"
ENV_CONFIG_DIR = "AGENT_ASSIST_CONFIG_DIR"
ENV_SITE_CONFIG = "AGENT_ASSIST_SITE_CONFIG"
#: The agent's display name for this run (scripts, history entries); set, it also
#: means "do not ask for the name on first start".
ENV_AGENT_NAME = "AGENT_ASSIST_AGENT_NAME"

SITE_SETTINGS_FILE = "agent-assist-site.json"

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


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for another database, memory or a bad URL)."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception:  # a malformed URL is reported where the database is opened
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


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
    log_level: str = ""  # empty: INFO; DEBUG for more detail in the log file (app/logs.py)

    TITLES = {  # noqa: RUF012 - a class-level table, not a field
        "db_url": N_("Database URL"),
        "ui_language": N_("Language of the application"),
        "agent_name": N_("Agent name"),
        "log_level": N_("Log level"),
    }

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Settings from one JSON file; defaults when it is missing or unreadable."""
        path = path or settings_file()
        if not path.exists():
            return cls()
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("ignoring the settings file %s: %s", path, exc)
            return cls()
        if not isinstance(raw, dict):
            log.warning("ignoring the settings file %s: not a JSON object", path)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in raw.items() if k in known and v is not None})

    def over(self, base: Settings) -> Settings:
        """These settings where set (non-empty), ``base`` for the rest."""
        return replace(
            base, **{f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        )

    def save(self, path: Path | None = None) -> None:
        """Write the settings; a password in the database URL is never written."""
        path = path or settings_file()
        values = asdict(self)
        values["db_url"] = url_without_password(self.db_url)[0]
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(values, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def url_without_password(url: str) -> tuple[str, bool]:
    """``url`` with its password left out, and whether it had one.

    ``postgresql+psycopg://anna:secret@db/agent_assist`` becomes
    ``postgresql+psycopg://anna@db/agent_assist``. Text that is no database URL
    is returned unchanged (it holds no password SQLAlchemy could use).
    """
    text = url.strip()
    if not text or "://" not in text:
        return text, False
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        return _strip_userinfo_password(text)
    if parsed.password is None:
        return text, False
    return parsed._replace(password=None).render_as_string(hide_password=False), True


def _strip_userinfo_password(text: str) -> tuple[str, bool]:
    """``scheme://user:secret@host...`` without ``:secret``, for URLs SQLAlchemy refuses."""
    scheme, _sep, rest = text.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return text, False
    return f"{scheme}://{userinfo.split(':', 1)[0]}@{host}", True


def settings_file() -> Path:
    """The user's own settings (what the settings dialog edits and saves)."""
    return config_dir() / "settings.json"


def site_settings_file() -> Path | None:
    """The machine-wide settings IT deploys, or ``None`` when there is no place for one.

    ``AGENT_ASSIST_SITE_CONFIG`` names the file; otherwise the installed
    (frozen) program looks next to its executable. A source checkout has no
    site file unless the variable is set.
    """
    override = os.environ.get(ENV_SITE_CONFIG)
    if override:
        return Path(override)
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent / SITE_SETTINGS_FILE
    return None


def site_settings() -> Settings:
    """The machine-wide defaults (empty when there is no site file)."""
    path = site_settings_file()
    return Settings.load(path) if path is not None else Settings()


@cache
def settings() -> Settings:
    """The settings in effect: the user's, falling back to the site's field by field."""
    return Settings.load().over(site_settings())


def resolve_db_url(cli_value: str | None = None, *, demo: bool = False) -> str:
    """The database URL: ``--db``, ``AGENT_ASSIST_DB``, user, site, the default file.

    A PostgreSQL URL without a password gets the one kept for it in the
    operating system's credential store (:func:`stored_password_url`).
    """
    if cli_value:
        return stored_password_url(cli_value)
    if demo:
        return demo_db_url()
    return stored_password_url(os.environ.get(ENV_DB) or settings().db_url or default_db_url())


#: The service name under which the credential store keeps the server passwords.
KEYRING_SERVICE = "agent-assist"


def keyring_account(url: str) -> str | None:
    """Whose password a PostgreSQL URL needs: ``user@host:port/database`` (None: no server)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "postgresql" or not parsed.username:
        return None
    return f"{parsed.username}@{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database}"


def store_password(url: str) -> bool:
    """Keep the password of ``url`` in the operating system's credential store.

    Returns whether it was kept (False: no password, no server URL, or no
    credential store on this machine; then PostgreSQL's ``.pgpass`` serves).
    """
    from sqlalchemy.engine import make_url

    account = keyring_account(url)
    if account is None:
        return False
    password = make_url(url.strip()).password
    if not password:
        return False
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, str(password))
    except Exception as exc:  # no backend (a server without a desktop session), locked store
        log.warning("the credential store did not keep the password: %s", type(exc).__name__)
        return False
    return True


def stored_password_url(url: str) -> str:
    """``url`` with the password the credential store keeps for it, when it names none."""
    account = keyring_account(url)
    if account is None:
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url.strip())
    if parsed.password:
        return url
    try:
        import keyring

        password = keyring.get_password(KEYRING_SERVICE, account)
    except Exception as exc:  # no backend: PostgreSQL's own .pgpass or single sign-on serve
        log.debug("no credential store: %s", type(exc).__name__)
        return url
    if not password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def current_user_name() -> str:
    """Who is working: the configured agent name, else the OS login."""
    return configured_agent_name() or login_name()


def configured_agent_name() -> str:
    """The agent's display name from ``AGENT_ASSIST_AGENT_NAME`` or the settings ("" if none)."""
    return (os.environ.get(ENV_AGENT_NAME) or settings().agent_name).strip()


def login_name() -> str:
    """The operating system's login name ("agent" when there is none)."""
    for var in ("USERNAME", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    return "agent"


def save_user_settings(
    *, agent_name: str | None = None, ui_language: str | None = None, db_url: str | None = None
) -> bool:
    """Change the given user settings (others are kept) and make them effective.

    Returns whether a password had to be left out of ``db_url``: it is never
    written to the settings file, but kept in the operating system's
    credential store (:func:`store_password`) where there is one.
    """
    own = Settings.load()
    if agent_name is not None:
        own.agent_name = " ".join(agent_name.split())
    if ui_language is not None:
        from app.i18n import known_language

        own.ui_language = known_language(ui_language) or ""
    dropped = False
    if db_url is not None:
        store_password(db_url)
        own.db_url, dropped = url_without_password(db_url)
    own.save()
    settings.cache_clear()
    return dropped


def startup_ui_language() -> str:
    """The UI language to start in: the setting, else the operating system's language.

    A setting naming a language the application does not speak is logged and
    ignored.
    """
    from app.i18n import LANGUAGES, known_language, system_language

    configured = settings().ui_language.strip()
    if configured:
        code = known_language(configured)
        if code is not None:
            return code
        log.warning(
            "ignoring the setting ui_language=%r: not one of %s", configured, ", ".join(LANGUAGES)
        )
    return system_language()


def save_ui_language(language: str) -> None:
    """Remember ``language`` as the user's UI language (other settings are kept)."""
    from app.i18n import normalize_language

    own = Settings.load()
    own.ui_language = normalize_language(language)
    own.save()
    settings.cache_clear()
