"""Expiring bundles and goodwill: the guide, reminder items, the reminders worklist,
wording and the playbook ids the code relies on.

This module only declares the process (what the window needs before the process's code
loads); :mod:`.process` holds its spec."""

from app.i18n import N_
from app.processes.base import ProcessDeclaration

DECLARED = ProcessDeclaration(
    name="expiry",
    label=N_("Expiring bundle"),
    module=f"{__name__}.process",
    worklist_titles={"reminders": N_("Reminders due today")},
)
