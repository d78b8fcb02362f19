from plans.weekly.reminders import send_review_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Reminders to managers of plans waiting for review. Beat runs it hourly; "
        "each occasion is sent once."
    )
    job = staticmethod(send_review_reminders)
    done = "{} review reminder(s) sent."
