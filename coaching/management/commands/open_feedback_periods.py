from coaching.feedback.services import open_feedback_periods
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Anonymous feedback periods: make sure the current one exists, tell reps it is "
        "open, remind those who have not answered 5 days before it closes, and tell "
        "managers once their team's feedback is ready. Each occasion is told once."
    )
    job = staticmethod(open_feedback_periods)
    done = "{} feedback notification(s) sent."
