"""User accounts, their server-side sessions and their second factor."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, exists
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from casework.core.db import PublicIdMixin, TimestampMixin, UTCDateTime, VersionedMixin, db, utcnow
from casework.core.types import SecretText, VocabType
from casework.core.vocab import Role

EMAIL_MAX_LEN = 254
NAME_MAX_LEN = 120
PASSWORD_MIN_LEN = 15
# Longer passwords are refused before they reach the hasher (no hashing DoS).
PASSWORD_MAX_LEN = 128
RECOVERY_CODE_COUNT = 10


class User(PublicIdMixin, TimestampMixin, VersionedMixin, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LEN), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX_LEN), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[Role] = mapped_column(VocabType(Role), nullable=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Secret of the personal iCalendar feed; rotating it revokes the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # TOTP secret (base32). Set at enrolment; in force once confirmed with a first code.
    # Never shown again after enrolment, to anyone. Deferred: loaded (and decrypted) only where
    # a code is checked or set up, not with the user on every request.
    totp_secret: Mapped[str | None] = mapped_column(SecretText, deferred=True)  # encrypted
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last accepted TOTP time step: a code of this step or an earlier one is refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # The interface language the user chose ("en", "ru"); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(8))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    @property
    def has_second_factor(self) -> bool:
        # Confirming needs a secret, and removing the factor clears both (totp.remove), so the
        # confirmation alone tells; the secret itself stays unloaded.
        return self.totp_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.public_id} {self.role}>"


class UserSession(db.Model):
    """A login, checked on every request. Deleting the row ends the session at once.

    The browser's cookie holds a random session id; only its SHA-256 is stored here.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # False between the password and the code: such a session reaches nothing but the code step.
    second_factor_done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # When the user last gave password and code (login or re-authentication).
    reauthenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(User)


class RecoveryCode(db.Model):
    """A one-time recovery code; only its SHA-256 is kept (the code has 80 random bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordResetCode(db.Model):
    """A one-time code an admin hands to a user, who sets a new password with it."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])


class SecondFactorReset(PublicIdMixin, db.Model):
    """A request to remove a user's second factor: done only when a coordinator and an admin,
    two different people other than the user, have both approved it."""

    __tablename__ = "second_factor_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coordinator_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    admin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])
    coordinator: Mapped[User | None] = relationship(User, foreign_keys=[coordinator_id])
    admin: Mapped[User | None] = relationship(User, foreign_keys=[admin_id])


class AccountNotice(db.Model):
    """An in-app notice to one user about an account event (no identifying case data)."""

    __tablename__ = "account_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    message: Mapped[str] = mapped_column(String(300), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Whether the user has a notice not read yet: asked in the query that loads the signed-in
# user with the session (undeferred there only), so that a page without notices asks no more.
User.has_unread_notices = column_property(
    exists().where(AccountNotice.user_id == User.id, AccountNotice.read_at.is_(None)),
    deferred=True,
)


class SetupMarker(db.Model):
    """At most one row, written in the transaction that creates the first administrator: a
    second concurrent first-run setup fails on the primary key instead of adding an admin."""

    __tablename__ = "setup_marker"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
