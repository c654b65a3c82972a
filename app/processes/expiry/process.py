"""The expiry process's spec, loaded on first use (see :mod:`app.processes`)."""

from app.processes.base import ProcessSpec
from app.processes.expiry import DECLARED, guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name=DECLARED.name,
    label=DECLARED.label,
    guide_module=guide.__name__,
    playbook_ids={
        guide.REMINDER: (),
        guide.GOODWILL: (guide.ENTER_MONTHS, guide.DECIDE),
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"reminders": worklist.reminders_worklist},
    worklist_titles=DECLARED.worklist_titles,
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=2,
)
