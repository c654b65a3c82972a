"""Display names for the codes stored in the database: history kinds here; processes as
their packages name them; products and stages as the playbooks word them (see
:mod:`app.services.wording`).

Names are marked with ``N_`` here and translated when shown, so they follow
the UI language when it changes.
"""

from __future__ import annotations

from app.i18n import N_, _
from app.services.wording import product_words, stage_words

HISTORY_KINDS: dict[str, str] = {
    "note": N_("Note"),
    "call": N_("Call"),
    "sms": N_("SMS"),
    "ticket": N_("Ticket"),
    "ticket_answer": N_("Partner's answer"),
    "letter": N_("Letter"),
    "import": N_("Import"),
    "step": N_("Step"),
}


def _lookup(table: dict[str, str], code: str) -> str:
    message = table.get(code)
    return _(message) if message else code


def product_label(code: str) -> str:
    """A product as the fair-use playbook words it ("Mobile TV")."""
    return product_words(code)


def process_label(code: str) -> str:
    """A process as its package names it ("Fair use")."""
    from app.processes import label_of  # from the declaration: the process's code stays unloaded

    label = label_of(code)
    return _(label) if label else code


def kind_label(code: str) -> str:
    return _lookup(HISTORY_KINDS, code)


def stage_label(process: str, stage: str) -> str:
    """``("fair_use", "2")`` -> "stage 2"; ``("complaint", "claim")`` -> "File a claim"
    (the words the to-do list uses too)."""
    return stage_words(process, stage)
