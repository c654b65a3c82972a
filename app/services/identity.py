"""Who is working: the current user of a database, as MULTIUSER.md fixes it.

* On the shared PostgreSQL server a user **is** their login role
  (``current_user``); nothing a client sends can claim another identity.
* On a SQLite file (a desktop, a branch) the user is the operating-system
  login (``AGENT_ASSIST_USER`` overrides it, for tests and shared kiosks).

Either login is mapped to an active row of ``users`` (display name, role,
partner). Two logins need no row:

* the **owner** of the database: on PostgreSQL a superuser or a member of
  ``agent_assist_owner`` (IT's login, which owns the schema and could do
  anything in SQL anyway); on SQLite the login that first opened the file
  (kept in ``app_meta`` as ``owner_login``; a login that already has a
  users row never becomes the owner by opening the file first: a
  desktop's file is its user's own). The owner may do what an agent and
  an admin may: record the work and add the other users of the file. A
  users row of the owner's login takes precedence.
* nobody else: an unknown login gets :class:`UnknownUserError`, whose
  message names the login and how an administrator adds it.

The identity is resolved once per :class:`~app.store.db.Database` and kept
for its lifetime; :func:`use` sets it explicitly (a test logging in).
"""

from __future__ import annotations

import getpass
import os
import threading
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.i18n import _
from app.services.errors import ServiceError
from app.store.models import Role

if TYPE_CHECKING:
    from app.store.db import Database

#: Overrides the operating-system login on a SQLite file (tests, shared kiosks).
ENV_USER = "AGENT_ASSIST_USER"
#: The ``app_meta`` key naming the login a SQLite file belongs to.
OWNER_KEY = "owner_login"
#: The NOLOGIN role that owns the shared schema (migration 0005).
OWNER_ROLE = "agent_assist_owner"


class UnknownUserError(ServiceError):
    """The login is not (or no longer) a user of this database."""

    def __init__(self, message: str, login: str) -> None:
        super().__init__(message)
        self.login = login


@dataclass(frozen=True)
class Identity:
    """The user working on a database."""

    login: str
    display_name: str
    role: Role
    partner_id: uuid.UUID | None = None
    partner_code: str | None = None
    #: The database's owner (see the module's documentation): agent and admin.
    owner: bool = False
    #: Whether a ``users`` row describes this user (the owner may have none).
    registered: bool = True

    @property
    def label(self) -> str:
        """``Display Name (login)``, or the login alone when both are the same."""
        if self.display_name and self.display_name != self.login:
            return f"{self.display_name} ({self.login})"
        return self.login


_IDENTITIES: weakref.WeakKeyDictionary[Database, Identity] = weakref.WeakKeyDictionary()
#: Background workers ask at the same moment (a search and opening a customer).
_RESOLVING = threading.Lock()


def os_login() -> str:
    """The login on a SQLite file: ``AGENT_ASSIST_USER``, else the operating system's."""
    override = os.environ.get(ENV_USER, "").strip()
    if override:
        return override
    try:
        return getpass.getuser()
    except Exception:  # no login name at all (a stripped container): one fixed name
        return "agent"


def current(db: Database) -> Identity:
    """Who is working on ``db`` (resolved once per database object)."""
    found = _IDENTITIES.get(db)
    if found is None:
        with _RESOLVING:
            found = _IDENTITIES.get(db)
            if found is None:
                found = resolve(db)
                _IDENTITIES[db] = found
    return found


def use(db: Database, identity: Identity) -> None:
    """Work on ``db`` as ``identity`` (a desktop's login, a test logging in)."""
    _IDENTITIES[db] = identity


def forget(db: Database) -> None:
    """Resolve the identity on ``db`` again at its next use."""
    _IDENTITIES.pop(db, None)


def resolve(db: Database) -> Identity:
    """The identity of the login ``db`` works as; :class:`UnknownUserError` if it has none."""
    from sqlalchemy.exc import IntegrityError

    try:
        return _resolve(db)
    except IntegrityError:
        # Another process opened the new file first and became its owner: read that.
        return _resolve(db)


def _resolve(db: Database) -> Identity:
    from app.store.models import AppMeta
    from app.store.repositories_users import Users

    with db.transaction() as session:
        users = Users(session)
        row: AppMeta | None = None
        if db.dialect == "postgresql":
            login = users.server_login()
            owner = users.server_owner(OWNER_ROLE)
        else:
            login = os_login()
            row = users.meta(OWNER_KEY)
            owner = row is not None and row.value == login
        user = users.by_login(login)
        if db.dialect != "postgresql" and row is None and user is None:
            # The first login without a users row to open the file owns it.
            session.add(AppMeta(key=OWNER_KEY, value=login))
            owner = True
        if user is not None and user.active:
            code = None
            if user.partner_id is not None:
                code = users.partner_code(user.partner_id)
            return Identity(
                login=user.login,
                display_name=user.display_name,
                role=Role(user.role),
                partner_id=user.partner_id,
                partner_code=code,
                owner=owner and user.role is not Role.PARTNER,
            )
        if user is not None:
            raise UnknownUserError(
                _(
                    "The login {login} has been disabled in this database. An administrator "
                    "enables it again with: agent-assist users add {login} --role ROLE"
                ).format(login=login),
                login,
            )
        if owner:
            return Identity(
                login=login, display_name=login, role=Role.AGENT, owner=True, registered=False
            )
    raise UnknownUserError(
        _(
            "The login {login} is not a user of this database. An administrator adds it "
            "with: agent-assist users add {login} --role agent|partner|supervisor|admin"
        ).format(login=login),
        login,
    )


def author(db: Database) -> str:
    """Who history entries, ticket answers and letters record as having done it.

    The login of every user with a ``users`` row and of every login on the
    shared server, so no setting can claim another name. The owner of a
    desktop file without a row of their own signs with the agent name of
    the settings (the operating-system login when none is set), as before
    there were users.
    """
    from app.config import current_user_name

    who = current(db)
    if not who.registered:
        return current_user_name()[:64]
    return who.login


def signature(db: Database, given: str | None = None) -> str:
    """The author to record: the user's login, or ``given`` for a desktop's owner without a row.

    A registered user (and every login on the shared server) always signs
    with their own login, whatever a caller passes; the owner of a desktop
    file may sign with the agent name they chose (``given``, else the
    settings').
    """
    who = current(db)
    if who.registered:
        return who.login
    return (given or "").strip() or author(db)
