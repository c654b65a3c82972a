"""New-customer onboarding: the guide, the program's item, its worklist, wording and the
playbook ids the code relies on.

This module only declares the process (what the window needs before the process's code
loads); :mod:`.process` holds its spec."""

from app.i18n import N_
from app.processes.base import ProcessDeclaration

DECLARED = ProcessDeclaration(
    name="onboarding",
    label=N_("Onboarding"),
    module=f"{__name__}.process",
    worklist_titles={"onboarding": N_("Onboarding tasks due or overdue")},
)
