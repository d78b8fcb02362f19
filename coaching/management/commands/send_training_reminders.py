from coaching.training.services import send_training_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Training reminders: overdue assignments to the rep and their manager, and a due-soon "
        "reminder to the rep three days before. Beat runs it hourly; each is told once."
    )
    job = staticmethod(send_training_reminders)
    done = "{} training reminder(s) sent."
