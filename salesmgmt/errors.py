"""Errors that services raise; pages show them as messages, the API maps them.

``PermissionDenied`` (Django's) stays the error for "you may not"; an object
outside the caller's scope is never looked up at all (404).
"""

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A business rule refuses the write (400 on the API, a form error on pages)."""


class ConflictError(Exception):
    """Somebody else changed the row since it was read (409 on the API)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
