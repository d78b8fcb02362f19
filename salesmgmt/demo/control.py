"""The control half of the demo: goals at every level, a year of monthly results, holidays,
a commission plan with statements, monthly reviews of past months, open deviation alerts
and a report pack. Runs at the end of ``seed_demo``, after plans, activity and deals exist.

The detailed activity log covers twelve weeks. Months before it get one "monthly total"
row per outcome metric per rep (as a company importing its history would have), sized so
that each rep's attainment follows their style: steady reps hover near 95%, volatile ones
swing, improving ones climb and lagging ones stay behind. That gives the consistency
figures a year to work with.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Q, Sum

from activities.models import Activity
from coaching.models import Kudos
from plans.models import Goal, GoalChange, GoalScope, channel_key_of
from reporting.commissions.services import add_adjustment, compute_statement
from reporting.kpis.services import send_deviation_alerts
from reporting.models import (
    BonusRule,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    MonthlyReview,
    ReportKind,
    ReportPack,
    ReviewStatus,
    RootCause,
)
from reporting.reviews import services as reviews
from salesmgmt.calendar import month_of, period_bounds
from salesmgmt.demo.alerts import handled_alerts, past_alert
from salesmgmt.models import Division, Holiday, Team, User

HISTORY_MONTHS = 12
HISTORY_SOURCE = "history-import"  # as an integration names itself
# Monthly attainment by style for history months, oldest first (before noise).
STYLE_CURVES = {
    "steady": lambda i, rng: rng.gauss(0.95, 0.03),
    "volatile": lambda i, rng: (1.45 if i % 2 else 0.6) + rng.gauss(0, 0.06),
    "improving": lambda i, rng: 0.4 + 0.06 * i + rng.gauss(0, 0.03),
    # "lagging" reps were doing fine a year ago and have slid since.
    "lagging": lambda i, rng: 1.08 - 0.035 * i + rng.gauss(0, 0.03),
}
# The metric a rep's quota is set on, by rep function (others have no sales).
QUOTA_METRIC = {
    "generalist": "sales-value",
    "ae": "sales-value",
    "sdr": "appointments-set",
    "csm": "upsells",
}


def _round_to(value: Decimal, step: int) -> Decimal:
    return max((value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step, Decimal(step))


class ControlDemo:
    def __init__(self, demo):
        self.demo = demo
        self.rng = random.Random(4242)
        self.company = demo.company
        self.today = demo.today
        self.metrics = demo.metrics
        self.admin = User.objects.get(username="admin")
        self.window_start = demo.weeks[0]
        this_month = month_of(self.today).start
        self.months = [_add_months(this_month, -n) for n in range(HISTORY_MONTHS, -1, -1)]

    def build(self) -> None:
        self._holidays()
        self._quotas()
        self._history()
        self._rep_goals()
        self._team_goals()
        self._limited_goals()
        self._commission_plan()
        self._report_pack()

    def after_commit_jobs(self) -> None:
        """Statements, reviews and alerts, computed by the same services the jobs use."""
        self._statements()
        past_alert(self.demo, self.months[-2])  # before the reviews, which list it
        self._reviews()
        self._alerts()
        handled_alerts(self.demo)

    # --- set-up ------------------------------------------------------------------------------

    def _holidays(self) -> None:
        year = self.today.year
        days = [
            (date(year, 1, 1), "New Year's Day"),
            (date(year, 5, 1), "Labour Day"),
            (date(year, 12, 25), "Christmas Day"),
            (date(year, 12, 26), "Boxing Day"),
            (date(year + 1, 1, 1), "New Year's Day"),
        ]
        Holiday.objects.bulk_create(
            [Holiday(day=d, name=n) for d, n in days], ignore_conflicts=True
        )
        cache.delete(Holiday.CACHE_KEY)  # bulk_create sends no signal

    def _quotas(self) -> None:
        """A monthly quota per rep: their team's average month in the detailed log, rounded."""
        weeks = len(self.demo.weeks)
        logged = {
            (row["rep"], row["metric__key"]): row["total"]
            for row in Activity.objects.filter(day__gte=self.window_start)
            .values("rep", "metric__key")
            .annotate(total=Sum("quantity"))
        }
        by_team: dict[str, list] = {}
        for rep in self.demo.reps:
            metric = QUOTA_METRIC[rep.function]
            monthly = Decimal(logged.get((rep.user.pk, metric), 0)) * Decimal("4.33") / weeks
            by_team.setdefault((rep.team.name, metric), []).append(monthly)
        self.quota = {}
        for rep in self.demo.reps:
            metric = QUOTA_METRIC[rep.function]
            values = by_team[(rep.team.name, metric)]
            average = sum(values) / len(values)
            step = 500 if metric == "sales-value" else 1
            # A stretch for everyone: the team average plus 5%.
            self.quota[rep.user.pk] = (metric, _round_to(average * Decimal("1.05"), step))

    def _history(self) -> None:
        """One monthly-total row per rep for the months before the detailed log."""
        rows = []
        for rep in self.demo.reps:
            metric_key, quota = self.quota[rep.user.pk]
            curve = STYLE_CURVES[rep.style]
            for i, month in enumerate(self.months[:-1]):
                if month >= self.window_start:
                    continue  # the detailed log covers this month from its start
                factor = Decimal(str(round(min(max(curve(i, self.rng), 0.3), 1.7), 3)))
                end = min(month_of(month).end, self.window_start - timedelta(days=1))
                share = Decimal((end - month).days + 1) / ((month_of(month).end - month).days + 1)
                quantity = (quota * factor * share).quantize(Decimal("1"))
                if not quantity:
                    continue
                rows.append(self._total(rep.user, metric_key, month, quantity))
                if metric_key == "sales-value":
                    deals = max(int(quantity / 2500), 1)
                    rows.append(self._total(rep.user, "sales-closed", month, Decimal(deals)))
        Activity.objects.bulk_create(rows, batch_size=1000)
        # Say so, or year over year would set the days under way against a month's total.
        self.company.daily_figures_from = self.window_start
        self.company.save(update_fields=["daily_figures_from"])

    def _total(self, rep, metric_key, month, quantity) -> Activity:
        return Activity(
            rep=rep,
            day=_first_weekday(month),
            metric=self.metrics[metric_key],
            quantity=quantity,
            note="Monthly total (history before the detailed log)",
            source=HISTORY_SOURCE,
            external_id=f"{rep.pk}:{metric_key}:{month:%Y-%m}",
            created_by=rep,
        )

    def _rep_goals(self) -> None:
        goals, changes = [], []
        for rep in self.demo.reps:
            metric_key, quota = self.quota[rep.user.pk]
            manager = self.demo.managers[rep.team.name]
            for month in self.months:
                goals.append(
                    self._goal(
                        GoalScope.REP,
                        metric_key,
                        "month",
                        month,
                        quota,
                        manager,
                        rep=rep.user,
                        stretch=quota * Decimal("1.2"),
                    )
                )
            if metric_key == "sales-value":
                deals = max(int(quota / 2500), 1)
                goals.append(
                    self._goal(
                        GoalScope.REP,
                        "sales-closed",
                        "month",
                        self.today,
                        Decimal(deals),
                        manager,
                        rep=rep.user,
                    )
                )
        Goal.objects.bulk_create(goals, batch_size=500)
        for goal in Goal.objects.filter(scope=GoalScope.REP).select_related("rep", "metric"):
            changes.append(
                GoalChange(
                    goal=goal,
                    goal_label=str(goal)[:300],
                    action=GoalChange.Action.CREATED,
                    by=goal.created_by,
                    new_target=goal.target,
                    new_stretch=goal.stretch_target,
                    reason="Monthly quota",
                )
            )
        GoalChange.objects.bulk_create(changes, batch_size=500)
        self._one_change()

    def _one_change(self) -> None:
        """Raise one rep's current quota mid-month, as a manager would after a big win."""
        first = self.demo.reps[0]
        metric_key, quota = self.quota[first.user.pk]
        goal = Goal.objects.get(
            scope=GoalScope.REP,
            rep=first.user,
            metric=self.metrics[metric_key],
            start=self.months[-1],
        )
        old, new = goal.target, goal.target + (500 if metric_key == "sales-value" else 2)
        goal.target, goal.version = new, goal.version + 1
        goal.save(update_fields=["target", "version", "updated_at"])
        GoalChange.objects.create(
            goal=goal,
            goal_label=str(goal)[:300],
            action=GoalChange.Action.CHANGED,
            by=self.demo.managers[first.team.name],
            old_target=old,
            new_target=new,
            old_stretch=goal.stretch_target,
            new_stretch=goal.stretch_target,
            reason="Ahead of plan after the Harbour Foods renewal; raising the bar.",
        )

    def _team_goals(self) -> None:
        """Last month and this month: team goals a little above their reps' total (so the
        roll-up shows a gap to allocate), division and company goals on sales value; this
        quarter's team goals and this year's company goal."""
        per_team: dict[int, Decimal] = {}
        for rep in self.demo.reps:
            metric_key, quota = self.quota[rep.user.pk]
            if metric_key == "sales-value":
                per_team[rep.user.team_id] = per_team.get(rep.user.team_id, 0) + quota
        teams = list(Team.objects.filter(pk__in=per_team).select_related("manager"))
        team_target = {t.pk: _round_to(per_team[t.pk] * Decimal("1.05"), 1000) for t in teams}
        division_target: dict[int, Decimal] = {}
        for team in teams:
            division_target[team.division_id] = (
                division_target.get(team.division_id, 0) + team_target[team.pk]
            )
        directors = {u.division_id: u for u in User.objects.filter(role="director")}
        company_target = sum(division_target.values())
        goals = []
        for month in self.months[-2:]:
            for team in teams:
                target = team_target[team.pk]
                goals.append(
                    self._goal(
                        GoalScope.TEAM,
                        "sales-value",
                        "month",
                        month,
                        target,
                        team.manager,
                        team=team,
                        stretch=target * Decimal("1.15"),
                    )
                )
            for division in Division.objects.filter(pk__in=division_target):
                goals.append(
                    self._goal(
                        GoalScope.DIVISION,
                        "sales-value",
                        "month",
                        month,
                        division_target[division.pk],
                        directors.get(division.pk, self.admin),
                        division=division,
                    )
                )
            goals.append(
                self._goal(
                    GoalScope.COMPANY,
                    "sales-value",
                    "month",
                    month,
                    company_target,
                    self.admin,
                    stretch=company_target * Decimal("1.1"),
                )
            )
        month = self.months[-1]
        for team in teams:
            goals.append(
                self._goal(
                    GoalScope.TEAM,
                    "sales-value",
                    "quarter",
                    month,
                    team_target[team.pk] * 3,
                    team.manager,
                    team=team,
                )
            )
        goals.append(
            self._goal(
                GoalScope.COMPANY, "sales-value", "year", month, company_target * 12, self.admin
            )
        )
        Goal.objects.bulk_create(goals)
        GoalChange.objects.bulk_create(
            GoalChange(
                goal=goal,
                goal_label=str(goal)[:300],
                action=GoalChange.Action.CREATED,
                by=goal.created_by,
                new_target=goal.target,
                new_stretch=goal.stretch_target,
                reason="Set with the month's quotas",
            )
            for goal in Goal.objects.exclude(scope=GoalScope.REP).select_related(
                "team", "division", "metric"
            )
        )

    def _limited_goals(self) -> None:
        """Goals on how sales happen, for the demo manager's team this month: walk-in and
        referral sales as a team goal with each rep's share under it (so it rolls up),
        and the demo rep's sales value of the professional subscription. Targets are a
        little above the detailed log's monthly run rate, so the pace is believable."""
        first = self.demo.reps[0]
        team, manager, month = first.user.team, self.demo.managers[first.team.name], self.months[-1]
        reps = [r.user for r in self.demo.reps if r.user.team_id == team.pk]
        walk_in = [self.demo.channels["walk-in"], self.demo.channels["referral"]]
        pro = self.demo.products["pro-plan"]
        per_month = Decimal(52) / 12 / len(self.demo.weeks)

        def run_rate(metric_key: str, limits: Q) -> dict[int, Decimal]:
            rows = (
                Activity.objects.filter(
                    limits,
                    rep__in=reps,
                    metric=self.metrics[metric_key],
                    day__gte=self.window_start,
                )
                .values("rep")
                .annotate(total=Sum("quantity"))
            )
            return {row["rep"]: row["total"] * per_month for row in rows if row["total"]}

        sold = run_rate("sales-closed", Q(channel__in=walk_in))
        shares = {rep: _round_to(n * Decimal("1.05"), 1) for rep, n in sold.items()}
        made = [
            self._limited(
                GoalScope.REP, "sales-closed", month, shares[u.pk], manager, channels=walk_in, rep=u
            )
            for u in reps
            if u.pk in shares
        ]
        if shares:
            total = _round_to(sum(shares.values()) * Decimal("1.1"), 1)
            made.append(
                self._limited(
                    GoalScope.TEAM,
                    "sales-closed",
                    month,
                    total,
                    manager,
                    channels=walk_in,
                    team=team,
                )
            )
        value = run_rate("sales-value", Q(product=pro)).get(first.user.pk)
        if value:
            target = _round_to(value * Decimal("1.1"), 500)
            made.append(
                self._limited(
                    GoalScope.REP,
                    "sales-value",
                    month,
                    target,
                    manager,
                    rep=first.user,
                    product=pro,
                )
            )
        GoalChange.objects.bulk_create(
            GoalChange(
                goal=goal,
                goal_label=str(goal)[:300],
                action=GoalChange.Action.CREATED,
                by=goal.created_by,
                new_target=goal.target,
                reason="Grow walk-in and referral sales"
                if goal.channel_key
                else "Push the professional plan",
            )
            for goal in made
        )

    def _limited(self, scope, metric_key, day, target, by, *, product=None, channels=(), **owner):
        """A month goal counting only ``product``'s and/or ``channels``' activity."""
        goal = self._goal(scope, metric_key, "month", day, target, by, **owner)
        goal.product, goal.channel_key = product, channel_key_of(channels)
        goal.save()
        goal.channels.set(channels)
        return goal

    def _goal(self, scope, metric_key, period, day, target, by, *, stretch=None, **owner) -> Goal:
        start, end = period_bounds(period, day, self.company)
        return Goal(
            scope=scope,
            metric=self.metrics[metric_key],
            period=period,
            start=start,
            end=end,
            target=target,
            stretch_target=stretch,
            created_by=by,
            **owner,
        )

    def _commission_plan(self) -> None:
        plan = CommissionPlan.objects.create(
            name="Standard 2026",
            rate=Decimal("5.00"),
            cap=Decimal("15000.00"),
            quota_metric=self.metrics["sales-value"],
        )
        CommissionTier.objects.bulk_create(
            [
                CommissionTier(plan=plan, attainment_from=Decimal("100"), rate=Decimal("8")),
                CommissionTier(plan=plan, attainment_from=Decimal("120"), rate=Decimal("10")),
            ]
        )
        BonusRule.objects.bulk_create(
            [
                BonusRule(
                    plan=plan,
                    name="Quota club",
                    attainment_at_least=Decimal("100"),
                    amount=Decimal("500"),
                ),
                BonusRule(
                    plan=plan,
                    name="President's club",
                    attainment_at_least=Decimal("120"),
                    amount=Decimal("1000"),
                ),
            ]
        )
        plan.reps.set([r.user for r in self.demo.reps if QUOTA_METRIC[r.function] == "sales-value"])
        self.plan = plan

    def _report_pack(self) -> None:
        pack = ReportPack.objects.create(
            name="Monthly board pack",
            reports=[
                ReportKind.COMPANY_MONTHLY,
                ReportKind.LEADERBOARD,
                ReportKind.GOALS,
                ReportKind.KPIS,
            ],
            extra_emails="investors@northwind.example\nfinance@northwind.example",
            day_of_month=2,
            hour=8,
            created_by=self.admin,
        )
        pack.recipients.set(User.objects.filter(role__in=["director", "admin"]))

    # --- computed by the jobs' services ------------------------------------------------------

    def _statements(self) -> None:
        # Last month only, as the monthly job computes it on the 1st.
        for month in self.months[-2:-1]:
            for rep in self.plan.reps.all():
                compute_statement(rep=rep, month=month)
        self._adjustment(self.months[-2])

    def _adjustment(self, month) -> None:
        """One manual adjustment, for a case the credited-sales rule does not cover:
        on the "rep" login's statement when they are on the plan, else the first one."""
        statements = CommissionStatement.objects.filter(month=month).select_related("rep__team")
        statement = statements.filter(rep__username="rep").first() or statements.first()
        if statement is None or statement.rep.team is None:
            return
        add_adjustment(
            statement=statement,
            by=self.demo.managers[statement.rep.team.name],
            amount=Decimal("120.00"),
            reason="Referral split: a teammate won a deal from a lead this rep found; "
            "sales ops agreed 120.00 of its commission for them.",
        )

    def _reviews(self) -> None:
        last, before = self.months[-2], self.months[-3]
        for month in (before, last):
            reviews.generate_monthly_reviews(month=month)
        for review in MonthlyReview.objects.filter(month=before).select_related("rep__team"):
            self._annotate(review, acknowledged=True)
        for review in MonthlyReview.objects.filter(
            month=last, rep__team__name=self.demo.reps[0].team.name
        )[:2]:
            self._annotate(review, acknowledged=False)

    def _annotate(self, review, *, acknowledged: bool) -> None:
        manager = review.rep.team.manager
        review = reviews.annotate_review(
            review=review,
            by=manager,
            version=review.version,
            manager_notes="Solid month on activity; conversion from held appointments to "
            "proposals is where the gap is.",
            coaching_remarks="Let's role-play discovery calls on Thursday; focus on budget "
            "questions early.",
        )
        for miss, cause in zip(
            review.misses.filter(stale=False),
            (RootCause.SKILL, RootCause.MARKET),
            strict=False,
        ):
            reviews.set_miss_cause(
                miss=miss, by=manager, root_cause=cause, note="Discussed in our one-to-one."
            )
        review.refresh_from_db()
        review = reviews.share_review(review=review, by=manager, version=review.version)
        # Recognition is kudos of its own, never the review's text: as the manager's thanks
        # written with the review used to be (coaching 0003 moved those to kudos).
        Kudos.objects.create(
            giver=manager,
            recipient=review.rep,
            message=f"Thank you for covering {_teammate(review.rep)}'s accounts while they "
            "were away.",
            review=review,
            # Written with the review, early in the month after it.
            created_at=min(
                self.demo.at(month_of(review.month).end + timedelta(days=3), 10), review.shared_at
            ),
        )
        if acknowledged:
            reviews.acknowledge_review(
                review=review,
                by=review.rep,
                version=review.version,
                comment="Agreed. I'll book the role-play.",
            )
        assert review.status in (ReviewStatus.SHARED, ReviewStatus.ACKNOWLEDGED)

    def _alerts(self) -> None:
        noon = datetime.combine(self.today, time(12), tzinfo=self.company.tzinfo)
        # As the day's run at noon would: before the alert hour the job does nothing.
        send_deviation_alerts(now=noon)


def _teammate(rep: User) -> str:
    """The first name of another rep of ``rep``'s team (whose accounts they covered)."""
    mate = rep.team.members.sales_reps().exclude(pk=rep.pk).order_by("first_name").first()
    return mate.first_name if mate else "a teammate"


def _first_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
