"""Casework: case management for documenting refoulement."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from casework.core.securetemp import CaseworkRequest
from casework.paths import resource_dir

__version__ = "0.1.0"


def create_app(config: Any = None) -> Flask:
    """Build the application.

    ``config`` may be None (the class named by CASEWORK_ENV), a config class from ``config.py``,
    its name (``"testing"``), or a dict of settings applied on top of an environment's (the one
    named by its ``ENV_NAME``; testing if it sets ``TESTING``, else CASEWORK_ENV's).
    """
    from config import CONFIGS, config_from_env

    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=False,
    )
    app.request_class = CaseworkRequest  # uploads never reach the disk in plaintext
    overrides: dict[str, Any] = {}
    if config is None:
        config_cls = config_from_env()
    elif isinstance(config, str):
        config_cls = CONFIGS[config]
    elif isinstance(config, dict):
        name = config.get("ENV_NAME") or ("testing" if config.get("TESTING") else None)
        config_cls = CONFIGS[name] if name else config_from_env()
        overrides = config
    else:
        config_cls = config
    app.config.update(config_cls.load(overrides))

    _init_extensions(app)
    _register_blueprints(app)

    from casework.core.pipeline import init_pipeline

    init_pipeline(app)
    _init_logging(app)
    from casework.core.querycount import init_query_count

    init_query_count(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import gettext

    from casework import models  # noqa: F401  (every table registered before Alembic looks)
    from casework.accounts.sessions import load_user
    from casework.core import sealing
    from casework.core.db import prepare_sqlite_file
    from casework.core.i18n import N_, init_i18n
    from casework.core.keyring import init_keyring
    from casework.core.sessioncookie import init_session_cookie
    from casework.core.storage import init_storage, install_session_hooks
    from casework.extensions import csrf, db, limiter, login_manager, migrate

    prepare_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    init_keyring(app)
    sealing.check_secret_tables()
    db.init_app(app)
    init_storage(app)
    install_session_hooks(db.session)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), compare_type=True)
    init_session_cookie(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = N_("Please log in to continue.")
    login_manager.localize_callback = gettext
    init_i18n(app)
    # Sessions are server-side rows (casework.accounts.sessions), checked on every request;
    # Flask-Login only asks them who is logged in.
    login_manager.session_protection = None
    login_manager.request_loader(lambda request: load_user())
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # Behind that many reverse proxies, the client address and scheme come from their
        # X-Forwarded-For / -Proto headers (rate limits and the audit trail see the real one).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


# Each module has a blueprint ``bp`` and may have ``init_app(app)`` (CLI commands, hooks).
VIEW_MODULES = (
    "casework.core.views",
    "casework.accounts.views",
    "casework.audit.views",
    "casework.cases.views",
    "casework.people.views",
    "casework.evidence.views",
    "casework.legal.views",
    "casework.advocacy.views",
    "casework.imports.views",
    "casework.api.views",
    "casework.api.web",
    "casework.reports.views",
    "casework.jobs.views",
    "casework.search.views",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from casework.accounts.cli import user_cli
    from casework.backups.cli import backup_cli
    from casework.core.cli import seed_command
    from casework.core.keys_cli import keys_cli
    from casework.demo import demo_cli
    from casework.evidence.cli import documents_cli

    for name in VIEW_MODULES:
        module = import_module(name)
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.cli.add_command(user_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(keys_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(documents_cli)


# Endpoints whose URL path holds a credential: request logs show it redacted.
SECRET_PATH_ENDPOINTS = ("advocacy.calendar_feed",)


def _init_logging(app: Flask) -> None:
    from casework.core import accesslog, dberrors

    # Database errors are logged by kind and constraint: their messages may quote values.
    dberrors.install()

    # Request logs carry paths only (no query strings); paths carry opaque ids, never names.
    logging.getLogger("werkzeug").setLevel(logging.WARNING if app.testing else logging.INFO)
    accesslog.install(
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in SECRET_PATH_ENDPOINTS
    )
