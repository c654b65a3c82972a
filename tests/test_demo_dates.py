"""Every text the demo writes words its days as the application does, in the text's language:
no ISO date (2026-12-09) in a history entry, an SMS or a ticket to a partner."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from app.services.demo import create_demo, minimum_customers
from app.store.db import Database
from app.store.models import HistoryEntry, PartnerTicket, SmsMessage

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_demo_texts_word_their_days(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    create_demo(url, customers=minimum_customers())
    db = Database(url)
    try:
        with db.transaction() as session:
            texts = [
                *session.scalars(select(HistoryEntry.text)),
                *session.scalars(select(SmsMessage.text)),
                *session.scalars(select(PartnerTicket.body)),
                *session.scalars(select(PartnerTicket.subject)),
            ]
    finally:
        db.dispose()
    assert texts
    iso = [text for text in texts if ISO_DAY.search(text)]
    assert not iso, iso[:5]
