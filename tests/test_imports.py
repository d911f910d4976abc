"""Importing legacy spreadsheets: formats, the per-row report, all-or-nothing, duplicates."""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import unicodedata
import warnings
import weakref
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, insert, select

from casework.cases.models import Case, Event
from casework.core.db import db
from casework.core.spreadsheet import inert_cell
from casework.core.vocab import ConsentLevel, Role
from casework.evidence.models import Source
from casework.imports import reading
from casework.imports.reading import header_key
from casework.imports.services import known_headers
from casework.imports.terms import _HEADERS, NAME_PARTS
from casework.legal.models import CaseProvision
from casework.legal.seeding import seed_catalogue
from casework.people.models import Person, PersonName
from tests.case_helpers import page
from tests.clients import client_for

DATA = Path(__file__).parent / "data"
HEADER = "case_key,person_name,other_names,gender,birth_date,nationality,act_type,act_date,narrative,consent,legal_grounds"
GOOD = [
    'K-1,Алишер Холматов,Alisher Kholmatov,м,12.04.1979,Узбекистан,extradition,2011-06,"Two lines\nof narrative",,CAT:3',
    "K-1,Gulnora Xolmatova,,f,1982,UZ,extradition,2011-06,,named,",
    ',Ershidin Israil,ئەرشىدىن ئىسرائىل,male,,China,abduction,unknown,=HYPERLINK("http://x"),,',
]
BAD = [
    "K-2,Rustam Karimov,,maybe,1979,UZ,extradition,2011,,,",  # gender
    "K-3,,,m,31.02.1980,Atlantis,teleportation,,,,NOPE:1",  # many problems
]


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def coordinator(app, make_user):
    seed_catalogue()
    db.session.commit()
    return make_user(Role.COORDINATOR)


def _run(app, coordinator, tmp_path, content: bytes | str, *args, name="cases.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(
        args=[
            "import",
            "cases",
            str(path),
            "--as",
            coordinator.email,
            "--report-json",
            str(out),
            *args,
        ]
    )
    report = json.loads(out.read_text("utf-8")) if out.exists() else None
    return result, report


def test_sample_dry_run_reports_and_writes_nothing(app, coordinator, tmp_path):
    result, report = _run(
        app, coordinator, tmp_path, (DATA / "cases-sample.csv").read_bytes(), "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 22 and report["rejected"] == []
    assert report["created"] == {"cases": 22, "people": 22}
    truth = json.loads((DATA / "truth.json").read_text("utf-8"))
    flagged = {
        (min(d["row"], r), max(d["row"], r))
        for d in report["possible_duplicates"]
        for r in d["rows"]
    }
    assert flagged == {tuple(sorted(p)) for p in truth["same_person"]}
    assert _count(Case) == 0 and _count(Person) == 0


def test_sample_import_then_duplicates_against_the_database(app, coordinator, tmp_path):
    result, report = _run(app, coordinator, tmp_path, (DATA / "cases-sample.csv").read_bytes())
    assert result.exit_code == 0, result.output
    assert report["written"] and _count(Case) == 22 and _count(Person) == 22
    assert "Written: 22 cases, 22 people" in result.output
    by_consent = dict(
        db.session.execute(select(Person.consent, func.count()).group_by(Person.consent)).all()
    )
    assert by_consent[ConsentLevel.NAMED] == 7 and by_consent[ConsentLevel.NONE] == 6
    # The same file again: every row is a person already recorded.
    result, report = _run(
        app, coordinator, tmp_path, (DATA / "cases-sample.csv").read_bytes(), "--dry-run"
    )
    assert {d["row"] for d in report["possible_duplicates"] if d["people"]} == set(range(2, 24))
    row8 = next(d for d in report["possible_duplicates"] if d["row"] == 8)
    assert "Abdulla Nazarov" in row8["people"][0]["names"] and row8["people"][0]["score"] >= 85


def test_bad_rows_are_each_reported_and_nothing_is_written(app, coordinator, tmp_path):
    content = "\n".join([HEADER, *GOOD, *BAD]) + "\n"
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1, result.output
    assert not report["written"] and _count(Case) == 0 and _count(Person) == 0
    rejected = {(p["row"], p["column"]): p for p in report["rejected"]}
    # Row numbers are the spreadsheet's: the quoted newline in row 2 does not shift them.
    assert rejected[(5, "gender")]["value"] == "maybe"
    assert {c for r, c in rejected if r == 6} >= {
        "person_name", "birth_date", "nationality", "act_type", "act_date", "legal_grounds"
    }  # fmt: skip
    assert rejected[(6, "nationality")]["value"] == "Atlantis"
    assert all(p["message"] for p in report["rejected"])
    assert {r for r, _ in rejected} == {5, 6}


def test_valid_only_writes_exactly_the_good_rows(app, coordinator, tmp_path):
    content = "\n".join([HEADER, *GOOD, *BAD]) + "\n"
    result, report = _run(app, coordinator, tmp_path, content, "--valid-only")
    assert result.exit_code == 0, result.output
    assert report["created"] == {"cases": 2, "people": 3}
    assert len(report["rejected"]) > 2
    names = {n.name for n in db.session.scalars(select(PersonName))}  # decrypted on load
    assert names == {
        "Алишер Холматов",
        "Alisher Kholmatov",
        "Gulnora Xolmatova",
        "Ershidin Israil",
        "ئەرشىدىن ئىسرائىل",
    }
    cases = list(db.session.scalars(select(Case)))  # encrypted: compared in Python
    case = next(c for c in cases if c.external_ref == "K-1")
    assert len(case.people) == 2 and case.act_date.iso() == "2011-06"
    # Imported people get consent none unless the file says otherwise (the import format).
    consents = {p.names[0].name: p.consent for p in db.session.scalars(select(Person))}
    assert consents["Алишер Холматов"] == ConsentLevel.NONE
    assert consents["Gulnora Xolmatova"] == ConsentLevel.NAMED
    other = next(c for c in cases if c.external_ref is None)
    assert other.act_date is None and other.act_date_note == "unknown"
    # Formula-like text is kept as text.
    assert other.narrative == '=HYPERLINK("http://x")'


def test_formula_cells_are_inert_text(app, coordinator, tmp_path):
    content = HEADER + "\n" + ",=1+1,,,,,extradition,2011,\"=cmd|' /C calc'!A0\",,\n"
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(PersonName)).name == "=1+1"
    assert db.session.scalar(select(Case)).narrative == "=cmd|' /C calc'!A0"


def test_windows_1251_semicolons_and_russian_headers_with_a_mapping(app, coordinator, tmp_path):
    content = "ФИО;Вид;Дата;Гражданство;Пол\nАлишер Холматов;extradition;04.2011;Узбекистан;м\n"
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "ФИО": "person_name",
                "Вид": "act_type",
                "Дата": "act_date",
                "Гражданство": "nationality",
                "Пол": "gender",
            }
        ),
        "utf-8",
    )
    result, report = _run(
        app, coordinator, tmp_path, content.encode("cp1251"), "--mapping", str(mapping)
    )
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person))
    assert person.names[0].name == "Алишер Холматов" and person.nationality == "UZ"
    # Without the mapping the Russian headers are unknown columns: unusable input.
    result, _ = _run(app, coordinator, tmp_path, content.encode("cp1251"))
    assert result.exit_code == 2 and "Unknown column" in result.output


def test_utf8_bom_and_tab_delimiter(app, coordinator, tmp_path):
    content = "\ufeffperson_name\tact_type\tact_date\nAygul Qodirova\tdeportation\t2019\n"
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert report["warnings"][0]["message"] == "Only the year is given."
    result, report = _run(app, coordinator, tmp_path, content, "--delimiter", ";", "--dry-run")
    assert result.exit_code == 2  # one unknown column named "person_name\tact_type..."


def test_xlsx_with_real_dates_formulas_and_a_named_sheet(app, coordinator, tmp_path):
    book = Workbook()
    book.active.title = "Notes"
    ws = book.create_sheet("Cases")
    ws.append(["Person_Name ", "ACT_TYPE", "act_date", "birth_date", "narrative"])
    ws.append(["Dilshad Memet", "abduction", datetime(2016, 6, 3), 1985, "=SUM(A1:A2)"])
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(
        app, coordinator, tmp_path, buf.getvalue(), "--sheet", "Cases", name="c.xlsx"
    )
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    assert case.act_date.iso() == "2016-06-03" and case.narrative == "=SUM(A1:A2)"
    assert db.session.scalar(select(Event.date)).iso() == "2016-06-03"
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), "--sheet", "Nope", name="c.xlsx")
    assert result.exit_code == 2


def test_unusable_input_exits_2(app, coordinator, tmp_path):
    result, _ = _run(app, coordinator, tmp_path, "person_name,act_type\nX,extradition\n")
    assert result.exit_code == 2 and "act_date" in result.output
    result, _ = _run(app, coordinator, tmp_path, b"\x00\x01\x02garbage", name="c.csv")
    assert result.exit_code == 2
    result, _ = _run(app, coordinator, tmp_path, "", name="c.csv")
    assert result.exit_code == 2


def test_only_coordinators_import(app, make_user, tmp_path):
    monitor = make_user(Role.MONITOR)
    content = "person_name,act_type,act_date\nX Y,extradition,2011\n"
    result, _ = _run(app, monitor, tmp_path, content)
    assert result.exit_code == 2 and _count(Case) == 0


def test_perpetrators_and_sources_are_kept(app, coordinator, tmp_path):
    content = "person_name,act_type,act_date,perpetrators,sources\nA B,extradition,2011,KNB; migration police,relative; second monitor\n"
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event))
    assert sorted(a.name for a in event.agencies) == ["KNB", "migration police"]
    kinds = sorted((s.kind.value, s.identity) for s in db.session.scalars(select(Source)))
    assert kinds == [("other", "second monitor"), ("relative", "relative")]
    assert sorted(s.id for s in event.sources) == sorted(db.session.scalars(select(Source.id)))


def _checked(client, content: bytes, name: str) -> str:
    """The import page's answer to ``content`` sent as the file ``name`` (checked, not written)."""
    return client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def _web(app, user):
    return client_for(app, user)


def test_upload_page_dry_run_then_confirm(app, coordinator, make_user):
    client = _web(app, coordinator)
    assert "Import cases" in page(client, "/imports/cases")
    content = (DATA / "cases-sample.csv").read_bytes()
    response = client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "legacy.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "Checked: nothing written yet" in html and "Possible duplicates" in html
    assert "Import 22 cases now" in html and _count(Case) == 0
    html = client.post("/imports/cases/confirm").get_data(as_text=True)
    assert "Imported" in html and _count(Case) == 22
    assert client.post("/imports/cases/confirm").status_code == 400  # nothing pending any more
    # A file with a bad row: the report is in the page, with no confirm button.
    bad = "\n".join([HEADER, *BAD]) + "\n"
    html = _checked(client, bad.encode(), "bad.csv")
    assert "Atlantis" in html and "now</button>" not in html
    monitor = _web(app, make_user(Role.MONITOR))
    assert monitor.get("/imports/cases").status_code == 403
    assert monitor.post("/imports/cases/confirm").status_code == 403


# A legacy register's headers, in Russian, and the columns it keeps that are not imported.
RUSSIAN_HEADERS = (
    "Ключ дела", "ФИО пострадавшего", "Другие имена и написания", "Пол", "Дата рождения",
    "Гражданство", "Национальность", "Правовой статус", "Номер УВКБ ООН", "Вид действия",
    "Дата действия", "Место действия", "Страна назначения", "Исполнители",
    "Текущее положение", "Что произошло после возвращения", "Описание", "Источники",
    "Согласие", "Срочность", "Правовые основания", "Дата согласия", "Полномочия",
    "Дата полномочий", "Кем даны полномочия", "Примечание о полномочиях", "Другие процедуры",
    "Сведения о других процедурах",
)  # fmt: skip
NOT_IMPORTED = (
    "Комментарий координатора", "Кто вёл дело", "Телефон родственников (не вносить)",
    "Ссылка на папку", "Отметка о проверке", "Примечания юриста",
)  # fmt: skip
BROWSER_COOKIE_LIMIT = 4093  # bytes of a cookie a browser keeps; it ignores a larger one


def test_a_file_checked_with_a_long_mapping_can_still_be_confirmed(app, coordinator):
    """A whole register mapped from its Russian headers: what waits for the confirmation is
    kept on the server, so the session cookie stays small enough for a browser to keep it
    (it silently drops a larger one: the confirmation then found nothing pending, a 400)."""
    from casework.imports.services import COLUMNS

    mapping = dict(zip(RUSSIAN_HEADERS, COLUMNS, strict=True)) | dict.fromkeys(NOT_IMPORTED)
    row = ["K-1", "Алишер Холматов", "", "м", "1979", "UZ", "", "", "", "extradition", "2011-06"]
    row += [""] * (len(mapping) - len(row))
    content = ";".join(mapping) + "\n" + ";".join(row) + "\n"
    client = _web(app, coordinator)
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        response = client.post(
            "/imports/cases",
            data={
                "file": (io.BytesIO(content.encode()), "register.csv"),
                "mapping": json.dumps(mapping, ensure_ascii=False),
            },
            content_type="multipart/form-data",
        )
    assert "Import 1 case now" in response.get_data(as_text=True)
    assert not [w for w in told if "too large" in str(w.message)]
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and max(len(c.split(";", 1)[0]) for c in cookies) <= BROWSER_COOKIE_LIMIT
    html = client.post("/imports/cases/confirm").get_data(as_text=True)
    assert "Imported" in html and _count(Case) == 1
    assert db.session.scalar(select(Case)).act_date.year == 2011  # the mapping was applied
    assert client.post("/imports/cases/confirm").status_code == 400  # nothing pending any more


