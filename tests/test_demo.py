"""The demo database: deterministic, complete for every process, safe to reset."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import MetaData, create_engine, select

from app.cli import main
from app.config import demo_db_url
from app.services.demo import (
    DEMO_MARK_KEY,
    NotADemoDatabaseError,
    create_demo,
    ensure_demo_database,
    inspect_target,
)
from app.services.demo.processes import STAGES
from app.store.db import Database
from app.store.models import Base, Customer, Partner
from app.store.repositories import UnitOfWork

REFERENCE = date(2026, 3, 15)
SMALL = 40


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the schema's and Alembic's), as Python values, sorted."""
    engine = create_engine(url)
    try:
        tables = list(Base.metadata.sorted_tables)
        reflected = MetaData()
        reflected.reflect(engine, only=["alembic_version"])
        tables.append(reflected.tables["alembic_version"])
        out: dict[str, list[tuple[Any, ...]]] = {}
        with engine.connect() as conn:
            for table in tables:
                rows = [tuple(row) for row in conn.execute(select(table))]
                out[table.name] = sorted(rows, key=repr)
        return out
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One demo database (300 customers) shared by the read-only tests."""
    url = _url(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    summary = create_demo(url, seed=7, reference=REFERENCE)
    assert summary.count("customers") == 300
    return url


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql(sql))
    finally:
        engine.dispose()


def test_same_seed_and_date_give_identical_databases(tmp_path: Path) -> None:
    first, second, other = (_url(tmp_path / f"{n}.sqlite3") for n in ("a", "b", "c"))
    create_demo(first, seed=11, reference=REFERENCE, customers=SMALL)
    create_demo(second, seed=11, reference=REFERENCE, customers=SMALL)
    create_demo(other, seed=12, reference=REFERENCE, customers=SMALL)
    a, b, c = dump(first), dump(second), dump(other)
    assert sum(len(rows) for rows in a.values()) > 10_000
    assert a == b
    assert a["customers"] != c["customers"]


def test_dates_follow_the_reference_date(tmp_path: Path) -> None:
    url = _url(tmp_path / "d.sqlite3")
    create_demo(url, seed=11, reference=date(2031, 7, 2), customers=SMALL)
    months = {m for (m,) in _rows(url, "SELECT DISTINCT month FROM fair_use_records")}
    assert months == {"2031-04", "2031-05", "2031-06", "2031-07"}
    (latest,) = _rows(url, "SELECT max(created_at) FROM history_entries")[0]
    assert latest.startswith("2031-07-02")
    mark = json.loads(_rows(url, f"SELECT value FROM app_meta WHERE key = '{DEMO_MARK_KEY}'")[0][0])
    assert mark == {"seed": 11, "date": "2031-07-02", "customers": SMALL}


def test_every_process_has_cases_in_every_stage(demo_url: str) -> None:
    found: dict[str, set[str]] = {}
    for process, stage in _rows(demo_url, "SELECT DISTINCT process, stage FROM cases"):
        found.setdefault(process, set()).add(stage)
    for process, stages in STAGES.items():
        assert set(stages) <= found.get(process, set()), process
    states = _rows(demo_url, "SELECT DISTINCT process, state FROM cases")
    assert {(p, "open") for p in STAGES} <= set(states)


def _fair_use_stage(months: dict[str, bool], current: str) -> int:
    """Consecutive exceeded months ending with ``current`` (a missing month is within)."""
    year, month = map(int, current.split("-"))
    count = 0
    while months.get(f"{year:04d}-{month:02d}") and count < 3:
        count += 1
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return count


def test_fair_use_records_give_every_stage_this_month(demo_url: str) -> None:
    records: dict[str, dict[str, bool]] = {}
    for no, month, exceeded in _rows(
        demo_url,
        "SELECT c.customer_no, f.month, f.exceeded FROM fair_use_records f "
        "JOIN customers c ON c.id = f.customer_id",
    ):
        records.setdefault(no, {})[month] = bool(exceeded)
    stages = {no: _fair_use_stage(months, "2026-03") for no, months in records.items()}
    assert set(stages.values()) == {0, 1, 2, 3}
    # A month within the limits resets the count.
    gaps = [no for no, m in records.items() if m.get("2026-01") and not m.get("2026-02")]
    assert any(stages[no] == 1 and records[no].get("2025-12") for no in gaps)
    # A stage-3 customer with Mobile-TV and combo, whose case says termination is not allowed.
    protected = _rows(
        demo_url,
        "SELECT c.customer_no, c.products, k.facts FROM cases k "
        "JOIN customers c ON c.id = k.customer_id "
        "WHERE k.process = 'fair_use' AND k.stage = '3' AND k.state = 'open'",
    )
    assert any(
        {"mobile_tv", "combo"} <= set(json.loads(products))
        and json.loads(facts)["termination_allowed"] is False
        and stages[no] == 3
        for no, products, facts in protected
    )


def test_partner_disagreeing_with_a_stage_3_decision(demo_url: str) -> None:
    rows = _rows(
        demo_url,
        "SELECT t.kind, f.agrees FROM ticket_feedback f "
        "JOIN partner_tickets t ON t.id = f.ticket_id",
    )
    assert ("fair_use_decision", 0) in rows
    assert ("fair_use_decision", 1) in rows
    assert any(kind == "fair_use_contact" for kind, _ in rows)
    open_tickets = _rows(demo_url, "SELECT count(*) FROM partner_tickets WHERE status = 'open'")
    assert open_tickets[0][0] > 0


def test_goodwill_case_carries_the_seed_amounts(demo_url: str) -> None:
    (facts,) = _rows(
        demo_url,
        "SELECT k.facts FROM cases k JOIN customers c ON c.id = k.customer_id "
        "WHERE k.process = 'expiry' AND k.stage = 'goodwill' AND c.name = '黄建国'",
    )[0]
    months = json.loads(facts)["months"]
    assert [m["out_of_bundle_data"] for m in months] == ["13.28", "173.82"]
    assert [m["month"] for m in months] == ["2026-01", "2026-02"]


def test_other_screens_have_data(demo_url: str) -> None:
    counts = {
        table: _rows(demo_url, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("sms_messages", "letters", "tasks", "device_plans", "bundles")
    }
    assert all(counts.values()), counts
    incidents = _rows(demo_url, "SELECT title, withdrawn_at FROM mass_incidents")
    assert any(w is None for _, w in incidents) and any(w is not None for _, w in incidents)
    orphans = _rows(demo_url, "SELECT count(*) FROM device_plans WHERE subscription_id IS NULL")
    assert orphans[0][0] == 1
    assert _rows(
        demo_url, "SELECT count(*) FROM subscriptions WHERE cancelled_effective IS NOT NULL"
    )[0][0]
    overdue_vip = _rows(
        demo_url,
        "SELECT count(*) FROM tasks WHERE kind IN ('onboarding.assign_manager', "
        "'onboarding.first_contact') AND done_at IS NULL AND due < '2026-03-15'",
    )
    assert overdue_vip[0][0] >= 2
    rules = _rows(
        demo_url,
        "SELECT count(*) FROM history_entries WHERE rule_ids != '[]' "
        "AND ruleset_version IS NOT NULL",
    )
    assert rules[0][0] > 0


def test_the_long_timeline_customer(demo_url: str) -> None:
    db = Database(demo_url)
    try:
        with UnitOfWork(db) as uow:
            customer = uow.customers.by_no("C-10000")
            assert customer is not None
            assert uow.history.count(customer.id) == 10_000
            newest = uow.history.page(customer.id, limit=1)[0]
            assert newest.refers_to is not None  # a correction, pointing at an older entry
            last = uow.history.page(customer.id, limit=100)[-1]
            deeper = uow.history.page(customer.id, before=(last.created_at, last.id), limit=100)
            assert len(deeper) == 100 and deeper[0].created_at <= last.created_at
        counts = Counter(
            n
            for (n,) in _rows(demo_url, "SELECT count(*) FROM history_entries GROUP BY customer_id")
        )
        others = [n for n in counts.elements() if n != 10_000]
        assert min(others) >= 3 and max(others) <= 40
    finally:
        db.dispose()


_SCRIPTS = {
    "zh": re.compile(r"^[\u4e00-\u9fff]{2,4}$"),
    "ru": re.compile(r"^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$"),
    "de": re.compile(r"^[A-ZÄÖÜ][a-zäöüé]+ [A-ZÄÖÜ][a-zäöü]+$"),
    "en": re.compile(r"^[A-Z][a-z]+ [A-Z][A-Za-z']+$"),
}


def test_customers_speak_four_languages_with_valid_numbers(demo_url: str) -> None:
    rows = _rows(
        demo_url,
        "SELECT c.name, c.language, c.msisdn, p.country, c.customer_no FROM customers c "
        "JOIN partners p ON p.id = c.partner_id",
    )
    assert Counter(language for _, language, *_ in rows).keys() == {"de", "en", "ru", "zh"}
    assert len({msisdn for _, _, msisdn, *_ in rows}) == len(rows)
    for name, language, msisdn, country, no in rows:
        assert _SCRIPTS[language].match(name), (no, name)
        number = phonenumbers.parse(msisdn)
        assert phonenumbers.is_valid_number(number), msisdn
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == msisdn
        assert phonenumbers.region_code_for_number(number) == country
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    countries = {
        code: country for code, country in _rows(demo_url, "SELECT code, country FROM partners")
    }
    assert set(countries.values()) == {"CH", "CN", "RU"}


def test_customers_are_found_by_name(demo_url: str) -> None:
    db = Database(demo_url)
    try:
        with UnitOfWork(db) as uow:
            assert [c.customer_no for c in uow.customers.search("建国", ("CN",))][:1]
            assert any(c.name == "Ирина Смирнова" for c in uow.customers.search("смирн", ("RU",)))
            assert any(
                c.name == "Hansruedi Brändli" for c in uow.customers.search("brandli", ("CH",))
            )
    finally:
        db.dispose()


# --- the command and resets ----------------------------------------------------------


def test_command_creates_the_default_demo_database(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--date", "2026-03-15", "--customers", str(SMALL)])
    out = capsys.readouterr().out
    assert code == 0
    assert "C-10003" in out and "Mobile-TV" in out
    assert inspect_target(demo_db_url()).customers == SMALL


def test_command_resets_only_with_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(tmp_path / "demo.sqlite3")
    args = ["demo", "--db", url, "--date", "2026-03-15", "--customers", str(SMALL)]
    assert main(args) == 0
    before = dump(url)
    # No terminal, no --yes: refused, nothing changed.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([*args, "--seed", "5"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert dump(url) == before

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    assert main([*args, "--seed", "5"]) == 1
    assert dump(url) == before
    monkeypatch.setattr("sys.stdin", Tty("y\n"))
    assert main([*args, "--seed", "5"]) == 0
    assert dump(url)["customers"] != before["customers"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([*args, "--yes"]) == 0
    assert dump(url) == before


def _add_real_customer(db: Database) -> None:
    with UnitOfWork(db) as uow:
        partner = Partner(code="P1", name="Real Partner AG")
        uow.add(partner)
        uow.flush()
        uow.add(
            Customer(
                customer_no="R-1",
                msisdn="+41791112233",
                name="Echte Kundin",
                language="de",
                partner_id=partner.id,
            )
        )
        uow.commit()


def test_refuses_to_replace_a_database_that_is_not_a_demo(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_real_customer(sqlite_db)
    url = sqlite_db.url
    sqlite_db.dispose()

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty("y\n"))  # even a "yes" on the terminal is not enough
    assert main(["demo", "--db", url, "--customers", str(SMALL)]) == 2
    err = capsys.readouterr().err
    assert "not a demo database" in err and "--yes" in err
    with pytest.raises(NotADemoDatabaseError):
        create_demo(url, customers=SMALL)
    ensure_demo_database(url)  # has customers: left alone
    assert [r[0] for r in _rows(url, "SELECT customer_no FROM customers")] == ["R-1"]
    assert main(["demo", "--db", url, "--customers", str(SMALL), "--yes"]) == 0
    assert _rows(url, "SELECT count(*) FROM customers WHERE customer_no = 'R-1'")[0][0] == 0


def test_ensure_demo_database_creates_it_on_first_use(tmp_path: Path) -> None:
    url = _url(tmp_path / "fresh" / "demo.sqlite3")
    ensure_demo_database(url)
    target = inspect_target(url)
    assert target.customers == 300 and target.demo_mark is not None
    before = dump(url)
    ensure_demo_database(url)
    assert dump(url) == before


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--date", "15.03.2026"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert main(["demo", "--customers", "3"]) == 2
    assert "--customers" in capsys.readouterr().err


@pytest.mark.postgres
def test_postgresql_create_reset_and_same_rows_as_sqlite(pg_db: Database, tmp_path: Path) -> None:
    url = pg_db.url
    pg_db.dispose()
    create_demo(url, seed=3, reference=REFERENCE, customers=SMALL)
    # Reset: the append-only history is emptied by TRUNCATE, then written again.
    summary = create_demo(url, seed=3, reference=REFERENCE, customers=SMALL)
    assert summary.count("history_entries") > 10_000
    lite = _url(tmp_path / "same.sqlite3")
    create_demo(lite, seed=3, reference=REFERENCE, customers=SMALL)
    # The server's change journal, which branches pull from, records the demo's rows
    # as written (a SQLite desktop keeps none); the demo's own rows are the same.
    journal = {"sync_changes", "sync_commits"}
    server = {table: rows for table, rows in dump(url).items() if table not in journal}
    assert server == {table: rows for table, rows in dump(lite).items() if table not in journal}
    assert dump(url)["sync_changes"]  # the demo is journalled for the branches


def _rule_file_ids() -> tuple[set[str], set[str]]:
    """Every rule id and every onboarding task id in the shipped rule files."""
    import tomllib

    from app.resources import resource_path

    rule_ids: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("rule_id") and isinstance(value, str):
                    rule_ids.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    tasks: set[str] = set()
    for path in sorted(resource_path("rules").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        walk(data)
        if path.name == "onboarding.toml":
            tasks = {task["id"] for task in data["tasks"]}
    return rule_ids, tasks


def test_rule_and_task_ids_are_those_of_the_rule_files(demo_url: str) -> None:
    known_rules, known_tasks = _rule_file_ids()
    used = {
        rule
        for (ids,) in _rows(demo_url, "SELECT DISTINCT rule_ids FROM history_entries")
        for rule in json.loads(ids)
    }
    assert used and used <= known_rules, used - known_rules
    kinds = {kind for (kind,) in _rows(demo_url, "SELECT DISTINCT kind FROM tasks")}
    onboarding = {k.removeprefix("onboarding.") for k in kinds} - {
        "assign_manager",
        "first_contact",
    }
    assert onboarding and onboarding <= known_tasks, onboarding - known_tasks


def test_showcase_customers_appear_on_the_todo_list(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rules engine, reading the demo's records, sees what each showcase shows."""
    pytest.importorskip("app.commands.todo")
    expected = {
        "C-10001": ("fair_use", "stage", 1),
        "C-10003": ("fair_use", "stage", 3),
        "C-10006": ("fair_use", "stage", 1),
        "C-10010": ("expiry", "reminder", "week"),
        "C-10011": ("expiry", "reminder", "month"),
        "C-10020": ("onboarding", "vip_overdue", ["assign_manager"]),
        "C-10021": ("onboarding", "vip_overdue", ["first_contact"]),
        "C-10025": ("complaint", "route", "second_line"),
        "C-10026": ("complaint", "route", "claim"),
    }
    for customer_no, (process, key, value) in expected.items():
        code = main(["todo", customer_no, "--date", "2026-03-15", "--db", demo_url, "--json"])
        assert code == 0
        items = json.loads(capsys.readouterr().out)["items"]
        assert any(i["process"] == process and i.get(key) == value for i in items), (
            customer_no,
            items,
        )
    main(["todo", "C-10013", "--date", "2026-03-15", "--db", demo_url, "--json"])
    assert json.loads(capsys.readouterr().out)["items"] == []  # every reminder already sent


