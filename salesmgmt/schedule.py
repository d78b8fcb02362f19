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
    "send-stale-deal-alerts": {
        "task": "activities.tasks.send_stale_deal_alerts_task",
        "schedule": crontab(minute=16),
        "options": {"expires": HOUR},
    },
}