def test_a_russian_coordinator_reads_each_rows_problem_as_one_russian_sentence(app, coordinator):
    """ "Row 4, column act_date: ..." is a sentence of its own in each language, not fragments
    put together in English word order."""
    coordinator.language = "ru"
    db.session.commit()
    # (A rejected row too: a file that cannot be imported is not kept for a confirmation.)
    rows = [HEADER, *GOOD, "K-4,Rustam Karimov,,m,1979,UZ,extradition,2011,,,", GOOD[1], BAD[0]]
    html = (
        _web(app, coordinator)
        .post(
            "/imports/cases",
            data={"file": (io.BytesIO("\n".join(rows).encode()), "cases.csv")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "<li>Строка 5, столбец <code>act_date</code>: Указан только год.</li>" in html
    assert "<li>Строка 6: " in html and "как в строке 3" in html
    assert "Row" not in html.replace('name="', "")


def test_exported_cells_never_become_formulas():
    for text in ("=1+1", "+7", "-2", "@SUM(A1)", "\uff1dcmd"):
        assert inert_cell(text) == "'" + text
    assert inert_cell("Kholmatov") == "Kholmatov" and inert_cell(1979) == 1979


def test_rows_of_one_case_add_people_and_acts(app, coordinator, tmp_path):
    content = (
        "case_key,person_name,act_type,act_date,act_place\n"
        "K-9,Alisher Kholmatov,detention_pending_removal,2011-05,Almaty\n"
        "K-9,Rustam Kholmatov,detention_pending_removal,2011-05,Almaty\n"
        "K-9,Alisher Kholmatov,extradition,2011-06-09,Almaty\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert report["created"] == {"cases": 1, "people": 3}
    assert report["possible_duplicates"] == [{"row": 4, "people": [], "rows": [2]}]
    events = db.session.scalars(select(Event).order_by(Event.date)).all()
    assert [(e.act_type.value, e.date.iso()) for e in events] == [
        ("detention_pending_removal", "2011-05"),
        ("extradition", "2011-06-09"),
    ]


def test_a_case_key_typed_differently_is_still_one_case(app, coordinator, tmp_path):
    """Hand-typed keys differ in letter case, dashes and spaces; the case keeps the first
    row's spelling as its own reference."""
    content = (
        "case_key,person_name,act_type,act_date\n"
        "KZ-17,Alisher Kholmatov,extradition,2011-05\n"
        "kz-17 ,Rustam Kholmatov,extradition,2011-05\n"
        "KZ\u201317,Dilshod Kholmatov,extradition,2011-05\n"
        "ＫＺ-17,Bekzod Kholmatov,extradition,2011-05\n"
        "KZ-18,Timur Nazarov,extradition,2011-05\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert report["created"] == {"cases": 2, "people": 5}
    refs = sorted(c.external_ref for c in db.session.scalars(select(Case)))
    assert refs == ["KZ-17", "KZ-18"]


def test_files_checked_but_never_confirmed_do_not_linger(app, coordinator):
    staged = Path(app.config["UPLOAD_DIR"]) / "imports"
    staged.mkdir(parents=True, exist_ok=True)
    old = staged / "abandoned"
    old.write_bytes(b"person_name\n")
    os.utime(old, (0, 0))
    client = _web(app, coordinator)
    content = b"person_name,act_type,act_date\nA B,extradition,2011\n"
    client.post(
        "/imports/cases",
        data={"file": (io.BytesIO(content), "ivanov.csv")},
        content_type="multipart/form-data",
    )
    assert not old.exists()
    assert [p.name for p in staged.iterdir()] and all(
        "ivanov" not in p.name for p in staged.iterdir()
    )
    client.post("/imports/cases/confirm")
    assert list(staged.iterdir()) == []


def test_imported_cases_take_the_numbers_after_the_highest_of_their_year(
    app, coordinator, tmp_path
):
    from tests.factories import make_case

    make_case(coordinator, reference="KZ-2019-9999")
    make_case(coordinator, reference="KZ-2019-10000")
    content = "person_name,act_type,act_date\nAygul Qodirova,deportation,2019\nNodira Saidova,deportation,2019-03\n"
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    imported = db.session.scalars(
        select(Case.reference).where(Case.reference.not_in(["KZ-2019-9999", "KZ-2019-10000"]))
    ).all()
    assert sorted(imported) == ["KZ-2019-10001", "KZ-2019-10002"]
    # The bulk INSERT gave them their sort key: after KZ-2019-10000, in order.
    by_key = db.session.scalars(select(Case.reference).order_by(Case.reference_key)).all()
    assert by_key == ["KZ-2019-9999", "KZ-2019-10000", "KZ-2019-10001", "KZ-2019-10002"]


def test_terms_as_spreadsheets_spell_them(app, coordinator, tmp_path):
    """A term is read from its code in any case, with spaces or hyphens, from the label the
    interface shows (English or Russian), or from a Russian word of the trade; dates as
    spreadsheets export them. What names no term is still rejected, with its value."""
    header = "case_key;person_name;act_type;act_date;birth_date;legal_status;current_situation;urgency;consent"
    rows = [
        "A;Рустам Гулямов;Экстрадиция;03.05.2019 0:00;1979-4-1;беженец;под стражей;срочно;нет",
        "B;Aygul Qodirova;Forcible-return;2019/05/03;1975;Asylum seeker;At liberty;Imminent removal;Anonymized",
        "C;Alisher Jurayev;DETENTION PENDING REMOVAL;2021-02-07T10:30;;Mandate refugee;выдворен;Обычная;named",
        "D;Ershidin Israil;похищение;2015;;Отказано;Пропал без вести;;",
    ]
    content = "\n".join([header, *rows]) + "\n"
    result, report = _run(app, coordinator, tmp_path, content.encode("cp1251"))
    assert result.exit_code == 0, report["rejected"]
    cases = {c.external_ref: c for c in db.session.scalars(select(Case))}
    got = {
        key: (
            c.act_type.value,
            c.act_date.iso(),
            c.current_situation.value,
            c.urgency.value,
            c.people[0].person.legal_status.value,
            c.people[0].person.consent.value,
        )
        for key, c in cases.items()
    }
    assert got == {
        "A": ("extradition", "2019-05-03", "detained", "urgent", "refugee", "none"),
        "B": ("forcible_return", "2019-05-03", "at_liberty", "imminent", "asylum_seeker", "anonymised"),
        "C": ("detention_pending_removal", "2021-02-07", "removed", "routine", "mandate_refugee", "named"),
        "D": ("abduction", "2015", "disappeared", "routine", "rejected", "none"),
    }  # fmt: skip
    assert cases["A"].people[0].person.birth_date.iso() == "1979-04-01"
    # Names no term (or a date nobody can read): rejected, the value quoted back.
    bad = "\n".join([header, "E;Ali Valiev;teleportation;2019-13-01;;refugee?;free;soon;maybe"])
    result, report = _run(app, coordinator, tmp_path, bad + "\n", "--dry-run")
    assert result.exit_code == 1
    rejected = {p["column"]: p["value"] for p in report["rejected"]}
    assert rejected == {
        "act_type": "teleportation",
        "act_date": "2019-13-01",
        "legal_status": "refugee?",
        "current_situation": "free",
        "urgency": "soon",
        "consent": "maybe",
    }


RUSSIAN_FILE = (
    "person_name;act_type;act_date;narrative\n"
    "Алишер Холматов;экстрадиция;04.2011;Задержан сотрудниками КНБ в Алматы\n"
    "ГУЛЬНОРА ЮСУПОВА;депортация;2012;Выслана без решения суда\n"
)


@pytest.mark.parametrize(
    ("encoding", "read_as"),
    [
        ("cp1251", "cp1251"),
        ("koi8-r", "koi8_r"),
        ("cp866", "cp866"),
        # A Mac's Cyrillic, where Windows-1251 has Serbian letters for its capitals.
        ("mac_cyrillic", "mac_cyrillic"),
        ("utf-16", "utf-16"),
        # UTF-16 without its byte-order mark, as tools other than Excel write it.
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_russian_files_in_the_encodings_old_tools_write(
    app, coordinator, tmp_path, encoding, read_as
):
    """Windows-1251, KOI8-R and DOS 866 each decode any bytes: the one whose words read as
    Russian is chosen, so names arrive whole instead of garbled. UTF-16 is Excel's "Unicode
    text" (with its byte-order mark)."""
    content = RUSSIAN_FILE.replace(";", "\t") if encoding.startswith("utf-16") else RUSSIAN_FILE
    result, report = _run(app, coordinator, tmp_path, content.encode(encoding))
    assert result.exit_code == 0, result.output
    assert report["encoding"] == read_as
    names = {n.name for n in db.session.scalars(select(PersonName))}
    assert names == {"Алишер Холматов", "ГУЛЬНОРА ЮСУПОВА"}
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert "Задержан сотрудниками КНБ в Алматы" in narratives


def test_the_page_says_how_it_read_the_file_and_takes_another_encoding(app, coordinator):
    client = _web(app, coordinator)
    data = RUSSIAN_FILE.encode("koi8-r")

    def check(**fields):
        return client.post(
            "/imports/cases",
            data={"file": (io.BytesIO(data), "old.csv"), **fields},
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    html = check()
    assert "Read as KOI8-R, cells separated by semicolons" in html
    assert "Import 2 cases now" in html
    # Told otherwise, the page reads it so, and says so: the names are garbled, the act
    # types unknown, and the report shows it.
    html = check(encoding="cp1251")
    assert "Read as CP1251" in html and "Алишер" not in html and "Unknown act type." in html


def test_a_mapping_nested_too_deep_is_refused_as_unusable(app, coordinator, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text("[" * 5000 + "]" * 5000, "utf-8")
    content = "person_name,act_type,act_date\nAli Valiev,extradition,2011\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_a_file_that_says_its_encoding_and_is_not_that_is_unusable(app, coordinator, tmp_path):
    text = "person_name\tact_type\tact_date\nАлишер Холматов\textradition\t2011\n"
    for damaged in (text.encode("utf-16") + b"\x00", b"\xef\xbb\xbf" + text.encode("cp1251")):
        result, _ = _run(app, coordinator, tmp_path, damaged)
        assert result.exit_code == 2 and "but is not" in result.output


def test_a_later_row_of_the_same_act_keeps_its_perpetrators_and_sources(app, coordinator, tmp_path):
    """Two people taken in one act: the second row's agencies and sources are the act's too,
    and a source named in both rows is one source of the case."""
    content = (
        "case_key,person_name,act_type,act_date,act_place,perpetrators,sources\n"
        "K-1,Ali Valiev,extradition,2011-06-09,Almaty,KNB,relative\n"
        "K-1,Vali Aliev,extradition,2011-06-09,Almaty,KNB; police,lawyer; relative\n"
    )
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    event = db.session.scalar(select(Event))
    assert sorted(a.name for a in event.agencies) == ["KNB", "police"]
    assert sorted(s.identity for s in event.sources) == ["lawyer", "relative"]
    assert _count(Source) == 2


def test_later_rows_of_a_case_add_to_its_facts(app, coordinator, tmp_path):
    """Rows sharing a case_key are one case: a later row's legal grounds, narrative and
    after-return are added, the most urgent urgency is kept, and a different situation is a
    warning rather than lost without a word."""
    content = (
        "case_key,person_name,act_type,act_date,legal_grounds,narrative,after_return,urgency,current_situation\n"
        "K-1,Ali Valiev,extradition,2011-06,CAT:3,,,routine,detained\n"
        "K-1,Vali Aliev,extradition,2011-06,CSR51:33;CAT:3,Both held together,Sentenced to 9 years,imminent,removed\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    links = db.session.scalars(select(CaseProvision)).all()
    assert sorted(link.provision.code for link in links) == ["CAT:3", "CSR51:33"]
    assert case.narrative == "Both held together"
    assert case.after_return == "Sentenced to 9 years"
    assert case.urgency.value == "imminent" and case.current_situation.value == "detained"
    assert [(w["row"], w["column"], w["value"]) for w in report["warnings"]] == [
        (3, "current_situation", "removed")
    ]


def test_values_in_a_column_without_a_header_are_not_dropped_unseen(app, coordinator, tmp_path):
    """A trailing delimiter, a blank header cell: values under it cannot be mapped, so the
    file is refused and says where, instead of importing without them. Under a header merged
    across columns they are that column's (joined, not dropped)."""
    csv_file = "person_name,act_type,act_date,\nAli Valiev,extradition,2011,\nVali Aliev,extradition,2011,held in Almaty\n"
    result, _ = _run(app, coordinator, tmp_path, csv_file)
    assert result.exit_code == 2 and "Column D has no header" in result.output
    assert "row 3" in result.output and _count(Case) == 0
    book = Workbook()
    book.active.append(["person_name", "act_type", "act_date", "narrative", None])
    book.active.append(["Ali Valiev", "extradition", 2011, "Taken at night", "by the KNB"])
    book.active.merge_cells("D1:E1")
    buf = io.BytesIO()
    book.save(buf)
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Case)).narrative == "Taken at night by the KNB"
    book.active.unmerge_cells("D1:E1")
    buf = io.BytesIO()
    book.save(buf)
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 2 and "Column E has no header" in result.output
    # An empty column with no header is no loss: read as before.
    result, _ = _run(app, coordinator, tmp_path, csv_file.replace("held in Almaty", ""))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "utf-16"])
def test_a_byte_order_mark_is_not_read_as_part_of_the_first_header(
    app, coordinator, tmp_path, encoding
):
    """The encoding chosen by hand (the page offers UTF-8 and UTF-16) still drops the mark."""
    text = "case_key,person_name,act_type,act_date\nK-1,Ali Valiev,extradition,2011\n"
    # Python's UTF-16 codec writes the mark itself.
    data = text.encode("utf-16") if encoding == "utf-16" else b"\xef\xbb\xbf" + text.encode()
    result, _ = _run(app, coordinator, tmp_path, data, "--encoding", encoding)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Case)).external_ref == "K-1"


def test_xlsx_dates_are_as_precise_as_the_cell_shows_them(app, coordinator, tmp_path):
    """Excel stores "04.2011" typed into a cell as 1 April 2011 shown as a month: the import
    keeps the month it was given, not a day nobody gave."""
    book = Workbook()
    ws = book.active
    ws.append(["case_key", "person_name", "act_type", "act_date", "birth_date"])
    ws.append(["A", "Ali Valiev", "extradition", datetime(2011, 4, 1), datetime(1979, 1, 1)])
    ws.append(["B", "Vali Aliev", "deportation", datetime(2012, 6, 1), datetime(1980, 3, 1)])
    ws.append(["C", "Rustam Karimov", "abduction", datetime(2013, 7, 1), datetime(1981, 5, 1)])
    ws["D2"].number_format = "[$-419]mmm.yy;@"
    ws["E2"].number_format = "yyyy"
    ws["D3"].number_format = "mmmm yyyy"
    ws["E3"].number_format = 'mm"/"yyyy'
    ws["D4"].number_format = "dd.mm.yyyy"
    ws["E4"].number_format = "d mmmm yyyy"
    buf = io.BytesIO()
    book.save(buf)
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 0, result.output
    got = {
        c.external_ref: (c.act_date.iso(), c.people[0].person.birth_date.iso())
        for c in db.session.scalars(select(Case))
    }
    assert got == {
        "A": ("2011-04", "1979"),
        "B": ("2012-06", "1980-03"),
        "C": ("2013-07-01", "1981-05-01"),
    }


def test_blank_rows_above_the_header_are_skipped(app, coordinator, tmp_path):
    """The header is the first row with a value; the rows below keep their own numbers."""
    content = "\n;;\n" + "person_name;act_type;act_date\nAli Valiev;extradition;2011-13\n"
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(4, "act_date")]
    book = Workbook()
    book.active.append([None])
    book.active.append(["person_name", "act_type", "act_date"])
    book.active.append(["Ali Valiev", "extradition", "2011"])
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["warnings"][0]["row"] == 3 and _count(Case) == 1


def test_a_mapping_names_the_columns_in_any_case(app, coordinator, tmp_path):
    content = "ФИО;Вид;Дата\nАлишер Холматов;экстрадиция;2011\n"
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"фио": "Person_Name", "Вид": " ACT_TYPE ", "Дата": "act_date"}), "utf-8"
    )
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(PersonName)).name == "Алишер Холматов"


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(app, coordinator, tmp_path):
    """A "sep=;" first line (Excel's hint) is not the header: the delimiter it names is used,
    and the header is row 1, as Excel shows the file, whatever its lines end with (a classic
    Mac's CR alone too)."""
    content = (
        "sep=;\r\nperson_name;gender;act_type;act_date\r\nAli Valiev;муж.;extradition;2011-13\r\n"
    )
    for line_end in ("\r", "\n"):
        result, report = _run(
            app, coordinator, tmp_path, content.replace("\r\n", line_end), "--dry-run"
        )
        assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "act_date")]
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "act_date")]
    fixed = content.replace("2011-13", "2011")
    result, report = _run(app, coordinator, tmp_path, fixed)
    assert result.exit_code == 0, result.output
    assert _count(Case) == 1


def test_abbreviated_russian_genders_are_read(app, coordinator, tmp_path):
    content = "person_name;gender;act_type;act_date\nАли Валиев;муж.;extradition;2011\nГуля Юсупова;Жен.;extradition;2011\n"
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert sorted(p.gender.value for p in db.session.scalars(select(Person))) == ["female", "male"]


# --- the optional consent_date column ----------------------------------------------------------

CONSENT_HEADER = ["case_key", "person_name", "act_type", "act_date", "consent", "Consent_Date "]


def _rows_file(rows: list[list[object]], kind: str) -> tuple[bytes, str]:
    """``rows`` (the header first) as a CSV or an XLSX file: (content, file name)."""
    if kind == "xlsx":
        book = Workbook()
        for row in rows:
            book.active.append(row)
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue(), "c.xlsx"
    text = "\n".join(",".join(str(c) for c in row) for row in rows) + "\n"
    return text.encode("utf-8"), "c.csv"


