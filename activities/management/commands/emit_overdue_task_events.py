from activities.tasks.services import emit_overdue_task_events
from salesmgmt.commands import JobCommand


class Command(JobCommand):
    help = (
        "Webhook events for tasks that went overdue (task.overdue), each once. Beat runs it "
        "every 5 minutes; it costs one query when no endpoint wants the event."
    )
    job = staticmethod(emit_overdue_task_events)
    done = "{} task.overdue event(s) recorded."
