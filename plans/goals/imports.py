"""Goals from a quota sheet: one row per rep, metric and month, with target and stretch.

The rules are the goal services' (plans.goals.services): a manager sets their teams'
reps' goals, a director their division's, an admin anyone's; a rep sets none. A row
matches a stored goal by ``external_id`` (or the ``goal-<id>`` our export writes), else
by rep, metric and month; new goals go through ``set_goal`` and changed targets through
``change_goal``, so each keeps its history (GoalChange) and the rep is told, as on the
pages. A change's reason is the row's ``reason``, or 'Imported from a spreadsheet'.
"""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Metric
from plans.goals import services
from plans.models import Goal, GoalPeriod, GoalScope
from salesmgmt.calendar import period_bounds
from salesmgmt.imports import cells
from salesmgmt.imports.registry import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Check,
    Column,
    Importer,
    Row,
    external_key,
    stored_pk,
)

PREFIX = "goal"
IMPORTED = gettext_lazy("Imported from a spreadsheet")


def _month(check: Check, row: Row) -> date | None:
    value = row.cell("month")
    try:
        return date.fromisoformat(value[:7] + "-01")
    except ValueError:
        check.problem(
            row, "month", _("'%(value)s' is not a month: use YYYY-MM.") % {"value": value}
        )
        return None


