"""The access policy, walked over every route of the app as every role in every relation.

``ROUTES`` says which object and right each endpoint stands for; the expected answer comes from
the policy tables of ``casework.permissions`` (type x action x role x relation). A route missing
from ``ROUTES`` fails the test, so a new page cannot skip the policy. An object the user may not
see answers exactly like a missing one (404, same body); a visible one without the right, 403.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework.api import tokens
from casework.core.db import db
from casework.core.pipeline import PUBLIC_ENDPOINTS
from casework.core.vocab import Role
from casework.permissions import CASE_POLICY, GLOBAL_POLICY, THEMATIC_POLICY, Relation
from tests.clients import client_for
from tests.routes import build_url
from tests.world import ROLES, World, build_world

CASE_RELATIONS = (
    Relation.TEAM,
    Relation.OTHER,
    Relation.RESTRICTED_TEAM,
    Relation.RESTRICTED_OFF,
)

# endpoint -> (type, right). Types: "case" (a right of CASE_POLICY on the case in the URL),
# "source" (a source whose protected identity only the team sees), "action" / "thematic"
# (an advocacy action of a case, or with none: view, edit, download, restore: a removed
# document), "upr" (a recommendation: view, manage), "upr_case" (a recommendation and one of
# its cases), "catalogue" (view, manage), "global" (a right of GLOBAL_POLICY), "user" (any signed-in user), "person" (a
# person of the case: seen with the right to read it, else missing).
# "api" routes take a bearer token, never the session: this cookie walk expects 401 from them;
# tests/test_api_policy.py walks them with a token of every role in every relation, expecting
# what the (type, right) beside "api" says.
# A dict by method where GET and POST differ.
ROUTES: dict[str, Any] = {
    "accounts.create_user": ("global", "manage_accounts"),
    "accounts.edit_user": ("global", "manage_accounts"),
    "accounts.reset_password": ("global", "manage_accounts"),
    "accounts.users": ("global", "manage_accounts"),
    "accounts.logout": ("user", ""),
    "accounts.profile": ("user", ""),
    "accounts.enrol": ("user", ""),
    "accounts.two_factor": ("user", ""),
    "accounts.renew_recovery_codes": ("user", ""),
    "accounts.replace_second_factor": ("user", ""),
    "accounts.reauthenticate": ("user", ""),
    "accounts.dismiss_notices": ("user", ""),
    "accounts.end_other_sessions": ("user", ""),
    "accounts.second_factor_resets": ("global", "approve_2fa_resets"),
    "accounts.cancel_second_factor_reset": ("global", "approve_2fa_resets"),
    "advocacy.action_detail": ("action", "view"),
    "advocacy.change_status": ("action", "edit"),
    "advocacy.edit_action": ("action", "edit"),
    "advocacy.upload_action_document": ("action", "edit"),
    "advocacy.download_action_document": ("action", "download"),
    "advocacy.hide_action_document": ("action", "edit"),
    "advocacy.restore_action_document": ("action", "restore"),
    "advocacy.actions": ("global", "view_advocacy"),
    "advocacy.new_action": ("global", "view_advocacy"),
    "advocacy.followups": ("global", "view_advocacy"),
    "advocacy.bodies": {
        "GET": ("global", "view_advocacy"),
        "POST": ("global", "manage_target_bodies"),
    },
    "advocacy.retire_body": ("global", "manage_target_bodies"),
    "advocacy.restore_body": ("global", "manage_target_bodies"),
    "advocacy.calendar_settings": ("global", "calendar_feed"),
    "advocacy.rotate_calendar": ("global", "calendar_feed"),
    "advocacy.revoke_calendar": ("global", "calendar_feed"),
    "advocacy.cycles": ("global", "view_upr"),
    "advocacy.cycle": ("global", "view_upr"),
    "advocacy.cycle_response_date": ("global", "manage_upr"),
    "advocacy.new_cycle": ("global", "manage_upr"),
    "advocacy.edit_cycle": ("global", "manage_upr"),
    "advocacy.new_recommendation": ("global", "manage_upr"),
    "advocacy.import_recommendations": ("global", "manage_upr"),
    "advocacy.recommendation": ("upr", "view"),
    "advocacy.edit_recommendation": ("upr", "manage"),
    "advocacy.link_recommendation_case": ("upr", "manage"),
    "advocacy.link_recommendation_action": ("upr", "manage"),
    "advocacy.unlink_recommendation_action": ("upr", "manage"),
    "advocacy.unlink_recommendation_case": ("upr_case", "manage"),
    "advocacy.new_case_action": ("case", "manage_advocacy"),
    "audit.trail": ("global", "view_audit"),
    "cases.new_case": ("global", "create_case"),
    "cases.case_list": ("global", "list_cases"),
    "cases.search": ("user", ""),
    "search.search_page": ("global", "search"),
    "core.dashboard": ("user", ""),
    "legal.deadlines": ("user", ""),  # every user; the deadlines of the cases they read
    "cases.case_file": ("case", "view"),
    "cases.print_case": ("case", "view"),
    "cases.edit_case": ("case", "edit"),
    "cases.change_status": ("case", "view"),  # the step itself is the workflow's to refuse
    "cases.add_comment": ("case", "comment"),
    "cases.team": ("case", "manage_team"),
    "cases.remove_member": ("case", "manage_team"),
    "cases.set_restricted": ("case", "manage_team"),
    "cases.new_event": ("case", "edit"),
    "cases.edit_event": ("case", "edit"),
    "cases.hide_record": ("case", "edit"),
    "cases.restore_record": ("case", "restore"),
    # Only a draft is discarded (the walk's cases are submitted: refused with a message), by
    # its creator or a coordinator (tests/test_cases_drafts.py).
    "cases.discard_case": ("case", "edit"),
    "cases.restore_case": ("case", "restore"),
    "cases.mark_duplicate": ("case", "mark_duplicate"),
    "evidence.new_source": ("case", "edit"),
    "evidence.edit_source": ("source", "edit"),
    "evidence.upload_document": ("case", "edit"),
    "evidence.download_document": ("case", "read"),
    "people.new_person": ("case", "edit"),
    "people.edit_person": ("case", "edit"),
    "people.add_name": ("case", "edit"),
    "people.add_family": ("case", "edit"),
    "people.hide_name": ("case", "edit"),
    "people.merge_person": ("case", "merge_people"),
    "people.unmerge_person": ("case", "merge_people"),
    "imports.import_page": ("global", "import_cases"),
    "imports.confirm_import": ("global", "import_cases"),
    # The report of one's own check of a large file: tests/test_jobs.py covers others' checks.
    "imports.check_report": ("global", "import_cases"),
    "legal.case_legal": ("case", "read"),
    "legal.new_link": ("case", "assess_legal"),
    "legal.edit_link": ("case", "assess_legal"),
    "legal.accept_link": ("case", "assess_legal"),
    "legal.hide_link": ("case", "assess_legal"),
    "legal.restore_link": ("case", "restore"),
    "legal.suggest_link": ("case", "suggest_legal"),
    "legal.new_precedent": ("case", "assess_legal"),
    "legal.hide_precedent": ("case", "assess_legal"),
    "legal.restore_precedent": ("case", "restore"),
    "legal.resolve_correction": ("global", "manage_catalogue"),
    "legal.new_remedy": ("case", "record_remedies"),
    "legal.edit_remedy": ("case", "record_remedies"),
    "legal.hide_remedy": ("case", "record_remedies"),
    "legal.restore_remedy": ("case", "restore"),
    "legal.catalogue": ("catalogue", "view"),
    "legal.instrument": ("catalogue", "view"),
    "legal.provision": ("catalogue", "view"),
    "legal.new_instrument": ("global", "manage_catalogue"),
    "legal.edit_instrument": ("catalogue", "manage"),
    "legal.retire_instrument": ("catalogue", "manage"),
    "legal.new_provision": ("catalogue", "manage"),
    "legal.edit_provision": ("catalogue", "manage"),
    "legal.retire_provision": ("catalogue", "manage"),
    "api_web.token_list": ("global", "use_api"),
    "api_web.create_token": ("global", "use_api"),
    "api_web.revoke_token": ("global", "use_api"),
    "api_web.reference": ("user", ""),
    "api.list_cases": ("api", ("global", "list_cases")),
    "api.get_case": ("api", ("case", "view")),
    "api.create_case": ("api", ("global", "create_case")),
    "api.update_case": ("api", ("case", "edit")),
    "api.list_events": ("api", ("case", "read")),
    "api.create_event": ("api", ("case", "edit")),
    "api.list_sources": ("api", ("case", "read")),
    "api.create_source": ("api", ("case", "edit")),
    "api.list_documents": ("api", ("case", "read")),
    "api.upload_document": ("api", ("case", "edit")),
    "api.download_document": ("api", ("case", "read")),
    "api.list_case_people": ("api", ("case", "read")),
    "api.create_case_person": ("api", ("case", "edit")),
    "api.get_person": ("api", ("person", "read")),
    "api.match_people": ("api", ("user", "")),
    "api.search": ("api", ("global", "search")),
    "api.list_legal_links": ("api", ("case", "read")),
    "api.create_legal_link": ("api", ("case", "assess_legal")),
    "api.suggest_legal_link": ("api", ("case", "suggest_legal")),
    "api.list_remedies": ("api", ("case", "read")),
    "api.create_remedy": ("api", ("case", "record_remedies")),
    "api.list_actions": ("api", ("global", "view_advocacy")),
    "api.get_action": ("api", ("action", "view")),
    "api.create_case_action": ("api", ("case", "manage_advocacy")),
    "api.list_target_bodies": ("api", ("global", "view_advocacy")),
    "api.list_responsible_candidates": ("api", ("global", "view_advocacy")),
    "api.list_cycles": ("api", ("global", "view_upr")),
    "api.list_recommendations": ("api", ("upr", "view")),
    "api.get_recommendation": ("api", ("upr", "view")),
    "api.list_instruments": ("api", ("catalogue", "view")),
    "api.get_instrument": ("api", ("catalogue", "view")),
    "api.get_provision": ("api", ("catalogue", "view")),
    "reports.statistics_page": ("global", "view_statistics"),
    "reports.statistics_csv": ("global", "view_statistics"),
    "reports.export": ("global", "export_cases"),
    "reports.organisation": ("global", "manage_reports"),
    "reports.upr_drafts": ("global", "manage_reports"),
    "reports.upr_draft": ("global", "manage_reports"),
    "reports.upr_docx": ("global", "manage_reports"),
    "reports.case_output": ("case", "prepare_output"),
    "reports.review_output": ("case", "prepare_output"),
    "reports.case_output_file": ("case", "prepare_output"),
    "jobs.job_list": ("global", "view_jobs"),
    "jobs.start_job": ("global", "run_system_jobs"),
    # One's own job (with a file to download): tests/test_jobs.py covers others' jobs.
    "jobs.detail": ("user", ""),
    "jobs.status": ("user", ""),
    "jobs.download": ("user", ""),
}

OK, HIDDEN, REFUSED, UNAUTHENTICATED = "ok", 404, 403, 401


def _case_right(role: Role, relation: Relation, right: str) -> bool:
    return relation in CASE_POLICY[right].get(role, frozenset())


def _global(role: Role, right: str) -> bool:
    return role in GLOBAL_POLICY[right]


def expected(kind: str, right: str, role: Role, relation: Relation) -> Any:
    """What the policy tables say the answer must be."""
    if kind == "user":
        return OK
    if kind == "api":  # the cookie session never authorises an API call
        return UNAUTHENTICATED
    if kind == "person":
        return OK if _case_right(role, relation, "read") else HIDDEN
    if kind == "global":
        return OK if _global(role, right) else REFUSED
    if kind == "catalogue":
        if not _global(role, "view_catalogue"):
            return HIDDEN
        return OK if right == "view" or _global(role, "manage_catalogue") else REFUSED
    if kind in ("case", "source"):
        if not _case_right(role, relation, "view"):
            return HIDDEN
        if not _case_right(role, relation, right):
            return REFUSED
        # A protected source identity is the team's alone: to others the source is not there.
        if kind == "source" and relation not in (Relation.TEAM, Relation.RESTRICTED_TEAM):
            return HIDDEN
        return OK
    if kind == "action":
        if relation == Relation.THEMATIC:
            visible = _global(role, "view_advocacy") and role in THEMATIC_POLICY["view"]
            allowed = {
                "view": True,
                "download": True,
                "edit": role in THEMATIC_POLICY["manage_advocacy"],
                "restore": role in THEMATIC_POLICY["manage_advocacy"],
            }[right]
        else:
            visible = _global(role, "view_advocacy") and _case_right(role, relation, "read")
            allowed = {
                "view": True,
                "download": True,
                "edit": _case_right(role, relation, "manage_advocacy"),
                "restore": _case_right(role, relation, "restore"),
            }[right]
        if not visible:
            return HIDDEN
        return OK if allowed else REFUSED
    if kind in ("upr", "upr_case"):
        if not _global(role, "view_upr"):
            return HIDDEN
        if right == "manage" and not _global(role, "manage_upr"):
            return REFUSED
        if kind == "upr_case":
            if not _case_right(role, relation, "view"):
                return HIDDEN
            if not _case_right(role, relation, "read"):
                return REFUSED
        return OK
    raise AssertionError(f"unknown route type {kind}")


def relations_for(kind: str) -> tuple[Relation, ...]:
    if kind in ("case", "source", "upr_case", "person"):
        return CASE_RELATIONS
    if kind == "action":
        return (*CASE_RELATIONS, Relation.THEMATIC)
    return (Relation.TEAM,)


def own_token(user: Any) -> str:
    """The public id of a new token of ``user`` (for the pages that manage one's tokens)."""
    token, _secret = tokens.create_token(user, "policy walk", "read", 1)
    db.session.commit()
    return token.public_id


def own_job(user: Any) -> str:
    """The public id of a finished job of ``user`` with a file to download."""
    from casework.jobs import services as jobs
    from casework.jobs.models import Job, JobState

    job = Job(kind="reports.export", params={}, created_by_id=user.id, state=JobState.DONE)
    db.session.add(job)
    db.session.flush()
    jobs.store_result_file(job, b"a,b\n", "cases.csv", "text/csv")
    db.session.commit()
    return job.public_id


def own_check(user: Any) -> str:
    """The public id of a finished check of an import file by ``user``."""
    from casework.jobs.models import Job, JobState

    job = Job(kind="imports.check", params={}, created_by_id=user.id, state=JobState.DONE)
    db.session.add(job)
    db.session.commit()
    return job.public_id


def _values(world: World, endpoint: str, role: Role, relation: Relation):
    """URL arguments naming the objects the user of ``role`` meets in ``relation``."""
    user, cw = world.placement(role, relation)
    blueprint = endpoint.split(".")[0]
    action = world.thematic if cw is None else cw.action
    values: dict[str, Any] = {
        "code": world.provision.code
        if endpoint in ("legal.provision", "legal.edit_provision", "legal.retire_provision")
        else world.instrument.code,
        "cycle": world.recommendation.cycle.public_id,
        "body_id": str(world.body.id),
        "kind": "events" if endpoint.startswith("cases.") else None,
        "action_public_id": action.public_id,
        "draft_id": world.draft.public_id,
        "key": "year",
    }
    if cw is not None:
        values.update(
            case_public_id=cw.case.public_id,
            event_id=cw.event.public_id,
            source_id=cw.source.public_id,
            person_id=cw.person.public_id,
            record_id=cw.event.public_id,
            name_id=str(cw.person.names[0].id),
            user_id=world.on[Role.LAWYER].public_id,
            precedent_id=cw.precedent.public_id,
            merge_id=cw.merge.public_id,
            link_id=cw.suggestion.public_id
            if endpoint == "legal.accept_link"
            else cw.link.public_id,
            remedy_id=cw.remedy.public_id,
            document_id=cw.document.public_id,
        )
    if blueprint == "advocacy" and endpoint != "advocacy.new_case_action":
        if "recommendation" in endpoint:
            values["public_id"] = world.recommendation.public_id
            if cw is not None:
                values["case_public_id"] = cw.case.public_id
        else:
            values["public_id"] = action.public_id
            document = world.thematic_document if cw is None else cw.action_document
            values["document_id"] = document.public_id
    elif endpoint == "accounts.cancel_second_factor_reset":
        values["public_id"] = world.second_factor_reset.public_id
    elif blueprint == "accounts":
        values["public_id"] = world.off[Role.MONITOR].public_id
    elif endpoint == "api_web.revoke_token":
        values["token_id"] = own_token(user)
    elif blueprint == "jobs":
        values["job_id"] = own_job(user)
    elif endpoint == "imports.check_report":
        values["job_id"] = own_check(user)
    elif cw is not None:
        values["public_id"] = cw.case.public_id
    return user, values


_CSRF = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*"')


def _page(response: Any) -> bytes:
    """The body without its CSRF tokens (signed with the time, so they differ per request)."""
    return _CSRF.sub(rb'\1"', response.get_data())


def _answer(status: int) -> Any:
    if status in (401, 403, 404):
        return status
    assert status < 500, status
    return OK


def test_every_route_is_in_the_policy_table(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()} - set(PUBLIC_ENDPOINTS)
    missing = sorted(endpoints - set(ROUTES))
    assert not missing, f"routes missing from the policy table: {missing}"
    assert not sorted(set(ROUTES) - endpoints), "the table names routes that do not exist"


def test_policy_table_keeps_restricted_cases_to_their_team():
    """The table itself: off a restricted case's team, a user may at most know it exists."""
    for right, roles in CASE_POLICY.items():
        for role, relations in roles.items():
            if Relation.RESTRICTED_OFF in relations:
                assert (right, role) == ("view", Role.COORDINATOR), (right, role)
    # Administrators never change case content, whatever team they are on.
    for right in ("edit", "comment", "restore", "manage_team", "assess_legal"):
        assert Role.ADMIN not in CASE_POLICY[right], right


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_follows_the_policy_table(app, endpoint):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    assert rules, endpoint
    world = build_world()
    clients = {user.id: client_for(app, user) for user in (*world.on.values(), *world.off.values())}
    checked = 0
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            entry = ROUTES[endpoint]
            kind, right = entry[method] if isinstance(entry, dict) else entry
            for role in ROLES:
                for relation in relations_for(kind):
                    user, values = _values(world, endpoint, role, relation)
                    url = build_url(rule, values.get)
                    response = clients[user.id].open(url, method=method, data={})
                    response.close()  # a download holds its file open until closed
                    if response.status_code in (302, 303):
                        clients[user.id].get(response.headers["Location"])  # read its flashes
                    want = expected(kind, right, role, relation)
                    got = _answer(response.status_code)
                    assert got == want, (endpoint, method, role.value, relation.value, got, want)
                    if got == HIDDEN and kind not in ("user", "global"):
                        missing = clients[user.id].open(
                            build_url(rule, lambda name, v=values: None), method=method, data={}
                        )
                        missing.close()
                        assert missing.status_code == 404
                        assert _page(missing) == _page(response), endpoint
                    if method == "POST" and got == OK:
                        world = build_world(world.on, world.off)  # the POST may have changed it
                    checked += 1
    assert checked
