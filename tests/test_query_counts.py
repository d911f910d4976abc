"""Pages do not run one query per row (N+1): the count stays flat as the data grows."""

from __future__ import annotations

from casework.core.vocab import Role
from tests.case_helpers import intake
from tests.factories import log_in


def _queries(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200
    return counter["n"]


def test_case_list_and_dashboard_do_not_grow_with_cases(app, make_user, count_queries):
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    intake(client)
    intake(client, urgency="imminent")
    few = {url: _queries(client, count_queries, url) for url in ("/cases", "/")}
    for _ in range(8):
        intake(client, urgency="imminent")
    many = {url: _queries(client, count_queries, url) for url in ("/cases", "/")}
    assert many["/cases"] <= few["/cases"] + 1
    # Imminent cases on the dashboard cost no query per case (detention and deadlines batched).
    assert many["/"] <= few["/"]


def test_case_file_does_not_grow_with_events(app, make_user, count_queries):
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    case = intake(client)
    url = f"/cases/{case.public_id}"
    for i in range(2):
        client.post(
            f"{url}/events/new",
            data={
                "event_type": "arrest",
                "date": f"201{i}",
                "place": f"Town {i}",
                "agencies": f"Agency {i}",
            },
        )
    few = _queries(client, count_queries, url)
    for i in range(10):
        client.post(
            f"{url}/events/new",
            data={
                "event_type": "court_decision",
                "date": f"2012-0{i % 9 + 1}",
                "place": f"City {i}",
                "agencies": f"Court {i}; Police {i}",
            },
        )
        client.post(f"{url}/comments", data={"body": f"note {i}"})
    many = _queries(client, count_queries, url)
    assert many <= few + 3, (few, many)
