from coaching.sessions.services import send_session_reminders
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Coaching session reminders: coach and rep, once each, the reminder time (coaching "
        "settings) before a planned session. Beat runs it every 15 minutes."
    )
    job = staticmethod(send_session_reminders)
    done = "{} session reminder(s) sent."
