"""The audit trail in words: every action code the code records has a sentence, and a label of
its own for the audit page's filter, under the group of its object."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from casework.audit.wording import (
    ACTION_GROUPS,
    OBJECT_TYPES,
    WORDING,
    Sentence,
    action_choices,
    action_group,
    action_label,
    describe,
    object_type_label,
)
from casework.cases import services as cases
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from tests.clients import client_for
from tests.factories import make_case, make_user

ROOT = Path(__file__).resolve().parent.parent / "casework"
CODE = re.compile(r"^[a-z_0-9]+\.[a-z_0-9]+$")
# Calls whose action argument is an audit action code, and where it sits among the arguments.
_ACTION_ARG = {"record": 1, "apply_changes": 3}


def _strings(node: ast.AST, assigned: dict[str, list[ast.AST]]) -> tuple[set[str], list[str]]:
    """The action codes an expression can take (constants, names bound to constants, branches);
    and the expressions that cannot be read (an f-string builds a code nobody can check)."""
    codes: set[str] = set()
    unreadable: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and CODE.match(sub.value):
            codes.add(sub.value)
        elif isinstance(sub, ast.JoinedStr):
            unreadable.append(ast.unparse(sub))
        elif isinstance(sub, ast.Name) and sub.id in assigned:
            for value in assigned.pop(sub.id):
                more, bad = _strings(value, assigned)
                codes |= more
                unreadable += bad
    return codes, unreadable


def action_codes_in_code() -> tuple[set[str], list[str]]:
    codes: set[str] = set()
    unreadable: list[str] = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args: list[ast.AST] = []
            if name in _ACTION_ARG and len(node.args) > _ACTION_ARG[name]:
                args.append(node.args[_ACTION_ARG[name]])
            args += [kw.value for kw in node.keywords if kw.arg == "action"]
            for arg in args:
                found, bad = _strings(arg, dict(assigned))
                codes |= found
                unreadable += [f"{path.name}: {b}" for b in bad]
    # ``hide``/``restore`` default to these.
    codes |= {"record.hidden", "record.restored"}
    return codes, unreadable


def test_every_action_code_has_wording():
    codes, unreadable = action_codes_in_code()
    assert len(codes) > 90  # the scan finds the codes (it would pass vacuously otherwise)
    assert {"case.status_changed", "legal.link_created", "reminders.run"} <= codes
    assert not unreadable, "build action codes from literals, so they can be checked"
    missing = sorted(codes - set(WORDING))
    assert not missing, f"action codes without a sentence in casework/audit/wording.py: {missing}"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_action_code_has_a_label_of_its_own_in_its_group(app, language):
    codes, _unreadable = action_codes_in_code()
    codes |= set(WORDING)
    # A sentence built by a function says what happened in short only through its summary.
    bare = sorted(c for c in codes if c in WORDING and not isinstance(WORDING[c], str | Sentence))
    assert not bare, f"give these a Sentence(build, summary) in casework/audit/wording.py: {bare}"
    ungrouped = sorted(c for c in codes if c.partition(".")[0] not in ACTION_GROUPS)
    assert not ungrouped, f"no group in ACTION_GROUPS for: {ungrouped}"
    with app.test_request_context("/"), force_locale(language):
        labels: dict[tuple[str, str], list[str]] = {}
        for code in sorted(codes):
            label = action_label(code)
            assert label and label != code and label[0].isupper(), (code, label)
            assert not re.search(r"[{}?]|%\(", label), (code, label)
            labels.setdefault((action_group(code), label), []).append(code)
    same = {key: found for key, found in labels.items() if len(found) > 1}
    assert not same, f"codes one label cannot tell apart: {same}"


# Tables of the machinery, never the object of an audit entry (an entry names the record a
# person acted on: the case, the account, the document...).
NEVER_AUDITED = frozenset(
    {
        "audit_entries",
        "audit_chain_head",
        "data_keys",
        "setup_marker",
        "index_versions",
        "search_tokens",
        "person_name_keys",
        "api_idempotency_keys",
        "user_sessions",
        "recovery_codes",
        "password_reset_codes",
        "organisation_profile",  # its changes are recorded as the object type "organisation"
    }
)


def object_types_in_code() -> set[str]:
    """The object types an entry can have: the table of any record the code keeps, and the
    words given as ``object_type=`` where no record is the object ("system", "search"...)."""
    types = {"system"}  # ``record`` without an object
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "object_type" and isinstance(kw.value, ast.Constant):
                        types.add(kw.value.value)
    tables = {mapper.local_table.name for mapper in db.Model.registry.mappers}
    return types | (tables - NEVER_AUDITED)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_object_type_has_a_label_of_its_own(app, language):
    """The audit page's object-type filter and its Object column name what an entry is about
    in words, not by a table's name ("case_people"); a new kind of object needs its label."""
    types = object_types_in_code()
    assert {"cases", "users", "case_people", "search", "backup", "page"} <= types
    assert not NEVER_AUDITED & set(OBJECT_TYPES)
    missing = sorted(types - set(OBJECT_TYPES))
    assert not missing, f"object types without a label in casework/audit/wording.py: {missing}"
    with app.test_request_context("/"), force_locale(language):
        labels = {code: object_type_label(code) for code in types}
    for code, label in labels.items():
        assert label and label != code and label[0].isupper() and "_" not in label, code
        if language == "ru":
            assert re.search("[а-яё]", label, re.I), (code, label)
    same = sorted(label for label in labels.values() if list(labels.values()).count(label) > 1)
    assert not same, f"object types one label cannot tell apart: {same}"


