"""Places in outputs: the town, never a street, a house or a name the output withholds.

A place leaves every output, reviewed or not, anonymised or not. It was its first part between
commas, unscrubbed: typed with a person's name in it ("House of Kholmatov, Almaty"), the name of
someone who gave no consent left in exports, communications and dossiers; typed street first,
the street left.
"""

from __future__ import annotations

from casework.cases.events import add_event
from casework.core.db import db
from casework.reports import services
from casework.reports.anonymise import Scrubber, town_of
from tests import report_world
from tests.clients import client_for
from tests.extract import text_of


def test_a_withheld_name_typed_in_a_place_never_leaves(app):
    world = report_world.build()
    case = world.case
    # Field monitors often note where it happened by whose home it was.
    case.act_place = "House of Kholmatov, Almaty"
    db.session.commit()
    monitor = db.session.get(type(world.coordinator), case.created_by_id)
    add_event(
        monitor,
        case,
        {"event_type": "arrest", "date": "2012-06-10", "place": "Yusupova residence, Shymkent"},
    )
    db.session.commit()

    # The entitled team member exports the case (it is in the export)...
    outputs = {}
    for fmt in ("csv", "json"):
        for anonymise in (False, True):
            content, _name, _type, count = services.export_cases(
                world.coordinator, fmt, anonymise=anonymise
            )
            assert count == 1
            outputs[f"export {fmt} anonymise={anonymise}"] = content.decode("utf-8-sig")
            db.session.commit()
    client = client_for(app, world.coordinator)
    url = f"/cases/{case.public_id}/outputs/special_procedures/file"
    outputs["communication txt"] = client.get(url + "?format=txt").get_data(as_text=True)
    outputs["communication docx anonymised"] = text_of(
        client.get(url + "?format=docx&anonymise=1").get_data(), "docx"
    )
    for label, text in outputs.items():
        assert case.reference in text, label
        # ...but the names of a person with consent "none" and one with "internal" never leave.
        for name in ("Kholmatov", "Yusupova"):
            assert name not in text, f"{name!r} leaked in {label}"
    # The towns themselves still leave.
    assert "Almaty" in outputs["export csv anonymise=True"]
    assert "Shymkent" in outputs["export json anonymise=False"]


def test_the_town_of_a_place_as_people_type_it():
    scrubber = Scrubber()
    cases = {
        "Almaty": "Almaty",
        "Almaty, Abay street 10": "Almaty",
        "Abay avenue, Almaty": "Almaty",
        "ул. Абая 10, Алматы": "Алматы",
        "мкр. Самал-2, Алматы": "Алматы",
        "Flat 9, Safe House Street 12, Shymkent": "Shymkent",
        "г. Алматы, ул. Абая": "г. Алматы",
        "Almaty region": "Almaty region",
        "St. Petersburg": "St. Petersburg",
        "near the bazaar, Osh": "Osh",
        "Almaty, near the bazaar": "Almaty",
        "45": None,
        "": None,
        None: None,
    }
    assert {place: town_of(place, scrubber) for place in cases} == cases


def test_a_part_in_between_or_a_family_name_never_leaves_as_the_town(app):
    """Only the first or the last part of a place is taken, and only as a town's name: a part
    in between ("у Холматовых", at the Kholmatovs') or a plural of a withheld surname is not."""
    from casework.reports.anonymise import case_scrubber

    world = report_world.build()
    scrubber, _ = case_scrubber(world.case)
    assert town_of("ул. Абая 10, у Холматовых, Алматы", scrubber) == "Алматы"
    for place in ("Kholmatovs, Almaty", "Холматовых, Алматы", "Xolmatovlar, Almaty"):
        assert town_of(place, scrubber) in ("Almaty", "Алматы")
    world.case.act_place = "ул. Абая 10, у Холматовых, Алматы"
    db.session.commit()
    content, *_ = services.export_cases(world.coordinator, "csv", anonymise=True)
    text = content.decode("utf-8-sig")
    assert world.case.reference in text and "Алматы" in text and "Холматовых" not in text
