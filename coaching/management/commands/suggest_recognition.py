from coaching.recognition.services import suggest_recognition
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Recognition suggestions: nudge managers about a goal beaten, the month's biggest "
        "deal of a team, a KPI green N weeks running. Beat runs it hourly; it acts from the "
        "company's alert hour and suggests each win once. Nothing is given automatically."
    )
    job = staticmethod(suggest_recognition)
    done = "{} recognition suggestion(s) made."
