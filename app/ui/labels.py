"""Display names for the codes stored in the database (products, processes, kinds).

Names are marked with ``N_`` here and translated when shown, so they follow
the UI language when it changes.
"""

from __future__ import annotations

from app.i18n import N_, _

PRODUCTS: dict[str, str] = {
    "mobile_tv": N_("Mobile TV"),
    "combo": N_("Combo"),
    "internet": N_("Internet"),
    "aio": N_("All-in-one"),
}

PROCESSES: dict[str, str] = {
    "fair_use": N_("Fair use"),
    "expiry": N_("Expiring bundle"),
    "contract": N_("Contract"),
    "onboarding": N_("Onboarding"),
    "complaint": N_("Complaint"),
}

HISTORY_KINDS: dict[str, str] = {
    "note": N_("Note"),
    "sms": N_("SMS"),
    "ticket": N_("Ticket"),
    "letter": N_("Letter"),
    "import": N_("Import"),
    "step": N_("Step"),
}


def _lookup(table: dict[str, str], code: str) -> str:
    message = table.get(code)
    return _(message) if message else code


def product_label(code: str) -> str:
    return _lookup(PRODUCTS, code)


def process_label(code: str) -> str:
    return _lookup(PROCESSES, code)


def kind_label(code: str) -> str:
    return _lookup(HISTORY_KINDS, code)
