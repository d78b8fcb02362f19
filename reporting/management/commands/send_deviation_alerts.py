from reporting.kpis.services import send_deviation_alerts
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Deviation alerts: goals and KPIs behind pace. Beat runs it hourly; it acts from the "
        "company's alert hour, and each episode is told once (again only when it turns red)."
    )
    job = staticmethod(send_deviation_alerts)
    done = "{} deviation alert(s) sent."
