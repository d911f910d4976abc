"""Configuration: production refuses unsafe settings; development keeps a private secret."""

from __future__ import annotations

import stat

import pytest

import config
from casework import create_app
from config import ConfigError, DevelopmentConfig, ProductionConfig

GOOD_PRODUCTION = {
    "ENV_NAME": "production",
    "SECRET_KEY": "kN3v-8wQz_Lr2Tt5Yp0HcXa7Md4Fg6Ue1Sb9Ji",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://casework@127.0.0.1/casework",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "MASTER_KEY": "bmm8l0ZNSXl9htUvPDxYH1hvJ1184_r-vRpUU5afqsE",
    "BLIND_INDEX_KEY": "Qx7-ne2WcR4tYb9uKm1LpZ0aHs6Dv3Gj",
}


def test_production_starts_with_good_settings_and_sends_hsts():
    app = create_app(dict(GOOD_PRODUCTION))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Server" not in response.headers


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short-but-varied-9"}, "at least 32"),
        ({"SECRET_KEY": "ab" * 30}, "distinct"),
        ({"MASTER_KEY": ""}, "MASTER_KEY .*is not set"),
        ({"MASTER_KEY": "ab" * 30}, "MASTER_KEY.*distinct"),
        ({"BLIND_INDEX_KEY": ""}, "BLIND_INDEX_KEY is not set"),
        ({"BLIND_INDEX_KEY": GOOD_PRODUCTION["SECRET_KEY"]}, "differ"),
        ({"DEBUG": True}, "debug"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URL"),
        ({"REDIS_URL": None}, "CASEWORK_REDIS_URL"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/casework.db"}, "ALLOW_SQLITE"),
    ],
)
def test_production_refuses_unsafe_settings(monkeypatch, bad, message):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_MASTER_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_MASTER_KEY_FILE", raising=False)
    monkeypatch.delenv("CASEWORK_BLIND_INDEX_KEY", raising=False)
    with pytest.raises(ConfigError, match=message):
        create_app({**GOOD_PRODUCTION, **bad})


def test_production_refuses_debug_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        create_app(dict(GOOD_PRODUCTION))


def test_production_refuses_missing_secret_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        ProductionConfig.load()
    assert not (tmp_path / "secret_key").exists()  # production never generates one


def test_sqlite_in_production_only_when_explicitly_allowed(monkeypatch):
    settings = {**GOOD_PRODUCTION, "SQLALCHEMY_DATABASE_URI": "sqlite:////srv/casework.db"}
    monkeypatch.setenv("CASEWORK_ALLOW_SQLITE", "1")
    assert create_app(settings).config["ALLOW_SQLITE"] is True


def test_every_problem_is_named_at_once(monkeypatch):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        create_app({"ENV_NAME": "production", "DEBUG": True})
    text = str(caught.value)
    for part in ("SECRET_KEY", "debug", "RATELIMIT_STORAGE_URL", "ALLOW_SQLITE"):
        assert part in text


def test_a_check_can_be_added(monkeypatch):
    monkeypatch.setattr(
        config, "PRODUCTION_CHECKS", [*config.PRODUCTION_CHECKS, lambda s: ["no master key"]]
    )
    with pytest.raises(ConfigError, match="no master key"):
        create_app(dict(GOOD_PRODUCTION))


def test_headers_outside_production_have_no_hsts(client):
    response = client.get("/healthz")
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_development_generates_secret_once_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    first = DevelopmentConfig.load()["SECRET_KEY"]
    second = DevelopmentConfig.load()["SECRET_KEY"]
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("CASEWORK_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("CASEWORK_UPLOAD_DIR", str(tmp_path / "files"))
    settings = DevelopmentConfig.load()
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///elsewhere.db"
    assert settings["UPLOAD_DIR"] == str(tmp_path / "files")


def test_bad_number_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("CASEWORK_MAX_UPLOAD_MB", "lots")
    with pytest.raises(RuntimeError, match="CASEWORK_MAX_UPLOAD_MB"):
        DevelopmentConfig.load()


def test_development_generates_blind_index_key_once_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEWORK_BLIND_INDEX_KEY", raising=False)
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    monkeypatch.setenv("CASEWORK_INSTANCE_DIR", str(tmp_path))
    first = DevelopmentConfig.load()
    second = DevelopmentConfig.load()
    assert first["BLIND_INDEX_KEY"] == second["BLIND_INDEX_KEY"]
    assert first["BLIND_INDEX_KEY"] != first["SECRET_KEY"]
    mode = stat.S_IMODE((tmp_path / "blind_index_key").stat().st_mode)
    assert mode == 0o600
