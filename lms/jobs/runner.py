"""One attempt of a job: claim it, run its handler, record how it ended, schedule the next attempt.

Each step is a unit of work of its own (claim, the handler's checkpoints, the outcome), so the table shows a job
as running while it runs and its progress as it goes, on every web node. Handlers are registered by kind in
``lms.jobs.tasks``; they commit their own work at checkpoints and resume from ``ctx.done`` after a failure.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lms.config import Settings
from lms.jobs import services
from lms.jobs.models import Job

log = logging.getLogger(__name__)


class Scheduler(Protocol):
    """Where a job goes to run (now, or at a given moment)."""

    def dispatch(self, job_id: int, at: datetime | None = None) -> None: ...


@dataclass
class Environment:
    """What a job runs with: the settings, fresh database sessions, and the queue for the next attempt."""

    settings: Settings
    session_factory: Callable[[], Session]
    queue: Scheduler


class PermanentFailure(Exception):
    """Trying again cannot help (the job's subject is gone, its parameters are unusable): fail at once."""


@dataclass
class JobContext:
    """What a handler gets: its parameters, where it stopped last time, and a way to record progress."""

    job_id: int
    params: dict[str, Any]
    env: Environment
    #: Items finished before this attempt (the resume point), then counted up by the handler.
    done: int = 0
    total: int | None = None
    #: Counts for the initiator (e.g. refused addresses); kept across attempts.
    outcome: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.env.settings

    def session(self) -> Session:
        """A new session for the handler's own units of work (it commits them)."""
        return self.env.session_factory()

    def checkpoint(self, session: Session) -> None:
        """Write progress and outcome into ``session``: they commit together with the work they count."""
        services.set_progress(session, self.job_id, self.done, self.total)
        job = session.get(Job, self.job_id)
        if job is not None:
            job.outcome = dict(self.outcome)

    def report(self) -> None:
        """Record progress in a unit of work of its own (for a handler whose work session is read-only)."""
        with self.session() as session:
            self.checkpoint(session)
            session.commit()

    def set_result(self, session: Session, path: str, name: str, expires_at: datetime) -> None:
        """The file the job produced (relative to the job files folder) and until when it may be downloaded."""
        job = session.get(Job, self.job_id)
        if job is not None:
            job.result_path, job.result_name, job.expires_at = path, name, expires_at


Handler = Callable[[JobContext], None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the jobs of this kind."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def handler_for(kind: str) -> Handler | None:
    """The registered handler (the handlers live above the features, in lms.jobs.tasks)."""
    if not HANDLERS:
        importlib.import_module("lms.jobs.tasks")
    return HANDLERS.get(kind)


def run(job_id: int, env: Environment) -> str | None:
    """One attempt of the job; returns its state afterwards, or None if it was not queued (nothing done)."""
    with env.session_factory() as session:
        job = services.claim(session, job_id)
        if job is None:
            session.rollback()
            log.info("job %s is not queued; nothing to do", job_id)
            return None
        context = JobContext(
            job_id=job.id,
            params=dict(job.params or {}),
            env=env,
            done=job.progress_done,
            total=job.progress_total,
            outcome=dict(job.outcome or {}),
        )
        kind, attempt = job.kind, job.attempts
        session.commit()
    log.info("job %s (%s): attempt %s", job_id, kind, attempt)
    function = handler_for(kind)
    try:
        if function is None:
            raise PermanentFailure(f"unbekannte Art von Aufgabe: {kind}")
        function(context)
    except Exception as error:
        return _failed(job_id, env, context, error)
    with env.session_factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.outcome = dict(context.outcome)
        services.record_success(session, job)
        session.commit()
    log.info("job %s (%s): done", job_id, kind)
    return "done"


def _failed(job_id: int, env: Environment, context: JobContext, error: Exception) -> str:
    with env.session_factory() as session:
        job = session.get(Job, job_id, populate_existing=True)
        assert job is not None
        job.outcome = {**(job.outcome or {}), **context.outcome}
        next_at = services.record_failure(
            session,
            job,
            error,
            backoff_seconds=env.settings.job_backoff_seconds,
            retry=not isinstance(error, PermanentFailure),
        )
        state, attempts = job.state, job.attempts
        session.commit()
    if next_at is None:
        log.error("job %s failed for good after %s attempt(s)", job_id, attempts, exc_info=error)
    else:
        log.warning("job %s failed (attempt %s), next attempt at %s: %s", job_id, attempts, next_at, error)
        env.queue.dispatch(job_id, at=next_at)
    return state
