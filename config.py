"""Casework settings: Development, Testing and Production, read from CASEWORK_* variables.

``casework.create_app()`` picks the class named by ``CASEWORK_ENV`` (development by default).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from casework.core.crypto import KeyFormatError, MasterKey, new_key_text


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"CASEWORK_{name}")
    return value if value not in (None, "") else default


def read_key_file(path: Path) -> str:
    """The key in ``path``, refused unless only its owner may read it (mode 0600 or 0400)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"key file {path} cannot be read") from exc
    if mode & 0o077:
        raise ConfigError(f"key file {path} must be readable by its owner only (chmod 600)")
    return path.read_text().strip()


def _key_from_env(name: str) -> str | None:
    """CASEWORK_<name> or the file named by CASEWORK_<name>_FILE, validated as a master key."""
    key = _env(name)
    file_name = _env(f"{name}_FILE")
    if key is None and file_name is not None:
        key = read_key_file(Path(file_name))
    if key is None:
        return None
    try:
        MasterKey.parse(key)
    except KeyFormatError as exc:
        raise ConfigError(f"CASEWORK_{name}: {exc}") from exc
    return key


def _private_dir(path: Path) -> None:
    """Create ``path`` readable by its owner only (0700), or tighten it if it is ours."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o700)


def _generated_key(path: Path, make) -> str:
    """The key kept in ``path``, created once (mode 0600) if it does not exist yet."""
    if not path.exists():
        _private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return read_key_file(path)


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
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_NAME = "casework_session"
    REMEMBER_COOKIE_DURATION = timedelta(days=0)
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the session
    RATELIMIT_HEADERS_ENABLED = True

    @classmethod
    def load(cls, overrides: dict | None = None) -> dict:
        """All settings of this environment, with CASEWORK_* variables and ``overrides`` applied.

        The result is validated after the overrides, so ``create_app({...})`` cannot bypass
        the production checks.
        """
        overrides = overrides or {}
        instance = Path(_env("INSTANCE_DIR", str(Path.cwd() / "instance")))
        max_upload_mb = _env_int("MAX_UPLOAD_MB", 25)
        max_upload = max_upload_mb * 1024 * 1024
        # What a request may carry at all: a file over the upload limit but within this is read
        # (and let go past the limit), so its form comes back with what was typed beside it.
        max_request = max(_env_int("MAX_REQUEST_MB", 4 * max_upload_mb), max_upload_mb + 1)
        absolute_hours = _env_int("SESSION_ABSOLUTE_HOURS", _env_int("SESSION_HOURS", 12))
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            INSTANCE_DIR=str(instance),
            SQLALCHEMY_DATABASE_URI=_env("DATABASE_URL", f"sqlite:///{instance / 'casework.db'}"),
            UPLOAD_DIR=_env("UPLOAD_DIR", str(instance / "uploads")),
            # Scheduled backups (casework.backups.services.create_scheduled_backup).
            BACKUP_DIR=_env("BACKUP_DIR", str(instance / "backups")),
            BACKUP_KEEP=_env_int("BACKUP_KEEP", 14),
            # Where attachments are stored (casework/core/storage.py): unset for UPLOAD_DIR,
            # file:///shared/folder, or s3://bucket/prefix (CASEWORK_S3_ENDPOINT_URL for MinIO).
            STORAGE_URL=_env("STORAGE_URL"),
            MAX_UPLOAD_BYTES=max_upload,
            # Larger requests are refused by Flask itself (413) before any parsing: their form
            # comes back empty, with the limit said.
            MAX_CONTENT_LENGTH=max_request * 1024 * 1024,
            # Server-side sessions end after this long without a request, and this long after
            # login whatever happens; the cookie does not outlive the absolute limit.
            SESSION_IDLE_MINUTES=_env_int("SESSION_IDLE_MINUTES", 30),
            SESSION_ABSOLUTE_HOURS=absolute_hours,
            PERMANENT_SESSION_LIFETIME=timedelta(hours=absolute_hours),
            # Password and code again before second-factor, role and bulk-export actions.
            REAUTH_MINUTES=_env_int("REAUTH_MINUTES", 10),
            # Failed logins (password or code) per account, whatever the address.
            ACCOUNT_FAILURE_LIMIT=_env("ACCOUNT_FAILURE_LIMIT", "5 per minute;20 per hour"),
            PASSWORD_RESET_HOURS=_env_int("PASSWORD_RESET_HOURS", 72),
            SECOND_FACTOR_RESET_HOURS=_env_int("SECOND_FACTOR_RESET_HOURS", 24),
            # An approver of a second-factor reset has had their authenticator this long: one
            # administrator cannot make a coordinator account and approve with it at once.
            SECOND_FACTOR_APPROVER_DAYS=_env_int("SECOND_FACTOR_APPROVER_DAYS", 7),
            # How many reverse proxies stand in front (their X-Forwarded-* headers are trusted).
            TRUSTED_PROXIES=_env_int("TRUSTED_PROXIES", 0),
            RATELIMIT_STORAGE_URI=_env("RATELIMIT_STORAGE_URL", "memory://"),
            LOGIN_RATE_LIMIT=_env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
            API_RATE_LIMIT=_env("API_RATE_LIMIT", "120 per minute;5000 per hour"),
            # Refused API tokens per client address (every request's token is its own rate
            # limit key, so a made-up one would otherwise have a fresh limit each time).
            API_FAILURE_LIMIT=_env("API_FAILURE_LIMIT", "10 per minute;100 per hour"),
            ORGANISATION_NAME=_env("ORGANISATION_NAME", "Casework"),
            # Words allowed in a UPR stakeholder submission (OHCHR technical guidelines).
            UPR_WORD_LIMIT_INDIVIDUAL=_env_int("UPR_WORD_LIMIT_INDIVIDUAL", 2815),
            UPR_WORD_LIMIT_JOINT=_env_int("UPR_WORD_LIMIT_JOINT", 5630),
            # Published statistics (downloads, UPR texts) show no count from 1 to this less
            # one (casework.reports.statistics.publish); 1 publishes every count.
            STATISTICS_SUPPRESS_BELOW=_env_int("STATISTICS_SUPPRESS_BELOW", 5),
            CASE_REFERENCE_PREFIX=_env("CASE_REFERENCE_PREFIX", "KZ"),
            SMTP_HOST=_env("SMTP_HOST"),
            SMTP_PORT=_env_int("SMTP_PORT", 25),
            SMTP_USER=_env("SMTP_USER"),
            SMTP_PASSWORD=_env("SMTP_PASSWORD"),
            SMTP_STARTTLS=_env("SMTP_STARTTLS", "0") == "1",
            MAIL_FROM=_env("MAIL_FROM", "casework@localhost"),
            # Empty: links use the address the app is served on (casework.core.links).
            BASE_URL=_env("BASE_URL", ""),
            ALLOW_SQLITE=_env("ALLOW_SQLITE", "0") == "1",
            # Background jobs (RQ). Unset: every job runs at once, in the process that asks.
            REDIS_URL=_env("REDIS_URL"),
            JOB_TIMEOUT_SECONDS=_env_int("JOB_TIMEOUT_SECONDS", 3600),
            JOB_RESULT_HOURS=_env_int("JOB_RESULT_HOURS", 24),
            # Imports with more rows, and exports of more cases, run as background jobs.
            IMPORT_JOB_ROWS=_env_int("IMPORT_JOB_ROWS", 500),
            EXPORT_JOB_CASES=_env_int("EXPORT_JOB_CASES", 200),
            # Scheduled jobs (cron expressions, UTC).
            REMINDERS_CRON=_env("REMINDERS_CRON", "0 6 * * *"),
            BACKUP_CRON=_env("BACKUP_CRON", "30 2 * * *"),
        )
        settings.update(cls.overrides(instance))
        settings.update(overrides)
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = cls.secret_key(instance)
        if not settings.get("MASTER_KEY"):
            settings["MASTER_KEY"] = cls.master_key(instance)
        if "OLD_MASTER_KEY" not in settings:
            settings["OLD_MASTER_KEY"] = _key_from_env("OLD_MASTER_KEY")
        if not settings.get("BLIND_INDEX_KEY"):
            settings["BLIND_INDEX_KEY"] = cls.blind_index_key(instance)
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
    def master_key(cls, instance: Path) -> str:
        """The key that wraps the data keys: CASEWORK_MASTER_KEY or CASEWORK_MASTER_KEY_FILE."""
        key = _key_from_env("MASTER_KEY")
        if key:
            return key
        raise ConfigError(
            "CASEWORK_MASTER_KEY or CASEWORK_MASTER_KEY_FILE is not set "
            "(generate a key with `flask --app casework keys generate`)"
        )

    @classmethod
    def blind_index_key(cls, instance: Path) -> str:
        """The key of the blind index (matching keys of names); never the secret key."""
        key = _env("BLIND_INDEX_KEY")
        if key:
            return key
        raise ConfigError("CASEWORK_BLIND_INDEX_KEY is not set")

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
        return _generated_key(instance / "secret_key", lambda: secrets.token_hex(32))

    @classmethod
    def master_key(cls, instance: Path) -> str:
        key = _key_from_env("MASTER_KEY")
        if key:
            return key
        # Like the secret key: made once for development, kept outside the database.
        return _generated_key(instance / "master_key", new_key_text)

    @classmethod
    def blind_index_key(cls, instance: Path) -> str:
        return _env("BLIND_INDEX_KEY") or _generated_key(
            instance / "blind_index_key", lambda: secrets.token_hex(32)
        )


# A fixed key so that test runs are reproducible; never valid outside tests.
TEST_MASTER_KEY = "dGVzdGluZy1tYXN0ZXIta2V5LW5vdC1mb3ItcHJvZC0"


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
            "REDIS_URL": None,  # jobs run in-process; tests with Redis set it themselves
            # Accounts are made in the test itself: tests/test_credentials_changed.py sets it.
            "SECOND_FACTOR_APPROVER_DAYS": 0,
        }

    @classmethod
    def secret_key(cls, instance: Path) -> str:
        return "testing-secret-key-not-for-production"

    @classmethod
    def blind_index_key(cls, instance: Path) -> str:
        return "testing-blind-index-key-not-for-production"

    @classmethod
    def master_key(cls, instance: Path) -> str:
        return TEST_MASTER_KEY


# --- Production start-up checks ----------------------------------------------------------------
# Each check returns the problems it finds in the settings (empty when they are fine).
# ProductionConfig refuses to start while any check reports a problem; add a check by
# appending a function to PRODUCTION_CHECKS.

MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10


def secret_problem(name: str, value: str | bytes | None) -> str | None:
    """Why ``value`` is unfit as a secret (missing, too short, too few distinct characters)."""
    if not value:
        return f"{name} is not set"
    if len(value) < MIN_SECRET_LENGTH:
        return f"{name} must be at least {MIN_SECRET_LENGTH} characters"
    if len(set(value)) < MIN_SECRET_DISTINCT:
        return f"{name} is too weak: it has fewer than {MIN_SECRET_DISTINCT} distinct characters"
    return None


def check_secret_key(settings: dict) -> list[str]:
    problem = secret_problem("CASEWORK_SECRET_KEY", settings.get("SECRET_KEY"))
    return [problem] if problem else []


def check_master_key(settings: dict) -> list[str]:
    problem = secret_problem(
        "CASEWORK_MASTER_KEY (or CASEWORK_MASTER_KEY_FILE)", settings.get("MASTER_KEY")
    )
    return [problem] if problem else []


def check_blind_index_key(settings: dict) -> list[str]:
    key = settings.get("BLIND_INDEX_KEY")
    problem = secret_problem("CASEWORK_BLIND_INDEX_KEY", key)
    if problem is None and key == settings.get("SECRET_KEY"):
        problem = "CASEWORK_BLIND_INDEX_KEY must differ from CASEWORK_SECRET_KEY"
    return [problem] if problem else []


def check_debug_off(settings: dict) -> list[str]:
    if settings.get("DEBUG") or os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true"}:
        return ["debug is on"]
    return []


def check_rate_limit_storage(settings: dict) -> list[str]:
    # In-memory limits are per worker process and vanish on restart: no real throttling.
    uri = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):
        return ["CASEWORK_RATELIMIT_STORAGE_URL must name a shared store (redis://...)"]
    return []


def check_job_queue(settings: dict) -> list[str]:
    # Without a queue, imports, exports and backups run inside a web request, and nothing
    # sends the daily reminders.
    url = settings.get("REDIS_URL") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return ["CASEWORK_REDIS_URL must name the job queue's Redis (redis://...)"]
    return []


def check_database(settings: dict) -> list[str]:
    uri = settings.get("SQLALCHEMY_DATABASE_URI") or ""
    if uri.startswith("sqlite") and not settings.get("ALLOW_SQLITE"):
        return [
            "SQLite in production needs CASEWORK_ALLOW_SQLITE=1 (a single-server deployment);"
            " use PostgreSQL otherwise"
        ]
    return []


PRODUCTION_CHECKS: list[Callable[[dict], list[str]]] = [
    check_secret_key,
    check_master_key,
    check_blind_index_key,
    check_debug_off,
    check_rate_limit_storage,
    check_job_queue,
    check_database,
]


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    # __Host-: the browser accepts it only over HTTPS, for this host, path /, no Domain.
    SESSION_COOKIE_NAME = "__Host-casework_session"
    SEND_HSTS = True

    @classmethod
    def secret_key(cls, instance: Path) -> str:
        return _env("SECRET_KEY") or ""  # check_secret_key reports a missing key

    @classmethod
    def master_key(cls, instance: Path) -> str:
        return _key_from_env("MASTER_KEY") or ""  # check_master_key reports a missing key

    @classmethod
    def blind_index_key(cls, instance: Path) -> str:
        return _env("BLIND_INDEX_KEY") or ""  # check_blind_index_key reports a missing key

    @classmethod
    def validate(cls, settings: dict) -> None:
        problems = [problem for check in PRODUCTION_CHECKS for problem in check(settings)]
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))


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
