"""The fair-use process: its guide, to-do item, worklist, wording and the playbook ids
its code relies on."""

from app.i18n import N_
from app.processes.base import ProcessSpec
from app.processes.fair_use import guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name="fair_use",
    label=N_("Fair use"),
    guide_module=guide.__name__,
    playbook_ids={
        **{flow: () for flow in guide.FLOW_STAGES},
        guide.PARTNER_FEEDBACK: (guide.PARTNER_ANSWER_STEP,),
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"fair-use": worklist.fair_use_worklist},
    worklist_titles={"fair-use": N_("Fair use by stage")},
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=1,
)
