"""What every process guide provides to the playbook runner.

A guide is the glue between one process's playbook and the rules engine: it
computes the *facts* the playbook's words and branches use (the customer's
stage, an effective date, an amount), always by asking the rules engine, and
it records what is specific to its process when a step is completed (a
bundle's reminder marked as sent, a subscription's change date). Words and
flow live in the playbook file; decisions live in ``app/domain``; a guide
never re-implements a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from app.domain.playbook import RunState
from app.domain.playbook_schema import Step
from app.domain.ruleset import RuleSet
from app.store.models import Case, Customer
from app.store.repositories import UnitOfWork


@dataclass(frozen=True)
class Facts:
    """Typed values for texts and conditions, and the rules behind them."""

    values: Mapping[str, Any] = field(default_factory=dict)
    rule_ids: tuple[str, ...] = ()
    ruleset_version: str | None = None


@dataclass
class GuideContext:
    """Everything a guide may look at while a step is shown or completed."""

    uow: UnitOfWork
    customer: Customer
    case: Case
    state: RunState
    today: date
    rules: RuleSet
    author: str

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.state.answers


class ProcessGuide(Protocol):
    """One process's guide. Implementations live in ``app/processes/<process>/guide.py``."""

    process: str

    def facts(self, ctx: GuideContext) -> Facts:
        """The facts for the current state of the run (may depend on answers so far)."""
        ...

    def after_step(self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]) -> None:
        """Record what is specific to this process once ``step`` is completed."""
        ...


class NoFacts:
    """A guide for a process that needs nothing beyond the built-in facts."""

    def __init__(self, process: str) -> None:
        self.process = process

    def facts(self, ctx: GuideContext) -> Facts:
        return Facts()

    def after_step(self, ctx: GuideContext, step: Step, answers: Mapping[str, Any]) -> None:
        return None
