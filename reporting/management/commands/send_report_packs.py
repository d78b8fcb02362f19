from reporting.packs.services import send_report_packs
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "E-mail every report pack that is due (its day and hour of this month have come) "
        "with last month's reports. Beat runs it hourly; each pack goes out once a month."
    )
    job = staticmethod(send_report_packs)
    done = "{} report pack(s) sent."
