"""LMS_SECRET_KEY signs sessions, invitations and download links: „abc“ with an https address was accepted (an
operator's QA check, ASVS 6.4). A key from the environment or its file needs 32 characters at least."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.config import ConfigError, load_settings


def test_a_short_key_from_the_environment_is_refused_with_the_way_to_a_good_one() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"LMS_SECRET_KEY": "abc", "LMS_BASE_URL": "https://lernen.example.de"})
    message = str(refused.value)
    assert "LMS_SECRET_KEY ist zu kurz (3 Zeichen, mindestens 32)" in message and "token_hex(32)" in message


def test_a_short_key_in_its_file_is_refused_too(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("kurz\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="zu kurz"):
        load_settings({"LMS_SECRET_KEY_FILE": str(key)})


def test_a_key_as_the_demo_makes_it_is_accepted() -> None:
    import secrets

    key = secrets.token_hex(32)
    assert load_settings({"LMS_SECRET_KEY": key}).secret_key == key
