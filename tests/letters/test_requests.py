"""Every letter request can be issued: checked when it is made, by every path that makes one.

A request freezes the facts its template is filled from. The classes of
defect these tests catch: a request whose facts lack a placeholder of its
template (the demo's ``decision``), a letter to a partner without a
recipient (the fair-use cover note), and errors shown as developer strings.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.i18n import set_ui_language
from app.letters.templates import document_ids, load_template
from app.services import runs
from app.services.demo import create_demo
from app.services.errors import ServiceError
from app.services.letters import (
    DOCUMENTS,
    LetterError,
    issue_batch,
    open_issued,
    requested_letters,
)
from app.services.playbooks import default_playbooks_dir, playbook_for, use_playbooks_dir
from app.store.db import Database
from app.store.models import FairUseRecord, HistoryEntry, Letter, Subscription
from app.store.repositories import UnitOfWork
from tests.letters.helpers import pdf_text
from tests.processes.helpers import add_customer

TODAY = date(2026, 3, 15)
#: What a developer string looks like: a dotted placeholder path or the context checker's words.
DEVELOPER_WORDS = ("required but missing", "expected a", "placeholders", ".yaml")


def _is_sentence(message: str) -> bool:
    return not any(word in message for word in DEVELOPER_WORDS) and message.rstrip().endswith(".")


# --- the demo -------------------------------------------------------------------------------


def test_a_fresh_demo_issues_every_requested_letter(tmp_path: Path) -> None:
    """``letters batch`` on a fresh demo: all issued, none failed (the command agents run)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    create_demo(url, reference=date(2026, 12, 6))
    db = Database(url)
    try:
        pending = requested_letters(db)
        assert {p.document for p in pending} >= {"fair_use_partner_note"}
        assert {p.language for p in pending} >= {"zh", "ru"}
    finally:
        db.dispose()
    env = {**os.environ, "AGENT_ASSIST_DB": url, "AGENT_ASSIST_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "app", "letters", "batch"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    total = len(pending)
    assert done.returncode == 0, done.stderr
    assert f"{total} of {total} letters issued, 0 failed" in done.stdout
    assert "Not issued" not in done.stderr


# --- process steps --------------------------------------------------------------------------


def _fair_use_customer(
    db: Database,
    *,
    country: str = "CH",
    language: str = "de",
    partner_language: str | None = None,
    months: tuple[str, ...] = ("2026-01", "2026-02", "2026-03"),
) -> uuid.UUID:
    with UnitOfWork(db) as uow:
        customer = add_customer(
            uow,
            partner="Kabelnetz Nordwest AG" if country == "CH" else "拉萨通信代理",
            country=country,
            partner_language=partner_language or language,
            msisdn="+41791234567" if country == "CH" else "+8615070762572",
            name="Hans Müller" if country == "CH" else "王芳",
            language=language,
            products=[],
            street="Bahnhofstrasse 12" if country == "CH" else "北京东路88号",
            postcode="8001" if country == "CH" else "850000",
            city="Zürich" if country == "CH" else "拉萨市",
        )
        uow.add(
            Subscription(
                customer_id=customer.id,
                tariff="Flat Max",
                monthly_fee=Decimal("69.00"),
                aio_discount=None,
                data_mb=None,
                minutes=None,
                activated=date(2024, 3, 7),
            )
        )
        for month in months:
            uow.add(FairUseRecord(customer_id=customer.id, month=month, exceeded=True))
        uow.commit()
        return customer.id


def _stage_3(db: Database, customer: uuid.UUID, measure: str) -> runs.RunView:
    """A stage-3 script up to the step that requests the letters."""
    view = runs.open_run(db, customer, "fair_use", "stage_3", subject="2026-03", today=TODAY)
    view = runs.complete_step(db, view.case_id, {}, today=TODAY)
    answers = {"measure": measure, "decision_date": "2026-03-12", "justification": "Nutzung"}
    if measure == "migration":  # the first plan offered (or typed, where the script asks so)
        [plan] = [i for i in view.inputs if i.id == "new_tariff"]
        if plan.options:
            answers["new_tariff"] = plan.options[0][0]
        else:
            answers |= {"new_tariff": "Talk", "new_monthly_fee": "29.00"}
    view = runs.complete_step(db, view.case_id, answers, today=TODAY, author="anna")
    while view.step_id != "letter_to_partner":
        view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    return view


@pytest.mark.parametrize(
    ("measure", "country", "language", "partner_language"),
    [("termination", "CH", "en", "de"), ("migration", "CN", "zh", "zh")],
)
def test_a_complete_stage_3_script_requests_letters_that_all_issue(
    db: Database, measure: str, country: str, language: str, partner_language: str
) -> None:
    customer = _fair_use_customer(
        db, country=country, language=language, partner_language=partner_language
    )
    view = _stage_3(db, customer, measure)
    view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    with db.transaction() as session:
        letters = session.scalars(select(Letter).where(Letter.case_id == view.case_id)).all()
        ids = [letter.id for letter in letters]
        # The customer's letter in the customer's language, the cover note in the partner's.
        assert {(letter.document, letter.language) for letter in letters} == {
            (f"fair_use_{measure}", language),
            ("fair_use_partner_note", partner_language),
        }
    assert len(ids) == 2
    result = issue_batch(db, ids, "anna", workers=1, on=TODAY)
    assert not result.failed, [str(e.detail) for _i, e in result.failed]
    note = next(i for i in result.issued if i.document == "fair_use_partner_note")
    text = pdf_text(open_issued(db, note.id))
    partner = "Kabelnetz Nordwest AG" if country == "CH" else "拉萨通信代理"
    assert partner in text.replace(" ", "") or partner in text  # the partner is the recipient


@pytest.fixture
def miswritten_playbooks(tmp_path: Path) -> Iterator[Path]:
    """The shipped playbooks, but the fair-use letter step asks for a letter whose facts
    the script does not have (a policy author's slip): the goodwill credit."""
    for source in default_playbooks_dir().glob("*.yaml"):
        text = source.read_text(encoding="utf-8")
        if source.name == "fair_use.yaml":
            assert "{type: letter, document: fair_use_partner_note}" in text
            text = text.replace(
                "{type: letter, document: fair_use_partner_note}",
                "{type: letter, document: goodwill_credit}",
            )
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    use_playbooks_dir(tmp_path)
    yield tmp_path
    use_playbooks_dir(None)


def test_a_step_whose_letter_lacks_facts_is_refused_with_a_sentence_and_writes_nothing(
    db: Database, miswritten_playbooks: Path
) -> None:
    """The letter step refuses with a sentence naming the letter; nothing is requested."""
    set_ui_language("en")
    customer = _fair_use_customer(db)
    view = _stage_3(db, customer, "termination")
    with db.transaction() as session:
        before = session.scalar(
            select(HistoryEntry.id).where(HistoryEntry.case_id == view.case_id).limit(1)
        )
    with pytest.raises(ServiceError) as refused:
        runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    assert isinstance(refused.value, LetterError)
    assert "“Goodwill credit confirmation” cannot be requested" in str(refused.value)
    assert _is_sentence(str(refused.value))
    assert "bundle" in (refused.value.detail or "")
    with db.transaction() as session:
        assert session.scalars(select(Letter).where(Letter.case_id == view.case_id)).all() == []
        assert before is not None
    assert runs.show_run(db, view.case_id, today=TODAY).step_id == "letter_to_partner"


def test_every_document_a_playbook_requests_has_a_template_and_a_name() -> None:
    """Each letter effect of each playbook names a document that loads, with a worded name."""
    from app.domain.playbook_schema import LetterEffect

    documents: set[str] = set()
    for process in ("fair_use", "expiry", "contract", "onboarding", "complaint"):
        playbook = playbook_for(process)
        for flow in playbook.flows:
            for step in flow.steps:
                documents |= {e.document for e in step.effects if isinstance(e, LetterEffect)}
    assert documents
    assert documents <= set(document_ids()) <= set(DOCUMENTS)
    for document in documents:
        load_template(document)


def test_the_service_number_in_a_customers_sms_is_that_of_the_partners_country(
    db: Database,
) -> None:
    """A customer of a Chinese partner is told to call the Chinese company, not the Swiss."""
    from app.letters.operator import load_operator
    from app.store.models import SmsMessage

    customer = _fair_use_customer(db, country="CN", language="zh", months=("2026-03",))
    view = runs.open_run(db, customer, "fair_use", "stage_1", subject="2026-03", today=TODAY)
    while not view.finished and view.step_id in ("send_sms_1", "record_sms_1"):
        view = runs.complete_step(db, view.case_id, {}, today=TODAY, author="anna")
    with db.transaction() as session:
        [sms] = session.scalars(select(SmsMessage).where(SmsMessage.case_id == view.case_id))
        text = sms.text
    assert load_operator("zh", None, "CN").phone in text
    assert load_operator("zh").phone not in text
