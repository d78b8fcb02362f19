from coaching.training.services import assign_onboarding
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Onboarding track: assign the active onboarding modules to reps with a team who "
        "joined within 90 days and never had them. Beat runs it every 15 minutes."
    )
    job = staticmethod(assign_onboarding)
    done = "{} onboarding assignment(s) made."
