"""The contract process's spec, loaded on first use (see :mod:`app.processes`)."""

from app.processes.base import ProcessSpec
from app.processes.contract import DECLARED, guide

PROCESS = ProcessSpec(
    name=DECLARED.name,
    label=DECLARED.label,
    guide_module=guide.__name__,
    playbook_ids={flow: guide.REQUEST_STEPS for flow in guide.FLOW_ACTIONS},
)
