"""The case list: filters in the URL, sorting, pagination, name search by POST, urgent cases."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from casework.cases import listing, services
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from tests.case_helpers import intake, page
from tests.factories import log_in


def _client(app, user):
    c = app.test_client()
    log_in(c, user)
    return c


@pytest.fixture
def cases(app, make_user):
    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    client = _client(app, monitor)
    made = {
        "uz2011": intake(
            client, act_date="2011-06-09", destination_country="UZ", act_type="extradition"
        ),
        "cn2009": intake(
            client,
            name="Ershidin Israil",
            act_date="2009",
            destination_country="CN",
            act_type="abduction",
            urgency="imminent",
        ),
        "kg2014": intake(
            client,
            name="Валетов",
            act_date="2014-03",
            destination_country="KG",
            act_type="deportation",
            urgency="urgent",
        ),
    }
    services.add_member(coordinator, made["cn2009"], lawyer, TeamRole.LAWYER)
    db.session.commit()
    return {
        "monitor": monitor,
        "coordinator": coordinator,
        "lawyer": lawyer,
        "client": client,
        **made,
    }


def _refs(html: str, cases) -> set[str]:
    return {k for k in ("uz2011", "cn2009", "kg2014") if cases[k].reference in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"uz2011", "cn2009", "kg2014"}),
        ("?destination=CN", {"cn2009"}),
        ("?destination=cn", {"cn2009"}),
        ("?urgency=imminent", {"cn2009"}),
        ("?act_type=deportation", {"kg2014"}),
        ("?date_from=2011-01-01&date_to=2011-12-31", {"uz2011"}),
        ("?date_from=2009-06-01&date_to=2009-06-30", {"cn2009"}),  # "2009" may be June 2009
        ("?date_from=2012-01-01", {"kg2014"}),
        ("?status=draft", {"uz2011", "cn2009", "kg2014"}),
        ("?status=verified", set()),
        ("?reference=KZ-2014", {"kg2014"}),
    ],
)
def test_filters(cases, query, expected):
    html = page(cases["client"], "/cases" + query)
    assert _refs(html, cases) == expected


def test_lawyer_and_mine_filters(app, cases):
    coordinator = _client(app, cases["coordinator"])
    html = page(coordinator, f"/cases?lawyer={cases['lawyer'].public_id}")
    assert _refs(html, cases) == {"cn2009"}
    assert _refs(page(coordinator, "/cases?mine=1"), cases) == set()
    assert _refs(page(cases["client"], "/cases?mine=1"), cases) == {"uz2011", "cn2009", "kg2014"}


def test_the_lawyer_filter_follows_accounts_added_and_deactivated(app, cases, make_user):
    """The lawyers offered are kept between pages, until an account changes."""
    from casework.accounts import services as accounts

    coordinator = _client(app, cases["coordinator"])
    assert cases["lawyer"].display_name in page(coordinator, "/cases")
    newcomer = make_user(Role.LAWYER, display_name="Newly Arrived Lawyer")
    assert "Newly Arrived Lawyer" in page(coordinator, "/cases")
    admin = make_user(Role.ADMIN)
    accounts.admin_update_user(
        admin,
        newcomer,
        role="lawyer",
        display_name="Newly Arrived Lawyer",
        active=False,
        expected_version=newcomer.version,
    )
    db.session.commit()
    assert "Newly Arrived Lawyer" not in page(coordinator, "/cases")


def test_bad_filter_values_are_ignored_with_a_message(cases):
    html = page(cases["client"], "/cases?status=nonsense&date_from=yesterday&page=abc&sort=drop")
    assert "ignored" in html
    assert _refs(html, cases) == {"uz2011", "cn2009", "kg2014"}


def test_sorting_and_pagination(cases, monkeypatch):
    from casework.cases import listing

    html = page(cases["client"], "/cases?sort=act_date_asc")
    assert (
        html.index(cases["cn2009"].reference)
        < html.index(cases["uz2011"].reference)
        < html.index(cases["kg2014"].reference)
    )
    html = page(cases["client"], "/cases?sort=urgency")
    assert (
        html.index(cases["cn2009"].reference)
        < html.index(cases["kg2014"].reference)
        < html.index(cases["uz2011"].reference)
    )
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    monkeypatch.setattr(listing.list_cases, "__defaults__", (2,))
    first = page(cases["client"], "/cases?sort=reference")
    assert "sort=reference" in first and 'rel="prev"' not in first
    second = page(cases["client"], "/cases?" + _link(first, "next"))
    assert len(_refs(first, cases)) == 2 and len(_refs(second, cases)) == 1
    assert not _refs(first, cases) & _refs(second, cases)
    assert 'rel="next"' not in second
    back = page(cases["client"], "/cases?" + _link(second, "prev"))
    assert _refs(back, cases) == _refs(first, cases)


def test_the_reference_sort_is_by_number_past_9999_a_year(app, make_user, monkeypatch):
    """A busy year: KZ-2011-10000 comes after KZ-2011-9999 and -1001 (not between -1000 and
    -1001, as text would sort it), a reference of another system's padding by its number, an
    undated one after the years; a page at a time, forward and back, and sorted by status."""
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    expected = ["KZ-2009-0002", "KZ-2011-0999", "KZ-2011-1000", "KZ-2011-1001", "KZ-2011-9999",
                "KZ-2011-10000", "KZ-2011-10001", "KZ-2012-0499", "KZ-2012-000500",
                "KZ-2012-0501", "KZ-XXXX-0003"]  # fmt: skip
    for reference in [*expected[5:], *reversed(expected[:5])]:
        make_case(coordinator, reference=reference)
    client = _client(app, coordinator)

    def order(html: str) -> list[str]:
        return re.findall(r"KZ-[0-9X]{4}-[0-9]+", html)

    monkeypatch.setattr(listing.list_cases, "__defaults__", (4,))
    for sort in ("reference", "status"):
        pages = [page(client, f"/cases?sort={sort}")]
        while 'rel="next"' in pages[-1]:
            pages.append(page(client, "/cases?" + _link(pages[-1], "next")))
        assert [ref for html in pages for ref in order(html)] == expected
        back = page(client, "/cases?" + _link(pages[-1], "prev"))
        assert order(back) == order(pages[-2])


def test_a_case_written_in_bulk_gets_its_sort_key_too(make_user):
    """The import's and the generator's bulk INSERT bypasses the model; the column's default
    computes the key there."""
    from sqlalchemy import select

    from casework.cases.models import Case, reference_sort_key
    from casework.imports.services import _inserted_ids

    creator = make_user(Role.MONITOR)
    rows = [{"reference": r, "created_by_id": creator.id} for r in ("KZ-2011-10000", "KZ-2011-9")]
    ids = _inserted_ids(Case, rows)
    keys = dict(
        db.session.execute(select(Case.reference, Case.reference_key).where(Case.id.in_(ids))).all()
    )
    assert keys == {r: reference_sort_key(r) for r in ("KZ-2011-10000", "KZ-2011-9")}
    assert keys["KZ-2011-9"] < keys["KZ-2011-10000"]


def _link(html: str, rel: str) -> str:
    """The query string of the page's next or previous link."""
    match = re.search(r'href="/cases\?([^"]*)" rel="' + rel + '"', html)
    assert match, rel
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("sort", sorted(listing.SORTS))
def test_every_sort_pages_through_every_case_once(cases, monkeypatch, sort):
    monkeypatch.setattr(listing.list_cases, "__defaults__", (1,))
    seen = []
    html = page(cases["client"], f"/cases?sort={sort}")
    while True:
        refs = _refs(html, cases)
        assert len(refs) == 1
        seen.extend(refs)
        if 'rel="next"' not in html:
            break
        html = page(cases["client"], "/cases?" + _link(html, "next"))
    assert sorted(seen) == sorted(["uz2011", "cn2009", "kg2014"])


