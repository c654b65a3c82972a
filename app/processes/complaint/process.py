"""The complaint process's spec, loaded on first use (see :mod:`app.processes`)."""

from app.i18n import N_
from app.processes.base import EVERY_FLOW, ProcessSpec
from app.processes.complaint import DECLARED, guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name=DECLARED.name,
    label=DECLARED.label,
    start_words=N_("New complaint: {flow}"),
    guide_module=guide.__name__,
    playbook_ids={
        EVERY_FLOW: tuple(sorted({*guide.ROUTE_ENDS, guide.HAND_OVER_STEP, guide.SECOND_LINE_STEP}))
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"complaints": worklist.complaints_worklist},
    worklist_titles=DECLARED.worklist_titles,
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=0,
)
