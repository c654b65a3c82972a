"""New-customer onboarding: the guide, the program's item, its worklist, wording and the
playbook ids the code relies on."""

from app.i18n import N_
from app.processes.base import EVERY_FLOW, ProcessSpec
from app.processes.onboarding import guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name="onboarding",
    label=N_("Onboarding"),
    guide_module=guide.__name__,
    playbook_ids={EVERY_FLOW: (*sorted(guide.BRANCH_ONLY), *guide.OPENS_TASK)},
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"onboarding": worklist.onboarding_worklist},
    worklist_titles={"onboarding": N_("Onboarding tasks due or overdue")},
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=3,
)
