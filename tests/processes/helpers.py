"""What the guide tests share: reading back what a run wrote, and walking a playbook's texts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from app.domain.playbook_schema import Localized
from app.services import runs
from app.store.db import Database
from app.store.models import Case, Customer, HistoryEntry, Partner
from app.store.repositories import UnitOfWork


def rows(db: Database, model: type, case_id: uuid.UUID | None = None, **where: Any) -> list[Any]:
    """The rows of ``model`` of one case (or matching ``where``), detached from the session."""
    if case_id is not None:
        where["case_id"] = case_id
    with UnitOfWork(db) as uow:
        query = select(model).where(*(getattr(model, k) == v for k, v in where.items()))
        found = uow.session.scalars(query).all()
        uow.session.expunge_all()
        return list(found)


def case_row(db: Database, case_id: uuid.UUID) -> Case:
    [case] = rows(db, Case, id=case_id)
    return case


def history(db: Database, case_id: uuid.UUID) -> list[HistoryEntry]:
    """A case's history entries, oldest first."""
    return sorted(rows(db, HistoryEntry, case_id), key=lambda e: (e.created_at, e.id))


def fact(view: runs.RunView, key: str) -> str:
    """A fact of the decision box, as the agent reads it."""
    return next(f.value for f in view.decision if f.key == key)


def localized(node: Any) -> Iterator[Localized]:
    """Every four-language text below ``node`` (a playbook or a part of it)."""
    if isinstance(node, Localized):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from localized(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from localized(value)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from localized(getattr(node, name))


def add_customer(
    uow: UnitOfWork, *, partner: str, country: str, partner_language: str, **fields: Any
) -> Customer:
    """A new partner and one customer of it (unique numbers), flushed so both have ids."""
    owner = Partner(
        code=f"P-{uuid.uuid4().hex[:6]}", name=partner, country=country, language=partner_language
    )
    uow.add(owner)
    uow.flush()
    customer = Customer(customer_no=f"C-{uuid.uuid4().hex[:6]}", partner_id=owner.id, **fields)
    uow.add(customer)
    uow.flush()
    return customer
