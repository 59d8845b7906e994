"""Where a committed job goes: to Redis (RQ) for ``lms worker``, or straight into this process.

``enqueue_after_commit`` hands a job over only once the unit of work that recorded it has committed, so a worker
never looks for a row that is not there yet, and a rolled-back request starts nothing. The queue carries only
the job's id; the ``jobs`` table decides whether it still needs doing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from lms.config import Settings
from lms.db import run_after_commit
from lms.jobs import runner
from lms.jobs.models import Job

log = logging.getLogger(__name__)

#: The function RQ calls in the worker (by name: the web process need not import the worker).
PERFORM = "lms.jobs.worker.perform"
#: Seconds one attempt may take before RQ stops it (a certificate archive of a large city takes minutes).
JOB_TIMEOUT = 2 * 60 * 60


class InProcessQueue:
    """No broker: a job runs right away in this process (after the commit); retries wait for ``lms worker`` or the
    programme office's „Erneut versuchen“."""

    def __init__(self, settings: Settings, session_factory: Callable[[], Session]) -> None:
        self.environment = runner.Environment(settings, session_factory, self)

    def dispatch(self, job_id: int, at: datetime | None = None) -> None:
        if at is None:
            runner.run(job_id, self.environment)
        # A later attempt: the job stays queued with its time in the table, where `lms worker` finds it.


class RedisQueue:
    """RQ on Redis: ``lms worker`` takes the jobs; a retry is scheduled with ``enqueue_at`` (its scheduler)."""

    def __init__(self, settings: Settings) -> None:
        from redis import Redis
        from rq import Queue

        self.settings = settings
        self.connection = Redis.from_url(settings.redis_url)
        self.queue = Queue(settings.queue_name, connection=self.connection)

    def pending_job_ids(self) -> set[int]:
        """Our jobs that Redis holds: waiting, scheduled for a retry, or being worked on."""
        from rq.registry import ScheduledJobRegistry, StartedJobRegistry

        name = self.settings.queue_name
        found = self.queue.get_job_ids()
        found += ScheduledJobRegistry(name, connection=self.connection).get_job_ids()
        found += StartedJobRegistry(name, connection=self.connection).get_job_ids()
        ids = set()
        for rq_id in found:  # "<queue>-<job id>-<random>", as dispatch names them
            middle = rq_id.removeprefix(f"{name}-").rsplit("-", 1)[0]
            if middle.isdigit():
                ids.add(int(middle))
        return ids

    def dispatch(self, job_id: int, at: datetime | None = None) -> None:
        options = {
            # Unique per hand-over, so a second hand-over of the same job is a second message, not a no-op.
            "job_id": f"{self.settings.queue_name}-{job_id}-{secrets.token_hex(4)}",
            "job_timeout": JOB_TIMEOUT,
            "result_ttl": 24 * 60 * 60,
            "failure_ttl": 7 * 24 * 60 * 60,
            "description": f"lms job {job_id}",
        }
        if at is None:
            self.queue.enqueue(PERFORM, job_id, **options)
        else:
            self.queue.enqueue_at(at, PERFORM, job_id, **options)


Queue = InProcessQueue | RedisQueue


def make_queue(settings: Settings, session_factory: Callable[[], Session]) -> Queue:
    """The queue the settings ask for: Redis with LMS_REDIS_URL, else this process."""
    if settings.redis_url:
        return RedisQueue(settings)
    return InProcessQueue(settings, session_factory)


def queue_for(settings: Settings, session: Session) -> Queue:
    """The queue for a command's unit of work: in-process jobs open their sessions on the same engine."""
    bind = session.get_bind()

    def new_session() -> Session:
        # On a connection (the tests' transaction) a job's commits become savepoints of it.
        return Session(bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint")

    return make_queue(settings, new_session)


def enqueue_after_commit(session: Session, queue: Queue, job: Job) -> None:
    """Hand the job to the queue once ``session`` commits (nothing happens if it rolls back)."""
    job_id = job.id

    def hand_over() -> None:
        try:
            queue.dispatch(job_id)
        except Exception as error:
            # Redis down: the job stays queued in the table, and the worker's maintenance hands it over again. One
            # line, not a traceback: nothing is lost, and on the command line (`lms staff import`) a traceback reads
            # like a crash of what has just succeeded.
            log.warning(
                "job %s stays queued in the database: the queue did not take it (%s: %s); "
                "the worker's maintenance hands it over again",
                job_id,
                type(error).__name__,
                error,
            )

    run_after_commit(session, hand_over)
