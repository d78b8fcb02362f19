"""Tasks: every rep's to-do list, some given by their manager, tied to open deals or
accounts or their own, falling due in the past (done on time, late, or overdue), today
or in the coming two weeks. The demo rep's manager has just given them one.
"""

from datetime import datetime, timedelta

from activities.models import Task, TaskPriority
from salesmgmt.demo.base import DemoCompany, Rep, next_workday, pick, workday

# When a task falls (weights): done on time, done late, overdue, today, coming, done early.
TASK_TIMING = {"done": 40, "late": 12, "overdue": 5, "today": 8, "coming": 30, "early": 5}
DEAL_TASKS = (
    "Call {contact} at {customer} about the next step",
    "Send {customer} the revised quote",
    "Prepare the demo for {customer}",
    "Follow up with {contact} on the decision date",
    "Update the deal notes after meeting {customer}",
    "Send {contact} the reference customer list",
    "Confirm who signs at {customer}",
)
CUSTOMER_TASKS = (
    "Book the onboarding call with {customer}",
    "Ask {contact} at {customer} for a referral",
    "Check in with {customer} after go-live",
    "Send {customer} the new price list",
    "Visit {customer} while in {city}",
)
OWN_TASKS = (
    "Clean up the prospect list for {city}",
    "Prepare for the Thursday pipeline review",
    "Log last week's field visits",
    "Update next steps on every open deal",
)
MANAGER_TASKS = (
    "Review the {customer} proposal with me before it goes out",
    "Get a decision date from {customer}",
    "Call {contact} back: they asked for you",
    "Give me a close plan for {customer}",
    "Bring {customer} to our one-to-one",
)
TASK_NOTES = (
    "",
    "",
    "They prefer calls before 10.",
    "Bring the case study from the Pinecrest rollout.",
    "Check the open support ticket first.",
)


def load_tasks(demo: DemoCompany) -> None:
    """Writes the tasks and keeps them as ``demo.tasks``."""
    _Tasks(demo).build()


class _Tasks:
    def __init__(self, demo: DemoCompany):
        self.demo = demo
        self.rng = demo.crm_rng
        self.today = demo.today
        self.now = demo.now
        self.reps = demo.reps
        self.managers = demo.managers

    def build(self) -> None:
        tasks, times = [], []
        for rep in self.reps:
            for task, created in self._rep_tasks(rep):
                tasks.append(task)
                times.append(created)
        Task.objects.bulk_create(tasks, batch_size=500)
        for task, created in zip(tasks, times, strict=True):
            task.created_at = created
        Task.objects.bulk_update(tasks, ["created_at"], batch_size=500)
        self.demo.tasks = tasks

    def _rep_tasks(self, rep: Rep) -> list[tuple[Task, datetime]]:
        rng = self.rng
        manager = self.managers[rep.team.name]
        open_deals = [d for d in rep.deals if d.stage.is_open]
        timings = ["overdue"]  # everyone is behind on something
        if rep.user.username == "rep":
            timings += ["today", "coming"]
        timings += rng.choices(list(TASK_TIMING), list(TASK_TIMING.values()), k=rng.randint(4, 12))
        made = []
        for timing in timings:
            by_manager = rng.random() < 0.2
            deal = customer = None
            roll = rng.random()
            if open_deals and roll < 0.6:
                deal = rng.choice(open_deals)
                customer = deal.customer
            elif roll < 0.85:
                customer = rng.choice(rep.customers)
            city = customer.city if customer else rng.choice(rep.cities)[0]
            if customer is None:
                template = rng.choice(OWN_TASKS)
            elif by_manager:
                template = rng.choice(MANAGER_TASKS)
            else:
                template = rng.choice(DEAL_TASKS if deal else CUSTOMER_TASKS)
            title = template.format(
                customer=customer.name if customer else "",
                contact=self.demo.first_contact.get(id(customer), "the buyer"),
                city=city,
            )
            due, done = self._task_times(timing)
            # Written a day to a week ahead, in working hours, and before it was done.
            before = min(due, done or due, self.now) - timedelta(minutes=30)
            created = self.demo.working_moment_before(
                self.demo.local_day(due) - timedelta(days=rng.randint(1, 7)), before
            )
            priority = pick(
                rng,
                {"high": 60, "normal": 30, "low": 10}
                if by_manager
                else {"high": 20, "normal": 55, "low": 25},
            )
            task = Task(
                title=title[:200],
                notes=rng.choice(TASK_NOTES),
                assignee=rep.user,
                created_by=manager if by_manager else rep.user,
                customer=customer,
                deal=deal,
                due_at=due,
                priority=TaskPriority(priority),
                done_at=done,
            )
            made.append((task, created))
        # The demo rep's manager just gave them something to do: the bell shows it.
        if rep.user.username == "rep":
            task, _ = next((t, c) for t, c in made if t.done_at is None and t.due_at > self.now)
            task.created_by, task.priority = manager, TaskPriority.HIGH
            given = self.demo.working_moment_before(self.today, self.now - timedelta(hours=1))
            made = [(t, given if t is task else c) for t, c in made]
        return made

    def _task_times(self, timing: str) -> tuple[datetime, datetime | None]:
        """When a task was due and when (if ever) it was done, in working hours."""
        rng = self.rng
        latest = self.now - timedelta(minutes=10)
        if timing == "today":
            due = self.demo.at(self.today, rng.uniform(9, 17.5))
            done = None
            if due < latest and rng.random() < 0.5:
                done = due - timedelta(minutes=rng.randint(10, 60))
            return due, done
        if timing in ("coming", "early"):
            day = next_workday(self.today + timedelta(days=rng.randint(1, 14)))
            due = self.demo.at(day, rng.uniform(9, 17.5))
            done = None
            if timing == "early":
                ago = self.today - timedelta(days=rng.randint(0, 2))
                done = self.demo.working_moment_before(ago, latest)
            return due, done
        days_ago = rng.randint(1, 10) if timing == "overdue" else rng.randint(1, 14)
        due = self.demo.at(workday(self.today - timedelta(days=days_ago)), rng.uniform(9, 17.5))
        if timing == "overdue":
            return due, None
        if timing == "late":  # finished later that day, or within the next three
            done = self.demo.next_working_moment(due + timedelta(hours=rng.uniform(0.5, 4)))
            if rng.random() < 0.3:
                day = next_workday(self.demo.local_day(due) + timedelta(days=rng.randint(1, 3)))
                done = self.demo.at(day, rng.uniform(8.5, 17.5))
            return due, max(min(done, latest), due + timedelta(minutes=1))
        done = due - timedelta(minutes=rng.randint(10, 240))
        return due, max(done, self.demo.at(self.demo.local_day(due), 8))
