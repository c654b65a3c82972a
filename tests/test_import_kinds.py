"""Every kind of import file on SQLite and PostgreSQL: good rows, bad rows, updates.

The example files shipped for operators (``resources/samples/import``) are
the good data; ``tests/data/import/<kind>_bad.csv`` hold one kind of mistake
per row, imported on top of the examples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.resources import resource_path
from app.services.importing import KINDS, Problem, run_import
from app.services.importing.people import Partners
from app.store.db import Database
from app.store.models import (
    Bundle,
    Customer,
    DevicePlan,
    FairUseRecord,
    HistoryEntry,
    Partner,
    Subscription,
)

DATA = Path(__file__).parent / "data" / "import"
SAMPLE_ROWS = {
    "partners": 4,
    "customers": 8,
    "subscriptions": 8,
    "device-plans": 5,
    "bundles": 5,
    "fair-use": 5,
}


def sample(kind: str) -> Path:
    return resource_path("samples", "import", f"{kind}.csv")


def run(
    capsys: pytest.CaptureFixture[str], db: Database, kind: str, path: Path, *extra: str
) -> tuple[int, str, list[str]]:
    code = main(["import", kind, str(path), "--db", db.url, *extra])
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def load(capsys: pytest.CaptureFixture[str], db: Database, *, before: str | None = None) -> None:
    """Import the example files in order, stopping before ``before``."""
    for kind in KINDS:
        if kind == before:
            return
        code, out, err = run(capsys, db, kind, sample(kind))
        assert (code, err) == (0, []), err
        assert out == f"imported {SAMPLE_ROWS[kind]}, updated 0, unchanged 0, rejected 0\n"


def count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def customer(db: Database, number: str) -> Customer:
    with db.transaction() as session:
        found = session.scalar(select(Customer).where(Customer.customer_no == number))
        assert found is not None
        return found


def history(db: Database, number: str) -> list[HistoryEntry]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(HistoryEntry)
                .join(Customer, Customer.id == HistoryEntry.customer_id)
                .where(Customer.customer_no == number)
                .order_by(HistoryEntry.created_at)
            )
        )


def test_examples_import_and_a_second_import_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    load(capsys, db)
    for kind in KINDS:
        code, out, err = run(capsys, db, kind, sample(kind))
        assert (code, err) == (0, [])
        assert out == f"imported 0, updated 0, unchanged {SAMPLE_ROWS[kind]}, rejected 0\n"

    # MSISDNs in every notation, stored in E.164 with the partner's country.
    numbers = {
        "CH-100001": "+41791234567",  # +41 79 123 45 67
        "CH-100002": "+41787654321",  # 0041 78 765 43 21
        "CH-100003": "+41795551234",  # 079 555 12 34 (CH partner)
        "CN-200001": "+8613612346712",  # 13612346712 (CN partner)
        "RU-300001": "+79123456789",  # 8 (912) 345-67-89 (RU partner)
    }
    for number, msisdn in numbers.items():
        assert customer(db, number).msisdn == msisdn
    anna = customer(db, "CH-100001")
    assert anna.products == ["mobile_tv", "internet"]
    assert anna.customer_value == 3 and anna.vip is False
    assert customer(db, "CH-100002").name == "Keller, Jürg"

    with db.transaction() as session:
        plan = session.scalar(select(DevicePlan).where(DevicePlan.plan_no == "DP-0017"))
        subscription = session.get(Subscription, plan.subscription_id)
        assert subscription.tariff == "Smart M" and subscription.customer_id == anna.id
        chinese = session.scalar(select(DevicePlan).where(DevicePlan.plan_no == "DP-8801"))
        assert chinese.status == "active" and chinese.down_payment == 1000
        assert str(chinese.instalment) == "249.95"
        bundle = session.scalar(select(Bundle).where(Bundle.bundle_no == "B-PROMO-XL"))
        assert bundle.name == 'Aktion "XL zum Preis von M"'
        assert bundle.reminders_sent == ["month", "week"] and bundle.package_fee is None
        record = session.scalar(select(FairUseRecord).where(FairUseRecord.month == "2026-02"))
        assert record.exceeded is True
    # Each new record is one history entry of its customer, nothing more on re-import.
    entries = history(db, "CH-100001")
    assert [e.kind for e in entries] == ["import"] * 6
    assert entries[0].text == "Customer CH-100001 imported from customers.csv"
    assert entries[0].payload["action"] == "created"
    assert entries[0].payload["values"]["msisdn"] == "+41791234567"
    assert entries[0].origin == db.origin


#: Summary and "line:column" of each problem, for tests/data/import/<kind>_bad.csv.
BAD_ROWS = {
    "partners": (
        "imported 2, updated 0, unchanged 0, rejected 4",
        "3:country 4:language 5:code 6:code",
    ),
    "customers": (
        "imported 2, updated 0, unchanged 0, rejected 7",
        "3:msisdn 4:partner 5:language 5:customer_value 5:vip 5:vip_rated 5:products "
        "5:activation_date 6:customer_no 6:name 7:customer_no 8:row 11:msisdn",
    ),
    "subscriptions": (
        "imported 1, updated 0, unchanged 0, rejected 6",
        "3:monthly_fee 4:monthly_fee 4:aio_discount 4:data_mb 4:minutes 5:customer_no "
        "6:last_upgrade_effective 6:cancelled_effective 7:tariff 7:monthly_fee 7:activated "
        "8:activated",
    ),
    "device-plans": (
        "imported 0, updated 0, unchanged 0, rejected 10",
        "2:status 3:status 4:status 5:instalment 6:instalment 7:instalments_billed 8:status "
        "9:customer_no 10:plan_no 11:plan_no",
    ),
    "bundles": (
        "imported 1, updated 0, unchanged 0, rejected 4",
        "4:reminders_sent 5:end_date 6:customer_no 7:bundle_id",
    ),
    "fair-use": (
        "imported 1, updated 0, unchanged 0, rejected 5",
        "3:month 4:exceeded 5:exceeded 5:data_mb_used 6:customer_no 7:month",
    ),
}


def where(problems: str) -> list[tuple[int, str]]:
    return [(int(line), column) for line, column in (p.split(":") for p in problems.split())]


PROBLEM = re.compile(r"(?P<file>.+):(?P<line>\d+): (?P<column>[a-z_]+): (?P<reason>.+)")


@pytest.mark.parametrize("kind", KINDS)
def test_bad_rows_are_reported_and_skipped(
    capsys: pytest.CaptureFixture[str], db: Database, kind: str
) -> None:
    load(capsys, db)
    path = DATA / f"{kind}_bad.csv"
    summary, expected = BAD_ROWS[kind][0], where(BAD_ROWS[kind][1])
    code, out, err = run(capsys, db, kind, path)
    assert code == 1
    assert out == summary + "\n"
    found = []
    for line in err:
        match = PROBLEM.fullmatch(line)
        assert match, line
        assert match["file"] == str(path)
        found.append((int(match["line"]), match["column"]))
    assert found == expected
    # The same file again: the good rows are now unchanged, the bad ones still bad.
    imported = int(summary.split()[1].rstrip(","))
    code, out, err_again = run(capsys, db, kind, path)
    rejected = summary.rsplit(" ", 1)[1]
    assert (code, err_again) == (1, err)
    assert out == f"imported 0, updated 0, unchanged {imported}, rejected {rejected}\n"


def test_messages_say_what_is_wrong(capsys: pytest.CaptureFixture[str], db: Database) -> None:
    load(capsys, db)
    messages = {}
    for kind in KINDS:
        path = DATA / f"{kind}_bad.csv"
        _code, _out, err = run(capsys, db, kind, path)
        messages[kind] = [line.removeprefix(f"{path}:") for line in err]
    assert "5: vip_rated: '2026-02-30' is not a day of the calendar" in messages["customers"]
    assert "4: partner: unknown partner 'NOPE'" in messages["customers"]
    assert (
        "3: msisdn: '12' is not a valid phone number (default country CH)" in messages["customers"]
    )
    assert (
        "7: customer_no: the same customer_no as line 2: each record once per file"
        in (messages["customers"])
    )
    assert "8: row: has 4 cells, the header has 10 columns" in messages["customers"]
    assert (
        "3: monthly_fee: '59,00': write amounts with '.' as the decimal separator"
        in (messages["subscriptions"])
    )
    assert "5: customer_no: unknown customer 'NOBODY'" in messages["subscriptions"]
    assert (
        "6: cancelled_effective: 2026-01-31 is before activated 2026-03-01"
        in messages["subscriptions"]
    )
    assert (
        "3: status: customer 'CH-100002' already has the active device plan 'DP-NEW-1'; "
        "only one may be active"
    ) in messages["device-plans"]
    assert (
        "4: status: customer 'CH-100003' already has the active device plan 'DP-0042'; "
        "only one may be active"
    ) in messages["device-plans"]
    assert (
        "10: plan_no: device plan 'DP-0017' belongs to customer 'CH-100001'"
        in (messages["device-plans"])
    )
    assert "4: reminders_sent: 'day' is not one of month, week" in messages["bundles"]


def test_rows_after_multi_line_fields_keep_their_line_numbers(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    load(capsys, db, before="subscriptions")
    run(capsys, db, "customers", DATA / "customers_bad.csv")
    wang = customer(db, "T-8")
    assert wang.name == "Wang, Fang\n(Fang Wang)"
    assert wang.msisdn == "+8613612346712" and wang.vip is True
    assert wang.products == ["internet", "aio"]
    load_rest = ["subscriptions", "device-plans"]
    for kind in load_rest:
        run(capsys, db, kind, sample(kind))
    code, _out, err = run(capsys, db, "bundles", DATA / "bundles_bad.csv")
    assert code == 1 and err[0].endswith(":4: reminders_sent: 'day' is not one of month, week")
    with db.transaction() as session:
        bundle = session.scalar(select(Bundle).where(Bundle.bundle_no == "B-NEW"))
        assert bundle.name == 'Data "Plus"\nover two lines'


def test_an_update_writes_what_changed_into_the_history(
    capsys: pytest.CaptureFixture[str],
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("USERNAME", raising=False)
    monkeypatch.setenv("USER", "m.meier")
    load(capsys, db)
    before = len(history(db, "CH-100001"))
    changed = sample("subscriptions").read_text(encoding="utf-8")
    changed = changed.replace("CH-100001,Smart M,49.00", "CH-100001,Smart L,59.00")
    path = tmp_path / "subscriptions.csv"
    path.write_text(changed, encoding="utf-8")
    code, out, err = run(capsys, db, "subscriptions", path)
    assert (code, out, err) == (0, "imported 0, updated 1, unchanged 7, rejected 0\n", [])
    entries = history(db, "CH-100001")
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.kind == "import" and entry.author == "m.meier"
    assert entry.text == (
        "Subscription Smart L activated 2023-05-02 updated from subscriptions.csv: "
        "tariff: Smart M → Smart L; monthly_fee: 49.00 → 59.00"
    )
    assert entry.payload["changes"] == {
        "tariff": {"old": "Smart M", "new": "Smart L"},
        "monthly_fee": {"old": "49.00", "new": "59.00"},
    }
    assert entry.payload["key"] == {"customer_no": "CH-100001", "activated": "2023-05-02"}
    assert entry.payload["line"] == 2 and entry.payload["file"] == "subscriptions.csv"
    # Nothing was written for the customers whose rows did not change.
    assert len(history(db, "CH-100002")) == 5  # customer, subscription, bundle, 2 months


def test_partner_updates_are_counted_without_history(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    load(capsys, db, before="subscriptions")
    entries = count(db, HistoryEntry)
    path = tmp_path / "partners.csv"
    path.write_text("code,name\nKNU-ZH,Kabelnetz Zürich\nKNU-BE,Kabel Bern GmbH\n", "utf-8")
    code, out, _err = run(capsys, db, "partners", path)
    assert (code, out) == (0, "imported 0, updated 1, unchanged 1, rejected 0\n")
    assert count(db, HistoryEntry) == entries
    with db.transaction() as session:
        partner = session.scalar(select(Partner).where(Partner.code == "KNU-ZH"))
        assert partner.name == "Kabelnetz Zürich" and partner.country == "CH"


def test_columns_left_out_keep_what_is_stored(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    load(capsys, db, before="subscriptions")
    path = tmp_path / "customers.csv"
    path.write_text(
        "name,customer_no,partner,language,msisdn\n"
        "Emily Johnson,CH-100003,KNU-BE,en,+41795551234\n"
        "Emily Johnson,CH-100004,KNU-BE,en,+41762345678\n",
        "utf-8",
    )
    code, out, _err = run(capsys, db, "customers", path)
    assert (code, out) == (0, "imported 0, updated 1, unchanged 1, rejected 0\n")
    emily = customer(db, "CH-100003")
    assert emily.vip is True and emily.customer_value == 4 and emily.products == ["aio"]
    assert history(db, "CH-100004")[-1].payload["changes"] == {
        "name": {"old": "Daniel O'Brien", "new": "Emily Johnson"}
    }
    # An empty cell in a column that is there means "none" (or the default).
    path.write_text("customer_no,msisdn,name,language,partner,vip,products\n"
                    "CH-100003,079 555 12 34,Emily Johnson,en,KNU-BE,,\n", "utf-8")  # fmt: skip
    code, out, _err = run(capsys, db, "customers", path)
    assert (code, out) == (0, "imported 0, updated 1, unchanged 0, rejected 0\n")
    emily = customer(db, "CH-100003")
    assert emily.vip is False and emily.products == [] and emily.customer_value == 4


def test_reminders_already_sent_are_never_forgotten(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    load(capsys, db)
    path = tmp_path / "bundles.csv"
    path.write_text(
        "customer_no,bundle_id,name,end_date,reminders_sent\n"
        "CH-100002,B-ROAM-EU,Roaming EU 5 GB,2026-03-31,\n"
        "CH-100001,B-TV-2025,TV Sport Option,2026-06-30,week\n",
        "utf-8",
    )
    code, out, _err = run(capsys, db, "bundles", path)
    assert (code, out) == (0, "imported 0, updated 1, unchanged 1, rejected 0\n")
    with db.transaction() as session:
        rows = session.execute(select(Bundle.bundle_no, Bundle.reminders_sent))
        sent = {number: reminders for number, reminders in rows}
    assert sent["B-ROAM-EU"] == ["month"] and sent["B-TV-2025"] == ["week"]


def test_a_device_plan_needs_a_subscription_and_one_active_plan_at_most(
    capsys: pytest.CaptureFixture[str], db: Database, tmp_path: Path
) -> None:
    load(capsys, db)
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_no,msisdn,name,language,partner\nCH-9,079 999 99 99,Neu Kunde,de,KNU-ZH\n",
        "utf-8",
    )
    assert run(capsys, db, "customers", path)[0] == 0
    plans = tmp_path / "device-plans.csv"
    plans.write_text(
        "customer_no,plan_no,activated,financed_amount,instalment\n"
        "CH-9,DP-9,2026-03-01,500.00,20.00\n"
        # Ending the active plan and starting a new one in the same file is fine.
        "CH-100001,DP-0017,2025-03-01,1199.00,49.95\n"
        "CH-100003,DP-0042,2025-08-20,1440.00,60.00\n",
        "utf-8",
    )
    plans.write_text(
        plans.read_text("utf-8").replace(
            "CH-100003,DP-0042,2025-08-20,1440.00,60.00\n",
            "CH-100003,DP-0042,2025-08-20,1440.00,60.00\nCH-100003,DP-0043,2026-03-01,99.00,9.00\n",
        ),
        "utf-8",
    )
    code, out, err = run(capsys, db, "device-plans", plans)
    assert code == 1
    assert out == "imported 0, updated 0, unchanged 2, rejected 2\n"
    assert err == [
        f"{plans}:2: customer_no: customer 'CH-9' has no subscription: a device plan needs one",
        f"{plans}:5: status: customer 'CH-100003' already has the active device plan "
        "'DP-0042'; only one may be active",
    ]
    plans.write_text(
        "customer_no,plan_no,activated,financed_amount,instalment,status\n"
        "CH-100003,DP-0042,2025-08-20,1440.00,60.00,ended\n"
        "CH-100003,DP-0043,2026-03-01,99.00,9.00,active\n",
        "utf-8",
    )
    code, out, err = run(capsys, db, "device-plans", plans)
    assert (code, out, err) == (0, "imported 1, updated 1, unchanged 0, rejected 0\n", [])


def test_dry_run_reports_the_same_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    load(capsys, db, before="device-plans")
    before = {m: count(db, m) for m in (DevicePlan, HistoryEntry, Customer)}
    path = DATA / "device-plans_bad.csv"
    dry = run(capsys, db, "device-plans", path, "--dry-run")
    assert {m: count(db, m) for m in before} == before
    real = run(capsys, db, "device-plans", path)
    # The same rows refused for the same reasons (a dry run adds why a reference is unknown).
    assert (dry[0], [line.split(" (a dry run")[0] for line in dry[2]]) == (real[0], real[2])
    assert real[1] == "imported 2, updated 0, unchanged 0, rejected 8\n"
    assert dry[1] == (
        "dry run, nothing written: would import 2, update 0, leave 0 unchanged, reject 8\n"
    )
    assert count(db, DevicePlan) == before[DevicePlan] + 2


def test_dry_run_on_an_empty_database(capsys: pytest.CaptureFixture[str], db: Database) -> None:
    """A dry run says what would happen, never "imported"."""
    code, out, _err = run(capsys, db, "partners", sample("partners"), "--dry-run")
    assert (code, out) == (
        0,
        "dry run, nothing written: would import 4, update 0, leave 0 unchanged, reject 0\n",
    )
    assert count(db, Partner) == 0


def test_small_batches_give_the_same_result(db: Database) -> None:
    problems: list[Problem] = []
    run_import(db, "partners", sample("partners"), author="test")
    path = DATA / "customers_bad.csv"
    summary = run_import(db, "customers", path, author="t", batch_size=2, report=problems.append)
    assert (summary.imported, summary.rejected, summary.exit_code) == (2, 7, 1)
    assert [(p.line, p.column) for p in problems] == where(BAD_ROWS["customers"][1])
    assert count(db, Customer) == 2


def test_a_row_the_database_refuses_is_rejected_alone(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the database refuse a row the checks let through, only that row is lost."""
    original = Partners.create

    def clashing(self: Partners, values: dict) -> Partner:
        if values["code"] == "CLASH":
            values = {**values, "code": "P1"}  # the unique code of another partner
        return original(self, values)

    monkeypatch.setattr(Partners, "create", clashing)
    path = tmp_path / "partners.csv"
    path.write_text("code,name\nP1,One\nCLASH,Two\nP3,Three\n", "utf-8")
    problems: list[Problem] = []
    summary = run_import(db, "partners", path, author="test", report=problems.append)
    assert (summary.imported, summary.rejected) == (2, 1)
    assert [(p.line, p.column) for p in problems] == [(3, "row")]
    assert problems[0].reason.startswith("the database refused the row")
    with db.transaction() as session:
        assert sorted(session.scalars(select(Partner.code))) == ["P1", "P3"]


def test_a_dry_run_says_why_the_partners_of_a_dry_run_are_unknown(
    capsys: pytest.CaptureFixture[str], db: Database
) -> None:
    """Partners and customers checked with --dry-run one after the other: the hint says why."""
    code, out, _err = run(capsys, db, "partners", sample("partners"), "--dry-run")
    assert (code, out.startswith("dry run, nothing written: would import 4")) == (0, True)
    code, out, err = run(capsys, db, "customers", sample("customers"), "--dry-run")
    assert code == 1
    assert out.startswith("dry run, nothing written: would import 0,")
    assert err and all(
        "unknown partner" in line and "import that file first" in line for line in err
    )
    load(capsys, db, before="customers")
    code, out, err = run(capsys, db, "subscriptions", sample("subscriptions"), "--dry-run")
    assert code == 1 and all("unknown customer" in line and "--dry-run" in line for line in err)
    code, out, err = run(capsys, db, "customers", sample("customers"))
    assert (code, err) == (0, [])
    code, out, err = run(capsys, db, "customers", sample("customers"), "--dry-run")
    assert (code, err) == (0, [])
    assert (
        out == "dry run, nothing written: would import 0, update 0, leave 8 unchanged, reject 0\n"
    )
