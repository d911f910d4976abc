"""Failed-login throttling per account: wrong passwords, wrong codes and wrong recovery codes
all count; past the limit every attempt on that account is refused, even with the right
password, until the window has passed. Other accounts are not affected, and an unknown e-mail
is throttled exactly like a known one. Per-address limits are Flask-Limiter's (views), and,
for the API, failed token authentications per address (``API_FAILURE_LIMIT``): a guess with a
made-up token has no rate-limit bucket of its own.

Counters live in the rate-limit storage (Redis in production, shared by every worker) under
an HMAC of the e-mail address, never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app
from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_EXTENSION = "casework_login_throttle"


class LoginThrottle:
    def __init__(self, app: Flask) -> None:
        self.storage: Storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.limits = parse_many(app.config["ACCOUNT_FAILURE_LIMIT"])
        self.address_limits = parse_many(app.config["API_FAILURE_LIMIT"])
        self._key = hashlib.sha256(b"login-throttle:" + app.config["SECRET_KEY"].encode()).digest()

    def _id(self, email: str) -> str:
        normalised = (email or "").strip().lower().encode()
        return hmac.new(self._key, normalised, hashlib.sha256).hexdigest()[:32]

    def blocked(self, email: str) -> bool:
        key = self._id(email)
        return any(not self.strategy.test(limit, "account", key) for limit in self.limits)

    def failed(self, email: str) -> None:
        key = self._id(email)
        for limit in self.limits:
            self.strategy.hit(limit, "account", key)

    def address_blocked(self, address: str) -> bool:
        """Too many failed API authentications from ``address``: refuse before looking."""
        key = self._id("address:" + address)
        return any(
            not self.strategy.test(limit, "api-address", key) for limit in self.address_limits
        )

    def address_failed(self, address: str) -> None:
        key = self._id("address:" + address)
        for limit in self.address_limits:
            self.strategy.hit(limit, "api-address", key)

    def reset(self) -> None:
        self.storage.reset()


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = LoginThrottle(app)


def throttle() -> LoginThrottle:
    return current_app.extensions[_EXTENSION]
