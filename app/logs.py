"""The log file: what happened on this desktop, for IT and support, without personal data.

:func:`setup_logging` sends every record of the application to a rotating file
``agent-assist.log`` in the per-user log folder (``platformdirs``;
``%LOCALAPPDATA%\\agent-assist\\Logs`` on Windows, ``~/.local/state/agent-assist/log``
on Linux; ``AGENT_ASSIST_LOG_DIR`` overrides it). The level is INFO unless
``AGENT_ASSIST_LOG_LEVEL`` or the setting ``log_level`` says otherwise (``DEBUG``).

Log lines name customers, letters and databases by their ids, never by name.
:class:`PersonalDataFilter`, on every handler this module installs, is the
safety net behind that rule: it masks phone numbers (``+41 79 *** ** 67``),
e-mail addresses and passwords (in database URLs and ``password=...``) in the
message, its arguments and the traceback, before anything is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from collections import deque
from pathlib import Path

import platformdirs

from app import APP_ID

ENV_LOG_DIR = "AGENT_ASSIST_LOG_DIR"
ENV_LOG_LEVEL = "AGENT_ASSIST_LOG_LEVEL"
LOG_FILE = "agent-assist.log"
#: One file is at most this big; this many older ones are kept (.1 ... .5).
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d %(threadName)s] %(message)s"

# A phone number: an optional + or 00, then 8 to 15 digits, which may be grouped by
# spaces, slashes, dots, dashes or brackets. Not part of a longer word or number,
# and not an ISO date or time.
_PHONE = re.compile(r"(?<![\w.:/+-])(?:\+|00)?\d(?:[ ./()-]{0,2}\d){7,14}(?![\w:]|[./-]\d)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]+@")
_PASSWORD_FIELD = re.compile(r"(?i)\b(password|passwd|pwd|secret|token)(\s*[=:]\s*)(\S+)")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    if _DATE.search(text):
        return text
    digits = sum(c.isdigit() for c in text)
    # Keep the country code and the network prefix (+41 79 / 079) and the last two digits.
    keep_head = 4 if text.startswith("+") else 5 if text.startswith("00") else 3
    out = []
    seen = 0
    for char in text:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= keep_head or seen > digits - 2 else "*")
        else:
            out.append(char)
    return "".join(out)


def mask(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses and passwords masked."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _PASSWORD_FIELD.sub(r"\1\2***", text)
    text = _EMAIL.sub("***@***", text)
    return _PHONE.sub(_mask_phone, text)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message, arguments and traceback (never drops it)."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is
            message = f"{record.msg!s} {record.args!r}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def log_dir() -> Path:
    """The per-user log folder (created if needed)."""
    override = os.environ.get(ENV_LOG_DIR)
    path = Path(override) if override else Path(platformdirs.user_log_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / LOG_FILE


def configured_level() -> int:
    """``AGENT_ASSIST_LOG_LEVEL``, else the setting ``log_level``, else INFO."""
    name = os.environ.get(ENV_LOG_LEVEL, "").strip()
    if not name:
        try:
            from app.config import settings

            name = settings().log_level.strip()
        except Exception:  # unreadable settings are reported elsewhere
            name = ""
    level = logging.getLevelName(name.upper()) if name else logging.INFO
    return level if isinstance(level, int) else logging.INFO


_handler: logging.Handler | None = None


def setup_logging(level: int | None = None) -> Path | None:
    """Log to the rotating file (once per process); returns its path, or None if impossible.

    A log folder that cannot be written never stops the program: it then logs
    nowhere but to standard error, as before.
    """
    global _handler
    root = logging.getLogger()
    chosen = configured_level() if level is None else level
    if _handler is not None:
        root.setLevel(min(root.level or chosen, chosen))
        _handler.setLevel(chosen)
        return Path(getattr(_handler, "baseFilename", "")) or None
    try:
        handler = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(PersonalDataFilter())
    handler.setLevel(chosen)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > chosen or root.level == logging.WARNING:
        root.setLevel(chosen)
    for handler_ in root.handlers:  # e.g. the console's: the same masking everywhere
        if not any(isinstance(f, PersonalDataFilter) for f in handler_.filters):
            handler_.addFilter(PersonalDataFilter())
    # Alembic says at INFO what it loads on every start: only worth it when debugging.
    logging.getLogger("alembic").setLevel(max(chosen, logging.WARNING))
    _handler = handler
    return Path(handler.baseFilename)


def shutdown_logging() -> None:
    """Close the log file (tests; the program's exit does it by itself)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def last_lines(count: int = 200) -> list[str]:
    """The last ``count`` lines of the log file, masked again (for diagnostics)."""
    if _handler is not None:
        _handler.flush()
    path = log_file()
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", errors="replace") as file:
        return [mask(line.rstrip("\n")) for line in deque(file, maxlen=count)]


def log_startup(command: str | None) -> None:
    """One line saying what started: version, command (never its arguments), platform."""
    import platform
    import sys

    from app import __version__

    logging.getLogger("app.startup").info(
        "start version=%s command=%s frozen=%s python=%s os=%s pid=%d",
        __version__,
        command or "window",
        bool(getattr(sys, "frozen", False)),
        platform.python_version(),
        platform.platform(terse=True),
        os.getpid(),
    )