def _consents() -> dict[str, tuple[str, object]]:
    db.session.expire_all()
    return {
        p.names[0].name: (p.consent.value, p.consent_date)
        for p in db.session.scalars(select(Person))
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_consent_dated_in_the_file_is_kept_and_needs_no_warning(app, coordinator, tmp_path, kind):
    """The optional consent_date column (its header in any case, as every column's): a
    consent above none dated in the file is stored with its day and its row has no warning;
    a consent above none left undated keeps the warning; a row without consent has neither."""
    day = datetime(2019, 5, 3) if kind == "xlsx" else "03.05.2019"
    content, name = _rows_file(
        [
            CONSENT_HEADER,
            ["A", "Ali Valiev", "extradition", "2011", "named", day],
            ["B", "Vali Aliev", "extradition", "2011", "internal", "2020-01-31"],
            ["C", "Rustam Karimov", "extradition", "2011", "anonymised", ""],
            ["D", "Timur Nazarov", "extradition", "2011", "", ""],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 0, result.output
    assert report["rejected"] == []
    assert [(w["row"], w["column"]) for w in report["warnings"] if "consent" in w["column"]] == [
        (4, "consent")
    ]
    assert _consents() == {
        "Ali Valiev": ("named", date(2019, 5, 3)),
        "Vali Aliev": ("internal", date(2020, 1, 31)),
        "Rustam Karimov": ("anonymised", None),
        "Timur Nazarov": ("none", None),
    }


def test_a_consent_date_column_may_be_mapped_from_another_header(app, coordinator, tmp_path):
    content = "ФИО;Вид;Дата;Согласие;Дата согласия\nАлишер Холматов;экстрадиция;2011;с именем;12 апреля 2019\n"
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "ФИО": "person_name",
                "Вид": "act_type",
                "Дата": "act_date",
                "Согласие": "consent",
                "Дата согласия": "consent_date",
            }
        ),
        "utf-8",
    )
    result, report = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert not [w for w in report["warnings"] if w["column"].startswith("consent")]
    assert _consents() == {"Алишер Холматов": ("named", date(2019, 4, 12))}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_consent_date_that_is_no_day_is_rejected_saying_why(app, coordinator, tmp_path, kind):
    """Read as the importer reads every date (its formats; a word relative to the day of
    writing refused), then by the forms' rule: a consent is given on a day, never a future one."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    content, name = _rows_file(
        [
            CONSENT_HEADER,
            ["A", "Ali Valiev", "extradition", "2011", "named", "2019-13-01"],
            ["B", "Vali Aliev", "extradition", "2011", "named", "вчера"],
            ["C", "Rustam Karimov", "extradition", "2011", "named", "2019"],
            ["D", "Timur Nazarov", "extradition", "2011", "named", "05.2019"],
            ["E", "Aygul Qodirova", "extradition", "2011", "named", tomorrow],
            ["F", "Nodira Saidova", "extradition", "2011", "named", "2019-05-03"],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 1, result.output
    rejected = {p["row"]: (p["column"], p["value"], p["message"]) for p in report["rejected"]}
    assert sorted(rejected) == [2, 3, 4, 5, 6]
    assert {column for column, _, _ in rejected.values()} == {"consent_date"}
    assert rejected[2][1] == "2019-13-01" and "month 13 does not exist" in rejected[2][2]
    assert rejected[3][1] == "вчера" and "give the date itself" in rejected[3][2]
    for row in (4, 5):
        assert "the day" in rejected[row][2], rejected[row]
    assert rejected[6] == (
        "consent_date",
        tomorrow,
        "Consent cannot be dated in the future.",
    )
    assert _count(Person) == 0
    # The good row alone is written, with its date.
    result, report = _run(app, coordinator, tmp_path, content, "--valid-only", name=name)
    assert result.exit_code == 0, result.output
    assert _consents() == {"Nodira Saidova": ("named", date(2019, 5, 3))}


def test_an_xlsx_consent_date_shown_as_a_month_is_not_taken_for_its_first_day(
    app, coordinator, tmp_path
):
    book = Workbook()
    book.active.append(CONSENT_HEADER)
    book.active.append(["A", "Ali Valiev", "extradition", "2011", "named", datetime(2019, 5, 1)])
    book.active["F2"].number_format = "mmm yy"
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(app, coordinator, tmp_path, buf.getvalue(), "--dry-run", name="c.xlsx")
    assert result.exit_code == 1, result.output
    assert [(p["row"], p["column"], p["value"]) for p in report["rejected"]] == [
        (2, "consent_date", "2019-05")
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_consent_date_without_a_consent_is_left_out_with_a_warning(
    app, coordinator, tmp_path, kind
):
    """A date with consent none (or none said, the format's default): the row is imported
    with consent none, as the file says, and the date is not kept (no consent of that day is
    recorded); its row says so, for the coordinator to check which of the two is wrong."""
    content, name = _rows_file(
        [
            CONSENT_HEADER,
            ["A", "Ali Valiev", "extradition", "2011", "none", "2019-05-03"],
            ["B", "Vali Aliev", "extradition", "2011", "", "2019-05-03"],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 0, result.output
    warned = [(w["row"], w["column"], w["value"]) for w in report["warnings"]]
    assert (2, "consent_date", "2019-05-03") in warned
    assert (3, "consent_date", "2019-05-03") in warned
    dated = [w for w in report["warnings"] if w["column"] == "consent_date"]
    assert len(dated) == 2 and all("not kept" in w["message"] for w in dated)
    assert _consents() == {"Ali Valiev": ("none", None), "Vali Aliev": ("none", None)}


# --- workbooks as other programs write them -------------------------------------------------


def _workbook(rows: list[list[object]], edit=None, shape=None) -> bytes:
    """``rows`` as an XLSX file; ``shape`` (the sheet -> None) formats its cells, ``edit``
    (text -> text) rewrites its sheet's XML, as another program would have written it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if shape is not None:
        shape(book.active)
    buf = io.BytesIO()
    book.save(buf)
    if edit is None:
        return buf.getvalue()
    source, out = zipfile.ZipFile(buf), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            target.writestr(part, data)
    return out.getvalue()


def test_a_workbook_whose_stated_size_is_wrong_is_read_whole(app, coordinator, tmp_path):
    """A sheet states the range it uses; programs other than Excel often state it wrong (a
    single cell, or the size before rows were added). Every row and column is read."""
    rows = [["person_name", "act_type", "act_date", "narrative"]] + [
        [f"Person {n}", "extradition", "2011", f"Taken at night ({n})"] for n in range(5)
    ]
    content = _workbook(
        rows, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:C2"', xml)
    )
    result, report = _run(app, coordinator, tmp_path, content, name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 5 and _count(Case) == 5
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert narratives == {f"Taken at night ({n})" for n in range(5)}


def test_a_cell_merged_down_over_rows_stands_for_each_of_them(app, coordinator, tmp_path):
    """A case's key (or its act) typed once in a cell merged down over the rows of its people,
    as spreadsheets are often laid out: each row has that value, so the rows are one case, not
    a case of their own each (nor rejected for an act they show)."""

    def merge(ws):
        for cells in ("A2:A4", "C2:C4", "D2:D4", "E5:F5"):
            ws.merge_cells(cells)

    book = Workbook()
    ws = book.active
    for row in [
        ["case_key", "person_name", "act_type", "act_date", "narrative", "after_return"],
        ["K-1", "Ali Valiev", "extradition", "2011-06", "Taken together", None],
        [None, "Vali Aliev", None, None, None, None],
        [None, "Rustam Karimov", None, None, None, None],
        ["K-2", "Timur Nazarov", "deportation", "2012", "Sent back", None],
    ]:
        ws.append(row)
    merge(ws)
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["rejected"] == [] and report["created"] == {"cases": 2, "people": 4}
    cases = {c.external_ref: c for c in db.session.scalars(select(Case))}
    assert sorted(cp.person.names[0].name for cp in cases["K-1"].people) == [
        "Ali Valiev",
        "Rustam Karimov",
        "Vali Aliev",
    ]
    # Merged across, a text is its first column's: the column beside it stays empty.
    assert cases["K-2"].narrative == "Sent back" and cases["K-2"].after_return is None


def test_a_formula_is_read_as_the_value_the_workbook_shows(app, coordinator, tmp_path):
    """Excel keeps with each formula the value it last showed: a name put together from two
    columns (=B2&" "&C2) or a date computed by =DATE(...) is imported as that value, never as
    the formula's text. A formula saved without its value (by a program that computes none)
    stays the inert text it was."""
    shown = {"A2": ' t="str">{}<v>Ali Valiev</v>', "F2": ">{}<v>40703</v>"}

    def with_values(xml: str) -> str:
        # As Excel saves them: each formula followed by the value it shows.
        for cell, saved in shown.items():
            xml = re.sub(
                rf'(<c r="{cell}"[^>]*?)>(<f>.*?</f>)(?:<v\s*/>|<v></v>)?',
                lambda m, saved=saved: m[1] + saved.format(m[2]),
                xml,
            )
        return xml

    rows = [
        ["person_name", "given", "family", "act_type", "narrative", "act_date"],
        ['=B2&" "&C2', "Ali", "Valiev", "extradition", "=SUM(1,2)", "=DATE(2011,6,9)"],
    ]
    content = _workbook(
        rows, with_values, lambda ws: setattr(ws["F2"], "number_format", "dd.mm.yyyy")
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"given": None, "family": None}), "utf-8")
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping), name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(PersonName)).name == "Ali Valiev"
    case = db.session.scalar(select(Case))
    assert case.act_date.iso() == "2011-06-09" and case.narrative == "=SUM(1,2)"


def test_a_utf8_file_with_a_line_in_another_encoding_is_refused_not_garbled(
    app, coordinator, tmp_path
):
    """A UTF-8 file a row was added to by a program writing Windows-1251 is neither: read as
    Windows-1251 every name typed in UTF-8 would be garbled ("РђР»РёС€РµСЂ"), so it is refused,
    naming the line to fix. Its encoding chosen by hand, it is read so."""
    utf8 = "person_name;act_type;act_date\nАлишер Холматов;extradition;2011\nГульнора Юсупова;deportation;2012\n"
    content = utf8.encode() + "Рустам Каримов;deportation;2013\n".encode("cp1251")
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 2, result.output
    assert "UTF-8" in result.output and "line 4" in result.output
    assert _count(Person) == 0
    result, report = _run(app, coordinator, tmp_path, content, "--encoding", "cp1251", "--dry-run")
    assert result.exit_code == 0 and report["encoding"] == "cp1251"


def test_invisible_characters_around_headers_and_values_are_not_part_of_them(
    app, coordinator, tmp_path
):
    """Text copied from a web page or a messenger brings zero-width spaces, direction marks and
    byte-order marks along (a file saved twice with its mark): at the edges of a header or a
    value they are not part of it, so "UZ" followed by one is still Uzbekistan."""
    content = (
        "\ufeff\ufeffcase_key,\u200bperson_name,act_type\u200e,act_date,nationality,gender\n"
        "K-1\u200b,Ali Valiev\u200f,extradition\u2060,\u200b2011-06,UZ\u200b,m\u200b\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person))
    assert person.nationality == "UZ" and person.gender.value == "male"
    assert person.names[0].name == "Ali Valiev"
    case = db.session.scalar(select(Case))
    assert case.external_ref == "K-1" and case.act_date.iso() == "2011-06"


def test_text_with_decomposed_letters_reads_as_the_same_words(app, coordinator, tmp_path):
    """ "й" and "ё" can be written as a letter and a combining mark (text from a Mac, a PDF or
    the web): each file's text is read in its composed form, so "Китай" and "мужской" are still
    recognised, and a name is stored as the same name typed in a form."""
    text = (
        "person_name,gender,act_type,act_date,nationality,current_situation\n"
        "Йўлдош Ёрқинов,мужской,принудительный возврат,2011,Китай,выдворён\n"
    )
    content = unicodedata.normalize("NFD", text).encode()
    assert content != text.encode()
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person))
    assert person.names[0].name == "Йўлдош Ёрқинов"
    assert person.nationality == "CN" and person.gender.value == "male"
    case = db.session.scalar(select(Case))
    assert case.act_type.value == "forcible_return" and case.current_situation.value == "removed"
    # A mapping typed in decomposed letters names the file's headers all the same.
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({unicodedata.normalize("NFD", "Куда выдворён"): "destination_country"})
    )
    content = "person_name,act_type,act_date,Куда выдворён\nAli Valiev,extradition,2011,UZ\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping), "--dry-run")
    assert result.exit_code == 0, result.output


