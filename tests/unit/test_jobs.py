"""The pure parts of background jobs: the backoff, what an error may say, the settings."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest

from lms.config import ConfigError, load_settings
from lms.jobs.services import backoff, describe_error


def test_the_wait_doubles_after_each_failed_attempt_up_to_an_hour() -> None:
    assert [backoff(n, 60) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert backoff(20, 60) == timedelta(hours=1)


def test_an_error_keeps_its_kind_and_text_but_no_mail_address() -> None:
    error = smtplib.SMTPRecipientsRefused(
        {"a.yilmaz@kreis.example": (550, b"5.1.1 <a.yilmaz@kreis.example> unknown")}
    )
    text = describe_error(error)
    assert text.startswith("SMTPRecipientsRefused: ") and "550" in text
    assert "@" not in text and "<E-Mail-Adresse>" in text
    assert len(describe_error(RuntimeError("x" * 2000))) == 500


@pytest.mark.parametrize(
    ("name", "value"),
    [("LMS_JOB_MAX_ATTEMPTS", "0"), ("LMS_JOB_BACKOFF_SECONDS", "0"), ("LMS_REDIS_URL", "127.0.0.1:6379")],
)
def test_unusable_job_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        load_settings({name: value}, require_secret=False)
