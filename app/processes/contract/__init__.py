"""Contract requests (cancellations, plan changes, device plans): the guide and the
playbook ids its code relies on; open requests are listed as open cases."""

from app.i18n import N_
from app.processes.base import ProcessSpec
from app.processes.contract import guide

PROCESS = ProcessSpec(
    name="contract",
    label=N_("Contract"),
    guide_module=guide.__name__,
    playbook_ids={flow: guide.REQUEST_STEPS for flow in guide.FLOW_ACTIONS},
)
