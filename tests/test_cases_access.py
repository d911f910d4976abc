"""Who sees which case: refused users get 404 (existence never revealed) or 403."""

from __future__ import annotations

import pytest

from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from tests.case_helpers import intake, page
from tests.factories import log_in


@pytest.fixture
def setup(app, make_user):
    monitor = make_user(Role.MONITOR)
    other_monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    other_lawyer = make_user(Role.LAWYER)
    coordinator = make_user(Role.COORDINATOR)
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    log_in(client, monitor)
    case = intake(client)
    from casework.cases import services

    services.add_member(coordinator, case, lawyer, TeamRole.LAWYER)
    db.session.commit()
    return {
        "case": case,
        "monitor": monitor,
        "other_monitor": other_monitor,
        "lawyer": lawyer,
        "other_lawyer": other_lawyer,
        "coordinator": coordinator,
        "admin": admin,
    }


def _client(app, user):
    c = app.test_client()
    log_in(c, user)
    return c


def _case_urls(case):
    pid = case.public_id
    return [
        ("GET", f"/cases/{pid}"),
        ("GET", f"/cases/{pid}/print"),
        ("GET", f"/cases/{pid}/edit"),
        ("POST", f"/cases/{pid}/edit"),
        ("POST", f"/cases/{pid}/status"),
        ("POST", f"/cases/{pid}/comments"),
        ("GET", f"/cases/{pid}/team"),
        ("GET", f"/cases/{pid}/events/new"),
        ("GET", f"/cases/{pid}/people/new"),
        ("GET", f"/cases/{pid}/sources/new"),
        ("GET", f"/cases/{pid}/documents/new"),
    ]


@pytest.mark.parametrize("who", ["other_monitor", "other_lawyer", "admin"])
def test_outsiders_get_404_everywhere(app, setup, who):
    c = _client(app, setup[who])
    for method, url in _case_urls(setup["case"]):
        response = c.open(url, method=method, data={})
        assert response.status_code == 404, (who, method, url)
        assert setup["case"].reference not in response.get_data(as_text=True)
    listing = c.get("/cases").get_data(as_text=True)
    assert setup["case"].reference not in listing


def test_team_members_see_the_case(app, setup):
    for who in ("monitor", "lawyer", "coordinator"):
        html = page(_client(app, setup[who]), f"/cases/{setup['case'].public_id}")
        assert "Алишер Холматов" in html, who


def test_only_coordinators_manage_the_team(app, setup):
    url = f"/cases/{setup['case'].public_id}/team"
    assert _client(app, setup["monitor"]).get(url).status_code == 403
    assert _client(app, setup["lawyer"]).get(url).status_code == 403
    assert _client(app, setup["coordinator"]).get(url).status_code == 200


def test_restricted_case_hides_identifying_data_from_coordinator_off_team(app, setup):
    from casework.cases import services

    case = setup["case"]
    services.set_restricted(setup["coordinator"], case, True)
    db.session.commit()
    c = _client(app, setup["coordinator"])
    html = page(c, f"/cases/{case.public_id}")
    assert case.reference in html
    assert "Алишер Холматов" not in html
    assert "Arrested at home" not in html
    assert "restricted" in html.lower()
    assert c.get(f"/cases/{case.public_id}/edit").status_code == 403
    # The team still sees everything.
    assert "Алишер Холматов" in page(_client(app, setup["monitor"]), f"/cases/{case.public_id}")


def test_unknown_case_is_404(app, setup):
    c = _client(app, setup["coordinator"])
    assert c.get("/cases/doesnotexist").status_code == 404


def test_case_view_is_audited_without_names(app, setup):
    from sqlalchemy import select

    from casework.audit.models import AuditEntry

    page(_client(app, setup["lawyer"]), f"/cases/{setup['case'].public_id}")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.viewed")).all()
    assert entries
    assert all("Холматов" not in str(e.details) for e in db.session.scalars(select(AuditEntry)))


def _case_scoped_urls(app, public_id):
    from tests.routes import build_url

    for rule in app.url_map.iter_rules():
        scoped = "case_public_id" in rule.arguments or (
            "public_id" in rule.arguments
            and rule.endpoint.split(".")[0] in ("cases", "people", "evidence")
        )
        if not scoped:
            continue
        url = build_url(rule, lambda name: public_id if "public_id" in name else None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.mark.parametrize("who", ["other_monitor", "other_lawyer", "admin"])
def test_every_case_route_refuses_users_off_the_case_without_revealing_it(app, setup, who):
    """Enumerated from the URL map, so a new case route cannot forget its check.

    The answer for a real case must be the same as for a case that does not exist.
    """
    c = _client(app, setup[who])
    data = {"reason": "x", "body": "x", "to": "submitted"}
    real = list(_case_scoped_urls(app, setup["case"].public_id))
    fake = list(_case_scoped_urls(app, "NoSuchCase0000000"))
    checked = 0
    for (endpoint, method, url), (_, _, fake_url) in zip(real, fake, strict=True):
        response = c.open(url, method=method, data=data)
        assert response.status_code in (403, 404), (who, endpoint, method, url)
        assert response.status_code == c.open(fake_url, method=method, data=data).status_code
        checked += 1
    assert checked >= 30
    db.session.expire_all()
    from casework.cases.models import Case

    assert db.session.get(Case, setup["case"].id).status.value == "draft"
