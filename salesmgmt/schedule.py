"""Beat entries of the reminder jobs, to merge into salesmgmt/celery.py.

The jobs run often and decide for themselves, from the company settings and
in the company timezone, whether it is time; so the entries below need no
timezone of their own. Each entry expires by its next run: a backlog left
by a stopped worker is dropped rather than replayed (replaying would send
nothing anyway: every notice is sent once).
"""

from celery.schedules import crontab

HOUR, QUARTER = 3600, 900

BEAT_SCHEDULE = {
    "send-plan-reminders": {
        "task": "plans.tasks.send_plan_reminders_task",
        "schedule": crontab(minute=1),
        "options": {"expires": HOUR},
    },
    "send-review-reminders": {
        "task": "plans.tasks.send_review_reminders_task",
        "schedule": crontab(minute=6),
        "options": {"expires": HOUR},
    },
    # Catch-up of plan events whose notification task was lost (dead worker, broker down).
    "notify-unnotified-plan-events": {
        "task": "plans.tasks.notify_unnotified_plan_events_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 300},
    },
    "send-task-reminders": {
        "task": "activities.tasks.send_task_reminders_task",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": QUARTER},
    },
    "send-overdue-digests": {
        "task": "activities.tasks.send_overdue_digests_task",
        "schedule": crontab(minute=11),
        "options": {"expires": HOUR},
    },
    # Webhooks: task.overdue for tasks whose due time passed (each once; see the service).
    "emit-overdue-task-events": {
        "task": "activities.tasks.emit_overdue_task_events_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 300},
    },
    "send-stale-deal-alerts": {
        "task": "activities.tasks.send_stale_deal_alerts_task",
        "schedule": crontab(minute=16),
        "options": {"expires": HOUR},
    },
    # Control jobs: hourly; each acts once its hour (company time) has come and is
    # idempotent, so a missed hour is caught up by the next run.
    "send-deviation-alerts": {
        "task": "reporting.tasks.send_deviation_alerts_task",
        "schedule": crontab(minute=21),
        "options": {"expires": HOUR},
    },
    "generate-monthly-reviews": {
        "task": "reporting.tasks.generate_monthly_reviews_task",
        "schedule": crontab(minute=26),
        "options": {"expires": HOUR},
    },
    "compute-commission-statements": {
        "task": "reporting.tasks.compute_commission_statements_task",
        "schedule": crontab(minute=31),
        "options": {"expires": HOUR},
    },
    "send-report-packs": {
        "task": "reporting.tasks.send_report_packs_task",
        "schedule": crontab(minute=41),
        "options": {"expires": HOUR},
    },
    # Anonymous feedback: hourly, but the service acts once a company day from 07:00
    # company time (beat runs in UTC), so a "feedback is ready" notice dates no answer
    # (only the day); a missed hour is caught up by the next (idempotent).
    "open-feedback-periods": {
        "task": "coaching.tasks.open_feedback_periods_task",
        "schedule": crontab(minute=46),
        "options": {"expires": HOUR},
    },
    # Coaching: improvement plan checkpoints (due within two days, overdue), told once each.
    "send-checkpoint-reminders": {
        "task": "coaching.tasks.send_checkpoint_reminders_task",
        "schedule": crontab(minute=51),
        "options": {"expires": HOUR},
    },
    # Training (coaching): the onboarding track within minutes of a rep joining; reminders.
    "assign-onboarding": {
        "task": "coaching.tasks.assign_onboarding_task",
        "schedule": crontab(minute="3-59/15"),
        "options": {"expires": QUARTER},
    },
    "send-training-reminders": {
        "task": "coaching.tasks.send_training_reminders_task",
        "schedule": crontab(minute=46),
        "options": {"expires": HOUR},
    },
    # Coaching: recognition suggestions (acts from the alert hour; each win once).
    "suggest-recognition": {
        "task": "coaching.tasks.suggest_recognition_task",
        "schedule": crontab(minute=56),
        "options": {"expires": HOUR},
    },
    # Coaching sessions: reminders before a session (every quarter hour) and of overdue
    # action items (hourly); each person is told of each once.
    "send-session-reminders": {
        "task": "coaching.tasks.send_session_reminders_task",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": QUARTER},
    },
    "send-action-item-reminders": {
        "task": "coaching.tasks.send_action_item_reminders_task",
        "schedule": crontab(minute=36),
        "options": {"expires": HOUR},
    },
}