def _stamps(url: str) -> list[tuple[str, str, datetime]]:
    """(table, column, value) of every timestamp in the database."""
    return [
        (table, column, value)
        for table, rows in dump(url).items()
        if table in Base.metadata.tables
        for row in rows
        for column, value in zip(Base.metadata.tables[table].columns.keys(), row, strict=True)
        if isinstance(value, datetime)
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.mark.parametrize("built_at", [time(5, 50), time(0, 3), time(7, 59), time(23, 0)])
def test_no_entry_is_later_than_the_moment_the_demo_is_built(
    tmp_path: Path, built_at: time
) -> None:
    """Built early on its reference day (05:50 while the demo's mornings end at
    08:00), the demo has no event after that moment, and keeps their order."""
    url = _url(tmp_path / "now.sqlite3")
    now = datetime.combine(REFERENCE, built_at, UTC)
    create_demo(url, seed=5, reference=REFERENCE, customers=SMALL, now=now)
    stamps = _stamps(url)
    late = [(t, c, v) for t, c, v in stamps if _aware(v) > now]
    assert stamps and not late, late[:5]
    on_the_day = [v for _t, _c, v in stamps if _aware(v).date() == REFERENCE]
    assert on_the_day, "the demo still has events on its reference day"
    # A correction still follows the entry it corrects.
    pairs = _rows(
        url,
        "SELECT o.created_at, c.created_at FROM history_entries c "
        "JOIN history_entries o ON o.id = c.refers_to",
    )
    assert pairs and all(old <= new for old, new in pairs)


def test_default_demo_has_nothing_later_than_now(tmp_path: Path) -> None:
    url = _url(tmp_path / "today.sqlite3")
    create_demo(url, seed=5, customers=SMALL)
    after = datetime.now(UTC)
    late = [(t, c, v) for t, c, v in _stamps(url) if _aware(v) > after]
    assert not late, late[:5]


def test_demo_tariffs_are_those_of_the_catalogue(demo_url: str) -> None:
    """Every plan a demo customer has, or is migrated to, is in the tariff catalogue
    of the contract rules, at the catalogue's fee: the scripts offer exactly those."""
    from app.services.demo.names import TARIFFS
    from app.services.rules import load_ruleset

    catalogue = {(t.country, t.name): t.monthly_fee for t in load_ruleset().contract.tariffs}
    for country, plans in TARIFFS.items():
        for plan in plans:
            assert catalogue.get((country, plan.name)) == plan.monthly_fee, (country, plan)
    names = {name for _country, name in catalogue}
    used = {tariff for (tariff,) in _rows(demo_url, "SELECT DISTINCT tariff FROM subscriptions")}
    assert used and used <= names, used - names
    decided = [
        json.loads(facts)["decision"]
        for (facts,) in _rows(demo_url, "SELECT facts FROM cases WHERE facts LIKE '%new_tariff%'")
        if json.loads(facts).get("decision")
    ]
    migrated = {d["new_tariff"] for d in decided if d.get("new_tariff")}
    assert migrated <= names, migrated - names
