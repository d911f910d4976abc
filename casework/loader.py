"""The one loader every route uses: find the object, check it may be seen, check the right.

``load(Model, key, user, need=..., case=...)``: an object that does not exist, does not belong to
``case``, or that the user may not see raises NotVisible (a 404 that never reveals it exists);
one the user sees but may not act on as ``need`` asks raises PermissionDenied (a 403). A record
of a case the user reads, which they would see but for its removal from the case (hidden), raises
RemovedFromCase: a NotVisible, that a form sent from its page answers with a conflict (409) keeping
what was typed. A refusal on an object that exists is audited.
Which user sees what is decided by ``casework.permissions`` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casework import permissions
from casework.advocacy.models import AdvocacyAction, UPRCycle, UPRRecommendation
from casework.audit import services as audit
from casework.cases.models import Case, CaseMember, CasePerson, Comment, Event
from casework.core import sealing
from casework.core.db import db
from casework.core.errors import NotVisible, PermissionDenied, RemovedFromCase
from casework.evidence.models import Document, Source
from casework.jobs.models import Job
from casework.legal.models import CasePrecedent, CaseProvision, Instrument, Provision, Remedy
from casework.legal.services import normalise_code
from casework.people.models import Person
from casework.reports.models import ReportDraft

T = TypeVar("T")

# Records that belong to one case: seen with the right to read that case.
_CASE_RECORDS = (Event, Source, Document, Comment, CaseProvision, CasePrecedent, Remedy)
# Integer primary keys fit in 63 bits; anything longer is not an id of ours.
_MAX_ID = 2**63 - 1


def _find(model: type[T], key: str | int) -> T | None:
    if model in (Instrument, Provision):
        return db.session.scalar(select(model).where(model.code == normalise_code(str(key))))
    if hasattr(model, "public_id"):
        # A NUL is never in an id, and PostgreSQL refuses it in a query (a 500, not a 404).
        if not isinstance(key, str) or len(key) > 64 or "\x00" in key:
            return None
        query = select(model).where(model.public_id == key)
        if model is Case:
            # Its team with their accounts, in one more query: the access check reads the team
            # and the case's pages name it (``case_team``), which would read the accounts apart.
            query = query.options(selectinload(Case.members).joinedload(CaseMember.user))
        return db.session.scalar(query)
    try:
        number = int(key)
    except (TypeError, ValueError):
        return None
    return db.session.get(model, number) if 0 < number <= _MAX_ID else None


def _belongs(obj: Any, case: Case) -> tuple[bool, bool]:
    """Does ``obj`` belong to ``case``, and is it hidden there? A person belongs through their
    link to the case: removed from it (the link hidden), they are hidden in it, as a hidden
    record is, whatever other cases they are in."""
    if isinstance(obj, Person):
        link_hidden_at = db.session.execute(
            select(CasePerson.hidden_at).where(
                CasePerson.case_id == case.id, CasePerson.person_id == obj.id
            )
        ).first()
        if link_hidden_at is None:
            return False, False
        return True, obj.is_hidden or link_hidden_at[0] is not None
    return getattr(obj, "case_id", None) == case.id, getattr(obj, "is_hidden", False)


def can_see(user: Any, obj: Any, case: Case | None = None) -> bool:
    """May ``user`` see ``obj`` (reached through ``case`` when it belongs to one)?"""
    if isinstance(obj, Case):
        return permissions.can_view_case(user, obj)
    if case is not None:
        belongs, hidden = _belongs(obj, case)
        if not belongs or not permissions.can_view_identifying(user, case):
            return False
        if hidden and not permissions.can_restore(user, case):
            return False
        if isinstance(obj, Source):
            return permissions.can_see_source_identity(user, case, obj)
        return True
    if isinstance(obj, Person):
        return permissions.can_view_person(user, obj)
    if isinstance(obj, AdvocacyAction):
        return permissions.can_view_action(user, obj)
    if isinstance(obj, UPRRecommendation | UPRCycle):
        return permissions.can_view_upr(user)
    if isinstance(obj, Instrument | Provision):
        return permissions.can_view_catalogue(user)
    if isinstance(obj, ReportDraft):
        return permissions.can_view_draft(user, obj)
    if isinstance(obj, Job):
        return permissions.can_view_job(user, obj)
    return False  # a case record reached without its case, or an unknown type: deny


def _removed_from(user: Any, obj: Any, case: Case | None) -> bool:
    """Is ``obj``, which ``user`` may not see, a record of ``case`` that they would see were it
    not removed from it (hidden)? Asked only of a case the user reads: of any other, nothing
    tells a removed record from one that never was."""
    if case is None:
        return False
    belongs, hidden = _belongs(obj, case)
    if not (belongs and hidden) or not permissions.can_view_identifying(user, case):
        return False
    return not isinstance(obj, Source) or permissions.can_see_source_identity(user, case, obj)


def load(
    model: type[T],
    key: str | int | None,
    user: Any,
    need: Callable[[Any, T], bool] | None = None,
    *,
    case: Case | None = None,
    refusal: str | None = None,
) -> T:
    """The object if ``user`` may see it, else NotVisible; PermissionDenied if ``need`` fails
    (saying ``refusal``, if given, instead of the generic refusal)."""
    if model in _CASE_RECORDS and case is None:
        raise TypeError(f"{model.__name__} is loaded through its case")
    # Found and checked with the encrypted values of what is loaded still sealed (no check
    # reads one): a row the user may not see is never decrypted, and leaves the session.
    with sealing.left_sealed(db.session) as found:
        obj = _find(model, key) if key is not None else None
    with sealing.left_sealed(db.session) as consulted:
        seen = obj is not None and can_see(user, obj, case)
        removed = obj is not None and not seen and _removed_from(user, obj, case)
    if not seen:
        _forget(found + consulted)
        if obj is None:
            raise NotVisible()
        refusal = RemovedFromCase(case.public_id) if removed and case is not None else NotVisible()
        raise _refused(refusal, user, obj, 404)
    sealing.open_objects(db.session, found)
    # What deciding read (an action's cases, a person's cases) is decrypted only if the page
    # reads it: an action's page names its cases by reference alone.
    sealing.expire_sealed(db.session, consulted)
    if need is not None and not need(user, obj):
        raise _refused(PermissionDenied(reason=refusal), user, obj, 403)
    return obj


def _forget(loaded: list[Any]) -> None:
    """Take rows left sealed out of the session: nothing later in the request reads them."""
    for obj in loaded:
        if obj in db.session:
            db.session.expunge(obj)


def _refused(exc: Exception, user: Any, obj: Any, status: int) -> Exception:
    """Attach the audit of a refusal on an object that exists (who tried what) to ``exc``.

    The error handlers roll the request back, then call ``exc.after_rollback()`` and commit:
    the entry survives the rollback without a second transaction racing the request's own.
    A handler that answers otherwise than ``status`` (a removed record's conflict) passes its
    own.
    """
    case = obj if isinstance(obj, Case) else None

    def record(answered: int = status) -> None:
        audit.record(user, "access.refused", obj, case=case, status=answered)

    exc.after_rollback = record  # type: ignore[attr-defined]
    return exc


def no_page_if_hidden(record: Any) -> None:
    """A removed record has no edit page (404). A form sent from its page after it was removed
    still reaches the service, which refuses it with what was typed kept on the form."""
    if request.method != "POST" and record.is_hidden:
        abort(404)
