"""The wheel carries every sub-package, the templates, the static files and the migrations."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

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


def test_lock_file_pins_every_production_dependency_with_hashes():
    """requirements.lock (``make lock``) follows pyproject: re-run it after changing dependencies."""

    def canonical(name: str) -> str:
        return name.lower().replace("_", "-").replace(".", "-")

    pinned: dict[str, str] = {}
    blocks = (ROOT / "requirements.lock").read_text().split("\n")
    for i, line in enumerate(blocks):
        if line and not line[0].isspace() and not line.startswith("#"):
            name, _, version = line.split(" ")[0].partition("==")
            assert version, f"{line!r} is not pinned"
            assert "--hash=sha256:" in blocks[i + 1], f"{name} has no hash"
            pinned[canonical(name)] = version
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for spec in dependencies:
        requirement = Requirement(spec)
        name = canonical(requirement.name)
        assert name in pinned, f"{name} is missing from requirements.lock: run make lock"
        assert SpecifierSet(str(requirement.specifier)).contains(pinned[name]), name
