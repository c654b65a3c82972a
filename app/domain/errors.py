"""The one error the rules raise for input they cannot decide on."""

from __future__ import annotations


class RuleInputError(ValueError):
    """Input that breaks a rule's preconditions, naming the field (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
