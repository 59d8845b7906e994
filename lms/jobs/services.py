"""Recording jobs and what becomes of them: create, claim, progress, success, failure, retry (never commit)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.errors import ServiceError
from lms.jobs.models import Job, JobState

#: A job running longer than this without finishing is taken to be lost with its worker (may be started again).
STALE_AFTER = timedelta(hours=2)
#: The longest wait between two attempts, whatever the doubling says.
MAX_BACKOFF = timedelta(hours=1)
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)*", re.UNICODE)


class JobRefused(ServiceError):
    """The job cannot be started again (it is not failed or stuck)."""


def create_job(
    session: Session,
    kind: str,
    *,
    actor_id: int | None,
    params: dict[str, Any] | None = None,
    municipality_id: int | None = None,
    subject: tuple[str, int] | None = None,
    total: int | None = None,
    max_attempts: int = 5,
) -> Job:
    """Record a job to run after this unit of work commits (hand it to ``lms.jobs.queue.enqueue_after_commit``)."""
    job = Job(
        kind=kind,
        state=JobState.QUEUED.value,
        params=params or {},
        municipality_id=municipality_id,
        created_by_id=actor_id,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        progress_total=total,
        max_attempts=max_attempts,
        outcome={},
    )
    session.add(job)
    session.flush()
    return job


def claim(session: Session, job_id: int, now: datetime | None = None) -> Job | None:
    """Mark a queued job as running and count the attempt; None if it is not queued (done, running elsewhere).

    One conditional UPDATE, so that of two workers handed the same job only one gets it, on any database.
    """
    now = now or clock.now()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED.value)
        .values(state=JobState.RUNNING.value, attempts=Job.attempts + 1, started_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id, populate_existing=True)
    return job


def backoff(attempt: int, base_seconds: int) -> timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, …): base, twice that, four times, … at most an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempt - 1)), MAX_BACKOFF)


def describe_error(error: BaseException) -> str:
    """The error's kind and message for the programme office, with mail addresses replaced, at most 500 characters."""
    text = f"{type(error).__name__}: {error}".strip()
    return _MAIL.sub("<E-Mail-Adresse>", text)[:500]


def record_success(session: Session, job: Job, now: datetime | None = None) -> None:
    """The attempt finished the job."""
    job.state = JobState.DONE.value
    job.finished_at = now or clock.now()
    job.next_attempt_at = None
    if job.progress_total is not None:
        job.progress_done = job.progress_total


def record_failure(
    session: Session,
    job: Job,
    error: BaseException,
    *,
    backoff_seconds: int,
    retry: bool = True,
    now: datetime | None = None,
) -> datetime | None:
    """The attempt failed: queue the next one after the backoff, or give up; returns when the next one is due."""
    now = now or clock.now()
    job.last_error = describe_error(error)
    if retry and job.attempts < job.max_attempts:
        job.state = JobState.QUEUED.value
        job.next_attempt_at = now + backoff(job.attempts, backoff_seconds)
        return job.next_attempt_at
    job.state = JobState.FAILED.value
    job.finished_at = now
    job.next_attempt_at = None
    return None


def set_progress(session: Session, job_id: int, done: int, total: int | None = None) -> None:
    """How far the job got (in the given unit of work, so the progress commits with the work it counts)."""
    values: dict[str, Any] = {"progress_done": done}
    if total is not None:
        values["progress_total"] = total
    session.execute(
        update(Job).where(Job.id == job_id).values(**values).execution_options(synchronize_session=False)
    )


def is_stuck(job: Job, now: datetime | None = None) -> bool:
    """Running for longer than any job should: its worker is probably gone."""
    now = now or clock.now()
    return (
        job.state == JobState.RUNNING.value
        and job.started_at is not None
        and now - job.started_at > STALE_AFTER
    )


def may_retry(job: Job, now: datetime | None = None) -> bool:
    """Failed, or stuck: the programme office may start it again."""
    return job.state == JobState.FAILED.value or is_stuck(job, now)


def retry_job(session: Session, actor_id: int | None, job: Job, *, extra_attempts: int) -> None:
    """Start a failed (or stuck) job again, with as many attempts as a new one; it resumes where it stopped."""
    if not may_retry(job):
        raise JobRefused("job.not_retryable")
    job.state = JobState.QUEUED.value
    job.max_attempts = job.attempts + extra_attempts
    job.next_attempt_at = None
    job.finished_at = None
    session.flush()
    record_event(
        session, actor_id=actor_id, action="job.retry", object_type="job", object_id=job.id, kind=job.kind
    )


def recent_jobs(session: Session, *, only_problems: bool, limit: int = 200) -> list[Job]:
    """The newest jobs for the programme office; with ``only_problems`` those failed, retrying or stuck."""
    query: Select[Job] = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    if only_problems:
        query = query.where(
            or_(
                Job.state == JobState.FAILED.value,
                Job.last_error.is_not(None) & (Job.state != JobState.DONE.value),
                (Job.state == JobState.RUNNING.value) & (Job.started_at < clock.now() - STALE_AFTER),
            )
        )
    return list(session.scalars(query))


def count_problems(session: Session) -> int:
    """Failed jobs (for the programme office's overview)."""
    return (
        session.scalar(select(func.count()).select_from(Job).where(Job.state == JobState.FAILED.value)) or 0
    )


def job_for_subject(session: Session, subject_type: str, subject_id: int) -> Job | None:
    """The newest job belonging to a record (an import's invitations)."""
    return session.scalar(
        select(Job)
        .where(Job.subject_type == subject_type, Job.subject_id == subject_id)
        .order_by(Job.id.desc())
        .limit(1)
    )


def due_job_ids(session: Session, now: datetime | None = None, limit: int = 20) -> list[int]:
    """Queued jobs whose time has come, oldest first (for the worker that polls the database)."""
    now = now or clock.now()
    return list(
        session.scalars(
            select(Job.id)
            .where(
                Job.state == JobState.QUEUED.value,
                or_(Job.next_attempt_at.is_(None), Job.next_attempt_at <= now),
            )
            .order_by(Job.id)
            .limit(limit)
        )
    )


def stranded_job_ids(session: Session, grace: timedelta, now: datetime | None = None) -> list[int]:
    """Queued jobs overdue by more than ``grace``: the queue lost them (Redis restarted, down at enqueue time)."""
    now = now or clock.now()
    due = func.coalesce(Job.next_attempt_at, Job.created_at)
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.state == JobState.QUEUED.value, due < now - grace)
            .order_by(Job.id)
            .limit(500)
        )
    )


def expired_results(session: Session, now: datetime | None = None) -> list[Job]:
    """Jobs whose file has outlived its link."""
    now = now or clock.now()
    return list(session.scalars(select(Job).where(Job.result_path.is_not(None), Job.expires_at <= now)))
