"""Casework settings: Development, Testing and Production, read from CASEWORK_* variables.

``casework.create_app()`` picks the class named by ``CASEWORK_ENV`` (development by default).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CASEWORK_{name}")
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    try:
        return int(value) if value is not None else default
    except ValueError as exc:
        raise RuntimeError(f"CASEWORK_{name} must be a whole number, not {value!r}") from exc


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example, production without a secret key)."""


class Config:
    """Settings shared by every environment; ``load()`` reads the environment at call time."""

    ENV_NAME = "base"
    DEBUG = False
    TESTING = False
    # hide_parameters: a database error must never write identifying values into a log.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "casework_session"
    REMEMBER_COOKIE_DURATION = timedelta(days=0)
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
    RATELIMIT_HEADERS_ENABLED = True

    @classmethod
    def load(cls) -> dict:
        """All settings of this environment, with CASEWORK_* variables applied."""
        instance = Path(_env("INSTANCE_DIR", str(Path.cwd() / "instance")))
        max_upload = _env_int("MAX_UPLOAD_MB", 25) * 1024 * 1024
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            INSTANCE_DIR=str(instance),
            SQLALCHEMY_DATABASE_URI=_env("DATABASE_URL", f"sqlite:///{instance / 'casework.db'}"),
            UPLOAD_DIR=_env("UPLOAD_DIR", str(instance / "uploads")),
            MAX_UPLOAD_BYTES=max_upload,
            # Larger requests are refused by Flask itself (413) before any parsing.
            MAX_CONTENT_LENGTH=max_upload + 1024 * 1024,
            PERMANENT_SESSION_LIFETIME=timedelta(hours=_env_int("SESSION_HOURS", 12)),
            RATELIMIT_STORAGE_URI=_env("RATELIMIT_STORAGE_URL", "memory://"),
            LOGIN_RATE_LIMIT=_env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
            ORGANISATION_NAME=_env("ORGANISATION_NAME", "Casework"),
            # Words allowed in a UPR stakeholder submission (OHCHR technical guidelines).
            UPR_WORD_LIMIT_INDIVIDUAL=_env_int("UPR_WORD_LIMIT_INDIVIDUAL", 2815),
            UPR_WORD_LIMIT_JOINT=_env_int("UPR_WORD_LIMIT_JOINT", 5630),
            CASE_REFERENCE_PREFIX=_env("CASE_REFERENCE_PREFIX", "KZ"),
            SMTP_HOST=_env("SMTP_HOST"),
            SMTP_PORT=_env_int("SMTP_PORT", 25),
            SMTP_USER=_env("SMTP_USER"),
            SMTP_PASSWORD=_env("SMTP_PASSWORD"),
            SMTP_STARTTLS=_env("SMTP_STARTTLS", "0") == "1",
            MAIL_FROM=_env("MAIL_FROM", "casework@localhost"),
            BASE_URL=_env("BASE_URL", "http://127.0.0.1:5000"),
        )
        settings.update(cls.overrides(instance))
        settings["SECRET_KEY"] = cls.secret_key(instance)
        cls.validate(settings)
        return settings

    @classmethod
    def overrides(cls, instance: Path) -> dict:
        """Environment-specific settings that depend on the environment variables."""
        return {}

    @classmethod
    def secret_key(cls, instance: Path) -> str:
        key = _env("SECRET_KEY")
        if key:
            return key
        raise ConfigError("CASEWORK_SECRET_KEY is not set")

    @classmethod
    def validate(cls, settings: dict) -> None:
        """Refuse settings that must not run."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the debugger is opt-in (flask --debug), never on by default

    @classmethod
    def secret_key(cls, instance: Path) -> str:
        key = _env("SECRET_KEY")
        if key:
            return key
        # Generated once and kept in instance/, readable by the owner only.
        path = instance / "secret_key"
        if not path.exists():
            instance.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return path.read_text().strip()


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False  # tests/test_csrf.py turns it back on to prove it is enforced
    RATELIMIT_ENABLED = False
    PASSWORD_HASH_FAST = True  # cheap argon2 parameters: hashing is not what tests measure

    @classmethod
    def overrides(cls, instance: Path) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": _env("TEST_DATABASE_URL", "sqlite://"),
            "RATELIMIT_STORAGE_URI": "memory://",
            "SMTP_HOST": None,
        }

    @classmethod
    def secret_key(cls, instance: Path) -> str:
        return "testing-secret-key-not-for-production"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True

    @classmethod
    def validate(cls, settings: dict) -> None:
        if settings.get("DEBUG") or os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true"}:
            raise ConfigError("refusing to start in production with debug on")
        if len(settings["SECRET_KEY"]) < 32:
            raise ConfigError("CASEWORK_SECRET_KEY must be at least 32 characters")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by CASEWORK_ENV."""
    name = _env("ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(
            f"CASEWORK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from exc
