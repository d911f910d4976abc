"""Languages: every template string is marked, the Russian catalogue is complete, the language
is chosen per user (or before login, per browser), and documents for UN bodies stay English."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select

from casework.accounts.models import User
from casework.core.db import db
from casework.core.i18n import LANGUAGES, TRANSLATIONS_DIR
from casework.core.vocab import Role
from casework.paths import resource_dir
from tests.case_helpers import intake, page
from tests.python_text import built_messages
from tests.template_text import unmarked

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = resource_dir("templates")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
}


@pytest.fixture(autouse=True, scope="module")
def _compiled_catalogues():
    """`make test` compiles the catalogues; a bare pytest run gets them compiled here."""
    from babel.messages.mofile import write_mo

    for language in LANGUAGES:
        po = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalogue = _catalogue(language)
            with open(mo, "wb") as f:
                write_mo(f, catalogue)


def _extracted() -> set[str]:
    """Every msgid the code and the templates mark, as `make messages` extracts them."""
    method_map = [("casework/**.py", "python"), ("templates/**.html", "jinja2")]
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalogue(language: str):
    with open(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


# The dossier for counsel before UN bodies is written in English whatever the interface language
# (see casework.core.i18n.english); its text is not for translation.
ENGLISH_DOCUMENTS = {"reports/dossier.html"}


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if str(p.relative_to(TEMPLATES)) not in ENGLISH_DOCUMENTS
    ),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_templates_mark_every_user_facing_string(path):
    found = unmarked(path.read_text(encoding="utf-8"))
    assert not found, f"unmarked text in {path.relative_to(TEMPLATES)}: {found}"


def test_the_unmarked_text_check_finds_text_and_attributes():
    source = (
        '<p title="Open it">Hello {{ name }}</p>{{ _("Marked") }}'
        '<a href="{{ url }}" class="x">Edit</a><code>SHA-256</code>'
        "<script>var a = 'code';</script>{% trans %}Inside{% endtrans %}<code>case_key</code>"
    )
    assert unmarked(source) == [(1, 'title="Open it"'), (1, "Hello"), (1, "Edit")]


def test_the_unmarked_text_check_finds_literals_an_expression_prints():
    # A title or a button chosen by a condition is text too: "Edit event" if event else ...
    source = (
        '{{ "Edit" if x else "New" }} {{ name or "never" }} {{ url_for("a.b", q="x") }}'
        '{{ _("Ok") if y else _("No") }} {{ "%.0f"|format(v) }} {{ x == "closed" }}'
    )
    assert unmarked(source) == [(1, '"Edit"'), (1, '"New"'), (1, '"never"')]


def test_form_titles_chosen_by_a_condition_are_in_russian(client, login, make_user):
    lawyer = make_user(Role.LAWYER, language="ru")
    login(lawyer)
    case = intake(client)
    event_form = page(client, f"/cases/{case.public_id}/events/new")
    assert "New event" not in event_form and "Новое событие" in event_form
    source_form = page(client, f"/cases/{case.public_id}/sources/new")
    assert "New source" not in source_form and "Новый источник" in source_form
    remedy_form = page(client, f"/cases/{case.public_id}/legal/remedies/new")
    assert "Record a proceeding" not in remedy_form


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_catalogue_translates_every_marked_string(language):
    catalogue = _catalogue(language)
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    missing = sorted(_extracted() - present)
    assert not missing, f"{language}: {len(missing)} strings missing, e.g. {missing[:10]}"
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy[:10]}"
    empty = [
        m.id
        for m in catalogue
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert not empty, f"{language}: untranslated entries: {empty[:10]}"


def test_russian_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    for message in _catalogue("ru"):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(placeholder.findall(message.id)) == set(placeholder.findall(message.string)), (
            message.id
        )


# --- choosing the language ------------------------------------------------------------------


def test_browser_language_then_cookie_then_english(client):
    assert 'lang="en"' in page(client, "/login")
    assert 'lang="ru"' in client.get(
        "/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}
    ).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "kk, de"}).get_data(
        as_text=True
    )
    client.set_cookie("lang", "ru")
    assert 'lang="ru"' in client.get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    client.set_cookie("lang", "<script>")
    assert 'lang="en"' in page(client, "/login")


def test_language_chosen_on_the_login_page_is_a_cookie_with_its_code_only(client, make_user):
    make_user(Role.MONITOR)
    html = page(client, "/login")
    assert 'action="/language"' in html
    response = client.post("/language", data={"language": "ru", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "ru"
    assert 'lang="ru"' in page(client, "/login")
    # Another site's address is not followed; an unknown language changes nothing.
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/login"
    assert client.get_cookie("lang").value == "ru"


def test_the_users_language_wins_and_is_set_on_the_profile(client, login, make_user):
    user = make_user(Role.MONITOR)
    login(user)
    db.session.refresh(user)
    html = page(client, "/profile")
    assert 'name="profile-language"' in html
    response = client.post(
        "/profile",
        data={
            "profile-display_name": user.display_name,
            "profile-language": "ru",
            "profile-version": str(user.version),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.language).where(User.id == user.id)) == "ru"
    # The setting wins over the browser's language.
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="ru"' in html
    # A language the interface does not speak is refused with a message, nothing saved.
    response = client.post(
        "/profile",
        data={
            "profile-display_name": user.display_name,
            "profile-language": "xx",
            "profile-version": str(user.version + 1),
        },
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(User.language).where(User.id == user.id)) == "ru"


# --- what a Russian-speaking monitor sees -----------------------------------------------------


def test_a_russian_user_works_in_russian(client, login, make_user):
    monitor = make_user(Role.MONITOR, language="ru")
    login(monitor)
    case = intake(client, urgency="imminent", act_date="2011-06-09")

    dashboard = page(client, "/")
    assert 'lang="ru"' in dashboard
    assert "Главная" in dashboard and "Ваши дела" in dashboard and "Меню" in dashboard
    assert "Неминуемое выдворение" in dashboard  # the urgency label, from the vocabulary
    assert "Your cases" not in dashboard

    listing = page(client, "/cases")
    assert "Фильтры" in listing and "Поиск по имени" in listing and "Экстрадиция" in listing
    assert "09.06.2011" in listing  # dates the Russian way
    assert "Узбекистан" in listing  # country names too

    form = page(client, "/cases/new")
    assert (
        "Новое дело" in form and "Сохранить и продолжить" in form and "Сохранить черновик" in form
    )
    # No name, no act: the errors come back in Russian, and nothing is saved.
    response = client.post(
        "/cases/new", data={"save": "1", "name": "", "act_type": "", "act_place": "Алматы"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Укажите имя лица или псевдоним (в любой письменности)." in html
    assert "This field is required." not in html

    file = page(client, f"/cases/{case.public_id}")
    for heading in ("Лица", "Хронология", "Источники", "Документы", "Кто что изменил"):
        assert heading in file
    assert 'href="#panel-legal"' in file and "Правовые основания" in file
    assert "Алишер Холматов" in file and "Экстрадиция" in file
    assert "People" not in file and "Timeline" not in file


def test_documents_for_un_bodies_stay_english_for_a_russian_user(app, client, login, make_user):
    import re

    from tests.clients import client_for

    monitor = make_user(Role.MONITOR, language="ru")
    login(monitor)
    case = intake(client, name="Alisher Kholmatov", urgency="imminent")
    coordinator = make_user(Role.COORDINATOR, language="ru")
    browser = client_for(app, coordinator)
    assert "Экстрадиция" in browser.get(f"/cases/{case.public_id}").get_data(as_text=True)
    response = browser.get(f"/cases/{case.public_id}/outputs/special_procedures/file?format=txt")
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:300]
    assert "DESCRIPTION OF THE FACTS" in text
    assert not re.search("[А-Яа-яЁё]", text), text


def test_the_remembered_catalogue_follows_a_forced_language(app):
    from flask import render_template_string

    from casework.core.i18n import english, gettext

    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert gettext("Cases") == "Дела"
        assert render_template_string('{{ _("Cases") }}') == "Дела"
        with english():
            # The same request, another locale: its own catalogue, in code and in templates.
            assert gettext("Cases") == "Cases"
            assert render_template_string('{{ _("Cases") }}') == "Cases"
        assert gettext("Cases") == "Дела"
        assert render_template_string('{{ _("Cases") }}') == "Дела"


def test_the_legal_page_of_a_case_heads_its_panels_in_russian(client, login, make_user):
    lawyer = make_user(Role.LAWYER, language="ru")
    login(lawyer)
    case = intake(client)
    legal = page(client, f"/cases/{case.public_id}/legal/")
    assert "<h2>Правовые основания</h2>" in legal
    assert "<h2>Внутренние средства правовой защиты</h2>" in legal
    assert "Legal grounds" not in legal and "Domestic remedies" not in legal


def test_the_profiles_language_choice_names_the_browser_default_in_russian(
    client, login, make_user
):
    login(make_user(Role.MONITOR, language="ru"))
    profile = page(client, "/profile")
    assert "The browser&#39;s language" not in profile and "The browser's language" not in profile
    assert "Язык браузера" in profile


def test_the_note_of_a_case_opened_at_intake_is_in_russian(client, login, make_user):
    login(make_user(Role.MONITOR, language="ru"))
    case = intake(client)
    file = page(client, f"/cases/{case.public_id}")
    assert "Created at intake" not in file
    assert "Создано при приёме" in file


# Dates reach the reader through the |day, |moment and |pdate filters (12.06.2011 in Russian);
# the audit trail keeps its seconds, and a date input's value is ISO by definition.
_HAND_FORMATTED_DATE = re.compile(r"\.strftime\(|\.isoformat\(\)|\.iso\(\)")


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if str(p.relative_to(TEMPLATES)) not in ENGLISH_DOCUMENTS | {"audit/trail.html"}
    ),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_templates_show_dates_in_the_readers_convention(path):
    lines = [
        (n, line.strip())
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _HAND_FORMATTED_DATE.search(line) and 'value="{{' not in line
    ]
    assert not lines, f"dates formatted by hand in {path.relative_to(TEMPLATES)}: {lines}"


def test_an_upload_without_a_file_is_refused_in_russian(client, login, make_user):
    login(make_user(Role.MONITOR, language="ru"))
    case = intake(client)
    response = client.post(f"/cases/{case.public_id}/documents/new", data={"description": "x"})
    html = response.get_data(as_text=True)
    assert "Choose a file." not in html and "Выберите файл." in html


def test_a_russian_monitor_is_told_in_russian_what_became_of_a_date_she_typed(
    client, login, make_user
):
    login(make_user(Role.MONITOR, language="ru"))
    response = client.post(
        "/cases/new", data={"save": "1", "name": "Алишер", "act_type": "extradition",
                            "act_date": "весна 2011"},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is not a date" not in html and "не дата" in html
    assert "весна 2011" in html  # what she typed is still in the form

    # ("вчера" is a date on a web form: tests/test_relative_dates.py.)
    response = client.post(
        "/cases/new", data={"save_draft": "1", "name": "Алишер", "act_date": "прошлой весной"}
    )
    html = page(client, response.headers["Location"])
    assert "was kept as a note" not in html and "is not a date" not in html
    assert "сохранена как примечание" in html


# --- messages built in Python ---------------------------------------------------------------

CASEWORK = ROOT / "casework"
# The JSON API answers in English by design (README, The API; its OpenAPI document says so):
# its own modules may write English. Its pages (the tokens page) and their service are not
# exempt. The demo loader speaks on the command line only.
API_WEB_MODULES = {"api/web.py", "api/tokens.py", "api/forms.py"}
ENGLISH_BY_DESIGN = {
    str(p.relative_to(CASEWORK))
    for p in (CASEWORK / "api").glob("*.py")
    if str(p.relative_to(CASEWORK)) not in API_WEB_MODULES
} | {"demo.py"}


@pytest.mark.parametrize(
    "path",
    sorted(
        p for p in CASEWORK.rglob("*.py") if str(p.relative_to(CASEWORK)) not in ENGLISH_BY_DESIGN
    ),
    ids=lambda p: str(p.relative_to(CASEWORK)),
)
def test_python_sources_build_no_message_outside_gettext(path):
    found = built_messages(path.read_text(encoding="utf-8"))
    assert not found, f"messages built outside gettext in {path.relative_to(CASEWORK)}: {found}"


def test_the_built_message_check_finds_fstrings_concatenations_and_sentences():
    source = """
