"""A partner's login searches its own customers inside the indexed query: it gets its 50
best matches even when every other partner's customers sort before them."""

from __future__ import annotations

import pytest

from app.store.db import Database
from app.store.models import Partner
from app.store.repositories import UnitOfWork
from tests.test_todo import Seed


@pytest.fixture
def two_partners(db: Database) -> tuple[Seed, list[str]]:
    seed = Seed(db)
    for n in range(60):  # the first partner's customers come first in every branch
        seed.customer(f"C-1{n:04d}", name=f"Anna Aebi{n:02d}")
    with UnitOfWork(db) as uow:
        other = Partner(code="KNU-O", name="Other AG", country="CH", language="de")
        uow.add(other)
        uow.commit()
        seed.partner_id = other.id
    own = [f"C-2{n:04d}" for n in range(3)]
    for n, no in enumerate(own):
        seed.customer(no, name=f"Anna Zeller{n}")
    return seed, own


@pytest.mark.parametrize("query", ["anna", "C-", "079"])
def test_a_partner_gets_its_own_matches_behind_everyone_elses(
    db: Database, two_partners: tuple[Seed, list[str]], query: str
) -> None:
    seed, own = two_partners
    with UnitOfWork(db) as uow:
        everyone = uow.customers.search(query, ("CH",), limit=50)
        assert len(everyone) == 50 and not {c.customer_no for c in everyone} & set(own)
        mine = uow.customers.search(query, ("CH",), limit=50, partner=seed.partner_id)
        assert [c.customer_no for c in mine] == own
        assert all(c.partner_id == seed.partner_id for c in mine)
