"""What the services raise when a use case cannot be carried out.

Every message is already translated into the agent's UI language and names
what is wrong, so the window can show it as it is. Anything else escaping a
service is a bug, not something the agent can fix.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A use case refused or failed for a reason the agent can understand."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(ServiceError):
    """The input is not acceptable; ``field`` names which input, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(ServiceError):
    """Something the use case refers to does not exist (any more)."""