def test_cursor_is_opaque_and_a_bad_one_says_so(cases, monkeypatch):
    monkeypatch.setattr(listing.list_cases, "__defaults__", (1,))
    first = page(cases["client"], "/cases?sort=reference")
    query = _link(first, "next")
    cursor = query.split("cursor=")[1].split("&")[0]
    for case in cases.values():
        for value in (getattr(case, "reference", None), getattr(case, "public_id", None)):
            assert not value or value not in cursor
    for bad in (cursor[:-3] + "xyz", "garbage", cursor):
        sort = "status" if bad == cursor else "reference"  # a cursor of another sort is stale
        response = cases["client"].get(f"/cases?sort={sort}&cursor={bad}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "no longer available" in html
        assert len(_refs(html, cases)) == 1


def test_name_search_is_post_only_and_crosses_scripts(cases):
    client = cases["client"]
    assert client.get("/cases/search").status_code in (404, 405)  # no GET: names stay out of URLs
    html = client.post("/cases/search", data={"name": "Xolmatov"}).get_data(as_text=True)
    assert _refs(html, cases) == {"uz2011"}
    html = client.post("/cases/search", data={"name": "валетов"}).get_data(as_text=True)
    assert _refs(html, cases) == {"kg2014"}


def test_name_search_only_covers_visible_cases(app, cases, make_user):
    outsider = _client(app, make_user(Role.MONITOR))
    html = outsider.post("/cases/search", data={"name": "Kholmatov"}).get_data(as_text=True)
    assert _refs(html, cases) == set()


def test_imminent_case_tops_the_dashboard_with_days_and_deadline(app, cases):
    client = cases["client"]
    case = cases["cn2009"]
    detained = date.today() - timedelta(days=12)
    client.post(
        f"/cases/{case.public_id}/events/new",
        data={"event_type": "detention_pending_extradition", "date": detained.isoformat()},
    )
    html = page(client, "/")
    assert "Imminent removal" in html
    assert "12 days" in html
    assert html.index("Imminent removal") < html.index("Your cases")
    # Users who may not see the case do not see it there either.
    assert "Imminent removal" not in page(_client(app, make_user_outsider(app)), "/")


def test_a_release_ends_the_days_of_detention(app, cases):
    """Arrest, detention pending extradition and release are events of the timeline (domain
    brief, section 4): someone released after their detention is no longer "detained since",
    on the dashboard or the case file; detained again later, the count starts from then."""
    client, case = cases["client"], cases["cn2009"]
    today = date.today()
    for event_type, days_ago in (("arrest", 60), ("release", 20)):
        client.post(
            f"/cases/{case.public_id}/events/new",
            data={
                "event_type": event_type,
                "date": (today - timedelta(days=days_ago)).isoformat(),
            },
        )
    assert listing.detention_start(case) is None
    assert "60 days" not in page(client, "/")
    assert "Detained since" not in page(client, f"/cases/{case.public_id}")
    client.post(
        f"/cases/{case.public_id}/events/new",
        data={"event_type": "arrest", "date": (today - timedelta(days=5)).isoformat()},
    )
    assert listing.detention_start(case).earliest() == today - timedelta(days=5)
    assert "5 days" in page(client, "/")


def make_user_outsider(app):
    from tests.factories import make_user

    return make_user(Role.MONITOR)


def test_a_list_count_is_kept_until_the_data_changes(app, make_user, monkeypatch):
    """A filter's total is counted once per change of the data: a selective filter reads many
    cases to count up to the cap. A new case (an audited change) shows at once."""
    monitor = make_user(Role.MONITOR)
    client = _client(app, monitor)
    intake(client, destination_country="UZ")
    counted = []
    original = listing.count_capped
    monkeypatch.setattr(
        listing, "count_capped", lambda *a, **k: counted.append(1) or original(*a, **k)
    )

    def total(sort: str = "") -> str:
        html = client.get(f"/cases?destination=UZ{sort}").get_data(as_text=True)
        return re.search(r"<h1>Cases <small>\(([^)]+)\)", html).group(1)

    assert total() == "1" and len(counted) == 1
    assert total("&sort=reference") == "1" and len(counted) == 1  # kept; the sort is not counted
    intake(client, destination_country="UZ")
    assert total() == "2" and len(counted) == 2  # counted again after the change


def test_a_row_shows_its_title_only_to_those_who_may_read_the_case(app, make_user):
    """The list and the dashboard ask the policy for a whole page at once: a restricted case's
    title stays off the rows of a coordinator outside its team, and shows for its team."""
    from tests.factories import make_case

    monitor = make_user(Role.MONITOR)
    outsider = make_user(Role.COORDINATOR)
    make_case(monitor, reference="KZ-2011-8101", restricted=True, title="Kept within the team")
    make_case(monitor, reference="KZ-2011-8102", title="Open to the organisation")
    for url in ("/cases", "/"):
        seen = page(_client(app, outsider), url)
        assert "KZ-2011-8101" in seen and "KZ-2011-8102" in seen, url
        assert "Open to the organisation" in seen, url
        assert "Kept within the team" not in seen, url
        on_team = page(_client(app, monitor), url)
        assert "Kept within the team" in on_team and "Open to the organisation" in on_team, url


@pytest.mark.parametrize("cap", [listing.REFERENCE_IDS, 1])
def test_the_reference_filter_finds_what_contains_the_term_however_many_match(
    app, make_user, monkeypatch, cap
):
    """A reference typed in full, a part of it, or a year-less reference the case had before
    its date was known: found, counted and shown only where the user may see the case. Few
    matches are taken by id from the references' indexes; more than the cap (here 1, to see
    it) by walking the list: the same cases either way."""
    from tests.factories import make_case

    monkeypatch.setattr(listing, "REFERENCE_IDS", cap)
    monitor, other = make_user(Role.MONITOR), make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    make_case(monitor, reference="KZ-2019-0042")
    make_case(monitor, reference="KZ-2019-1042")
    make_case(monitor, reference="KZ-2020-0007", former_reference="KZ-XXXX-0042")
    make_case(other, reference="KZ-2019-2042")  # not on the monitor's team
    make_case(monitor, reference="KZ-2018-0001")

    def found(client, term):
        html = page(client, "/cases?reference=" + term)
        # The rows of the table (the term stays in the filter's field above it).
        rows = html.split("<table", 1)[1] if "<table" in html else ""
        return set(re.findall(r"KZ-\d{4}-\d{4}", rows))

    mine, everyone = _client(app, monitor), _client(app, coordinator)
    assert found(mine, "KZ-2019-0042") == {"KZ-2019-0042"}
    assert found(mine, "kz-2019-0042 ") == {"KZ-2019-0042"}  # any case, spaces around
    assert found(mine, "042") == {"KZ-2019-0042", "KZ-2019-1042", "KZ-2020-0007"}
    assert found(everyone, "042") == {"KZ-2019-0042", "KZ-2019-1042", "KZ-2020-0007",
                                      "KZ-2019-2042"}  # fmt: skip
    assert found(mine, "XXXX-0042") == {"KZ-2020-0007"}
    assert found(mine, "KZ-2019-2042") == set()  # another team's: not even counted
    assert "<small>(0)</small>" in page(mine, "/cases?reference=KZ-2019-2042")
    # "%" and "_" are characters of the term, not wildcards.
    assert found(mine, "KZ-2019_0042") == set() and found(mine, "KZ-%") == set()
    assert found(mine, "KZ-2019-9999") == set()
