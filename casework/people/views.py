"""People in a case: add, link an existing person, edit details and consent, names, family."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework import permissions
from casework.cases import services as case_services
from casework.cases.forms import FamilyForm, LinkPersonForm, NameForm, NewPersonForm, PersonForm
from casework.cases.models import Case, CasePerson
from casework.core.conflicts import prepare_conflict
from casework.core.db import db
from casework.core.errors import StaleEdit, ValidationFailed
from casework.core.formflow import perform, submit
from casework.core.forms import apply_errors, initial_data, pairs
from casework.loader import load
from casework.people import services
from casework.people.models import Person
from casework.people.services import NameInput

bp = Blueprint("people", __name__)


def _details(form: PersonForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in services.PERSON_FIELDS}


def _editable_person(case: Case, person_id: str) -> Person:
    """A person of ``case`` the user may edit (also from every restricted case they are in)."""
    return load(
        Person,
        person_id,
        current_user,
        case=case,
        need=lambda user, person: permissions.can_edit_person(user, person, case),
    )


def _linkable_people(case: Case) -> list[tuple[Person, str]]:
    """People in other cases whose identifying data the user may see (for linking)."""
    rows = db.session.execute(
        select(Person, Case)
        .join(CasePerson, CasePerson.person_id == Person.id)
        .join(Case, Case.id == CasePerson.case_id)
        .where(
            permissions.readable_cases_clause(current_user),
            Case.id != case.id,
            CasePerson.hidden_at.is_(None),
            Person.hidden_at.is_(None),
        )
        .order_by(Case.reference)
        .limit(500)
    )
    seen: set[int] = set()
    result = []
    for person, other in rows:
        if person.id in seen:
            continue
        seen.add(person.id)
        result.append((person, f"{person.primary_name} ({other.reference})"))
    return result


@bp.route("/cases/<public_id>/people/new", methods=["GET", "POST"])
def new_person(public_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    form = NewPersonForm()
    link_form = LinkPersonForm(prefix="link")
    link_form.person.choices = pairs([(p.public_id, label) for p, label in _linkable_people(case)])
    if request.method == "POST" and "link-person" in request.form:
        if link_form.validate_on_submit():
            person = db.session.scalar(
                select(Person).where(Person.public_id == link_form.person.data)
            )
            if person is None or person.public_id not in {c.data for c in link_form.person}:
                abort(404)
            case_services.add_person_to_case(current_user, case, person, link_form.role.data)
            db.session.commit()
            flash("Person added to the case.", "success")
            return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
    elif request.method == "POST" and form.validate_on_submit():
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
            flash("Person added to the case.", "success")
            return redirect(url_for("cases.case_file", public_id=case.public_id) + "#people")
    return render_template("people/new.html", case=case, form=form, link_form=link_form)


@bp.route("/cases/<public_id>/people/<person_id>", methods=["GET", "POST"])
def edit_person(public_id: str, person_id: str):
    case = load(Case, public_id, current_user, need=permissions.can_edit_case)
    person = _editable_person(case, person_id)
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
        success="Person saved.",
        then=url_for("cases.case_file", public_id=case.public_id) + "#people",
        on_stale=stale,
    )
    if done is not None:
        return done
    others = [cp.person for cp in case_services.case_people(case) if cp.person_id != person.id]
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
    ), status


def _other_cases(person: Person, case: Case) -> list[Case]:
    cases = db.session.scalars(
        select(Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(
            CasePerson.person_id == person.id,
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
        success="Name added.",
        then=_person_page(case, person),
        form=form,
        invalid="Give the name (at most 200 characters).",
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
        success="Family link added.",
        then=_person_page(case, person),
        form=form,
        invalid="Choose a relative and the relation.",
    )


@bp.post("/cases/<public_id>/people/<person_id>/names/<int:name_id>/hide")
def hide_name(public_id: str, person_id: str, name_id: int):
    case = load(Case, public_id, current_user, need=permissions.can_hide)
    person = _editable_person(case, person_id)
    return perform(
        lambda: services.hide_name(
            current_user, person, name_id, request.form.get("reason"), case=case
        ),
        success="Name removed. It stays in the record and the audit trail.",
        then=_person_page(case, person),
    )


def _person_page(case: Case, person: Person) -> str:
    return url_for("people.edit_person", public_id=case.public_id, person_id=person.public_id)
