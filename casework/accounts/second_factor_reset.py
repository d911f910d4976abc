"""Recovering a lost second factor: never by one person. A coordinator and an admin (two
different people, neither of them the user) each approve; the second approval removes the
user's TOTP secret and recovery codes and ends their sessions. Each step is audited."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from casework.accounts import sessions, totp
from casework.accounts.models import SecondFactorReset, User
from casework.accounts.services import revoke_standing_credentials
from casework.audit.services import record
from casework.core.db import db, utcnow
from casework.core.errors import PermissionDenied, ValidationFailed
from casework.core.i18n import gettext as _
from casework.permissions import established_approver, second_factor_reset_slot


def _window() -> timedelta:
    return timedelta(hours=current_app.config["SECOND_FACTOR_RESET_HOURS"])


def open_requests() -> list[SecondFactorReset]:
    """Requests still waiting for their second approval (older ones have lapsed)."""
    return list(
        db.session.scalars(
            select(SecondFactorReset)
            .where(
                SecondFactorReset.completed_at.is_(None),
                SecondFactorReset.cancelled_at.is_(None),
                SecondFactorReset.created_at >= utcnow() - _window(),
            )
            .options(
                joinedload(SecondFactorReset.user),
                joinedload(SecondFactorReset.coordinator),
                joinedload(SecondFactorReset.admin),
            )
            .order_by(SecondFactorReset.created_at)
        )
    )


def _open_request_for(user: User) -> SecondFactorReset | None:
    for request in open_requests():
        if request.user_id == user.id:
            return request
    return None


def approve(actor: User, user: User) -> SecondFactorReset:
    """``actor`` approves removing ``user``'s second factor; done once both roles approved."""
    slot = second_factor_reset_slot(actor, user)
    if slot is None:
        raise PermissionDenied("Only a coordinator and an administrator, together, do this.")
    if not established_approver(actor):
        days = current_app.config["SECOND_FACTOR_APPROVER_DAYS"]
        raise ValidationFailed(
            {
                "user": [
                    _(
                        "An approval needs an authenticator in use for %(days)s days; yours is "
                        "newer. Another coordinator or administrator must approve.",
                        days=days,
                    )
                ]
            }
        )
    if not user.has_second_factor:
        raise ValidationFailed({"user": [_("This account has no second factor to reset.")]})
    request = _open_request_for(user)
    if request is None:
        request = SecondFactorReset(user_id=user.id, created_at=utcnow())
        db.session.add(request)
    if getattr(request, f"{slot}_id") is not None:
        message = (
            _("The coordinator's approval is already given; an administrator must approve now.")
            if slot == "coordinator"
            else _("The administrator's approval is already given; a coordinator must approve now.")
        )
        raise ValidationFailed({"user": [message]})
    if actor.id in (request.coordinator_id, request.admin_id):
        # Two people: an approval given under another role (before a role change) counts once.
        raise ValidationFailed(
            {
                "user": [
                    _("You approved this reset already: someone else must give the other approval.")
                ]
            }
        )
    setattr(request, f"{slot}_id", actor.id)
    setattr(request, f"{slot}_at", utcnow())
    db.session.flush()
    record(actor, "user.second_factor_reset_approved", user, approval=slot)
    if request.coordinator_id is not None and request.admin_id is not None:
        totp.remove_second_factor(user)
        sessions.end_all(user)
        revoke_standing_credentials(user)
        request.completed_at = utcnow()
        record(actor, "user.second_factor_reset", user, request=request.public_id)
    return request


def cancel(actor: User, request: SecondFactorReset) -> None:
    if second_factor_reset_slot(actor, request.user) is None:
        raise PermissionDenied("Only a coordinator or an administrator cancels a reset.")
    request.cancelled_at = utcnow()
    record(actor, "user.second_factor_reset_cancelled", request.user)


def get_open(public_id: str) -> SecondFactorReset | None:
    for request in open_requests():
        if request.public_id == public_id:
            return request
    return None
