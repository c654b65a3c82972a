"""Branch offices: an outbox on the replica, a change log and alarms on the server.

Both engines get the four tables of :mod:`app.store.sync_tables`; each side
uses its own:

* SQLite (a branch replica): triggers put every row this desktop records
  (history entries, ticket answers, SMS, letters, cases, tickets, tasks) into
  ``sync_outbox`` in the same transaction, and every change of the mutable
  ones (an SMS exported, a letter issued, a case advanced, a ticket answered, a
  task done) again. They fire only on a branch (``app_meta`` holds
  ``sync_server``) and never for what the sync itself writes while pulling
  (``app_meta`` holds ``sync_applying`` inside that transaction only). The
  append-only tables' delete guards let that transaction remove a row that
  left the branch's scope on the server; nothing else may.
* PostgreSQL (the shared server): statement triggers with transition tables
  append every added, changed or deleted row of the synced tables to
  ``sync_changes`` with the writing transaction's id, through a SECURITY
  DEFINER function owned by the owner role, and note the transaction in
  ``sync_commits``. A deferred constraint trigger numbers it there when it
  commits, under an advisory lock held until the commit is visible, so the
  numbers follow the commit order: a reader that sees number *n* sees every
  lower one (a transaction that started early and commits late gets a late
  number and is never skipped). Application logins may read the log (ids
  only: the rows themselves stay behind row level security) and add alarms
  (ids and hashes only) for a supervisor to look at.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER = "agent_assist_owner"
GROUPS = (
    "agent_assist_agent",
    "agent_assist_partner",
    "agent_assist_supervisor",
    "agent_assist_admin",
)

#: Rows a desktop records (SQLite outbox, on insert).
RECORDED = (
    "cases",
    "partner_tickets",
    "tasks",
    "history_entries",
    "ticket_feedback",
    "sms_messages",
    "letters",
)
#: Of those, the ones that move on after they were recorded (SQLite outbox, on update).
MUTABLE = ("cases", "partner_tickets", "tasks", "sms_messages", "letters")
#: Append-only tables whose delete guard the pulling sync may pass.
GUARDED = ("history_entries", "ticket_feedback", "sms_messages", "letters")
#: Server tables the branches pull, with the column that names the row in the change log.
SYNCED = {
    "partners": "id",
    "users": "id",
    "customers": "id",
    "customer_search_terms": "customer_id",
    "subscriptions": "id",
    "device_plans": "id",
    "bundles": "id",
    "fair_use_records": "id",
    "mass_incidents": "id",
    "cases": "id",
    "partner_tickets": "id",
    "tasks": "id",
    "history_entries": "id",
    "ticket_feedback": "id",
    "sms_messages": "id",
    "letters": "id",
}

_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ON_BRANCH = (
    "EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync_server') "
    "AND NOT EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync_applying')"
)


def upgrade() -> None:
    _create_tables()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_outbox()
    elif bind.dialect.name == "postgresql":
        _postgres_change_log()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _drop_sqlite_outbox()
    elif bind.dialect.name == "postgresql":
        _drop_postgres_change_log()
    op.drop_table("sync_alarms")
    op.drop_index("ix_sync_commits_commit_seq", table_name="sync_commits")
    op.drop_table("sync_commits")
    op.drop_index("ix_sync_changes_txid_seq", table_name="sync_changes")
    op.drop_table("sync_changes")
    op.drop_index("ix_sync_outbox_row_id", table_name="sync_outbox")
    op.drop_index("ix_sync_outbox_state_seq", table_name="sync_outbox")
    op.drop_table("sync_outbox")


def _create_tables() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("seq", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_outbox")),
    )
    op.create_index("ix_sync_outbox_state_seq", "sync_outbox", ["state", "seq"])
    op.create_index("ix_sync_outbox_row_id", "sync_outbox", ["row_id"])
    op.create_table(
        "sync_changes",
        sa.Column("seq", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_changes")),
    )
    op.create_index("ix_sync_changes_txid_seq", "sync_changes", ["txid", "seq"])
    op.create_table(
        "sync_commits",
        sa.Column("txid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("commit_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("txid", name=op.f("pk_sync_commits")),
    )
    op.create_index("ix_sync_commits_commit_seq", "sync_commits", ["commit_seq"])
    op.create_table(
        "sync_alarms",
        sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("server_hash", sa.String(length=64), nullable=True),
        sa.Column("client_hash", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_alarms")),
    )


# --- SQLite: the outbox ------------------------------------------------------------------


def _guard_message(table: str) -> str:
    return f"SELECT RAISE(ABORT, '{table} are append-only')"


def _sqlite_outbox() -> None:
    for table in RECORDED:
        events = ("INSERT", "UPDATE") if table in MUTABLE else ("INSERT",)
        for event in events:
            op.execute(
                f"CREATE TRIGGER sync_outbox_{table}_{event.lower()} AFTER {event} ON {table} "
                f"WHEN {_ON_BRANCH} "
                "BEGIN INSERT INTO sync_outbox (table_name, row_id, state, attempts) "
                f"VALUES ('{table}', NEW.id, 'pending', 0); END"
            )
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "WHEN NOT EXISTS (SELECT 1 FROM app_meta WHERE key = 'sync_applying') "
            f"BEGIN {_guard_message(table)}; END"
        )


def _drop_sqlite_outbox() -> None:
    for table in RECORDED:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_outbox_{table}_{event}")
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN {_guard_message(table)}; END"
        )


# --- PostgreSQL: the change log ------------------------------------------------------------

_FUNCTIONS = {
    # function: (transition table, deleted)
    "sync_log_added": ("added", "false"),
    "sync_log_changed": ("changed", "false"),
    "sync_log_removed": ("removed", "true"),
}
_EVENTS = {"sync_log_added": "INSERT", "sync_log_changed": "UPDATE", "sync_log_removed": "DELETE"}


def _postgres_change_log() -> None:
    op.execute(
        "ALTER TABLE sync_changes ALTER COLUMN txid "
        "SET DEFAULT (pg_current_xact_id()::text::bigint)"
    )
    op.execute("CREATE SEQUENCE sync_commit_seq OWNED BY sync_commits.commit_seq")
    op.execute(
        "CREATE FUNCTION sync_number_commit() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = public, pg_temp AS $$ BEGIN "
        # One lock for every numbering: held until this commit is visible.
        "PERFORM pg_advisory_xact_lock(hashtext('agent-assist sync commit order')); "
        "UPDATE sync_commits SET commit_seq = nextval('sync_commit_seq') WHERE txid = NEW.txid; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER sync_number_commit AFTER INSERT ON sync_commits "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION sync_number_commit()"
    )
    for function, (rows, deleted) in _FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = public, pg_temp AS $$ "
            "DECLARE added bigint; BEGIN "
            "EXECUTE format('INSERT INTO sync_changes (table_name, row_id, deleted) "
            f"SELECT DISTINCT %L, %I, {deleted} FROM {rows}', TG_TABLE_NAME, TG_ARGV[0]); "
            "GET DIAGNOSTICS added = ROW_COUNT; "
            "IF added > 0 THEN "
            "INSERT INTO sync_commits (txid) VALUES (pg_current_xact_id()::text::bigint) "
            "ON CONFLICT DO NOTHING; "
            "END IF; "
            "RETURN NULL; END $$"
        )
    for function in (*_FUNCTIONS, "sync_number_commit"):
        op.execute(f"ALTER FUNCTION {function}() OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
    for table, column in SYNCED.items():
        for function, (rows, _deleted) in _FUNCTIONS.items():
            event = _EVENTS[function]
            which = "OLD" if event == "DELETE" else "NEW"
            op.execute(
                f"CREATE TRIGGER {function}_{table} AFTER {event} ON {table} "
                f"REFERENCING {which} TABLE AS {rows} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {function}('{column}')"
            )
    groups = ", ".join(GROUPS)
    for table in ("sync_outbox", "sync_changes", "sync_commits", "sync_alarms"):
        op.execute(f"ALTER TABLE {table} OWNER TO {OWNER}")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")
    op.execute(f"GRANT SELECT ON sync_changes, sync_commits TO {groups}")
    # Alarms hold ids and hashes only: every login may add one and see whether it is known.
    op.execute(f"GRANT SELECT, INSERT ON sync_alarms TO {groups}")
    op.execute(f"GRANT USAGE ON SEQUENCE sync_alarms_id_seq TO {groups}")


def _drop_postgres_change_log() -> None:
    for table in SYNCED:
        for function in _FUNCTIONS:
            op.execute(f"DROP TRIGGER IF EXISTS {function}_{table} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS sync_number_commit ON sync_commits")
    for function in (*_FUNCTIONS, "sync_number_commit"):
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