def test_a_file_with_only_its_header_says_there_is_nothing_to_import(app, coordinator, tmp_path):
    """A header and no rows (or only empty ones) is not an import of nothing to confirm: the
    page says the file holds no rows, with no button to import zero cases."""
    for content in ("person_name,act_type,act_date\n", "person_name;act_type;act_date\n;;\n\n"):
        result, _ = _run(app, coordinator, tmp_path, content)
        assert result.exit_code == 2 and "no rows" in result.output
    html = (
        _web(app, coordinator)
        .post(
            "/imports/cases",
            data={"file": (io.BytesIO(b"person_name,act_type,act_date\r\n"), "cases.csv")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "no rows" in html and "now</button>" not in html
    # One row is something to import.
    content = "person_name,act_type,act_date\nAli Valiev,extradition,2011\n"
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0 and _count(Case) == 1


def test_a_question_mark_for_a_letter_windows_1251_lacks_is_a_warning(app, coordinator, tmp_path):
    """Excel on a Russian-locale machine saves CSV in Windows-1251, which has no Kazakh or
    Uzbek letters such as қ, ғ, ә: each becomes "?". A name with one is flagged, saying how to
    keep the letters; a name without one, or the same "?" in UTF-8, is not."""
    text = "person_name;other_names;act_type;act_date\nАбдулла Қодиров;Ғани Әлиев;extradition;2011\nАлишер Холматов;;extradition;2011\n"
    content = text.encode("cp1251", errors="replace")
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 0, result.output
    flagged = [(w["row"], w["column"], w["value"]) for w in report["warnings"] if "?" in w["value"]]
    assert flagged == [(2, "person_name", "Абдулла ?одиров"), (2, "other_names", "?ани ?лиев")]
    assert all("CSV UTF-8" in w["message"] for w in report["warnings"] if "?" in w["value"])
    result, report = _run(
        app, coordinator, tmp_path, content.decode("cp1251").encode(), "--dry-run"
    )
    assert not [w for w in report["warnings"] if "?" in w["value"]]


def test_the_check_lets_go_of_each_rows_cells_once_parsed(app, coordinator, monkeypatch):
    """A row's cells as read go once the row is parsed: a large file's are not held beside its
    parsed rows while its people are matched against those recorded (at 50,000 rows, some 90
    MiB). What the check finds is the same."""
    from casework.imports import services
    from casework.imports.reading import read_table

    class Cells(dict):
        """A row's cells, which can be watched for being kept."""

    lines = ["case_key,person_name,act_type,act_date,act_place,perpetrators,sources"]
    lines += [
        f"K-{n},Person{n} Family{n},extradition,2011-06,Almaty,KNB,relative" for n in range(3)
    ]
    lines += ["K-3,Person3 Family3,extradition,someday,Almaty,KNB,relative"]
    table = read_table(("\n".join(lines) + "\n").encode(), "c.csv")
    table.rows = [(number, Cells(cells)) for number, cells in table.rows]
    kept = [weakref.ref(cells) for _number, cells in table.rows]
    held_when_matching: list[int] = []
    real_duplicates = services._duplicates

    def duplicates(actor, rows):
        gc.collect()
        held_when_matching.append(sum(ref() is not None for ref in kept))
        return real_duplicates(actor, rows)

    monkeypatch.setattr(services, "_duplicates", duplicates)
    report = services.import_cases(coordinator, table, services.ImportOptions(dry_run=True))
    # The last row's at most, not the four.
    assert len(held_when_matching) == 1 and held_when_matching[0] <= 1
    assert report.rows_read == 4 and report.created == {"cases": 0, "people": 0}
    assert [(p.row, p.column) for p in report.rejected] == [(5, "act_date")]


def test_writing_more_rows_takes_no_more_statements(app, coordinator, count_queries):
    """On SQLite people and acts are written a batch at a time: a file ten times as long
    (within one batch) takes as many statements, not one more per row. (PostgreSQL pages its
    many-row statements on purpose: ``_paging``.)"""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("statements are paged on PostgreSQL")
    from casework.imports.reading import read_table
    from casework.imports.services import ImportOptions, import_cases

    def statements(rows: int) -> int:
        lines = ["case_key,person_name,act_type,act_date,act_place,perpetrators,sources"]
        lines += [
            f"K-{rows}-{n},Person{rows}x{n} Family{n},extradition,2011-06,Almaty,KNB,relative"
            for n in range(rows)
        ]
        table = read_table(("\n".join(lines) + "\n").encode(), "c.csv")
        with count_queries() as counter:
            report = import_cases(coordinator, table, ImportOptions())
        assert report.written and report.created["people"] == rows
        db.session.commit()
        # The names' matching keys (a dozen per name) are inserted a thousand rows per
        # statement, as SQLAlchemy pages a many-row insert: not one more per row.
        return counter["n"] - sum(
            s.startswith("INSERT INTO person_name_keys") for s in counter["statements"]
        )

    few = statements(20)
    assert statements(200) <= few


def test_a_file_over_the_stated_limit_is_refused_under_the_field(app, coordinator, monkeypatch):
    """The page says the largest file it takes; a larger one (the request itself may be a
    little larger) is refused with that limit under the file field, and nothing is checked
    or kept for confirming. A file within the limit is checked."""
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024)
    row = b"Ali Valiev,extradition,2011\n"
    client = _web(app, coordinator)

    def check(size: int) -> str:
        content = b"person_name,act_type,act_date\n" + row * (size // len(row))
        return client.post(
            "/imports/cases",
            data={"file": (io.BytesIO(content), "cases.csv")},
            content_type="multipart/form-data",
        ).get_data(as_text=True)

    html = check(1100)
    assert "The file is larger than the limit" in html and "Rows read" not in html
    assert client.post("/imports/cases/confirm").status_code == 400
    html = check(900)
    assert "Rows read: 32." in html
    assert "Imported" in client.post("/imports/cases/confirm").get_data(as_text=True)


def test_the_first_sheet_read_is_the_first_one_shown(app, coordinator, tmp_path):
    """A workbook often keeps the lists its drop-downs offer on a hidden sheet, sometimes the
    first: without a sheet named, the import reads the first sheet the user sees."""
    book = Workbook()
    lists = book.active
    lists.title = "Lists"
    for term in ("extradition", "deportation", "abduction"):
        lists.append([term])
    lists.sheet_state = "hidden"
    cases = book.create_sheet("Cases")
    cases.append(["person_name", "act_type", "act_date"])
    cases.append(["Ali Valiev", "extradition", "2011"])
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(app, coordinator, tmp_path, buf.getvalue(), name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 1 and _count(Case) == 1
    # Named, a hidden sheet is read all the same (a list of one value a row has no header).
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), "--sheet", "Lists", name="c.xlsx")
    assert result.exit_code == 2 and "The sheet has no header row" in result.output


def test_a_sheet_is_found_by_its_name_typed_in_any_case(app, coordinator, tmp_path):
    """The sheet's name is typed by hand on the page: "cases " finds the sheet "Cases", as
    headers are matched; a name that is no sheet's is still refused, naming it."""
    book = Workbook()
    book.active.title = "Notes"
    ws = book.create_sheet("Cases")
    ws.append(["person_name", "act_type", "act_date"])
    ws.append(["Ali Valiev", "extradition", "2011"])
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(
        app, coordinator, tmp_path, buf.getvalue(), "--sheet", "cases ", name="c.xlsx"
    )
    assert result.exit_code == 0, result.output
    assert _count(Case) == 1
    result, _ = _run(app, coordinator, tmp_path, buf.getvalue(), "--sheet", "Case", name="c.xlsx")
    assert result.exit_code == 2 and "no sheet" in result.output


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_date_left_as_excels_day_number_is_read_as_that_day(app, coordinator, tmp_path, kind):
    """A date column formatted as a number (or a file saved from such a sheet) shows Excel's
    day number, 40703 for 9 June 2011: a number of five digits cannot be a year, so it is read
    as the day it stands for, and the row says so for the coordinator to check."""
    content, name = _rows_file(
        [
            ["person_name", "act_type", "act_date", "birth_date"],
            ["Ali Valiev", "extradition", 40703, 29323],
            ["Vali Aliev", "extradition", 2011, 1980],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 0, result.output
    person = next(p for p in db.session.scalars(select(Person)) if p.names[0].name == "Ali Valiev")
    assert person.birth_date.iso() == "1980-04-12"
    assert {c.act_date.iso() for c in db.session.scalars(select(Case))} == {"2011-06-09", "2011"}
    read = {
        (w["row"], w["column"])
        for w in report["warnings"]
        if "2011-06-09" in w["message"] or "1980-04-12" in w["message"]
    }
    assert read == {(2, "act_date"), (2, "birth_date")}


def test_ethnicities_as_russian_and_uzbek_write_them_are_matched(app, coordinator, tmp_path):
    """A woman's ethnicity is written in its feminine form in Russian ("казашка", "таджичка"),
    and Uzbek Latin writes its apostrophe many ways (oʻzbek): each is matched to the term, as
    "узбечка" and "уйгурка" are."""
    written = {
        "казашка": "Kazakh", "Кыргызка": "Kyrgyz", "киргизка": "Kyrgyz", "таджичка": "Tajik",
        "туркменка": "Turkmen", "русская": "Russian", "дунганка": "Dungan",
        "oʻzbek": "Uzbek", "O’zbek": "Uzbek", "Uygur": "Uyghur", "казах": "Kazakh",
    }  # fmt: skip
    lines = ["person_name,act_type,act_date,ethnicity"]
    lines += [f"Person {n},extradition,2011,{text}" for n, text in enumerate(written)]
    result, _ = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    got = {p.names[0].name: p.ethnicity for p in db.session.scalars(select(Person))}
    assert got == {f"Person {n}": term for n, term in enumerate(written.values())}


def test_a_quotation_mark_never_closed_does_not_swallow_the_rows_after_it(
    app, coordinator, tmp_path
):
    """A cell typed by hand as "Taken at night (its closing quotation mark forgotten) would
    take in every line after it, rows and names, as its own text: its row is rejected, naming
    the line, and the rows after it are read and checked as rows. A cell of several lines
    quoted as it should be is read as before."""
    content = (
        "person_name,act_type,act_date,narrative\n"
        'Ali Valiev,extradition,2011,"Taken at night\n'
        "Vali Aliev,extradition,2012,Held in Almaty\n"
        "Rustam Karimov,deportation,2013,Sent back\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1, result.output
    assert report["rows_read"] == 3 and _count(Case) == 0
    [problem] = report["rejected"]
    assert problem["row"] == 2 and "line 2" in problem["message"]
    assert "never closed" in problem["message"] and "Vali Aliev" not in problem["value"]
    closed = content.replace("Taken at night", 'Taken at night"', 1).replace(
        "Sent back\n", '"Sent back,\nthe family says",\n'
    )
    result, report = _run(app, coordinator, tmp_path, closed)
    assert result.exit_code == 0 and report["rows_read"] == 3, result.output


def test_a_quotation_mark_closed_only_by_a_later_row_does_not_merge_the_rows(
    app, coordinator, tmp_path
):
    """The quotation mark left open on line 2 is closed by the one opening a cell on line 4:
    the reader took lines 2 to 4 for one row, and the people of lines 3 and 4 were lost
    unseen. Line 2 is rejected saying so; lines 3 and 4 are checked as the rows they are (a bad
    act type on line 4 is reported), and a cell of two lines further down is read whole."""
    content = (
        "person_name,act_type,act_date,narrative\n"
        'Ali Valiev,extradition,2011,"Taken at night\n'
        "Vali Aliev,extradition,2012,Held in Almaty\n"
        'Rustam Karimov,teleportation,2013,"Sent back, the family says"\n'
        'Aziz Aliev,deportation,2014,"Two lines\nof narrative"\n'
    )
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    assert report["rows_read"] == 4
    rejected = [(p["row"], p["column"]) for p in report["rejected"]]
    assert rejected == [(2, ""), (4, "act_type")]
    assert "line 2" in report["rejected"][0]["message"]
    assert "quotation mark" in report["rejected"][0]["message"]
    result, report = _run(app, coordinator, tmp_path, content, "--valid-only")
    assert result.exit_code == 0, result.output
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert narratives == {"Held in Almaty", "Two lines\nof narrative"}
    # A cell that opens with a quotation mark on the file's last line, never closed.
    result, report = _run(
        app,
        coordinator,
        tmp_path,
        'person_name,act_type,act_date\nAli,extradition,"2011',
        "--dry-run",
    )
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "")]


def test_a_csv_cell_too_long_is_reported_on_its_row(app, coordinator, tmp_path):
    """A narrative far over its limit in a CSV file is a problem of its row, said in the
    user's words (as in a workbook), not the whole file refused by the CSV reader."""
    narrative = "Taken at night. " * 10_000  # 160,000 characters
    content = (
        f'person_name,act_type,act_date,narrative\nAli Valiev,extradition,2011,"{narrative}"\n'
    )
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    [problem] = report["rejected"]
    assert (problem["row"], problem["column"]) == (2, "narrative")
    assert "Keep this under" in problem["message"] and len(problem["value"]) < 300


def test_a_file_of_one_case_offers_to_import_one_case(app, coordinator):
    one = "\n".join(RUSSIAN_FILE.splitlines()[:2]) + "\n"
    html = _checked(_web(app, coordinator), one.encode(), "one.csv")
    assert "Import 1 case now" in html and "1 cases" not in html
    assert "Cases to create: 1. People to create: 1." in html


def _xlsx(rows, merged=()) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    for cells in merged:
        book.active.merge_cells(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_title_row_above_the_header_is_skipped_and_said(app, coordinator, tmp_path):
    """Excel users put a title in A1 and the header a row or two below: the header is the
    first row naming known columns (or mapped ones), rows keep the numbers the sheet shows,
    and the report says the rows above the header were skipped."""
    content = (
        "Список случаев, 2023\n\nperson_name;act_type;act_date\nAli Valiev;extradition;2011-13\n"
    )
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(4, "act_date")]
    [skipped] = [w for w in report["warnings"] if w["row"] == 1]
    assert skipped["value"] == "Список случаев, 2023" and "header" in skipped["message"]
    assert "row 1" in result.output and "header" in result.output
    # A workbook: a merged title over the columns, a note, the header in row 4.
    data = _xlsx(
        [
            ["Список случаев 2023", None, None],
            [None],
            ["Составил: Н. Иванова", None, None],
            ["ФИО", "Вид", "Дата"],
            ["Алишер Холматов", "экстрадиция", "2011"],
        ],
        merged=["A1:C1"],
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"ФИО": "person_name", "Вид": "act_type", "Дата": "act_date"}), "utf-8"
    )
    result, report = _run(
        app, coordinator, tmp_path, data, "--mapping", str(mapping), name="c.xlsx"
    )
    assert result.exit_code == 0, result.output
    assert [w["row"] for w in report["warnings"]] == [1, 3, 5]
    assert _count(Case) == 1


def test_placeholders_in_optional_columns_are_empty_but_not_in_required_ones(
    app, coordinator, tmp_path
):
    """ "-", "—", "н/д", "n/a", "нет данных", "?" typed for "nothing known" in an optional
    column are empty cells (a case of its own, no agency or place called "-"); in a required
    column they are rejected saying why; text that merely starts with "-" stays text."""
    header = (
        "case_key;person_name;gender;birth_date;nationality;legal_status;act_type;act_date;"
        "act_place;perpetrators;sources;current_situation;urgency;consent;narrative;legal_grounds"
    )
    rows = [
        "-;Ali Valiev;—;н/д;n/a;нет данных;extradition;2011;–;-;?;-;н/д;-;- taken at night;-",
        "-;Vali Aliev;?;-;-;N/A;deportation;2012;-;-;-;Н/Д;—;?;;",
        "K-3;—;m;;;;extradition;2013;;;;;;;;",
        "K-4;Rustam Karimov;m;;;;н/д;2013;;;;;;;;",
        "K-5;Olim Karimov;m;;;;extradition;—;;;;;;;;",
    ]
    result, report = _run(app, coordinator, tmp_path, "\n".join([header, *rows]) + "\n")
    assert result.exit_code == 1, result.output
    rejected = {(p["row"], p["column"]): p["message"] for p in report["rejected"]}
    assert set(rejected) == {(4, "person_name"), (5, "act_type")}
    assert "placeholder" in rejected[(4, "person_name")]
    assert "placeholder" in rejected[(5, "act_type")]
    # Row 6: an act date of "—" is unknown, as "unknown" is (the import format).
    assert any(w["row"] == 6 and w["column"] == "act_date" for w in report["warnings"])
    result, report = _run(app, coordinator, tmp_path, "\n".join([header, *rows]) + "\n",
                          "--valid-only")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert report["created"] == {"cases": 3, "people": 3}
    cases = {c.narrative: c for c in db.session.scalars(select(Case))}
    first = cases["- taken at night"]
    assert first.external_ref is None and first.events[0].place is None
    assert not first.events[0].agencies and not db.session.scalars(select(Source)).all()
    people = {p.names[0].name: p for p in db.session.scalars(select(Person))}
    ali = people["Ali Valiev"]
    assert (ali.gender.value, ali.birth_date, ali.nationality) == ("unknown", None, None)
    assert ali.consent == ConsentLevel.NONE


def _dates_imported_as_expected(app, coordinator, tmp_path, rows):
    """Import one case a row of ``rows`` ({key: (birth date, act date, birth date read, act
    date read)}, "" where none) and check each date was read as expected; the report."""
    content = "case_key;person_name;birth_date;act_type;act_date\n" + "".join(
        f"{k};Person {k};{b};extradition;{a}\n" for k, (b, a, _b, _a) in rows.items()
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (
            c.people[0].person.birth_date.iso() if c.people[0].person.birth_date else "",
            c.act_date.iso(),
        )
        for c in db.session.scalars(select(Case))
    }
    assert got == {k: (b, a) for k, (_rb, _ra, b, a) in rows.items()}
    return report


def test_dates_as_russian_and_other_locales_write_them(app, coordinator, tmp_path):
    """Two-digit years (the century that is not to come, said for a birth date), year first
    with dots, day first with slashes or hyphens (month first only where day first cannot be,
    a reading that could be the other one said), month names, Excel's "12-Apr-2011"."""
    rows = {
        "A": ("12.04.79", "12.04.15", "1979-04-12", "2015-04-12"),
        "B": ("1980.01.02", "2011/04/12", "1980-01-02", "2011-04-12"),
        "C": ("12/04/1979", "12-04-2011", "1979-04-12", "2011-04-12"),
        "D": ("04/25/1979", "12/12/2011 0:00", "1979-04-25", "2011-12-12"),
        "E": ("12 апреля 1979", "April 2011", "1979-04-12", "2011-04"),
        "F": ("12 April 1979", "апрель 2011", "1979-04-12", "2011-04"),
        "G": ("28957", "12-Apr-2011", "1979-04-12", "2011-04-12"),
        "H": ("1.2.30", "April 12, 2011", "1930-02-01", "2011-04-12"),
    }
    report = _dates_imported_as_expected(app, coordinator, tmp_path, rows)
    warned = {(w["row"], w["column"]): w["message"] for w in report["warnings"]}
    # Row 2: "79" read as 1979 (a birth date: said); "15" as 2015 (not said).
    assert "1979" in warned[(2, "birth_date")] and (2, "act_date") not in warned
    # Row 4: day first, and month first would have been another day: said, naming it.
    assert "1979-04-12" in warned[(4, "birth_date")] and "1979-12-04" in warned[(4, "birth_date")]
    assert "2011-04-12" in warned[(4, "act_date")]
    # Row 5: only month first is a date: read so, and said; 12/12 is the same either way.
    assert "1979-04-25" in warned[(5, "birth_date")] and (5, "act_date") not in warned
    assert "1930" in warned[(9, "birth_date")]
    assert not {r for r, c in warned if c == "birth_date"} & {3, 6, 7}


def test_a_file_imported_again_is_reported_row_by_row(app, coordinator, make_user, tmp_path):
    """The same file imported twice made every case twice. A row whose case_key is the own
    reference of a case already recorded (as case keys are compared) is rejected naming that
    case: the dry run shows it, and importing only the good rows skips it."""
    first = "case_key,person_name,act_type,act_date\nK-1,Ali Valiev,extradition,2011\n"
    first += "K-1,Vali Aliev,extradition,2011\nK-2,Olim Karimov,deportation,2012\n"
    result, _ = _run(app, coordinator, tmp_path, first)
    assert result.exit_code == 0, result.output
    refs = {c.external_ref: c.reference for c in db.session.scalars(select(Case))}
    again = first.replace("K-2", "k–2 ") + "K-9,Rustam Karimov,abduction,2013\n"
    again += ",Unkeyed Person,abduction,2013\n"
    result, report = _run(app, coordinator, tmp_path, again, "--dry-run")
    assert result.exit_code == 1, result.output
    rejected = {(p["row"], p["column"]): p["message"] for p in report["rejected"]}
    assert set(rejected) == {(2, "case_key"), (3, "case_key"), (4, "case_key")}
    assert refs["K-1"] in rejected[(2, "case_key")] and refs["K-2"] in rejected[(4, "case_key")]
    assert "Already imported as case" in rejected[(2, "case_key")]
    result, report = _run(app, coordinator, tmp_path, again, "--valid-only")
    assert result.exit_code == 0, result.output
    assert report["created"] == {"cases": 2, "people": 2} and _count(Case) == 4
    # A case discarded since (a hidden draft) is no longer there to import into.
    for case in db.session.scalars(select(Case)):
        if case.external_ref == "K-9":
            case.hidden_at = case.created_at
    db.session.commit()
    result, report = _run(app, coordinator, tmp_path, "case_key,person_name,act_type,act_date\n"
                          "K-9,Rustam Karimov,abduction,2013\n", "--dry-run")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_header_with_yo_is_mapped_whether_the_mapping_writes_yo_or_ye(app, coordinator, tmp_path):
    """Russian is written with and without "ё": a Windows-1251 header "Объём работы", "Кто
    вёл дело" is the mapping's "Объем работы", "Кто вел дело", and the other way round."""
    content = "ФИО;Вид;Дата;Кто вёл дело;Объем работы\nАлишер Холматов;экстрадиция;2011;А;Б\n"
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {"ФИО": "person_name", "Вид": "act_type", "Дата": "act_date",
             "Кто вел дело": None, "Объём работы": None}
        ),
        "utf-8",
    )  # fmt: skip
    result, report = _run(
        app, coordinator, tmp_path, content.encode("cp1251"), "--mapping", str(mapping)
    )
    assert result.exit_code == 0, result.output
    assert report["encoding"] == "cp1251" and _count(Case) == 1


def test_a_warning_of_a_whole_row_names_no_empty_column(app, coordinator, tmp_path):
    """A row skipped above the header has no column: the page and the command line say
    "Row 1: ..." rather than name an empty column."""
    content = "Список случаев 2023\nperson_name,act_type,act_date\nAli Valiev,extradition,2011\n"
    html = _checked(_web(app, coordinator), content.encode(), "c.csv")
    assert "Row 1: Above the header row (row 2)" in html and "<code></code>" not in html
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert "warning row 1: Above the header row" in result.output, result.output


def test_a_file_of_many_unknown_columns_is_refused_in_a_readable_message(
    app, coordinator, tmp_path
):
    """A sheet turned on its side (a thousand columns, each a case) named every column in
    the message refusing it: the first ones are named and the others counted."""
    headers = ["person_name", "act_type", "act_date"] + [f"Дело {n}" for n in range(1000)]
    content = ",".join(headers) + "\n" + ",".join(["Ali", "extradition", "2011"] + [""] * 1000)
    result, _ = _run(app, coordinator, tmp_path, content + "\n")
    assert result.exit_code == 2
    assert "“Дело 0”" in result.output and "“Дело 999”" not in result.output
    assert "980" in result.output and len(result.output) < 2000, result.output


def test_numbered_empty_rows_and_a_repeated_header_are_not_rows(app, coordinator, tmp_path):
    """A register kept from a template numbers its rows ahead ("24;;;"), and files pasted
    together repeat the header: a row with values only in columns left out, or that repeats
    the header, is no person to import (the header repeated is said)."""
    content = (
        "№;ФИО;Вид;Дата\n1;Алишер Холматов;экстрадиция;2011\n"
        "№;ФИО;Вид;Дата\n3;Ali Valiev;extradition;2012\n4;;;\n5;;;\n"
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"№": None, "ФИО": "person_name", "Вид": "act_type", "Дата": "act_date"}),
        "utf-8",
    )
    result, report = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 2 and _count(Case) == 2
    assert [w["row"] for w in report["warnings"] if "header" in w["message"]] == [3]
    result, _ = _run(
        app, coordinator, tmp_path, "№;ФИО;Вид;Дата\n1;;;\n2;;;\n", "--mapping", str(mapping)
    )
    assert result.exit_code == 2 and "nothing to import" in result.output


def test_an_agency_name_too_long_is_rejected_not_cut(app, coordinator, tmp_path):
    """An agency is kept in at most 200 characters: a longer one (a sentence typed in the
    perpetrators column) was cut without a word; it is rejected on its row."""
    content = f"person_name,act_type,act_date,perpetrators\nAli,extradition,2011,KNB; {'x' * 201}\n"
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 1, result.output
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "perpetrators")]


def test_a_title_above_headers_still_to_map_is_not_taken_for_the_header(app, coordinator, tmp_path):
    """Checked before any mapping is written, a file with a title above its Russian headers
    was refused naming the title as its one unknown column: the header is the row naming the
    most columns, so the refusal names the columns to map."""
    content = "Список случаев, 2023;;\n;;\nКто;Вид;Когда\nАлишер Холматов;экстрадиция;2011\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2
    assert "“Кто”, “Вид”, “Когда”" in result.output and "Список" not in result.output


