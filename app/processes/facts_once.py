"""A guide's facts computed once per state of a step, however often they are asked for.

Completing a step asks for the facts to check the answers, again with the
answers to take the decision, and a guide's ``after_step`` may ask once more;
each time the rules engine runs and the guide queries the store. Within one
:class:`~app.processes.base.GuideContext` (one unit of work, one step) the
facts depend only on the run's flow and answers and the case's own facts, so
:func:`facts_once` keeps them by exactly that and computes them once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.processes.base import Facts, GuideContext, ProcessGuide

#: Where the facts computed in one context are kept (an attribute of the context).
_MEMO = "_facts_once"


def facts_once(guide: ProcessGuide, ctx: GuideContext) -> Facts:
    """``guide.facts(ctx)``, computed once for one flow, set of answers and case facts."""
    memo: dict[str, Facts] = ctx.__dict__.setdefault(_MEMO, {})
    key = json.dumps(
        [ctx.case.process, ctx.state.flow, dict(ctx.answers), dict(ctx.case.facts)],
        sort_keys=True,
        default=str,
    )
    if key not in memo:
        memo[key] = guide.facts(ctx)
    return memo[key]


__all__ = ["facts_once"]
