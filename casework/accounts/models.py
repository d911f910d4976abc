"""User accounts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import PublicIdMixin, TimestampMixin, UTCDateTime, VersionedMixin, db
from casework.core.types import VocabType
from casework.core.vocab import Role

EMAIL_MAX_LEN = 254
NAME_MAX_LEN = 120
PASSWORD_MIN_LEN = 12
PASSWORD_MAX_LEN = 256


class User(PublicIdMixin, TimestampMixin, VersionedMixin, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LEN), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX_LEN), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(VocabType(Role), nullable=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing it logs out every session of this user (password change, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), nullable=False)
    # Secret of the personal iCalendar feed; rotating it revokes the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # TOTP secret for two-factor authentication (set when the user enrols).
    totp_secret: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    def get_id(self) -> str:
        # The session stores the public id and a token, so that a password change ends sessions.
        return f"{self.public_id}:{self.session_token}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.public_id} {self.role}>"
