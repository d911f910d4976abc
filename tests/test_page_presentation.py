"""What a user reads on the pages, on a phone as on a laptop: in their language, with the
warnings that matter where they look."""

from __future__ import annotations

from casework.cases import events
from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import intake, page
from tests.clients import client_for


def test_the_timeline_names_countries_in_the_readers_language(app, make_user):
    monitor = make_user(Role.MONITOR, language="ru")
    client = client_for(app, monitor)
    case = intake(client)
    events.add_event(
        monitor,
        case,
        {
            "event_type": "detention_pending_extradition",
            "date": "2026-11-12",
            "destination_country": "UZ",
            "requesting_state": "UZ",
            "agencies": "СНБ",
            "agencies_country": "UZ",
        },
    )
    db.session.commit()
    html = page(client, f"/cases/{case.public_id}")
    assert "Uzbekistan" not in html
    assert "Запрашивающее государство: Узбекистан" in html
    assert "СНБ (Узбекистан)" in html

    english = client_for(app, make_user(Role.COORDINATOR))
    html = page(english, f"/cases/{case.public_id}")
    assert "Requesting State: Uzbekistan" in html and "СНБ (Uzbekistan)" in html