def test_the_audit_page_names_object_types_in_the_readers_language(app):
    admin = make_user(Role.ADMIN, language="ru")
    coordinator = make_user(Role.COORDINATOR)
    case = make_case(coordinator)
    cases.update_case(coordinator, case, {"urgency": "imminent"}, case.version)
    db.session.commit()
    browser = client_for(app, admin)
    html = browser.get("/admin/audit").get_data(as_text=True)
    start = html.index('<select name="object_type">')
    options = options_of(html[start : html.index("</select>", start)])
    assert ("cases", "Дело") in options and ("users", "Учётная запись") in options
    labels = [label for code, label in options if code]
    assert labels == sorted(labels, key=str.casefold)
    # The Object column: the kind in words, the public id as it is; the filter keeps its code.
    rows = browser.get("/admin/audit?object_type=cases").get_data(as_text=True)
    assert f"<td>Дело {case.public_id}" in rows and "<td>cases " not in rows
    assert '<option value="cases" selected>Дело</option>' in rows
    with app.test_request_context("/"):
        assert object_type_label("case_people") == "Person in a case"
        assert object_type_label("gone_table") == "gone_table"  # an old entry's, as it is


def test_labels_say_what_happened_without_who_or_the_details(app):
    with app.test_request_context("/"):
        assert action_label("case.status_changed") == "Changed the status of the case"
        assert action_label("backup.created") == "Made a backup"  # "({tables} tables...)" gone
        assert action_label("legal.link_hidden") == "Removed the link to …"
        assert action_label("case.updated") == "Changed the case"
        assert action_label("old.gone") == "old.gone"  # an action no longer recorded
        with force_locale("ru"):
            assert action_label("case.status_changed") == "Изменён статус дела"
            assert action_label("import.cases") == "Импорт дел"  # "— {cases} (...)" gone
            assert action_label("reminders.run") == "Рассылка напоминаний"
            assert action_group("case.viewed") == "Дела"
        choices = dict(action_choices(["case.viewed", "case.created", "user.created", "x.y"]))
        assert list(choices) == ["Accounts", "Cases", "Other"]
        assert choices["Cases"] == [("case.created", "Created the case"),
                                    ("case.viewed", "Opened the case file")]  # fmt: skip


def test_the_audit_filter_offers_labels_grouped_by_object(app):
    admin = make_user(Role.ADMIN, language="ru")
    coordinator = make_user(Role.COORDINATOR)
    case = make_case(coordinator)
    cases.update_case(coordinator, case, {"urgency": "imminent"}, case.version)
    db.session.commit()
    browser = client_for(app, admin)
    html = browser.get("/admin/audit").get_data(as_text=True)
    select = html[html.index('<select name="action">') : html.index("</select>", html.index(
        '<select name="action">'))]  # fmt: skip
    assert '<optgroup label="Дела">' in select and '<optgroup label="Вход в систему">' in select
    options = options_of(select)
    assert ("case.updated", "Изменения (дело)") in options
    assert ("user.created", "Создана учётная запись") in options
    assert not [label for code, label in options if code and label == code]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [g for g, _body in groups] == sorted((g for g, _body in groups), key=str.casefold)
    for _group, body in groups:
        labels = [label for _code, label in options_of(body)]
        assert labels == sorted(labels, key=str.casefold)
    # The option still filters by its code, and stays chosen.
    chosen = browser.get("/admin/audit?action=case.updated").get_data(as_text=True)
    assert '<option value="case.updated" selected>Изменения (дело)</option>' in chosen


_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def options_of(html: str) -> list[tuple[str, str]]:
    """(value, text) of each option in ``html``, unescaped."""
    return [(unescape(v), unescape(t)) for v, t in _OPTION.findall(html)]


def _entry(action, actor=None, **details):
    return SimpleNamespace(action=action, actor=actor, details=details)


