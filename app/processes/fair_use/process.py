"""The fair-use process's spec, loaded on first use (see :mod:`app.processes`)."""

from app.processes.base import ProcessSpec
from app.processes.fair_use import DECLARED, guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name=DECLARED.name,
    label=DECLARED.label,
    guide_module=guide.__name__,
    playbook_ids={
        **{flow: () for flow in guide.FLOW_STAGES},
        guide.PARTNER_FEEDBACK: (guide.PARTNER_ANSWER_STEP,),
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"fair-use": worklist.fair_use_worklist},
    worklist_titles=DECLARED.worklist_titles,
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=1,
)
