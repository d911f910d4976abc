"""Documents attached to an advocacy action (an urgent appeal's letter, a photo in its annex)
go the way a case's documents go: the same checks, warnings, store and rights."""

from __future__ import annotations

import errno
import io
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from casework import permissions
from casework.accounts.models import User
from casework.advocacy import services
from casework.audit.models import AuditEntry
from casework.core import storage as storage_module
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.vocab import ActionType, Role, TeamRole
from casework.evidence.models import Document
from casework.evidence.services import store_document
from tests.case_helpers import page
from tests.clients import client_for
from tests.conftest import lose_everything
from tests.factories import make_case, make_user
from tests.photos import photo

LOCATED = "records where it was taken"


@pytest.fixture
def appeal(app):
    return _appeal_of(app)


def _appeal_of(app) -> SimpleNamespace:
    """An urgent appeal about one case, and a client of the case's lawyer (who may change it)."""
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(make_user(Role.MONITOR), team=((lawyer, TeamRole.LAWYER),))
    action = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Urgent appeal",
            case_references=[case.reference],
        ),
    )
    db.session.commit()
    return SimpleNamespace(
        client=client_for(app, lawyer), action=action, lawyer=lawyer, coordinator=coordinator
    )


def _attach(client, action, content: bytes, name: str, description: str = "Annex 2"):
    return client.post(
        f"/advocacy/actions/{action.public_id}/documents",
        data={"doc-file": (io.BytesIO(content), name), "doc-description": description},
        content_type="multipart/form-data",
    )


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Document.id)))


