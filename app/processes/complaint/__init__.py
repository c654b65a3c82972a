"""Complaints: the guide, one item per open case, the complaints worklist, wording and
the playbook ids the code relies on.

This module only declares the process (what the window needs before the process's code
loads); :mod:`.process` holds its spec."""

from app.i18n import N_
from app.processes.base import ProcessDeclaration

DECLARED = ProcessDeclaration(
    name="complaint",
    label=N_("Complaint"),
    module=f"{__name__}.process",
    worklist_titles={"complaints": N_("Complaints and claims")},
)
