"""What each role may do: MULTIUSER.md's table, in one place.

| may                                   | agent | partner           | supervisor | admin |
|---------------------------------------|-------|-------------------|------------|-------|
| search/open customers                 | all   | own partner's     | all        | all   |
| record steps, notes, SMS, letters     | yes   | ticket answers    | yes        | no    |
| answer partner tickets                | no    | own partner's     | no         | no    |
| history browser, reports, exports     | no    | own tickets report| yes        | yes   |
| manage users                          | no    | no                | no         | yes   |

Every use case calls :func:`require` (and :func:`check_customer` for one
customer's records) before it does anything; a refused action raises
:class:`PermissionDenied` with a translated sentence, which the window shows
and the commands turn into exit code 4. The window also hides what a role
may not do (:func:`allowed`), but the services refuse regardless. The
shared server enforces the same table with its own grants and row level
security (migration 0005).

The database's owner (:mod:`app.services.identity`) may do what an agent
and an admin may.
"""

from __future__ import annotations

import enum
import uuid
from typing import TYPE_CHECKING

from app.i18n import N_, _
from app.services.errors import ServiceError
from app.store.enums import Role

if TYPE_CHECKING:
    from app.services.identity import Identity
    from app.store.db import Database


class Action(enum.StrEnum):
    """Something a user may or may not do."""

    #: Search and open customers (a partner: its own partner's only).
    OPEN_CUSTOMERS = "open_customers"
    #: Record steps, notes, SMS and letters; start a guided process.
    RECORD = "record"
    #: Answer its own partner's tickets.
    ANSWER_TICKETS = "answer_tickets"
    #: Work lists across customers (what is due for whom).
    WORKLISTS = "worklists"
    #: History across customers, reports, exports, checking the hash chains.
    REPORTS = "reports"
    #: Its own partner's tickets report.
    PARTNER_REPORT = "partner_report"
    #: Add, list and disable users.
    MANAGE_USERS = "manage_users"


#: MULTIUSER.md's table: which role may do what.
ALLOWED: dict[Role, frozenset[Action]] = {
    Role.AGENT: frozenset({Action.OPEN_CUSTOMERS, Action.RECORD, Action.WORKLISTS}),
    Role.PARTNER: frozenset({Action.OPEN_CUSTOMERS, Action.ANSWER_TICKETS, Action.PARTNER_REPORT}),
    Role.SUPERVISOR: frozenset(
        {Action.OPEN_CUSTOMERS, Action.RECORD, Action.WORKLISTS, Action.REPORTS}
    ),
    Role.ADMIN: frozenset(
        {Action.OPEN_CUSTOMERS, Action.WORKLISTS, Action.REPORTS, Action.MANAGE_USERS}
    ),
}
#: The owner of a database: an agent and an admin.
OWNER_ALLOWED = ALLOWED[Role.AGENT] | ALLOWED[Role.ADMIN]

#: What a refusal says, per action (translated when raised).
_REFUSALS: dict[Action, str] = {
    Action.OPEN_CUSTOMERS: N_("{who} may not open customers."),
    Action.RECORD: N_("{who} may not record steps, notes, SMS or letters."),
    Action.ANSWER_TICKETS: N_("{who} may not answer partner tickets."),
    Action.WORKLISTS: N_("{who} may not see the work lists across customers."),
    Action.REPORTS: N_("{who} may not see the history across customers, reports or exports."),
    Action.PARTNER_REPORT: N_("{who} may not see a partner's tickets report."),
    Action.MANAGE_USERS: N_("{who} may not manage users; an administrator does that."),
}

ROLE_NAMES: dict[Role, str] = {
    Role.AGENT: N_("agent"),
    Role.PARTNER: N_("partner"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.ADMIN: N_("administrator"),
}


class PermissionDenied(ServiceError):  # noqa: N818 - the name MULTIUSER.md and callers use
    """The current user's role does not allow the action (exit code 4 on the command line)."""

    def __init__(self, message: str, action: Action | None = None) -> None:
        super().__init__(message)
        self.action = action


def role_name(identity: Identity) -> str:
    """The user's role in words, in the UI language (``agent, owner of this file``)."""
    name = _(ROLE_NAMES[identity.role])
    if identity.owner:
        return _("{role}, owner of this database").format(role=name)
    return name


def allowed(identity: Identity, action: Action) -> bool:
    """Whether ``identity`` may do ``action`` at all."""
    if identity.owner:
        return action in OWNER_ALLOWED or action in ALLOWED[identity.role]
    return action in ALLOWED[identity.role]


def _who(identity: Identity) -> str:
    return _("{login} ({role})").format(login=identity.login, role=role_name(identity))


def refuse(identity: Identity, action: Action) -> PermissionDenied:
    """The error saying ``identity`` may not do ``action``."""
    return PermissionDenied(_(_REFUSALS[action]).format(who=_who(identity)), action)


def require(db: Database, action: Action) -> Identity:
    """The current user, when they may do ``action``; :class:`PermissionDenied` otherwise."""
    from app.services.identity import current

    identity = current(db)
    if not allowed(identity, action):
        raise refuse(identity, action)
    return identity


def sees_partner(identity: Identity, partner_id: uuid.UUID | None) -> bool:
    """Whether ``identity`` may see the customers of ``partner_id``."""
    if identity.role is not Role.PARTNER:
        return True
    return identity.partner_id is not None and identity.partner_id == partner_id


def partner_scope(identity: Identity) -> uuid.UUID | None:
    """The partner whose customers alone ``identity`` sees (``None``: every partner's)."""
    if identity.role is Role.PARTNER:
        # A partner's login without a partner sees nobody: an id no partner has.
        return identity.partner_id or uuid.UUID(int=0)
    return None


def check_customer(
    identity: Identity, partner_id: uuid.UUID | None, action: Action = Action.OPEN_CUSTOMERS
) -> None:
    """Refuse unless ``identity`` sees the customers of ``partner_id`` (a partner: its own)."""
    if not sees_partner(identity, partner_id):
        raise PermissionDenied(
            _("{who} may not see customers of another partner.").format(who=_who(identity)),
            action,
        )
