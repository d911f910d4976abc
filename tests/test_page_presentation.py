"""What a user reads on the pages, on a phone as on a laptop: in their language, with the
warnings that matter where they look."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casework.cases import events
from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import INTAKE, intake, page
from tests.clients import client_for
from tests.factories import make_case
from tests.photos import photo


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


def _upload(client, url: str, content: bytes, name: str):
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), name), "description": "Gate of the centre"}
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_after_uploading_a_file_that_records_a_place_the_page_opens_on_the_warning(app, make_user):
    """The warnings are at the top of the page: landing on the documents at the bottom of a
    long case file, a monitor on a phone would never see that the photo gives a place away."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = make_case(monitor)
    url = f"/cases/{case.public_id}/documents/new"
    response = _upload(client, url, photo(gps=True), "IMG_0412.jpg")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{case.public_id}"
    html = page(client, response.headers["Location"])
    assert "records where it was taken" in html
    # Without a warning, the page still opens on the documents just added to.
    response = _upload(client, url, photo(gps=False), "IMG_0413.jpg")
    assert response.headers["Location"] == f"/cases/{case.public_id}#documents"


def _without_tooltips(html: str) -> str:
    return re.sub(r'\stitle="[^"]*"', "", html)


def test_what_location_data_in_a_file_means_is_written_on_the_page_not_in_a_tooltip(app, make_user):
    """A phone shows no tooltip: the badge's explanation is written out under the list."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = make_case(monitor)
    url = f"/cases/{case.public_id}/documents/new"
    _upload(client, url, photo(gps=False), "IMG_0413.jpg")
    explanation = "It should be cleaned of them before it leaves the organisation."
    assert explanation not in _without_tooltips(page(client, f"/cases/{case.public_id}"))
    _upload(client, url, photo(gps=True), "IMG_0412.jpg")
    html = _without_tooltips(page(client, f"/cases/{case.public_id}"))
    documents = html[html.index('id="documents"') :]
    assert explanation in documents


def test_an_output_not_reviewed_says_so_beside_its_download_buttons(app):
    """On a phone the review of the free text is two screens below the download buttons: that
    the download leaves the narrative out is said before them, not only there."""
    from tests import report_world

    world = report_world.build()
    client = client_for(app, world.coordinator)
    url = f"/cases/{world.case.public_id}/outputs/special_procedures"
    html = page(client, url)
    notice = html.find("Not reviewed for this output:")
    assert -1 < notice < html.index("Download .")
    client.post(url + "/review", data={})
    html = page(client, url)
    assert "Not reviewed for this output:" not in html
    assert html.index("Reviewed for this output by") > html.index("Download .")


def test_a_statistics_chart_is_drawn_at_a_phones_width_its_labels_whole(app):
    """Drawn wider than a phone, the chart is shrunk to fit and its labels are too small to
    read (7 px); each label is written whole, over its bar."""
    from casework.reports.charts import bar_chart
    from casework.reports.statistics import Table

    label = "2021 · Вынужденное «добровольное» возвращение"
    chart = str(bar_chart(Table("acts", "Acts", ["Act", "Cases"], [[label, 3], ["2022", 1]])))
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', chart).group(1))
    assert width <= 360
    assert 'font-size="12"' in chart
    assert f">{label}<" in chart


def _described_by(html: str, name: str) -> list[str]:
    """The texts the input, select or textarea named ``name`` is described by."""
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\sname="{name}"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]*)"', tag)
    texts = []
    for ident in ids.group(1).split() if ids else []:
        texts.append(re.search(rf'id="{ident}"[^>]*>([^<]*)<', html).group(1))
    return texts


def test_a_fields_help_is_read_with_it_before_and_after_an_error(app, make_user):
    """A screen reader reads the help under a field with it ("in any script, as the source wrote
    it"), and its error as well once there is one."""
    client = client_for(app, make_user(Role.MONITOR))
    html = page(client, "/cases/new")
    assert _described_by(html, "name") == ["In any script, as the source wrote it."]
    assert _described_by(html, "act_type") == []
    response = client.post("/cases/new", data=dict(INTAKE, name="", act_type=""))
    html = response.get_data(as_text=True)
    assert _described_by(html, "name") == [
        "In any script, as the source wrote it.",
        "Give the person&#39;s name or an alias (any script).",
    ]


def test_a_field_with_two_errors_gives_each_its_own_id_and_is_read_with_both(app):
    """Two errors under one field were two elements of one id (invalid HTML: a screen reader
    read the first only)."""
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class NameForm(FlaskForm):
        name = StringField("Name")

    with app.test_request_context("/"):
        form = NameForm(meta={"csrf": False})
        form.name.errors = ["Too long.", "Not a name."]
        html = render_template_string(
            '{% from "macros/forms.html" import field %}{{ field(form.name, help="Help.") }}',
            form=form,
        )
    ids = re.findall(r'id="(name-error[^"]*)"', html)
    assert len(ids) == 2 == len(set(ids))
    assert _described_by(html, "name") == ["Help.", "Too long.", "Not a name."]


def test_every_column_of_the_case_files_tables_is_named(app, make_user):
    """The column of a row's buttons (Remove, Restore) had an empty heading: a screen reader
    announced nothing there. Each heading now says what the column holds."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    case = make_case(monitor)
    _upload(client, f"/cases/{case.public_id}/documents/new", photo(gps=False), "IMG_1.jpg")
    html = page(client, f"/cases/{case.public_id}")
    assert 'id="documents"' in html
    assert not re.findall(r"<th[^>]*>\s*</th>", html)
    assert '<span class="visually-hidden">Actions</span>' in html