def test_a_header_of_two_rows_with_cells_merged_down_is_read(app, coordinator, tmp_path):
    """Workbooks group their headers: "Акт" over "act_type" and "act_date", and the headers
    without a group merged down over both rows. The header is the lower row, and a cell of it
    merged down from the row above has that row's header (it was "a column without a
    header" holding values)."""
    data = _xlsx(
        [
            ["person_name", "Акт", None, "Примечание"],
            [None, "act_type", "act_date", None],
            ["Ali Valiev", "extradition", "2011", None],
        ],
        merged=["A1:A2", "B1:C1"],
    )
    result, report = _run(app, coordinator, tmp_path, data, name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 1 and _count(Case) == 1


def test_a_birth_year_written_the_russian_way_is_read(app, coordinator, tmp_path):
    """ "1979 г.р." (год рождения) and "12.04.79 г." are how Russian registers write a birth
    date: read as 1979 and 1979-04-12."""
    content = (
        "case_key;person_name;birth_date;act_type;act_date\n"
        "A;Ali Valiev;1979 г.р.;extradition;2011 г.\nB;Vali Aliev;12.04.79 г.;extradition;12.04.11г.\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    got = {
        c.external_ref: (c.people[0].person.birth_date.iso(), c.act_date.iso())
        for c in db.session.scalars(select(Case))
    }
    assert got == {"A": ("1979", "2011"), "B": ("1979-04-12", "2011-04-12")}


def test_column_names_spelt_with_spaces_or_hyphens_are_the_columns(app, coordinator, tmp_path):
    """ "Person Name", "ACT-TYPE", "act date" are person_name, act_type, act_date, in a file
    and as a mapping's target."""
    content = "Person Name,ACT-TYPE,act date,ФИО другие\nAli Valiev,extradition,2011,Али\n"
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"ФИО другие": "Other Names"}), "utf-8")
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert {n.name for n in db.session.scalars(select(PersonName))} == {"Ali Valiev", "Али"}


@pytest.mark.parametrize("header", ["CaseID", "caseID", "Case ID", "CASE_ID", "UnhcrID"])
def test_a_header_ending_in_capitals_is_split_as_words(app, coordinator, tmp_path, header):
    """ "CaseID" is "Case ID" (camel case ending in an abbreviation), the case's own reference,
    not a column the file is refused for."""
    column = "unhcr_number" if header == "UnhcrID" else "case_key"
    if column == "unhcr_number":
        content = f"person_name,act_type,act_date,{header}\nAli Valiev,extradition,2011,X-1\n"
    else:
        content = f"{header},person_name,act_type,act_date\nKZ-OLD-1,Ali Valiev,extradition,2011\n"
    result, _ = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    if column == "case_key":
        assert db.session.scalar(select(Case)).external_ref == "KZ-OLD-1"
    else:
        assert db.session.scalar(select(Person)).unhcr_number == "X-1"


AUTHORISATION_HEADER = ["case_key", "person_name", "act_type", "act_date"]
AUTHORISATION_HEADER += ["Authorisation", "authorised_on"]


def _authorisations() -> dict[str, tuple[str, object]]:
    db.session.expire_all()
    return {
        case.external_ref: (case.authorisation.value, case.authorised_on)
        for case in db.session.scalars(select(Case))
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_authorisation_and_its_day_are_read_from_optional_columns(
    app, coordinator, tmp_path, kind
):
    """How the victim authorised us, by its code, its label or its Russian label, and the day,
    read as the file's other dates are; an empty cell or a placeholder is nothing recorded. A
    later row of the case fills what the first left empty, and one that says otherwise is a
    warning, the first row's kept."""
    day = datetime(2012, 5, 3) if kind == "xlsx" else "03.05.2012"
    content, name = _rows_file(
        [
            AUTHORISATION_HEADER,
            ["A", "Ali Valiev", "extradition", "2011", "written", day],
            ["B", "Vali Aliev", "extradition", "2011", "Через семью", "2012-06-12"],
            ["C", "Rustam Karimov", "extradition", "2011", "—", ""],
            ["D", "Timur Nazarov", "extradition", "2011", "Cannot be obtained", ""],
            ["C", "Gulnora Karimova", "extradition", "2011", "oral", "2012-07-01"],
            ["A", "Nodira Valieva", "extradition", "2011", "oral", ""],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 0, result.output
    assert report["rejected"] == []
    warned = [(w["row"], w["column"], w["value"]) for w in report["warnings"]]
    assert [w for w in warned if w[1].startswith("authoris")] == [(7, "authorisation", "oral")]
    assert _authorisations() == {
        "A": ("written", date(2012, 5, 3)),
        "B": ("through_family", date(2012, 6, 12)),
        "C": ("oral", date(2012, 7, 1)),
        "D": ("cannot_be_obtained", None),
    }


def test_the_import_page_names_the_authorisation_columns(app, coordinator):
    html = page(_web(app, coordinator), "/imports/cases")
    assert "<code>authorisation</code>" in html and "<code>authorised_on</code>" in html
    assert "<code>cannot_be_obtained</code>" in html
    assert "<code>authorised_by</code>" in html and "<code>other_procedures</code>" in html
    assert "<code>other_procedures_details</code>" in html


def test_a_file_without_the_authorisation_columns_records_none(app, coordinator, tmp_path):
    result, _ = _run(
        app, coordinator, tmp_path, "person_name,act_type,act_date\nAli,abduction,2011\n"
    )
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    assert case.authorisation.value == "not_recorded" and case.authorised_on is None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_authorisation_that_is_no_term_or_no_day_is_rejected_saying_why(
    app, coordinator, tmp_path, kind
):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    content, name = _rows_file(
        [
            AUTHORISATION_HEADER,
            ["A", "Ali Valiev", "extradition", "2011", "by pigeon", "2012-05-03"],
            ["B", "Vali Aliev", "extradition", "2011", "written", "2012-13-01"],
            ["C", "Rustam Karimov", "extradition", "2011", "written", "2012"],
            ["D", "Timur Nazarov", "extradition", "2011", "written", tomorrow],
            ["E", "Nodira Saidova", "extradition", "2011", "written", "2012-05-03"],
        ],
        kind,
    )
    result, report = _run(app, coordinator, tmp_path, content, name=name)
    assert result.exit_code == 1, result.output
    rejected = {p["row"]: (p["column"], p["value"], p["message"]) for p in report["rejected"]}
    assert sorted(rejected) == [2, 3, 4, 5]
    assert rejected[2] == (
        "authorisation",
        "by pigeon",
        "Say how the person authorised the representation: not_recorded, written, oral, "
        "through_family, cannot_be_obtained.",
    )
    assert rejected[3][:2] == ("authorised_on", "2012-13-01")
    assert "month 13 does not exist" in rejected[3][2]
    assert rejected[4][0] == "authorised_on" and "not only the year" in rejected[4][2]
    assert rejected[5] == (
        "authorised_on",
        tomorrow,
        "The authorisation cannot be dated in the future.",
    )
    assert _count(Case) == 0
    result, report = _run(app, coordinator, tmp_path, content, "--valid-only", name=name)
    assert result.exit_code == 0, result.output
    assert _authorisations() == {"E": ("written", date(2012, 5, 3))}


def test_the_check_for_a_file_imported_again_reads_no_case_of_another_own_reference(
    app, coordinator, tmp_path, monkeypatch
):
    """Whether a file was imported before was checked by reading and decrypting the own reference
    of every case that has one (at the check and again at the write): its cost grew with the
    archive. The file's keys are looked up through the references' keyed index now: no case of
    another own reference is read, and no own reference is decrypted."""
    from casework.core import sealing
    from tests.factories import make_case

    first = "case_key,person_name,act_type,act_date\nK-1,Ali Valiev,extradition,2011\n"
    result, _ = _run(app, coordinator, tmp_path, first)
    assert result.exit_code == 0, result.output
    reference = db.session.scalar(select(Case.reference).where(Case.external_ref.is_not(None)))
    # Many cases without an own reference (typed in, not imported) ...
    db.session.execute(
        insert(Case),
        [{"reference": f"KZ-2012-{n:04d}", "created_by_id": coordinator.id} for n in range(1, 201)],
    )
    # ... and many the coordinator may read with another own reference (imported from others).
    for n in range(1, 31):
        make_case(coordinator, reference=f"KZ-2013-{n:04d}", external_ref=f"K-1{n}")
    db.session.commit()
    loaded: list[int] = []
    statements: list[str] = []
    opened: list[bytes] = []
    open_sealed = sealing.open_sealed

    def counting_open(value, *, data_key, context):
        opened.append(context)
        return open_sealed(value, data_key=data_key, context=context)

    def on_load(target, context):
        loaded.append(target.id)

    def before(conn, cursor, statement, parameters, context, executemany):
        if "external_ref" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    monkeypatch.setattr(sealing, "open_sealed", counting_open)
    event.listen(Case, "load", on_load)
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        result, report = _run(app, coordinator, tmp_path, first, "--dry-run")
    finally:
        event.remove(Case, "load", on_load)
        event.remove(db.engine, "before_cursor_execute", before)
    assert result.exit_code == 1, result.output
    rejected = {(p["row"], p["column"]): p["message"] for p in report["rejected"]}
    assert reference in rejected[(2, "case_key")]
    assert loaded == []
    assert not [c for c in opened if b"\x00cases\x00external_ref\x00" in c]
    # Read through the index of the references' keys, not a walk of every case.
    (statement, parameters), *_ = statements
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
        assert not any("Seq Scan on cases" in line for line in plan), plan
    else:
        plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
        assert not any(line.strip() == "SCAN cases" for line in plan), plan


def test_the_own_reference_is_found_again_after_every_change_of_it_or_of_the_key(
    app, coordinator, tmp_path, monkeypatch
):
    """The key an import finds a case's own reference by follows the reference: changed on the
    edit form or by the API, a file keyed the new way is the case's, the old way no longer is;
    with a new blind-index key, ``search reindex`` makes the references found again."""
    from casework.core.blindindex import current_index
    from tests.api_clients import api_for

    header = "case_key,person_name,act_type,act_date\n"
    result, _ = _run(app, coordinator, tmp_path, header + "K-1,Ali Valiev,extradition,2011\n")
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))

    def imported_again(key: str) -> bool:
        file = header + f"{key},Ali Valiev,extradition,2011\n"
        result, report = _run(app, coordinator, tmp_path, file, "--dry-run")
        rejected = [p["message"] for p in report["rejected"]]
        assert result.exit_code == (1 if rejected else 0), result.output
        return any(case.reference in message for message in rejected)

    assert imported_again("k\u20131 ")
    response = client_for(app, coordinator).post(
        f"/cases/{case.public_id}/edit",
        data={"act_type": "extradition", "act_date": "2011", "urgency": "routine",
              "current_situation": "unknown", "external_ref": "K-7", "version": case.version},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    assert imported_again("K-7") and not imported_again("K-1")
    api = api_for(app, coordinator)
    etag = api.get(f"cases/{case.public_id}").headers["ETag"]
    changed = api.patch(
        f"cases/{case.public_id}", json={"external_ref": "K-8"}, headers={"If-Match": etag}
    )
    assert changed.status_code == 200, changed.get_json()
    assert imported_again("K-8") and not imported_again("K-7")
    # A new blind-index key: the stored key no longer finds the reference until the reindex.
    current_index()  # the index in use now, which the test's end puts back
    monkeypatch.setitem(app.config, "BLIND_INDEX_KEY", "a-new-blind-index-key-of-32-chars-xx")
    monkeypatch.delitem(app.extensions, "casework.blindindex", raising=False)
    assert not imported_again("K-8")
    before = db.session.get(Case, case.id)
    version, updated_at = before.version, before.updated_at
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "1 own references" in result.output, result.output
    db.session.expire_all()
    assert imported_again("K-8")
    after = db.session.get(Case, case.id)  # the reindex changed nothing a user changes
    assert (after.version, after.updated_at, after.external_ref) == (version, updated_at, "K-8")


KAZAKH_FILE = (
    "person_name;act_type;act_date;act_place;narrative\n"
    "Нұрсұлтан Әбілқасымов;экстрадиция;04.2011;Алматы;Ұсталды, Қытайға қайтарылды\n"
    "ӘЛИЯ ҒАБДУЛЛИНА;депортация;2012;Өскемен;Шекарада үйіне хабарласқан жоқ\n"
)


def test_a_kazakh_file_in_kz1048_is_read_with_its_letters(app, coordinator, tmp_path):
    """KZ-1048, Kazakhstan's own single-byte code page, keeps ә, ғ, қ, ң, ө, ұ, ү, һ where
    Windows-1251 has Serbian and Ukrainian letters (Ќ, Ј, Ґ, Є, Ї...): a Kazakh file read as
    Windows-1251 garbled every Kazakh name. A Windows-1251 file whose one letter outside Russian
    is the Uzbek ў is still read as Windows-1251."""
    result, report = _run(app, coordinator, tmp_path, KAZAKH_FILE.encode("kz1048"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert report["encoding"] == "kz1048"
    result, report = _run(app, coordinator, tmp_path, KAZAKH_FILE.encode("kz1048"))
    assert result.exit_code == 0, result.output
    names = {n.name for n in db.session.scalars(select(PersonName))}
    assert names == {"Нұрсұлтан Әбілқасымов", "ӘЛИЯ ҒАБДУЛЛИНА"}
    assert {c.narrative for c in db.session.scalars(select(Case))} >= {
        "Ұсталды, Қытайға қайтарылды"
    }
    # KZ-1048 has no Uzbek ў: a "?" in a name says that letter may be lost, not қ.
    lost = (KAZAKH_FILE + "Ғайрат Ўрмонов;экстрадиция;2013;Шымкент;\n").encode("kz1048", "replace")
    result, report = _run(app, coordinator, tmp_path, lost, "--dry-run")
    [warning] = [w for w in report["warnings"] if w["column"] == "person_name"]
    assert warning["value"] == "Ғайрат ?рмонов" and "ў" in warning["message"]
    assert "қ" not in warning["message"]
    uzbek = "person_name;act_type;act_date\nЎткир Тошматов;экстрадиция;2011\n"
    result, report = _run(app, coordinator, tmp_path, uzbek.encode("cp1251"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert report["encoding"] == "cp1251"


def test_russian_and_kazakh_headers_are_the_formats_columns_without_a_mapping(
    app, coordinator, tmp_path
):
    """A register kept in Russian names its columns "ФИО", "Дата задержания", "Гражданство",
    "Статус", "Описание"...: they are the format's columns as "Person Name" is, with no mapping
    to write. A surname, a given name and a patronymic in columns of their own are one name,
    in the order of the file's columns; "Имя" alone is the name. A header that names no
    column is still refused, named alone."""
    content = (
        "№ дела;ФИО;Пол;Дата рождения;Гражданство;Национальность;Правовой статус;Вид нарушения;"
        "Дата задержания;Место задержания;Страна назначения;Описание;Источник;Срочность\n"
        "D-1;Алишер Холматов;м;12.04.1979;Узбекистан;узбек;беженец;экстрадиция;"
        "04.2011;Алматы;Узбекистан;Задержан сотрудниками КНБ;адвокат;срочно\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    person = case.people[0].person
    assert (case.external_ref, person.names[0].name) == ("D-1", "Алишер Холматов")
    assert (person.gender.value, person.birth_date.iso(), person.nationality) == (
        "male",
        "1979-04-12",
        "UZ",
    )
    assert (person.ethnicity, person.legal_status.value) == ("Uzbek", "refugee")
    assert (case.act_date.iso(), case.narrative, case.urgency.value) == (
        "2011-04",
        "Задержан сотрудниками КНБ",
        "urgent",
    )
    parts = "Фамилия;Имя;Отчество;Вид нарушения;Дата задержания\nХолматов;Алишер;Каримович;экстрадиция;2012\n"
    result, report = _run(app, coordinator, tmp_path, parts, "--dry-run")
    assert result.exit_code == 0, result.output
    given = "Имя;Гражданство;Дата задержания;Вид нарушения\nGulnora;Uzbekistan;2013;deportation\n"
    result, report = _run(app, coordinator, tmp_path, given)
    assert result.exit_code == 0, result.output
    names = {n.name for n in db.session.scalars(select(PersonName))}
    assert names == {"Алишер Холматов", "Gulnora"}
    result, report = _run(app, coordinator, tmp_path, parts + "\n", "--valid-only")
    assert "Холматов Алишер Каримович" in {n.name for n in db.session.scalars(select(PersonName))}
    kazakh = "Аты-жөні;Жынысы;Азаматтығы;Вид нарушения;Дата задержания\nӘлия Ғабдуллина;ж;Китай;deportation;2014\n"
    result, report = _run(app, coordinator, tmp_path, kazakh, "--dry-run")
    assert result.exit_code == 0, result.output
    unknown = "ФИО;Вид нарушения;Дата задержания;Сокамерник\nАли;extradition;2011;Вали\n"
    result, _ = _run(app, coordinator, tmp_path, unknown, "--dry-run")
    assert result.exit_code == 2 and "“Сокамерник”." in result.output
    # Each header names one column, and none is a part of a name.
    keys = [header_key(h) for names in _HEADERS.values() for h in names]
    assert len(keys) == len(set(keys)) and not set(keys) & NAME_PARTS


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ("Список случаев, 2023\n", "c.csv"),
        ("Список случаев 2023;;;\n\n", "c.csv"),
        ("Cases of 2023\nCompiled by the Almaty office\n", "c.csv"),
        (_xlsx([["Список случаев 2023", None, None]], merged=["A1:C1"]), "c.xlsx"),
    ],
)
def test_a_file_of_a_title_only_is_said_to_have_no_header(
    app, coordinator, tmp_path, content, name
):
    """A file holding a title (and a note) but no header row was refused as having an unknown
    column named as its title: it has no header, and is refused saying so."""
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run", name=name)
    assert result.exit_code == 2
    assert "has no header row" in result.output and "Unknown column" not in result.output


def test_a_large_single_byte_file_is_told_apart_on_a_sample(app, coordinator, monkeypatch):
    """Which single-byte encoding a file is in was weighed over the whole file, three times
    over (a second of work for a register of 20,000 rows, each time it is checked or
    written): its first text in Cyrillic is enough. Kazakh letters met only at the end of the
    file still make it KZ-1048."""
    weighed: list[int] = []
    weigh = reading._reads_as_russian
    monkeypatch.setattr(
        reading, "_reads_as_russian", lambda text: weighed.append(len(text)) or weigh(text)
    )
    rows = "".join(
        f"Алишер Холматов {n};экстрадиция;2011;Задержан сотрудниками КНБ в Алматы\n"
        for n in range(30_000)
    )
    text = "person_name;act_type;act_date;narrative\n" + rows
    for encoding, read_as in (("koi8-r", "koi8_r"), ("cp1251", "cp1251"), ("cp866", "cp866")):
        weighed.clear()
        table = reading.read_csv(text.encode(encoding))
        assert table.encoding == read_as and len(table.rows) == 30_000
        assert weighed and max(weighed) < 300_000 < len(text)
    kazakh = text + "Әлия Ғабдуллина;депортация;2012;Өскемен\n"
    table = reading.read_csv(kazakh.encode("kz1048"))
    assert table.encoding == "kz1048" and table.rows[-1][1]["person_name"] == "Әлия Ғабдуллина"


def test_a_month_as_excel_shows_it_in_a_csv_is_read_as_that_month(app, coordinator, tmp_path):
    """A date cell Excel shows as a month ("mmm-yy": "Jun-11", on a Russian machine "апр.11")
    is saved to CSV as it is shown: read as that month, as "2011.04" (year first, with dots)
    is. A day and a month without a year ("11-Apr") is still no date."""
    written = {"A": "Jun-11", "B": "апр.11", "C": "2011.04", "D": "сен 2009", "E": "Mar-1998"}
    lines = ["case_key;person_name;act_type;act_date"]
    lines += [f"{key};Person {key};extradition;{value}" for key, value in written.items()]
    result, report = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    got = {c.external_ref: c.act_date.iso() for c in db.session.scalars(select(Case))}
    assert got == {"A": "2011-06", "B": "2011-04", "C": "2011-04", "D": "2009-09", "E": "1998-03"}
    result, report = _run(
        app, coordinator, tmp_path, "person_name;act_type;act_date\nAli;extradition;11-Apr\n"
    )
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "act_date")]


def test_a_templates_marks_on_its_headers_do_not_hide_the_column(app, coordinator, tmp_path):
    """Templates mark a required column with "*", end a header with ":" or say how to fill it
    in brackets ("Дата рождения (дд.мм.гггг)", "Пол (м/ж)"): each is still its column, the
    header row is still found below a title, and a mapping may name the header as written."""
    content = (
        "Реестр случаев\n"
        "ФИО*;Пол (м/ж);Дата рождения (дд.мм.гггг);Вид нарушения*:;act_date [YYYY-MM-DD];Заметки (для себя)\n"
        "Алишер Холматов;м;12.04.1979;экстрадиция;2011-06-09;позвонить\n"
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Заметки (для себя)": None}), "utf-8")
    result, report = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person))
    assert (person.names[0].name, person.birth_date.iso()) == ("Алишер Холматов", "1979-04-12")
    assert db.session.scalar(select(Case)).act_date.iso() == "2011-06-09"


def test_a_title_without_delimiters_does_not_decide_the_delimiter(app, coordinator, tmp_path):
    """The delimiter of a file whose headers are still to map was the one its first line
    held most of, and a title ("Реестр случаев") holds none: the file was read as one column
    and refused as having no header. It is the delimiter of the first line that holds one, so
    the refusal names the columns to map, and with the mapping the file imports."""
    content = "Реестр случаев\n\nКто;Что;Когда\nАлишер Холматов;экстрадиция;2011\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2 and "“Кто”, “Что”, “Когда”" in result.output, result.output
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"Кто": "person_name", "Что": "act_type", "Когда": "act_date"}), "utf-8"
    )
    result, report = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0 and report["delimiter"] == ";", result.output


