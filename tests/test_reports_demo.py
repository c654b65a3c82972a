"""End to end on the demo: a partner disagrees with a stage-3 decision on its ticket, and
the Controlling report lists the case with the usage to bill, as the records add it up."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import identity, tickets
from app.services.identity import Identity
from app.services.reports import rows
from app.store.db import Database
from app.store.models import Case, Customer, FairUseRecord, Partner, PartnerTicket, Role
from app.store.repositories import UnitOfWork

REFERENCE = date(2026, 3, 18)


@pytest.fixture(scope="module")
def _demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.services.demo import create_demo, minimum_customers

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo(f"sqlite:///{path}", reference=REFERENCE, customers=minimum_customers())
    return path


@pytest.fixture
def demo(_demo_file: Path, tmp_path: Path):
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(_demo_file, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


def test_a_partner_disagrees_and_controlling_bills_the_overuse(demo: Database) -> None:
    with UnitOfWork(demo) as uow:
        ticket, case, customer, partner = uow.session.execute(
            select(PartnerTicket, Case, Customer, Partner)
            .join(Case, Case.id == PartnerTicket.case_id)
            .join(Customer, Customer.id == PartnerTicket.customer_id)
            .join(Partner, Partner.id == PartnerTicket.partner_id)
            .where(PartnerTicket.kind == "fair_use_decision", PartnerTicket.status == "open")
            .order_by(Customer.customer_no)
        ).first()
        decision = case.facts["decision"]
        month = decision["date"][:7]
        usage = sum(
            r.data_mb_used - r.limit_mb
            for r in uow.session.scalars(
                select(FairUseRecord).where(FairUseRecord.customer_id == customer.id)
            )
            if r.exceeded
            and r.data_mb_used is not None
            and r.limit_mb is not None
            and r.data_mb_used > r.limit_mb
            and month <= r.month <= month
        )
        ticket_id, no, code, subject = ticket.id, customer.customer_no, partner.code, case.subject
        partner_id = partner.id
    supervisor = Identity("chef", "Chefin", Role.SUPERVISOR)
    identity.use(demo, supervisor)
    before = list(rows(demo, "controlling", month, month, REFERENCE))
    assert no not in [row[1] for row in before]

    identity.use(demo, Identity("knu", "KNU", Role.PARTNER, partner_id=partner_id))
    tickets.answer_ticket(demo, ticket_id, "Wir sind nicht einverstanden.", False)

    identity.use(demo, supervisor)
    after = list(rows(demo, "controlling", month, month, REFERENCE))
    assert [row for row in after if row not in before] == [
        (decision["date"], no, code, decision["measure"], usage)
    ]
    assert usage > 0
    # The fair-use report counts the disagreement on the stage-3 row of the case's month.
    stage_3 = [r for r in rows(demo, "fair-use", subject, subject, REFERENCE) if r[1] == 3]
    assert stage_3 and stage_3[0][5] >= 1
