"""Repository methods the commands ask, on both engines: what each answers."""

from __future__ import annotations

from app.store.db import Database
from app.store.models import Customer, HistoryEntry, Partner
from app.store.repositories import UnitOfWork


def _customer(uow: UnitOfWork, no: str, partner: Partner) -> Customer:
    customer = Customer(
        customer_no=no, msisdn=f"+41795550{no[-3:]}", name=no, language="de", partner=partner
    )
    uow.add(customer)
    uow.flush()
    return customer


def test_customers_any_says_whether_there_is_a_customer(db: Database) -> None:
    with UnitOfWork(db) as uow:
        assert uow.customers.any() is False
        _customer(uow, "C-001", Partner(code="KNU-A", name="A"))
        assert uow.customers.any() is True


def test_chain_links_are_the_customers_entries_origin_and_hash(db: Database) -> None:
    with UnitOfWork(db) as uow:
        partner = Partner(code="KNU-A", name="A")
        mine, other = _customer(uow, "C-001", partner), _customer(uow, "C-002", partner)
        entries = [
            uow.history.append(
                HistoryEntry(customer_id=c.id, author="a", kind="note", text=t, origin="desk-1")
            )
            for c, t in ((mine, "one"), (mine, "two"), (other, "three"))
        ]
        uow.commit()
    with UnitOfWork(db) as uow:
        links = uow.history.chain_links(mine.id)
        assert uow.history.chain_links(other.id).keys() == {entries[2].id}
        stored = {e.id: (e.origin, e.hash) for e in uow.history.page(mine.id)}
    assert links.keys() == {entries[0].id, entries[1].id}
    assert links == stored
    assert {origin for origin, _hash in links.values()} == {"desk-1"}
    assert all(len(hash_ or "") == 64 for _origin, hash_ in links.values())