def test_a_column_of_the_rows_numbers_is_left_out_saying_so(app, coordinator, tmp_path):
    """Registers number their rows in a first column ("№ п/п", "№", "No."): it holds nothing
    to import, yet the file was refused until that column was mapped away. A column so named
    that holds only whole numbers is left out, with a warning; one that holds anything else
    (a case's own number, "KZ-17") is still an unknown column to map."""
    content = (
        "№ п/п;ФИО;Вид нарушения;Дата задержания\n"
        "1;Алишер Холматов;экстрадиция;2011\n2;Гульнора Юсупова;депортация;2012\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert _count(Case) == 2
    [warning] = [w for w in report["warnings"] if w["value"] == "№ п/п"]
    assert warning["row"] == 1 and "left out" in warning["message"]
    cases = content.replace("№ п/п", "№").replace("\n1;", "\nKZ-17;")
    result, _ = _run(app, coordinator, tmp_path, cases, "--dry-run")
    assert result.exit_code == 2 and "Unknown column(s): “№”." in result.output


def test_a_header_merged_across_columns_reads_them_as_one(app, coordinator, tmp_path):
    """A header cell merged across two columns ("ФИО" over a surname and a given name; a
    description over two columns of text) names both: their values are one cell, joined in
    the columns' order, where the second column was refused as having no header."""
    data = _xlsx(
        [
            ["ФИО", None, "Вид нарушения", "Дата задержания", "Описание", None],
            [
                "Холматов",
                "Алишер",
                "экстрадиция",
                "2011",
                "Задержан в Алматы.",
                "Выдан через 9 дней.",
            ],
            ["Юсупова", None, "депортация", "2012", None, "Выслана."],
        ],
        merged=["A1:B1", "E1:F1"],
    )
    result, report = _run(app, coordinator, tmp_path, data, name="c.xlsx")
    assert result.exit_code == 0, result.output
    got = {c.people[0].person.names[0].name: c.narrative for c in db.session.scalars(select(Case))}
    assert got == {
        "Холматов Алишер": "Задержан в Алматы. Выдан через 9 дней.",
        "Юсупова": "Выслана.",
    }


def test_a_day_number_with_a_time_in_russian_decimals_is_read_as_that_day(
    app, coordinator, tmp_path
):
    """A date and time left as Excel's number is a fraction: 40703.75 for 9 June 2011 at 18:00,
    which a Russian-locale machine writes to CSV with a decimal comma, "40703,75". Both are
    that day, where the comma was rejected as no date."""
    content = "person_name;act_type;act_date\nAli Valiev;extradition;40703,75\nVali Aliev;extradition;40703.5\n"
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert [c.act_date.iso() for c in db.session.scalars(select(Case))] == ["2011-06-09"] * 2
    assert [w["row"] for w in report["warnings"] if "Excel" in w["message"]] == [2, 3]


def test_genders_as_kazakh_and_uzbek_registers_write_them_are_read(app, coordinator, tmp_path):
    """A register kept in Kazakh ("Жынысы": ер, әйел) or Uzbek (erkak, ayol; эркак, аёл)
    writes the gender in its language: read as male and female, where each was rejected."""
    written = {"ер": "male", "Әйел": "female", "еркек": "male", "erkak": "male",
               "ayol": "female", "эркак": "male", "аёл": "female"}  # fmt: skip
    lines = ["person_name;Жынысы;act_type;act_date"]
    lines += [f"Person {n};{text};extradition;2011" for n, text in enumerate(written)]
    result, _ = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    got = {p.names[0].name: p.gender.value for p in db.session.scalars(select(Person))}
    assert got == {f"Person {n}": gender for n, gender in enumerate(written.values())}


def test_countries_as_a_kazakh_register_names_them_are_read(app, coordinator, tmp_path):
    """A register kept in Kazakh names the region's countries in Kazakh ("Өзбекстан",
    "Қытай"): each was an unknown country, rejecting its row."""
    written = {"Өзбекстан": "UZ", "Қытай": "CN", "Қырғызстан": "KG", "Тәжікстан": "TJ",
               "Түрікменстан": "TM", "Ресей": "RU", "Түркия": "TR", "Ауғанстан": "AF",
               "РУз": "UZ"}  # fmt: skip
    lines = ["Аты-жөні;Азаматтығы;act_type;act_date"]
    lines += [f"Person {n};{text};extradition;2011" for n, text in enumerate(written)]
    result, _ = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    got = {p.names[0].name: p.nationality for p in db.session.scalars(select(Person))}
    assert got == {f"Person {n}": code for n, code in enumerate(written.values())}


def test_two_columns_of_one_meaning_are_refused_naming_both(app, coordinator, tmp_path):
    """A register with both "Гражданство" and "Страна гражданства" (each a header for
    nationality) was
    refused as "two columns are both nationality", without saying which two: the refusal names
    both headers, and a mapping of one to another column lets the file in."""
    content = (
        "ФИО;Гражданство;Страна гражданства;Вид нарушения;Дата задержания\n"
        "Алишер Холматов;Узбекистан;Узбекистан;экстрадиция;2011\n"
    )
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2
    assert "“Гражданство”" in result.output and "“Страна гражданства”" in result.output
    assert "nationality" in result.output
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Страна гражданства": "destination_country"}), "utf-8")
    result, _ = _run(app, coordinator, tmp_path, content, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Event.destination_country)) == "UZ"


def test_a_title_with_a_comma_does_not_decide_the_delimiter(app, coordinator, tmp_path):
    """A title with a comma ("Реестр случаев, 2023") above semicolon-separated headers still
    to map made the comma the delimiter: the title was taken for the header and refused as
    two unknown columns, "Реестр случаев" and "2023". The delimiter is the one most of the
    first lines hold, so the refusal names the columns to map."""
    content = "Реестр случаев, 2023\nКто;Что;Когда\nАлишер Холматов;экстрадиция;2011\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2 and "“Кто”, “Что”, “Когда”" in result.output, result.output
    # A comma-separated file whose narratives hold semicolons stays comma-separated.
    content = (
        "Кто,Что,Когда,Подробно\nАли,экстрадиция,2011,КНБ; полиция\nВали,депортация,2012,КНБ; суд\n"
    )
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2 and "“Кто”, “Что”, “Когда”, “Подробно”" in result.output


@pytest.mark.parametrize(
    "header", ["Страна", "Статус", "Дата", "Место", "Город", "Country", "Status", "Date", "Place"]
)
def test_a_header_that_could_mean_two_columns_is_mapped_by_hand(app, coordinator, tmp_path, header):
    """ "Страна" may be the country of origin or the one of return, "Статус" the legal status
    or the case's, "Дата" any day: read as one column by guess, every row's value would be
    filed under another field without a word. Such a header is refused, named, to be mapped;
    the unambiguous ones beside it are read."""
    content = f"ФИО;Вид нарушения;Дата задержания;{header}\nАлишер Холматов;экстрадиция;2011;x\n"
    result, _ = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 2
    assert f"“{header}”" in result.output, result.output
    clear = "ФИО;Вид нарушения;Дата задержания;Страна назначения\nАлишер Холматов;экстрадиция;2011;Узбекистан\n"
    result, _ = _run(app, coordinator, tmp_path, clear)
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Event.destination_country)) == "UZ"


def test_full_dates_in_other_forms_are_read_to_the_day(app, coordinator, tmp_path):
    """A day written without separators (20110412), with its month in Roman numerals
    (12.IV.2011, Cyrillic ХІ for XI as a Cyrillic keyboard types it), a month named in Kazakh
    (сәуір, қаңтар; the year first with "жылғы"), a year of two digits after an apostrophe
    (April '11) or the Russian "года" after a day: each is that day (or month), not refused.
    Eight digits that are no day stay refused."""
    written = {
        "A": ("20110412", "2011-04-12"),
        "B": ("12.IV.2011", "2011-04-12"),
        "C": ("3.ХІ.2011", "2011-11-03"),
        "D": ("12 қаңтар 2012", "2012-01-12"),
        "E": ("сәуір 2011", "2011-04"),
        "F": ("2012 жылғы 5 маусым", "2012-06-05"),
        "G": ("April '11", "2011-04"),
        "H": ("11 апреля 2011 года", "2011-04-11"),
        "I": ("12 shilde 2013", "2013-07-12"),
        "J": ("VII.2013", "2013-07"),
    }
    lines = ["case_key;person_name;act_type;act_date"]
    lines += [f"{key};Person {key};extradition;{value}" for key, (value, _iso) in written.items()]
    result, report = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, report["rejected"]
    got = {c.external_ref: c.act_date.iso() for c in db.session.scalars(select(Case))}
    assert got == {key: iso for key, (_value, iso) in written.items()}
    bad = "person_name;act_type;act_date\nAli;extradition;20111312\nVali;extradition;12.IIII.2011\n"
    result, report = _run(app, coordinator, tmp_path, bad, "--dry-run")
    assert [(p["row"], p["column"], p["value"]) for p in report["rejected"]] == [
        (2, "act_date", "20111312"),
        (3, "act_date", "12.IIII.2011"),
    ]


def test_a_date_known_only_within_a_year_is_that_year_its_words_kept_as_the_note(
    app, coordinator, tmp_path
):
    """A season, a part of the year, a quarter or half-year, or two months of one year say the
    year and no more: the act is dated to that year (not approximate, never a month or day it
    did not give), the words kept as the date's note, and the check says so. A span of years or
    a winter (December and the January after it) names no one year: refused, saying why."""
    written = {
        "A": "лето 2011",
        "B": "весной 2012 года",
        "C": "конец 2011",
        "D": "early 2012",
        "E": "mid-2013",
        "F": "Q2 2011",
        "G": "II квартал 2011 г.",
        "H": "1 полугодие 2014",
        "I": "апрель-май 2015",
        "J": "в начале 2010 года",
        "K": "summer of 2016",
        "L": "2017 Q4",
    }
    lines = ["case_key;person_name;act_type;act_date"]
    lines += [f"{key};Person {key};extradition;{value}" for key, value in written.items()]
    result, report = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (c.act_date.iso(), c.act_date_approximate, c.act_date_note)
        for c in db.session.scalars(select(Case))
    }
    years = dict(zip("ABCDEFGHIJKL", ("2011", "2012", "2011", "2012", "2013", "2011", "2011",
                                      "2014", "2015", "2010", "2016", "2017"), strict=True))  # fmt: skip
    assert got == {key: (years[key], False, value) for key, value in written.items()}
    warned = {(w["row"], w["column"]): (w["value"], w["message"]) for w in report["warnings"]}
    assert warned[(2, "act_date")][0] == "лето 2011"
    assert "2011" in warned[(2, "act_date")][1] and "note" in warned[(2, "act_date")][1]
    assert all((row, "act_date") in warned for row in range(2, 14))
    bad = (
        "person_name;act_type;act_date\n"
        "Ali;extradition;2011-2012\n"
        "Vali;extradition;зима 2011\n"
        "Sali;extradition;2011-12\n"
        "Nodir;extradition;декабрь-январь 2012\n"
        "Aziz;extradition;осень-весна 2012\n"
    )
    result, report = _run(app, coordinator, tmp_path, bad, "--dry-run")
    rejected = [(p["row"], p["column"], p["value"]) for p in report["rejected"]]
    assert rejected == [
        (2, "act_date", "2011-2012"),
        (3, "act_date", "зима 2011"),
        (5, "act_date", "декабрь-январь 2012"),
        (6, "act_date", "осень-весна 2012"),
    ]
    messages = [p["message"] for p in report["rejected"]]
    assert "2011" in messages[0] and "2012" in messages[0] and "winter" in messages[1]


