"""The onboarding process's spec, loaded on first use (see :mod:`app.processes`)."""

from app.processes.base import EVERY_FLOW, ProcessSpec
from app.processes.onboarding import DECLARED, guide, todo, wording, worklist

PROCESS = ProcessSpec(
    name=DECLARED.name,
    label=DECLARED.label,
    guide_module=guide.__name__,
    playbook_ids={EVERY_FLOW: (*sorted(guide.BRANCH_ONLY), *guide.OPENS_TASK)},
    todo=todo.todo,
    covers_case=todo.covers_case,
    worklists={"onboarding": worklist.onboarding_worklist},
    worklist_titles=DECLARED.worklist_titles,
    item_words=wording.item_words,
    row_words=wording.row_words,
    urgency=3,
)
