"""Complaints: the guide, one item per open case, the complaints worklist, wording and
the playbook ids the code relies on."""

from app.i18n import N_
from app.processes.base import EVERY_FLOW, ProcessSpec
from app.processes.complaint import guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name="complaint",
    label=N_("Complaint"),
    start_words=N_("New complaint: {flow}"),
    guide_module=guide.__name__,
    playbook_ids={
        EVERY_FLOW: tuple(sorted({*guide.ROUTE_ENDS, guide.HAND_OVER_STEP, guide.SECOND_LINE_STEP}))
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"complaints": worklist.complaints_worklist},
    worklist_titles={"complaints": N_("Complaints and claims")},
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=0,
)
