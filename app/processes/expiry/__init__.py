"""Expiring bundles and goodwill: the guide, reminder items, the reminders worklist,
wording and the playbook ids the code relies on."""

from app.i18n import N_
from app.processes.base import ProcessSpec
from app.processes.expiry import guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name="expiry",
    label=N_("Expiring bundle"),
    guide_module=guide.__name__,
    playbook_ids={
        guide.REMINDER: (),
        guide.GOODWILL: (guide.ENTER_MONTHS, guide.DECIDE),
    },
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"reminders": worklist.reminders_worklist},
    worklist_titles={"reminders": N_("Reminders due today")},
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=2,
)
