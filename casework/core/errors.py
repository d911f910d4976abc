"""Domain exceptions raised by services; views turn them into messages or HTTP errors."""

from __future__ import annotations

from typing import Any

from casework.core.i18n import N_


class DomainError(Exception):
    """Base class: a request that the rules of the domain refuse."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``errors`` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = errors
        super().__init__("; ".join(m for msgs in errors.values() for m in msgs))


class StorageFailed(ValidationFailed):
    """The attachment store could not take a file (full, unreachable): nothing was saved.

    A ValidationFailed, so that forms show it beside the file field and keep the rest."""


class PermissionDenied(DomainError):
    """The user may see the object but not do this to it (HTTP 403). ``reason``: what the page
    says instead of the generic refusal (translated; never naming what the user may not see)."""

    def __init__(self, *args: Any, reason: str | None = None) -> None:
        self.reason = reason
        super().__init__(*args)


class NotVisible(DomainError):
    """The object does not exist for this user (HTTP 404, never revealing that it exists)."""


class RemovedFromCase(NotVisible):
    """A record of a case the user reads, removed from it (hidden), that they would see were it
    not removed, and may not see removed (only who restores records does).

    Answered as NotVisible (404) everywhere, except to a form sent from the record's page
    before the removal: that sender is told it was removed and keeps what they typed (409),
    never shown the record. ``case_public_id`` is the case the record was reached through.
    """

    def __init__(self, case_public_id: str) -> None:
        self.case_public_id = case_public_id
        super().__init__("the record was removed from the case")


class StaleEdit(DomainError):
    """Someone else saved the record since the form was loaded: nothing was overwritten."""

    def __init__(self, current: Any, submitted: dict[str, Any]) -> None:
        self.current = current
        self.submitted = submitted
        super().__init__("the record was changed by someone else since you opened it")


class MissingVersion(DomainError):
    """An edit that does not say which version it was made on: refused, never applied blind."""

    message = N_(
        "This change does not say which version of the record it was made on, so it was not "
        "saved. Reload the page and make the change again."
    )


def check_version(obj: Any, expected: int | str | None, submitted: dict[str, Any]) -> None:
    """Raise StaleEdit if ``obj`` is no longer at the version the form was loaded with.

    An edit without a readable version raises MissingVersion (a 400): nothing is overwritten.
    """
    try:
        expected_int = int(str(expected).strip()) if expected not in (None, "") else None
    except (TypeError, ValueError):
        expected_int = None
    if expected_int is None:
        raise MissingVersion(MissingVersion.message)
    if expected_int != obj.version:
        raise StaleEdit(obj, submitted)
