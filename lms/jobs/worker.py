"""`lms worker`: runs the jobs — from Redis with RQ when LMS_REDIS_URL is set, else from the database.

With Redis, RQ's worker forks a process per job (a crash or a timeout takes only that job) and runs RQ's
scheduler, which starts a retry when its time has come. Without Redis, the worker polls the ``jobs`` table for
due jobs (the demo and small installations on one machine). Either way its maintenance deletes expired archives
and hands jobs that the queue lost (Redis restarted or down at the moment of the hand-over) to it again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from lms.config import Settings, load_settings
from lms.db import make_engine
from lms.jobs import runner, services
from lms.jobs.queue import InProcessQueue, Queue, RedisQueue, make_queue
from lms.jobs.tasks import purge_expired_files

log = logging.getLogger(__name__)

#: A queued job this much past its time is taken to be lost by the queue and handed over again.
STRANDED_AFTER = timedelta(minutes=5)
#: Seconds between the maintenance rounds (RQ's own interval, and the database poller's).
MAINTENANCE_SECONDS = 300

_environment: runner.Environment | None = None


def configure(settings: Settings, session_factory: Callable[[], Session]) -> runner.Environment:
    """Set what ``perform`` runs jobs with in this process (the worker, or a test); returns it."""
    global _environment
    queue = make_queue(settings, session_factory)
    _environment = runner.Environment(settings, session_factory, queue)
    return _environment


def perform(job_id: int) -> str | None:
    """What RQ calls: one attempt of the job."""
    environment = _environment
    if environment is None:  # started by a plain `rq worker`: from the environment's settings
        settings = load_settings(require_secret=False)
        engine = make_engine(settings.database_url, pool_pre_ping=True)
        environment = configure(settings, sessionmaker(bind=engine, expire_on_commit=False))
    return runner.run(job_id, environment)


def maintain(environment: runner.Environment) -> None:
    """Delete expired archives; hand stranded jobs to the queue again (Redis only: in-process there is no loss)."""
    try:
        purge_expired_files(environment.session_factory, Path(environment.settings.job_files_dir))
        if isinstance(environment.queue, RedisQueue):
            with environment.session_factory() as session:
                overdue = services.stranded_job_ids(session, STRANDED_AFTER)
            # Overdue but still in Redis: only waiting behind others. Lost: not in Redis at all.
            pending = environment.queue.pending_job_ids() if overdue else set()
            for job_id in (j for j in overdue if j not in pending):
                log.warning("job %s was lost by the queue; handing it over again", job_id)
                environment.queue.dispatch(job_id)
    except Exception:
        log.exception("job maintenance failed")


def run_worker(settings: Settings, *, burst: bool = False, poll_seconds: float = 2.0) -> None:
    """Work until stopped (or, with ``burst``, until nothing is due)."""
    engine = make_engine(settings.database_url, pool_pre_ping=True)
    # RQ forks a process per job: the child must not use the parent's pooled connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    environment = configure(settings, sessionmaker(bind=engine, expire_on_commit=False))
    try:
        if isinstance(environment.queue, RedisQueue):
            work_redis(environment, environment.queue, burst=burst)
        else:
            stop = threading.Event()
            # Finish the job at hand on `systemctl stop` (SIGTERM) instead of dying in the middle of it.
            signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
            poll_database(environment, burst=burst, poll_seconds=poll_seconds, stop=stop)
    finally:
        engine.dispose()


def work_redis(
    environment: runner.Environment, queue: RedisQueue, *, burst: bool, simple: bool = False
) -> bool:
    """RQ's worker on our queue, with the scheduler (retries) and our maintenance; ``simple``: no fork (tests)."""
    from rq import SimpleWorker, Worker

    base: type[Worker] | type[SimpleWorker] = SimpleWorker if simple else Worker

    class LmsWorker(base):  # type: ignore[valid-type,misc]
        def run_maintenance_tasks(self) -> None:
            super().run_maintenance_tasks()
            maintain(environment)

    worker = LmsWorker([queue.queue], connection=queue.connection, maintenance_interval=MAINTENANCE_SECONDS)
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))


def poll_database(
    environment: runner.Environment,
    *,
    burst: bool,
    poll_seconds: float = 2.0,
    stop: threading.Event | None = None,
) -> int:
    """Run due jobs from the table until stopped (``burst``: until none is due); returns how many attempts ran."""
    stop = stop or threading.Event()
    ran = 0
    rounds = 0
    while not stop.is_set():
        if rounds % max(1, int(MAINTENANCE_SECONDS / poll_seconds)) == 0:
            maintain(environment)
        rounds += 1
        with environment.session_factory() as session:
            due = services.due_job_ids(session)
        for job_id in due:
            if runner.run(job_id, environment) is not None:
                ran += 1
        if not due:
            if burst:
                break
            stop.wait(poll_seconds)
    return ran


__all__ = ["InProcessQueue", "Queue", "configure", "maintain", "perform", "poll_database", "run_worker"]
