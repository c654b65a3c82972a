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
    "call": N_("Call"),
    "sms": N_("SMS"),
    "ticket": N_("Ticket"),
    "letter": N_("Letter"),
    "import": N_("Import"),
    "step": N_("Step"),
}

#: Stages by process; numeric fair-use stages are shown as "stage N".
STAGES: dict[tuple[str, str], str] = {
    ("onboarding", "intake"): N_("intake"),
    ("onboarding", "follow_up"): N_("follow-up call"),
    ("onboarding", "first_bill"): N_("first bill"),
    ("onboarding", "fit_check"): N_("package fit check"),
    ("onboarding", "consolidation"): N_("consolidation"),
    ("complaint", "consultation"): N_("consultation"),
    ("complaint", "second_line"): N_("second line"),
    ("complaint", "claim"): N_("formal claim"),
    ("complaint", "mass_incident"): N_("mass incident"),
    ("complaint", "retained"): N_("retained"),
    ("expiry", "month"): N_("month reminder"),
    ("expiry", "week"): N_("week reminder"),
    ("expiry", "goodwill"): N_("goodwill"),
    ("contract", "scheduled"): N_("scheduled"),
    ("contract", "done"): N_("carried out"),
    ("contract", "refused"): N_("refused"),
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


def stage_label(process: str, stage: str) -> str:
    """``("fair_use", "2")`` -> "stage 2"; ``("complaint", "claim")`` -> "formal claim"."""
    message = STAGES.get((process, stage))
    if message:
        return _(message)
    if stage.isdigit():
        return _("stage {stage}").format(stage=stage)
    return stage.replace("_", " ")
