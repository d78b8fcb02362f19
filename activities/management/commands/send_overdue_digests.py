from activities.tasks.reminders import send_overdue_digests
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Daily digests of overdue tasks to reps and their managers. Beat runs it hourly; "
        "each occasion is sent once."
    )
    job = staticmethod(send_overdue_digests)
    done = "{} overdue digest(s) sent."
