from coaching.sessions.services import send_action_item_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Overdue coaching action items: the owner and the coach are told once per item. "
        "Beat runs it hourly."
    )
    job = staticmethod(send_action_item_reminders)
    done = "{} action item reminder(s) sent."
