"""The server's scheduled work: ``registry.tick()`` every few minutes, in a background thread
(APScheduler's ``BackgroundScheduler``), from the application's start to its end.

The tick suspends under A9, removes Parameters on their P4 date, reminds before and at deadlines,
sends the outbox and purges what is kept no longer than promised (:mod:`mesaides.registry.tick`,
and the web's part, :mod:`mesaides.web.retention`). Every worker process runs a scheduler; the
tick's lease makes one of them act at a time, so several workers or servers are safe.

``MESAIDES_TICK_MINUTES`` sets the interval (default 5, decimals allowed; 0 turns the scheduler
off, for an instance where cron runs ``mesaides registry tick`` instead).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Callable, Mapping

from apscheduler.schedulers.background import BackgroundScheduler

from mesaides.core import RuleSet
from mesaides.registry import Registry

log = logging.getLogger(__name__)

TICK_MINUTES_ENV = "MESAIDES_TICK_MINUTES"
DEFAULT_TICK_MINUTES = 5.0
JOB = "registry-tick"


def tick_minutes(env: Mapping[str, str] | None = None) -> float:
    """The interval between two ticks, in minutes (0: no scheduler)."""
    env = os.environ if env is None else env
    raw = env.get(TICK_MINUTES_ENV, "").strip()
    if not raw:
        return DEFAULT_TICK_MINUTES
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not (math.isfinite(minutes) and minutes >= 0):
        raise ValueError(f"{TICK_MINUTES_ENV}={raw!r}: expected a number of minutes, 0 or more (0: no scheduler)")
    return minutes


def start(
    registry: Registry, *, rules: Callable[[], RuleSet] | None = None, minutes: float | None = None
) -> BackgroundScheduler | None:
    """Start ticking ``registry``: at once (as a restart should catch up), then every
    ``minutes``. ``rules`` gives the rule set the server already loaded (what a P4 removal checks
    against). None when the interval is 0."""
    minutes = tick_minutes() if minutes is None else minutes
    if minutes == 0:
        log.info("scheduler off (%s=0): run `mesaides registry tick` from cron", TICK_MINUTES_ENV)
        return None
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        # one tick at a time per process; ticks missed while one ran long are run once, not piled up
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        executors={"default": {"type": "threadpool", "max_workers": 1}},
    )
    scheduler.add_job(
        _tick,
        "interval",
        args=[registry, rules],
        id=JOB,
        seconds=minutes * 60,
        next_run_time=dt.datetime.now(dt.UTC),
    )
    scheduler.start()
    return scheduler


def shutdown(scheduler: BackgroundScheduler | None) -> None:
    """Stop the scheduler, letting a running tick finish (its emails marked sent)."""
    if scheduler is not None:
        scheduler.shutdown(wait=True)


def _tick(registry: Registry, rules: Callable[[], RuleSet] | None) -> None:
    try:
        report = registry.tick(rules=rules)
    except Exception:  # the scheduler keeps its schedule; the next tick tries again
        log.exception("the scheduled tick failed")
        return
    acted = report.suspended or report.parameters_removed or report.reminders or report.emails_sent
    if acted or any(report.purged.values()):
        for line in report.lines():
            log.info("tick: %s", line)
    for step, error in report.errors.items():
        log.error("tick: step %s failed: %s", step, error)
