"""Casework: case management for documenting refoulement."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

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
    app.config.update(config_cls.load())
    app.config.update(overrides)

    _init_extensions(app)
    _register_blueprints(app)

    from casework.core.pipeline import init_pipeline

    init_pipeline(app)
    _init_logging(app)
    return app


def _init_extensions(app: Flask) -> None:
    from casework import models  # noqa: F401  (every table registered before Alembic looks)
    from casework.accounts.services import load_user_from_session
    from casework.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user_from_session)


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
    "casework.reports.views",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from casework.accounts.cli import user_cli
    from casework.core.cli import seed_command

    for name in VIEW_MODULES:
        module = import_module(name)
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.cli.add_command(user_cli)
    app.cli.add_command(seed_command)


def _init_logging(app: Flask) -> None:
    # Request logs carry paths only; paths carry opaque ids, never names.
    logging.getLogger("werkzeug").setLevel(logging.WARNING if app.testing else logging.INFO)
