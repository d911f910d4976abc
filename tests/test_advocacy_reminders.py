"""E-mail reminders against a local SMTP server: what is sent, to whom, once a day, no names."""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casework.advocacy import services
from casework.audit.models import AuditEntry
from casework.core.db import db
from casework.core.vocab import ActionStatus, ActionType, Role, TeamRole, Urgency
from tests.factories import make_case, make_user

TODAY = date.today()
PERSON_NAME = "Xolmatov"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's API)
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "BASE_URL", "https://casework.example.org")
    yield inbox
    controller.stop()


@pytest.fixture
def world():
    coordinator = make_user(Role.COORDINATOR, display_name="Coordinator Aigerim")
    lawyer = make_user(Role.LAWYER, display_name="Lawyer Daniyar")
    monitor = make_user(Role.MONITOR, display_name="Monitor Bakhyt")
    bystander = make_user(Role.LAWYER, display_name="Lawyer Other")
    urgent = make_case(
        monitor,
        team=((lawyer, TeamRole.LAWYER),),
        urgency=Urgency.IMMINENT,
        title=f"Imminent extradition of {PERSON_NAME}",
        narrative=f"{PERSON_NAME} was detained.",
    )
    routine = make_case(monitor, urgency=Urgency.ROUTINE)
    overdue = services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title=f"Appeal for {PERSON_NAME}",
            status=ActionStatus.SUBMITTED,
            followup_due=TODAY - timedelta(days=2),
            reference_number="UA KAZ 3/2024",
            responsible_id=lawyer.id,
            case_references=[urgent.reference],
        ),
    )
    services.create_action(
        coordinator,
        services.ActionData(
            action_type=ActionType.NATIONAL_LETTER,
            title="Not due yet",
            followup_due=TODAY + timedelta(days=5),
            reference_number="NOT-YET",
            responsible_id=lawyer.id,
        ),
    )
    db.session.commit()
    return {
        "coordinator": coordinator,
        "lawyer": lawyer,
        "monitor": monitor,
        "bystander": bystander,
        "urgent": urgent,
        "routine": routine,
        "overdue": overdue,
    }


def _run(app):
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    db.session.expire_all()
    return result


def test_nothing_sent_without_smtp(app, world):
    assert not app.config.get("SMTP_HOST")
    result = _run(app)
    assert result.exit_code == 0, result.output
    assert "nothing sent" in result.output
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminder.sent")) is None


def test_reminders_are_sent_once_a_day_without_names(app, smtp, world):
    result = _run(app)
    assert result.exit_code == 0, result.output

    lawyer_mail = smtp.to(world["lawyer"].email)
    assert len(lawyer_mail) == 1
    body = lawyer_mail[0].get_content()
    assert "UA KAZ 3/2024" not in body  # a communication's reference stays off e-mail
    assert (TODAY - timedelta(days=2)).isoformat() in body
    assert "2 days late" in body
    assert f"https://casework.example.org/advocacy/actions/{world['overdue'].public_id}" in body
    assert world["urgent"].reference in body  # on the urgent case's team
    assert "NOT-YET" not in body

    coordinator_mail = smtp.to(world["coordinator"].email)
    assert len(coordinator_mail) == 1
    assert world["urgent"].reference in coordinator_mail[0].get_content()
    overdue_link = f"/advocacy/actions/{world['overdue'].public_id}"
    assert overdue_link not in coordinator_mail[0].get_content()  # not responsible
    monitor_mail = smtp.to(world["monitor"].email)
    assert len(monitor_mail) == 1 and world["urgent"].reference in monitor_mail[0].get_content()
    assert world["routine"].reference not in monitor_mail[0].get_content()
    assert smtp.to(world["bystander"].email) == []

    everything = "\n".join(m.as_string() for _, m in smtp.messages)
    for name in (PERSON_NAME, "Aigerim", "Daniyar", "Bakhyt", "Appeal for"):
        assert name not in everything

    sent = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reminder.sent")).all()
    assert len(sent) == 4  # lawyer x2 (follow-up, urgent case), coordinator, monitor

    # Run again the same day: nothing new.
    count = len(smtp.messages)
    result = _run(app)
    assert result.exit_code == 0, result.output
    assert len(smtp.messages) == count
    assert "0 mail(s) sent" in result.output


def test_new_urgent_case_after_last_run_is_announced(app, smtp, world):
    assert _run(app).exit_code == 0
    count = len(smtp.messages)
    later = make_case(world["monitor"], urgency=Urgency.URGENT)
    assert _run(app).exit_code == 0
    new = smtp.messages[count:]
    assert {r for rcpts, _ in new for r in rcpts} == {
        world["coordinator"].email,
        world["monitor"].email,
    }
    assert all(later.reference in m.get_content() for _, m in new)
    assert all(world["urgent"].reference not in m.get_content() for _, m in new)


