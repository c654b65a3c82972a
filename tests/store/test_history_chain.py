"""Tamper evidence: every history entry is a link of its installation's hash chain.

On both engines: entries written through the ORM, ORM bulk inserts and the
demo are chained; ``history verify`` passes on them and names the entry when
someone removed the guards and changed, removed or re-hashed an entry.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from app.cli import main
from app.store import chain
from app.store.db import Database, current_revision, downgrade, head_revision, upgrade
from app.store.models import Customer, HistoryEntry, Partner
from app.store.repositories import UnitOfWork

ORIGIN = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def _customer(db: Database) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        partner = Partner(code="KNU-NW", name="Kabelnetz Nordwest AG")
        uow.add(partner)
        uow.flush()
        customer = Customer(
            customer_no="C-10001",
            msisdn="+41791234567",
            name="Hans Müller",
            language="de",
            partner_id=partner.id,
        )
        uow.add(customer)
        uow.commit()
        return customer.id


def _write(db: Database, customer_id: uuid.UUID, n: int, origin: str | None = ORIGIN) -> list:
    """``n`` notes, each in its own unit of work (as agents write them); their ids."""
    ids = []
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    for i in range(n):
        with UnitOfWork(db) as uow:
            entry = uow.history.append(
                HistoryEntry(
                    customer_id=customer_id,
                    author="m.keller",
                    kind="note",
                    text=f"Kunde informiert «{i}» 王芳",
                    payload={"i": i, "b": [1.5, None, True], "a": {"z": 1, "y": "ü"}},
                    rule_ids=["FU-3"] if i % 2 else [],
                    created_at=start + timedelta(minutes=i),
                    origin=origin,
                )
            )
            uow.commit()
            ids.append(entry.id)
    return ids


def _verify_cli(db: Database, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["history", "verify", "--json", "--db", db.url])
    return code, json.loads(capsys.readouterr().out)


def _tamper(db: Database, *statements: str) -> None:
    """Run ``statements`` with the guards lifted, as someone with the file or superuser would."""
    with db.engine.begin() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS history_entries_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS history_entries_no_delete")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in statements:
            conn.execute(text(statement))


def _uid(db: Database, entry_id: uuid.UUID) -> str:
    return f"'{entry_id}'" if db.dialect == "postgresql" else f"'{entry_id.hex}'"


def test_entries_form_one_chain_per_origin(db: Database) -> None:
    customer_id = _customer(db)
    ids = _write(db, customer_id, 4)
    _write(db, customer_id, 2, origin="branch-zurich")
    _write(db, customer_id, 2, origin=None)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(HistoryEntry.id, HistoryEntry.chain_seq, HistoryEntry.prev_hash)
            .where(HistoryEntry.origin == ORIGIN)
            .order_by(HistoryEntry.chain_seq)
        ).all()
        report = chain.verify(conn)
    assert [r.id for r in rows] == ids
    assert [r.chain_seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == chain.GENESIS
    assert report.ok and report.chains == 3 and report.entries == 8


def test_the_canonical_form_is_the_documented_one() -> None:
    entry = {
        "id": uuid.UUID(int=1),
        "customer_id": uuid.UUID(int=2),
        "case_id": None,
        "author": "m.keller",
        "created_at": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        "kind": "note",
        "text": "Grüezi 王芳",
        "payload": {"b": 1, "a": [1, 2]},
        "rule_ids": [],
        "ruleset_version": None,
        "refers_to": None,
        "origin": "o",
        "chain_seq": 1,
    }
    assert (
        chain.canonical(entry)
        == (
            '{"author":"m.keller","case_id":null,"chain_seq":1,'
            '"created_at":"2026-03-01T10:00:00.000000Z",'
            '"customer_id":"00000000000000000000000000000002",'
            '"id":"00000000000000000000000000000001","kind":"note","origin":"o",'
            '"payload":{"a":[1,2],"b":1},"refers_to":null,"rule_ids":[],'
            '"ruleset_version":null,"text":"Grüezi 王芳"}'
        ).encode()
    )
    assert len(chain.entry_hash(entry, chain.GENESIS)) == 64


def test_bulk_inserts_through_the_orm_are_chained_too(db: Database) -> None:
    customer_id = _customer(db)
    _write(db, customer_id, 2)
    rows = [
        {"customer_id": customer_id, "author": "import", "kind": "import", "text": f"e {i}"}
        for i in range(50)
    ] + [
        {
            "customer_id": customer_id,
            "author": "a",
            "kind": "note",
            "text": "x",
            "origin": ORIGIN,
        }
    ]
    with UnitOfWork(db) as uow:
        uow.session.execute(insert(HistoryEntry), rows)
        uow.commit()
    report = chain.verify_database(db)
    assert report.ok, report.reasons
    assert report.entries == 53


def test_verify_passes_on_untouched_history(db: Database, capsys) -> None:
    _write(db, _customer(db), 5)
    assert _verify_cli(db, capsys) == (
        0,
        {"chains": 1, "entries": 5, "ok": True, "first_bad": None},
    )
    assert main(["history", "verify", "--db", db.url]) == 0
    assert "every entry matches" in capsys.readouterr().out


def test_an_entry_changed_behind_the_guards_is_named(db: Database, capsys) -> None:
    ids = _write(db, _customer(db), 6)
    _tamper(db, f"UPDATE history_entries SET text = 'rewritten' WHERE id = {_uid(db, ids[2])}")
    code, result = _verify_cli(db, capsys)
    assert code == 1
    assert result == {"chains": 1, "entries": 6, "ok": False, "first_bad": str(ids[2])}
    assert main(["history", "verify", "--db", db.url]) == 1
    assert str(ids[2]) in capsys.readouterr().out


def test_an_entry_removed_from_the_middle_is_found_at_the_next(db: Database, capsys) -> None:
    ids = _write(db, _customer(db), 6)
    _tamper(db, f"DELETE FROM history_entries WHERE id = {_uid(db, ids[3])}")
    code, result = _verify_cli(db, capsys)
    assert (code, result["ok"], result["first_bad"]) == (1, False, str(ids[4]))
    assert result["entries"] == 5


def test_an_entry_changed_and_re_hashed_is_named(db: Database, capsys) -> None:
    """The attacker re-computes the changed entry's hash, but not the next one's link."""
    customer_id = _customer(db)
    ids = _write(db, customer_id, 6)
    with UnitOfWork(db) as uow:
        entry = uow.session.get(HistoryEntry, ids[1])
        assert entry is not None
        values = {name: getattr(entry, name) for name in (*chain.FIELDS, "prev_hash")}
    values["text"] = "the customer agreed"
    forged = chain.entry_hash(values, values["prev_hash"])
    _tamper(
        db,
        f"UPDATE history_entries SET text = 'the customer agreed', hash = '{forged}' "
        f"WHERE id = {_uid(db, ids[1])}",
    )
    code, result = _verify_cli(db, capsys)
    assert (code, result["first_bad"]) == (1, str(ids[1]))


def test_the_first_bad_entry_of_several_chains_is_the_earliest(db: Database) -> None:
    customer_id = _customer(db)
    late = _write(db, customer_id, 3, origin="late")
    early = _write(db, customer_id, 3, origin="early")
    _tamper(
        db,
        f"UPDATE history_entries SET author = 'x' WHERE id IN ({_uid(db, late[0])}, "
        f"{_uid(db, early[2])})",
    )
    report = chain.verify_database(db)
    assert set(report.broken.values()) == {late[0], early[2]}
    # Both chains were written with the same times: the earliest recorded is named.
    assert report.first_bad == late[0]


def test_concurrent_writers_never_fork_a_chain(pg_db: Database) -> None:
    customer_id = _customer(pg_db)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(15):
                with UnitOfWork(pg_db) as uow:
                    uow.history.append(
                        HistoryEntry(
                            customer_id=customer_id,
                            author="a",
                            kind="note",
                            text=str(i),
                            origin=ORIGIN,
                        )
                    )
                    uow.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = chain.verify_database(pg_db)
    assert report.ok and report.entries == 60


def test_the_migration_chains_existing_entries(db: Database) -> None:
    """A database from before the chain gets its entries chained, oldest first."""
    customer_id = _customer(db)
    downgrade(db.engine, "0004")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        for i in reversed(range(30)):  # written in another order than recorded
            conn.execute(
                text(
                    "INSERT INTO history_entries (id, customer_id, author, created_at, kind, "
                    "text, payload, rule_ids, origin) VALUES (:id, :customer_id, 'a', :at, "
                    "'note', :text, '{\"i\": 1}', '[]', :origin)"
                ),
                {
                    "id": uuid.uuid4() if db.dialect == "postgresql" else uuid.uuid4().hex,
                    "customer_id": customer_id if db.dialect == "postgresql" else customer_id.hex,
                    "at": start + timedelta(hours=i)
                    if db.dialect == "postgresql"
                    else (start + timedelta(hours=i)).replace(tzinfo=None).isoformat(" "),
                    "text": f"entry {i}",
                    "origin": None if i % 3 == 0 else ORIGIN,
                },
            )
    upgrade(db.engine, "head")
    assert current_revision(db.engine) == head_revision()
    report = chain.verify_database(db)
    assert report.ok, report.reasons
    assert (report.chains, report.entries) == (2, 30)
    with db.engine.connect() as conn:
        texts = conn.execute(
            select(HistoryEntry.text)
            .where(HistoryEntry.origin == ORIGIN)
            .order_by(HistoryEntry.chain_seq)
        ).scalars()
        assert [int(t.split()[1]) for t in texts] == [i for i in range(30) if i % 3]
    _write(db, customer_id, 2)  # the next entries continue the chain
    assert chain.verify_database(db).ok


def test_a_fresh_demo_database_verifies(tmp_path, capsys) -> None:
    from app.services.demo.service import create_demo, minimum_customers

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    create_demo(url, customers=minimum_customers())
    assert main(["history", "verify", "--json", "--db", url]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] and result["chains"] == 1 and result["entries"] > 100


def test_verify_walks_long_chains_in_batches(db: Database, monkeypatch) -> None:
    """Bounded memory: a chain is read a batch at a time, and checked across the seams."""
    monkeypatch.setattr(chain, "BATCH", 4)
    ids = _write(db, _customer(db), 11)
    assert chain.verify_database(db).as_json()["entries"] == 11
    _tamper(db, f"UPDATE history_entries SET kind = 'x' WHERE id = {_uid(db, ids[8])}")
    assert chain.verify_database(db).first_bad == ids[8]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def test_whatever_an_entry_holds_reads_back_with_the_same_hash(db: Database) -> None:
    """The hash written is the hash read: texts, payloads and times of any shape."""
    customer_id = _customer(db)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        text_=st.text(max_size=60).filter(lambda t: "\x00" not in t),
        payload=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4),
        rule_ids=st.lists(st.text(max_size=6), max_size=3),
        moment=st.datetimes(
            min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
        ),
    )
    def write(text_: str, payload: dict, rule_ids: list[str], moment: datetime) -> None:
        with UnitOfWork(db) as uow:
            uow.history.append(
                HistoryEntry(
                    customer_id=customer_id,
                    author="a",
                    kind="note",
                    text=text_,
                    payload=payload,
                    rule_ids=rule_ids,
                    created_at=moment,
                    origin=ORIGIN,
                )
            )
            uow.commit()

    write()
    report = chain.verify_database(db)
    assert report.ok, report.reasons