def _stored(app) -> set[str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_a_photo_attached_to_an_appeal_that_records_where_it_was_taken_is_flagged(appeal):
    """An appeal's annexes leave the organisation: whoever attaches a photo that says where it
    was taken is told so at once, as on a case, and the file is kept as it came."""
    client, action = appeal.client, appeal.action
    response = _attach(client, action, photo(gps=True), "IMG_0412.jpg")
    assert response.status_code == 302
    html = page(client, response.headers["Location"])
    assert LOCATED in html
    stored = db.session.scalar(select(Document))
    assert f"SHA-256: {stored.sha256}" in html  # as on a case: the hash to compare copies with

    response = _attach(client, action, photo(gps=False), "IMG_0413.jpg")
    assert response.status_code == 302
    assert LOCATED not in page(client, response.headers["Location"])
    assert _count() == 2


def test_an_attachment_whose_file_records_where_it_was_taken_is_marked_on_the_action(app, appeal):
    """Whoever may read the attachment (here the coordinator, not its uploader) sees it marked,
    with why, and never the coordinates."""
    client, action = appeal.client, appeal.action
    assert _attach(client, action, photo(gps=True), "IMG_0412.jpg").status_code == 302
    assert _attach(client, action, photo(gps=False), "IMG_0413.jpg").status_code == 302
    html = page(client_for(app, appeal.coordinator), f"/advocacy/actions/{action.public_id}")
    # One file marked; the note under the list says what the mark means, as a phone shows
    # no tooltip.
    assert len(re.findall(r'<span class="badge badge-warning" title=', html)) == 1
    note = html[html.index('class="location-note"') :]
    assert "It should be cleaned of them before it leaves the organisation." in note
    row = html[html.index("IMG_0412.jpg") : html.index("IMG_0413.jpg")]
    badge = re.search(r'<span class="badge badge-warning" title="([^"]+)">[^<]*</span>', row)
    assert badge and "Location data in file" in badge.group(0)
    assert "where it was taken" in badge.group(1)
    assert not re.search(r"43|76|GPSL", badge.group(0))


def test_a_full_file_store_is_a_503_that_keeps_the_form_and_stores_nothing(
    app, appeal, monkeypatch
):
    client, action = appeal.client, appeal.action
    files = _stored(app)

    def disk_full(source, out, length=0):
        out.write(source.read(10))  # half a file on disk, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage_module.shutil, "copyfileobj", disk_full)
    response = _attach(client, action, b"Reply of the State.\n", "reply.txt", "The reply")
    assert response.status_code == 503  # not the user's mistake
    html = response.get_data(as_text=True)
    assert "could not be stored" in html and "The reply" in html
    assert _stored(app) == files and _count() == 0
    monkeypatch.undo()
    assert _attach(client, action, b"Reply of the State.\n", "reply.txt").status_code == 302
    assert _count() == 1


def test_an_attachment_sent_twice_is_stored_once(appeal):
    """A double tap or a retry over a slow connection: one document, as on a case."""
    client, action = appeal.client, appeal.action
    html = page(client, f"/advocacy/actions/{action.public_id}")
    key = re.search(r'name="doc-form_key" type="hidden" value="([^"]+)"', html)
    assert key, "the attach form carries a key of its own"
    for _ in range(2):
        response = client.post(
            f"/advocacy/actions/{action.public_id}/documents",
            data={
                "doc-file": (io.BytesIO(b"Reply of the State.\n"), "reply.txt"),
                "doc-form_key": key.group(1),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    assert _count() == 1
    assert "already saved" in page(client, f"/advocacy/actions/{action.public_id}")


def test_only_who_may_change_the_action_attaches_to_it_even_through_the_service(appeal):
    """The service decides, as it does for a case: a lawyer off the action's case may not
    attach a file to it, whatever calls the service; the case's lawyer may."""
    outsider = make_user(Role.LAWYER)
    with pytest.raises(PermissionDenied):
        store_document(outsider, io.BytesIO(b"Letter\n"), "letter.txt", action=appeal.action)
    db.session.rollback()
    with pytest.raises(PermissionDenied):  # a document belongs to a case or to an action
        store_document(appeal.lawyer, io.BytesIO(b"Letter\n"), "letter.txt")
    db.session.rollback()
    assert _count() == 0
    store_document(appeal.lawyer, io.BytesIO(b"Letter\n"), "letter.txt", action=appeal.action)
    db.session.commit()
    assert _count() == 1


def test_a_document_stays_behind_the_cases_it_was_attached_for(app):
    """A photo attached to an appeal about a restricted case concerns that case: unlinking the
    case from the action (a thematic action now, or one left with another case) does not hand
    the photo to everyone who sees the action. Whoever may read the case still downloads it."""
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    hidden = make_case(monitor, team=((coordinator, TeamRole.MEMBER),), restricted=True)
    own = make_case(monitor, team=((lawyer, TeamRole.LAWYER), (coordinator, TeamRole.MEMBER)))
    documents = {}
    for cases in ([hidden], [hidden, own]):
        action = services.create_action(
            coordinator,
            services.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title="Urgent appeal",
                case_references=[c.reference for c in cases],
            ),
        )
        document = store_document(
            coordinator, io.BytesIO(photo(gps=True)), "IMG_0412.jpg", action=action
        )
        db.session.commit()
        services.update_action(
            coordinator,
            action,
            services.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title="Urgent appeal",
                case_references=[c.reference for c in cases if c is not hidden],
            ),
            action.version,
        )
        db.session.commit()
        documents[action] = document
    reader = client_for(app, lawyer)
    for action, document in documents.items():
        assert permissions.can_view_action(lawyer, action)  # thematic, or on the lawyer's case
        assert "IMG_0412.jpg" not in page(reader, f"/advocacy/actions/{action.public_id}")
        url = f"/advocacy/actions/{action.public_id}/documents/{document.public_id}"
        assert reader.get(url).status_code == 403
        with client_for(app, coordinator).get(url) as response:
            assert response.status_code == 200


def test_an_attachment_is_sealed_at_rest_and_comes_back_from_a_backup(app, tmp_path, monkeypatch):
    """As a case's document: the store holds it encrypted, a backup holds it (and the cases it
    was attached for), a restore gives it back to download, still behind those cases."""
    from casework.backups import services as backups
    from casework.core import storage
    from casework.evidence.models import document_cases

    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    monkeypatch.setitem(app.extensions, storage.EXTENSION, storage.FileSystemStorage(folder))
    located = photo(gps=True)
    appeal = _appeal_of(app)
    assert _attach(appeal.client, appeal.action, located, "IMG_0412.jpg").status_code == 302
    document = db.session.scalar(select(Document))
    url = f"/advocacy/actions/{appeal.action.public_id}/documents/{document.public_id}"
    lawyer_id = appeal.lawyer.id
    stored = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert stored and located not in stored and located[:64] not in stored  # sealed
    attached = db.session.execute(select(document_cases)).all()
    assert attached

    archive = tmp_path / "casework.cwbackup"
    backups.create_backup(archive)
    lose_everything(folder)
    backups.restore_backup(archive)

    assert db.session.execute(select(document_cases)).all() == attached
    with client_for(app, db.session.get(User, lawyer_id)).get(url) as response:
        assert response.status_code == 200 and response.data == located
    with client_for(app, make_user(Role.LAWYER)).get(url) as response:
        assert response.status_code == 404  # an outsider sees no such action


def test_a_document_attached_by_mistake_is_removed_with_a_reason_and_restored_by_a_coordinator(
    app, appeal
):
    """As on a case: a photo attached to the wrong appeal (or one that says where someone is)
    is taken off the action, with why, by whoever may change the action; it is never deleted,
    and a coordinator brings it back."""
    client, action = appeal.client, appeal.action
    _attach(client, action, photo(gps=True), "IMG_0412.jpg")
    document = db.session.scalar(select(Document))
    action_page = f"/advocacy/actions/{action.public_id}"
    url = f"{action_page}/documents/{document.public_id}"

    assert "Remove" in page(client, action_page)
    assert client.post(f"{url}/hide", data={"reason": " "}).status_code == 302
    assert "IMG_0412.jpg" in page(client, action_page)  # no reason, not removed
    outsider = client_for(app, make_user(Role.LAWYER))
    assert outsider.post(f"{url}/hide", data={"reason": "x"}).status_code == 404
    response = client.post(f"{url}/hide", data={"reason": "Attached to the wrong appeal"})
    assert response.status_code == 302
    assert "A coordinator can restore it" in page(client, response.headers["Location"])
    assert "IMG_0412.jpg" not in page(client, action_page)
    assert client.get(url).status_code == 404
    db.session.expire_all()
    assert document.hidden_reason == "Attached to the wrong appeal"
    hidden = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "advocacy.document_hidden")
    )
    assert hidden.object_id == document.public_id
    assert client.post(f"{url}/restore").status_code == 403  # the lawyer may not restore

    coordinator = client_for(app, appeal.coordinator)
    html = page(coordinator, action_page)
    assert "IMG_0412.jpg" in html and "Attached to the wrong appeal" in html
    assert coordinator.get(url).status_code == 200  # as a removed document of a case
    assert coordinator.post(f"{url}/restore").status_code == 302
    assert "IMG_0412.jpg" in page(client, action_page)
    assert client.get(url).status_code == 200


