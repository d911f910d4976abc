"""The wheel carries every sub-package, the templates, the static files and the migrations."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed():
    on_disk = {
        "casework." + ".".join(p.parent.relative_to(ROOT / "casework").parts)
        for p in (ROOT / "casework").rglob("__init__.py")
        if p.parent != ROOT / "casework"
    } | {"casework"}
    assert on_disk <= set(_setuptools()["packages"])


def test_resource_folders_are_mapped_into_the_package():
    config = _setuptools()
    for name in ("templates", "static", "migrations"):
        assert config["package-dir"][f"casework.{name}"] == name
        assert config["package-data"][f"casework.{name}"] == ["**/*"]
        assert (ROOT / name).is_dir()
    assert "data/*" in config["package-data"]["casework"]
