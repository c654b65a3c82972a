"""Initial schema: all five processes, append-only history.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 22:35:32.047109
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.store.types


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_meta'))
    )
    op.create_table('partners',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('code', name=op.f('uq_partners_code'))
    )
    op.create_table('customers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_no', sa.String(length=32), nullable=False),
    sa.Column('msisdn', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('customer_value', sa.Integer(), nullable=False),
    sa.Column('vip', sa.Boolean(), nullable=False),
    sa.Column('vip_rated', sa.Date(), nullable=True),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('products', sa.JSON(), nullable=False),
    sa.Column('activation_date', sa.Date(), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('customer_value BETWEEN 1 AND 4', name=op.f('ck_customers_customer_value_range')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_customers_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('customer_no', name=op.f('uq_customers_customer_no'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_msisdn'), ['msisdn'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_search_name'), ['search_name'], unique=False)

    op.create_table('mass_incidents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('started_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_mass_incidents_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mass_incidents'))
    )
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('agent', 'partner', 'supervisor', 'admin', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_users_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('login', name=op.f('uq_users_login'))
    )
    op.create_table('bundles',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('bundle_no', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('package_fee', app.store.types.Money(), nullable=True),
    sa.Column('reminders_sent', sa.JSON(), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_bundles_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundles')),
    sa.UniqueConstraint('customer_id', 'bundle_no', name=op.f('uq_bundles_customer_id_bundle_no'))
    )
    with op.batch_alter_table('bundles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundles_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bundles_end_date'), ['end_date'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('process', sa.Enum('fair_use', 'expiry', 'contract', 'onboarding', 'complaint', name='process', native_enum=False, length=32), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=True),
    sa.Column('stage', sa.String(length=40), nullable=True),
    sa.Column('state', sa.Enum('open', 'closed', name='casestate', native_enum=False, length=32), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('script_state', sa.JSON(), nullable=False),
    sa.Column('opened_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('closed_at', app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_cases_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_process'), ['process'], unique=False)

    op.create_table('customer_search_terms',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_search_terms_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'term', name=op.f('pk_customer_search_terms'))
    )
    with op.batch_alter_table('customer_search_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_search_terms_term'), ['term'], unique=False)

    op.create_table('fair_use_records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('exceeded', sa.Boolean(), nullable=False),
    sa.Column('data_mb_used', sa.Integer(), nullable=True),
    sa.Column('limit_mb', sa.Integer(), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_fair_use_records_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_use_records')),
    sa.UniqueConstraint('customer_id', 'month', name=op.f('uq_fair_use_records_customer_id_month'))
    )
    with op.batch_alter_table('fair_use_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fair_use_records_month'), ['month'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('tariff', sa.String(length=100), nullable=False),
    sa.Column('monthly_fee', app.store.types.Money(), nullable=False),
    sa.Column('aio_discount', app.store.types.Money(), nullable=True),
    sa.Column('data_mb', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('activated', sa.Date(), nullable=False),
    sa.Column('last_upgrade_effective', sa.Date(), nullable=True),
    sa.Column('cancelled_effective', sa.Date(), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_subscriptions_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_customer_id'), ['customer_id'], unique=False)

    op.create_table('device_plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_no', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('subscription_id', sa.Uuid(), nullable=True),
    sa.Column('activated', sa.Date(), nullable=False),
    sa.Column('down_payment', app.store.types.Money(), nullable=False),
    sa.Column('financed_amount', app.store.types.Money(), nullable=False),
    sa.Column('instalment', app.store.types.Money(), nullable=False),
    sa.Column('instalments_billed', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'ended', name='deviceplanstatus', native_enum=False, length=32), nullable=False),
    sa.Column('ended', sa.Date(), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_device_plans_customer_id_customers')),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscriptions.id'], name=op.f('fk_device_plans_subscription_id_subscriptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_plans')),
    sa.UniqueConstraint('plan_no', name=op.f('uq_device_plans_plan_no'))
    )
    with op.batch_alter_table('device_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_plans_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_plans_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('history_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('rule_ids', sa.JSON(), nullable=False),
    sa.Column('ruleset_version', sa.String(length=32), nullable=True),
    sa.Column('refers_to', sa.Uuid(), nullable=True),
    sa.Column('origin', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_history_entries_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_history_entries_customer_id_customers')),
    sa.ForeignKeyConstraint(['refers_to'], ['history_entries.id'], name=op.f('fk_history_entries_refers_to_history_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_entries'))
    )
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_entries_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_history_entries_customer_id_created_at_id'), ['customer_id', 'created_at', 'id'], unique=False)

    op.create_table('letters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('document', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('requested', 'issued', name='letterstatus', native_enum=False, length=32), nullable=False),
    sa.Column('requested_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.String(length=32), nullable=True),
    sa.Column('issued_at', app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.Column('pdf_path', sa.String(length=400), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_letters_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_letters_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters'))
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_customer_id'), ['customer_id'], unique=False)

    op.create_table('partner_tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'answered', 'closed', name='ticketstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_partner_tickets_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_partner_tickets_customer_id_customers')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partner_tickets_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_tickets'))
    )
    with op.batch_alter_table('partner_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_tickets_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_tickets_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_tickets_partner_id'), ['partner_id'], unique=False)

    op.create_table('sms_messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('msisdn', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('template_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'exported', name='smsstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('exported_at', app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_sms_messages_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_sms_messages_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages'))
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_status'), ['status'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_at', app.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tasks_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tasks_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_due'), ['due'], unique=False)

    op.create_table('ticket_feedback',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['partner_tickets.id'], name=op.f('fk_ticket_feedback_ticket_id_partner_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_feedback'))
    )
    with op.batch_alter_table('ticket_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_feedback_ticket_id'), ['ticket_id'], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table('ticket_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_feedback_ticket_id'))

    op.drop_table('ticket_feedback')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_due'))
        batch_op.drop_index(batch_op.f('ix_tasks_customer_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_status'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_customer_id'))

    op.drop_table('sms_messages')
    with op.batch_alter_table('partner_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_tickets_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partner_tickets_customer_id'))
        batch_op.drop_index(batch_op.f('ix_partner_tickets_case_id'))

    op.drop_table('partner_tickets')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letters_customer_id'))

    op.drop_table('letters')
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_entries_customer_id_created_at_id'))
        batch_op.drop_index(batch_op.f('ix_history_entries_case_id'))

    op.drop_table('history_entries')
    with op.batch_alter_table('device_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_plans_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_device_plans_customer_id'))

    op.drop_table('device_plans')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_customer_id'))

    op.drop_table('subscriptions')
    with op.batch_alter_table('fair_use_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fair_use_records_month'))

    op.drop_table('fair_use_records')
    with op.batch_alter_table('customer_search_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_search_terms_term'))

    op.drop_table('customer_search_terms')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_process'))
        batch_op.drop_index(batch_op.f('ix_cases_customer_id'))

    op.drop_table('cases')
    with op.batch_alter_table('bundles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundles_end_date'))
        batch_op.drop_index(batch_op.f('ix_bundles_customer_id'))

    op.drop_table('bundles')
    op.drop_table('users')
    op.drop_table('mass_incidents')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_search_name'))
        batch_op.drop_index(batch_op.f('ix_customers_partner_id'))
        batch_op.drop_index(batch_op.f('ix_customers_msisdn'))

    op.drop_table('customers')
    op.drop_table('partners')
    op.drop_table('app_meta')
    # ### end Alembic commands ###


APPEND_ONLY = ("history_entries", "ticket_feedback")


def _create_append_only_triggers() -> None:
    """The database itself refuses to change or delete recorded events."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
            )


def _drop_append_only_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    elif bind.dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS refuse_change()")