class GoalImporter(Importer):
    kind = "goals"
    label = gettext_lazy("goals")
    list_url = "goals:list"
    columns = (
        Column(
            "external_id",
            help=gettext_lazy("Your sheet's id for the row: a goal stored with it is updated."),
            example="Q1-rep.jose-calls-01",
        ),
        Column(
            "rep",
            required=True,
            help=gettext_lazy("The rep's username or e-mail."),
            example="rep.jose",
        ),
        Column("metric", required=True, help=gettext_lazy("A metric's key."), example="calls"),
        Column("month", required=True, help=gettext_lazy("YYYY-MM"), example="2027-01"),
        Column("target", required=True, help=gettext_lazy("A number above zero."), example="200"),
        Column("stretch", help=gettext_lazy("Above the target, optional."), example="240"),
        Column(
            "reason",
            help=gettext_lazy("Why a stored goal changes (the rep reads it); optional."),
            example="",
        ),
    )

    def allowed_values(self) -> dict[str, str]:
        return {"metric": ", ".join(Metric.objects.active().values_list("key", flat=True))}

    def check(self, rows, user, *, lock=False, progress=None) -> Check:
        check = Check()
        people = cells.people(services.writable_reps(user).select_related("team"))
        metrics = cells.by_key(Metric.objects.active(), "key", "name")
        stored, by_owner = self._stored(rows, people, lock=lock)
        seen: dict = {}
        owners: dict = {}
        for index, row in enumerate(rows, start=1):
            self._check_row(check, row, user, people, metrics, stored, by_owner, seen, owners)
            if progress and index % 100 == 0:
                progress(index)
        return check

    def _stored(self, rows, people, *, lock: bool):
        """Goals named by the rows' external ids, and the reps' plain monthly goals by
        (rep, metric, start): two queries."""
        keys = {r.cell("external_id") for r in rows} - {""}
        pks = {pk for key in keys if (pk := stored_pk(key, PREFIX)) is not None}
        named = Goal.objects.filter(Q(external_id__in=keys) | Q(pk__in=pks, external_id=""))
        plain = Goal.objects.filter(
            scope=GoalScope.REP,
            period=GoalPeriod.MONTH,
            rep__in={p.pk for p in people.values()},
            product=None,
            channel_key="",
        )
        if lock:
            named, plain = (
                named.select_for_update(of=("self",)),
                plain.select_for_update(of=("self",)),
            )
        stored = (
            {external_key(g, PREFIX): g for g in named.select_related("rep__team")} if keys else {}
        )
        by_owner = {(g.rep_id, g.metric_id, g.start): g for g in plain.select_related("rep__team")}
        return stored, by_owner

    def _check_row(self, check, row, user, people, metrics, stored, by_owner, seen, owners):
        external_id = cells.external_id(check, row, Goal, seen)
        name = row.cell("rep")
        rep = people.get(name.lower())
        if rep is None:
            check.problem(
                row,
                "rep",
                _("No rep whose goals you set has the username or e-mail '%(value)s'.")
                % {"value": name},
            )
        metric = cells.pick(
            check, row, "metric", metrics, _("No active metric '%(value)s'."), required=True
        )
        month = _month(check, row)
        target = cells.number(check, row, "target")
        stretch = cells.number(check, row, "stretch", required=False)
        if target is not None and target <= 0:
            check.problem(row, "target", _("A target is a number above zero."))
        if target is not None and stretch is not None and stretch <= target:
            check.problem(row, "stretch", _("A stretch target is above the target."))
        if check.has_problem(row):
            return
        start, _end = period_bounds(GoalPeriod.MONTH, month)
        owner_key = (rep.pk, metric.pk, start)
        if owner_key in owners:
            check.problem(
                row, "month", _("Row %(row)s already sets this goal.") % {"row": owners[owner_key]}
            )
            return
        owners[owner_key] = row.number
        goal = stored.get(external_id) if external_id else None
        goal = goal or by_owner.get(owner_key)
        if goal is not None and (goal.rep_id, goal.metric_id, goal.start) != owner_key:
            check.problem(
                row,
                "external_id",
                _("This external_id is another goal's (%(goal)s): rep, metric and month stay.")
                % {"goal": goal},
            )
            return
        if goal is not None and not services.may_write_goal(user, goal):
            check.problem(row, "rep", _("You may not set goals for this owner."))
            return
        if goal is None and not services.may_write(user, scope=GoalScope.REP, rep=rep):
            check.problem(row, "rep", _("You may not set goals for this owner."))
            return
        values = {"target": target, "stretch_target": stretch, "external_id": external_id}
        if goal is None:
            check.plan[row.number] = (rep, metric, month, values)
            check.set_action(row, CREATE)
        elif (goal.target, goal.stretch_target) == (target, stretch) and (
            not external_id
            or goal.external_id == external_id
            or external_key(goal, PREFIX) == external_id
        ):
            check.set_action(row, UNCHANGED)
        else:
            check.plan[row.number] = (goal, values)
            check.set_action(row, UPDATE)

    def write(self, rows, check, user) -> None:
        for row in rows:
            action = check.actions[row.number]
            if action == CREATE:
                rep, metric, month, values = check.plan[row.number]
                goal = services.set_goal(
                    by=user,
                    scope=GoalScope.REP,
                    rep=rep,
                    metric=metric,
                    period=GoalPeriod.MONTH,
                    day=month,
                    target=values["target"],
                    stretch_target=values["stretch_target"],
                    note=row.cell("reason"),
                )
                if values["external_id"]:
                    goal.external_id = values["external_id"]
                    goal.save(update_fields=["external_id"])
            elif action == UPDATE:
                goal, values = check.plan[row.number]
                if (goal.target, goal.stretch_target) != (
                    values["target"],
                    values["stretch_target"],
                ):
                    services.change_goal(
                        goal=goal,
                        by=user,
                        target=values["target"],
                        stretch_target=values["stretch_target"],
                        reason=row.cell("reason") or str(IMPORTED),
                        version=None,
                    )
                if values["external_id"] and values["external_id"] != external_key(goal, PREFIX):
                    # Saved (not updated in bulk): the audit trail keeps it too.
                    named = Goal.objects.get(pk=goal.pk)
                    named.external_id = values["external_id"]
                    named.save(update_fields=["external_id"])

    def export_rows(self, goals):
        """Monthly rep goals without limits: what a quota sheet holds (others are skipped)."""
        plain = goals.filter(
            scope=GoalScope.REP, period=GoalPeriod.MONTH, product=None, channel_key=""
        )
        for goal in plain.select_related("rep", "metric"):
            yield [
                external_key(goal, PREFIX),
                goal.rep.username,
                goal.metric.key,
                goal.start.strftime("%Y-%m"),
                goal.target,
                goal.stretch_target if goal.stretch_target is not None else "",
                "",
            ]
