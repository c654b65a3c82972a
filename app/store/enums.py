"""Small enumerations the screens need before the database is opened.

They live apart from :mod:`app.store.models` so that building the window does not
import SQLAlchemy; the models module re-exports them (``app.store.models.Role``).
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    AGENT = "agent"
    PARTNER = "partner"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
