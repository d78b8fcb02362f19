from coaching.improvement.services import send_checkpoint_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Improvement plan checkpoint reminders: rep and manager are told once when a "
        "checkpoint of an open plan is due within two days, and once when it is overdue. "
        "Beat runs it hourly."
    )
    job = staticmethod(send_checkpoint_reminders)
    done = "{} checkpoint reminder(s) sent."
