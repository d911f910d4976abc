"""Password rules: 15 to 128 characters, no common or leaked password, argon2id with strong
parameters, upgraded at login."""

from __future__ import annotations

import argon2
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from casework.accounts import passwords, services
from casework.accounts.models import User
from casework.core.db import db
from casework.core.errors import ValidationFailed
from tests.factories import PASSWORD, log_in

GOOD = "quiet lantern orchard gravel"


class CountingHasher:
    """Wraps the hasher and counts the calls that do argon2 work."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.calls = 0
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        self.calls += 1
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls += 1
        self.verified.append(password)
        return self.inner.verify(password_hash, password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return self.inner.check_needs_rehash(password_hash)


@pytest.fixture
def counting(monkeypatch):
    counter = CountingHasher(passwords._fast_hasher)
    monkeypatch.setattr(passwords, "hasher", lambda: counter)
    return counter


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("x" * 11, False),
        ("quiet lant12", False),  # 12: under the 15 of NIST SP 800-63B-4 for a single factor
        ("quiet lantern1", False),  # 14
        ("quiet lantern 1", True),  # 15
        ("q" + "w" * 62 + "z", True),  # 64
        (GOOD, True),
        ("ä" * 64 + "x", True),
        ("q" + "w" * 126 + "z", True),  # 128
        ("q" + "w" * 127 + "z", False),  # 129
        ("password1234", False),  # on the list of common passwords
        ("password12345678", False),  # long enough, but on the list
        ("123456789012345", False),
        ("qwertyuiopasdfgh", False),
    ],
)
def test_password_rules(password, ok):
    if ok:
        passwords.check_new_password(password)
    else:
        with pytest.raises(ValidationFailed):
            passwords.check_new_password(password)


def test_common_password_refused_when_setting_one(client, login, make_user):
    user = make_user()
    login(user)
    response = client.post(
        "/profile",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "password12345678",
            "pw-confirm": "password12345678",
        },
    )
    assert "common or leaked" in response.get_data(as_text=True)


def test_over_long_password_is_refused_before_hashing(client, make_user, counting):
    user = make_user()
    counting.calls = 0
    with pytest.raises(ValidationFailed):
        services.create_user("long@example.org", "x" * 129, "monitor")
    assert not passwords.verify_password(user.password_hash, "x" * 100_000)
    response = client.post("/login", data={"email": user.email, "password": "x" * 129})
    assert response.status_code == 200
    assert counting.calls == 0


def test_unknown_user_runs_the_hasher_and_gets_the_same_answer(client, make_user, counting):
    user = make_user()
    known = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "wrong!"})
    # The password was checked against a hash both times (a dummy one for the unknown e-mail).
    assert counting.verified == ["wrong password!", "wrong!"]
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: page.replace("nobody@example.org", "").replace(user.email, "")  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))


def test_production_hasher_is_argon2id_64mib_t3():
    params = argon2.extract_parameters(passwords._hasher.hash(GOOD))
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 64 * 1024 and params.time_cost >= 3


def test_weak_hash_is_upgraded_at_login(app, make_user):
    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()
    log_in(app.test_client(), user)
    db.session.expire_all()
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored != weak
    assert argon2.extract_parameters(stored) == argon2.extract_parameters(
        passwords.hasher().hash("x")
    )
    assert passwords.verify_password(stored, PASSWORD)
    # The production hasher would upgrade the test suite's cheap hashes too.
    assert passwords._hasher.check_needs_rehash(stored)
