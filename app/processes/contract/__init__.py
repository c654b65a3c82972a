"""Contract requests (cancellations, plan changes, device plans): the guide and the
playbook ids its code relies on; open requests are listed as open cases.

This module only declares the process (what the window needs before the process's code
loads); :mod:`.process` holds its spec."""

from app.i18n import N_
from app.processes.base import ProcessDeclaration

DECLARED = ProcessDeclaration(
    name="contract",
    label=N_("Contract"),
    module=f"{__name__}.process",
)
