"""`lms worker`: the process that runs background jobs (invitation mails, certificate archives)."""

from __future__ import annotations

import logging

import click


@click.command("worker")
@click.option("--burst", is_flag=True, help="nur erledigen, was fällig ist, dann beenden")
def worker_command(burst: bool) -> None:
    """Hintergrundaufgaben ausführen: aus Redis (LMS_REDIS_URL) oder, ohne Redis, aus der Datenbank."""
    from lms.commands import settings
    from lms.jobs.worker import run_worker

    config = settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = f"Redis-Warteschlange „{config.queue_name}“" if config.redis_url else "Datenbank (ohne Redis)"
    click.echo(f"Worker für Hintergrundaufgaben: {where}.")
    if not config.redis_url:
        run_worker(config, burst=burst)
        return
    from redis.exceptions import ConnectionError as RedisUnreachable
    from redis.exceptions import TimeoutError as RedisTimeout

    try:
        run_worker(config, burst=burst)
    except (RedisUnreachable, RedisTimeout) as error:
        # A message and a non-zero exit for the service manager, which starts the worker again.
        raise click.ClickException(
            f"Redis ist nicht erreichbar ({_without_password(config.redis_url)}: {error}). Prüfen Sie LMS_REDIS_URL "
            "und ob Redis läuft; ohne LMS_REDIS_URL arbeitet der Worker aus der Datenbank."
        ) from None


def _without_password(url: str) -> str:
    """The Redis URL as it may stand in a message: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "LMS_REDIS_URL"