def test_unreachable_server_fails_cleanly(app, monkeypatch, world):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())
    result = _run(app)
    assert result.exit_code != 0
    assert "mail server error" in result.output
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reminder.sent")) is None


def test_followup_of_a_deactivated_user_goes_to_the_coordinators(app, smtp, world):
    from casework.accounts.models import User

    lawyer = db.session.get(User, world["lawyer"].id)
    lawyer.is_active_account = False
    db.session.commit()
    assert _run(app).exit_code == 0
    assert smtp.to(world["lawyer"].email) == []
    assert (
        f"/advocacy/actions/{world['overdue'].public_id}"
        in smtp.to(world["coordinator"].email)[0].get_content()
    )


@pytest.fixture
def server_zone():
    """``server_zone(name)``: the server's local time zone (the one ``date.today()`` follows)
    for the rest of the test."""
    saved = os.environ.get("TZ")

    def use(name: str) -> ZoneInfo:
        os.environ["TZ"] = name
        time.tzset()
        return ZoneInfo(name)

    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.parametrize(
    ("zone", "first", "second", "mails"),
    [
        # Five hours ahead of UTC: 01:00 and 09:00 of one local day are two UTC days.
        ("Etc/GMT-5", (0, 1), (0, 9), 1),
        # Five hours behind: 21:00 and 08:00 of two local days are one UTC day.
        ("Etc/GMT+5", (-1, 21), (0, 8), 2),
    ],
)
def test_a_reminder_goes_once_a_local_day_whatever_the_servers_zone(
    app, smtp, world, monkeypatch, server_zone, zone, first, second, mails
):
    """ "Once a day" is the server's day (``date.today()``), not UTC's: a server ahead of UTC
    mailed the same follow-up twice in one morning, one behind it skipped a day."""
    from casework.advocacy.reminders import send_reminders

    tz = server_zone(zone)
    today = date.today()
    for days, hour in (first, second):
        day = today + timedelta(days=days)
        moment = datetime.combine(day, dtime(hour), tzinfo=tz).astimezone(UTC)
        monkeypatch.setattr("casework.audit.services.utcnow", lambda moment=moment: moment)
        with app.test_request_context("/", base_url="https://casework.example.org"):
            send_reminders(today=day)
            db.session.commit()
    link = f"/advocacy/actions/{world['overdue'].public_id}"
    got = [m for m in smtp.to(world["lawyer"].email) if link in m.get_content()]
    assert len(got) == mails


def test_each_reminder_is_written_in_its_readers_language(app, smtp, world):
    """A reminder went out in English whatever its reader chose: a Russian-speaking coordinator
    read "Follow-ups due or overdue" and ISO dates. Each mail is in the language its reader
    chose (their dates written as they write them); a reader who chose none gets English."""
    from casework.accounts.models import User

    russian = make_user(Role.COORDINATOR, language="ru")
    due = TODAY - timedelta(days=3)
    unassigned = services.create_action(
        world["coordinator"],
        services.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title=f"Appeal for {PERSON_NAME}",
            status=ActionStatus.SUBMITTED,
            followup_due=due,
            case_references=[world["urgent"].reference],
        ),
    )
    db.session.commit()
    assert db.session.get(User, world["coordinator"].id).language is None
    assert _run(app).exit_code == 0

    def reminders(user):  # the new coordinator was announced to the other by mail
        return [m for m in smtp.to(user.email) if "/advocacy/followups" in m.get_content()]

    [mail] = reminders(russian)
    body = mail.get_content()
    assert mail["Subject"] == f"Casework: напоминания {TODAY.strftime('%d.%m.%Y')}"
    assert "Новые срочные дела:" in body
    assert "Проверки, срок которых наступил или пропущен:" in body
    assert f"Срочное обращение ({world['urgent'].reference})" in body
    assert f"проверка до {due.strftime('%d.%m.%Y')}, просрочено на 3 дня" in body
    assert f"/advocacy/actions/{unassigned.public_id}" in body
    assert due.isoformat() not in body
    for english in ("Reminders", "Follow-up", "overdue", "New case", "recorded"):
        assert english not in body

    [mail] = reminders(world["coordinator"])
    body = mail.get_content()
    assert mail["Subject"] == f"Casework reminders {TODAY.isoformat()}"
    assert "Follow-ups due or overdue:" in body
    assert f"Urgent appeal ({world['urgent'].reference})" in body
    assert f"follow-up due {due.isoformat()}, 3 days late" in body
    assert "Срочное" not in body
