"""What a Russian-speaking coordinator reads on the pages of the outputs: every sentence of the
interface in Russian, the UN documents' own words in English."""

from __future__ import annotations

import re

from sqlalchemy import select

from casework.core.db import db
from casework.reports.models import ReportDraft
from tests import report_world
from tests.clients import client_for

PERIOD = {"period_from": "2010-01-01", "period_to": "2014-12-31"}


def _russian_coordinator(app):
    world = report_world.build()
    world.coordinator.language = "ru"
    db.session.commit()
    return world, client_for(app, world.coordinator)


def test_saving_a_upr_draft_over_the_word_limit_warns_in_russian(app):
    world, client = _russian_coordinator(app)
    assert client.post("/reports/upr", data=PERIOD).status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    body = "Слово " * (draft.word_limit + 10)
    response = client.post(
        f"/reports/upr/{draft.public_id}",
        data={"body": body, "co_authors": "", "version": draft.version},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "over the limit" not in page
    assert "Saved." not in page
    assert "Сохранено" in page


def _output_page(client, world, output: str = "special_procedures") -> str:
    return client.get(f"/cases/{world.case.public_id}/outputs/{output}").get_data(as_text=True)


def test_the_review_line_of_an_output_reads_as_russian(app):
    """ "Reviewed by X on <date>": not "on" as a feed that is switched on ("включена")."""
    world, client = _russian_coordinator(app)
    client.post(f"/cases/{world.case.public_id}/outputs/special_procedures/review")
    page = _output_page(client, world)
    assert world.coordinator.display_name in page
    assert "включена" not in page


def test_the_output_page_names_the_outputs_in_russian(app):
    """The page's title and the links between the outputs are the interface, not the document."""
    world, client = _russian_coordinator(app)
    page = _output_page(client, world, "cat")
    for english in (
        "CAT interim-measures request",
        ">Special Procedures<",
        ">CAT interim measures<",
        ">Dossier<",
        ">Archive<",
    ):
        assert english not in page


def test_the_live_word_count_of_a_upr_draft_is_in_russian(app):
    """The count the browser updates while typing takes its sentences from the page."""
    world, client = _russian_coordinator(app)
    assert client.post("/reports/upr", data=PERIOD).status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    page = client.get(f"/reports/upr/{draft.public_id}").get_data(as_text=True)
    count = page[page.index('<p id="word-count"') :]
    count = count[: count.index("</p>")]
    assert re.search(rf"Слов: \d+ из {draft.word_limit}\s*$", count)
    assert "words" not in count.replace("{words}", "")
    assert 'data-count="Слов: {words} из {limit}"' in page
    assert (
        'data-over="Слов: {words} из {limit} — больше предела на {over}. Сократите текст: '
        'за вас ничего не обрезается."'
    ) in page
    script = client.get("/static/js/wordcount.js")
    code = script.get_data(as_text=True)
    script.close()
    assert "data-over" in code and '" words' not in code and "over the limit" not in code


def test_the_upr_drafts_guide_is_one_russian_sentence_with_its_period_as_dates(app):
    """The line under a draft's title was English word order put together from fragments,
    with the period in ISO form."""
    world, client = _russian_coordinator(app)
    assert client.post("/reports/upr", data=PERIOD).status_code == 302
    draft = db.session.scalar(select(ReportDraft))
    page = client.get(f"/reports/upr/{draft.public_id}").get_data(as_text=True)
    assert "представление, с 01.01.2010 по 31.12.2014." in page
    assert "Строки, начинающиеся с <code>## </code>, — заголовки разделов" in page
    assert "с <code>&gt; </code> — ненумерованные абзацы" in page
    assert "2010-01-01" not in page.split('<p id="word-count"')[0].split("<h1>")[1]


def test_the_import_pages_choices_of_encoding_and_delimiter_are_in_russian(app):
    _world, client = _russian_coordinator(app)
    page = client.get("/imports/cases").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    for english in ("Detect", "Comma", "Semicolon", "Tab"):
        assert english not in options
    assert options.count("Определить") == 2
    assert {"Запятая", "Точка с запятой", "Табуляция", "Windows-1251"} <= set(options)