flash(f"{code} added.", "success")
flash(_("%(code)s added.", code=f"{a}-{b}"), "success")
raise ValidationFailed({"title": [f"At most {MAX} characters."]})
raise ValidationFailed({"": ["The body is not valid JSON."]})
errors["name"] = ["Keep the name " + "short."]
errors["days"] = [_("A token lives from 1 to %(n)s days.", n=MAX)]
problems.append(Problem(n, "act_date", value, "Only the year is given."))
submit(form, act, success="{} saved.".format(code), then=url)
perform(act, success=_("Saved."), then=url_for("x") + "#panel")
Length(max=5, message="Use %d characters." % 5)
StringField(_l("Number"), description="e.g. 139.24")
log.warning(f"job {job_id} failed")
"""
    assert [line for line, _text in built_messages(source)] == [2, 4, 5, 6, 8, 9, 11, 12]


def test_a_russian_user_reads_the_case_lists_notices_and_error_pages_in_russian(
    client, login, make_user
):
    login(make_user(Role.MONITOR, language="ru"))
    listing = page(client, "/cases?status=lost&nationality=Q1")
    assert "Неизвестный статус «lost» не учтён." in listing
    assert "Неизвестный код страны «Q1» не учтён." in listing
    assert "ignored" not in listing
    missing = client.get("/cases/nosuchcase000000").get_data(as_text=True)
    assert "Здесь ничего нет, или у вас нет доступа." in missing
    assert "There is nothing here" not in missing


def test_a_russian_lawyer_is_refused_a_code_already_in_the_catalogue_in_russian(
    client, login, make_user
):
    login(make_user(Role.LAWYER, language="ru"))
    instrument = {"code": "echr", "title": "ECHR", "instrument_type": "treaty",
                  "direction": "protective"}  # fmt: skip
    assert client.post("/legal/instruments/new", data=instrument).status_code == 302
    flashed = page(client, "/legal/instruments/ECHR")
    assert "ECHR добавлено в каталог." in flashed and "added to the catalogue" not in flashed
    response = client.post("/legal/instruments/new", data=instrument)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Код ECHR уже есть в каталоге." in html and "already in the catalogue" not in html


def test_a_russian_monitor_is_told_in_russian_which_files_are_accepted(client, login, make_user):
    login(make_user(Role.MONITOR, language="ru"))
    case = intake(client)
    response = client.post(
        f"/cases/{case.public_id}/documents/new",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe"), "description": "x"},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Файлы типа «.exe» не принимаются. Принимаются:" in html
    assert "are not accepted" not in html


def test_a_russian_coordinator_reads_what_is_wrong_in_an_upr_file_in_russian(
    client, login, make_user
):
    login(make_user(Role.COORDINATOR, language="ru"))
    rows = (
        "cycle,number,recommending_state,text,response,themes\n"
        "3,139.24,Germany,Respect non-refoulement,maybe,asylum\n"
        "3,139.24,Germany,Respect non-refoulement,noted,asylum\n"
        "3,139.24,Germany,Respect non-refoulement,noted,asylum\n"
    )
    response = client.post(
        "/advocacy/upr/import",
        data={"file": (io.BytesIO(rows.encode()), "recs.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "«maybe» — не supported, noted или pending" in html
    assert "повторяет строку 3 (тот же цикл и номер)" in html
    # Each problem is one sentence for the translator, not fragments in English word order.
    assert "<li>Строка 2, столбец <code>response</code>: «maybe»" in html
    assert "Row %(row)s, column %(column)s: %(problem)s" in _extracted()
    assert ", column" not in _extracted()
    assert "is not supported" not in html and "repeats row" not in html


def test_the_api_answers_in_english_whatever_its_user_or_client_reads(app, make_user):
    from tests.api_clients import api_for

    russian = make_user(Role.MONITOR, language="ru")
    api = api_for(app, russian)
    # A service's message (translated on the pages), a list filter's and an envelope's.
    for headers in ({}, {"Accept-Language": "ru-RU,ru;q=0.9"}):
        empty = api.post("cases", json={"draft": False}, headers=headers).get_json()["error"]
        assert empty["message"] == "The request is not valid."
        assert empty["fields"][""] == [
            "The form is empty: nothing was saved. Type at least one fact before saving."
        ], empty
        listed = api.get("cases?date_from=1800-01-01", headers=headers).get_json()["error"]
        assert listed["fields"][""] == [
            "“1800-01-01” is outside the years cases are recorded for (1900-2100); ignored."
        ]
    # The same user's pages stay Russian.
    from tests.clients import client_for

    assert 'lang="ru"' in client_for(app, russian).get("/").get_data(as_text=True)


def test_notices_reach_each_reader_in_their_own_language(app, make_user):
    from casework.accounts.models import AccountNotice
    from casework.core.vocab import CaseStatus, TeamRole
    from tests.clients import client_for
    from tests.factories import make_case

    # A lawyer told that a case they verified was changed: in their language, not the editor's.
    monitor = make_user(Role.MONITOR, display_name="Dana")
    russian = make_user(Role.LAWYER, language="ru")
    english = make_user(Role.LAWYER)
    case = make_case(
        monitor,
        team=((russian, TeamRole.LAWYER), (english, TeamRole.LAWYER)),
        status=CaseStatus.VERIFIED,
    )
    response = client_for(app, monitor).post(
        f"/cases/{case.public_id}/edit",
        data={"act_date": "2012", "urgency": "routine", "current_situation": "unknown",
              "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302
    told = {
        n.user_id: n.message
        for n in db.session.scalars(select(AccountNotice).where(AccountNotice.user_id.in_(
            [russian.id, english.id])))
    }  # fmt: skip
    assert f"Дело {case.reference} изменено после вашей проверки" in told[russian.id]
    assert "Дело снова на юридической проверке." in told[russian.id]
    assert "back in legal review" in told[english.id] and "Дело" not in told[english.id]
    lawyer_page = page(client_for(app, russian), "/")
    assert "снова на юридической проверке" in lawyer_page
    # Coordinators told of a new coordinator, each in their own language.
    coordinator = make_user(Role.COORDINATOR, language="ru")
    admin = client_for(app, make_user(Role.ADMIN))
    admin.post(
        "/admin/users/new",
        data={"display_name": "Second Coord", "email": "c2@example.org", "role": "coordinator"},
    )
    notice = db.session.scalar(select(AccountNotice).where(AccountNotice.user_id == coordinator.id))
    assert notice.message.startswith("Second Coord (c2@example.org) получает роль координатора")


def test_a_template_string_costs_one_call_and_is_formatted_as_before(app, monkeypatch):
    """A page shows hundreds of strings: each ``_()`` is one call through the template context
    (no alias looking ``gettext`` up, no second call for the catalogue), and reads as before:
    ``%%`` is a percent sign, placeholders are filled and escaped where the page escapes."""
    from flask import render_template_string
    from jinja2.runtime import Context
    from markupsafe import Markup

    calls = []
    original = Context.call

    def counted(self, obj, *args, **kwargs):
        calls.append(obj)
        return original(self, obj, *args, **kwargs)

    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        monkeypatch.setattr(Context, "call", counted)
        assert render_template_string('{{ _("Cases") }}') == "Дела"
        assert len(calls) == 1
        assert render_template_string('{{ gettext("Cases") }}') == "Дела"
        monkeypatch.setattr(Context, "call", original)
        assert render_template_string('{{ _("100%% <b>") }}') == "100% <b>"
        assert render_template_string('{{ _("x %(v)s", v="<i>") }}') == "x &lt;i&gt;"
        assert isinstance(render_template_string('{% set s = _("Cases") %}{{ s }}'), str)
        text = render_template_string(
            '{% autoescape false %}{{ _("a %(v)s", v="<i>") }}{{ _("5%%") }}{% endautoescape %}'
        )
        assert text == "a <i>5%"
        marked = app.jinja_env.from_string('{% set s = _("Cases") %}{{ s.__html__ is defined }}')
        assert marked.render() == "True"
        assert Markup("<b>%s</b>") % "x" == Markup("<b>x</b>")