@pytest.mark.parametrize(
    "decade", ["1990s", "the 1990s", "1990-е", "1990-е годы", "1990-х гг.", "90-е"]
)
def test_a_decade_is_refused_saying_it_names_no_year(app, coordinator, tmp_path, decade):
    """ "1990s" or "1990-е" names no year: refused, saying so and what to write instead, rather
    than with the message for text that is no date at all."""
    bad = f"person_name;act_type;act_date\nAli;extradition;{decade}\n"
    result, report = _run(app, coordinator, tmp_path, bad, "--dry-run")
    [problem] = report["rejected"]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "act_date", decade)
    assert "decade" in problem["message"] and "1990" in problem["message"]
    assert "1995" in problem["message"]  # a year within it, as an example of what to give


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_cell_of_several_lines_closed_before_a_space_is_read_whole(
    app, coordinator, tmp_path, delimiter
):
    """A quoted cell of several lines whose closing quotation mark a space follows before the
    delimiter (or the line's end) was taken for a quotation mark never closed: its row was
    rejected and its lines read as rows. It is the cell it is, and the rows after it are theirs.
    A quotation mark a word follows (a later row's cell) is still told apart."""
    d = delimiter
    content = (
        f"person_name{d}narrative{d}act_type{d}act_date{d}act_place\n"
        f'Ali Valiev{d}"Taken at night,\nheld in Almaty" {d}extradition{d}2011{d}Almaty\n'
        f'Vali Aliev{d}Held{d}deportation{d}2012{d}"Shymkent,\nsouth"  \n'
        f"Rustam Karimov{d}Sent back{d}abduction{d}2013{d}Taraz\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, report and report["rejected"]
    assert report["rows_read"] == 3
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert narratives == {"Taken at night,\nheld in Almaty", "Held", "Sent back"}
    places = {c.act_place for c in db.session.scalars(select(Case))}
    assert places == {"Almaty", "Shymkent, south", "Taraz"}
    left_open = (
        f"person_name{d}narrative{d}act_type{d}act_date\n"
        f'Ali Valiev{d}"Taken at night{d}extradition{d}2011\n'
        f'Vali Aliev{d}" Held" {d}deportation{d}2012\n'
    )
    result, report = _run(app, coordinator, tmp_path, left_open, "--dry-run")
    assert [(p["row"], p["column"]) for p in report["rejected"]] == [(2, "")]
    assert "never closed" in report["rejected"][0]["message"]


def test_terms_as_a_kazakh_register_writes_them(app, coordinator, tmp_path):
    """A register kept in Kazakh names the act, the person's status, the situation, the urgency
    and the consent in Kazakh, in Cyrillic or in the Latin alphabet of 2021 (with its marks or
    without): each is the term it names, as the Russian words are."""
    header = "case_key;person_name;act_type;act_date;legal_status;current_situation;urgency;consent"
    rows = [
        "A;Ali Valiev;ұстап беру;2011;босқын;қамауда;шұғыл;жоқ",
        "B;Vali Aliev;Адамды ұрлау;2012;пана іздеуші;хабарсыз кетті;;",
        "C;Rustam Karimov;ұрлап әкету;2013;азаматтығы жоқ;қайтыс болды;;",
        "D;Timur Nazarov;мәжбүрлеп қайтару;2014;құжатсыз;бостандықта;;",
        "E;Aziz Aliev;әкімшілік жолмен шығарып жіберу;2015;белгісіз;ұстап берілді;;",
        "F;Nodira Valieva;ūstap beru;2016;bosqyn;qamauda;;",
        "G;Gulnora Karimova;депортациялау;2017;baspana izdeushi;belgisiz;;",
    ]
    content = "\n".join([header, *rows]) + "\n"
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (
            c.act_type.value,
            c.people[0].person.legal_status.value,
            c.current_situation.value,
            c.urgency.value,
        )
        for c in db.session.scalars(select(Case))
    }
    assert got == {
        "A": ("extradition", "refugee", "detained", "urgent"),
        "B": ("abduction", "asylum_seeker", "disappeared", "routine"),
        "C": ("abduction", "stateless", "deceased", "routine"),
        "D": ("forcible_return", "undocumented", "at_liberty", "routine"),
        "E": ("expulsion", "unknown", "removed", "routine"),
        "F": ("extradition", "refugee", "detained", "routine"),
        "G": ("deportation", "asylum_seeker", "unknown", "routine"),
    }


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"])
def test_a_mac_file_in_small_letters_is_read_as_written(app, coordinator, tmp_path, line_end):
    """A Mac's Cyrillic file in small letters reads as Windows-1251 but for "я", which
    Windows-1251 reads as a capital "Я" inside the word (экстрадициЯ): it is read as Mac
    Cyrillic, whatever its lines end with (a classic Mac's CR alone too)."""
    content = (
        "person_name;act_type;act_date;narrative\n"
        "алишер холматов;экстрадиция;04.2011;задержан в алматы, семья узнала через неделю\n"
        "гульнора юсупова;депортация;2012;выслана без решения суда\n"
    ).replace("\n", line_end)
    result, report = _run(app, coordinator, tmp_path, content.encode("mac_cyrillic"))
    assert result.exit_code == 0, report["rejected"]
    assert report["encoding"] == "mac_cyrillic" and report["rows_read"] == 2
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert narratives == {
        "задержан в алматы, семья узнала через неделю",
        "выслана без решения суда",
    }


def test_who_authorised_why_and_the_other_procedures_are_read_from_optional_columns(
    app, coordinator, tmp_path
):
    """Who authorised the representation, the note on it, and whether the matter went to
    another international procedure (its code or label) with the details: each is its column
    of the case, by its own name or a register's header, a later row filling what the first
    left empty. A procedure that is no term is rejected on its row and column, nothing written;
    a file without the columns records them as not stated."""
    header = (
        "case_key;person_name;act_type;act_date;authorisation;Authorized by;"
        "authorisation_note;Другие международные процедуры;other_procedures_details"
    )
    rows = [
        "A;Ali Valiev;extradition;2011;through_family;его брат Вали;Held incommunicado;"
        "pending;WGAD, 2012, ref. 12/2012",
        "B;Vali Aliev;extradition;2012;written;;;Не направлялся ни в какую другую процедуру;",
        "C;Rustam Karimov;extradition;2013;;;;—;",
        "C;Gulnora Karimova;extradition;2013;;Gulnora herself;;examined;HRC 2014",
    ]
    result, report = _run(app, coordinator, tmp_path, "\n".join([header, *rows]) + "\n")
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (
            c.authorised_by,
            c.authorisation_note,
            c.other_procedures.value,
            c.other_procedures_details,
        )
        for c in db.session.scalars(select(Case))
    }
    assert got == {
        "A": ("его брат Вали", "Held incommunicado", "pending", "WGAD, 2012, ref. 12/2012"),
        "B": (None, None, "none", None),
        "C": ("Gulnora herself", None, "examined", "HRC 2014"),
    }
    bad = header + "\nD;Timur Nazarov;extradition;2014;;;;somewhere;\n"
    result, report = _run(app, coordinator, tmp_path, bad)
    assert result.exit_code == 1 and _count(Case) == 3
    assert [(p["row"], p["column"], p["value"]) for p in report["rejected"]] == [
        (2, "other_procedures", "somewhere")
    ]
    assert "pending" in report["rejected"][0]["message"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_russian_utf16_file_without_its_mark_is_read(app, coordinator, tmp_path, encoding):
    """UTF-16 without its byte-order mark was told by the zero byte of each ASCII character:
    a file of Russian headers and long Russian text has too few of them, and was refused as no
    text file. Its Cyrillic letters' own byte (04) on one side tells it as well."""
    content = (
        "ФИО\tВид нарушения\tДата задержания\tОписание\n"
        "Алишер Холматов\tэкстрадиция\t04.2011\tЗадержан сотрудниками Комитета национальной "
        "безопасности в Алматы, выдан Узбекистану\n"
        "Гульнора Юсупова\tдепортация\t2012\tВыслана без решения суда, семья узнала через неделю\n"
    )
    result, report = _run(app, coordinator, tmp_path, content.encode(encoding))
    assert result.exit_code == 0, result.output
    assert report["encoding"] == encoding
    names = {n.name for n in db.session.scalars(select(PersonName))}
    assert names == {"Алишер Холматов", "Гульнора Юсупова"}


def test_more_dates_as_registers_and_exports_write_them(app, coordinator, tmp_path):
    """A moment exported with its time zone (Z, +06:00) or a time after a comma is its day as
    written (one in UTC not at midnight says the day may be another in Kazakhstan); a half of
    a year in words, two seasons of one year, a quarter after a slash are that year, the words
    kept as the note; a year followed by a question mark is that year, approximate."""
    written = {
        "A": ("2011-04-12T00:00:00Z", "2011-04-12", False, None),
        "B": ("2011-04-12T21:30:00.000+06:00", "2011-04-12", False, None),
        "C": ("12.04.2011, 13:45", "2011-04-12", False, None),
        "D": ("первая половина 2011", "2011", False, "первая половина 2011"),
        "E": ("весна-лето 2012", "2012", False, "весна-лето 2012"),
        "F": ("Q3/2013", "2013", False, "Q3/2013"),
        "G": ("2014?", "2014", True, None),
        "H": ("2015 (?)", "2015", True, None),
        "I": ("2016-05-01T20:00:00Z", "2016-05-01", False, None),
    }
    lines = ["case_key;person_name;act_type;act_date"]
    lines += [f"{key};Person {key};extradition;{w[0]}" for key, w in written.items()]
    result, report = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (c.act_date.iso(), c.act_date_approximate, c.act_date_note)
        for c in db.session.scalars(select(Case))
    }
    assert got == {key: w[1:] for key, w in written.items()}
    warned = {(w["row"], w["column"]): w["message"] for w in report["warnings"]}
    assert "UTC" in warned[(10, "act_date")]
    assert (2, "act_date") not in warned and (3, "act_date") not in warned
    assert any("approximate" in w["message"] for w in report["warnings"] if w["row"] == 8)


def test_a_birth_year_with_a_question_mark_is_approximate(app, coordinator, tmp_path):
    """A register that is not sure of a birth year writes "1980?": it is 1980, approximate,
    with a warning, as "около 1980" is; a question mark alone is still no date."""
    content = (
        "case_key;person_name;act_type;act_date;birth_date\n"
        "A;Ali Valiev;extradition;2011;1980?\n"
        "B;Vali Aliev;extradition;2011;около 1981\n"
        "C;Rustam Karimov;extradition;2011;?\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (
            c.people[0].person.birth_date and c.people[0].person.birth_date.iso(),
            c.people[0].person.birth_date_approximate,
        )
        for c in db.session.scalars(select(Case))
    }
    assert got == {"A": ("1980", True), "B": ("1981", True), "C": (None, False)}
    assert [w["value"] for w in report["warnings"] if w["column"] == "birth_date"] == ["1980?"]


def test_dates_with_uzbek_month_names_and_year_words_are_read(app, coordinator, tmp_path):
    """Registers kept by Uzbek monitors name the months in Uzbek Latin ("yanvar", "iyul") and
    write the year with its word ("2011-yil", "1985 y."), year first as Uzbek puts it: each is
    read as that month or day; "iyu" (iyun or iyul) names no one month and is refused."""
    rows = {
        "A": ("1985 yil", "yanvar 2011", "1985", "2011-01"),
        "B": ("iyul 1979", "12-fevral 2011", "1979-07", "2011-02-12"),
        "C": ("1990-yil", "2012-yil 5-mart", "1990", "2012-03-05"),
        "D": ("3 sentyabr 1980 y.", "dekabr 2010 y.", "1980-09-03", "2010-12"),
        "E": ("", "Avgust, 2013", "", "2013-08"),
        "F": ("", "2014 yil oktyabr", "", "2014-10"),
    }
    _dates_imported_as_expected(app, coordinator, tmp_path, rows)
    result, report = _run(
        app,
        coordinator,
        tmp_path,
        "person_name;act_type;act_date\nAli Valiev;extradition;iyu 2011\n",
    )
    assert [(p["column"], p["value"]) for p in report["rejected"]] == [("act_date", "iyu 2011")]


def test_a_part_of_the_year_written_after_the_year_is_that_year_its_words_kept(
    app, coordinator, tmp_path
):
    """Registers also write the part of the year after it ("2011 (лето)", "2012, начало",
    "2013 summer"), or two months of one year each with the year ("март 2011 – май 2011"):
    read as that year, as "лето 2011" is, the text kept as the date's note."""
    written = {
        "A": "2011 (лето)",
        "B": "2012, начало",
        "C": "2013 summer",
        "D": "2014 (конец года)",
        "E": "март 2011 \u2013 май 2011",
    }
    lines = ["case_key;person_name;act_type;act_date"]
    lines += [f"{key};Person {key};extradition;{value}" for key, value in written.items()]
    result, report = _run(app, coordinator, tmp_path, "\n".join(lines) + "\n")
    assert result.exit_code == 0, report["rejected"]
    got = {
        c.external_ref: (c.act_date.iso(), c.act_date_approximate, c.act_date_note)
        for c in db.session.scalars(select(Case))
    }
    years = {"A": "2011", "B": "2012", "C": "2013", "D": "2014", "E": "2011"}
    assert got == {key: (years[key], False, value) for key, value in written.items()}
    warned = {w["row"] for w in report["warnings"] if "note" in w["message"]}
    assert warned == {2, 3, 4, 5, 6}


