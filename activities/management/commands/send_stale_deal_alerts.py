from activities.deals.reminders import send_stale_deal_alerts
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Alerts about stale deals to owners and their managers. Beat runs it hourly; "
        "each occasion is sent once."
    )
    job = staticmethod(send_stale_deal_alerts)
    done = "{} stale deal alert(s) sent."
