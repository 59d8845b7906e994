"""Where an installation keeps its files: the instance folder, the bundled folders, Alembic's settings, the lock."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from lms import bundled, migrate
from lms.config import load_settings

REPO = Path(__file__).resolve().parents[2]


def test_instance_folder_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({}, require_secret=False)
    assert settings.instance_path == str(tmp_path / "instance")
    assert settings.database_url == "sqlite:///" + str(tmp_path / "instance" / "lms.sqlite3")
    assert settings.outbox_dir == str(tmp_path / "instance" / "outbox")


def test_instance_folder_from_the_environment_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"LMS_INSTANCE_PATH": "daten/lms"}, require_secret=False)
    assert settings.instance_path == str(tmp_path / "daten" / "lms")
    assert settings.database_url == "sqlite:///" + str(tmp_path / "daten" / "lms" / "lms.sqlite3")
    # Explicit settings still win over what the instance folder implies.
    explicit = load_settings(
        {"LMS_INSTANCE_PATH": "/srv/lms", "LMS_DATABASE_URL": "sqlite:////var/lib/lms.sqlite3"},
        require_secret=False,
    )
    assert (explicit.instance_path, explicit.database_url) == ("/srv/lms", "sqlite:////var/lib/lms.sqlite3")
    assert explicit.outbox_dir == "/srv/lms/outbox"


def test_a_checkout_uses_its_top_level_folders() -> None:
    for name in ("static", "migrations", "modules", "quizzes", "surveys"):
        assert bundled.folder(name) == REPO / name
    assert (bundled.folder("static") / "css" / "app.css").is_file()


def test_alembic_ini_and_the_platforms_alembic_settings_agree() -> None:
    """`alembic` in a checkout reads alembic.ini; the platform (and a wheel) use lms.migrate: the same settings."""
    ini = configparser.ConfigParser()
    ini.read(REPO / "alembic.ini", encoding="utf-8")
    ini.set("alembic", "here", str(REPO))
    from_ini = dict(ini.items("alembic"))
    config = migrate.alembic_config()
    assert Path(from_ini["script_location"]) == Path(config.get_main_option("script_location") or "")
    for key in migrate.ALEMBIC_OPTIONS:
        assert from_ini[key] == config.get_main_option(key), key


def _locked(path: Path) -> dict[str, str]:
    pins = re.findall(
        r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", path.read_text(encoding="utf-8"), flags=re.MULTILINE
    )
    return {canonicalize_name(name): version for name, version in pins}


@pytest.mark.parametrize(
    ("lock", "groups"), [("lock.txt", ["dependencies"]), ("test-lock.txt", ["dependencies", "test"])]
)
def test_lock_files_satisfy_pyproject(lock: str, groups: list[str]) -> None:
    """A lower bound raised in pyproject.toml without running scripts/lock fails here, not on a fresh machine."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = _locked(REPO / "requirements" / lock)
    for group in groups:
        declared = project[group] if group == "dependencies" else project["optional-dependencies"][group]
        for line in declared:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in locked, f"{name} fehlt in requirements/{lock}: scripts/lock ausführen"
            assert requirement.specifier.contains(locked[name], prereleases=True), (
                f"requirements/{lock} sperrt {name}=={locked[name]}, pyproject.toml verlangt {requirement.specifier}:"
                " scripts/lock ausführen"
            )
    # The test tools run on exactly the versions the platform is locked to.
    runtime = _locked(REPO / "requirements" / "lock.txt")
    assert {name: locked[name] for name in runtime} == runtime
