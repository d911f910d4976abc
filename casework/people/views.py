"""People in a case: add, link an existing person, edit details and consent, names, family."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework import permissions
from casework.audit import services as audit
from casework.cases import services as case_services
from casework.cases.forms import (
    FamilyForm,
    FindPersonForm,
    LinkPersonForm,
    NameForm,
    NewPersonForm,
    PersonForm,
)
from casework.cases.models import Case, CasePerson
from casework.core.cli import register_seeder
from casework.core.conflicts import prepare_conflict
from casework.core.db import db
from casework.core.errors import StaleEdit, ValidationFailed
from casework.core.formflow import claim_sent, perform, sent_before, submit
from casework.core.forms import apply_errors, initial_data, pairs
from casework.core.i18n import gettext as _
from casework.core.types import PartialDate, PartialDateError
from casework.loader import load, no_page_if_hidden
from casework.people import matching, merging, services
from casework.people.cli import people_cli
from casework.people.models import Person, PersonMerge
from casework.people.services import NameInput

bp = Blueprint("people", __name__)


def _details(form: PersonForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in services.PERSON_FIELDS}


def _editable_person(case: Case, person_id: str) -> Person:
    """A person of ``case`` the user may edit (also from every restricted case they are in).
    Refused, the page says why, as the bare refusal already tells: the person is in a case the
    user may not change (which one, or that it is restricted, it does not say)."""
    return load(
        Person,
        person_id,
        current_user,
        case=case,
        need=lambda user, person: permissions.can_edit_person(user, person, case),
        refusal=_(
            "This person is also recorded in a case you may not change, so their record is "
            "changed only by someone who may change every case they are in. Ask a "
            "coordinator, or record what you know in this case's events or comments."
        ),
    )


# Someone already recorded, found by name to be added to a case: the best this many.
FOUND_SHOWN = 20


def _birth_year(text: str | None) -> int | None:
    try:
        parsed = PartialDate.parse(text)
    except PartialDateError:
        return None
    return parsed.year if parsed else None


def _visible_person(public_id: str | None) -> Person | None:
    if not public_id or "\x00" in public_id:  # never in an id; PostgreSQL refuses it
        return None
    return db.session.scalar(
        select(Person).where(
            Person.public_id == public_id, permissions.visible_people_clause(current_user)
        )
    )


def _recorded_elsewhere(
    case: Case, name: str, *, limit: int = 10, **match: Any
) -> list[matching.Candidate]:
    """Visible people who may be called ``name``, not those already in this case."""
    in_case = [cp.person_id for cp in case_services.case_people(case)]
    return matching.find_matches(current_user, [name], exclude=in_case, limit=limit, **match)


@bp.route("/cases/<public_id>/people/new", methods=["GET", "POST"])
def new_person(public_id: str):
    """Add a new person to the case (after checking for someone already recorded under that
    name), or find someone already recorded by name and add that record."""
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = NewPersonForm()
    link_form = LinkPersonForm(prefix="link")
    find_form = FindPersonForm(prefix="find")
    possible: list[matching.Candidate] = []
    found: list[matching.Candidate] | None = None
    more_found = False
    if request.method == "POST" and "link-person" in request.form:
        if link_form.validate_on_submit():
            chosen = _visible_person(link_form.person.data)
            if chosen is None:
                abort(404)
            case_services.add_person_to_case(current_user, case, chosen, link_form.role.data)
            db.session.commit()
            flash(_("Person added to the case."), "success")
            return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
    elif request.method == "POST" and "find-name" in request.form:
        if find_form.validate_on_submit():
            # A name search like the case list's: as many candidates, and one more found than
            # shown tells that more match.
            found = _recorded_elsewhere(
                case,
                find_form.name.data,
                threshold=matching.SEARCH_THRESHOLD,
                limit=FOUND_SHOWN + 1,
                candidates=matching.SEARCH_CANDIDATES,
            )
            more_found, found = len(found) > FOUND_SHOWN, found[:FOUND_SHOWN]
    elif request.method == "POST" and sent_before(form):
        return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
    elif request.method == "POST" and form.validate_on_submit():
        if not request.form.get("confirm_new"):
            possible = _recorded_elsewhere(
                case,
                form.name.data,
                birth_year=_birth_year(form.birth_date.data),
                nationality=form.nationality.data or None,
            )
        if not possible and not claim_sent(form):
            return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
        if not possible:
            try:
                case_services.add_new_person(
                    current_user,
                    case,
                    [NameInput(form.name.data, None, form.name_kind.data)],
                    form.role.data,
                    **_details(form),
                )
            except ValidationFailed as exc:
                db.session.rollback()
                apply_errors(form, exc)
            else:
                db.session.commit()
                flash(_("Person added to the case."), "success")
                return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
    page = render_template(
        "people/new.html",
        case=case,
        form=form,
        link_form=link_form,
        find_form=find_form,
        possible=possible,
        found=found,
        more_found=more_found,
        cases_of=matching.readable_cases_of(
            current_user, [c.person for c in possible + (found or [])]
        ),
    )
    if found is not None:
        # Audited once rendered: the commit would expire the people found, read again one by one.
        audit.record(current_user, "case.name_search", object_type="search", results=len(found))
        db.session.commit()
    return page


@bp.route("/cases/<public_id>/people/<person_id>", methods=["GET", "POST"])
def edit_person(public_id: str, person_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    person = _editable_person(case, person_id)
    link = services.case_link(person, case)
    if link is not None:
        no_page_if_hidden(link)  # removed from the case: restored from the case's page first
    form = PersonForm(data=initial_data(person, PersonForm))
    saved = None
    status = 200

    def stale(exc: StaleEdit):
        nonlocal saved, status
        saved, status = prepare_conflict(form, person), 409

    done = submit(
        form,
        lambda: services.update_person(
            current_user, person, _details(form), form.version.data, case=case
        ),
        success=_("Person saved."),
        then=url_for("cases.case_file", public_id=case.public_id) + "#people",
        on_stale=stale,
    )
    if done is not None:
        return done
    people = case_services.case_people_with_names(case)
    others = [cp.person for cp in people if cp.person_id != person.id]
    family_form = FamilyForm(prefix="family")
    family_form.relative.choices = pairs([(p.public_id, p.primary_name) for p in others])
    return render_template(
        "people/edit.html",
        case=case,
        person=person,
        form=form,
        saved=saved,
        name_form=NameForm(prefix="name"),
        family_form=family_form,
        family=services.family_of(person, current_user),
        names=services.visible_names(person),
        other_cases=_other_cases(person, case),
        merge_candidates=_merge_candidates(person),
        merges=merging.merges_of(person),
        may_unmerge=person.merged_into_id is None
        and permissions.can_merge_people(current_user, merging.cases_of(person)),
    ), status


def _merge_candidates(person: Person) -> list[tuple[matching.Candidate, bool]]:
    """Other records that may be this person, and whether the user may merge each."""
    names = [n.name for n in services.visible_names(person)]
    found = matching.find_matches(current_user, names, exclude=[person.id], limit=5)
    cases = merging.cases_by_person([person, *(c.person for c in found)])
    return [
        (c, permissions.can_merge_people(current_user, cases[person.id] + cases[c.person.id]))
        for c in found
    ]


def _may_merge(user: Any, case: Case) -> bool:
    return permissions.may(user, "merge_people", case)


@bp.post("/cases/<public_id>/people/<person_id>/merge")
def merge_person(public_id: str, person_id: str):
    case = load(Case, public_id, current_user, need=_may_merge)
    person = _editable_person(case, person_id)
    if not request.form.get("other"):
        abort(400)  # no record chosen to merge with
    other = _visible_person(request.form.get("other"))
    if other is None:
        abort(404)
    return perform(
        lambda: merging.merge_people(current_user, person, other),
        success=_("Merged: every name, case and family link of both records is now on this one."),
        then=_person_page(case, person),
    )


@bp.post("/cases/<public_id>/people/<person_id>/merges/<merge_id>/undo")
def unmerge_person(public_id: str, person_id: str, merge_id: str):
    case = load(Case, public_id, current_user, need=_may_merge)
    person = _editable_person(case, person_id)
    merge = db.session.scalar(
        select(PersonMerge).where(
            PersonMerge.public_id == merge_id, PersonMerge.survivor_id == person.id
        )
    )
    if merge is None:
        abort(404)
    return perform(
        lambda: merging.unmerge(current_user, merge),
        success=_("Merge undone: the two records are separate again."),
        then=_person_page(case, person),
    )


def _other_cases(person: Person, case: Case) -> list[Case]:
    cases = db.session.scalars(
        select(Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(
            CasePerson.person_id == person.id,
            # Not the cases the person was removed from, nor hidden ones.
            CasePerson.hidden_at.is_(None),
            Case.hidden_at.is_(None),
            Case.id != case.id,
            permissions.readable_cases_clause(current_user),
        )
    )
    return list(cases)


@bp.post("/cases/<public_id>/people/<person_id>/names")
def add_name(public_id: str, person_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    person = _editable_person(case, person_id)
    form = NameForm(prefix="name")
    return perform(
        lambda: services.add_name(
            current_user,
            person,
            NameInput(form.name.data, form.script.data or None, form.kind.data),
            case=case,
        ),
        success=_("Name added."),
        then=_person_page(case, person),
        form=form,
        invalid=_("Give the name (at most 200 characters)."),
    )


@bp.post("/cases/<public_id>/people/<person_id>/family")
def add_family(public_id: str, person_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    person = _editable_person(case, person_id)
    form = FamilyForm(prefix="family")
    form.relative.choices = pairs(
        [(cp.person.public_id, "") for cp in case_services.case_people(case)]
    )
    return perform(
        lambda: services.add_family_link(
            current_user,
            load(Person, form.relative.data, current_user, case=case),
            person,
            form.relation.data,
            case=case,
        ),
        success=_("Family link added."),
        then=_person_page(case, person),
        form=form,
        invalid=_("Choose a relative and the relation."),
    )


@bp.post("/cases/<public_id>/people/<person_id>/names/<int:name_id>/hide")
def hide_name(public_id: str, person_id: str, name_id: int):
    case = load(Case, public_id, current_user, need=permissions.can_hide)
    person = _editable_person(case, person_id)
    return perform(
        lambda: services.hide_name(
            current_user, person, name_id, request.form.get("reason"), case=case
        ),
        success=_("Name removed. It stays in the record and the audit trail."),
        then=_person_page(case, person),
    )


def _person_page(case: Case, person: Person) -> str:
    """Where a form of the person's page leads: their page, or the case's people for a person
    removed from the case (whose page does not open)."""
    link = services.case_link(person, case)
    if link is not None and link.is_hidden:
        return url_for("cases.case_file", public_id=case.public_id) + "#people"
    return url_for("people.edit_person", public_id=case.public_id, person_id=person.public_id)


def init_app(app: Flask) -> None:
    app.cli.add_command(people_cli)
    register_seeder("name matching keys", matching.refresh_keys)
