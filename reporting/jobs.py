"""The monthly and daily control jobs. Thin: each calls its service, which is idempotent.

Each task's name is pinned (``name=``) to the one it had in reporting/tasks.py: names are
the contract with the broker, so a message queued before a module rename still runs.
"""

import logging
from dataclasses import asdict
from datetime import date

from celery import shared_task
from django.db import OperationalError

from reporting.commissions.services import compute_commission_statements
from reporting.kpis.services import send_deviation_alerts
from reporting.packs.services import send_report_packs
from reporting.reviews.services import (
    build_monthly_review_piece,
    monthly_review_pieces,
    review_month,
)
from salesmgmt.calendar import parse_job_time

logger = logging.getLogger(__name__)

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True}


@shared_task(name="reporting.tasks.send_deviation_alerts_task", **RETRY)
def send_deviation_alerts_task(now: str | None = None) -> int:

    return send_deviation_alerts(now=parse_job_time(now) if now else None)


@shared_task(name="reporting.tasks.generate_monthly_reviews_task", **RETRY)
def generate_monthly_reviews_task(now: str | None = None) -> int:
    """Queue the month's missing reviews in pieces (a team each); returns how many reps
    were queued. A piece killed with its worker is redelivered alone and redoes only
    what it had not built; a run beside this one skips what this one holds."""

    month = review_month(now=parse_job_time(now) if now else None)
    pieces, existing = monthly_review_pieces(month=month)
    for rep_ids in pieces:
        build_monthly_review_piece_task.delay(rep_ids, month.isoformat(), now=now)
    queued = sum(map(len, pieces))
    if queued:
        logger.info(
            "Monthly reviews for %s: %d rep(s) queued in %d piece(s); %d already there.",
            f"{month:%B %Y}",
            queued,
            len(pieces),
            existing,
        )
    return queued


@shared_task(name="reporting.tasks.build_monthly_review_piece_task", **RETRY)
def build_monthly_review_piece_task(
    rep_ids: list[int], month: str, regenerate: bool = False, now: str | None = None
) -> dict:

    run = build_monthly_review_piece(
        rep_ids=rep_ids,
        month=date.fromisoformat(month),
        regenerate=regenerate,
        now=parse_job_time(now) if now else None,
    )
    # What this piece really did: a piece overlapping another run's says so here.
    logger.info(
        "Monthly reviews for %s: %d built, %d already there, %d left to another run.",
        f"{date.fromisoformat(month):%B %Y}",
        run.built,
        run.existing,
        run.held,
    )
    return asdict(run)


@shared_task(name="reporting.tasks.compute_commission_statements_task", **RETRY)
def compute_commission_statements_task(now: str | None = None) -> int:

    return compute_commission_statements(now=parse_job_time(now) if now else None)


@shared_task(name="reporting.tasks.send_report_packs_task", **RETRY)
def send_report_packs_task(now: str | None = None) -> int:

    return send_report_packs(now=parse_job_time(now) if now else None)