def test_an_attachments_upload_is_audited_with_its_action(appeal):
    """The trail tells which action a file was attached to, as its download does (never its
    name or its hash)."""
    client, action = appeal.client, appeal.action
    _attach(client, action, b"Reply of the State.\n", "reply_ivanov.txt")
    document = db.session.scalar(select(Document))
    client.get(f"/advocacy/actions/{action.public_id}/documents/{document.public_id}").close()
    db.session.expire_all()
    entries = {
        e.action: e
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "documents"))
    }
    for code in ("document.uploaded", "document.downloaded"):
        assert entries[code].object_id == document.public_id
        assert entries[code].details["advocacy_action"] == action.public_id, code
        assert "ivanov" not in str(entries[code].details) and document.sha256 not in str(
            entries[code].details
        )


PDF_WITH_JAVASCRIPT = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    b"\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "annex.pdf", "not an accepted type"),
        (PDF_WITH_JAVASCRIPT, "appeal.pdf", "JavaScript or an action that launches"),
        (b"<svg onload=alert(1)>", "annex.txt", "plain text"),
        (b"", "annex.txt", "The file is empty."),
        (b"MZ\x90\x00", "annex.exe", "are not accepted"),
        (photo(gps=False), "annex.png", "but its name ends in"),
    ],
)
def test_an_attachment_is_refused_as_a_cases_document_would_be(app, appeal, content, name, message):
    client, action = appeal.client, appeal.action
    files = _stored(app)
    response = _attach(client, action, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0 and _stored(app) == files


def test_an_attachment_over_the_limit_is_refused_and_its_name_is_cleaned(app, appeal):
    client, action = appeal.client, appeal.action
    saved = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        response = _attach(client, action, b"Reply.\n" * 400, "reply.txt")
    finally:
        app.config["MAX_UPLOAD_BYTES"] = saved
    assert response.status_code == 422
    assert "larger than the limit" in response.get_data(as_text=True)
    assert _count() == 0
    _attach(client, action, b"Reply.\n", "..\\..\\C:/Users/x/\u202ereply\x00.txt")
    assert db.session.scalar(select(Document)).original_name == "reply.txt"
