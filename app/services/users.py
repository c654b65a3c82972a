"""Managing the users of a database (admin only).

On the shared PostgreSQL server a user is a login role: adding one creates
the login (with a password, or none when the server authenticates it by
single sign-on or trust), grants it the group role of its application role
and writes its ``users`` row, all in one transaction (PostgreSQL's DDL is
transactional, so either all of it happens or none). An ``admin`` login
also gets ``CREATEROLE``, so it can add the next users. On a SQLite file a
user is only the row.

Disabling keeps the row (history entries name the login for ever) and, on
the server, takes the login's right to log in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.services.errors import NotFoundError, ValidationError
from app.services.permissions import Action, require
from app.store.models import Role, User
from app.store.repositories_users import Users

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.store.db import Database

#: The group role of each application role (migration 0005).
GROUPS: dict[Role, str] = {
    Role.AGENT: "agent_assist_agent",
    Role.PARTNER: "agent_assist_partner",
    Role.SUPERVISOR: "agent_assist_supervisor",
    Role.ADMIN: "agent_assist_admin",
}
#: A login: what a PostgreSQL role name and an operating-system login have in common.
LOGIN_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,62}")
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class UserInfo:
    login: str
    display_name: str
    role: Role
    partner_code: str | None
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "name": self.display_name,
            "role": str(self.role),
            "partner": self.partner_code,
            "active": self.active,
        }


def check_login(login: str) -> str:
    """``login`` when it can name a user on every engine; a ValidationError otherwise."""
    if not LOGIN_PATTERN.fullmatch(login) or login.lower().startswith(("pg_", "agent_assist_")):
        raise ValidationError(
            _(
                "{login!r} cannot be a login: use up to 63 letters, digits and _ . @ -, "
                "not starting with pg_ or agent_assist_."
            ).format(login=login),
            "login",
        )
    return login


def add_user(
    db: Database,
    login: str,
    role: Role | str,
    *,
    partner_code: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
) -> UserInfo:
    """Add ``login`` as a user with ``role`` (or change and enable an existing one)."""
    require(db, Action.MANAGE_USERS)
    login = check_login(login.strip())
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            _("Unknown role {role}; expected one of: {roles}.").format(
                role=role, roles=", ".join(r.value for r in Role)
            ),
            "role",
        ) from None
    if role is Role.PARTNER and not partner_code:
        raise ValidationError(_("A partner's user needs --partner CODE."), "partner")
    if role is not Role.PARTNER and partner_code:
        raise ValidationError(
            _("Only a user with the role partner belongs to a partner."), "partner"
        )
    name = " ".join((display_name or login).split())
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("The name is longer than {limit} characters.").format(limit=NAME_MAX_LENGTH), "name"
        )
    with db.transaction() as session:
        users = Users(session)
        partner_id = None
        if partner_code:
            partner_id = users.partner_id(partner_code)
            if partner_id is None:
                raise NotFoundError(
                    _("There is no partner with the code {code}.").format(code=partner_code)
                )
        if db.dialect == "postgresql":
            _login_role(session, login, role, password)
        user = users.by_login(login)
        if user is None:
            user = User(login=login)
            session.add(user)
        user.display_name = name
        user.role = role
        user.partner_id = partner_id
        user.active = True
        session.flush()
        return UserInfo(login, name, role, partner_code, True)


def _login_role(session: Session, login: str, role: Role, password: str | None) -> None:
    """Create (or re-enable) the login role and make it a member of exactly its group."""
    from psycopg import sql

    conn = session.connection().connection.driver_connection
    assert conn is not None
    ident = sql.Identifier(login)
    exists = Users(session).login_role_exists(login)
    options: list[sql.Composable] = [sql.SQL("LOGIN")]
    if role is Role.ADMIN:
        options.append(sql.SQL("CREATEROLE"))
    if password:
        # Sent as its SCRAM verifier, never as the password itself: the server's
        # statement log cannot show it.
        verifier = conn.pgconn.encrypt_password(
            password.encode(), login.encode(), b"scram-sha-256"
        ).decode()
        options.append(sql.SQL("PASSWORD {}").format(sql.Literal(verifier)))
    verb = sql.SQL("ALTER ROLE") if exists else sql.SQL("CREATE ROLE")
    statements = [sql.SQL("{} {} {}").format(verb, ident, sql.SQL(" ").join(options))]
    for other_role, group in GROUPS.items():
        if other_role is not role:
            statements.append(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
    statements.append(sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUPS[role]), ident))
    cursor = conn.cursor()
    for statement in statements:
        cursor.execute(statement)


def disable_user(db: Database, login: str) -> UserInfo:
    """Disable ``login``: its row stays (entries name it), on the server it can no longer log in."""
    require(db, Action.MANAGE_USERS)
    with db.transaction() as session:
        users = Users(session)
        user = users.by_login(login)
        if user is None:
            raise NotFoundError(_("There is no user {login}.").format(login=login))
        user.active = False
        if db.dialect == "postgresql":
            from psycopg import sql

            if users.login_role_exists(login):
                conn = session.connection().connection.driver_connection
                assert conn is not None
                conn.cursor().execute(
                    sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(login))
                )
        session.flush()
        return _info(users, user)


def list_users(db: Database) -> list[UserInfo]:
    """Every user of the database, by login."""
    require(db, Action.MANAGE_USERS)
    with db.transaction() as session:
        users = Users(session)
        return [_info(users, u) for u in users.all()]


def _info(users: Users, user: User) -> UserInfo:
    code = None
    if user.partner_id is not None:
        code = users.partner_code(user.partner_id)
    return UserInfo(user.login, user.display_name, Role(user.role), code, bool(user.active))
