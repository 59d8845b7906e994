"""The job queue on the real broker: RQ on the Redis at 127.0.0.1:6379 (LMS_TEST_REDIS_URL), a queue of each
test's own. The web request only records the job; RQ's worker (in this process: SimpleWorker, burst) runs it, its
scheduler starts a retry when the backoff is over, and the maintenance hands over what the queue lost."""

from __future__ import annotations

import signal
from datetime import timedelta

from flask import Flask
from redis import Redis
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.jobs import services
from lms.jobs.models import Job
from lms.jobs.queue import RedisQueue
from lms.jobs.worker import configure, maintain, work_redis
from tests import factories as f
from tests.mailserver import free_port
from tests.web.test_jobs import LIST
from tests.web.test_staff_import import apply, upload


def work(app: Flask) -> None:
    """What `lms worker --burst` does, in this process (no fork: the jobs see the test's transaction)."""
    settings = app.extensions["lms.settings"]
    environment = configure(settings, lambda: app.extensions["lms.session_factory"]())
    assert isinstance(environment.queue, RedisQueue)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        work_redis(environment, environment.queue, burst=True, simple=True)
    finally:  # RQ's worker installs its own; pytest's must come back
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])


def _job(db: Session) -> Job:
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None
    db.refresh(job)
    return job


def test_invitations_wait_in_redis_for_the_worker_and_a_retry_for_its_time(  # type: ignore[no-untyped-def]
    redis_app: Flask, db: Session, inbox, queue_name: str, redis_url: str, time_machine
) -> None:
    box, _port = inbox
    box.accept_first, box.busy = 1, 1  # the server takes one mail, then is busy once
    client = redis_app.test_client()
    town = f.municipality(db, "Landkreis Musterstadt")
    me = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    f.login(client, me.email)
    preview_url = upload(client, town, LIST, send_invitations="y").headers["Location"]
    assert apply(client, preview_url).status_code == 303
    # The request only recorded the job and handed its id to Redis.
    job = _job(db)
    assert (job.state, job.attempts, job.progress_total) == ("queued", 0, 3)
    redis = Redis.from_url(redis_url)
    assert Queue(queue_name, connection=redis).count == 1
    page = client.get(preview_url).text
    assert "Einladungen werden versendet" in page and "0 von 3 Einladungen bearbeitet." in page
    assert box.received == []

    work(redis_app)  # attempt 1: one mail, then the server is busy
    job = _job(db)
    assert (job.state, job.attempts, job.progress_done) == ("queued", 1, 1)
    assert job.outcome["sent"] == 1 and "451" in (job.last_error or "")
    assert len(box.received) == 1
    scheduled = ScheduledJobRegistry(queue_name, connection=redis)
    assert scheduled.count == 1  # RQ's scheduler holds the retry until its time

    work(redis_app)  # not due yet: nothing happens
    assert _job(db).attempts == 1

    time_machine.move_to(f.utc_now() + timedelta(seconds=61))
    work(redis_app)  # the scheduler releases the retry; it continues with the second person
    job = _job(db)
    assert (job.state, job.attempts, job.progress_done) == ("done", 2, 3)
    assert job.outcome == {"sent": 3, "refused": 0, "skipped": 0}
    assert sorted(box.received) == sorted(
        ["a.yilmaz@kreis.example", "j.schmidt@kreis.example", "m.nguyen@kreis.example"]
    )  # everybody once
    assert "Einladungen versendet" in client.get(preview_url).text
    redis.close()


def test_a_job_handed_over_twice_runs_once(redis_app: Flask, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    job = services.create_job(
        db,
        "invitations",
        actor_id=None,
        params={"user_ids": [], "municipality_id": town.id},
        municipality_id=town.id,
    )
    db.commit()
    queue = redis_app.extensions["lms.jobs.queue"]
    queue.dispatch(job.id)
    queue.dispatch(job.id)
    work(redis_app)
    db.refresh(job)
    assert (job.state, job.attempts) == ("done", 1)


def test_maintenance_hands_over_again_what_the_queue_lost(  # type: ignore[no-untyped-def]
    redis_app: Flask, make_app, db: Session, queue_name: str, redis_url: str, caplog
) -> None:
    # Redis is unreachable when the request commits: the request succeeds, the job stays queued in the table.
    unreachable = make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0", queue_name=queue_name)
    client = unreachable.test_client()
    town = f.municipality(db, "Landkreis Musterstadt")
    me = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    f.login(client, me.email)
    preview_url = upload(client, town, LIST, send_invitations="y").headers["Location"]
    assert apply(client, preview_url).status_code == 303
    assert "stays queued in the database: the queue did not take it (ConnectionError" in caplog.text
    assert "Traceback" not in caplog.text  # one line: nothing is lost
    job = _job(db)
    assert job.state == "queued" and Queue(queue_name, connection=Redis.from_url(redis_url)).count == 0

    settings = redis_app.extensions["lms.settings"]
    environment = configure(settings, lambda: redis_app.extensions["lms.session_factory"]())
    maintain(environment)  # not overdue yet: left alone
    assert Queue(queue_name, connection=Redis.from_url(redis_url)).count == 0
    job.created_at = f.utc_now() - timedelta(minutes=6)
    db.commit()
    maintain(environment)
    assert Queue(queue_name, connection=Redis.from_url(redis_url)).count == 1
    maintain(environment)  # overdue, but waiting in Redis now: not handed over a second time
    assert Queue(queue_name, connection=Redis.from_url(redis_url)).count == 1
    work(redis_app)
    assert _job(db).state == "done"
