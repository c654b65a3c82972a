"""A history nobody can rewrite: hash chain, guards on every engine, roles on the server.

* History entries get ``chain_seq``, ``prev_hash`` and ``hash`` (see
  :mod:`app.store.chain`); existing entries are chained in the order they
  were recorded (per origin: time, then id).
* SQLite: every append-only table refuses an INSERT over an existing id
  (``REPLACE``, ``INSERT OR REPLACE``, an upsert), UPDATE and DELETE; an SMS
  or a letter is never deleted and, once exported or issued, never changed.
* PostgreSQL: the same row guards plus a TRUNCATE guard; a NOLOGIN owner
  role owns tables, triggers and functions; NOLOGIN group roles per
  application role get only the privileges their role needs (history-like
  tables INSERT and SELECT only, never UPDATE, DELETE, TRUNCATE or DDL); row
  level security, enabled and forced, limits a partner's login to its own
  partner's customers and their records, for reading and for writing.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "agent_assist_owner"
GROUPS = {
    "agent": "agent_assist_agent",
    "partner": "agent_assist_partner",
    "supervisor": "agent_assist_supervisor",
    "admin": "agent_assist_admin",
}

#: Events: rows are only ever added.
APPEND_ONLY = ("history_entries", "ticket_feedback")
#: Sent once: added, then moved on from the first status once; from then on never changed.
SENT_ONCE = {
    # table: (first status, columns an application login may set when it moves on)
    "sms_messages": ("queued", ("status", "exported_at")),
    "letters": (
        "requested",
        ("status", "template_version", "issued_at", "issued_by", "pdf_path", "sha256"),
    ),
}
GUARDED = (*APPEND_ONLY, *SENT_ONCE)

TABLES = (
    "app_meta",
    "partners",
    "users",
    "customers",
    "customer_search_terms",
    "subscriptions",
    "device_plans",
    "bundles",
    "fair_use_records",
    "cases",
    "history_entries",
    "partner_tickets",
    "ticket_feedback",
    "sms_messages",
    "letters",
    "tasks",
    "mass_incidents",
)
#: Tables holding a partner's customers or their records: the column that leads to the partner.
PARTNER_SCOPED = {
    "customers": "partner",
    "partner_tickets": "partner",
    "customer_search_terms": "customer",
    "subscriptions": "customer",
    "device_plans": "customer",
    "bundles": "customer",
    "fair_use_records": "customer",
    "cases": "customer",
    "history_entries": "customer",
    "sms_messages": "customer",
    "letters": "customer",
    "tasks": "customer",
    "ticket_feedback": "ticket",
}
MASTER_DATA = (
    "partners",
    "customers",
    "customer_search_terms",
    "subscriptions",
    "device_plans",
    "bundles",
    "fair_use_records",
    "mass_incidents",
)
WORK = ("cases", "tasks", "partner_tickets")


def upgrade() -> None:
    op.add_column("history_entries", sa.Column("chain_seq", sa.BigInteger(), nullable=True))
    op.add_column("history_entries", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("history_entries", sa.Column("hash", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE history_entries DISABLE TRIGGER history_entries_append_only")
        _backfill(bind)
        op.execute("ALTER TABLE history_entries ENABLE TRIGGER history_entries_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS history_entries_no_update")
        _backfill(bind)
    op.create_index(
        op.f("ix_history_entries_origin_chain_seq"),
        "history_entries",
        ["origin", "chain_seq"],
        unique=True,
    )
    if bind.dialect.name == "sqlite":
        _sqlite_guards()
    elif bind.dialect.name == "postgresql":
        _postgres_guards()
        _postgres_roles()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _drop_sqlite_guards()
    elif bind.dialect.name == "postgresql":
        _drop_postgres_roles()
        _drop_postgres_guards()
    op.drop_index(op.f("ix_history_entries_origin_chain_seq"), table_name="history_entries")
    for column in ("hash", "prev_hash", "chain_seq"):
        op.drop_column("history_entries", column)


# --- the chain of existing entries ----------------------------------------------------


def _backfill(bind: sa.Connection) -> None:
    """Chain the entries already recorded, per origin in the order they were recorded."""
    from app.store.chain import ChainHead

    table = sa.table(
        "history_entries",
        *(sa.column(name, sa.Uuid()) for name in ("id", "customer_id", "case_id", "refers_to")),
        *(
            sa.column(name)
            for name in ("author", "kind", "text", "ruleset_version", "origin", "prev_hash", "hash")
        ),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("payload", sa.JSON()),
        sa.column("rule_ids", sa.JSON()),
        sa.column("chain_seq", sa.BigInteger()),
    )
    uuid_type = sa.Uuid()
    origins = bind.execute(sa.select(table.c.origin).distinct()).scalars().all()
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("b_id", type_=uuid_type))
        .values(
            chain_seq=sa.bindparam("b_seq"),
            prev_hash=sa.bindparam("b_prev"),
            hash=sa.bindparam("b_hash"),
        )
    )
    for origin in origins:
        head = ChainHead()
        same = table.c.origin.is_(None) if origin is None else table.c.origin == origin
        after: tuple[object, object] | None = None
        while True:
            query = sa.select(table).where(same)
            if after is not None:
                query = query.where(sa.tuple_(table.c.created_at, table.c.id) > after)
            rows = bind.execute(query.order_by(table.c.created_at, table.c.id).limit(5000)).all()
            if not rows:
                break
            changes = []
            for row in rows:
                values = dict(row._mapping)
                head.link(values)
                changes.append(
                    {
                        "b_id": values["id"],
                        "b_seq": values["chain_seq"],
                        "b_prev": values["prev_hash"],
                        "b_hash": values["hash"],
                    }
                )
            bind.execute(update, changes)
            after = (rows[-1].created_at, rows[-1].id)


# --- SQLite ------------------------------------------------------------------------


def _raise(table: str) -> str:
    return f"SELECT RAISE(ABORT, '{table} are append-only')"


def _sqlite_guards() -> None:
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN {_raise(table)}; END"
        )
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN {_raise(table)}; END"
        )
    for table in GUARDED:
        # REPLACE and upserts first delete or update the row they replace; a
        # BEFORE INSERT trigger sees the id still there and refuses.
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"BEGIN {_raise(table)}; END"
        )
    for table, (first, _moving) in SENT_ONCE.items():
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN {_raise(table)}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_sent_once BEFORE UPDATE ON {table} "
            f"WHEN OLD.status IS NOT '{first}' "
            f"BEGIN {_raise(table)}; END"
        )


def _drop_sqlite_guards() -> None:
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    for table in SENT_ONCE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_sent_once")


# --- PostgreSQL: guards ---------------------------------------------------------------


def _postgres_guards() -> None:
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
        )
    for table, (first, _moving) in SENT_ONCE.items():
        op.execute(
            f"CREATE FUNCTION {table}_sent_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            f"IF TG_OP = 'DELETE' OR OLD.status IS DISTINCT FROM '{first}' THEN "
            "RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; "
            "END IF; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_sent_once BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_sent_once()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()"
        )


def _drop_postgres_guards() -> None:
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    for table in SENT_ONCE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_sent_once ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_sent_once()")


# --- PostgreSQL: who may do what ------------------------------------------------------


def _create_role(name: str) -> None:
    """A NOLOGIN role, created once per server (roles are cluster-wide)."""
    op.execute(
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} NOLOGIN; "
        "END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
        "END $$"
    )


def _scope(table: str) -> str:
    """The policy expression: who may see and write which rows of ``table``."""
    sees_all = "(SELECT agent_assist_sees_all(current_user::text))"
    own = "(SELECT agent_assist_partner_of(current_user::text))"
    kind = PARTNER_SCOPED[table]
    if kind == "partner":
        return f"{sees_all} OR partner_id = {own}"
    if kind == "customer":
        return f"{sees_all} OR customer_id IN (SELECT id FROM customers WHERE partner_id = {own})"
    return f"{sees_all} OR ticket_id IN (SELECT id FROM partner_tickets WHERE partner_id = {own})"


def _postgres_roles() -> None:
    for role in (OWNER, *GROUPS.values()):
        _create_role(role)
    op.execute(
        "DO $$ BEGIN "
        "IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN "
        f"GRANT {OWNER} TO CURRENT_USER; "
        "END IF; END $$"
    )
    op.execute(
        "DO $$ BEGIN REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
        "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$"
    )
    op.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER}")
    groups = ", ".join(GROUPS.values())
    op.execute(f"GRANT USAGE ON SCHEMA public TO {groups}")

    # Who a login is: SECURITY DEFINER so a policy can read `users` for any login.
    op.execute(
        "CREATE FUNCTION agent_assist_sees_all(login text) RETURNS boolean "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
        "SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = $1 AND u.active "
        "AND u.role <> 'partner') "
        f"OR pg_has_role($1, '{OWNER}', 'MEMBER') $$"
    )
    op.execute(
        "CREATE FUNCTION agent_assist_partner_of(login text) RETURNS uuid "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
        "SELECT u.partner_id FROM users u WHERE u.login = $1 AND u.active "
        "AND u.role = 'partner' $$"
    )
    # Where a chain stands, for every writer: a partner's login, which sees only
    # its own partner's entries, chains its entries onto the same head as all.
    op.execute(
        "CREATE FUNCTION agent_assist_chain_head(chain_origin text) "
        "RETURNS TABLE (head_seq bigint, head_hash text) "
        "LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
        "BEGIN "
        "IF chain_origin IS NULL THEN "
        "RETURN QUERY SELECT h.chain_seq, h.hash::text FROM history_entries h "
        "WHERE h.origin IS NULL AND h.chain_seq IS NOT NULL "
        "ORDER BY h.chain_seq DESC LIMIT 1; "
        "ELSE "
        "RETURN QUERY SELECT h.chain_seq, h.hash::text FROM history_entries h "
        "WHERE h.origin = chain_origin AND h.chain_seq IS NOT NULL "
        "ORDER BY h.chain_seq DESC LIMIT 1; "
        "END IF; END $$"
    )
    functions = (
        "refuse_change()",
        "agent_assist_sees_all(text)",
        "agent_assist_partner_of(text)",
        "agent_assist_chain_head(text)",
        *(f"{table}_sent_once()" for table in SENT_ONCE),
    )
    for function in functions:
        op.execute(f"ALTER FUNCTION {function} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    for function in functions[1:4]:
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {groups}")

    for table in TABLES:
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
        op.execute(f"GRANT SELECT ON {table} TO {groups}")
    # IT's login, a member of the owner role, runs the next upgrades.
    op.execute(f"ALTER TABLE alembic_version OWNER TO {OWNER}")
    op.execute(f"GRANT SELECT ON alembic_version TO {groups}")
    op.execute(f"GRANT INSERT ON app_meta TO {groups}")

    agent, partner = GROUPS["agent"], GROUPS["partner"]
    supervisor, admin = GROUPS["supervisor"], GROUPS["admin"]
    # Agents and supervisors record steps, notes, SMS and letters.
    for role in (agent, supervisor):
        op.execute(f"GRANT INSERT ON history_entries, sms_messages, letters TO {role}")
        for table in (*MASTER_DATA, *WORK):
            if table not in ("partners", "mass_incidents"):
                op.execute(f"GRANT INSERT, UPDATE ON {table} TO {role}")
        op.execute(f"GRANT DELETE ON customer_search_terms TO {role}")
        for table, (_first, moving) in SENT_ONCE.items():
            op.execute(f"GRANT UPDATE ({', '.join(moving)}) ON {table} TO {role}")
    op.execute(f"GRANT INSERT ON mass_incidents TO {supervisor}")
    op.execute(f"GRANT UPDATE (withdrawn_at) ON mass_incidents TO {supervisor}")
    # Partners answer their own partner's tickets.
    op.execute(f"GRANT INSERT ON ticket_feedback, history_entries TO {partner}")
    op.execute(f"GRANT UPDATE (status) ON partner_tickets TO {partner}")
    # Admins manage users and load master data (imports record what they did).
    op.execute(f"GRANT INSERT, UPDATE ON users TO {admin}")
    for table in MASTER_DATA:
        op.execute(f"GRANT INSERT, UPDATE ON {table} TO {admin}")
    op.execute(f"GRANT DELETE ON customer_search_terms TO {admin}")
    op.execute(f"GRANT INSERT ON history_entries TO {admin}")

    for table in PARTNER_SCOPED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        scope = _scope(table)
        op.execute(
            f"CREATE POLICY {table}_partner_scope ON {table} FOR ALL TO PUBLIC "
            f"USING ({scope}) WITH CHECK ({scope})"
        )


def _drop_postgres_roles() -> None:
    """Take back what :func:`_postgres_roles` gave; the roles stay (other databases use them)."""
    groups = ", ".join(GROUPS.values())
    for table in PARTNER_SCOPED:
        op.execute(f"DROP POLICY IF EXISTS {table}_partner_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for table in TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM {groups}")
        op.execute(f"ALTER TABLE {table} OWNER TO CURRENT_USER")
    op.execute(f"REVOKE ALL ON alembic_version FROM {groups}")
    op.execute("ALTER TABLE alembic_version OWNER TO CURRENT_USER")
    op.execute("DROP FUNCTION IF EXISTS agent_assist_sees_all(text)")
    op.execute("DROP FUNCTION IF EXISTS agent_assist_partner_of(text)")
    op.execute("DROP FUNCTION IF EXISTS agent_assist_chain_head(text)")
    op.execute("ALTER FUNCTION refuse_change() OWNER TO CURRENT_USER")
    for table in SENT_ONCE:
        op.execute(f"ALTER FUNCTION {table}_sent_once() OWNER TO CURRENT_USER")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {groups}")
