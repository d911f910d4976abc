"""Configuration: production refuses unsafe settings; development keeps a private secret."""

from __future__ import annotations

import stat

import pytest

from config import ConfigError, DevelopmentConfig, ProductionConfig


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("CASEWORK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        ProductionConfig.load()


def test_production_refuses_short_secret_or_debug(monkeypatch):
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "short")
    monkeypatch.setenv("CASEWORK_BLIND_INDEX_KEY", "y" * 40)
    with pytest.raises(ConfigError, match="32"):
        ProductionConfig.load()
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        ProductionConfig.load()
    monkeypatch.delenv("FLASK_DEBUG")
    assert ProductionConfig.load()["SESSION_COOKIE_SECURE"] is True


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


def test_production_refuses_to_start_without_blind_index_key(monkeypatch):
    monkeypatch.setenv("CASEWORK_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("CASEWORK_BLIND_INDEX_KEY", raising=False)
    with pytest.raises(ConfigError, match="BLIND_INDEX_KEY"):
        ProductionConfig.load()
    monkeypatch.setenv("CASEWORK_BLIND_INDEX_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="differ"):
        ProductionConfig.load()
    monkeypatch.setenv("CASEWORK_BLIND_INDEX_KEY", "y" * 40)
    assert ProductionConfig.load()["BLIND_INDEX_KEY"] == "y" * 40


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