def test_a_span_across_years_or_a_limit_is_refused_saying_why(app, coordinator, tmp_path):
    """Months of two years ("декабрь 2011 – январь 2012"), a span that is only approximate
    ("около 2010-2011"), a winter across two years, a limit ("не позднее 2011", "до 2011",
    "after 2011") name no one year: each is refused saying so, not as "not a date", which
    gives the user nothing to go on."""
    bad = {
        2: ("декабрь 2011 \u2013 январь 2012", "2011 to 2012"),
        3: ("Dec 2011 - Jan 2012", "2011 to 2012"),
        4: ("около 2010-2011", "2010 to 2011"),
        5: ("зимой 2011-2012", "winter"),
        6: ("не позднее 2011", "limit"),
        7: ("до 2011 г.", "limit"),
        8: ("after March 2011", "limit"),
        9: ("в 2010-х годах", "decade"),
    }
    content = "person_name;act_type;act_date\n" + "".join(
        f"Person {row};extradition;{value}\n" for row, (value, _why) in bad.items()
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1 and _count(Case) == 0
    got = {p["row"]: (p["column"], p["message"]) for p in report["rejected"]}
    assert set(got) == set(bad)
    for row, (_value, why) in bad.items():
        assert got[row][0] == "act_date" and why in got[row][1].lower()
        assert "is not a date" not in got[row][1]
    # The same months within one year are that year.
    result, report = _run(
        app,
        coordinator,
        tmp_path,
        "person_name;act_type;act_date\nAli;extradition;Mar 2011 - May 2011\n",
    )
    assert result.exit_code == 0, report["rejected"]
    assert db.session.scalar(select(Case)).act_date.iso() == "2011"


def test_a_date_that_names_no_year_is_refused_saying_why(app, coordinator, tmp_path):
    """ "12.11" is the 12th of November of no year, or December 2011; "декабрь-январь 2012" is
    December of 2011 or of 2012. Each was refused as "not a date", which says nothing of what
    to write instead; now each is refused saying why, with the form that is read."""
    bad = {
        2: ("act_date", "12.11", "a day and a month with no year"),
        3: ("act_date", "25/11", "a day and a month with no year"),
        4: ("act_date", "декабрь-январь 2012", "декабрь 2011 – январь 2012"),
        5: ("act_date", "November-February 2012", "one year into the next"),
        6: ("birth_date", "12.11", "a day and a month with no year"),
    }
    content = "person_name;act_type;act_date;birth_date\n" + "".join(
        f"Person {row};extradition;{value if column == 'act_date' else '2011'};"
        f"{value if column == 'birth_date' else ''}\n"
        for row, (column, value, _why) in bad.items()
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1 and _count(Case) == 0
    got = {p["row"]: (p["column"], p["message"]) for p in report["rejected"]}
    assert set(got) == set(bad), got
    for row, (column, _value, why) in bad.items():
        assert got[row][0] == column and why in got[row][1], got[row]
        assert "is not a date" not in got[row][1]
    # Its year written in full, it is read.
    result, report = _run(
        app, coordinator, tmp_path, "person_name;act_type;act_date\nAli;extradition;12.11.2011\n"
    )
    assert result.exit_code == 0, report["rejected"]


@pytest.mark.parametrize("column", ["act_date", "birth_date", "consent_date", "authorised_on"])
def test_every_date_column_refuses_a_date_without_its_year_saying_why(
    app, coordinator, tmp_path, column
):
    """A day and a month without the year ("12.11", "25/11") in the date of consent or of the
    authorisation was refused as "not a date", while the same in the date of the act said that
    no year is written in full. Every date column refuses it alike, also written after "в",
    before a Russian word for year or a question mark, and once; and so with a hyphen or a
    space ("12-11" was "not a date") or the month by its name ("12 ноября", "12-Nov")."""
    written = {"12.11": "12.11", "25/11": "25/11", "12.11 г.": "12.11", "в 25/11": "25/11"}
    written |= {"12.11?": "12.11", "около 25/11": "25/11"}
    # Other separators of real files, and the month by its name (Excel's "d-mmm" is "12-Nov").
    written |= {"12-11": "12-11", "12 11": "12 11", "12.11.": "12.11.", "в 12-11 г.": "12-11"}
    written |= {"12-nov": "12-nov", "12 Nov": "12 Nov", "12 ноя": "12 ноя", "12 ноя.": "12 ноя."}
    written |= {"12 ноября": "12 ноября", "12-го ноября": "12-го ноября", "5-mart": "5-mart"}
    header = list(dict.fromkeys(["person_name", "act_type", "act_date", "consent", column]))
    rows = [
        {"person_name": f"Person {n}", "act_type": "extradition", "act_date": "2011"}
        | {"consent": "internal", column: value}
        for n, value in enumerate(written)
    ]
    content = ";".join(header) + "\n"
    content += "".join(";".join(row[h] for h in header) + "\n" for row in rows)
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1 and _count(Case) == 0
    got = [(p["row"], p["column"], p["message"]) for p in report["rejected"]]
    assert [row for row, _column, _message in got] == list(range(2, len(written) + 2)), got
    for (_row, refused, message), read in zip(got, written.values(), strict=True):
        assert refused == column, got
        assert message.startswith(f"\u201c{read}\u201d names no year in full"), message
        assert "is not a date" not in message
    # A month of a year (ISO) and a span of years are no day and month: not refused so.
    rows = [dict(rows[0], **{column: value}) for value in ("2012-11", "2012-2013", "11-2012")]
    content = ";".join(header) + "\n"
    content += "".join(";".join(row[h] for h in header) + "\n" for row in rows)
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert not [p for p in report["rejected"] if "names no year" in p["message"]], report
    # The month is read (a date of consent or of authorisation needs its day too).
    month = [p["message"] for p in report["rejected"] if p["row"] == 2]
    assert month in ([], ["Give the day, not only the month: YYYY-MM-DD or DD.MM.YYYY."]), month


def test_an_age_or_a_decade_for_a_birth_date_is_refused_saying_why(app, coordinator, tmp_path):
    """Registers write an age where the birth date goes ("age 34", "34 года"), or a decade
    ("1980-е"): no birth year is invented from them (the age at which day?), and the refusal
    says what to give instead, not that "34" is not a date. A vague year is still read."""
    content = (
        "person_name;act_type;act_date;birth_date\n"
        "Ali Valiev;extradition;2011;age 34\n"
        "Vali Aliev;extradition;2011;34 года\n"
        "Sali Aliev;extradition;2011;1980-е\n"
        "Nodir Aliev;extradition;2011;около 1985 г.р.\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 1 and _count(Person) == 0
    got = {p["row"]: (p["column"], p["message"]) for p in report["rejected"]}
    assert set(got) == {2, 3, 4}
    assert got[2][0] == got[3][0] == got[4][0] == "birth_date"
    assert "age" in got[2][1] and "около 1977" in got[2][1] and "YYYY" not in got[2][1]
    assert "age" in got[3][1] and "около 1977" in got[3][1]
    assert "decade" in got[4][1] and "около 1985" in got[4][1]
    result, report = _run(app, coordinator, tmp_path, content, "--valid-only")
    person = db.session.scalar(select(Person))
    assert (person.birth_date.iso(), person.birth_date_approximate) == ("1985", True)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_latin_only_file_in_a_western_encoding_is_not_read_as_cyrillic(
    app, coordinator, tmp_path, encoding
):
    """A register kept on a Western-locale machine (Latin-1, Windows-1252) holds Latin names
    with accents and no Cyrillic: read as Windows-1251, "José Müller" became "Josй Mьller"
    without a word. It is read in its Western encoding, and the report says which."""
    content = (
        "case_key,person_name,other_names,act_type,act_date,narrative\n"
        "K-1,José Müller,Jose Mueller,deportation,2011,Déporté à Tachkent; réfugié reconnu\n"
        "K-2,François Núñez,,expulsion,2012,Sent back “without a hearing”\n"
    ).encode(encoding, errors="replace")
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert report["encoding"] == "cp1252"
    names = {n.name for n in db.session.scalars(select(PersonName))}
    assert names == {"José Müller", "Jose Mueller", "François Núñez"}
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert "Déporté à Tachkent; réfugié reconnu" in narratives


def test_a_file_with_cells_separated_by_vertical_bars_is_read(app, coordinator, tmp_path):
    """Databases export with "|" between cells, since their texts hold commas and
    semicolons: such a file was split at the semicolons of its narratives, its first record
    taken for the header and refused as unknown columns quoting a victim's details. It is
    read by its bars, as the page says; the bar can also be chosen."""
    rows = list(csv.reader(io.StringIO((DATA / "cases-sample.csv").read_text("utf-8"))))
    content = "\n".join("|".join(row) for row in rows) + "\n"
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert result.exit_code == 0, result.output
    assert report["delimiter"] == "|" and report["rows_read"] == 22 and not report["rejected"]
    result, report = _run(app, coordinator, tmp_path, content, "--delimiter", "|")
    assert result.exit_code == 0 and _count(Case) == 22
    narratives = {c.narrative for c in db.session.scalars(select(Case))}
    assert rows[1][16] in narratives
    html = _checked(_web(app, coordinator), content.encode(), "export.txt")
    assert "cells separated by vertical bars" in html


def test_the_end_of_file_mark_of_dos_tools_is_not_a_row(app, coordinator, tmp_path):
    """DOS tools (those that write code page 866) end a text file with Ctrl-Z: it was read as
    a row with no name, no act and no date, and the whole file refused for it."""
    content = (
        "case_key;person_name;act_type;act_date\r\n"
        "K-1;Алишер Холматов;extradition;2011\r\n"
        "K-2;Гульнора Юсупова;deportation;2012\r\n"
    )
    for encoding in ("cp866", "utf-8"):
        result, report = _run(
            app, coordinator, tmp_path, content.encode(encoding) + b"\x1a", "--dry-run"
        )
        assert result.exit_code == 0, report["rejected"]
        assert report["rows_read"] == 2 and report["created"] == {"cases": 2, "people": 2}


def test_line_ends_written_twice_over_are_one_line_end(app, coordinator, tmp_path):
    """A file whose line ends went through a text-mode write twice (CR CR LF) was read with an
    empty line after each row: the rows were numbered 3, 5, 7..., which the spreadsheet does
    not show, so the report pointed at the wrong rows. Each CR CR LF is one line end."""
    content = (
        "case_key,person_name,act_type,act_date,narrative\r\r\n"
        "K-1,Alisher Kholmatov,extradition,2011,\r\r\n"
        'K-2,Dilshad Memet,abduction,2016,"Taken at night,\r\r\nheld in Almaty"\r\r\n'
        "K-3,Gulnora Yusupova,deportation,someday,\r\r\n"
    )
    result, report = _run(app, coordinator, tmp_path, content, "--dry-run")
    assert report["rows_read"] == 3
    # The row after a cell of two lines is numbered as a spreadsheet shows it: 4.
    assert [(p["row"], p["value"]) for p in report["rejected"]] == [(4, "someday")]


def test_a_file_padded_with_nul_bytes_is_read_without_them(app, coordinator, tmp_path):
    """A file cut to a disk's block or a fixed size (a copy from a memory card, a download
    stopped and resumed) ends in NUL bytes: it was refused as "not a text (CSV) file". The
    padding is no part of the text; a NUL within it still refuses the file, saying where."""
    content = (
        "case_key;person_name;act_type;act_date\r\n"
        "K-1;Алишер Холматов;extradition;2011\r\n"
        "K-2;Гульнора Юсупова;deportation;2012\r\n"
    )
    for encoding in ("utf-8", "cp1251"):
        padded = content.encode(encoding) + b"\x00" * 3000
        result, report = _run(app, coordinator, tmp_path, padded, "--dry-run")
        assert result.exit_code == 0, result.output
        assert report["rows_read"] == 2 and report["created"] == {"cases": 2, "people": 2}
    damaged = content.replace("K-2;", "K-2\x00\x00;").encode() + b"\x00" * 10
    result, _report = _run(app, coordinator, tmp_path, damaged, "--dry-run")
    assert result.exit_code == 2
    assert "NUL characters on line 3" in result.output
    html = _checked(_web(app, coordinator), damaged, "cases.csv")
    assert "NUL characters on line 3" in html


def test_a_formula_saved_without_its_value_is_imported_as_its_text_with_a_warning(
    app, coordinator, tmp_path
):
    """A workbook written by a program that computes nothing keeps a formula without the
    value it stands for: the name "=B2&" "&C2" was imported as the person's name without a
    word. It is still never computed here, and the check says, cell by cell, that the text of
    a formula was read, so the user can save the file again from a spreadsheet program."""
    rows = [
        ["person_name", "given", "family", "act_type", "act_date", "narrative"],
        ['=B2&" "&C2', "Ali", "Valiev", "extradition", "2011", "Taken at night"],
    ]
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"given": None, "family": None}), "utf-8")
    result, report = _run(
        app,
        coordinator,
        tmp_path,
        _workbook(rows),
        "--mapping",
        str(mapping),
        "--dry-run",
        name="c.xlsx",
    )
    assert result.exit_code == 0, result.output
    warned = [w for w in report["warnings"] if w["row"] == 2 and w["column"] == "person_name"]
    assert [w["value"] for w in warned] == ['=B2&" "&C2']
    assert "formula" in warned[0]["message"] and "value" in warned[0]["message"]
    assert not [w for w in report["warnings"] if w["column"] == "narrative"]


def test_a_workbook_of_several_sheets_reads_its_cases_and_says_what_it_left(
    app, coordinator, tmp_path
):
    """A register's workbook often opens on a sheet of instructions, or keeps a sheet per
    year. Without a sheet named, the instructions were taken for the cases and the file
    refused as having no header; now the first sheet shown that names the columns is read,
    and other sheets that also do are said not to have been read (by their place: a sheet's
    name may be a person's)."""
    book = Workbook()
    book.active.title = "Инструкция"
    book.active.append(["Заполняйте по одной строке на человека."])
    book.active.append(["Даты: ДД.ММ.ГГГГ"])
    for year in ("2011", "2012"):
        ws = book.create_sheet(year)
        ws.append(["person_name", "act_type", "act_date"])
        ws.append([f"Ali Valiev {year}", "extradition", year])
    buf = io.BytesIO()
    book.save(buf)
    result, report = _run(app, coordinator, tmp_path, buf.getvalue(), "--dry-run", name="c.xlsx")
    assert result.exit_code == 0, result.output
    assert report["rows_read"] == 1
    said = [w["message"] for w in report["warnings"] if "sheet" in w["message"]]
    assert len(said) == 1 and "3" in said[0] and "2012" not in said[0]
    result, report = _run(
        app, coordinator, tmp_path, buf.getvalue(), "--sheet", "2012", name="c.xlsx"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(PersonName)).name == "Ali Valiev 2012"
    assert not [w for w in report["warnings"] if "sheet" in w["message"]]


def test_dates_written_as_a_russian_sentence_says_them_are_read(app, coordinator, tmp_path):
    """Russian registers write when something happened as a sentence says it: "в декабре
    2011 г.", "в мае 2012", "в 2011 году", "12 декабря 2011 года": each was refused as not a
    date; each is read as the month, year or day it names."""
    rows = {
        "A": ("в декабре 2011 г.", "2011-12"),
        "B": ("в мае 2012", "2012-05"),
        "C": ("в 2011 году", "2011"),
        "D": ("12 декабря 2011 года", "2011-12-12"),
        "E": ("In March 2013", "2013-03"),
    }
    content = "case_key;person_name;act_type;act_date\n" + "".join(
        f"{k};Person {k};extradition;{a}\n" for k, (a, _a) in rows.items()
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, report["rejected"]
    got = {c.external_ref: c.act_date.iso() for c in db.session.scalars(select(Case))}
    assert got == {k: a for k, (_ra, a) in rows.items()}


def test_column_names_in_camel_case_are_the_columns(app, coordinator, tmp_path):
    """Databases and their exports name columns in camel case ("PersonName", "actDate",
    "UNHCRNumber"): such a file was refused as having unknown columns only."""
    content = (
        "CaseKey,PersonName,BirthDate,UNHCRNumber,actType,actDate\n"
        "K-1,Ali Valiev,1979,123-45C,extradition,2011\n"
    )
    result, report = _run(app, coordinator, tmp_path, content)
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    person = case.people[0].person
    assert (case.external_ref, case.act_date.iso()) == ("K-1", "2011")
    assert (person.birth_date.iso(), person.unhcr_number) == ("1979", "123-45C")


def test_a_birth_date_said_with_the_word_born_and_ordinal_days_are_read(app, coordinator, tmp_path):
    """Registers say a birth date with the word for born before or after it ("род. 1985",
    "р. 12.04.1979", "born 1985", "1985 жылы туған", "1985 туған"), and a day as an ordinal
    ("1-го декабря 2011"), a month with a hyphen ("12-2011"): each is read as the date it
    says. "род." is no date without one ("род. в Андижане")."""
    rows = {
        "A": ("род. 1985", "1-го декабря 2011", "1985", "2011-12-01"),
        "B": ("р. 12.04.1979", "12-2011", "1979-04-12", "2011-12"),
        "C": ("born 1985", "2nd May 2012", "1985", "2012-05-02"),
        "D": ("1985 жылы туған", "2011", "1985", "2011"),
        "E": ("1985 туған", "2011", "1985", "2011"),
        "F": ("родился 3 мая 1980 г.", "2011", "1980-05-03", "2011"),
    }
    _dates_imported_as_expected(app, coordinator, tmp_path, rows)
    result, report = _run(
        app,
        coordinator,
        tmp_path,
        "person_name;act_type;act_date;birth_date\nAli Valiev;extradition;2011;род. в Андижане\n",
    )
    assert [p["column"] for p in report["rejected"]] == ["birth_date"]


def test_the_rejected_rows_are_counted_in_the_readers_grammar(app, coordinator):
    """ "Rejected values (1 rows)": the heading now agrees with its count, in English and in
    Russian (строка, строки, строк)."""
    client = _web(app, coordinator)
    one = "person_name;act_type;act_date\nAli Valiev;extradition;не позднее 2011\n"
    two = one + "Vali Aliev;extradition;до 2011\n"
    assert "Rejected values (1 row)" in _checked(client, one.encode(), "one.csv")
    assert "Rejected values (2 rows)" in _checked(client, two.encode(), "two.csv")
    client.set_cookie("lang", "ru")
    assert "(1 строка)" in _checked(client, one.encode(), "one.csv")
    assert "(2 строки)" in _checked(client, two.encode(), "two.csv")


def test_a_file_of_as_many_rows_as_allowed_is_read_and_one_more_is_refused(monkeypatch):
    """The limit counts the rows below the header: a file of exactly ``MAX_ROWS`` rows (its
    header and a title line above it besides) is read, as a CSV and as a sheet; one more row is
    refused, saying so. It used to count the header as a row, refusing a file at the limit."""
    monkeypatch.setattr(reading, "MAX_ROWS", 5)

    def rows(n: int) -> list[list[str]]:
        body = [[f"K-{i}", f"Person {i}", "extradition", "2011"] for i in range(n)]
        return [["Cases of 2011"], ["case_key", "person_name", "act_type", "act_date"], *body]

    def as_csv(n: int) -> bytes:
        return "".join(";".join(r) + "\n" for r in rows(n)).encode()

    def as_xlsx(n: int) -> bytes:
        book = Workbook()
        for r in rows(n):
            book.active.append(r)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    known = known_headers({})
    csv_table = reading.read_csv(as_csv(5), known=known)
    sheet = reading.read_xlsx(as_xlsx(5), known=known)
    assert (
        (csv_table.header_row, len(csv_table.rows)) == (sheet.header_row, len(sheet.rows)) == (2, 5)
    )
    with pytest.raises(reading.UnusableInput, match="more than 5 rows"):
        reading.read_csv(as_csv(6), known=known)
    with pytest.raises(reading.UnusableInput, match="more than 5 rows"):
        reading.read_xlsx(as_xlsx(6), known=known)


def _limit_rows(n: int, *, from_row: int) -> list[list[str]]:
    """A title, the header and ``n`` rows; from the spreadsheet's row ``from_row`` on, each
    row has a value in the column without a header, which reading it would refuse."""
    header = ["case_key", "person_name", "", "act_type", "act_date"]
    body = [
        [f"K-{i}", f"Person {i}", "stray" if i + 3 >= from_row else "", "extradition", "2011"]
        for i in range(n)
    ]
    return [["Cases of 2011"], header, *body]


def test_a_file_far_over_the_row_limit_is_refused_unread_past_the_row_over_it(monkeypatch):
    """A file far over the limit is refused at the first row over it, as a CSV and as a sheet:
    the rows after it are not read (theirs would be another refusal: a value in a column
    without a header), nor any file's rows after the limit counted line by line."""
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    rows = _limit_rows(5000, from_row=9)  # the title, the header, 5 rows, the one over: 8
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    known = known_headers({})
    with pytest.raises(reading.UnusableInput, match="^The file has more than 5 rows"):
        reading.read_csv("".join(";".join(r) + "\n" for r in rows).encode(), known=known)
    with pytest.raises(reading.UnusableInput, match="^The sheet has more than 5 rows"):
        reading.read_xlsx(out.getvalue(), known=known)
    # Within the limit (a quoted cell's line breaks are no rows), the stray value is found.
    within = [[c.replace("Person", "Person\nline") for c in r] for r in rows[:9]]
    text = "".join(";".join(f'"{c}"' for c in r) + "\n" for r in within[:6] + within[8:9])
    with pytest.raises(reading.UnusableInput, match="Column C has no header .*row 7"):
        reading.read_csv(text.encode(), known=known)


def test_a_csv_over_the_row_limit_is_refused_before_its_rows_are_kept(monkeypatch):
    """A CSV of more lines than the limit allows is read once without keeping its rows: one
    over it is refused before the rows within it fill the memory (at 200,000 rows, most of a
    gigabyte), one within it is read as before."""
    monkeypatch.setattr(reading, "MAX_ROWS", 50)

    class Cells(dict):
        """A row's cells, which can be watched for being kept."""

    kept: list[weakref.ref[Cells]] = []
    real_row, real_gettext = reading._row, reading._
    held_at_refusal: list[int] = []

    def row(*args):
        cells = Cells(real_row(*args))
        kept.append(weakref.ref(cells))
        return cells

    def gettext(message, **values):
        if message.startswith("The file has more than"):
            gc.collect()
            held_at_refusal.append(sum(ref() is not None for ref in kept))
        return real_gettext(message, **values)

    monkeypatch.setattr(reading, "_row", row)
    monkeypatch.setattr(reading, "_", gettext)
    known = known_headers({})

    def as_csv(n: int) -> bytes:
        return "".join(";".join(r) + "\n" for r in _limit_rows(n, from_row=10**9)).encode()

    with pytest.raises(reading.UnusableInput, match="more than 50 rows"):
        reading.read_csv(as_csv(5000), known=known)
    # The row being read when the refusal comes at most, not the 50 before it.
    assert held_at_refusal and held_at_refusal[0] <= 1
    table = reading.read_csv(as_csv(50), known=known)
    assert [n for n, _cells in table.rows] == list(range(3, 53))
