"""Load a believable demo company: people, teams, twelve weeks of plans and activity,
customers (some who did not buy, and why), deals with their stage history, tasks,
notifications, goals, reviews and commissions. The data is built by
``salesmgmt.demo.loader``; this command checks the database, runs it and reports.

Running it again changes nothing: once the demo's ``admin`` user exists the
command says so and stops. It never deletes anything.
"""

import logging
import time as clock
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from activities.models import (
    Activity,
    Contact,
    Customer,
    CustomerStatus,
    Deal,
    Product,
    StageKind,
    StageTransition,
    Task,
)
from plans.models import Goal, PlanEvent, PlanTarget, WeeklyPlan
from reporting.models import CommissionStatement, DeviationEpisode, MonthlyReview
from salesmgmt.demo.base import DemoCompany
from salesmgmt.demo.loader import load_demo
from salesmgmt.demo.people import MARKER_USERNAME, PASSWORD, clashes, logins
from salesmgmt.models import Division, Notification, Team, User


class Command(BaseCommand):
    help = (
        "Load a demo company (Northwind Sales) with teams, reps, 12 weeks of plans and "
        "activity. Does nothing if the demo is already loaded."
    )

    def handle(self, *args, **options):
        # The jobs' in-process tasks would log a line per notification.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        started = clock.monotonic()
        with transaction.atomic():
            if User.objects.filter(username=MARKER_USERNAME).exists():
                self.stdout.write(
                    "Demo data is already loaded (user “admin” exists); nothing changed."
                )
                return
            found = clashes()
            if found:
                self.stderr.write(
                    "This database already holds data the demo would clash with "
                    f"({', '.join(found)}); seed_demo fills a fresh database only. "
                    "Nothing changed."
                )
                return
            demo = load_demo()
        self._report(demo, clock.monotonic() - started)

    def _report(self, demo: DemoCompany, seconds: float) -> None:
        out = self.stdout.write
        reps = len(demo.reps)
        out(self.style.SUCCESS(f"Demo company “{demo.company.name}” loaded in {seconds:.1f} s."))
        out(
            f"  {Division.objects.count()} divisions, {Team.objects.count()} teams, "
            f"{User.objects.count()} users ({reps} reps), {Product.objects.count()} products"
        )
        out(
            f"  {WeeklyPlan.objects.count():,} weekly plans, {PlanTarget.objects.count():,} "
            f"planned numbers, {PlanEvent.objects.count():,} plan events"
        )
        out(
            f"  {Activity.objects.count():,} activities over {len(demo.working_days)} working "
            f"days ({demo.working_days[0]:%a %d %b} to {demo.working_days[-1]:%a %d %b %Y})"
        )
        status = Counter(Customer.objects.values_list("status", flat=True))
        out(
            f"  {sum(status.values()):,} customers ({status[CustomerStatus.PROSPECT]} prospects, "
            f"{status[CustomerStatus.ACTIVE]} active, {status[CustomerStatus.DID_NOT_BUY]} did "
            f"not buy, {status[CustomerStatus.LOST]} lost) with {Contact.objects.count():,} "
            "contacts"
        )
        kinds = Counter(Deal.objects.values_list("stage__kind", flat=True))
        now, today = timezone.now(), demo.company.today()
        out(
            f"  {sum(kinds.values())} deals ({kinds[StageKind.OPEN]} open, of which "
            f"{Deal.objects.needing_attention(today).count()} need a next step; "
            f"{kinds[StageKind.WON]} won, {kinds[StageKind.LOST]} lost) with "
            f"{StageTransition.objects.count():,} stage changes"
        )
        out(
            f"  {Task.objects.count()} tasks ({Task.objects.open().count()} open, "
            f"{Task.objects.overdue(now).count()} overdue), "
            f"{Notification.objects.count()} notifications "
            f"({Notification.objects.unread().count()} unread)"
        )
        reviews = Counter(MonthlyReview.objects.values_list("status", flat=True))
        out(
            f"  {Goal.objects.count()} goals, {CommissionStatement.objects.count()} commission "
            f"statements, {sum(reviews.values())} monthly reviews ({reviews['acknowledged']} "
            f"acknowledged, {reviews['shared']} shared, {reviews['draft']} to annotate), "
            f"{DeviationEpisode.objects.open().count()} open deviation alerts"
        )
        out("")
        out(f"Demo logins (every user's password is {PASSWORD}):")
        for username, role, sees in logins():
            out(f"  {username:<16} {role:<16} {sees}")
        out("  Other reps sign in as rep.<first name>, e.g. rep.tom; managers as manager.<team>.")
