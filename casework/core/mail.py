"""Sending e-mail through the configured SMTP server (nothing is sent without SMTP_HOST)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_PENDING = "casework.mail_after_commit"


def configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=30)
    if cfg.get("SMTP_STARTTLS"):
        smtp.starttls()
    if cfg.get("SMTP_USER"):
        smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
    return smtp


def message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def send_all(messages: list[EmailMessage]) -> int:
    """Send ``messages`` over one connection; the number sent (0 without SMTP)."""
    if not configured() or not messages:
        return 0
    with connect() as smtp:
        for msg in messages:
            smtp.send_message(msg)
    return len(messages)


def send_after_commit(messages: list[EmailMessage]) -> None:
    """Send ``messages`` once the session's transaction commits: a notice of a change goes
    only if the change is saved, and a mail server that is down or refuses never undoes the
    change (the failure is logged, with no address or content)."""
    if configured() and messages:
        from casework.core.db import db

        db.session.info.setdefault(_PENDING, []).extend(messages)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    messages = session.info.pop(_PENDING, None)
    if not messages:
        return
    try:
        send_all(messages)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("%d e-mail(s) not sent: %s", len(messages), type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
