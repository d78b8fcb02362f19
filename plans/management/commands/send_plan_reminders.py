from plans.weekly.reminders import send_plan_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Weekly plan reminders to reps, and lists of reps without a plan to their managers. "
        "Beat runs it hourly; each occasion is sent once."
    )
    job = staticmethod(send_plan_reminders)
    done = "{} plan reminder(s) sent."
