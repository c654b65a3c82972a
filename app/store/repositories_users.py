"""What identity and user management ask the database, named for the answer.

The users rows and their partners, the owner of a SQLite file (``app_meta``)
and, on the shared PostgreSQL server, who the login is (``current_user``),
whether it owns the schema and whether a login role exists. Only reads:
deciding who may do what stays in the services.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.store.models import AppMeta, Partner, User


class Users:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_login(self, login: str) -> User | None:
        return self.session.scalar(select(User).where(User.login == login))

    def all(self) -> Sequence[User]:
        """Every user, by login."""
        return self.session.scalars(select(User).order_by(User.login)).all()

    def partner_code(self, partner_id: uuid.UUID) -> str | None:
        """The code of the partner a user belongs to."""
        return self.session.scalar(select(Partner.code).where(Partner.id == partner_id))

    def partner_id(self, code: str) -> uuid.UUID | None:
        """The id of the partner with ``code`` (None: there is none)."""
        return self.session.scalar(select(Partner.id).where(Partner.code == code))

    def meta(self, key: str) -> AppMeta | None:
        """The ``app_meta`` row of ``key`` (a SQLite file's owner login)."""
        return self.session.scalar(select(AppMeta).where(AppMeta.key == key))

    # --- the shared PostgreSQL server -------------------------------------------------

    def server_login(self) -> str:
        """The login role this session works as (PostgreSQL's ``current_user``)."""
        return str(self.session.execute(text("SELECT current_user")).scalar_one())

    def server_owner(self, owner_role: str) -> bool:
        """Whether the session's login is a superuser or a member of ``owner_role``."""
        return bool(
            self.session.execute(
                text(
                    "SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_roles o "
                    "WHERE o.rolname = :owner AND pg_has_role(current_user, o.oid, 'MEMBER')) "
                    "FROM pg_roles r WHERE r.rolname = current_user"
                ),
                {"owner": owner_role},
            ).scalar()
        )

    def login_role_exists(self, login: str) -> bool:
        """Whether the server has a role named ``login``."""
        return bool(
            self.session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login})
        )
