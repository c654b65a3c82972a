"""The fair-use process: its guide, to-do item, worklist, wording and the playbook ids
its code relies on.

This module only declares the process (what the window needs before the process's code
loads); :mod:`.process` holds its spec."""

from app.i18n import N_
from app.processes.base import ProcessDeclaration

DECLARED = ProcessDeclaration(
    name="fair_use",
    label=N_("Fair use"),
    module=f"{__name__}.process",
    worklist_titles={"fair-use": N_("Fair use by stage")},
)
