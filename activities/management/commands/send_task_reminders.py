from activities.tasks.reminders import send_task_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Reminders of open tasks due soon. Beat runs it every 15 minutes; "
        "each occasion is sent once."
    )
    job = staticmethod(send_task_reminders)
    done = "{} task reminder(s) sent."