def test_sentences_read_as_words():
    ruslan = SimpleNamespace(display_name="Ruslan")
    aida = SimpleNamespace(display_name="Aida")
    assert (
        describe(
            _entry(
                "legal.link_created",
                ruslan,
                code="CAT:3",
                assessment="at_risk",
                violation_status="likely",
            )
        )
        == "Ruslan linked CAT:3, at risk, likely"
    )
    assert (
        describe(_entry("case.status_changed", aida, old="submitted", new="in_review"))
        == "Aida changed the status from submitted for review to in legal review"
    )
    sentence = describe(
        _entry(
            "case.updated",
            aida,
            fields=["narrative", "urgency"],
            changes={"urgency": ["routine", "imminent"]},
        )
    )
    assert sentence == (
        "Aida changed the case: the narrative; the urgency from Routine to Imminent removal"
    )
    # A detail missing from an old entry never breaks the page.
    assert describe(_entry("legal.instrument_created")) == "The system added the instrument ?"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Aida changed the case: the date of the act from 2011-06 to 2011-06-05"),
        ("ru", "Aida: изменения (дело): дата акта: с «06.2011» на «05.06.2011»"),
    ],
)
def test_dates_in_the_history_are_in_the_readers_convention(app, language, sentence):
    """A date before and after an edit reads as every other date of the interface does for its
    reader (05.06.2011 in Russian), on the case's history and on the audit page."""
    coordinator = make_user(Role.COORDINATOR, display_name="Aida", language=language)
    admin = make_user(Role.ADMIN, language=language)
    case = make_case(coordinator, act_date="2011-06")
    cases.update_case(coordinator, case, {"act_date": "2011-06-05"}, case.version)
    db.session.commit()
    page = client_for(app, coordinator).get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert sentence in unescape(page)
    page = client_for(app, admin).get("/admin/audit").get_data(as_text=True)
    assert sentence in unescape(page)
    with app.test_request_context("/"), force_locale(language):
        # A year alone reads the same in both; a value that only looks like a date stays.
        entry = _entry(
            "case.updated",
            SimpleNamespace(display_name="Aida"),
            fields=["birth_date", "reference"],
            changes={"birth_date": ["1979", "1979-04-12"], "reference": ["2011-13", "KZ-1"]},
        )
        words = describe(entry)
    assert ("12.04.1979" if language == "ru" else "1979-04-12") in words
    assert "1979" in words and "2011-13" in words


def test_case_history_and_audit_page_show_sentences(app):
    coordinator = make_user(Role.COORDINATOR, display_name="Aida")
    lawyer = make_user(Role.LAWYER, display_name="Ruslan")
    admin = make_user(Role.ADMIN)
    case = make_case(coordinator, team=((lawyer, TeamRole.LAWYER),))
    cases.update_case(coordinator, case, {"urgency": "imminent"}, case.version)
    db.session.commit()
    page = client_for(app, coordinator).get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert "Aida changed the case: the urgency from Routine to Imminent removal" in page
    assert "<code>case.updated</code>" not in page
    page = client_for(app, admin).get("/admin/audit").get_data(as_text=True)
    assert "Aida changed the case: the urgency from Routine to Imminent removal" in page


def test_no_audit_entry_is_given_an_identifying_value_by_name():
    """``record(..., **details)``: details are field names, codes and counts, never a value of
    an identifying field (a document's hash, a name, a contact) under that field's name."""
    from casework.permissions import IDENTIFYING_FIELDS

    identifying = set().union(*IDENTIFYING_FIELDS.values()) - {"reason"}
    found = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "record":
                found += [
                    f"{path.name}:{node.lineno} {kw.arg}"
                    for kw in node.keywords
                    if kw.arg in identifying
                ]
    assert "sha256" in identifying and "contacts" in identifying
    assert not found, found


def test_every_field_an_edit_can_name_has_a_label_in_each_language(app):
    """The history says which fields an edit changed ("changed the person: consent, notes"):
    each field an edited record has is named in words, and in Russian for a Russian reader,
    not by its column ("birth_date_approximate")."""
    from flask_babel import force_locale
    from sqlalchemy import inspect

    from casework.advocacy.models import AdvocacyAction, UPRCycle, UPRRecommendation
    from casework.audit.wording import field_name
    from casework.cases.models import Case, Event
    from casework.evidence.models import Source
    from casework.legal.models import CaseProvision, Instrument, Provision, Remedy
    from casework.people.models import Person

    bookkeeping = {"id", "public_id", "version", "created_at", "updated_at", "hidden_at"}
    edited = (Case, Event, Person, Source, Instrument, Provision, CaseProvision, Remedy)
    edited += (AdvocacyAction, UPRCycle, UPRRecommendation)
    fields = {
        attr.key
        for model in edited
        for attr in inspect(model).column_attrs
        if attr.key not in bookkeeping and not attr.key.endswith("_id")
    }
    fields -= {"hidden_reason"}  # a hide is its own entry, with its own sentence
    for language in ("en", "ru"):
        with app.test_request_context(), force_locale(language):
            named = {f: field_name(f) for f in fields}
        unnamed = sorted(f for f, words in named.items() if "_" in words)
        assert unnamed == [], language
        if language == "ru":
            english = sorted(f for f, w in named.items() if not re.search("[а-яё]", w))
            assert english == [], english


def test_a_backups_moment_reads_in_the_readers_convention(app):
    from flask_babel import force_locale

    entry = SimpleNamespace(
        actor=None,
        action="backup.restored",
        details={"created_at": "2026-11-30T02:30:00Z", "tables": 40, "files": 3},
    )
    with app.test_request_context():
        with force_locale("ru"):
            russian = describe(entry)
        with force_locale("en"):
            english = describe(entry)
    assert "30.11.2026 02:30 UTC" in russian and "2026-11-30T" not in russian
    assert "02:30 UTC" in english and "2026-11-30T" not in english
